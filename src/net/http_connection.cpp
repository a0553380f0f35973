// HTTP/1.1 over Beast for the requests of a connection that is not (or not
// yet) a WebSocket: long-polling, the HTTP API, and every request that is
// refused (400, 404, 413, 431, 408).

#include "net/http_connection.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "net/connection_count.hpp"
#include "net/connection_exchange.hpp"
#include "net/websocket_accept.hpp"

namespace net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kLingerTimeout = std::chrono::seconds(5);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

constexpr std::string_view kRequestTimeout =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

}  // namespace

const HttpServer::Route* find_route(const std::vector<HttpServer::Route>& routes, std::string_view path) {
  for (const auto& r : routes)
    if (path.substr(0, r.prefix.size()) == r.prefix) return &r;
  return nullptr;
}

void send_now(int fd, std::string_view text) {
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

HttpShared::Timers& HttpShared::timers_of(std::size_t shard, asio::io_context& context) {
  auto& t = timers[shard];
  if (t.ready) return t;
  auto of = [&](std::uint32_t ms) -> FifoTimer* {
    return ms ? &FifoTimer::of(context, std::chrono::milliseconds(ms)) : nullptr;
  };
  t.header = of(options.header_timeout_ms);
  t.body = of(options.body_timeout_ms);
  t.keep_alive = of(options.keep_alive_timeout_ms);
  t.linger = &FifoTimer::of(context, std::chrono::duration_cast<std::chrono::milliseconds>(kLingerTimeout));
  t.ready = true;
  return t;
}

namespace {

// One client's TCP connection while it speaks HTTP. All of it runs on its
// shard. At most one deadline is armed at a time, and only while one of the
// connection's operations is pending (so the connection cannot be destroyed,
// perhaps on another thread, with its deadline linked into the shard's timer).
class HttpConnection final : public std::enable_shared_from_this<HttpConnection>,
                             public Deadline,
                             private CountedConnection {
 public:
  using UpgradeRequest = BeastRequest;  // what Beast's WebSocket accept takes

  HttpConnection(tcp::socket socket, std::size_t shard, ShardPool& shards, std::shared_ptr<HttpShared> shared,
                 std::string remote_address)
      : CountedConnection(Adopt{}),
        socket_(std::move(socket)),
        remote_address_(std::move(remote_address)),
        shards_(shards),
        shared_(std::move(shared)),
        timers_(shared_->timers_of(shard, shards.context(shard))),
        shard_(static_cast<std::uint32_t>(shard)) {}

  // `read`: bytes of the first request, read before the socket came here.
  void start(std::string_view read) {
    if (!read.empty()) {
      auto room = buffer_.prepare(read.size());
      std::memcpy(room.data(), read.data(), read.size());
      buffer_.commit(read.size());
    }
    do_read_header();
  }
  std::size_t shard() const { return shard_; }
  tcp::socket::executor_type executor() { return socket_.get_executor(); }

  // The answer to request `seq`; on this connection's shard.
  void write_response(std::uint32_t seq, HttpResponse response) {
    if (seq != request_ || phase_ != Phase::handling) return;  // the client left, or a second answer
    on_abandoned_ = nullptr;
    phase_ = Phase::writing;
    keep_alive_ = keep_alive_ && !response.close_connection;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(response.status));
    res->version(11);
    for (auto& [k, v] : response.headers) res->set(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    arm_on(timers_.body);
    http::async_write(socket_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) { self->on_written(ec); });
  }

  // On this connection's shard: gives the socket to `target_shard`.
  void hand_over_websocket(std::uint32_t seq, std::size_t target_shard, BeastRequest request,
                           WebSocketSettings settings,
                           std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
    if (seq != request_ || phase_ != Phase::handling) return;  // the client left meanwhile
    phase_ = Phase::handed_over;
    disarm();
    on_abandoned_ = nullptr;
    beast::error_code ec;
    if (watching_) socket_.cancel(ec);
    if (target_shard == shard_) {
      accept_websocket_on(std::move(socket_), shard_, std::move(request), std::move(settings), std::move(on_open));
      return;
    }
    // Another shard owns the session: move the file descriptor to its io_context.
    auto protocol = socket_.local_endpoint(ec).protocol();
    auto fd = socket_.release(ec);
    if (ec) return;
    accept_websocket_on_shard(shards_, target_shard, protocol, fd, std::move(request), std::move(settings),
                              std::move(on_open));
  }

  void set_on_abandoned(std::uint32_t seq, std::function<void()> on_gone) {
    if (seq != request_) return;
    if (phase_ == Phase::handling)
      on_abandoned_ = std::move(on_gone);
    else if (abandoned_)
      on_gone();  // the client left before the handler asked
  }

  // The exchange of request `seq` was dropped without an answer: nobody will
  // answer, so the connection ends rather than hang until the client leaves.
  void unanswered(std::uint32_t seq) {
    if (seq == request_ && phase_ == Phase::handling) close();
  }

 private:
  enum class Phase : std::uint8_t {
    header,       // reading a request header (header deadline)
    body,         // reading its body (body deadline)
    handling,     // the handler has it; the socket is watched for the client leaving
    writing,      // the answer is going out (body deadline)
    idle,         // keep-alive, between requests (keep-alive deadline)
    lingering,    // after an answer to a request not read in full
    handed_over,  // the socket went to a WebSocket connection
    closed,
  };

  void arm_on(FifoTimer* timer) {
    if (timer)
      timer->arm(*this);
    else
      disarm();
  }

  // ---- reading a request ----

  void do_read_header() {
    phase_ = Phase::header;
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(shared_->options.max_header_bytes, UINT32_MAX)));
    // The limit depends on the route, known only after the header: check the
    // Content-Length in on_header and let chunked bodies hit body_limit().
    parser_->body_limit(boost::none);
    arm_on(timers_.header);
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (phase_ != Phase::header) return;  // closed meanwhile
    disarm();
    if (ec == http::error::header_limit) return reject(431, R"({"message":"Request header fields too large"})");
    if (ec && is_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message)
      return reject(400, R"({"message":"Bad request"})");
    if (ec) return close();
    std::string_view target(parser_->get().target().data(), parser_->get().target().size());
    route_ = find_route(shared_->routes, target.substr(0, target.find('?')));
    if (!route_) return reject(404, "{\"message\":\"Not found\"}");
    if (auto length = parser_->content_length(); length && *length > route_->max_body_bytes)
      return reject(413, route_->too_large_body);
    parser_->body_limit(route_->max_body_bytes);
    phase_ = Phase::body;
    arm_on(timers_.body);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (phase_ != Phase::body) return;
    disarm();
    if (ec == http::error::body_limit) return reject(413, route_->too_large_body);
    if (ec) return close();
    BeastRequest breq = parser_->release();
    parser_.reset();
    HttpRequest req;
    req.method = std::string(breq.method_string());
    req.target = std::string(breq.target());
    std::string forwarded;  // every X-Forwarded-For header, joined
    std::size_t fields = 0, bytes = 0;
    for (const auto& field : breq) {
      ++fields;
      bytes += field.name_string().size() + field.value().size();
    }
    req.headers.reserve(fields, bytes);  // one allocation
    for (const auto& field : breq) {
      std::string_view name(field.name_string().data(), field.name_string().size());
      std::string_view value(field.value().data(), field.value().size());
      req.headers.add(name, value);
      if (shared_->options.trust_proxy && iequals(name, "X-Forwarded-For"))
        forwarded.append(forwarded.empty() ? "" : ",").append(value);
    }
    req.body = std::move(breq.body());
    req.remote_address = remote_address_;
    req.client_address = forwarded_client(req.remote_address, forwarded, shared_->options.trust_proxy);
    req.websocket_upgrade = beast::websocket::is_upgrade(breq);
    keep_alive_ = breq.keep_alive();
    bool upgrade = req.websocket_upgrade;
    phase_ = Phase::handling;
    abandoned_ = false;
    ++request_;
    auto exchange = std::make_shared<ConnectionExchange<HttpConnection>>(shared_from_this(), request_, std::move(req), std::move(breq));
    // The last line of defence: a handler that throws on a request's bytes
    // answers 500 (respond() ignores a second answer) instead of ending the process.
    try {
      route_->handler(exchange);
    } catch (const std::exception&) {
      HttpResponse res;
      res.status = 500;
      res.set("Content-Type", "application/json");
      res.body = R"({"message":"Internal server error"})";
      exchange->respond(std::move(res));
    }
    // An answer held back (a long-polling GET): watch for the client leaving.
    // An upgrade is answered or handed over at once; its socket is left alone.
    if (phase_ == Phase::handling && !upgrade) watch();
  }

  // ---- watching the socket between requests ----

  // While a request is being handled or answered, and while keep-alive
  // waits, the socket is watched for readability rather than read with a
  // buffer: an idle connection holds no read buffer and a held GET learns at
  // once that its client went away (EOF or reset). Bytes that do arrive are
  // the next request (pipelining is rare): they are kept, up to the header
  // limit, and parsed once the answer is out.
  void watch() {
    if (watching_) return;
    watching_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code ec) { self->on_readable(ec); });
  }

  void on_readable(beast::error_code ec) {
    watching_ = false;
    if (ec) return;  // cancelled: closed or handed over
    if (phase_ != Phase::handling && phase_ != Phase::writing && phase_ != Phase::idle) return;  // parsing again
    const std::size_t cap = std::max<std::size_t>(shared_->options.max_header_bytes, 1024);
    while (buffer_.size() < cap) {
      auto room = buffer_.prepare(std::min<std::size_t>(cap - buffer_.size(), 4096));
      ssize_t n = ::recv(socket_.native_handle(), room.data(), room.size(), MSG_DONTWAIT);
      if (n > 0) {
        buffer_.commit(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return peer_gone();  // EOF or an error
    }
    if (phase_ == Phase::idle && buffer_.size() > 0) {
      disarm();
      return do_read_header();
    }
    // Past the cap the rest waits in the kernel until the answer is out.
    if (buffer_.size() < cap) watch();
  }

  // The client closed its side or reset the connection.
  void peer_gone() {
    if (phase_ == Phase::writing) {
      keep_alive_ = false;  // it may still read the answer; then close
      return;
    }
    if (phase_ == Phase::handling) {
      abandoned_ = true;
      if (auto on_gone = std::exchange(on_abandoned_, nullptr)) on_gone();
    }
    close();
  }

  // ---- answering ----

  void on_written(beast::error_code ec) {
    if (phase_ != Phase::writing) return;
    disarm();
    if (ec) return close();
    if (unread_body_) return linger_close();
    if (!keep_alive_) return close();
    if (buffer_.size() > 0) return do_read_header();  // pipelined
    phase_ = Phase::idle;
    buffer_.shrink_to_fit();  // empty: an idle connection keeps no buffer
    arm_on(timers_.keep_alive);
    watch();
  }

  // Answers and closes: the rest of the request was not read.
  void reject(int status, std::string body) {
    unread_body_ = true;
    phase_ = Phase::handling;
    ++request_;
    HttpResponse res;
    res.status = status;
    if (!body.empty()) res.set("Content-Type", "application/json");
    res.body = std::move(body);
    res.close_connection = true;
    write_response(request_, std::move(res));
  }

  // After an answer to a request that was not read in full (413, 431, 404):
  // closing at once with bytes still arriving makes the kernel send a reset,
  // and the client may lose the answer. Half-close, discard what still comes
  // (at most 16 MiB or 5 s), then close.
  void linger_close() {
    phase_ = Phase::lingering;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    arm_on(timers_.linger);
    drain(std::make_shared<std::array<char, 16 * 1024>>(), 0);
  }

  void drain(std::shared_ptr<std::array<char, 16 * 1024>> scratch, std::size_t drained) {
    socket_.async_read_some(asio::buffer(*scratch),
                            [self = shared_from_this(), scratch, drained](beast::error_code ec, std::size_t n) {
                              if (self->phase_ != Phase::lingering) return;
                              if (ec || drained + n > kLingerBytes) return self->close();
                              self->drain(scratch, drained + n);
                            });
  }

  void close() {
    if (phase_ == Phase::closed || phase_ == Phase::handed_over) return;
    phase_ = Phase::closed;
    disarm();
    on_abandoned_ = nullptr;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);  // cancels what is pending; its handlers let go of the connection
  }

  // A deadline passed: a request that did not arrive in time gets 408, as in
  // Node; an idle or stalled connection is just closed.
  void on_deadline() override {
    auto keep_alive = shared_from_this();
    bool request_started =
        phase_ == Phase::body || (phase_ == Phase::header && (buffer_.size() > 0 || (parser_ && parser_->got_some())));
    if (request_started) send_now(socket_.native_handle(), kRequestTimeout);
    close();
  }

  tcp::socket socket_;
  std::string remote_address_;  // the TCP peer, as accept() gave it
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ShardPool& shards_;
  std::shared_ptr<HttpShared> shared_;
  HttpShared::Timers& timers_;
  const HttpServer::Route* route_ = nullptr;
  std::function<void()> on_abandoned_;  // for the request being handled
  std::uint32_t shard_;
  std::uint32_t request_ = 0;  // the sequence number of the current request
  Phase phase_ = Phase::header;
  bool keep_alive_ = true;
  bool unread_body_ = false;  // set when answering before the body was read
  bool watching_ = false;     // a wait for readability is pending
  bool abandoned_ = false;    // the client left before the current request was answered
};

}  // namespace

void start_http_connection(tcp::socket socket, std::size_t shard, ShardPool& shards, std::shared_ptr<HttpShared> shared,
                           std::string remote_address, std::string_view read) {
  auto conn = std::make_shared<HttpConnection>(std::move(socket), shard, shards, std::move(shared),
                                               std::move(remote_address));
  conn->start(read);
}

}  // namespace net
