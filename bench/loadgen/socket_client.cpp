#include "socket_client.hpp"

#include <netinet/in.h>

namespace bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

char shared_read_buffer[256 * 1024];

// Opens a socket bound to `source` with any port, without reserving the port
// at bind time (IP_BIND_ADDRESS_NO_PORT), so each address pair has ~28k ports.
boost::system::error_code open_from(tcp::socket& socket, const asio::ip::address_v4& source) {
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (ec) return ec;
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.set_option(tcp::no_delay(true), ec);
  socket.bind(tcp::endpoint(source, 0), ec);
  return ec;
}

}  // namespace

void SocketClient::connect(const Target& target, const asio::ip::address_v4& source,
                           std::function<void()> on_connected) {
  if (auto ec = open_from(socket_, source)) return sink_.on_failed(*this, "bind: " + ec.message());
  socket_.async_connect(
      target.server, [self = shared_from_this(), on_connected = std::move(on_connected)](boost::system::error_code ec) {
        if (self->failed_) return;  // closed meanwhile
        if (ec) return self->sink_.on_failed(*self, "connect: " + ec.message());
        self->socket_.non_blocking(true);
        on_connected();
        self->wait_readable();
      });
}

void SocketClient::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return self->fail("wait: " + ec.message());
    self->on_readable();
  });
}

void SocketClient::on_readable() {
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(shared_read_buffer), ec);
    if (ec == asio::error::would_block) break;
    if (ec) return fail(ec == asio::error::eof ? "closed by server" : "read: " + ec.message());
    pending_.append(shared_read_buffer, n);
    if (!consume()) return;
    if (n < sizeof shared_read_buffer) break;
  }
  if (pending_.empty()) std::string().swap(pending_);
  wait_readable();
}

void SocketClient::close() {
  failed_ = true;  // pending waits end with an error that fail() now ignores
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void SocketClient::fail(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  sink_.on_failed(*this, why);
}

}  // namespace bench
