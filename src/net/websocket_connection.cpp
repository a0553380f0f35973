#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "net/corked_stream.hpp"
#include "net/websocket_accept.hpp"

namespace net {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

class BeastWebSocketConnection final : public WebSocketConnection,
                                       public std::enable_shared_from_this<BeastWebSocketConnection> {
 public:
  BeastWebSocketConnection(boost::asio::ip::tcp::socket socket, std::size_t shard, const WebSocketSettings& settings)
      : ws_(CorkedStream(std::move(socket))), shard_(shard), frame_directly_(!settings.permessage_deflate) {
    // Engine.IO runs its own heartbeat; WebSocket-level idle pings stay off.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(settings.max_message_size);
    websocket::permessage_deflate pmd;
    pmd.server_enable = settings.permessage_deflate;
    ws_.set_option(pmd);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator([headers = settings.response_headers](
                                                         websocket::response_type& res) {
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

  void start(MessageHandler on_message, CloseHandler on_close) override {
    on_message_ = std::move(on_message);
    on_close_ = std::move(on_close);
    do_read();
  }

  void send(std::string_view prefix, std::string_view data, bool binary) override {
    if (closing_) return;
    if (frame_directly_) {
      // Without compression a server frame is a short header and the bytes:
      // write it straight into this turn's buffer, so that everything sent
      // to this client in one loop turn leaves in one send().
      char header[10];
      std::size_t n = 0;
      std::size_t length = prefix.size() + data.size();
      header[n++] = static_cast<char>(0x80 | (binary ? 0x2 : 0x1));  // FIN + text/binary
      if (length < 126) {
        header[n++] = static_cast<char>(length);
      } else if (length < 65536) {
        header[n++] = static_cast<char>(126);
        header[n++] = static_cast<char>(length >> 8);
        header[n++] = static_cast<char>(length & 0xff);
      } else {
        header[n++] = static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) header[n++] = static_cast<char>((length >> shift) & 0xff);
      }
      ws_.next_layer().append(std::string_view(header, n), prefix, data);
      return;
    }
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
    if (on_message_) on_message_(std::move(data), binary);
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
    if (ec == websocket::error::closed || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted)
      return WebSocketCloseKind::peer_closed;
    return WebSocketCloseKind::error;
  }

  // Reports the end once, then drops the handlers (they may own us).
  void finish(WebSocketCloseKind kind, std::string description) {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    ws_.next_layer().shutdown_after_flush();
    auto on_close = std::move(on_close_);
    on_message_ = nullptr;
    on_close_ = nullptr;
    if (on_close) on_close(kind, std::move(description));
  }

  websocket::stream<CorkedStream> ws_;
  std::size_t shard_;
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  const bool frame_directly_;  // no permessage-deflate: data frames bypass Beast's writer
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  MessageHandler on_message_;
  CloseHandler on_close_;
};

}  // namespace

void accept_websocket_on(boost::asio::ip::tcp::socket socket, std::size_t shard, BeastRequest request,
                         WebSocketSettings settings,
                         std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) {
  auto conn = std::make_shared<BeastWebSocketConnection>(std::move(socket), shard, settings);
  conn->accept(std::move(request), std::move(on_open));
}

}  // namespace net
