#include "net/http_server.hpp"

#include "metrics/counters.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cerrno>
#include <optional>
#include <system_error>

#include "net/connection_count.hpp"
#include "net/fifo_timer.hpp"
#include "net/poller.hpp"
#include "net/websocket_accept.hpp"

namespace net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kLingerTimeout = std::chrono::seconds(5);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;
// Accepts per wake-up of the listener before the shard's other work runs.
constexpr int kAcceptsPerTurn = 64;

const HttpServer::Route* find_route(const std::vector<HttpServer::Route>& routes, std::string_view path) {
  for (const auto& r : routes)
    if (path.substr(0, r.prefix.size()) == r.prefix) return &r;
  return nullptr;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

// Written straight to the socket, never queued: answers that must not wait
// for a client that does not read.
void send_now(int fd, std::string_view text) {
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

constexpr std::string_view kRequestTimeout =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: "
    "close\r\nContent-Length: 34\r\n\r\n{\"message\":\"Too many connections\"}";

}  // namespace

// What the connections of all shards share. Routes are added before
// listen(); each shard fills its own timers slot, on its own thread.
struct HttpShared {
  HttpShared(HttpServerOptions o, std::size_t shard_count) : options(std::move(o)), timers(shard_count) {}

  // One FIFO timer per timeout and shard (DESIGN.md: no timer per
  // connection); null for a timeout set to 0 (none).
  struct Timers {
    bool ready = false;
    FifoTimer* header = nullptr;
    FifoTimer* body = nullptr;
    FifoTimer* keep_alive = nullptr;
    FifoTimer* linger = nullptr;
  };
  Timers& timers_of(std::size_t shard, asio::io_context& context) {
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

  const HttpServerOptions options;
  std::size_t max_connections = 0;  // set by listen()
  std::vector<HttpServer::Route> routes;
  std::vector<Timers> timers;
};

namespace {

class HttpConnection;

class Exchange final : public HttpExchange {
 public:
  Exchange(std::shared_ptr<HttpConnection> conn, std::uint32_t seq, HttpRequest request, BeastRequest beast_request)
      : conn_(std::move(conn)), seq_(seq), request_(std::move(request)), beast_request_(std::move(beast_request)) {}
  ~Exchange() override;

  const HttpRequest& request() const override { return request_; }
  std::size_t shard() const override;
  void respond(HttpResponse response) override;
  void accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                        std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) override;
  void on_abandoned(std::function<void()> on_gone) override;

 private:
  // Runs `fn` on the connection's shard: at once when called there.
  template <class Fn>
  void on_connection_shard(Fn&& fn);

  std::shared_ptr<HttpConnection> conn_;
  std::uint32_t seq_;  // which request of the connection this is
  HttpRequest request_;
  BeastRequest beast_request_;
  std::atomic<bool> answered_{false};
};

// One client's TCP connection while it speaks HTTP. All of it runs on its
// shard. At most one deadline is armed at a time, and only while one of the
// connection's operations is pending (so the connection cannot be destroyed,
// perhaps on another thread, with its deadline linked into the shard's timer).
class HttpConnection final : public std::enable_shared_from_this<HttpConnection>,
                             public Deadline,
                             private CountedConnection {
 public:
  HttpConnection(tcp::socket socket, std::size_t shard, ShardPool& shards, std::shared_ptr<HttpShared> shared)
      : CountedConnection(Adopt{}),
        socket_(std::move(socket)),
        shards_(shards),
        shared_(std::move(shared)),
        timers_(shared_->timers_of(shard, shards.context(shard))),
        shard_(static_cast<std::uint32_t>(shard)) {}

  void start() { do_read_header(); }
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
    auto& target_ctx = shards_.context(target_shard);
    asio::post(target_ctx, [&target_ctx, target_shard, protocol, fd, request = std::move(request),
                            settings = std::move(settings), on_open = std::move(on_open)]() mutable {
      tcp::socket socket(target_ctx);
      beast::error_code ec;
      socket.assign(protocol, fd, ec);
      if (ec) {
        ::close(fd);
        return;
      }
      accept_websocket_on(std::move(socket), target_shard, std::move(request), std::move(settings), std::move(on_open));
    });
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
    for (const auto& field : breq) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      if (shared_->options.trust_proxy && iequals(req.headers.back().first, "X-Forwarded-For"))
        forwarded.append(forwarded.empty() ? "" : ",").append(req.headers.back().second);
    }
    req.body = std::move(breq.body());
    beast::error_code ignored;
    auto remote = socket_.remote_endpoint(ignored);
    req.remote_address = ignored ? std::string() : remote.address().to_string();
    req.client_address = forwarded_client(req.remote_address, forwarded, shared_->options.trust_proxy);
    req.websocket_upgrade = beast::websocket::is_upgrade(breq);
    keep_alive_ = breq.keep_alive();
    bool upgrade = req.websocket_upgrade;
    phase_ = Phase::handling;
    abandoned_ = false;
    ++request_;
    auto exchange = std::make_shared<Exchange>(shared_from_this(), request_, std::move(req), std::move(breq));
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

Exchange::~Exchange() {
  if (answered_.load()) return;
  on_connection_shard([conn = conn_, seq = seq_] { conn->unanswered(seq); });
}

template <class Fn>
void Exchange::on_connection_shard(Fn&& fn) {
  if (ShardPool::current_shard() == conn_->shard()) return fn();
  asio::post(conn_->executor(), std::forward<Fn>(fn));
}

std::size_t Exchange::shard() const { return conn_->shard(); }

void Exchange::respond(HttpResponse response) {
  if (answered_.exchange(true)) return;
  // Answering from another shard: the write belongs to the connection's thread.
  on_connection_shard([conn = conn_, seq = seq_, response = std::move(response)]() mutable {
    conn->write_response(seq, std::move(response));
  });
}

void Exchange::accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                                std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
  if (answered_.exchange(true)) return;
  on_connection_shard([conn = conn_, seq = seq_, target_shard, request = std::move(beast_request_),
                       settings = std::move(settings), on_open = std::move(on_open)]() mutable {
    conn->hand_over_websocket(seq, target_shard, std::move(request), std::move(settings), std::move(on_open));
  });
}

void Exchange::on_abandoned(std::function<void()> on_gone) {
  on_connection_shard([conn = conn_, seq = seq_, on_gone = std::move(on_gone)]() mutable {
    conn->set_on_abandoned(seq, std::move(on_gone));
  });
}

// An accepted descriptor on its way to a shard: counted from accept on, and
// closed (and uncounted) if it never gets there.
class AcceptedFd {
 public:
  explicit AcceptedFd(int fd) : fd_(fd) { CountedConnection::count_accepted(); }
  AcceptedFd(AcceptedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  AcceptedFd& operator=(AcceptedFd&&) = delete;
  ~AcceptedFd() {
    if (fd_ < 0) return;
    ::close(fd_);
    CountedConnection::uncount_accepted();
  }
  int fd() const { return fd_; }
  // Hands the descriptor and its count over.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Past the connection limit: the 503 and a FIN (the caller closes). What
// the client has sent already is read first, so that the close is not a
// reset, which could destroy the answer before the client reads it.
void refuse(int fd) {
  metrics::add(metrics::Counter::refused_max_connections);
  char scratch[4096];
  for (int i = 0; i < 4 && ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) {
  }
  send_now(fd, kBusy);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(ShardPool& s, HttpServerOptions o)
      : shards(s),
        shared(std::make_shared<HttpShared>(std::move(o), s.size())),
        acceptor(s.context(0)),
        backoff(s.context(0)) {}
  ~Impl() {
    if (spare_fd >= 0) ::close(spare_fd);
  }

  // The listener is non-blocking and read with accept4() when it is
  // readable: the accept loop sees every error itself and never spins on one.
  void do_accept() {
    acceptor.async_wait(tcp::acceptor::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->acceptor.is_open()) return;
      self->on_acceptable();
    });
  }

  void on_acceptable() {
    if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        backoff_ms = 0;
        take(AcceptedFd(fd));
        continue;
      }
      switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return do_accept();
        case EMFILE:
        case ENFILE:
          // Out of descriptors: the spare one makes room to refuse the
          // client properly; without it, wait for descriptors to come back.
          if (shed_with_spare()) continue;
          return back_off();
        case ENOBUFS:
        case ENOMEM:
          return back_off();
        default:
          // ECONNABORTED, EINTR, EPROTO and the network errors accept(2)
          // says to treat as EAGAIN and retry.
          continue;
      }
    }
    // More may be waiting: let the shard's other work run first.
    asio::post(acceptor.get_executor(), [self = shared_from_this()] {
      if (self->acceptor.is_open()) self->on_acceptable();
    });
  }

  void take(AcceptedFd accepted) {
    int one = 1;
    ::setsockopt(accepted.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (CountedConnection::open() > static_cast<std::int64_t>(shared->max_connections))
      return refuse(accepted.fd());  // ~AcceptedFd closes it and uncounts it
    std::size_t shard = next_shard++ % shards.size();
    // The socket joins the shard's io_context on that thread.
    asio::post(shards.context(shard), [self = shared_from_this(), shard, accepted = std::move(accepted)]() mutable {
      tcp::socket socket(self->shards.context(shard));
      beast::error_code ec;
      socket.assign(self->protocol, accepted.fd(), ec);
      if (ec) return;
      accepted.release();  // the socket has the descriptor, the connection its count
      std::make_shared<HttpConnection>(std::move(socket), shard, self->shards, self->shared)->start();
    });
  }

  // Closes the spare descriptor, accepts one client into its place, refuses
  // it with 503 and takes the spare back. False when that did not work.
  bool shed_with_spare() {
    if (spare_fd < 0) return false;
    ::close(spare_fd);
    int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      refuse(fd);
      ::close(fd);
    }
    spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && spare_fd >= 0;
  }

  void back_off() {
    backoff_ms = backoff_ms ? std::min(backoff_ms * 2, 1000) : 50;
    backoff.expires_after(std::chrono::milliseconds(backoff_ms));
    backoff.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->acceptor.is_open()) self->on_acceptable();
    });
  }

  ShardPool& shards;
  std::shared_ptr<HttpShared> shared;
  tcp::acceptor acceptor;
  tcp protocol = tcp::v4();
  asio::steady_timer backoff;
  int backoff_ms = 0;
  int spare_fd = -1;
  std::size_t next_shard = 0;
};

HttpServer::HttpServer(ShardPool& shards, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(shards, std::move(options))) {}

HttpServer::~HttpServer() { stop_accepting(); }

void HttpServer::route(std::string prefix, std::size_t max_body_bytes, HttpHandler handler,
                       std::string too_large_body) {
  impl_->shared->routes.push_back(
      Route{std::move(prefix), max_body_bytes, std::move(handler), std::move(too_large_body)});
}

namespace {
// MAX_CONNECTIONS' default: the descriptor limit, minus what the server
// needs besides its clients (standard streams, the listener, the spare,
// per shard an epoll set, Asio's epoll, eventfd and timerfd; log files,
// Redis and RabbitMQ connections), but never more than a quarter of a small limit.
std::size_t default_max_connections(std::size_t shard_count) {
  rlimit limit{};
  std::uint64_t fds = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) fds = limit.rlim_cur == RLIM_INFINITY ? (1u << 20) : limit.rlim_cur;
  std::uint64_t reserve = std::min<std::uint64_t>(32 + 4 * shard_count, fds / 4);
  return static_cast<std::size_t>(fds - reserve);
}
}  // namespace

void HttpServer::listen() {
  auto& o = impl_->shared->options;
  auto address = asio::ip::make_address(o.host);
  tcp::endpoint endpoint(address, o.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(endpoint);
  acc.listen(asio::socket_base::max_listen_connections);
  acc.native_non_blocking(true);
  impl_->protocol = endpoint.protocol();
  impl_->shared->max_connections =
      o.max_connections ? o.max_connections : default_max_connections(impl_->shards.size());
  impl_->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // Each shard's Asio reactor (an epoll set, an eventfd, a timerfd) and its
  // WebSocket poller are made on first use. Make them now, while descriptors
  // are to be had: made later, out of descriptors, they would throw on the
  // shard's thread and end the process.
  for (std::size_t shard = 0; shard < impl_->shards.size(); ++shard) {
    tcp::socket warm(impl_->shards.context(shard));
    Poller::of(impl_->shards.context(shard));
  }
  asio::post(acc.get_executor(), [impl = impl_] { impl->do_accept(); });
}

void HttpServer::stop_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->backoff.cancel();
  });
}

std::uint16_t HttpServer::bound_port() const { return impl_->acceptor.local_endpoint().port(); }
const std::string& HttpServer::host() const { return impl_->shared->options.host; }
std::size_t HttpServer::max_connections() const { return impl_->shared->max_connections; }

}  // namespace net
