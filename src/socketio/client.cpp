#include "socketio/client.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "adapter/broadcast_batch.hpp"
#include "engine/sid.hpp"
#include "metrics/counters.hpp"
#include "socketio/namespace.hpp"

namespace socketio {

Socket* SocketsByNamespace::find(std::string_view nsp) const {
  for (const auto& socket : sockets_)
    if (socket->nsp() == nsp) return socket.get();
  return nullptr;
}

void SocketsByNamespace::put(SocketPtr socket) {
  erase(socket->nsp());
  sockets_.push_back(std::move(socket));
}

void SocketsByNamespace::erase(std::string_view nsp) {
  // put() keeps one socket per namespace: at most one to erase.
  auto it = std::find_if(sockets_.begin(), sockets_.end(), [nsp](const SocketPtr& s) { return s->nsp() == nsp; });
  if (it == sockets_.end()) return;
  sockets_.erase(it);
  if (sockets_.empty() && sockets_.capacity() > 1) sockets_.shrink_to_fit();  // back inline: no empty buffer kept
}

Client::Client(ServerCore* server, std::shared_ptr<engine::Session> session)
    : server_(server), session_(std::move(session)), decoder_(server->options.max_attachments) {}

void Client::start() {
  session_->set_listener(shared_from_this());  // holds this client until the session has closed
  server_->connect_timer(shard()).arm(*this);
}

// No namespace connected in time: the client is of no use.
void Client::on_deadline() {
  if (closed_ || !sockets_.empty() || !connecting_.empty()) return;
  close("forced close");
}

void Client::write(const adapter::EncodedPacket& packet) { write(packet.text, packet.attachments); }

void Client::write(std::string_view text, const std::vector<std::string>& attachments) {
  adapter::flush_broadcasts();  // a broadcast made before this write arrives before it
  if (closed_) return;
  session_->send(text, false);
  std::size_t bytes = text.size();
  for (const auto& attachment : attachments) {
    session_->send(attachment, true);
    bytes += attachment.size();
  }
  metrics::add(metrics::Counter::packets_out);
  metrics::add(metrics::Counter::bytes_out, bytes);
}

void Client::write_packet(const Packet& packet) {
  adapter::EncodedPacket encoded;
  encoded.text = encode_text(packet);
  encoded.attachments = packet.attachments;
  write(encoded);
}

void Client::on_session_close(std::string_view reason, std::string_view) { on_close(reason); }

void Client::on_session_message(std::string&& data, bool binary) {
  metrics::add(metrics::Counter::bytes_in, data.size());
  auto result = binary ? decoder_.add_binary(std::move(data)) : decoder_.add_text(data);
  if (!result) {
    // A malformed packet ends this client only. Its sockets see "parse
    // error"; the connection closes as Node's conn.close() does (what is
    // queued goes first), not as an Engine.IO error.
    if (closed_) return;
    auto keep_alive = shared_from_this();
    on_close("parse error");
    return session_->close("forced close");
  }
  if (*result) on_packet(std::move(**result));
}

void Client::on_packet(Packet packet) {
  metrics::add(metrics::Counter::packets_in);
  Socket* found = sockets_.find(packet.nsp);
  if (packet.type == PacketType::connect) {
    // A second CONNECT for a namespace is a protocol violation, as in Node.
    if (found || connecting_.contains(packet.nsp)) return close("forced close");
    return connect(std::move(packet));
  }
  if (!found || packet.type == PacketType::connect_error) return close("forced close");
  SocketPtr socket = found->shared_from_this();
  switch (packet.type) {
    case PacketType::event: {
      auto& values = packet.data.as_array();
      std::string event = values[0].is_string() ? std::string(values[0].as_string())
                                                : boost::json::serialize(values[0]);  // numeric event names
      values.erase(values.begin());
      socket->on_packet_event(Args(std::move(values), std::move(packet.attachments)), std::move(event), packet.id);
      break;
    }
    case PacketType::ack:
      if (packet.id)
        socket->on_packet_ack(*packet.id, Args(std::move(packet.data.as_array()), std::move(packet.attachments)));
      break;
    case PacketType::disconnect:
      socket->on_closed("client namespace disconnect");
      break;
    default:
      break;
  }
}

void Client::connect(Packet packet) {
  boost::json::object auth = packet.data.is_object() ? std::move(packet.data.as_object()) : boost::json::object{};
  auto nsp = server_->find_namespace(packet.nsp, auth);
  if (!nsp) {
    metrics::add(metrics::Counter::refused_namespace);
    // The connection stays: the client may use other namespaces.
    write_packet(Packet{PacketType::connect_error,
                        packet.nsp,
                        std::nullopt,
                        boost::json::object{{"message", "Invalid namespace"}},
                        {}});
    return;
  }
  connect_socket(nsp, std::move(auth));
}

void Client::connect_socket(const std::shared_ptr<Namespace>& nsp, boost::json::object auth) {
  auto self = shared_from_this();
  if (server_->recovery) {
    auto* pid = auth.if_contains("pid");
    auto* offset = auth.if_contains("offset");
    if (pid && pid->is_string() && offset && offset->is_string()) {
      auto restored =
          server_->recovery->restore(std::string(pid->as_string()), std::string(offset->as_string()), nsp->name());
      if (restored) {
        auto socket = std::make_shared<Socket>(nsp, self, restored->session.sid,
                                               Handshake(session_->shared_handshake(), std::move(auth)));
        socket->set_pid(restored->session.pid);
        socket->data = std::move(restored->session.data);
        connecting_.put(socket);
        auto rooms = std::move(restored->session.rooms);
        auto missed = std::move(restored->missed);
        if (server_->recovery->options().skip_middlewares) return finish_connect(socket, rooms, missed);
        return run_middlewares(nsp, socket, 0, std::move(rooms), std::move(missed));
      }
    }
  }
  auto socket = std::make_shared<Socket>(nsp, self, engine::generate_sid(shard()),
                                         Handshake(session_->shared_handshake(), std::move(auth)));
  if (server_->recovery) socket->set_pid(engine::generate_sid(shard()));
  connecting_.put(socket);
  run_middlewares(nsp, socket, 0, {}, {});
}

void Client::run_middlewares(const std::shared_ptr<Namespace>& nsp, const SocketPtr& socket, std::size_t index,
                             std::vector<std::string> rooms, std::vector<adapter::PacketPtr> missed) {
  if (closed_) return;
  const auto& middlewares = nsp->middlewares();
  if (index == middlewares.size()) return finish_connect(socket, rooms, missed);
  auto once = std::make_shared<bool>(false);
  auto next = [self = shared_from_this(), nsp, socket, index, rooms, missed, once](std::optional<ConnectError> error) {
    if (*once) return;
    *once = true;
    auto go_on = [self, nsp, socket, index, rooms, missed, error] {
      if (self->closed_) return;
      if (error) {
        using Cause = ConnectError::Cause;
        metrics::add(error->cause == Cause::auth               ? metrics::Counter::refused_auth
                     : error->cause == Cause::user_connections ? metrics::Counter::refused_user_limit
                                                               : metrics::Counter::refused_middleware);
        self->connecting_.erase(nsp->name());
        boost::json::object payload{{"message", error->message}};
        if (!error->data.is_null()) payload["data"] = error->data;
        self->write_packet(Packet{PacketType::connect_error, nsp->name(), std::nullopt, std::move(payload), {}});
        return;
      }
      self->run_middlewares(nsp, socket, index + 1, rooms, missed);
    };
    // A middleware may answer later, from any thread: continue on the shard.
    if (net::ShardPool::current_shard() == self->shard())
      go_on();
    else
      self->server_->pool.post(self->shard(), go_on);
  };
  try {
    middlewares[index](socket, next);
  } catch (const std::exception& e) {
    next(ConnectError{e.what(), {}});
  }
}

void Client::finish_connect(const SocketPtr& socket, const std::vector<std::string>& rooms,
                            const std::vector<adapter::PacketPtr>& missed) {
  connecting_.erase(socket->nsp());
  if (closed_) return;
  bool recovered = !socket->pid().empty() && !rooms.empty();
  sockets_.put(socket);
  socket->on_connected(recovered);
  auto& index = socket->core()->adapter().local_rooms();
  index.add_socket(socket.get());
  for (const auto& room : rooms) index.add(socket.get(), room);
  // Missed packets go first, then the CONNECT, as Node does.
  for (const auto& packet : missed) write(*packet);
  // Encoded in a buffer of the thread's: the session copies it at once.
  thread_local std::string answer;
  encode_connect_to(answer, socket->nsp(), socket->id(), socket->pid());
  write(answer);
  auto handlers = socket->core()->connection_handlers();
  for (const auto& handler : *handlers) {
    if (!socket->connected()) break;
    handler(socket);
  }
}

void Client::remove(const Socket& socket) {
  if (sockets_.find(socket.nsp()) == &socket) sockets_.erase(socket.nsp());
}

void Client::close_all_namespaces() {
  for (const auto& socket : SocketsByNamespace::List(sockets_.all())) socket->disconnect(false);
  close("forced close");
}

void Client::close(std::string_view reason) {
  if (closed_) return;
  auto keep_alive = shared_from_this();  // the session lets go of this client as it closes
  session_->close(reason);               // calls on_close() with the reason
  if (!closed_) on_close(reason);
}

void Client::on_close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  disarm();  // the connect timeout
  auto sockets = sockets_.take();
  connecting_.take();
  for (auto& socket : sockets) socket->on_closed(reason);
  // Freed in a later handler, not now: this close may come from a write in
  // the middle of a broadcast to one of these sockets (its client went past
  // the buffer limit), which then finds it disconnected, not destroyed.
  server_->pool.post(shard(), [sockets = std::move(sockets)] {});
}

}  // namespace socketio
