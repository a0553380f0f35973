#include "adapter/redis/member.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace adapter::redis {

namespace json = boost::json;

// A request of ours waiting for the other nodes' answers (Redis thread).
struct Member::Pending {
  enum class Kind { fetch, rooms, server_side, ack } kind;
  std::size_t expected = 0;  // answers from the other servers
  std::size_t received = 0;
  std::vector<json::object> sockets;  // fetch
  std::vector<std::string> rooms;     // rooms
  std::vector<AckResponse> answers;   // server_side
  std::function<void(Pending&, bool timed_out)> finish;
  std::unique_ptr<boost::asio::steady_timer> timer;
  // ack: the collector the namespace waits on; the other servers' counts
  // arrive as parts of it once their number is known.
  std::weak_ptr<AckCollector> collector;
  bool counted = false;
  std::size_t remote_parts = 0, forwarded = 0;
  std::vector<std::size_t> early_counts;
};

Member::Member(std::shared_ptr<Cluster::Core> cluster, std::string nsp, net::ShardPool& pool)
    : cluster_(std::move(cluster)),
      nsp_(std::move(nsp)),
      uid_(random_uid()),
      channels_(cluster_->options.key, nsp_, uid_),
      local_(pool) {
  if (sharded() && cluster_->options.subscription_mode != SubscriptionMode::static_) watch_rooms();
}

// Dynamic modes: a room's channel is subscribed while some shard of this node
// has members in it. Counted on the Redis thread, in the order the shards saw it.
void Member::watch_rooms() {
  bool own_rooms = cluster_->options.subscription_mode == SubscriptionMode::dynamic_private;
  local_.watch_rooms(
      [this, own_rooms](const std::string& room, bool exists) {
        if (!own_rooms && looks_like_socket_id(room)) return;  // Node: public rooms only
        boost::asio::post(cluster_->context, [self = weak_from_this(), room, exists] {
          auto me = self.lock();
          if (!me) return;
          auto& shards = me->room_shards_[room];
          std::string channel = me->channels_.broadcast + room + "#";
          if (exists && ++shards == 1) return me->cluster_->subscribe_room(me, channel);
          if (!exists && shards > 0 && --shards == 0) {
            me->room_shards_.erase(room);
            me->cluster_->unsubscribe_room(channel);
          }
        });
      },
      own_rooms);
}

namespace {

json::array event_data(const EncodedPacket& packet) {
  json::array data;
  data.reserve(packet.args.size() + 1);
  data.emplace_back(packet.event);
  for (const auto& v : packet.args) data.push_back(v);
  return data;
}

// A socket described by another node, checked: BroadcastOperator reads it
// without checking, and the bytes came over Redis.
std::optional<json::object> checked_socket(const json::value& v) {
  auto* o = v.if_object();
  if (!o) return std::nullopt;
  auto* id = o->if_contains("id");
  if (!id || !id->is_string()) return std::nullopt;
  json::object s;
  s["id"] = *id;
  auto* handshake = o->if_contains("handshake");
  s["handshake"] = handshake && handshake->is_object() ? *handshake : json::object();
  json::array rooms;
  if (auto* r = o->if_contains("rooms"); r && r->is_array())
    for (const auto& room : r->as_array())
      if (room.is_string()) rooms.push_back(room);
  s["rooms"] = std::move(rooms);
  auto* data = o->if_contains("data");
  s["data"] = data ? *data : json::value();
  return s;
}

}  // namespace

// ---- outgoing ----

void Member::broadcast(PacketPtr packet, Target target, BroadcastFlags flags) {
  local_.broadcast(packet, target, flags);
  if (target.local) return;  // io.local: never on Redis
  if (!sharded()) {
    auto bytes = encode_broadcast(uid_, nsp_, event_data(*packet), packet->attachments, target, WireFlags{flags, {}});
    return cluster_->publish(channels_.broadcast_channel(target), std::move(bytes));
  }
  json::object data{{"packet", json::object{{"type", 2}, {"data", event_data(*packet)}}},
                    {"opts", encode_opts(target, nullptr)}};
  WireFlags wire{flags, {}};
  data["opts"].as_object()["flags"] = encode_opts({}, &wire)["flags"];
  // Node's computeChannel: one room gets its own channel in the dynamic modes.
  auto mode = cluster_->options.subscription_mode;
  bool room_channel = target.rooms.size() == 1 &&
                      ((mode == SubscriptionMode::dynamic && !looks_like_socket_id(target.rooms[0])) ||
                       mode == SubscriptionMode::dynamic_private);
  cluster_->publish(room_channel ? channels_.broadcast + target.rooms[0] + "#" : channels_.broadcast,
                    encode_sharded(ShardedType::broadcast, data, packet->attachments, uid_, nsp_));
}

void Member::broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                                std::shared_ptr<AckCollector> collector) {
  local_.broadcast_with_ack(packet, ack_id, target, flags, collector);
  if (target.local) return collector->part_done(0);  // the cluster's part: nobody
  json::object request;
  request["requestId"] = random_uid();
  json::object p;
  p["type"] = 2;
  p["data"] = event_data(*packet);
  if (!sharded()) p["nsp"] = nsp_;  // the sharded envelope carries it
  request["packet"] = std::move(p);
  request["opts"] = encode_opts(target, nullptr);
  request["opts"].as_object()["flags"] = json::object{};
  boost::asio::post(cluster_->context, [self = shared_from_this(), id = std::string(request["requestId"].as_string()),
                                        request = std::move(request), buffers = packet->attachments,
                                        collector = std::move(collector)]() mutable {
    auto pending = std::make_shared<Pending>();
    pending->kind = Pending::Kind::ack;
    pending->collector = collector;
    self->pending_[id] = pending;
    // Counted before the publish, on the same connection: the count is
    // known before any answer can come back.
    self->cluster_->server_count(self->count_channel(), [pending](std::size_t servers) {
      auto c = pending->collector.lock();
      if (!c) return;
      pending->remote_parts = servers > 1 ? servers - 1 : 0;
      c->add_parts(pending->remote_parts);
      pending->counted = true;
      for (auto n : pending->early_counts)
        if (pending->forwarded < pending->remote_parts) ++pending->forwarded, c->part_done(n);
      pending->early_counts.clear();
      c->part_done(0);  // the cluster's own part, now split into the servers'
    });
    self->publish_request(RequestType::broadcast, std::move(request), buffers);
    // Forgotten once the namespace stops waiting (its timeout) and lets go.
    pending->timer = std::make_unique<boost::asio::steady_timer>(self->cluster_->context);
    auto arm = std::make_shared<std::function<void()>>();
    *arm = [weak = std::weak_ptr<Member>(self), id, pending, arm] {
      pending->timer->expires_after(std::chrono::seconds(5));
      pending->timer->async_wait([weak, id, pending, arm](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        if (pending->collector.expired()) {
          self->pending_.erase(id);
          *arm = nullptr;  // breaks the cycle
          return;
        }
        (*arm)();
      });
    };
    (*arm)();
  });
}

void Member::fetch_sockets(Target target, std::function<void(std::vector<json::object>)> done) {
  bool local_only = target.local;
  auto opts = encode_opts(target);
  local_.fetch_sockets(std::move(target), [self = shared_from_this(), local_only, opts = std::move(opts),
                                           done = std::move(done)](std::vector<json::object> mine) mutable {
    if (local_only) return done(std::move(mine));
    boost::asio::post(self->cluster_->context, [self, opts = std::move(opts), done = std::move(done),
                                                mine = std::move(mine)]() mutable {
      auto pending = std::make_shared<Pending>();
      pending->kind = Pending::Kind::fetch;
      pending->sockets = std::move(mine);
      pending->finish = [done = std::move(done)](Pending& p, bool) { done(std::move(p.sockets)); };
      self->ask(RequestType::remote_fetch, json::object{{"opts", std::move(opts)}}, std::move(pending));
    });
  });
}

void Member::apply_remotely(RequestType type, const Target& target, std::vector<std::string> rooms, bool close) {
  // Applied here by the caller; the others apply it from Redis, and this
  // node drops its own copy by uid.
  json::object request{{"opts", encode_opts(target)}};
  if (type == RequestType::remote_disconnect) {
    request["close"] = close;
  } else {
    json::array list;
    for (auto& r : rooms) list.emplace_back(std::move(r));
    request["rooms"] = std::move(list);
  }
  boost::asio::post(cluster_->context, [self = shared_from_this(), type, request = std::move(request)]() mutable {
    self->publish_request(type, std::move(request), {});
  });
}

void Member::all_rooms(std::function<void(std::vector<std::string>)> done) {
  local_.all_rooms([self = shared_from_this(), done = std::move(done)](std::vector<std::string> mine) mutable {
    boost::asio::post(self->cluster_->context, [self, done = std::move(done), mine = std::move(mine)]() mutable {
      auto pending = std::make_shared<Pending>();
      pending->kind = Pending::Kind::rooms;
      pending->rooms = std::move(mine);
      pending->finish = [done = std::move(done)](Pending& p, bool) {
        std::sort(p.rooms.begin(), p.rooms.end());
        p.rooms.erase(std::unique(p.rooms.begin(), p.rooms.end()), p.rooms.end());
        done(std::move(p.rooms));
      };
      // The sharded adapter has no allRooms request: this node's rooms only.
      if (self->sharded()) return pending->finish(*pending, false);
      self->ask(RequestType::all_rooms, {}, std::move(pending));
    });
  });
}

void Member::server_side_emit(json::array data, std::vector<std::string> buffers, Adapter::ServerSideDone done) {
  boost::asio::post(cluster_->context, [self = shared_from_this(), data = std::move(data),
                                        done = std::move(done)]() mutable {
    json::object request{{"data", std::move(data)}};
    if (!done) return self->publish_request(RequestType::server_side_emit, std::move(request), {});
    auto pending = std::make_shared<Pending>();
    pending->kind = Pending::Kind::server_side;
    pending->finish = [done = std::move(done)](Pending& p, bool timed_out) {
      std::optional<std::string> error;
      if (timed_out)
        error = "timeout reached: only " + std::to_string(p.received) + " responses received out of " +
                std::to_string(p.expected);
      done(std::move(error), std::move(p.answers));
    };
    self->ask(RequestType::server_side_emit, std::move(request), std::move(pending));
  });
  (void)buffers;  // Node sends serverSideEmit as JSON: binary arguments do not cross
}

// Redis thread: counts the servers, and publishes unless this one is alone
// (then it finishes at once, as Node does without publishing).
void Member::ask(RequestType type, json::object request, std::shared_ptr<Pending> pending) {
  std::string id = random_uid();
  request["requestId"] = id;
  cluster_->server_count(count_channel(), [self = shared_from_this(), type, request = std::move(request),
                                           pending = std::move(pending), id](std::size_t servers) mutable {
    if (servers <= 1) return pending->finish(*pending, false);
    pending->expected = servers - 1;
    pending->timer = std::make_unique<boost::asio::steady_timer>(self->cluster_->context);
    pending->timer->expires_after(self->cluster_->options.requests_timeout);
    pending->timer->async_wait([weak = std::weak_ptr<Member>(self), id](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->complete(id, true);
    });
    self->pending_[id] = std::move(pending);
    self->publish_request(type, std::move(request), {});
  });
}

void Member::complete(const std::string& request_id, bool timed_out) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;
  auto pending = std::move(it->second);
  pending_.erase(it);
  if (pending->timer) pending->timer->cancel();
  if (timed_out) {
    ++cluster_->counters.request_timeouts;
    spdlog::warn("redis adapter: request {} on {}: {} of {} servers answered in time", request_id, nsp_,
                 pending->received, pending->expected);
  }
  if (pending->finish) pending->finish(*pending, timed_out);
}

// ---- incoming ----

bool Member::decoded(const std::optional<Message>& message, const std::string& error) {
  if (message) return true;
  auto n = ++cluster_->counters.decode_errors;
  if (n == 1 || n % 1000 == 0)
    spdlog::warn("redis adapter: dropped a malformed message on {} ({}; {} so far)", nsp_, error, n);
  return false;
}

// ---- the two protocols' envelopes ----

namespace {

// Moved through a local: inserting `to` may move the object's storage.
void rename_field(json::object& o, std::string_view from, std::string_view to) {
  auto* v = o.if_contains(from);
  if (!v) return;
  json::value moved = std::move(*v);
  o.erase(from);
  o[to] = std::move(moved);
}

ShardedType sharded_request_type(RequestType type, bool with_id) {
  switch (type) {
    case RequestType::remote_join: return ShardedType::sockets_join;
    case RequestType::remote_leave: return ShardedType::sockets_leave;
    case RequestType::remote_disconnect: return ShardedType::disconnect_sockets;
    case RequestType::remote_fetch: return ShardedType::fetch_sockets;
    case RequestType::server_side_emit: return ShardedType::server_side_emit;
    default: return ShardedType::broadcast;  // 7, and plain broadcasts
  }
  (void)with_id;
}

}  // namespace

void Member::post_answer(std::string requester, std::optional<RequestType> type, json::object body,
                         std::vector<std::string> buffers) {
  // Answers come from shard threads (fetch results, client acks).
  boost::asio::post(cluster_->context, [self = shared_from_this(), requester = std::move(requester), type,
                                        body = std::move(body), buffers = std::move(buffers)]() mutable {
    self->publish_answer(requester, type, std::move(body), buffers);
  });
}

std::string Member::count_channel() const { return sharded() ? channels_.broadcast : channels_.request; }

void Member::publish_request(RequestType type, json::object body, const std::vector<std::string>& buffers) {
  if (!sharded()) {
    body["uid"] = uid_;
    body["type"] = static_cast<int>(type);
    // Node sends every request as JSON but the broadcast with ack, which may carry binary.
    auto bytes = type == RequestType::broadcast ? encode_msgpack(body, buffers) : encode_json(body);
    return cluster_->publish(channels_.request, std::move(bytes));
  }
  if (type == RequestType::server_side_emit) rename_field(body, "data", "packet");  // {packet: [event, ...args]}
  auto sharded_type = sharded_request_type(type, body.contains("requestId"));
  cluster_->publish(channels_.broadcast, encode_sharded(sharded_type, body, buffers, uid_, nsp_));
}

void Member::publish_answer(const std::string& requester, std::optional<RequestType> type, json::object body,
                            const std::vector<std::string>& buffers) {
  if (!sharded()) {
    if (type) body["type"] = static_cast<int>(*type);
    bool binary = type == RequestType::broadcast_ack;
    auto bytes = binary ? encode_msgpack(body, buffers) : encode_json(body);
    // The answer to serverSideEmit always goes to the shared channel (Node ignores the option there).
    bool specific = cluster_->options.publish_on_specific_response_channel && !requester.empty() &&
                    type != RequestType::server_side_emit;
    return cluster_->publish(specific ? channels_.response + requester + "#" : channels_.response, std::move(bytes));
  }
  if (requester.empty()) return;  // the sharded protocol answers the requester's own channel
  ShardedType t = ShardedType::fetch_sockets_response;
  if (type == RequestType::server_side_emit) {
    t = ShardedType::server_side_emit_response;
    rename_field(body, "data", "packet");
  } else if (type == RequestType::broadcast_client_count) {
    t = ShardedType::broadcast_client_count;
  } else if (type == RequestType::broadcast_ack) {
    t = ShardedType::broadcast_ack;
  }
  cluster_->publish(channels_.broadcast + requester + "#", encode_sharded(t, body, buffers, uid_, nsp_));
}

// A sharded message, translated into the classic form the handlers read.
void Member::on_sharded(std::string_view payload) {
  std::string error;
  auto envelope = decode_message(payload, error);
  if (!decoded(envelope, error)) return;
  auto type = envelope->type();
  std::string uid = envelope->string_field("uid");
  auto* nsp = envelope->fields.if_contains("nsp");
  auto* data_value = envelope->fields.if_contains("data");
  if (!type || uid == uid_ || !nsp || !nsp->is_string() || nsp->as_string() != nsp_) return;  // ours, or another namespace's
  if (!data_value || !data_value->is_object()) return;  // heartbeats and the like carry none we use
  Message m;
  m.fields = std::move(data_value->as_object());
  m.buffers = std::move(envelope->buffers);
  m.fields["uid"] = uid;
  auto as_request = [&](RequestType t) {
    m.fields["type"] = static_cast<int>(t);
    handle_request(m);
  };
  auto as_response = [&](std::optional<RequestType> t) {
    if (t) m.fields["type"] = static_cast<int>(*t);
    else m.fields.erase("type");
    handle_response(m);
  };
  switch (static_cast<ShardedType>(*type)) {
    case ShardedType::broadcast: {
      if (m.fields.contains("requestId")) return as_request(RequestType::broadcast);
      auto* packet = m.fields.if_contains("packet");
      auto* data = packet && packet->is_object() ? packet->as_object().if_contains("data") : nullptr;
      if (!data || !data->is_array()) return (void)decoded(std::nullopt, "sharded broadcast: no packet.data");
      Message opts_only;
      if (auto* o = m.fields.if_contains("opts")) opts_only.fields["opts"] = *o;
      BroadcastFlags flags;
      if (auto* o = m.fields.if_contains("opts"); o && o->is_object())
        if (auto* f = o->as_object().if_contains("flags"); f && f->is_object()) {
          if (auto* v = f->as_object().if_contains("volatile"); v && v->is_bool()) flags.volatile_ = v->as_bool();
          if (auto* c = f->as_object().if_contains("compress"); c && c->is_bool()) flags.compress = c->as_bool();
        }
      return deliver(std::move(data->as_array()), std::move(m.buffers), opts_only.target(), flags);
    }
    case ShardedType::sockets_join: return as_request(RequestType::remote_join);
    case ShardedType::sockets_leave: return as_request(RequestType::remote_leave);
    case ShardedType::disconnect_sockets: return as_request(RequestType::remote_disconnect);
    case ShardedType::fetch_sockets: return as_request(RequestType::remote_fetch);
    case ShardedType::server_side_emit: rename_field(m.fields, "packet", "data"); return as_request(RequestType::server_side_emit);
    case ShardedType::fetch_sockets_response: return as_response(std::nullopt);
    case ShardedType::server_side_emit_response: rename_field(m.fields, "packet", "data"); return as_response(RequestType::server_side_emit);
    case ShardedType::broadcast_client_count: return as_response(RequestType::broadcast_client_count);
    case ShardedType::broadcast_ack: return as_response(RequestType::broadcast_ack);
    default: return;  // heartbeats, close: this member keeps no node list
  }
}

void Member::on_broadcast(std::string_view channel, std::string_view payload) {
  if (!channels_.room_of(channel)) return;
  if (auto uid = broadcast_uid(payload); uid && *uid == uid_) return;  // our own, echoed back
  std::string error;
  auto b = decode_broadcast(payload, error);
  if (!b) {
    decoded(std::nullopt, error);
    return;
  }
  if (b->uid == uid_ || b->nsp != nsp_) return;  // our own, or another namespace's
  deliver(std::move(b->data), std::move(b->buffers), std::move(b->target), b->flags);
}

void Member::deliver(json::array data, std::vector<std::string> buffers, Target target, BroadcastFlags flags) {
  auto packet = cluster_->encoder(nsp_, std::move(data), std::move(buffers), std::nullopt);
  if (packet) local_.broadcast(std::move(packet), std::move(target), flags);
  else decoded(std::nullopt, "broadcast: packet.data is not [event, ...args]");
}

void Member::on_request(std::string_view payload) {
  std::string error;
  auto message = decode_message(payload, error);
  if (decoded(message, error)) handle_request(*message);
}

void Member::on_response(std::string_view payload) {
  std::string error;
  auto message = decode_message(payload, error);
  if (decoded(message, error)) handle_response(*message);
}

void Member::handle_request(Message& m) {
  auto* message = &m;
  auto type = message->type();
  if (!type) return;
  std::string uid = message->string_field("uid");
  std::string id = message->string_field("requestId");
  bool ours = uid == uid_;
  auto self = shared_from_this();
  switch (static_cast<RequestType>(*type)) {
    case RequestType::sockets: {  // legacy allSockets(): ids only
      if (pending_.count(id) || id.empty()) return;
      Target t;
      t.rooms = message->strings("rooms");
      local_.fetch_sockets(std::move(t), [self, id, uid](std::vector<json::object> found) {
        json::array ids;
        for (auto& s : found) ids.push_back(s["id"]);
        self->post_answer(uid, std::nullopt, json::object{{"requestId", id}, {"sockets", std::move(ids)}});
      });
      return;
    }
    case RequestType::all_rooms:
      if (pending_.count(id) || id.empty()) return;
      local_.all_rooms([self, id, uid](std::vector<std::string> rooms) {
        json::array list;
        for (auto& r : rooms) list.emplace_back(std::move(r));
        self->post_answer(uid, std::nullopt, json::object{{"requestId", id}, {"rooms", std::move(list)}});
      });
      return;
    case RequestType::remote_join:
    case RequestType::remote_leave:
    case RequestType::remote_disconnect: {
      if (ours) return;  // applied when it was asked
      Target target = message->target();
      std::vector<std::string> rooms = message->strings("rooms");
      if (!message->fields.contains("opts")) {
        // The legacy form: one socket by id.
        auto sid = message->string_field("sid");
        if (sid.empty()) return;
        target = Target{{sid}, {}, false};
        if (auto room = message->string_field("room"); !room.empty()) rooms = {room};
      }
      if (*type == static_cast<int>(RequestType::remote_join)) return local_.add_sockets(std::move(target), std::move(rooms));
      if (*type == static_cast<int>(RequestType::remote_leave)) return local_.del_sockets(std::move(target), std::move(rooms));
      auto* close = message->fields.if_contains("close");
      return local_.disconnect_sockets(std::move(target), close && close->is_bool() && close->as_bool());
    }
    case RequestType::remote_fetch:
      if (pending_.count(id) || id.empty()) return;
      local_.fetch_sockets(message->target(), [self, id, uid](std::vector<json::object> found) {
        json::array sockets;
        for (auto& s : found) sockets.emplace_back(std::move(s));
        self->post_answer(uid, std::nullopt, json::object{{"requestId", id}, {"sockets", std::move(sockets)}});
      });
      return;
    case RequestType::server_side_emit: {
      if (ours || !server_side_handler_) return;
      auto* data = message->fields.if_contains("data");
      if (!data || !data->is_array() || data->as_array().empty()) return;
      std::function<void(AckResponse)> reply;
      if (!id.empty()) {
        // Once, always on the shared channel (Node ignores the specific one here).
        auto once = std::make_shared<std::atomic<bool>>(false);
        reply = [self, id, uid, once](AckResponse r) {
          if (once->exchange(true)) return;
          json::object f{{"requestId", id}, {"data", r.args.empty() ? json::value() : r.args[0]}};
          self->post_answer(uid, RequestType::server_side_emit, std::move(f));
        };
      }
      server_side_handler_(std::move(data->as_array()), std::move(message->buffers), std::move(reply));
      return;
    }
    case RequestType::broadcast:
      if (pending_.count(id) || id.empty()) return;
      return relay_broadcast_with_ack(*message);
    default:
      return;  // unknown types are ignored, as in Node
  }
}

// Another node's broadcast with ack: delivered here, then our count (once,
// even 0) and each client's answer go back to it.
void Member::relay_broadcast_with_ack(Message& request) {
  auto* packet = request.fields.if_contains("packet");
  auto* data = packet && packet->is_object() ? packet->as_object().if_contains("data") : nullptr;
  if (!data || !data->is_array() || data->as_array().empty() || !data->as_array()[0].is_string()) {
    decoded(std::nullopt, "broadcast with ack: packet.data is not [event, ...args]");
    return;
  }
  std::string id = request.string_field("requestId");
  std::string requester = request.string_field("uid");
  Target target = request.target();
  BroadcastFlags flags;
  std::chrono::milliseconds wait = cluster_->options.requests_timeout;
  if (auto* opts = request.fields.if_contains("opts"); opts && opts->is_object()) {
    if (auto* f = opts->as_object().if_contains("flags"); f && f->is_object()) {
      if (auto* v = f->as_object().if_contains("volatile"); v && v->is_bool()) flags.volatile_ = v->as_bool();
      if (auto* t = f->as_object().if_contains("timeout"); t && t->is_number()) {
        boost::system::error_code ec;
        auto ms = t->to_number<double>(ec);
        if (!ec && ms > 0 && ms < 24 * 3600 * 1000.0) wait = std::chrono::milliseconds(static_cast<long long>(ms));
      }
    }
  }
  std::uint64_t ack_id = next_ack_id_.fetch_add(1);
  auto encoded = cluster_->encoder(nsp_, std::move(data->as_array()), std::move(request.buffers), ack_id);
  if (!encoded) return;
  auto self = shared_from_this();
  auto relay = std::make_shared<AckCollector>(
      local_.ack_parts(),
      [self, id, requester](std::size_t recipients) {
        self->post_answer(requester, RequestType::broadcast_client_count,
                          json::object{{"requestId", id}, {"clientCount", recipients}});
      },
      [self, id, requester](AckResponse r) {
        json::object f{{"requestId", id}, {"packet", r.args.empty() ? json::value() : r.args[0]}};
        self->post_answer(requester, RequestType::broadcast_ack, std::move(f), std::move(r.buffers));
      });
  // The requester stops listening after its timeout: so do we.
  auto timer = std::make_shared<boost::asio::steady_timer>(cluster_->context, wait);
  timer->async_wait([timer, relay](boost::system::error_code) { relay->time_out(); });
  local_.broadcast_with_ack(std::move(encoded), ack_id, std::move(target), flags, std::move(relay));
}

void Member::handle_response(Message& m) {
  auto* message = &m;
  std::string id = message->string_field("requestId");
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // another node's request, or one that timed out
  auto pending = it->second;
  auto type = message->type();
  if (pending->kind == Pending::Kind::ack) {
    auto collector = pending->collector.lock();
    if (!collector) {
      pending_.erase(it);
      return;
    }
    if (type == static_cast<int>(RequestType::broadcast_client_count)) {
      auto* n = message->fields.if_contains("clientCount");
      std::size_t count = n && n->is_int64() && n->as_int64() > 0 ? static_cast<std::size_t>(n->as_int64()) : 0;
      if (!pending->counted) return pending->early_counts.push_back(count);
      if (pending->forwarded >= pending->remote_parts) return;  // more servers answered than were counted
      ++pending->forwarded;
      collector->part_done(count);
    } else if (type == static_cast<int>(RequestType::broadcast_ack)) {
      auto* p = message->fields.if_contains("packet");
      collector->add_response(AckResponse{json::array{p ? *p : json::value()}, std::move(message->buffers)});
    }
    return;
  }
  // Node counts any answer with the id, even one without the expected field.
  ++pending->received;
  switch (pending->kind) {
    case Pending::Kind::fetch:
      if (auto* s = message->fields.if_contains("sockets"); s && s->is_array())
        for (const auto& v : s->as_array())
          if (auto socket = checked_socket(v)) pending->sockets.push_back(std::move(*socket));
      break;
    case Pending::Kind::rooms:
      for (auto& r : message->strings("rooms")) pending->rooms.push_back(std::move(r));
      break;
    case Pending::Kind::server_side:
      if (type == static_cast<int>(RequestType::server_side_emit)) {
        auto* d = message->fields.if_contains("data");
        pending->answers.push_back(AckResponse{json::array{d ? *d : json::value()}, std::move(message->buffers)});
      }
      break;
    case Pending::Kind::ack:
      break;
  }
  if (pending->received >= pending->expected) complete(id, false);
}

}  // namespace adapter::redis
