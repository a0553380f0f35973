#include "ingest/consumer.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "service/log.hpp"

namespace ingest {

const char* to_string(ConsumerState s) {
  switch (s) {
    case ConsumerState::disconnected:
      return "disconnected";
    case ConsumerState::connecting:
      return "connecting";
    case ConsumerState::consuming:
      return "consuming";
  }
  return "unknown";
}

namespace {

std::string reply_error(const amqp_rpc_reply_t& r, const char* what) {
  std::string s = what;
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "";
    case AMQP_RESPONSE_NONE:
      return s + ": missing RPC reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return s + ": " + amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD || r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        // Both methods start with reply_code and reply_text.
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return s + ": " + std::to_string(m->reply_code) + " " +
               std::string(static_cast<const char*>(m->reply_text.bytes), m->reply_text.len);
      }
      return s + ": server exception";
  }
  return s + ": unknown error";
}

struct ConnectionDeleter {
  void operator()(amqp_connection_state_t_* c) const { amqp_destroy_connection(c); }
};

amqp_bytes_t bytes(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

}  // namespace

Consumer::Consumer(Settings settings, Ingest& ingest) : settings_(std::move(settings)), ingest_(ingest) {}

Consumer::~Consumer() { stop(); }

void Consumer::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  set_state(ConsumerState::connecting);
  thread_ = std::thread([this] { run(); });
}

void Consumer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Consumer::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

boost::json::object Consumer::status_json() const {
  boost::json::object s{{"type", "rabbitmq"},
                        {"state", to_string(state())},
                        {"exchange", settings_.exchange},
                        {"queue", settings_.queue}};
  auto counters = ingest_.counters_json();
  for (auto& [k, v] : counters) s[k] = v;
  if (auto e = last_error(); !e.empty()) s["lastError"] = e;
  return s;
}

void Consumer::set_state(ConsumerState s, const std::string& error) {
  if (!error.empty()) {
    std::lock_guard lock(mutex_);
    last_error_ = error;
  }
  auto before = state_.exchange(s);
  if (before == s) return;  // once per change: a broker that stays down logs nothing more
  auto level = s == ConsumerState::disconnected ? spdlog::level::warn : spdlog::level::info;
  if (error.empty())
    service::log_event(level, "ingest", {{"state", to_string(s)}, {"queue", settings_.queue}});
  else
    service::log_event(level, "ingest", {{"state", to_string(s)}, {"queue", settings_.queue}, {"error", error}});
}

void Consumer::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void Consumer::run() {
  auto backoff = settings_.backoff_min;
  while (!stopping_) {
    bool consumed = false;
    std::string error;
    try {
      error = session();
      consumed = state_ == ConsumerState::consuming;
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (stopping_) break;
    set_state(ConsumerState::disconnected, error.empty() ? "connection closed" : error);
    if (consumed) backoff = settings_.backoff_min;  // it worked: start small again
    pause(backoff);
    backoff = std::min(backoff * 2, settings_.backoff_max);
  }
  state_ = ConsumerState::disconnected;
}

std::string Consumer::session() {
  std::vector<char> url(settings_.url.begin(), settings_.url.end());
  url.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) return "RABBITMQ_URL does not parse";
  if (info.ssl) return "amqps:// is not supported";

  std::unique_ptr<amqp_connection_state_t_, ConnectionDeleter> owner(amqp_new_connection());
  auto* conn = owner.get();
  // No call may block for long: stop() waits for this thread.
  timeval rpc_timeout{5, 0};
  amqp_set_handshake_timeout(conn, &rpc_timeout);
  amqp_set_rpc_timeout(conn, &rpc_timeout);
  auto* socket = amqp_tcp_socket_new(conn);
  if (!socket) return "cannot create a socket";
  timeval connect_timeout{2, 0};
  if (int rc = amqp_socket_open_noblock(socket, info.host, info.port, &connect_timeout); rc != AMQP_STATUS_OK)
    return std::string("connect: ") + amqp_error_string2(rc);
  // Connecting again only once the broker answers: while it is down the
  // state stays disconnected, so nothing is logged per attempt.
  set_state(ConsumerState::connecting);
  // Heartbeats every 10 s: a broker that vanishes without closing the TCP
  // connection is noticed within about 20 s.
  auto login = amqp_login(conn, info.vhost, 0, 131072, 10, AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (auto e = reply_error(login, "login"); !e.empty()) return e;
  amqp_channel_open(conn, 1);
  if (auto e = reply_error(amqp_get_rpc_reply(conn), "channel"); !e.empty()) return e;

  amqp_exchange_declare(conn, 1, bytes(settings_.exchange), amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
  if (auto e = reply_error(amqp_get_rpc_reply(conn), "exchange.declare"); !e.empty()) return e;
  amqp_table_entry_t dlx;
  amqp_table_t args = amqp_empty_table;
  if (!settings_.dead_letter_exchange.empty()) {
    dlx.key = amqp_cstring_bytes("x-dead-letter-exchange");
    dlx.value.kind = AMQP_FIELD_KIND_UTF8;
    dlx.value.value.bytes = bytes(settings_.dead_letter_exchange);
    args = amqp_table_t{1, &dlx};
  }
  amqp_queue_declare(conn, 1, bytes(settings_.queue), 0, 1, 0, 0, args);
  if (auto e = reply_error(amqp_get_rpc_reply(conn), "queue.declare"); !e.empty()) return e;
  for (const auto& key : settings_.bindings) {
    amqp_queue_bind(conn, 1, bytes(settings_.queue), bytes(settings_.exchange), bytes(key), amqp_empty_table);
    if (auto e = reply_error(amqp_get_rpc_reply(conn), "queue.bind"); !e.empty()) return e;
  }
  amqp_basic_qos(conn, 1, 0, settings_.prefetch, 0);
  if (auto e = reply_error(amqp_get_rpc_reply(conn), "basic.qos"); !e.empty()) return e;
  amqp_basic_consume(conn, 1, bytes(settings_.queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  if (auto e = reply_error(amqp_get_rpc_reply(conn), "basic.consume"); !e.empty()) return e;
  set_state(ConsumerState::consuming);

  while (!stopping_) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    timeval wait{0, 200'000};  // the stop flag is checked this often
    auto r = amqp_consume_message(conn, &envelope, &wait, 0);
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) continue;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // A frame other than a delivery: a close from the broker ends the session.
      amqp_frame_t frame;
      timeval none{0, 0};
      if (amqp_simple_wait_frame_noblock(conn, &frame, &none) != AMQP_STATUS_OK) continue;
      if (frame.frame_type == AMQP_FRAME_METHOD && (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                                                    frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))
        return "closed by the broker";
      continue;
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "consume");

    std::string key(static_cast<const char*>(envelope.routing_key.bytes), envelope.routing_key.len);
    std::string_view body(static_cast<const char*>(envelope.message.body.bytes), envelope.message.body.len);
    auto tag = envelope.delivery_tag;
    // Ingest's router caps the size (Settings::max_message_bytes) before parsing.
    auto plan = ingest_.route_broker_message(key, body, envelope.redelivered != 0);
    int rc;
    if (plan.verdict == Verdict::routed) {
      rc = amqp_basic_ack(conn, 1, tag, 0);
    } else {
      rc = amqp_basic_reject(conn, 1, tag, 0);
      service::log_event(
          spdlog::level::warn, "ingest_rejected",
          {{"routingKey", key}, {"cause", to_string(plan.verdict)}, {"bytes", std::to_string(body.size())}});
      if (spdlog::should_log(spdlog::level::debug) && body.size() <= 4096)
        service::log_event(spdlog::level::debug, "ingest_rejected_payload", {{"routingKey", key}, {"payload", body}});
    }
    amqp_destroy_envelope(&envelope);
    if (rc != AMQP_STATUS_OK) return std::string("ack: ") + amqp_error_string2(rc);
  }
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  return "";
}

}  // namespace ingest
