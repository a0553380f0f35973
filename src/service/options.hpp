#pragma once
// Settings of the realtime service (names from the seed documents).

#include <string>
#include <vector>

#include "auth/authenticator.hpp"

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
};

}  // namespace service
