// The load generator's WebSocket client: a raw upgrade request, then frames
// parsed from one read buffer shared by every connection (reads happen when the
// socket is readable, so idle clients hold no buffer).

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "../ws_frame.hpp"
#include "socket_client.hpp"

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class WebSocketClient final : public SocketClient {
 public:
  WebSocketClient(asio::io_context& ctx, PacketSink& sink, std::size_t index) : SocketClient(ctx, sink, index) {}

  void start(const Target& target, const asio::ip::address_v4& source) override {
    std::string request = "GET " + target.path + "?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + target.host +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    connect(target, source, [this, request = std::move(request)] {  // the connect holds this client
      out_ = request;
      flush();
    });
  }

  void send(std::string_view packet) override {
    if (failed_) return;
    append_frame(out_, Opcode::text, packet, true);
    if (!flushing_) {
      flushing_ = true;
      asio::post(socket_.get_executor(), [self = shared<WebSocketClient>()] {
        self->flushing_ = false;
        self->flush();
      });
    }
  }

 private:
  void flush() {
    if (out_.empty() || writing_ || failed_) return;
    writing_ = true;
    in_flight_.swap(out_);
    asio::async_write(socket_, asio::buffer(in_flight_),
                      [self = shared<WebSocketClient>()](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->in_flight_.clear();
                        if (ec) return self->fail("write: " + ec.message());
                        self->flush();
                      });
  }

  // Handles every complete frame in pending_; false once the client failed.
  bool consume() override {
    std::size_t at = 0;
    if (!upgraded_) {
      auto end = pending_.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      if (pending_.compare(0, 12, "HTTP/1.1 101") != 0) {
        fail("upgrade refused: " + pending_.substr(0, pending_.find('\r')));
        return false;
      }
      upgraded_ = true;
      at = end + 4;
    }
    Frame frame;
    while (std::size_t used = parse_frame(pending_.data() + at, pending_.size() - at, frame)) {
      at += used;
      if (frame.opcode == Opcode::text || frame.opcode == Opcode::binary) {
        sink_.on_packet(*this, frame.payload);
      } else if (frame.opcode == Opcode::close) {
        fail("close frame from server");
        return false;
      } else if (frame.opcode == Opcode::ping) {
        append_frame(out_, Opcode::pong, frame.payload, true);
        flush();
      }
      if (failed_) return false;
    }
    pending_.erase(0, at);
    if (pending_.empty()) std::string().swap(pending_);
    return true;
  }

  std::string out_, in_flight_;
  bool upgraded_ = false, writing_ = false, flushing_ = false;
};

}  // namespace

std::shared_ptr<Client> make_websocket_client(asio::io_context& ctx, PacketSink& sink, std::size_t index) {
  return std::make_shared<WebSocketClient>(ctx, sink, index);
}

}  // namespace bench
