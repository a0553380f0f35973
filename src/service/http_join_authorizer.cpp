#include "service/http_join_authorizer.hpp"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "net/json_text.hpp"

namespace service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  std::string host, port, path;
};

Target parse_url(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("'" + url + "' is not a URL");
  if (parsed->scheme() == "https")
    throw std::invalid_argument("https is not supported ('" + url +
                                "'): use http:// to a back end on a private network or a local TLS proxy");
  if (parsed->scheme() != "http") throw std::invalid_argument("'" + url + "': only http:// URLs are accepted");
  Target t;
  t.host = parsed->host();
  if (t.host.empty()) throw std::invalid_argument("'" + url + "' has no host");
  t.port = parsed->has_port() ? std::string(parsed->port()) : "80";
  t.path = std::string(parsed->encoded_path());
  if (t.path.empty()) t.path = "/";
  if (parsed->has_query()) t.path += "?" + std::string(parsed->encoded_query());
  return t;
}

}  // namespace

void check_join_auth_url(const std::string& url) { parse_url(url); }

struct HttpJoinAuthorizer::Core {
  HttpJoinAuthorizerOptions options;
  Target target;
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::thread thread;
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopped{false};

  struct Entry {
    bool allowed;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex cache_mutex;
  std::unordered_map<std::string, Entry> cache;

  std::optional<bool> cached(const std::string& key) {
    if (options.cache_ttl.count() <= 0) return std::nullopt;
    std::lock_guard lock(cache_mutex);
    auto it = cache.find(key);
    if (it == cache.end()) return std::nullopt;
    if (it->second.expires <= std::chrono::steady_clock::now()) {
      cache.erase(it);
      return std::nullopt;
    }
    return it->second.allowed;
  }

  void remember(const std::string& key, bool allowed) {
    if (options.cache_ttl.count() <= 0 || options.cache_max == 0) return;
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(cache_mutex);
    if (cache.size() >= options.cache_max) {
      std::erase_if(cache, [now](const auto& e) { return e.second.expires <= now; });
      if (cache.size() >= options.cache_max) cache.clear();
    }
    cache[key] = Entry{allowed, now + options.cache_ttl};
  }

  // One request: resolve, connect, write, read, each within the timeout.
  struct Exchange : std::enable_shared_from_this<Exchange> {
    Core* core;  // outlives every exchange: they die with its io_context
    std::string key;
    std::function<void(bool)> done;
    tcp::resolver resolver;
    beast::tcp_stream stream;
    http::request<http::string_body> request;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    bool finished = false;

    Exchange(Core* c, std::string k, std::function<void(bool)> d)
        : core(c), key(std::move(k)), done(std::move(d)), resolver(core->context), stream(core->context) {
      parser.body_limit(64 * 1024);  // the body is not read; a huge one is an error
      parser.header_limit(16 * 1024);
    }

    void finish(bool allowed, bool cacheable) {
      if (finished) return;
      finished = true;
      core->in_flight--;
      if (cacheable) core->remember(key, allowed);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      auto d = std::move(done);
      d(allowed);
    }

    void start() {
      stream.expires_after(core->options.timeout);
      resolver.async_resolve(core->target.host, core->target.port,
                             [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                               if (ec) return self->finish(false, false);
                               self->stream.async_connect(results, [self](beast::error_code ec, const tcp::endpoint&) {
                                 self->on_connect(ec);
                               });
                             });
    }
    void on_connect(beast::error_code ec) {
      if (ec) return finish(false, false);
      http::async_write(stream, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->finish(false, false);
        http::async_read(self->stream, self->buffer, self->parser,
                         [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
      });
    }
    void on_read(beast::error_code ec) {
      if (ec) return finish(false, false);
      finish(parser.get().result() == http::status::ok, true);
    }
  };
};

HttpJoinAuthorizer::HttpJoinAuthorizer(HttpJoinAuthorizerOptions options) : core_(std::make_shared<Core>()) {
  core_->target = parse_url(options.url);
  core_->options = std::move(options);
  core_->thread = std::thread([core = core_.get()] { core->context.run(); });
}

HttpJoinAuthorizer::~HttpJoinAuthorizer() { stop(); }

void HttpJoinAuthorizer::stop() {
  if (core_->stopped.exchange(true)) return;
  core_->work.reset();
  core_->context.stop();
  if (core_->thread.joinable()) core_->thread.join();
}

std::size_t HttpJoinAuthorizer::requests() const { return core_->requests; }

void HttpJoinAuthorizer::authorize(const std::string& user_id, const std::string& room,
                                   const boost::json::object& claims, std::function<void(bool)> done) {
  std::string key = user_id;
  key += '\0';
  key += room;
  if (auto answer = core_->cached(key)) return done(*answer);
  if (core_->stopped || core_->in_flight.fetch_add(1) >= core_->options.max_in_flight) {
    if (!core_->stopped) core_->in_flight--;
    return done(false);
  }
  core_->requests++;
  auto exchange = std::make_shared<Core::Exchange>(core_.get(), std::move(key), std::move(done));
  auto& req = exchange->request;
  req.method(http::verb::post);
  req.target(core_->target.path);
  req.version(11);
  req.set(http::field::host, core_->target.host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "switchboard");
  req.set(http::field::connection, "close");
  req.body() = net::json_text(
      boost::json::object{{"userId", user_id.empty() ? boost::json::value() : boost::json::value(user_id)},
                          {"room", room},
                          {"claims", claims}});
  req.prepare_payload();
  asio::post(core_->context, [exchange] { exchange->start(); });
}

}  // namespace service
