#include "engine/server.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "engine/errors.hpp"
#include "engine/session_impl.hpp"
#include "engine/sid.hpp"
#include "metrics/counters.hpp"
#include "net/url.hpp"

namespace engine {

namespace {

struct Query {
  std::string eio, transport, sid;
};

Query parse_query(std::string_view query) {
  Query q;
  // A repeated key: the last one counts, as in Node (Object.fromEntries).
  // Only the three keys are decoded: no list of every parameter.
  net::for_each_query_piece(query, [&](std::string_view raw_key, std::string_view raw_value) {
    std::string* slot = nullptr;
    std::string key = net::percent_decode_lenient(raw_key, true);  // a short key: no allocation
    if (key == "EIO")
      slot = &q.eio;
    else if (key == "transport")
      slot = &q.transport;
    else if (key == "sid")
      slot = &q.sid;
    if (slot) *slot = net::percent_decode_lenient(raw_value, true);
  });
  return q;
}

net::HttpResponse error_response(const ServerOptions& options, const net::HttpRequest& request, HttpErrorCode code,
                                 std::string_view message = {}) {
  net::HttpResponse res;
  if (request.websocket_upgrade) {
    // Node answers a refused WebSocket handshake with 400 and the message
    // as text, whatever the error, and closes the connection.
    res.status = 400;
    res.set("Content-Type", "text/html");
    res.body = message.empty() ? http_error_message(code) : message;
    res.close_connection = true;
    return res;
  }
  res.status = http_error_status(code);
  res.set("Content-Type", "application/json");
  for (auto& h : cors_headers(options.cors, request)) res.headers.push_back(std::move(h));
  boost::json::object body;
  body["code"] = static_cast<int>(code);
  body["message"] = message.empty() ? http_error_message(code) : message;
  res.body = boost::json::serialize(body);
  return res;
}

// A handshake refused before any session exists (a per-address limit, a
// drain): JSON for polling and WebSocket alike, as no session is there to
// carry an error.
net::HttpResponse refusal_response(const ServerOptions& options, const net::HttpRequest& request, int status,
                                   std::string_view code, std::string_view message, std::uint32_t retry_after_s) {
  net::HttpResponse res;
  res.status = status;
  res.set("Content-Type", "application/json");
  if (retry_after_s > 0) res.set("Retry-After", std::to_string(retry_after_s));
  if (request.websocket_upgrade)
    res.close_connection = true;
  else
    for (auto& h : cors_headers(options.cors, request)) res.headers.push_back(std::move(h));
  boost::json::object body;
  body["code"] = code;
  body["message"] = message;
  res.body = boost::json::serialize(body);
  return res;
}

net::HttpResponse limit_response(const ServerOptions& options, const net::HttpRequest& request,
                                 const IpLimits::Decision& decision) {
  if (decision.verdict == IpLimits::Verdict::too_fast)
    return refusal_response(options, request, 429, "RATE_LIMIT", "Too many connection attempts",
                            decision.retry_after_s);
  return refusal_response(options, request, 429, "CONNECTION_LIMIT", "Too many connections", 0);
}

// A WebSocket handshake's count against its address, until the session that
// it opens takes it over; given back if the handshake never completes.
struct IpSlot {
  IpSlot(std::shared_ptr<ServerState> s, std::string a) : state(std::move(s)), address(std::move(a)) {}
  ~IpSlot() {
    if (!taken) state->ip_limits->release(address);
  }
  std::shared_ptr<ServerState> state;
  std::string address;
  bool taken = false;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Registers a new session on `shard`; call on that shard.
std::shared_ptr<SessionImpl> create_session(const std::shared_ptr<ServerState>& state, std::size_t shard,
                                            Handshake handshake, TransportKind transport) {
  auto session = std::make_shared<SessionImpl>(state, shard, std::move(handshake), transport);
  state->shards[shard].sessions.emplace(session->id(), session);
  state->session_count.fetch_add(1);
  bool polling = transport == TransportKind::polling;
  metrics::add(polling ? metrics::Counter::handshakes_polling : metrics::Counter::handshakes_websocket);
  metrics::add(polling ? metrics::Counter::sessions_polling : metrics::Counter::sessions_websocket);
  return session;
}

// After the open packet has been sent: heartbeat, then the layer above.
void start_session(const std::shared_ptr<ServerState>& state, const std::shared_ptr<SessionImpl>& session) {
  // A WebSocket whose 101 went out after the drain began: closed at once.
  if (state->draining.load()) return session->close("server shutting down");
  session->start_heartbeat();
  if (state->on_connection) state->on_connection(session);
}

class RequestHandler {
 public:
  RequestHandler(std::shared_ptr<ServerState> state, std::shared_ptr<net::HttpExchange> exchange)
      : state_(std::move(state)), exchange_(std::move(exchange)), req_(exchange_->request()) {}

  void run() {
    const auto& o = state_->options;
    if (req_.method == "OPTIONS" && o.cors.enabled()) return exchange_->respond(cors_preflight(o.cors, req_));
    Query q = parse_query(req_.query());
    bool polling = q.transport == "polling" && o.allow_polling;
    bool websocket = q.transport == "websocket" && o.allow_websocket;
    if (!polling && !websocket) return fail(HttpErrorCode::unknown_transport);
    if (!q.sid.empty()) return route_to_session(q, websocket);
    if (req_.method != "GET") return fail(HttpErrorCode::bad_handshake_method);
    if (websocket && !req_.websocket_upgrade) return fail(HttpErrorCode::bad_request);
    if (state_->draining.load()) {
      metrics::add(metrics::Counter::refused_draining);
      return exchange_->respond(refusal_response(o, req_, 503, "SERVER_SHUTTING_DOWN", "Server shutting down", 1));
    }
    IpLimits::Decision admitted;
    if (state_->ip_limits) {
      admitted = state_->ip_limits->admit(client_address());
      if (admitted.verdict != IpLimits::Verdict::admitted) {
        metrics::add(admitted.verdict == IpLimits::Verdict::too_fast ? metrics::Counter::refused_ip_rate
                                                                     : metrics::Counter::refused_ip_connections);
        return exchange_->respond(limit_response(o, req_, admitted));
      }
    }
    // From here every refusal gives the address's count back.
    auto give_back = [&] {
      if (admitted.counted) state_->ip_limits->release(client_address());
    };
    if (o.allow_request) {
      if (auto refusal = o.allow_request(req_)) {
        give_back();
        metrics::add(metrics::Counter::refused_allow_request);
        return fail(HttpErrorCode::forbidden, *refusal);
      }
    }
    if (q.eio != "4") {
      give_back();
      return fail(HttpErrorCode::unsupported_protocol_version);
    }
    if (polling) return open_polling_session(admitted.counted);
    open_websocket_session(admitted.counted);
  }

 private:
  void fail(HttpErrorCode code, std::string_view message = {}) {
    exchange_->respond(error_response(state_->options, req_, code, message));
  }

  Handshake make_handshake() const { return Handshake(req_, now_ms()); }
  // What Handshake::client_address() will say for this request.
  std::string_view client_address() const {
    return req_.client_address.empty() ? req_.remote_address : req_.client_address;
  }

  void open_polling_session(bool ip_counted) {
    auto session = create_session(state_, exchange_->shard(), make_handshake(), TransportKind::polling);
    if (ip_counted) session->set_ip_counted();
    std::string body;
    append_to_payload(body, Packet::of(PacketType::open, session->open_packet_data()));
    net::HttpResponse res;
    res.set("Content-Type", "text/plain; charset=UTF-8");
    res.set("Cache-Control", "no-store");
    for (auto& h : cors_headers(state_->options.cors, req_)) res.headers.push_back(std::move(h));
    res.body = std::move(body);
    exchange_->respond(std::move(res));
    start_session(state_, session);
  }

  void open_websocket_session(bool ip_counted) {
    std::size_t shard = exchange_->shard();
    auto state = state_;
    Handshake handshake = make_handshake();
    auto slot = ip_counted ? std::make_shared<IpSlot>(state_, std::string(client_address())) : nullptr;
    exchange_->accept_websocket(
        shard, websocket_settings(),
        [state, shard, slot, handshake = std::move(handshake)](std::shared_ptr<net::WebSocketConnection> ws) mutable {
          auto session = create_session(state, shard, std::move(handshake), TransportKind::websocket);
          if (slot) {
            slot->taken = true;
            session->set_ip_counted();
          }
          // The open packet, its type framed in front of the data, written
          // in a buffer of the thread's, which the connection copies at once.
          const char type = static_cast<char>('0' + static_cast<int>(PacketType::open));
          thread_local std::string open;
          session->open_packet_data_to(open);
          ws->send({&type, 1}, open, false);
          session->attach_websocket(std::move(ws));
          start_session(state, session);
        });
  }

  net::WebSocketSettings websocket_settings() const {
    net::WebSocketSettings s;
    s.max_message_size = state_->options.max_http_buffer_size;
    s.permessage_deflate = state_->options.per_message_deflate;
    s.response_headers = cors_headers(state_->options.cors, req_);
    return s;
  }

  // The session lives on the shard named in its sid: continue there.
  void route_to_session(const Query& q, bool websocket) {
    auto owner = shard_of_sid(q.sid);
    if (!owner || *owner >= state_->shards.size()) return fail(HttpErrorCode::unknown_sid);
    auto run = [self = std::make_shared<RequestHandler>(*this), q, websocket] { self->on_owner_shard(q, websocket); };
    if (*owner == net::ShardPool::current_shard())
      run();
    else
      state_->pool.post(*owner, std::move(run));
  }

  void on_owner_shard(const Query& q, bool websocket) {
    std::size_t shard = net::ShardPool::current_shard();
    auto& sessions = state_->shards[shard].sessions;
    auto it = sessions.find(q.sid);
    if (it == sessions.end()) return fail(HttpErrorCode::unknown_sid);
    auto session = it->second;
    if (websocket) {
      if (!req_.websocket_upgrade || q.eio != "4") return fail(HttpErrorCode::bad_request);
      // A session already upgraded, or being upgraded: Node completes the
      // WebSocket handshake and closes the new socket at once; the session
      // keeps its own transport.
      if (!session->reserve_upgrade()) {
        exchange_->accept_websocket(shard, websocket_settings(),
                                    [](std::shared_ptr<net::WebSocketConnection> ws) { ws->close(); });
        return;
      }
      std::weak_ptr<SessionImpl> weak = session;
      exchange_->accept_websocket(shard, websocket_settings(), [weak](std::shared_ptr<net::WebSocketConnection> ws) {
        if (auto s = weak.lock())
          s->on_probe_open(std::move(ws));
        else
          ws->close();
      });
      return;
    }
    // Polling after an upgrade is refused.
    if (session->transport() != TransportKind::polling) return fail(HttpErrorCode::bad_request);
    if (req_.method == "GET") return session->on_poll_get(exchange_);
    if (req_.method == "POST") return session->on_poll_post(exchange_);
    fail(HttpErrorCode::bad_request);
  }

  std::shared_ptr<ServerState> state_;
  std::shared_ptr<net::HttpExchange> exchange_;
  const net::HttpRequest& req_;
};

}  // namespace

Server::Server(net::ShardPool& shards, ServerOptions options)
    : state_(std::make_shared<ServerState>(shards, std::move(options))) {}

// Sessions hold the server state and the state holds the sessions: drop the
// sessions here so that neither outlives the server.
Server::~Server() {
  if (!state_->pool.running()) {
    for (auto& shard : state_->shards) shard.sessions.clear();
    return;
  }
  state_->pool.post_all([state = state_](std::size_t shard) { state->shards[shard].sessions.clear(); });
}

void Server::attach(net::HttpServer& http) {
  http.route(state_->options.path, state_->options.max_http_buffer_size,
             [state = state_](std::shared_ptr<net::HttpExchange> exchange) {
               RequestHandler(state, std::move(exchange)).run();
             });
}

void Server::on_connection(std::function<void(std::shared_ptr<Session>)> handler) {
  state_->on_connection = std::move(handler);
}

void Server::handle(std::shared_ptr<net::HttpExchange> exchange) { RequestHandler(state_, std::move(exchange)).run(); }

void Server::drain(std::string_view reason) {
  state_->draining.store(true);  // before the closes: a session made after them is refused or closed
  std::string why(reason);
  state_->pool.post_all([state = state_, why](std::size_t shard) {
    std::vector<std::shared_ptr<SessionImpl>> sessions;
    for (auto& [id, s] : state->shards[shard].sessions) sessions.push_back(s);
    for (auto& s : sessions) s->close(why);
  });
}

std::size_t Server::session_count() const { return state_->session_count.load(); }
const ServerOptions& Server::options() const { return state_->options; }

}  // namespace engine
