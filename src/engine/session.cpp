#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "engine/cors.hpp"
#include "engine/session_impl.hpp"
#include "metrics/counters.hpp"

namespace engine {

std::string_view transport_name(TransportKind kind) { return kind == TransportKind::polling ? "polling" : "websocket"; }

namespace {

net::HttpResponse text_response(const ServerOptions& options, const net::HttpRequest& request, std::string content_type,
                                std::string body) {
  net::HttpResponse res;
  res.set("Content-Type", std::move(content_type));
  res.set("Cache-Control", "no-store");
  for (auto& h : cors_headers(options.cors, request)) res.headers.push_back(std::move(h));
  res.body = std::move(body);
  return res;
}

std::size_t packet_bytes(const Packet& p) { return p.data.size() + 1; }

// engine::listen(): the two functions as a listener.
class FunctionListener final : public SessionListener {
 public:
  FunctionListener(MessageHandler on_message, CloseHandler on_close)
      : on_message_(std::move(on_message)), on_close_(std::move(on_close)) {}
  void on_session_message(std::string&& data, bool binary) override {
    if (on_message_) on_message_(std::move(data), binary);
  }
  void on_session_close(std::string_view reason, std::string_view description) override {
    if (on_close_) on_close_(reason, description);
  }

 private:
  MessageHandler on_message_;
  CloseHandler on_close_;
};

}  // namespace

void listen(Session& session, MessageHandler on_message, CloseHandler on_close) {
  session.set_listener(std::make_shared<FunctionListener>(std::move(on_message), std::move(on_close)));
}

SessionImpl::SessionImpl(std::shared_ptr<ServerState> server, std::size_t shard, Handshake handshake,
                         TransportKind transport)
    : server_(std::move(server)),
      shard_(static_cast<std::uint32_t>(shard)),
      handshake_(std::move(handshake)),
      transport_(transport) {
  write_sid(shard, id_.data());
  if (transport == TransportKind::polling) polling_ = std::make_unique<Polling>();
  auto& timers = server_->shards[shard];
  if (!timers.ping_interval_timer) {
    auto& context = server_->pool.context(shard);
    timers.ping_interval_timer =
        &net::FifoTimer::of(context, std::chrono::milliseconds(server_->options.ping_interval_ms));
    timers.ping_timeout_timer =
        &net::FifoTimer::of(context, std::chrono::milliseconds(server_->options.ping_timeout_ms));
  }
}

std::string SessionImpl::open_packet_data() const {
  std::string open;
  open_packet_data_to(open);
  return open;
}

void SessionImpl::open_packet_data_to(std::string& open) const {
  const auto& o = server_->options;
  bool upgrades = transport_ == TransportKind::polling && o.allow_upgrades && o.allow_websocket;
  // A sid is base64url, which JSON needs no escape for; the rest is the
  // server's, written once (open_packet_tail).
  const std::string& tail = upgrades ? server_->open_tail_with_upgrade : server_->open_tail;
  open.clear();
  open.reserve(8 + id().size() + tail.size());  // one allocation, none in a kept buffer
  open += R"({"sid":")";
  open += id();
  open += tail;
}

std::string open_packet_tail(const ServerOptions& o, bool upgrades) {
  // Exactly these five keys, in Node's order: clients and test suites check.
  std::string tail = upgrades ? R"(","upgrades":["websocket"],"pingInterval":)" : R"(","upgrades":[],"pingInterval":)";
  tail += std::to_string(o.ping_interval_ms);
  tail += R"(,"pingTimeout":)";
  tail += std::to_string(o.ping_timeout_ms);
  tail += R"(,"maxPayload":)";
  tail += std::to_string(o.max_http_buffer_size);
  tail += '}';
  return tail;
}

// ---- heartbeat: the server pings, the client pongs (Engine.IO v4) ----

void SessionImpl::start_heartbeat() { schedule_ping(); }

void SessionImpl::schedule_ping() {
  awaiting_pong_ = false;
  server_->shards[shard_].ping_interval_timer->arm(*this);
}

void SessionImpl::on_deadline() {
  if (state_ != State::open) return;
  auto keep_alive = shared_from_this();  // a close drops the server's reference
  if (awaiting_pong_) return close("ping timeout");
  awaiting_pong_ = true;
  queue(Packet::of(PacketType::ping));
  if (state_ == State::open) server_->shards[shard_].ping_timeout_timer->arm(*this);
}

// Polling sessions only.
void SessionImpl::start_upgrade_timer(std::chrono::milliseconds delay, void (*on_expiry)(SessionImpl&)) {
  auto& timer = polling_->upgrade_timer;
  if (!timer) timer = std::make_unique<boost::asio::steady_timer>(server_->pool.context(shard_));
  timer->expires_after(delay);
  timer->async_wait([weak = weak_from_this(), on_expiry](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->polling_) return;
    self->polling_->upgrade_timer.reset();
    on_expiry(*self);
  });
}

void SessionImpl::stop_upgrade_timer() {
  if (polling_) polling_->upgrade_timer.reset();  // cancels the wait
}

void SessionImpl::drop_queued_packets() {
  if (!polling_) return;
  polling_->write_buffer.clear();
  polling_->write_buffer_bytes = 0;
}

// ---- incoming packets, from either transport ----

void SessionImpl::handle_packet(Packet&& packet) {
  if (state_ != State::open) return;
  switch (packet.type) {
    case PacketType::pong:
      if (awaiting_pong_) schedule_ping();
      break;
    case PacketType::message:
      // From a copy: the listener may close the session, which lets go of it.
      if (auto listener = listener_) listener->on_session_message(std::move(packet.data), packet.binary);
      break;
    case PacketType::close:
      // Honoured over polling; over WebSocket the client closes the socket
      // itself and Node ignores the packet.
      if (transport_ == TransportKind::polling) close("transport close");
      break;
    case PacketType::ping:
      // v4 reversed the heartbeat: a ping from a client is a protocol error.
      close("transport error");
      break;
    default:
      break;  // open, upgrade and noop mean nothing here
  }
}

// ---- outgoing packets ----

void SessionImpl::send(std::string_view data, bool binary) {
  // On an upgraded WebSocket the bytes go straight into the connection's
  // buffer: no packet is built and nothing is copied twice.
  if (state_ == State::open && transport_ == TransportKind::websocket) {
    if (!admit(data.size() + 1)) return;
    return ws_->send(binary ? std::string_view() : std::string_view("4"), data, binary);
  }
  queue(binary ? Packet::binary_message(std::string(data)) : Packet::text_message(std::string(data)));
}

void SessionImpl::queue(Packet packet) {
  if (state_ != State::open || !admit(packet_bytes(packet))) return;
  // Until "5" completes an upgrade, packets go through polling.
  if (transport_ == TransportKind::websocket) return write_to_websocket(packet);
  polling_->write_buffer_bytes += packet_bytes(packet);
  polling_->write_buffer.push_back(std::move(packet));
  if (polling_->pending_get) schedule_flush();
}

// The bounded queue: a client past max_buffered_bytes is closed rather than
// allowed to grow memory without bound.
bool SessionImpl::admit(std::size_t bytes) {
  if (buffered_bytes() + bytes <= server_->options.max_buffered_bytes) return true;
  metrics::add(metrics::Counter::buffer_bound_closes);
  close("transport error");
  return false;
}

void SessionImpl::write_to_websocket(const Packet& packet) {
  if (packet.binary) return ws_->send(packet.data, true);
  char type = static_cast<char>('0' + static_cast<int>(packet.type));
  ws_->send(std::string_view(&type, 1), packet.data, false);
}

std::size_t SessionImpl::buffered_bytes() const {
  return (polling_ ? polling_->write_buffer_bytes : 0) + (ws_ ? ws_->buffered_bytes() : 0);
}

bool SessionImpl::writable() const {
  if (state_ != State::open) return false;
  if (transport_ == TransportKind::polling) return has_pending_get() && !has_queued_packets();
  constexpr std::size_t backlog = 64 * 1024;  // beyond this the client is not keeping up
  return ws_ && ws_->buffered_bytes() < backlog;
}

// Waits for the end of the loop turn so that every packet queued in it goes
// out in one answer.
void SessionImpl::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  server_->pool.post(shard_, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void SessionImpl::flush() {
  if (!has_pending_get() || !has_queued_packets()) return;
  std::string payload;
  for (const auto& p : polling_->write_buffer) append_to_payload(payload, p);
  drop_queued_packets();
  respond_to_get(std::move(payload));
}

void SessionImpl::respond_to_get(std::string payload) {
  auto get = std::move(polling_->pending_get);
  polling_->pending_get.reset();
  get->respond(text_response(server_->options, get->request(), "text/plain; charset=UTF-8", std::move(payload)));
}

// ---- polling ----

void SessionImpl::on_poll_get(std::shared_ptr<net::HttpExchange> exchange) {
  if (state_ == State::closing) {
    // A close is waiting for this GET.
    polling_->pending_get = std::move(exchange);
    if (deliver_close_to_pending_get(true)) finish_close();
    return;
  }
  if (polling_->pending_get) {
    // Two GETs at once: the first gets the close packet, the second a 400.
    net::HttpResponse res = text_response(server_->options, exchange->request(), "application/json",
                                          R"({"code":3,"message":"Bad request"})");
    res.status = 400;
    exchange->respond(std::move(res));
    return close("transport error");
  }
  polling_->pending_get = std::move(exchange);
  // A client that goes away while its GET is held is noticed at once, not at
  // the ping timeout. The notice comes from the connection's shard, maybe
  // another one, and may cross an answer already on its way: it counts only
  // if this GET is still the one waiting.
  polling_->pending_get->on_abandoned([weak = weak_from_this(),
                                       get = std::weak_ptr<net::HttpExchange>(polling_->pending_get),
                                       pool = &server_->pool, shard = shard_] {
    pool->post(shard, [weak, get] {
      if (auto self = weak.lock()) self->on_get_abandoned(get);
    });
  });
  if (upgrading_ && probe_answered_) {
    // The client is pausing polling to upgrade: release this GET at once.
    return respond_to_get(std::string(1, '6'));
  }
  if (has_queued_packets()) schedule_flush();
}

void SessionImpl::on_get_abandoned(const std::weak_ptr<net::HttpExchange>& get) {
  if (!has_pending_get()) return;
  const auto& pending = polling_->pending_get;
  if (get.owner_before(pending) || pending.owner_before(get)) return;  // another GET
  polling_->pending_get.reset();
  close("transport close");
}

void SessionImpl::on_poll_post(std::shared_ptr<net::HttpExchange> exchange) {
  auto packets = decode_payload(exchange->request().body);
  exchange->respond(text_response(server_->options, exchange->request(), "text/html", "ok"));
  if (!packets) return close("parse error");
  for (auto& p : *packets) handle_packet(std::move(p));
}

// ---- WebSocket ----

void SessionImpl::watch_websocket(const std::shared_ptr<net::WebSocketConnection>& ws) {
  ws->start(std::weak_ptr<net::WebSocketListener>(shared_from_this()));
}

void SessionImpl::attach_websocket(std::shared_ptr<net::WebSocketConnection> ws) {
  ws_ = std::move(ws);
  watch_websocket(ws_);
}

void SessionImpl::on_ws_message(net::WebSocketConnection& ws, std::string&& data, bool binary) {
  if (is_probe(ws)) return on_probe_frame(std::move(data), binary);
  if (&ws != ws_.get()) return;
  auto packet = decode_frame(data, binary);
  if (!packet) return close("parse error");
  handle_packet(std::move(*packet));
}

void SessionImpl::on_ws_closed(net::WebSocketConnection& ws, net::WebSocketCloseKind kind, std::string) {
  if (is_probe(ws)) {
    polling_->probe.reset();
    cancel_upgrade();
    if (state_ == State::closing && !has_pending_get()) finish_close();
    return;
  }
  if (&ws != ws_.get()) return;
  ws_.reset();
  if (kind == net::WebSocketCloseKind::peer_closed)
    close("transport close");
  else
    close("transport error");
}

// ---- upgrade: polling -> WebSocket ----

bool SessionImpl::reserve_upgrade() {
  if (state_ != State::open || transport_ != TransportKind::polling || upgrading_) return false;
  upgrading_ = true;
  probe_answered_ = false;
  start_upgrade_timer(std::chrono::milliseconds(server_->options.upgrade_timeout_ms), [](SessionImpl& self) {
    if (!self.upgrading_) return;
    self.cancel_upgrade();
    if (self.state_ == State::closing) self.finish_close();
  });
  return true;
}

void SessionImpl::on_probe_open(std::shared_ptr<net::WebSocketConnection> ws) {
  if (state_ != State::open || !upgrading_) return ws->close();
  polling_->probe = std::move(ws);
  watch_websocket(polling_->probe);
}

void SessionImpl::on_probe_frame(std::string&& data, bool binary) {
  auto packet = decode_frame(data, binary);
  if (packet && packet->type == PacketType::ping && packet->data == "probe" && !probe_answered_) {
    probe_answered_ = true;
    polling_->probe->send("3probe", false);
    // Release the pending GET so that the client can pause polling.
    if (has_pending_get()) respond_to_get(std::string(1, '6'));
    return;
  }
  if (packet && packet->type == PacketType::upgrade && probe_answered_) return complete_upgrade();
  // Anything else on a probing WebSocket ends the attempt.
  cancel_upgrade();
}

void SessionImpl::complete_upgrade() {
  stop_upgrade_timer();
  upgrading_ = false;
  transport_ = TransportKind::websocket;
  metrics::add(metrics::Counter::upgrades);
  metrics::subtract(metrics::Counter::sessions_polling);
  metrics::add(metrics::Counter::sessions_websocket);
  ws_ = std::move(polling_->probe);
  if (has_pending_get()) respond_to_get(std::string(1, '6'));
  // Packets buffered for polling leave on the WebSocket, in order, once; the
  // polling state goes with them.
  auto polling = std::move(polling_);
  for (const auto& p : polling->write_buffer)
    if (p.type != PacketType::close) write_to_websocket(p);  // a WebSocket closes with a close frame
  if (state_ == State::closing) {
    ws_->close();
    finish_close();
  }
}

void SessionImpl::cancel_upgrade() {
  stop_upgrade_timer();
  upgrading_ = false;
  probe_answered_ = false;
  if (!polling_) return;
  if (auto probe = std::move(polling_->probe)) probe->close();
}

// ---- closing ----

void SessionImpl::close(std::string_view reason) {
  if (state_ != State::open) return;
  auto keep_alive = shared_from_this();  // finish_close() drops the server's reference
  state_ = State::closing;
  disarm();  // the heartbeat
  // A close the server asked for (close(), shutdown) delivers what is queued
  // first; one that the client asked for or that an error caused (ping
  // timeout, parse error, transport error) ends the session at once, so the
  // next request with its sid gets "Session ID unknown", as in Node.
  bool requested = reason == "forced close" || reason == "server shutting down";
  // The client has paused polling for an upgrade: what is left goes out on
  // the WebSocket once "5" arrives, as in Node.
  bool after_upgrade = requested && upgrading_ && probe_answered_;
  if (upgrading_ && !after_upgrade) cancel_upgrade();

  bool deferred = false;
  if (transport_ == TransportKind::polling) {
    if (requested) {
      // The close packet goes in a later answer than the queued packets:
      // clients handle the close packet before packets that came with it.
      deferred = true;
      if (has_pending_get()) deferred = !deliver_close_to_pending_get();
    } else {
      // A waiting GET learns of it: a noop when the client closed, the close
      // packet after an error. The queue is dropped, as in Node.
      drop_queued_packets();
      if (has_pending_get()) respond_to_get(std::string(1, reason == "transport close" ? '6' : '1'));
    }
  } else if (ws_) {
    ws_->close();  // flushes what is queued, then a close frame
  }

  if (auto listener = std::move(listener_)) listener->on_session_close(reason, "");  // then released

  if (!deferred) return finish_close();
  if (after_upgrade) return;  // complete_upgrade() or the upgrade timeout finishes
  start_upgrade_timer(std::chrono::milliseconds(server_->options.close_timeout_ms),
                      [](SessionImpl& self) { self.finish_close(); });
}

// While closing over polling: answers the pending GET with what is queued,
// or, once nothing is, with the close packet. True when the close went out.
bool SessionImpl::deliver_close_to_pending_get(bool arrived_while_closing) {
  if (has_queued_packets()) {
    flush();
    return false;
  }
  // A GET that came after the close was asked for gets a noop before the
  // close packet, byte for byte as Node's polling transport sends it.
  respond_to_get(arrived_while_closing ? std::string{'6', '\x1e', '1'} : std::string(1, '1'));
  return true;
}

void SessionImpl::finish_close() {
  if (state_ == State::closed) return;
  auto keep_alive = shared_from_this();
  state_ = State::closed;
  disarm();          // the heartbeat
  polling_.reset();  // with the upgrade timer and a GET no longer answered
  auto& sessions = server_->shards[shard_].sessions;
  if (sessions.erase(id()) > 0) {
    server_->session_count.fetch_sub(1);
    metrics::subtract(transport_ == TransportKind::polling ? metrics::Counter::sessions_polling
                                                           : metrics::Counter::sessions_websocket);
  }
  if (std::exchange(ip_counted_, false)) server_->ip_limits->release(handshake_.client_address());
}

}  // namespace engine
