// [[relay]] rules: gateway logic without code (service/vocabulary.hpp).
// Rooms come from the payload through the same templates as the RabbitMQ
// routes (service/room_template.hpp); where a route with a missing field
// does not apply, a client hears why.

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "service/connection.hpp"

namespace service {

using socketio::Ack;
using socketio::Args;
namespace json = boost::json;

namespace {

// The rooms of `templates` for `payload`, or the error naming the field.
std::string expand(const std::vector<std::string>& templates, const json::object& payload,
                   std::vector<std::string>& out) {
  for (const auto& t : templates) {
    auto rooms = rooms_from_template(t, payload);
    if (rooms.empty()) {
      auto field = template_field(t);
      return payload.contains(field) ? field + " must be a non-empty string or number" : field + " is required";
    }
    for (auto& r : rooms)
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  }
  return {};
}

}  // namespace

void RealtimeService::on_relay(const socketio::SocketPtr& s, const std::shared_ptr<Connection>& connection,
                               const RelayRule& rule, Args& args, Ack ack) {
  const auto& event = rule.on;
  if (args.size() == 0 || !args[0].is_object()) return send_error(s, event, event + " must be an object");
  const auto& payload = args[0].as_object();
  std::vector<std::string> join, leave, to;
  std::string error;
  if (!rule.join.empty()) error = expand({rule.join}, payload, join);
  if (error.empty() && !rule.leave.empty()) error = expand({rule.leave}, payload, leave);
  if (error.empty()) error = expand(rule.to, payload, to);
  if (!error.empty()) return send_error(s, event, error);
  // Reserved rooms (user and claim rooms) are never a client's to join.
  for (const auto& r : join)
    if (!client_may_join(r)) return send_error(s, event, "Room not allowed: " + r);
  if (rule.require == RelayRequire::member) {
    auto mine = s->rooms();
    for (const auto& r : to)
      if (std::find(join.begin(), join.end(), r) == join.end() && std::find(mine.begin(), mine.end(), r) == mine.end())
        return send_error(s, event, "Not in room: " + r);
  }
  json::object out = payload;
  out["userId"] = connection->user_id.empty() ? json::value() : json::value(connection->user_id);
  out["username"] = connection->username;
  std::weak_ptr<socketio::Socket> weak = s;
  auto apply = [this, weak, connection, &rule, join, leave, to, out = std::move(out), ack]() mutable {
    auto s = weak.lock();
    if (!s || !s->connected()) return;
    for (const auto& r : join) enter_room(s, *connection, r, true, false);
    for (const auto& r : leave) enter_room(s, *connection, r, false, false);
    if (!rule.emit.empty() && !to.empty()) {
      auto op = rule.include_sender ? io_.sockets().all().to(to) : s->broadcast().to(to);
      op.emit(rule.emit, Args::of(std::move(out)));
    }
    if (ack) ack(Args::of(json::object{{"success", true}}));
  };
  if (rule.require != RelayRequire::authorizer) return apply();
  // Every room asked of the join rules (the joined ones, else the targets)
  // must pass; the answers may come from other threads, each on the shard.
  const auto& asked = join.empty() ? to : join;
  struct Pending {
    std::size_t left;
    bool refused = false;
  };
  auto pending = std::make_shared<Pending>(Pending{asked.size()});
  for (const auto& r : asked)
    decide_join(s, connection, r, [this, weak, pending, apply, event, r](bool allowed) mutable {
      if (pending->refused) return;
      if (!allowed) {
        pending->refused = true;
        if (auto s = weak.lock()) send_error(s, event, "Room not allowed: " + r);
        return;
      }
      if (--pending->left == 0) apply();
    });
}

}  // namespace service
