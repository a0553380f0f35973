// What clients send, by the names of the deployment's vocabulary
// (options.events, service/vocabulary.hpp): joins and leaves, typing, room
// messages. Direct messages and relay rules are in their own files.

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <optional>

#include "net/json_text.hpp"
#include "net/shard_pool.hpp"
#include "service/connection.hpp"
#include "service/log.hpp"

namespace service {

using socketio::Ack;
using socketio::Args;
namespace json = boost::json;

namespace {

// The field an action's room comes from, for "<field> is required".
std::string field_of(const RoomArg& arg) {
  auto f = template_field(arg.room);
  return f.empty() ? "roomId" : f;
}

bool in_room(const socketio::Socket& s, const std::string& room) {
  auto rooms = s.rooms();
  return std::find(rooms.begin(), rooms.end(), room) != rooms.end();
}

json::value user_id_value(const std::string& id) { return id.empty() ? json::value() : json::value(id); }

// The payload's own id field ("channelId": "c1") beside roomId in what the
// room hears, so a client that spoke of channels hears of channels.
void add_template_field(json::object& out, const RoomArg& arg, const Args& args) {
  auto f = template_field(arg.room);
  if (f.empty() || f == "roomId" || args.size() == 0) return;
  if (args[0].is_object()) {
    if (auto* v = args[0].as_object().if_contains(f)) out[f] = *v;
  } else if (f == arg.bare) {
    out[f] = args[0];
  }
}

}  // namespace

std::function<void(std::string)> error_answer(const socketio::SocketPtr& s, const std::string& error_event,
                                              std::string event, Ack ack) {
  return [weak = std::weak_ptr<socketio::Socket>(s), error_event, event = std::move(event),
          ack = std::move(ack)](std::string message) {
    if (ack) ack(Args::of(json::object{{"success", false}, {"error", message}}));
    if (auto s = weak.lock())
      s->emit(error_event, Args::of(json::object{{"message", std::move(message)}, {"event", event}}));
  };
}

std::string content_error(const json::object& body, const std::string& field, std::size_t max) {
  auto* content = body.if_contains(field);
  if (!content || !content->is_string() || content->as_string().empty()) return field + " must be a non-empty string";
  if (content->as_string().size() > max) return field + " is longer than " + std::to_string(max) + " bytes";
  return {};
}

void RealtimeService::send_error(const socketio::SocketPtr& s, const std::string& event, std::string message) const {
  s->emit(options_.events.error, Args::of(json::object{{"message", std::move(message)}, {"event", event}}));
}

void RealtimeService::attach_events(const socketio::SocketPtr& socket, const std::shared_ptr<Connection>& connection) {
  socket->on_any([this, connection](const std::string& event, const Args& args) {
    connection->last_activity = now_ms();
    messages_received_++;
    // Payloads only at debug level: they may hold personal data.
    if (spdlog::should_log(spdlog::level::debug))
      log_event(spdlog::level::debug, "event",
                {{"socket", connection->socket_id}, {"event", event}, {"payload", net::json_text(args.values)}});
  });
  if (options_.event_rate_limit > 0) limit_events(socket);
  // Two plain pointers: the dispatcher copies without allocating on every
  // event. The connection lives while the socket is connected (the
  // disconnect handler holds it), and dispatchers run only then.
  socket->on_dispatch([this, c = connection.get()](const std::string& event, Args& args, const Ack& ack) {
    route(*c, event, args, ack);
  });
  socket->on_disconnect([this, connection](std::string_view reason) { on_socket_closed(connection, reason); });
}

void RealtimeService::route(Connection& c, const std::string& event, Args& args, const Ack& ack) {
  auto it = routes_->by_name.find(event);
  if (it == routes_->by_name.end()) return;
  auto s = c.socket.lock();
  if (!s) return;
  auto connection = c.shared_from_this();
  for (const auto& handler : it->second) handler(s, connection, event, args, ack);
}

std::unique_ptr<RealtimeService::Routes> RealtimeService::build_routes() {
  auto routes = std::make_unique<Routes>();
  auto add = [&](const std::string& name, Routes::Handler h) { routes->by_name[name].push_back(std::move(h)); };
  const auto& v = options_.events;
  // Handlers hold pointers to their actions: options_ lives as long as the service.
  auto rooms = [&](const RoomAction& a, bool joining) {
    for (const auto& name : a.names) {
      bool announce = std::find(a.announce.begin(), a.announce.end(), name) != a.announce.end();
      add(name, [this, a = &a, joining, announce](const auto& s, const auto& c, const auto& event, Args& args,
                                                  const Ack& ack) {
        change_room(s, c, event, room_from_payload(a->arg, args), ack, joining, announce, a->arg);
      });
    }
  };
  rooms(v.join_room, true);
  rooms(v.leave_room, false);
  // Seed 002's subscriptions: order:{id} and product:{id}, joined as any room.
  static const RoomArg order{"order:{roomId}", "roomId"}, product{"product:{roomId}", "roomId"};
  for (const auto& [name, room] : {std::pair{"subscribe_order", &order}, std::pair{"subscribe_inventory", &product}})
    add(name, [this, arg = room](const auto& s, const auto& c, const auto& event, Args& args, const Ack& ack) {
      change_room(s, c, event, room_from_payload(*arg, args), ack, true, false, *arg);
    });
  for (const auto& name : v.subscribe_presence.names)
    add(name, [this](const auto& s, const auto& c, const auto& event, Args& args, const Ack& ack) {
      const auto& a = options_.events.subscribe_presence;
      auto room = room_from_payload(a.arg, args);
      if (room.empty() && a.heartbeat) {
        if (ack) ack(Args::of("ACK"));
        return;
      }
      change_room(s, c, event, room, ack, true, false, a.arg);
    });
  auto typing = [&](const TypingAction& a, std::optional<bool> fixed) {
    for (const auto& name : a.names)
      add(name, [this, a = &a, fixed](const auto& s, const auto& c, const auto& event, Args& args, const Ack&) {
        on_typing(s, *c, event, *a, args, fixed);
      });
  };
  typing(v.typing, std::nullopt);
  typing(v.typing_start, true);
  typing(v.typing_stop, false);
  for (const auto& name : v.send_message.names)
    add(name, [this](const auto& s, const auto& c, const auto& event, Args& args, const Ack& ack) {
      on_client_message(s, c, event, args, ack);
    });
  for (const auto& name : v.send_direct_message.names)
    add(name, [this](const auto& s, const auto& c, const auto& event, Args& args, const Ack& ack) {
      on_direct_message(s, c, event, args, ack);
    });
  for (const auto& rule : options_.relays)
    add(rule.on, [this, rule = &rule](const auto& s, const auto& c, const auto&, Args& args, const Ack& ack) {
      on_relay(s, c, *rule, args, ack);
    });
  return routes;
}

void RealtimeService::decide_join(const socketio::SocketPtr& s, const std::shared_ptr<Connection>& connection,
                                  const std::string& room, std::function<void(bool)> decided) {
  auto policy = join_policy(room);
  if (policy == JoinPolicy::allow) return decided(true);
  if (!client_may_join(room)) return decided(false);
  auto shard = s->shard();
  auto on_shard = [this, shard, decided = std::move(decided)](bool allowed) {
    if (net::ShardPool::current_shard() == shard) return decided(allowed);
    io_.shards().post(shard, [decided, allowed] { decided(allowed); });
  };
  // A registry room is listed; any other goes to the authorizer, if any.
  store_->get_room(room, [this, connection, room, policy, on_shard](std::optional<Room> found) {
    if (found) return on_shard(true);
    if (policy != JoinPolicy::ask) return on_shard(false);
    join_authorizer_(snapshot(*connection), room, on_shard);
  });
}

// Joins or leaves `room` for the client, tells the hooks, and acks. The
// registry and the authorizer may answer from another thread: the join
// itself runs on the socket's shard.
void RealtimeService::change_room(const socketio::SocketPtr& s, const std::shared_ptr<Connection>& connection,
                                  const std::string& event, const std::string& room, const Ack& ack, bool joining,
                                  bool announce, const RoomArg& arg) {
  if (room.empty()) return send_error(s, event, field_of(arg) + " is required");
  std::weak_ptr<socketio::Socket> weak = s;
  auto apply = [this, weak, connection, event, room, ack, joining, announce](bool allowed) {
    auto s = weak.lock();
    if (!s || !s->connected()) return;
    if (!allowed) return send_error(s, event, "Room not allowed: " + room);
    enter_room(s, *connection, room, joining, announce);
    if (ack) ack(Args::of(json::object{{"success", true}, {"room", room}}));
  };
  if (!joining) return apply(true);
  decide_join(s, connection, room, apply);
}

// typing {roomId, isTyping}: to the others in the room, if the sender is in it.
void RealtimeService::on_typing(const socketio::SocketPtr& s, const Connection& connection, const std::string& event,
                                const TypingAction& a, const Args& args, std::optional<bool> fixed) {
  auto room = room_from_payload(a.arg, args);
  if (room.empty()) return send_error(s, event, field_of(a.arg) + " is required");
  if (!in_room(*s, room)) return send_error(s, event, "Not in room: " + room);
  bool is_typing = true;
  if (fixed) {
    is_typing = *fixed;
  } else if (args[0].is_object()) {
    auto* t = args[0].as_object().if_contains("isTyping");
    is_typing = !(t && t->is_bool()) || t->as_bool();
  }
  json::object out{{"userId", user_id_value(connection.user_id)},
                   {"username", connection.username},
                   {"roomId", room},
                   {"isTyping", is_typing}};
  add_template_field(out, a.arg, args);
  s->to(room).volatile_().emit(options_.events.user_typing, Args::of(std::move(out)));
}

void RealtimeService::enter_room(const socketio::SocketPtr& s, Connection& connection, const std::string& room,
                                 bool joining, bool announce) {
  if (joining)
    s->join(room);
  else
    s->leave(room);
  {
    std::lock_guard lock(mutex_);
    if (joining)
      connection.rooms.insert(room);
    else
      connection.rooms.erase(room);
  }
  auto user = snapshot(connection);
  for (const auto& hook : joining ? room_join_hooks_ : room_leave_hooks_) hook(user, room);
  if (announce)
    s->to(room).emit(joining ? options_.events.user_joined : options_.events.user_left,
                     Args::of(json::object{{"userId", user_id_value(user.user_id)},
                                           {"username", user.username},
                                           {"roomId", room},
                                           {"timestamp", now_ms()}}));
}

// message {roomId, content, type} from a client: a member of a registry
// room, content a non-empty string within message_max_length, type text,
// image or file (system messages come from the back end).
void RealtimeService::on_client_message(const socketio::SocketPtr& s, const std::shared_ptr<Connection>& connection,
                                        const std::string& event, Args& args, Ack ack) {
  const auto& a = options_.events.send_message;
  auto fail = error_answer(s, options_.events.error, event, ack);
  const json::object* body = args.size() && args[0].is_object() ? &args[0].as_object() : nullptr;
  if (!body) return fail(event + " must be an object {" + field_of(a.arg) + ", " + a.content + ", type}");
  std::string room = room_from_payload(a.arg, args);
  if (room.empty()) return fail(field_of(a.arg) + " is required");
  if (auto e = content_error(*body, a.content, options_.message_max_length); !e.empty()) return fail(e);
  auto* content = body->if_contains(a.content);
  MessageType type = MessageType::text;
  if (auto* t = body->if_contains("type")) {
    auto parsed = t->is_string() ? store::message_type(std::string_view(t->as_string())) : std::nullopt;
    if (!parsed || *parsed == MessageType::system) return fail("type must be text, image or file");
    type = *parsed;
  }
  if (!in_room(*s, room)) return fail("Not in room: " + room);
  json::object extra;
  add_template_field(extra, a.arg, args);
  if (!a.history) {
    Message m{new_id(), room, connection->user_id, connection->username, std::string(content->as_string()), type, {},
              now_ms(), {}};
    auto out = m.to_json();
    for (auto& [k, v] : extra) out[k] = std::move(v);
    io_.to(room).emit(options_.events.new_message, Args::of(std::move(out)));
    for (const auto& hook : message_hooks_) hook(m);
    if (ack) ack(Args::of(m.to_json()));
    return;
  }
  send_message(
      room, connection->user_id, std::string(content->as_string()), type, {},
      [fail, ack](std::optional<Message> m) {
        if (!m) return fail("Room not found");
        if (ack) ack(Args::of(m->to_json()));
      },
      connection->username, std::move(extra));
}

}  // namespace service
