#include "net/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <array>
#include <optional>
#include <system_error>
#include <unistd.h>

#include "net/websocket_accept.hpp"

namespace net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

const HttpServer::Route* find_route(const std::vector<HttpServer::Route>& routes, std::string_view path) {
  for (const auto& r : routes)
    if (path.substr(0, r.prefix.size()) == r.prefix) return &r;
  return nullptr;
}

class HttpConnection;

class Exchange final : public HttpExchange {
 public:
  Exchange(std::shared_ptr<HttpConnection> conn, HttpRequest request, BeastRequest beast_request)
      : conn_(std::move(conn)), request_(std::move(request)), beast_request_(std::move(beast_request)) {}

  const HttpRequest& request() const override { return request_; }
  std::size_t shard() const override;
  void respond(HttpResponse response) override;
  void accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                        std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) override;

 private:
  std::shared_ptr<HttpConnection> conn_;
  HttpRequest request_;
  BeastRequest beast_request_;
  std::atomic<bool> answered_{false};
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket socket, std::size_t shard, ShardPool& shards, const HttpServerOptions& options,
                 std::shared_ptr<const std::vector<HttpServer::Route>> routes)
      : stream_(std::move(socket)), shard_(shard), shards_(shards), options_(options), routes_(std::move(routes)) {}

  void start() { do_read_header(); }
  std::size_t shard() const { return shard_; }

  // On this connection's shard.
  beast::tcp_stream::executor_type executor() { return stream_.get_executor(); }

  void write_response(HttpResponse response) {
    bool keep_alive = keep_alive_ && !response.close_connection;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(response.status));
    res->version(11);
    for (auto& [k, v] : response.headers) res->set(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_never();
    bool body_unread = unread_body_;
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive, body_unread](beast::error_code ec,
                                                                                              std::size_t) {
      if (!ec && body_unread) return self->linger_close();
      if (ec || !keep_alive) return self->shutdown();
      self->do_read_header();
    });
  }

  // On this connection's shard: gives the socket to `target_shard`.
  void hand_over_websocket(std::size_t target_shard, BeastRequest request, WebSocketSettings settings,
                           std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
    stream_.expires_never();
    if (target_shard == shard_) {
      accept_websocket_on(stream_.release_socket(), shard_, std::move(request), std::move(settings),
                          std::move(on_open));
      return;
    }
    // Another shard owns the session: move the file descriptor to its io_context.
    tcp::socket& sock = stream_.socket();
    auto protocol = sock.local_endpoint().protocol();
    beast::error_code ec;
    auto fd = sock.release(ec);
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
      accept_websocket_on(std::move(socket), target_shard, std::move(request), std::move(settings),
                          std::move(on_open));
    });
  }

 private:
  void do_read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    // The limit depends on the route, known only after the header: check the
    // Content-Length in on_header and let chunked bodies hit body_limit().
    parser_->body_limit(boost::none);
    stream_.expires_after(std::chrono::milliseconds(options_.request_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return shutdown();
    std::string_view target(parser_->get().target().data(), parser_->get().target().size());
    route_ = find_route(*routes_, target.substr(0, target.find('?')));
    if (!route_) return reject(404, "{\"message\":\"Not found\"}");
    if (auto length = parser_->content_length(); length && *length > route_->max_body_bytes)
      return reject(413, route_->too_large_body);
    parser_->body_limit(route_->max_body_bytes);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec == http::error::body_limit) return reject(413, route_->too_large_body);
    if (ec) return shutdown();
    stream_.expires_never();
    BeastRequest breq = parser_->release();
    HttpRequest req;
    req.method = std::string(breq.method_string());
    req.target = std::string(breq.target());
    for (const auto& field : breq) req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    req.body = std::move(breq.body());
    beast::error_code ignored;
    auto remote = stream_.socket().remote_endpoint(ignored);
    req.remote_address = ignored ? std::string() : remote.address().to_string();
    req.websocket_upgrade = beast::websocket::is_upgrade(breq);
    keep_alive_ = breq.keep_alive();
    auto exchange = std::make_shared<Exchange>(shared_from_this(), std::move(req), std::move(breq));
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
  }

  // Answers and closes: the rest of the request was not read.
  void reject(int status, std::string body) {
    unread_body_ = true;
    HttpResponse res;
    res.status = status;
    if (!body.empty()) res.set("Content-Type", "application/json");
    res.body = std::move(body);
    res.close_connection = true;
    write_response(std::move(res));
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  // After an answer to a request whose body was not read (413, 404): closing
  // at once with bytes still arriving makes the kernel send a reset, and the
  // client may lose the answer. Half-close, discard what still comes (at most
  // 16 MiB or 5 s), then close.
  void linger_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(5));
    drain(std::make_shared<std::array<char, 16 * 1024>>(), 0);
  }

  void drain(std::shared_ptr<std::array<char, 16 * 1024>> scratch, std::size_t drained) {
    stream_.async_read_some(asio::buffer(*scratch), [self = shared_from_this(), scratch, drained](
                                                        beast::error_code ec, std::size_t n) {
      if (ec || drained + n > 16 * 1024 * 1024) return self->stream_.close();
      self->drain(scratch, drained + n);
    });
  }

  bool keep_alive_ = true;
  bool unread_body_ = false;  // set when answering before the body was read
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t shard_;
  ShardPool& shards_;
  const HttpServerOptions& options_;
  std::shared_ptr<const std::vector<HttpServer::Route>> routes_;
  const HttpServer::Route* route_ = nullptr;
};

std::size_t Exchange::shard() const { return conn_->shard(); }

void Exchange::respond(HttpResponse response) {
  if (answered_.exchange(true)) return;
  if (ShardPool::current_shard() == conn_->shard()) return conn_->write_response(std::move(response));
  // Answering from another shard: the write belongs to the connection's thread.
  asio::post(conn_->executor(), [conn = conn_, response = std::move(response)]() mutable {
    conn->write_response(std::move(response));
  });
}

void Exchange::accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                                std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
  if (answered_.exchange(true)) return;
  conn_->hand_over_websocket(target_shard, std::move(beast_request_), std::move(settings), std::move(on_open));
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(ShardPool& s, HttpServerOptions o)
      : shards(s), options(std::move(o)), acceptor(s.context(0)), routes(std::make_shared<std::vector<Route>>()) {}

  void do_accept() {
    std::size_t shard = next_shard++ % shards.size();
    acceptor.async_accept(shards.context(shard), [self = shared_from_this(), shard](beast::error_code ec,
                                                                                    tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        // The socket belongs to the shard's io_context: start it on that thread.
        asio::post(self->shards.context(shard), [self, shard, socket = std::move(socket)]() mutable {
          std::make_shared<HttpConnection>(std::move(socket), shard, self->shards, self->options, self->routes)
              ->start();
        });
      }
      self->do_accept();
    });
  }

  ShardPool& shards;
  HttpServerOptions options;
  tcp::acceptor acceptor;
  std::shared_ptr<std::vector<Route>> routes;
  std::size_t next_shard = 0;
};

HttpServer::HttpServer(ShardPool& shards, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(shards, std::move(options))) {}

HttpServer::~HttpServer() { stop_accepting(); }

void HttpServer::route(std::string prefix, std::size_t max_body_bytes, HttpHandler handler,
                       std::string too_large_body) {
  impl_->routes->push_back(Route{std::move(prefix), max_body_bytes, std::move(handler), std::move(too_large_body)});
}

void HttpServer::listen() {
  auto address = asio::ip::make_address(impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(endpoint);
  acc.listen(asio::socket_base::max_listen_connections);
  asio::post(acc.get_executor(), [impl = impl_] { impl->do_accept(); });
}

void HttpServer::stop_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

std::uint16_t HttpServer::bound_port() const { return impl_->acceptor.local_endpoint().port(); }
const std::string& HttpServer::host() const { return impl_->options.host; }

}  // namespace net
