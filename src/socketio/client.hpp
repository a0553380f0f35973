#pragma once
// Internal to socketio/: one Engine.IO session seen by the Socket.IO layer.
// It decodes packets, connects namespaces and routes packets to sockets.
// Lives on the session's shard.

#include <boost/container/small_vector.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.hpp"
#include "net/fifo_timer.hpp"
#include "socketio/packet.hpp"
#include "socketio/server_core.hpp"
#include "socketio/socket.hpp"

namespace socketio {

// A client's sockets, one per namespace. A client uses one namespace or a few:
// a vector searched by name is smaller and faster than a hash map, and the
// first socket is kept inline: most clients never allocate for the list.
class SocketsByNamespace {
 public:
  using List = boost::container::small_vector<SocketPtr, 1>;
  Socket* find(std::string_view nsp) const;
  bool contains(std::string_view nsp) const { return find(nsp) != nullptr; }
  void put(SocketPtr socket);  // replaces the socket of the same namespace
  void erase(std::string_view nsp);
  bool empty() const { return sockets_.empty(); }
  List take() { return std::exchange(sockets_, {}); }
  const List& all() const { return sockets_; }

 private:
  List sockets_;
};

// The connect timeout is the client's Deadline, on its shard's FifoTimer. The
// session holds the client (its listener) until it has closed.
class Client final : public net::Deadline, public engine::SessionListener, public std::enable_shared_from_this<Client> {
 public:
  Client(ServerCore* server, std::shared_ptr<engine::Session> session);

  void start();
  std::size_t shard() const { return session_->shard(); }
  engine::Session& session() { return *session_; }
  ServerCore& server() { return *server_; }

  // Writes one encoded packet: the text, then its attachments.
  void write(const adapter::EncodedPacket& packet);
  void write(std::string_view text, const std::vector<std::string>& attachments = {});
  void write_packet(const Packet& packet);
  // A socket left its namespace (either side sent DISCONNECT).
  void remove(const Socket& socket);
  // socket.disconnect(true): every namespace gets DISCONNECT, then the
  // Engine.IO session is closed.
  void close_all_namespaces();
  // Closes the Engine.IO session; every socket gets `reason`.
  void close(std::string_view reason = "forced close");

 private:
  void on_session_message(std::string&& data, bool binary) override;
  void on_session_close(std::string_view reason, std::string_view description) override;
  void on_packet(Packet packet);
  void connect(Packet packet);
  void connect_socket(const std::shared_ptr<Namespace>& nsp, boost::json::object auth);
  // `rooms` and `missed` are those of a recovered session (empty otherwise).
  void run_middlewares(const std::shared_ptr<Namespace>& nsp, const SocketPtr& socket, std::size_t index,
                       std::vector<std::string> rooms, std::vector<adapter::PacketPtr> missed);
  void finish_connect(const SocketPtr& socket, const std::vector<std::string>& rooms,
                      const std::vector<adapter::PacketPtr>& missed);
  void on_close(std::string_view reason);
  void on_deadline() override;  // the connect timeout

  ServerCore* server_;
  std::shared_ptr<engine::Session> session_;
  Decoder decoder_;
  SocketsByNamespace sockets_;     // connected
  SocketsByNamespace connecting_;  // in the middleware chain
  bool closed_ = false;
};

}  // namespace socketio
