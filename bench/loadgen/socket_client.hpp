#pragma once
// What both transports of the load generator share: a TCP socket read only
// when the kernel says it is readable, into one buffer shared by every client
// (so that thousands of idle clients hold no buffer), and a failure reported once.

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include "client.hpp"

namespace bench {

class SocketClient : public Client, public std::enable_shared_from_this<SocketClient> {
 public:
  SocketClient(boost::asio::io_context& ctx, PacketSink& sink, std::size_t index) : Client(sink, index), socket_(ctx) {}
  void close() override;

 protected:
  // Handles what is complete at the front of pending_; false once failed.
  virtual bool consume() = 0;

  // Binds to `source`, connects to the server, then runs on_connected() and
  // waits for the socket to be readable. A failure is reported to the sink.
  void connect(const Target& target, const boost::asio::ip::address_v4& source, std::function<void()> on_connected);
  void wait_readable();
  void fail(const std::string& why);
  template <class T>
  std::shared_ptr<T> shared() {
    return std::static_pointer_cast<T>(shared_from_this());
  }

  boost::asio::ip::tcp::socket socket_;
  std::string pending_;  // bytes received and not handled yet
  bool failed_ = false;

 private:
  void on_readable();
};

}  // namespace bench
