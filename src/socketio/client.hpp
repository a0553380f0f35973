#pragma once
// Internal to socketio/: one Engine.IO session seen by the Socket.IO layer.
// It decodes packets, connects namespaces and routes packets to sockets.
// Lives on the session's shard.

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>

#include "engine/session.hpp"
#include "socketio/packet.hpp"
#include "socketio/server_core.hpp"
#include "socketio/socket.hpp"

namespace socketio {

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(ServerCore* server, std::shared_ptr<engine::Session> session);

  void start();
  std::size_t shard() const { return session_->shard(); }
  engine::Session& session() { return *session_; }
  ServerCore& server() { return *server_; }

  // Writes one encoded packet: the text, then its attachments.
  void write(const adapter::EncodedPacket& packet);
  void write_packet(const Packet& packet);
  // A socket left its namespace (either side sent DISCONNECT).
  void remove(const Socket& socket);
  // socket.disconnect(true): every namespace gets DISCONNECT, then the
  // Engine.IO session is closed.
  void close_all_namespaces();
  // Closes the Engine.IO session; every socket gets `reason`.
  void close(std::string_view reason = "forced close");

 private:
  void on_message(std::string&& data, bool binary);
  void on_packet(Packet packet);
  void connect(Packet packet);
  void connect_socket(const std::shared_ptr<Namespace>& nsp, boost::json::object auth);
  // `rooms` and `missed` are those of a recovered session (empty otherwise).
  void run_middlewares(const std::shared_ptr<Namespace>& nsp, const SocketPtr& socket, std::size_t index,
                       std::vector<std::string> rooms, std::vector<adapter::PacketPtr> missed);
  void finish_connect(const SocketPtr& socket, const std::vector<std::string>& rooms,
                      const std::vector<adapter::PacketPtr>& missed);
  void on_close(std::string_view reason);

  ServerCore* server_;
  std::shared_ptr<engine::Session> session_;
  Decoder decoder_;
  std::unordered_map<std::string, SocketPtr> sockets_;     // connected, by namespace
  std::unordered_map<std::string, SocketPtr> connecting_;  // in the middleware chain
  boost::asio::steady_timer connect_timer_;
  bool closed_ = false;
};

}  // namespace socketio
