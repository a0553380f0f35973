#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "net/connection_count.hpp"
#include "net/corked_stream.hpp"
#include "net/plain_websocket_connection.hpp"
#include "net/poller.hpp"
#include "net/websocket_accept.hpp"
#include "net/websocket_handshake.hpp"

namespace net {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// With permessage-deflate (opt-in, as in Node) Beast does the framing and the
// compression; every frame of a loop turn still leaves in one write through
// CorkedStream. Without it, plain_websocket_connection.cpp serves.
class DeflateWebSocketConnection final : public WebSocketConnection,
                                         public std::enable_shared_from_this<DeflateWebSocketConnection>,
                                         private CountedConnection {  // MAX_CONNECTIONS
 public:
  DeflateWebSocketConnection(boost::asio::ip::tcp::socket socket, std::size_t shard, const WebSocketSettings& settings)
      : ws_(CorkedStream(std::move(socket))), shard_(shard) {
    // Engine.IO runs its own heartbeat; WebSocket-level idle pings stay off.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(settings.max_message_size);
    websocket::permessage_deflate pmd;
    pmd.server_enable = true;
    ws_.set_option(pmd);
    ws_.auto_fragment(false);
    ws_.set_option(
        websocket::stream_base::decorator([headers = settings.response_headers](websocket::response_type& res) {
          for (const auto& [k, v] : headers) res.set(k, v);
        }));
  }

  void accept(BeastRequest request, std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
    auto req = std::make_shared<BeastRequest>(std::move(request));
    ws_.async_accept(*req, [self = shared_from_this(), req, on_open = std::move(on_open)](beast::error_code ec) {
      if (ec) {
        self->ws_.next_layer().shutdown_after_flush();
        return;
      }
      on_open(self);
    });
  }

  void start(std::weak_ptr<WebSocketListener> listener) override {
    listener_ = std::move(listener);
    do_read();
  }

  void send(std::string_view prefix, std::string_view data, bool binary) override {
    if (closing_) return;
    std::string message;
    message.reserve(prefix.size() + data.size());
    message.append(prefix);
    message.append(data);
    queued_bytes_ += message.size();
    queue_.push_back(Outgoing{std::move(message), binary});
    if (!writing_) do_write();
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    if (!writing_) do_close();
  }

  std::size_t buffered_bytes() const override { return queued_bytes_ + ws_.next_layer().buffered_bytes(); }
  std::size_t shard() const override { return shard_; }

 private:
  struct Outgoing {
    std::string data;
    bool binary;
  };

  void do_read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish(classify(ec), ec.message());
    std::string data = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    // Give memory back after a large message: idle connections stay small.
    if (read_buffer_.capacity() > 64 * 1024) read_buffer_.shrink_to_fit();
    bool binary = ws_.got_binary();
    if (auto listener = listener_.lock()) listener->on_ws_message(*this, std::move(data), binary);
    if (!finished_) do_read();
  }

  void do_write() {
    writing_ = true;
    auto& front = queue_.front();
    ws_.binary(front.binary);
    ws_.async_write(boost::asio::buffer(front.data),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    queued_bytes_ -= queue_.front().data.size();
    queue_.pop_front();
    writing_ = false;
    if (ec) return finish(WebSocketCloseKind::error, ec.message());
    if (!queue_.empty()) return do_write();
    if (closing_) do_close();
  }

  void do_close() {
    ws_.async_close(websocket::close_code::none, [self = shared_from_this()](beast::error_code) {
      self->finish(WebSocketCloseKind::local, "closed by server");
    });
  }

  static WebSocketCloseKind classify(beast::error_code ec) {
    if (ec == websocket::error::message_too_big) return WebSocketCloseKind::too_big;
    if (ec == websocket::error::closed || ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
        ec == boost::asio::error::operation_aborted)
      return WebSocketCloseKind::peer_closed;
    return WebSocketCloseKind::error;
  }

  // Reports the end once, then drops the listener.
  void finish(WebSocketCloseKind kind, std::string description) {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    ws_.next_layer().shutdown_after_flush();
    auto listener = std::exchange(listener_, {}).lock();
    if (listener) listener->on_ws_closed(*this, kind, std::move(description));
  }

  websocket::stream<CorkedStream> ws_;
  std::size_t shard_;
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::weak_ptr<WebSocketListener> listener_;
};

}  // namespace

namespace {
bool offers_deflate(const BeastRequest& request) {
  auto offer = request[beast::http::field::sec_websocket_extensions];
  return offer.find("permessage-deflate") != beast::string_view::npos;
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }
}  // namespace

namespace {
// The WebSocket fields of `request`, as the handshake's answer needs them.
ws::UpgradeRequest upgrade_of(const BeastRequest& request) {
  ws::UpgradeRequest upgrade;
  upgrade.is_upgrade = websocket::is_upgrade(request);
  upgrade.key = view(request[beast::http::field::sec_websocket_key]);
  upgrade.version = view(request[beast::http::field::sec_websocket_version]);
  return upgrade;
}

// The 101 for a request without permessage-deflate, or the refusal to send.
ws::HandshakeAnswer answer_plain(const BeastRequest& request, const WebSocketSettings& settings) {
  return ws::answer_handshake(upgrade_of(request), settings.response_headers);
}

bool wants_deflate(const BeastRequest& request, const WebSocketSettings& settings) {
  return settings.permessage_deflate && offers_deflate(request);
}
}  // namespace

void accept_websocket_on(boost::asio::ip::tcp::socket socket, std::size_t shard, BeastRequest request,
                         WebSocketSettings settings,
                         std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
  if (wants_deflate(request, settings)) {
    auto conn = std::make_shared<DeflateWebSocketConnection>(std::move(socket), shard, settings);
    conn->accept(std::move(request), std::move(on_open));
    return;
  }
  auto answer = answer_plain(request, settings);
  if (!answer.accepted) {
    // Refused: say why, then close.
    auto text = std::make_shared<std::string>(std::move(answer.text));
    auto sock = std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket));
    boost::asio::async_write(*sock, boost::asio::buffer(*text), [sock, text](beast::error_code, std::size_t) {
      beast::error_code ignored;
      sock->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    });
    return;
  }
  on_open(open_plain_websocket(std::move(socket), shard, settings.max_message_size, std::move(answer.text)));
}

void accept_websocket_on_shard(ShardPool& shards, std::size_t target_shard, const boost::asio::ip::tcp& protocol,
                               int fd, BeastRequest request, WebSocketSettings settings,
                               std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
  auto& target = shards.context(target_shard);
  boost::asio::post(target, [&target, target_shard, protocol, fd, request = std::move(request),
                             settings = std::move(settings), on_open = std::move(on_open)]() mutable {
    boost::asio::ip::tcp::socket socket(target);
    beast::error_code ec;
    socket.assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    accept_websocket_on(std::move(socket), target_shard, std::move(request), std::move(settings), std::move(on_open));
  });
}

void accept_websocket_on_poller(boost::asio::io_context& context, int fd, const boost::asio::ip::tcp& protocol,
                                std::size_t shard, BeastRequest request, WebSocketSettings settings,
                                std::function<void(std::shared_ptr<WebSocketConnection>)> on_open, bool input_pending) {
  if (wants_deflate(request, settings)) {
    // Beast does the framing: the socket becomes Asio's.
    Poller::of(context).remove(fd);
    boost::asio::ip::tcp::socket socket(context);
    beast::error_code ec;
    socket.assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    return accept_websocket_on(std::move(socket), shard, std::move(request), std::move(settings), std::move(on_open));
  }
  accept_plain_websocket_on_poller(context, fd, shard, upgrade_of(request), settings, std::move(on_open),
                                   input_pending);
}

void accept_plain_websocket_on_poller(boost::asio::io_context& context, int fd, std::size_t shard,
                                      const ws::UpgradeRequest& upgrade, const WebSocketSettings& settings,
                                      std::function<void(std::shared_ptr<WebSocketConnection>)> on_open,
                                      bool input_pending) {
  auto answer = ws::answer_handshake(upgrade, settings.response_headers);
  if (!answer.accepted) {
    // Refused: a few hundred bytes that a new connection's socket buffer takes at once.
    (void)::send(fd, answer.text.data(), answer.text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    Poller::forget(fd);
    ::close(fd);  // leaves the poller's set too
    return;
  }
  auto conn = open_plain_websocket_on_poller(context, fd, shard, settings.max_message_size, std::move(answer.text),
                                             input_pending);
  on_open(std::move(conn));
}

}  // namespace net
