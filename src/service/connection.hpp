#pragma once
// Internal to the service's sources: one socket as RealtimeService tracks
// it, and the clock and ids its files share. Not a public header.

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "service/realtime_service.hpp"

namespace service {

struct RealtimeService::Connection : std::enable_shared_from_this<Connection> {
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

// The client actions by event name, built once from the vocabulary and the
// relay rules: every socket has one dispatcher that looks its events up here
// (client_events.cpp), not a handler per name.
struct RealtimeService::Routes {
  using Handler = std::function<void(const socketio::SocketPtr&, const std::shared_ptr<Connection>&,
                                     const std::string& event, socketio::Args&, const socketio::Ack&)>;
  std::unordered_map<std::string, std::vector<Handler>> by_name;
};

std::int64_t now_ms();

// For a client event that failed: an ack {success: false, error} if one was
// asked for, and the `error_event` {message, event} (client_events.cpp).
std::function<void(std::string)> error_answer(const socketio::SocketPtr& socket, const std::string& error_event,
                                              std::string event, socketio::Ack ack);
// Why `body[field]` is no message content (a non-empty string of at most
// `max` bytes), or "".
std::string content_error(const boost::json::object& body, const std::string& field, std::size_t max);
// A random (version 4) UUID: room and message ids.
std::string new_id();

}  // namespace service
