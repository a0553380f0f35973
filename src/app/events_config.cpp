#include "app/events_config.hpp"

#include <algorithm>
#include <map>

#include "ingest/toml_text.hpp"
#include "service/room_template.hpp"
#include "socketio/packet.hpp"

namespace app {

namespace {

using service::RoomArg;

// Thrown inside the parser with the full key, caught at the top.
struct Bad {
  std::string message;
};

std::string str(const toml::node& n, const std::string& key, bool may_be_empty = false) {
  auto v = n.value<std::string>();
  if (!v || (!may_be_empty && v->empty())) throw Bad{key + ": must be a non-empty string"};
  return *v;
}

bool boolean(const toml::node& n, const std::string& key) {
  auto v = n.value<bool>();
  if (!v) throw Bad{key + ": must be true or false"};
  return *v;
}

std::vector<std::string> strings(const toml::node& n, const std::string& key) {
  if (n.is_string()) return {str(n, key)};
  auto* a = n.as_array();
  if (!a) throw Bad{key + ": must be a string or an array of strings"};
  std::vector<std::string> out;
  for (const auto& item : *a) out.push_back(str(item, key));
  return out;
}

// One placeholder at most, closed, with a name: what the engine expands.
std::string checked_template(std::string t, const std::string& key) {
  auto open = t.find('{');
  auto close = t.find('}');
  if (open == std::string::npos && close == std::string::npos) return t;
  if (open == std::string::npos || close == std::string::npos || close < open + 2 ||
      t.find('{', open + 1) != std::string::npos || t.find('}', close + 1) != std::string::npos)
    throw Bad{key + ": '" + t + "' must have one placeholder, like \"channel:{channelId}\""};
  return t;
}

std::string room_template(const toml::node& n, const std::string& key) { return checked_template(str(n, key), key); }

std::string event_name(const toml::node& n, const std::string& key) {
  auto name = str(n, key);
  if (socketio::is_reserved_event(name)) throw Bad{key + ": '" + name + "' is reserved by Socket.IO"};
  return name;
}

std::vector<std::string> event_names(const toml::node& n, const std::string& key) {
  auto names = strings(n, key);
  for (const auto& name : names)
    if (socketio::is_reserved_event(name)) throw Bad{key + ": '" + name + "' is reserved by Socket.IO"};
  return names;
}

// An action: a name, a list of names, or a table whose keys `more` reads
// (names, room and bare are every action's that takes a room).
template <typename Action, typename More>
void action(const toml::node& n, const std::string& key, Action& a, RoomArg* arg, More more) {
  if (!n.is_table()) {
    a.names = event_names(n, key);
    return;
  }
  for (const auto& [k, v] : *n.as_table()) {
    std::string sub = key + "." + std::string(k.str());
    if (k.str() == "names")
      a.names = event_names(v, sub);
    else if (arg && k.str() == "room")
      arg->room = room_template(v, sub);
    else if (arg && k.str() == "bare")
      arg->bare = str(v, sub, true);
    else if (!more(k.str(), v, sub))
      throw Bad{sub + ": unknown key"};
  }
}

auto no_more = [](std::string_view, const toml::node&, const std::string&) { return false; };

void client_actions(const toml::table& t, service::Vocabulary& v) {
  for (const auto& [k, n] : t) {
    std::string key = "events.client." + std::string(k.str());
    if (k.str() == "join_room" || k.str() == "leave_room") {
      auto& a = k.str() == "join_room" ? v.join_room : v.leave_room;
      action(n, key, a, &a.arg, [&](std::string_view sub, const toml::node& n, const std::string& name) {
        if (sub != "announce") return false;
        a.announce = event_names(n, name);
        return true;
      });
    } else if (k.str() == "typing" || k.str() == "typing_start" || k.str() == "typing_stop") {
      auto& a = k.str() == "typing" ? v.typing : k.str() == "typing_start" ? v.typing_start : v.typing_stop;
      action(n, key, a, &a.arg, no_more);
    } else if (k.str() == "send_message") {
      auto& a = v.send_message;
      action(n, key, a, &a.arg, [&](std::string_view sub, const toml::node& n, const std::string& name) {
        if (sub == "content")
          a.content = str(n, name);
        else if (sub == "history")
          a.history = boolean(n, name);
        else
          return false;
        return true;
      });
    } else if (k.str() == "send_direct_message") {
      auto& a = v.send_direct_message;
      action(n, key, a, nullptr, [&](std::string_view sub, const toml::node& n, const std::string& name) {
        if (sub == "to")
          a.to = str(n, name);
        else if (sub == "content")
          a.content = str(n, name);
        else
          return false;
        return true;
      });
    } else if (k.str() == "subscribe_presence") {
      auto& a = v.subscribe_presence;
      action(n, key, a, &a.arg, [&](std::string_view sub, const toml::node& n, const std::string& name) {
        if (sub != "heartbeat") return false;
        a.heartbeat = boolean(n, name);
        return true;
      });
    } else {
      throw Bad{key +
                ": unknown client action (join_room, leave_room, typing, typing_start, typing_stop, "
                "send_message, send_direct_message, subscribe_presence)"};
    }
  }
}

void server_events(const toml::table& t, service::Vocabulary& v) {
  std::map<std::string_view, std::string*> names{
      {"connected", &v.connected},     {"user_online", &v.user_online}, {"user_offline", &v.user_offline},
      {"user_typing", &v.user_typing}, {"new_message", &v.new_message}, {"new_direct_message", &v.new_direct_message},
      {"user_joined", &v.user_joined}, {"user_left", &v.user_left},     {"error", &v.error}};
  for (const auto& [k, n] : t) {
    std::string key = "events.server." + std::string(k.str());
    if (k.str() == "presence_rooms") {
      v.presence_rooms.clear();
      for (const auto& r : strings(n, key)) {
        auto field = service::template_field(r);
        if (!field.empty() && field != "userId") throw Bad{key + ": '" + r + "' may only use {userId}"};
        v.presence_rooms.push_back(r);
      }
    } else if (auto it = names.find(k.str()); it != names.end()) {
      *it->second = event_name(n, key);
    } else {
      throw Bad{key + ": unknown server event"};
    }
  }
}

service::RelayRule relay_rule(const toml::table& t, const std::string& where) {
  service::RelayRule r;
  for (const auto& [k, n] : t) {
    std::string key = where + "." + std::string(k.str());
    if (k.str() == "on")
      r.on = event_name(n, key);
    else if (k.str() == "join")
      r.join = room_template(n, key);
    else if (k.str() == "leave")
      r.leave = room_template(n, key);
    else if (k.str() == "emit")
      r.emit = event_name(n, key);
    else if (k.str() == "to") {
      for (const auto& s : strings(n, key)) r.to.push_back(checked_template(s, key));
    } else if (k.str() == "include_sender")
      r.include_sender = boolean(n, key);
    else if (k.str() == "require") {
      auto s = str(n, key);
      if (s == "none")
        r.require = service::RelayRequire::none;
      else if (s == "member")
        r.require = service::RelayRequire::member;
      else if (s == "authorizer")
        r.require = service::RelayRequire::authorizer;
      else
        throw Bad{key + ": '" + s + "'; accepted values: none, member, authorizer"};
    } else {
      throw Bad{key + ": unknown key"};
    }
  }
  if (r.on.empty()) throw Bad{where + ": 'on' (the client event) is required"};
  if (r.emit.empty() != r.to.empty()) throw Bad{where + ": 'emit' and 'to' go together"};
  if (r.emit.empty() && r.join.empty() && r.leave.empty())
    throw Bad{where + ": does nothing (give join, leave, or emit and to)"};
  if (r.require == service::RelayRequire::member && r.to.empty())
    throw Bad{where + ": require = \"member\" needs 'to' rooms"};
  return r;
}

// A client event name belongs to one action or to relay rules, never to two
// things: a name that did two things would surprise whoever reads the file.
void check_unique(const service::Vocabulary& v, const std::vector<service::RelayRule>& relays) {
  std::map<std::string, std::string> owner;
  auto claim = [&](const std::vector<std::string>& names, const std::string& what) {
    for (const auto& name : names) {
      auto [it, fresh] = owner.emplace(name, what);
      if (!fresh && it->second != what)
        throw Bad{"events: '" + name + "' is a name of both " + it->second + " and " + what};
    }
  };
  claim(v.join_room.names, "events.client.join_room");
  claim(v.leave_room.names, "events.client.leave_room");
  claim(v.typing.names, "events.client.typing");
  claim(v.typing_start.names, "events.client.typing_start");
  claim(v.typing_stop.names, "events.client.typing_stop");
  claim(v.send_message.names, "events.client.send_message");
  claim(v.send_direct_message.names, "events.client.send_direct_message");
  claim(v.subscribe_presence.names, "events.client.subscribe_presence");
  claim({"subscribe_order", "subscribe_inventory"}, "seed 002's subscriptions");
  for (const auto& r : relays) claim({r.on}, "[[relay]]");
}

}  // namespace

EventsConfig parse_events_config(std::string_view text, std::string_view source) {
  EventsConfig c;
  toml::table doc;
  if (!ingest::parse_toml(text, source, doc, c.error)) return c;
  try {
    if (auto* events = doc.get("events")) {
      auto* t = events->as_table();
      if (!t) throw Bad{"events: must be a table ([events])"};
      for (const auto& [k, n] : *t) {
        std::string key = "events." + std::string(k.str());
        if (k.str() != "client" && k.str() != "server") throw Bad{key + ": unknown key (events.client, events.server)"};
        if (!n.is_table()) throw Bad{key + ": must be a table ([" + key + "])"};
        if (k.str() == "client")
          client_actions(*n.as_table(), c.events);
        else
          server_events(*n.as_table(), c.events);
      }
    }
    if (auto* relays = doc.get("relay")) {
      auto* a = relays->as_array();
      if (!a) throw Bad{"relay: must be an array of tables ([[relay]])"};
      std::size_t index = 0;
      for (const auto& node : *a) {
        auto where = "[[relay]] #" + std::to_string(++index);
        if (!node.is_table()) throw Bad{where + ": is not a table"};
        c.relays.push_back(relay_rule(*node.as_table(), where));
      }
    }
    check_unique(c.events, c.relays);
  } catch (const Bad& bad) {
    c.error = std::string(source) + ": " + bad.message;
  }
  return c;
}

}  // namespace app
