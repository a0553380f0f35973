#pragma once
// The clients' own vocabulary: the names of the events a deployment's
// clients send and listen for, the payload fields they use, and relay rules
// for simple gateway logic ([events] and [[relay]] in the TOML file,
// docs/configuration.md). The defaults are the names of seeds 001 and 002;
// examples/config/nestjs-gateway.toml is seed 003's.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "socketio/args.hpp"

namespace service {

// Where a client action finds its room: `room`, a template over the payload
// object ("{roomId}", "channel:{channelId}", service/room_template.hpp); a
// bare string or number payload stands for the field `bare` ("" refuses one).
struct RoomArg {
  std::string room = "{roomId}";
  std::string bare = "roomId";
};

// The room a payload names, or "" (the payload lacks the field, or it is
// empty, null or not a scalar). `field` gets the template's field name.
std::string room_from_payload(const RoomArg& arg, const socketio::Args& args);

struct RoomAction {
  std::vector<std::string> names;
  RoomArg arg;
  // Names of this action after which the room is told (user_joined /
  // user_left): room:join does (seed 001), join_room does not (seed 002).
  std::vector<std::string> announce;
};

struct TypingAction {
  std::vector<std::string> names;
  RoomArg arg;
};

struct MessageAction {
  std::vector<std::string> names;
  RoomArg arg;
  std::string content = "content";
  // true: registry rooms only (POST /rooms), stored in their history.
  // false: any room the sender is in, sent on without history (the back end
  // keeps its own, as seed 003's does).
  bool history = true;
};

struct DirectMessageAction {
  std::vector<std::string> names;
  std::string to = "toUserId";  // the recipient's user id
  std::string content = "content";
};

struct PresenceAction {
  std::vector<std::string> names;
  RoomArg arg{"presence:{roomId}", "roomId"};
  // A payload without the field is a heartbeat ("I am here": seed 003's
  // presenceOnline {idle}): acked with "ACK", counted as activity, not an error.
  bool heartbeat = false;
};

struct Vocabulary {
  // What clients send. Several names may share an action.
  RoomAction join_room{{"join_room", "room:join"}, {}, {"room:join"}};
  RoomAction leave_room{{"leave_room", "room:leave"}, {}, {"room:leave"}};
  TypingAction typing{{"typing"}, {}};  // {roomId, isTyping}
  TypingAction typing_start{{}, {}};    // typing with isTyping true
  TypingAction typing_stop{{}, {}};     // typing with isTyping false
  MessageAction send_message{{"message"}, {}};
  DirectMessageAction send_direct_message{{"sendDirectMessage"}};
  PresenceAction subscribe_presence{{"presence:subscribe"}};

  // What the service sends.
  std::string connected = "connected";
  std::string user_online = "user:status";  // {userId, username, status: "online", timestamp}
  std::string user_offline = "user:status";
  std::string user_typing = "typing";
  std::string new_message = "message";
  std::string new_direct_message = "newDirectMessage";
  std::string user_joined = "user:joined";
  std::string user_left = "user:left";
  std::string error = "error";
  // With PRESENCE_MODE=room, the rooms user_online and user_offline go to:
  // templates over {userId}. Seed 003 adds "user:{userId}" (the user's own
  // tabs and devices hear it too).
  std::vector<std::string> presence_rooms{"presence:{userId}"};
};

enum class RelayRequire {
  none,
  member,      // the sender must already be in every `to` room (the joined one aside)
  authorizer,  // the joined room (else every `to` room) must pass the join rules (CLIENT_ROOMS, JOIN_AUTH_URL)
};

// On a client event: optionally join or leave a room built from the payload,
// then emit the payload, with the sender's userId and username set, to rooms
// built from it. Templates as the RabbitMQ routes' (a missing field is an
// `error` {message, event} here, as it makes a route not apply there).
struct RelayRule {
  std::string on;
  std::string join;   // template; "" none
  std::string leave;  // template; "" none
  std::string emit;   // "" : no emit (a join or leave alone)
  std::vector<std::string> to;
  bool include_sender = false;
  RelayRequire require = RelayRequire::none;
};

}  // namespace service
