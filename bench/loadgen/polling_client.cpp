// The load generator's long-polling client: one keep-alive HTTP/1.1
// connection used in turn: POST what the client has to say, else GET (held by
// the server until it has packets). Engine.IO payloads are split on \x1e.

#include <strings.h>

#include <boost/asio/write.hpp>
#include <vector>

#include "socket_client.hpp"

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class PollingClient final : public SocketClient {
 public:
  PollingClient(asio::io_context& ctx, PacketSink& sink, std::size_t index) : SocketClient(ctx, sink, index) {}

  void start(const Target& target, const asio::ip::address_v4& source) override {
    target_ = target;
    connect(target, source, [this] { request("GET", ""); });  // the connect holds this client
  }

  void send(std::string_view packet) override { outbox_.emplace_back(packet); }

 private:
  void request(const char* method, const std::string& body) {
    std::string query = "?EIO=4&transport=polling" + (sid_.empty() ? std::string() : "&sid=" + sid_);
    out_ = std::string(method) + " " + target_.path + query + " HTTP/1.1\r\nHost: " + target_.host + "\r\n";
    if (*method == 'P')
      out_ += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    out_ += "\r\n" + body;
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared<PollingClient>()](boost::system::error_code ec, std::size_t) {
                        if (ec) self->fail("write: " + ec.message());
                      });
  }

  // After each answer: say what is queued, else wait for packets.
  void next() {
    if (outbox_.empty()) return request("GET", "");
    std::string body;
    for (auto& p : outbox_) body += (body.empty() ? "" : "\x1e") + p;
    outbox_.clear();
    posting_ = true;
    request("POST", body);
  }

  // Handles one whole response at the front of pending_ if there is one.
  bool consume() override {
    auto header_end = pending_.find("\r\n\r\n");
    if (header_end == std::string::npos) return true;
    std::size_t length = 0;
    for (std::size_t at = pending_.find("\r\n"); at < header_end; at = pending_.find("\r\n", at + 2)) {
      if (strncasecmp(pending_.data() + at + 2, "content-length:", 15) == 0)
        length = std::stoul(pending_.substr(at + 17, pending_.find("\r\n", at + 2) - at - 17));
    }
    if (pending_.size() < header_end + 4 + length) return true;
    bool ok = pending_.compare(0, 12, "HTTP/1.1 200") == 0;
    std::string body = pending_.substr(header_end + 4, length);
    pending_.erase(0, header_end + 4 + length);
    if (!ok) {
      fail("HTTP error: " + body);
      return false;
    }
    if (posting_) {
      posting_ = false;
    } else {
      if (sid_.empty()) {
        auto at = body.find("\"sid\":\"");
        if (at == std::string::npos) {
          fail("no sid in " + body);
          return false;
        }
        sid_ = body.substr(at + 7, body.find('"', at + 7) - at - 7);
      }
      for (std::size_t start = 0; start <= body.size();) {
        auto end = body.find('\x1e', start);
        if (end == std::string::npos) end = body.size();
        sink_.on_packet(*this, std::string_view(body).substr(start, end - start));
        start = end + 1;
      }
      if (failed_) return false;
    }
    next();
    return true;
  }

  Target target_;
  std::string sid_, out_;
  std::vector<std::string> outbox_;
  bool posting_ = false;
};

}  // namespace

std::shared_ptr<Client> make_polling_client(asio::io_context& ctx, PacketSink& sink, std::size_t index) {
  return std::make_shared<PollingClient>(ctx, sink, index);
}

}  // namespace bench
