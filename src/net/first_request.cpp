#include "net/first_request.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <cerrno>
#include <exception>

#include "net/connection_count.hpp"
#include "net/connection_exchange.hpp"
#include "net/poller.hpp"
#include "net/request_head.hpp"
#include "net/websocket_accept.hpp"

namespace net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

thread_local char read_chunk[16 * 1024];

class FirstRequest final : public PollTarget,
                           public Deadline,
                           public std::enable_shared_from_this<FirstRequest>,
                           private CountedConnection {
 public:
  FirstRequest(int fd, const tcp& protocol, std::string remote_address, std::size_t shard, ShardPool& shards,
               std::shared_ptr<HttpShared> shared)
      : CountedConnection(Adopt{}),
        fd_(fd),
        protocol_(protocol),
        remote_address_(std::move(remote_address)),
        shard_(shard),
        shards_(shards),
        shared_(std::move(shared)),
        context_(shards.context(shard)) {}

  ~FirstRequest() {
    if (fd_ < 0) return;  // finish() closed it, or it was handed over
    Poller::forget(fd_);
    ::close(fd_);
  }

  // With TCP_DEFER_ACCEPT the request's bytes are there already: read them
  // at once, and join the poller only to wait for more. Without it they
  // rarely are yet: the poller reports them.
  void start() {
    self_ = shared_from_this();  // the caller holds it too, until start() returns
    if (shared_->options.defer_accept_s > 0) read(false);
    if (phase_ != Phase::reading) return;
    if (!watch()) return finish();  // out of memory: dropped
    auto& timers = shared_->timers_of(shard_, context_);
    if (timers.header) timers.header->arm(*this);
  }

  // ---- for ConnectionExchange (its one request has seq 0) ----
  // Nothing: the head parsed in place says it all, and a Beast request is
  // made from it only for the paths that take one (beast_request()).
  struct UpgradeRequest {};
  std::size_t shard() const { return shard_; }
  asio::io_context::executor_type executor() { return context_.get_executor(); }

  // An upgrade is answered at once: its socket is not watched meanwhile, and
  // a client that left is found by the WebSocket connection.
  void set_on_abandoned(std::uint32_t, std::function<void()>) {}

  // The handler's answer to an upgrade it refuses; the connection closes.
  void write_response(std::uint32_t, HttpResponse response) {
    if (phase_ != Phase::handling) return;
    std::string text = "HTTP/1.1 " + std::to_string(response.status) + " ";
    auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
    text.append(reason.data(), reason.size()).append("\r\n");
    for (const auto& [name, value] : response.headers) text.append(name).append(": ").append(value).append("\r\n");
    text.append("Content-Length: ").append(std::to_string(response.body.size()));
    text.append("\r\nConnection: close\r\n\r\n").append(response.body);
    ssize_t n = ::send(fd_, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(text.size()) || n < 0) {
      ::shutdown(fd_, SHUT_WR);
      return finish();
    }
    // The kernel took part of a large answer: Asio writes the rest.
    auto socket = std::make_shared<tcp::socket>(context_);
    if (!to_asio(*socket)) return;
    auto rest = std::make_shared<std::string>(text.substr(static_cast<std::size_t>(n)));
    asio::async_write(*socket, asio::buffer(*rest), [socket, rest](beast::error_code, std::size_t) {
      beast::error_code ignored;
      socket->shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  // The handler accepts the upgrade, for a session of `target_shard`.
  void hand_over_websocket(std::uint32_t, std::size_t target_shard, UpgradeRequest, WebSocketSettings settings,
                           std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
    if (phase_ != Phase::handling) return;
    if (target_shard == shard_) {
      // The connection takes the poller's watch over (and hears at once of
      // input that came meanwhile).
      if (!watch()) return finish();
      int fd = std::exchange(fd_, -1);
      if (settings.permessage_deflate && !parsed_.field(KnownField::sec_websocket_extensions).empty()) {
        // Beast negotiates the extension, from a Beast request.
        accept_websocket_on_poller(context_, fd, protocol_, shard_, beast_request(), std::move(settings),
                                   std::move(on_open), input_while_handling_);
      } else {
        ws::UpgradeRequest upgrade;
        upgrade.is_upgrade = true;  // handle_upgrade checked it
        upgrade.key = parsed_.field(KnownField::sec_websocket_key);
        upgrade.version = parsed_.field(KnownField::sec_websocket_version);
        accept_plain_websocket_on_poller(context_, fd, shard_, upgrade, settings, std::move(on_open),
                                         input_while_handling_);
      }
      return finish();
    }
    // The session lives on another shard (an upgrade from long-polling): the
    // socket moves to that shard's io_context.
    unwatch();
    accept_websocket_on_shard(shards_, target_shard, protocol_, std::exchange(fd_, -1), beast_request(),
                              std::move(settings), std::move(on_open));
    finish();
  }

  // The exchange was dropped unanswered: nobody will answer.
  void unanswered(std::uint32_t) {
    if (phase_ == Phase::handling) finish();
  }

 private:
  enum class Phase : std::uint8_t { reading, handling, done };

  void on_poll_events(std::uint32_t events) override {
    // While the handler has the request nothing is read: a client sends
    // nothing before the 101, and one that left is seen by what comes next.
    // The WebSocket connection that takes the fd over hears of it: the
    // hand-over reports no event again.
    if (phase_ == Phase::reading) return read((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) input_while_handling_ = true;
  }

  void on_deadline() override {
    // The head did not arrive in time: Node's 408 if some of it came.
    auto keep_alive = self_;
    if (phase_ != Phase::reading) return;
    if (!head_.empty()) send_now(fd_, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    finish();
  }

  // A short read emptied the socket, and later bytes bring a new edge; but
  // after the peer's FIN (`peer_closed`) read on to see the EOF.
  void read(bool peer_closed) {
    auto keep_alive = self_;
    const std::size_t cap = shared_->options.max_header_bytes;
    for (;;) {
      std::size_t want = std::min(sizeof read_chunk, cap + 1 - std::min(cap, head_.size()));
      ssize_t n = ::recv(fd_, read_chunk, want, MSG_DONTWAIT);
      if (n > 0) {
        head_.append(read_chunk, static_cast<std::size_t>(n));
        if ((static_cast<std::size_t>(n) < want && !peer_closed) || head_.size() > cap) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return finish();  // EOF or reset before a whole head: nothing to answer
    }
    std::size_t end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (head_.size() > cap) return to_beast();  // Beast answers 431
      return;                                     // more to come
    }
    disarm();
    // Bytes after the head (a body, a pipelined request) are Beast's to read.
    if (end + 4 != head_.size() || head_.size() > cap || !handle_upgrade()) to_beast();
  }

  // True when the head is a WebSocket upgrade for a route, now handled.
  // Parsed in place; a head in any but the plain form is Beast's to parse.
  bool handle_upgrade() {
    if (!parse_request_head(head_, parsed_) || !is_websocket_upgrade(parsed_)) return false;
    std::string_view target = parsed_.target;
    const auto* route = find_route(shared_->routes, target.substr(0, target.find('?')));
    if (!route) return false;

    HttpRequest request;
    request.method = "GET";
    request.target = std::string(target);
    std::string forwarded;  // every X-Forwarded-For header, joined
    // Names and values are one run of bytes in the head: reserve for all.
    request.headers.reserve(parsed_.fields.size(), head_.size());
    for (const auto& [name, value] : parsed_.fields) {
      request.headers.add(name, value);
      if (shared_->options.trust_proxy && iequals(name, "X-Forwarded-For"))
        forwarded.append(forwarded.empty() ? "" : ",").append(value);
    }
    request.remote_address = std::move(remote_address_);
    request.client_address = forwarded_client(request.remote_address, forwarded, shared_->options.trust_proxy);
    request.websocket_upgrade = true;
    phase_ = Phase::handling;

    // head_ stays until the connection is handed over: parsed_ points into it.
    auto exchange =
        std::make_shared<ConnectionExchange<FirstRequest>>(shared_from_this(), 0, std::move(request), UpgradeRequest{});
    // As in the Beast connection: a handler that throws answers 500.
    try {
      route->handler(exchange);
    } catch (const std::exception&) {
      HttpResponse res;
      res.status = 500;
      res.set("Content-Type", "application/json");
      res.body = R"({"message":"Internal server error"})";
      exchange->respond(std::move(res));
    }
    return true;
  }

  // The parsed head as Beast's request, for the paths that take one.
  BeastRequest beast_request() const {
    BeastRequest request;
    request.method_string({parsed_.method.data(), parsed_.method.size()});
    request.target({parsed_.target.data(), parsed_.target.size()});
    request.version(11);
    for (const auto& [name, value] : parsed_.fields)
      request.insert(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
    return request;
  }

  // The Beast connection takes the socket and what was read of it.
  void to_beast() {
    tcp::socket socket(context_);
    if (!to_asio(socket)) return;
    // The count goes with the socket: CountedConnection(Adopt) on both sides.
    CountedConnection::count_accepted();
    start_http_connection(std::move(socket), shard_, shards_, shared_, std::move(remote_address_), head_);
  }

  // Gives the fd to `socket`, out of the poller; false (and closed) if Asio refuses it.
  bool to_asio(tcp::socket& socket) {
    unwatch();
    int fd = std::exchange(fd_, -1);
    beast::error_code ec;
    socket.assign(protocol_, fd, ec);
    finish();
    if (!ec) return true;
    ::close(fd);
    return false;
  }

  // Joins the poller's set, once; false (errno set) when epoll refuses.
  bool watch() {
    if (watched_) return true;
    watched_ = Poller::of(context_).add(fd_, this);
    return watched_;
  }

  void unwatch() {
    if (watched_) Poller::of(context_).remove(fd_);
    watched_ = false;
  }

  // Done with the connection: it was answered, handed over or dropped.
  void finish() {
    disarm();
    phase_ = Phase::done;
    if (fd_ >= 0) {
      Poller::forget(fd_);
      ::close(std::exchange(fd_, -1));  // leaves the poller's set too
    }
    self_.reset();  // the last owner may be the caller's keep_alive
  }

  int fd_;
  tcp protocol_;
  std::string remote_address_;
  std::size_t shard_;
  ShardPool& shards_;
  std::shared_ptr<HttpShared> shared_;
  asio::io_context& context_;
  std::shared_ptr<FirstRequest> self_;  // while the poller may call it
  std::string head_;                    // the bytes read so far
  RequestHead parsed_;                  // views into head_, once it is whole
  Phase phase_ = Phase::reading;
  bool input_while_handling_ = false;  // see on_poll_events
  bool watched_ = false;               // in the poller's set
};

}  // namespace

void start_first_request(int fd, const tcp& protocol, std::string remote_address, std::size_t shard, ShardPool& shards,
                         std::shared_ptr<HttpShared> shared) {
  std::make_shared<FirstRequest>(fd, protocol, std::move(remote_address), shard, shards, std::move(shared))->start();
}

}  // namespace net
