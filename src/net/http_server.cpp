// The listeners: one per shard, on one port (SO_REUSEPORT), so that a new
// connection is accepted on the thread that will run it, without a hop
// between threads. The kernel spreads connections over the listeners by
// their addresses and ports.

#include "net/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <charconv>
#include <system_error>

#include "metrics/counters.hpp"
#include "net/connection_count.hpp"
#include "net/first_request.hpp"
#include "net/http_connection.hpp"
#include "net/poller.hpp"

namespace net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Accepts per wake-up of a listener before the shard's other work runs.
constexpr int kAcceptsPerTurn = 64;

constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: "
    "close\r\nContent-Length: 34\r\n\r\n{\"message\":\"Too many connections\"}";

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

// The peer's address as text, from what accept4() wrote ("" if unknown).
// IPv4 is written by hand: glibc's inet_ntop formats it with sprintf, a
// thousand instructions per new connection.
std::string address_text(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "";
  if (peer.ss_family == AF_INET) {
    auto bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in&>(peer).sin_addr);
    char* at = text;
    for (int i = 0; i < 4; ++i) {
      if (i) *at++ = '.';
      at = std::to_chars(at, text + sizeof text, unsigned{bytes[i]}).ptr;
    }
    return std::string(text, at);
  }
  if (peer.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, text, sizeof text);
  return text;
}

// One shard's listener: a raw non-blocking socket watched by the shard's
// poller, never handed to Asio. An Asio acceptor would re-arm its epoll
// registration (an epoll_ctl) at every wait; the poller's edge-triggered
// watch is set once. Everything runs on that shard's thread. The poller
// holds a plain pointer: HttpServer owns the listener, and stop(), which
// ~HttpServer posts, ends the watch before the last owner lets go.
class Listener : public PollTarget, public std::enable_shared_from_this<Listener> {
 public:
  Listener(ShardPool& shards, std::size_t shard, std::shared_ptr<HttpShared> shared)
      : shards_(shards), shard_(shard), shared_(std::move(shared)), backoff_(shards.context(shard)) {}
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
    if (spare_fd_ >= 0) ::close(spare_fd_);
  }

  // Binds to `endpoint` beside the other shards' listeners. Throws
  // std::system_error when the address cannot be bound.
  void bind(const tcp::endpoint& endpoint) {
    fd_ = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("socket");
    int one = 1;
    if (::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail("setsockopt SO_REUSEADDR");
    if (::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) fail("setsockopt SO_REUSEPORT");
    // Accepted sockets inherit it: no setsockopt per connection.
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A client is handed over with its first bytes, not at its TCP
    // handshake: one wake-up and one epoll round less per connection.
    int defer = static_cast<int>(shared_->options.defer_accept_s);
    if (defer > 0 && ::setsockopt(fd_, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer) != 0)
      fail("setsockopt TCP_DEFER_ACCEPT");
    if (::bind(fd_, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) fail("bind");
    if (::listen(fd_, SOMAXCONN) != 0) fail("listen");
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(local).sin6_port
                                              : reinterpret_cast<sockaddr_in&>(local).sin_port);
    protocol_ = endpoint.protocol();
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  std::uint16_t port() const { return port_; }

  // The poller's watch is edge-triggered: the first round reports the
  // clients already waiting, and each new one makes a new edge. Throws
  // std::system_error when epoll refuses the listener.
  void start() {
    if (!Poller::of(context()).add(fd_, this)) fail("epoll_ctl (listener)");
  }

  // Closing a listener resets the connections in its backlog, which
  // clients opened before it closed: they are accepted first. (The shutdown
  // closes listeners after its drain, so that closing sessions' last
  // requests still get in.)
  void stop() {
    asio::post(backoff_.get_executor(), [self = shared_from_this()] {
      if (self->fd_ < 0) return;
      self->accept_backlog();
      Poller::of(self->context()).remove(self->fd_);
      ::close(self->fd_);
      self->fd_ = -1;
      self->backoff_.cancel();
    });
  }

  void on_poll_events(std::uint32_t) override {
    // A back-off in progress reads the listener when it ends.
    if (!backing_off_) on_acceptable();
  }

 private:
  [[noreturn]] static void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }
  asio::io_context& context() { return shards_.context(shard_); }

  // Accepts until EAGAIN (the edge is spent then), at most kAcceptsPerTurn
  // at a time: the accept loop sees every error itself and never spins on one.
  void on_acceptable() {
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      sockaddr_storage peer{};
      int fd = accept_one(peer);
      if (fd >= 0) {
        backoff_ms_ = 0;
        take(fd, peer);
        continue;
      }
      switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return;  // the next client makes a new edge
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
    // More may be waiting, and no new edge will say so: come back after the
    // shard's other work.
    asio::post(backoff_.get_executor(), [self = shared_from_this()] {
      if (self->fd_ >= 0 && !self->backing_off_) self->on_acceptable();
    });
  }

  int accept_one(sockaddr_storage& peer) {
    socklen_t length = sizeof peer;
    return ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  }

  void accept_backlog() {
    for (int i = 0; i < 4096; ++i) {
      sockaddr_storage peer{};
      int fd = accept_one(peer);
      if (fd < 0 && errno == EINTR) continue;
      if (fd < 0) return;
      take(fd, peer);
    }
  }

  // Counted from accept on (a storm must not overshoot the limit); the
  // connection adopts the count.
  void take(int fd, const sockaddr_storage& peer) {
    CountedConnection::count_accepted();
    if (CountedConnection::open() > static_cast<std::int64_t>(shared_->max_connections)) {
      refuse(fd);
      ::close(fd);
      CountedConnection::uncount_accepted();
      return;
    }
    start_first_request(fd, protocol_, address_text(peer), shard_, shards_, shared_);
  }

  // Closes the spare descriptor, accepts one client into its place, refuses
  // it with 503 and takes the spare back. False when that did not work.
  bool shed_with_spare() {
    if (spare_fd_ < 0) return false;
    ::close(spare_fd_);
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      refuse(fd);
      ::close(fd);
    }
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && spare_fd_ >= 0;
  }

  void back_off() {
    backing_off_ = true;
    backoff_ms_ = backoff_ms_ ? std::min(backoff_ms_ * 2, 1000) : 50;
    backoff_.expires_after(std::chrono::milliseconds(backoff_ms_));
    backoff_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->backing_off_ = false;
      if (!ec && self->fd_ >= 0) self->on_acceptable();
    });
  }

  ShardPool& shards_;
  std::size_t shard_;
  std::shared_ptr<HttpShared> shared_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  tcp protocol_ = tcp::v4();
  asio::steady_timer backoff_;
  int backoff_ms_ = 0;
  bool backing_off_ = false;
  int spare_fd_ = -1;
};

// MAX_CONNECTIONS' default: the descriptor limit, minus what the server
// needs besides its clients (standard streams, per shard a listener, its
// spare, an epoll set, Asio's epoll, eventfd and timerfd; log files, Redis
// and RabbitMQ connections), but never more than a quarter of a small limit.
std::size_t default_max_connections(std::size_t shard_count) {
  rlimit limit{};
  std::uint64_t fds = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) fds = limit.rlim_cur == RLIM_INFINITY ? (1u << 20) : limit.rlim_cur;
  std::uint64_t reserve = std::min<std::uint64_t>(32 + 6 * shard_count, fds / 4);
  return static_cast<std::size_t>(fds - reserve);
}

// The port to bind every listener to. SO_REUSEPORT would let a second
// server (of the same user) bind the same port and silently take half of
// the connections; a probe bound without it fails as a plain bind does when
// the port is taken. For port 0 the probe also picks the port.
std::uint16_t free_port(const tcp::endpoint& endpoint) {
  tcp::acceptor probe(asio::system_executor{});
  probe.open(endpoint.protocol());
  probe.set_option(asio::socket_base::reuse_address(true));
  probe.bind(endpoint);  // throws "Address already in use"
  return probe.local_endpoint().port();
}

}  // namespace

struct HttpServer::Impl {
  Impl(ShardPool& s, HttpServerOptions o) : shards(s), shared(std::make_shared<HttpShared>(std::move(o), s.size())) {}
  ShardPool& shards;
  std::shared_ptr<HttpShared> shared;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::uint16_t port = 0;
};

HttpServer::HttpServer(ShardPool& shards, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(shards, std::move(options))) {}

HttpServer::~HttpServer() { stop_accepting(); }

void HttpServer::route(std::string prefix, std::size_t max_body_bytes, HttpHandler handler,
                       std::string too_large_body) {
  impl_->shared->routes.push_back(
      Route{std::move(prefix), max_body_bytes, std::move(handler), std::move(too_large_body)});
}

void HttpServer::listen() {
  auto& o = impl_->shared->options;
  tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
  endpoint.port(free_port(endpoint));
  std::vector<std::shared_ptr<Listener>> listeners;
  for (std::size_t shard = 0; shard < impl_->shards.size(); ++shard) {
    listeners.push_back(std::make_shared<Listener>(impl_->shards, shard, impl_->shared));
    listeners.back()->bind(endpoint);
  }
  impl_->listeners = std::move(listeners);
  impl_->port = endpoint.port();
  impl_->shared->max_connections =
      o.max_connections ? o.max_connections : default_max_connections(impl_->shards.size());
  // Each shard's Asio reactor (an epoll set, an eventfd, a timerfd) and its
  // WebSocket poller are made on first use. Make them now, while descriptors
  // are to be had: made later, out of descriptors, they would throw on the
  // shard's thread and end the process.
  for (std::size_t shard = 0; shard < impl_->shards.size(); ++shard) {
    tcp::socket warm(impl_->shards.context(shard));
    Poller::of(impl_->shards.context(shard));
  }
  for (auto& listener : impl_->listeners) listener->start();
}

void HttpServer::stop_accepting() {
  for (auto& listener : impl_->listeners) listener->stop();
}

std::uint16_t HttpServer::bound_port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->shared->options.host; }
std::size_t HttpServer::max_connections() const { return impl_->shared->max_connections; }

}  // namespace net
