#include "socketio/namespace.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapter/memory_adapter.hpp"
#include "socketio/encode.hpp"
#include "socketio/server_core.hpp"

namespace socketio {

Namespace::Namespace(ServerCore* server, std::string name)
    : server_(server),
      name_(std::move(name)),
      adapter_(server->options.adapter_factory ? server->options.adapter_factory(name_, server->pool)
                                               : std::make_unique<adapter::MemoryAdapter>(server->pool)) {}

Namespace& Namespace::use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
  return *this;
}

Namespace& Namespace::on_connection(ConnectionHandler handler) {
  auto handlers = std::make_shared<std::vector<ConnectionHandler>>(*connection_handlers_);  // copy on write
  handlers->push_back(std::move(handler));
  connection_handlers_ = std::move(handlers);
  return *this;
}

void Namespace::copy_handlers_from(const Namespace& parent) {
  middlewares_ = parent.middlewares_;
  connection_handlers_ = parent.connection_handlers_;
  dynamic_child_ = true;
}

void Namespace::server_side_emit(std::string event, Args args,
                                 std::function<void(AckError, std::vector<Args>)> callback) {
  boost::json::array data;
  data.reserve(args.values.size() + 1);
  data.emplace_back(event);
  for (auto& v : args.values) data.push_back(std::move(v));
  adapter::Adapter::ServerSideDone done;
  if (callback)
    done = [callback = std::move(callback)](std::optional<std::string> error,
                                            std::vector<adapter::AckResponse> answers) {
      std::vector<Args> responses;
      responses.reserve(answers.size());
      for (auto& a : answers) responses.emplace_back(std::move(a.args), std::move(a.buffers));
      callback(std::move(error), std::move(responses));
    };
  adapter_->server_side_emit(std::move(data), std::move(args.buffers), std::move(done));
}

Namespace& Namespace::on_server_side_emit(std::string event, EventHandler handler) {
  server_side_handlers_[std::move(event)] = std::move(handler);
  if (server_side_handlers_.size() == 1) {
    adapter_->on_server_side_emit([this](boost::json::array data, std::vector<std::string> buffers,
                                         std::function<void(adapter::AckResponse)> reply) {
      if (data.empty() || !data[0].is_string()) return;
      auto it = server_side_handlers_.find(std::string(data[0].as_string()));
      if (it == server_side_handlers_.end()) return;
      data.erase(data.begin());
      server_->pool.post(0, [handler = it->second, data = std::move(data), buffers = std::move(buffers),
                             reply = std::move(reply)]() mutable {
        Args args(std::move(data), std::move(buffers));
        Ack ack;
        if (reply) ack = Ack([reply](Args answer) { reply({std::move(answer.values), std::move(answer.buffers)}); });
        handler(args, ack);
      });
    });
  }
  return *this;
}

// ---- BroadcastOperator ----

BroadcastOperator BroadcastOperator::to(std::string room) const {
  auto copy = *this;
  copy.target_.rooms.push_back(std::move(room));
  return copy;
}

BroadcastOperator BroadcastOperator::to(const std::vector<std::string>& rooms) const {
  auto copy = *this;
  copy.target_.rooms.insert(copy.target_.rooms.end(), rooms.begin(), rooms.end());
  return copy;
}

BroadcastOperator BroadcastOperator::except(std::string room) const {
  auto copy = *this;
  copy.target_.except.push_back(std::move(room));
  return copy;
}

BroadcastOperator BroadcastOperator::except(const std::vector<std::string>& rooms) const {
  auto copy = *this;
  copy.target_.except.insert(copy.target_.except.end(), rooms.begin(), rooms.end());
  return copy;
}

BroadcastOperator BroadcastOperator::volatile_() const {
  auto copy = *this;
  copy.flags_.volatile_ = true;
  return copy;
}

BroadcastOperator BroadcastOperator::local() const {
  auto copy = *this;
  copy.target_.local = true;
  return copy;
}

BroadcastOperator BroadcastOperator::compress(bool value) const {
  auto copy = *this;
  copy.flags_.compress = value;
  return copy;
}

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds value) const {
  auto copy = *this;
  copy.timeout_ = value;
  return copy;
}

bool BroadcastOperator::emit(std::string event, Args args) const {
  if (is_reserved_event(event)) return false;
  auto& server = nsp_->server();
  adapter::PacketPtr packet;
  if (server.recovery && !flags_.volatile_) {
    // Recovery: the offset is the last argument, and the packet is kept.
    packet = server.recovery->store(nsp_->name(), target_, [&](const std::string& offset) {
      Args with_offset = args;
      with_offset.values.emplace_back(offset);
      return encode_event(nsp_->name(), event, with_offset);
    });
  } else {
    packet = encode_event(nsp_->name(), event, args);
  }
  nsp_->adapter().broadcast(std::move(packet), target_, flags_);
  return true;
}

bool BroadcastOperator::emit_with_ack(std::string event, Args args, BroadcastAckCallback callback) const {
  if (is_reserved_event(event)) return false;
  auto& server = nsp_->server();
  std::uint64_t id = nsp_->next_ack_id();  // one id for every recipient
  auto packet = encode_event(nsp_->name(), event, args, id);

  std::size_t shard = net::ShardPool::current_shard();
  if (shard == net::ShardPool::npos) shard = 0;
  auto ms = timeout_ ? *timeout_ : std::chrono::milliseconds(server.options.default_ack_timeout_ms);
  std::shared_ptr<boost::asio::steady_timer> timer;
  if (ms.count() > 0) timer = std::make_shared<boost::asio::steady_timer>(server.pool.context(shard));
  auto* pool = &server.pool;
  auto collector = std::make_shared<adapter::AckCollector>(
      nsp_->adapter().ack_parts(),
      [callback = std::move(callback), timer, pool, shard](bool timed_out, std::vector<adapter::AckResponse> answers) {
        if (timer) pool->post(shard, [timer] { timer->cancel(); });
        std::vector<Args> responses;
        responses.reserve(answers.size());
        for (auto& a : answers) responses.emplace_back(std::move(a.args), std::move(a.buffers));
        if (timed_out) callback(std::string("operation has timed out"), std::move(responses));
        else callback(std::nullopt, std::move(responses));
      });
  if (timer) {
    auto arm = [timer, ms, collector] {
      timer->expires_after(ms);
      timer->async_wait([timer, collector](boost::system::error_code ec) {
        if (!ec) collector->time_out();
      });
    };
    if (net::ShardPool::current_shard() == shard) arm();
    else pool->post(shard, arm);
  }
  nsp_->adapter().broadcast_with_ack(std::move(packet), id, target_, flags_, std::move(collector));
  return true;
}

void BroadcastOperator::fetch_sockets(std::function<void(std::vector<RemoteSocket>)> callback) const {
  nsp_->adapter().fetch_sockets(target_, [nsp = nsp_, callback = std::move(callback)](
                                             std::vector<boost::json::object> described) {
    std::vector<RemoteSocket> sockets;
    sockets.reserve(described.size());
    for (auto& d : described) {
      RemoteSocket s;
      s.id = std::string(d["id"].as_string());
      s.handshake = std::move(d["handshake"].as_object());
      for (const auto& r : d["rooms"].as_array()) s.rooms.emplace_back(r.as_string());
      s.data = std::move(d["data"]);
      s.nsp = nsp;
      sockets.push_back(std::move(s));
    }
    callback(std::move(sockets));
  });
}

void BroadcastOperator::sockets_join(std::vector<std::string> rooms) const {
  nsp_->adapter().add_sockets(target_, std::move(rooms));
}

void BroadcastOperator::sockets_leave(std::vector<std::string> rooms) const {
  nsp_->adapter().del_sockets(target_, std::move(rooms));
}

void BroadcastOperator::disconnect_sockets(bool close) const { nsp_->adapter().disconnect_sockets(target_, close); }

// ---- RemoteSocket ----

void RemoteSocket::emit(std::string event, Args args) const {
  BroadcastOperator(nsp).to(id).emit(std::move(event), std::move(args));
}
void RemoteSocket::join(std::string room) const { BroadcastOperator(nsp).to(id).sockets_join({std::move(room)}); }
void RemoteSocket::leave(std::string room) const { BroadcastOperator(nsp).to(id).sockets_leave({std::move(room)}); }
void RemoteSocket::disconnect(bool close) const { BroadcastOperator(nsp).to(id).disconnect_sockets(close); }

}  // namespace socketio
