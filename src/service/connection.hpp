#pragma once
// Internal to the service's sources: one socket as RealtimeService tracks
// it, and the clock and ids its files share. Not a public header.

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "service/realtime_service.hpp"

namespace service {

struct RealtimeService::Connection {
  std::weak_ptr<socketio::Socket> socket;
  std::string socket_id;
  std::string user_id;
  std::string username;
  std::string email;
  std::int64_t connected_at = 0;
  std::atomic<std::int64_t> last_activity{0};
  boost::json::object claims;
  std::unordered_set<std::string> rooms;  // guarded by the service mutex
};

std::int64_t now_ms();
// A random (version 4) UUID: room and message ids.
std::string new_id();

}  // namespace service
