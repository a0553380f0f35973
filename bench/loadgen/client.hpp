#pragma once
// One simulated Socket.IO client of the load generator, over WebSocket or
// long-polling. Transports hand every Engine.IO packet they receive to a
// PacketSink; the scenario logic lives there, the same for both transports.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace bench {

class Client;

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(Client& client, std::string_view packet) = 0;
  virtual void on_failed(Client& client, const std::string& why) = 0;
};

struct Target {
  boost::asio::ip::tcp::endpoint server;
  std::string host;  // Host header
  std::string path = "/socket.io/";
};

class Client {
 public:
  Client(PacketSink& sink, std::size_t index) : sink_(sink), index_(index) {}
  virtual ~Client() = default;
  // Connects from `source` (any port) and starts the Engine.IO handshake.
  virtual void start(const Target& target, const boost::asio::ip::address_v4& source) = 0;
  // Sends one Engine.IO packet (type digit included).
  virtual void send(std::string_view packet) = 0;
  // Closes the connection at once (no close packet, as a browser tab that
  // goes away); the sink hears nothing more from this client.
  virtual void close() = 0;
  std::size_t index() const { return index_; }

 protected:
  PacketSink& sink_;
  std::size_t index_;
};

std::shared_ptr<Client> make_websocket_client(boost::asio::io_context& ctx, PacketSink& sink, std::size_t index);
std::shared_ptr<Client> make_polling_client(boost::asio::io_context& ctx, PacketSink& sink, std::size_t index);

}  // namespace bench
