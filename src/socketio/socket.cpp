#include "socketio/socket.hpp"

#include "metrics/counters.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "socketio/client.hpp"
#include "socketio/encode.hpp"
#include "socketio/namespace.hpp"

namespace socketio {

struct Socket::PendingAck {
  std::function<void(AckError, Args)> callback;
  std::unique_ptr<boost::asio::steady_timer> timer;  // null: no timeout
};

Socket::PendingAcks& Socket::pending_acks() {
  if (!pending_acks_) pending_acks_ = std::make_unique<PendingAcks>();
  return *pending_acks_;
}

std::unique_ptr<Socket::PendingAck> Socket::take_pending_ack(std::uint64_t id) {
  if (!pending_acks_) return nullptr;
  auto it = pending_acks_->find(id);
  if (it == pending_acks_->end()) return nullptr;
  auto pending = std::move(it->second);
  pending_acks_->erase(it);
  return pending;
}

void Ack::operator()(Args response) const {
  if (send_) send_(std::move(response));
}

Socket::Socket(std::shared_ptr<Namespace> nsp, std::shared_ptr<Client> client, std::string id, Handshake handshake)
    : nsp_(std::move(nsp)), client_(std::move(client)), id_(std::move(id)), handshake_(std::move(handshake)) {}

Socket::~Socket() = default;

const std::string& Socket::nsp() const { return nsp_->name(); }
std::size_t Socket::shard() const { return client_->shard(); }
std::string_view Socket::transport() const { return engine::transport_name(client_->session().transport()); }

const std::string& Socket::pid() const {
  static const std::string none;
  return pid_ ? *pid_ : none;
}

void Socket::on(std::string event, EventHandler handler) {
  // Grown one at a time: a socket has a handful of handlers, and doubling
  // would leave a quarter of them unused on every idle socket.
  handlers_.reserve(handlers_.size() + 1);
  handlers_.push_back(EventListener{std::move(event), std::move(handler)});
}

// ---- outgoing ----

bool Socket::emit(std::string event, Args args) { return emit_packet(std::move(event), std::move(args), false); }
bool Socket::emit_volatile(std::string event, Args args) {
  return emit_packet(std::move(event), std::move(args), true);
}

bool Socket::emit_packet(std::string event, Args args, bool is_volatile) {
  if (is_reserved_event(event)) return false;
  if (net::ShardPool::current_shard() != shard()) {
    // Emitting is safe from any thread: the write happens on the socket's shard.
    client_->server().pool.post(
        shard(), [self = shared_from_this(), event = std::move(event), args = std::move(args), is_volatile]() mutable {
          self->emit_packet(std::move(event), std::move(args), is_volatile);
        });
    return true;
  }
  if (!connected_) return true;
  if (client_->server().recovery && !is_volatile) {
    // With recovery on, direct emits get an offset too, as in Node: they go
    // through the adapter as a broadcast to the socket's own room.
    return BroadcastOperator(nsp_, adapter::Target{{id_}, {}, false}).emit(std::move(event), std::move(args));
  }
  if (is_volatile && !client_->session().writable()) {
    metrics::add(metrics::Counter::volatile_dropped);
    return true;
  }
  auto packet = encode_event(nsp_->name(), event, args);
  client_->write(*packet);
  metrics::add(metrics::Counter::events_out);
  notify_outgoing(event, args);
  return true;
}

bool Socket::emit_with_ack(std::string event, Args args, AckCallback callback,
                           std::optional<std::chrono::milliseconds> timeout) {
  if (is_reserved_event(event)) return false;
  if (net::ShardPool::current_shard() != shard()) {
    client_->server().pool.post(shard(), [self = shared_from_this(), event = std::move(event), args = std::move(args),
                                          callback = std::move(callback), timeout]() mutable {
      self->emit_with_ack(std::move(event), std::move(args), std::move(callback), timeout);
    });
    return true;
  }
  if (!connected_) {
    callback(std::string("socket has been disconnected"), {});
    return true;
  }
  std::uint64_t id = nsp_->next_ack_id();
  auto pending = std::make_unique<PendingAck>();
  pending->callback = std::move(callback);
  auto ms = timeout ? *timeout : std::chrono::milliseconds(client_->server().options.default_ack_timeout_ms);
  if (ms.count() > 0) {
    pending->timer = std::make_unique<boost::asio::steady_timer>(client_->server().pool.context(shard()));
    pending->timer->expires_after(ms);
    pending->timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      auto pending = self->take_pending_ack(id);
      if (!pending) return;
      metrics::add(metrics::Counter::acks_timed_out);
      auto cb = std::move(pending->callback);
      cb(std::string("operation has timed out"), {});
    });
  }
  pending_acks()[id] = std::move(pending);
  auto packet = encode_event(nsp_->name(), event, args, id);
  client_->write(*packet);
  metrics::add(metrics::Counter::acks_requested);
  metrics::add(metrics::Counter::events_out);
  notify_outgoing(event, args);
  return true;
}

void Socket::deliver(const adapter::PacketPtr& packet, const adapter::BroadcastFlags& flags) {
  if (!connected_) return;
  if (flags.volatile_ && !client_->session().writable()) return metrics::add(metrics::Counter::volatile_dropped);
  client_->write(*packet);
  metrics::add(metrics::Counter::deliveries);
  metrics::add(metrics::Counter::events_out);
  if (hooks_ && !hooks_->any_outgoing.empty()) notify_outgoing(packet->event, Args(packet->args, packet->attachments));
}

void Socket::expect_ack(std::uint64_t id, std::function<void(adapter::AckResponse)> on_ack) {
  if (!connected_) return;
  metrics::add(metrics::Counter::acks_requested);
  auto pending = std::make_unique<PendingAck>();
  pending->callback = [on_ack = std::move(on_ack)](AckError error, Args args) {
    if (!error) on_ack(adapter::AckResponse{std::move(args.values), std::move(args.buffers)});
  };
  pending_acks()[id] = std::move(pending);
}

void Socket::notify_outgoing(const std::string& event, const Args& args) {
  if (hooks_)
    for (const auto& h : std::vector(hooks_->any_outgoing)) h(event, args);
}

void Socket::write(const adapter::EncodedPacket& packet) { client_->write(packet); }

BroadcastOperator Socket::broadcast() const { return BroadcastOperator(nsp_).except(id_); }
BroadcastOperator Socket::to(std::string room) const { return broadcast().to(std::move(room)); }
BroadcastOperator Socket::except(std::string room) const { return broadcast().except(std::move(room)); }

// ---- rooms ----

void Socket::join(const std::vector<std::string>& rooms) {
  if (!connected_) return;
  auto& index = nsp_->adapter().local_rooms();
  for (const auto& room : rooms) index.add(this, room);
}

void Socket::leave(const std::vector<std::string>& rooms) {
  if (!connected_) return;
  auto& index = nsp_->adapter().local_rooms();
  for (const auto& room : rooms) index.remove(this, room);
}

std::vector<std::string> Socket::rooms() const { return nsp_->adapter().local_rooms().rooms_of(this); }

boost::json::object Socket::describe() const {
  boost::json::array rooms;
  for (auto& r : this->rooms()) rooms.emplace_back(r);
  return {{"id", id_}, {"handshake", handshake_.to_json()}, {"rooms", std::move(rooms)}, {"data", data}};
}

// ---- incoming ----

void Socket::on_connected(bool recovered) {
  connected_ = true;
  metrics::add(metrics::Counter::connects);
  metrics::socket_opened();
  nsp_->count_socket(+1);
  recovered_ = recovered;
}

void Socket::on_packet_event(Args args, std::string event, std::optional<std::uint64_t> ack_id) {
  metrics::add(metrics::Counter::events_in);
  Ack ack;
  if (ack_id) {
    auto sent = std::make_shared<bool>(false);
    auto answer = [weak = weak_from_this(), id = *ack_id, sent](Args response) {
      auto self = weak.lock();
      if (!self || *sent || !self->connected_) return;  // an ack is answered once
      *sent = true;
      self->client_->write(encode_ack(self->nsp(), id, std::move(response)));
    };
    ack = Ack([weak = weak_from_this(), answer](Args response) {
      auto self = weak.lock();
      if (!self) return;
      // Like emit, an ack may be answered from any thread: the write happens on the shard.
      if (net::ShardPool::current_shard() == self->shard()) return answer(std::move(response));
      self->client_->server().pool.post(self->shard(), [answer, response] { answer(response); });
    });
  }
  if (hooks_)
    for (const auto& h : std::vector(hooks_->any)) h(event, args);
  auto packet = std::make_shared<std::pair<std::string, Args>>(std::move(event), std::move(args));
  run_middlewares(0, std::move(packet), std::move(ack));
}

void Socket::run_middlewares(std::size_t index, std::shared_ptr<std::pair<std::string, Args>> packet, Ack ack) {
  if (!connected_) return;
  if (!hooks_ || index == hooks_->middlewares.size()) return dispatch(packet->first, packet->second, std::move(ack));
  auto middleware = hooks_->middlewares[index];  // a copy: the socket may drop its hooks meanwhile
  middleware(packet->first, packet->second, [weak = weak_from_this(), index, packet, ack](AckError error) {
    auto self = weak.lock();
    if (!self) return;
    if (error) {
      if (self->hooks_)
        for (const auto& h : std::vector(self->hooks_->error)) h(*error);
      return;
    }
    self->run_middlewares(index + 1, packet, ack);
  });
}

void Socket::dispatch(const std::string& event, Args& args, Ack ack) {
  // Copy: a handler may add handlers or disconnect the socket.
  std::vector<EventHandler> matching;
  for (const auto& listener : handlers_)
    if (listener.event == event) matching.push_back(listener.handler);
  for (auto& h : matching) h(args, ack);
  // Each is copied before its call (it may disconnect the socket, which
  // frees the hooks); one whose captures are trivially copyable and fit
  // std::function's inline storage copies without allocating. None runs
  // once the socket is closed: a closed socket's hooks are gone.
  for (std::size_t i = 0; connected_ && hooks_ && i < hooks_->dispatch.size(); ++i) {
    auto h = hooks_->dispatch[i];
    h(event, args, ack);
  }
}

void Socket::on_packet_ack(std::uint64_t id, Args args) {
  auto pending = take_pending_ack(id);
  if (!pending) return;  // late or unknown ack: ignored, as in Node
  metrics::add(metrics::Counter::acks_answered);
  if (pending->timer) pending->timer->cancel();
  pending->callback(std::nullopt, std::move(args));
}

void Socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) return client_->close_all_namespaces();
  Packet packet{PacketType::disconnect, nsp(), std::nullopt, {}, {}};
  client_->write_packet(packet);
  on_closed("server namespace disconnect");
}

namespace {
bool recoverable(std::string_view reason) {
  return reason != "client namespace disconnect" && reason != "server namespace disconnect" && reason != "parse error";
}
}  // namespace

void Socket::on_closed(std::string_view reason) {
  if (!connected_) return;
  auto self = shared_from_this();
  if (hooks_)
    for (const auto& h : std::vector(hooks_->disconnecting)) h(reason);
  auto& core = client_->server();
  if (core.recovery && recoverable(reason)) core.recovery->save(SavedSession{id_, pid(), nsp(), rooms(), data});
  nsp_->adapter().local_rooms().remove_socket(this);
  connected_ = false;
  metrics::add(metrics::disconnect_slot(reason));
  metrics::socket_closed();
  nsp_->count_socket(-1);
  client_->remove(*this);
  auto pending = std::move(pending_acks_);
  if (pending)
    for (auto& [id, p] : *pending) {
      if (p->timer) p->timer->cancel();
      p->callback(std::string("socket has been disconnected"), {});
    }
  auto hooks = std::move(hooks_);
  if (hooks)
    for (const auto& h : hooks->disconnect) h(reason);
  // Handlers often hold the socket itself: drop them to free it.
  handlers_.clear();
  hooks_.reset();
}

}  // namespace socketio
