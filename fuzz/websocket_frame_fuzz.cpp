// RFC 6455 frames from a client, read by the real plain WebSocket connection
// (src/net/plain_websocket_connection.cpp, which uses websocket_frame.hpp's
// parser) over a socketpair: header parsing, the protocol checks, unmasking,
// fragments, control frames, close frames, UTF-8 checks and message limits.
//
// Input: one byte of settings, then the bytes the client sends. The low two
// bits pick the connection's largest message; the other six the size of the
// writes the bytes arrive in (0: one write), so that frames also arrive
// split across reads.

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/plain_websocket_connection.hpp"
#include "net/websocket_connection.hpp"

#include "check.hpp"

namespace {

struct Listener final : net::WebSocketListener {
  std::size_t max_message_size = 0;
  bool closed = false;
  void on_ws_message(net::WebSocketConnection&, std::string&& data, bool) override {
    FUZZ_CHECK(!closed && data.size() <= max_message_size);
  }
  void on_ws_closed(net::WebSocketConnection&, net::WebSocketCloseKind, std::string) override {
    FUZZ_CHECK(!closed);
    closed = true;
  }
};

void run_ready(boost::asio::io_context& context) {
  context.restart();
  while (context.poll() > 0) {
  }
}

// Reads what the server wrote, so that its writes never block.
void drain(int fd) {
  char buffer[64 * 1024];
  while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static boost::asio::io_context context;
  static constexpr std::size_t limits[] = {125, 1000, 65536, 1'000'000};
  std::size_t max_message_size = limits[data[0] & 3];
  std::size_t chunk = data[0] >> 2;
  const char* bytes = reinterpret_cast<const char*>(data) + 1;
  std::size_t length = size - 1;
  if (chunk == 0) chunk = length + 1;

  int fds[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  boost::asio::ip::tcp::socket socket(context);
  socket.assign(boost::asio::ip::tcp::v4(), fds[0]);
  auto listener = std::make_shared<Listener>();
  listener->max_message_size = max_message_size;
  auto ws = net::open_plain_websocket(std::move(socket), 0, max_message_size, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
  ws->start(listener);
  run_ready(context);

  for (std::size_t at = 0; at < length && !listener->closed; at += chunk) {
    std::size_t n = std::min(chunk, length - at);
    if (::send(fds[1], bytes + at, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) break;
    run_ready(context);
    drain(fds[1]);
  }
  ::close(fds[1]);
  run_ready(context);
  FUZZ_CHECK(listener->closed);
  return 0;
}
