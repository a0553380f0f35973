#pragma once
// Settings of the realtime service (names from the seed documents).

#include <cstdint>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "service/vocabulary.hpp"
#include "store/room_store.hpp"

namespace service {

enum class PresenceMode {
  room,  // user:status goes to "presence:{userId}" (seed 003)
  all,   // user:status goes to everyone (seed 001)
  off,
};

struct ServiceOptions {
  auth::AuthOptions auth;
  // Every authenticated socket joins "<prefix><userId>": "user:" (seed 002),
  // "user_" (seed 000).
  std::string user_room_prefix = "user:";
  // Rooms from claims: "company:{companyId}", "shop:{shopIds}" (an array
  // claim gives one room per element), "{role}" (a role room such as
  // "super_admin"). One placeholder per template.
  std::vector<std::string> room_templates;
  PresenceMode presence = PresenceMode::room;
  // Sockets one user (the token's user id) may have open at once, on this
  // node; the next gets CONNECT_ERROR {"message":"Too many connections",
  // "data":{"code":"CONNECTION_LIMIT"}}. Anonymous sockets are not counted.
  // 0: no limit (the default: a user with many tabs and devices is honest).
  std::uint32_t max_connections_per_user = 0;
  // Events per second one socket may send, a token bucket of
  // event_rate_burst events (0: the rate, at least 1). An event over it is
  // dropped and answered with an `error` event {message, event}; a socket
  // whose dropped events outrun the rate by 30 seconds' worth (at 10x the
  // rate: about 4 s) is disconnected. 0: no limit (the default: what an
  // honest client sends depends on the application).
  double event_rate_limit = 0;
  // Rooms a client may join itself without asking the join authorizer
  // (CLIENT_ROOMS): patterns where `*` matches any run of characters
  // ("chat:*", "product:*", "lobby"). User and claim rooms never match.
  // With no pattern and no authorizer, every other room is joinable (the
  // behaviour before access control; the daemon warns at start).
  std::vector<std::string> client_rooms;
  // History of registry rooms (HISTORY_MAX_MESSAGES, HISTORY_MAX_AGE): 1000
  // messages and 7 days per room keep a chat's context while bounding memory
  // (about 1000 x 250 bytes per room in memory).
  store::Retention retention;
  // Longest `message` content a client may send, in bytes (MESSAGE_MAX_LENGTH):
  // longer than any chat line, far below the Engine.IO buffer limit.
  std::size_t message_max_length = 4000;
  std::uint32_t event_rate_burst = 0;
  // The clients' event names and payload fields ([events]); the defaults are
  // seeds 001 and 002's names.
  Vocabulary events;
  // [[relay]] rules, in the file's order; several may share a client event.
  std::vector<RelayRule> relays;
};

}  // namespace service
