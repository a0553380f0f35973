#pragma once
// The room registry and message history (seed 001): rooms made by the back
// end, and each room's messages, kept newest last and paged from the newest.
// Two stores behind one interface: MemoryRoomStore (one node; the default)
// and RedisRoomStore (a cluster: every node sees the same rooms and history,
// and they survive restarts). Layer: below service, above redis.
//
// Every call answers through `done`, once, from any thread (inline for the
// memory store, on the store's thread for Redis): do not block in it.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace store {

// Room in seed 001 (memberCount is filled in by the service: it counts sockets).
struct Room {
  std::string id;
  std::string name;
  std::string ns = "default";  // `namespace` on the wire
  std::string created_by;
  std::int64_t created_at = 0;  // ms since the epoch
  boost::json::object metadata;
  boost::json::object to_json(std::uint64_t member_count) const;
};

enum class MessageType : std::uint8_t { text, image, file, system };
const char* to_string(MessageType type);
std::optional<MessageType> message_type(std::string_view name);

// Message in seed 001; a direct message has its conversation as room_id
// (conversation_id) and its recipient in to_user_id.
struct Message {
  std::string id;
  std::string room_id;
  std::string user_id;
  std::string username;
  std::string content;
  MessageType type = MessageType::text;
  boost::json::object metadata;
  std::int64_t timestamp = 0;           // ms since the epoch
  std::string to_user_id;               // a direct message's recipient; "" in a room
  boost::json::object to_json() const;  // with toUserId for a direct message
};

// The conversation of two users, the same whichever sends: "dm:<length of
// the smaller id>:<smaller id>:<larger id>" (the length keeps "a:b"+"c" and
// "a"+"b:c" apart).
std::string conversation_id(const std::string& user_a, const std::string& user_b);

struct RoomActivity {
  std::uint64_t message_count = 0;  // messages kept (after retention)
  std::int64_t last_activity = 0;   // the newest message's time, else the room's creation
};

// Retention (HISTORY_MAX_MESSAGES, HISTORY_MAX_AGE): what keeps memory and
// Redis bounded. A room keeps at most max_messages, none older than max_age.
struct Retention {
  std::size_t max_messages = 1000;
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);
};

class RoomStore {
 public:
  virtual ~RoomStore() = default;
  virtual void create_room(Room room, std::function<void(bool ok)> done) = 0;
  virtual void get_room(const std::string& id, std::function<void(std::optional<Room>)> done) = 0;
  // Every room, or those of one namespace; in creation order.
  virtual void list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done) = 0;
  // The room and its history; `existed` false if there was none.
  virtual void delete_room(const std::string& id, std::function<void(bool existed)> done) = 0;
  // Appends to an existing room's history (false: no such room, or the store failed).
  virtual void append(Message message, std::function<void(bool ok)> done) = 0;
  // `limit` messages after skipping the `offset` newest, oldest first (the
  // order of the seed's slice of its history array): (50) the last 50,
  // (50, 50) the 50 before those.
  virtual void messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                        std::function<void(std::vector<Message>)> done) = 0;
  virtual void activity(const std::string& room_id, std::function<void(std::optional<RoomActivity>)> done) = 0;
  // Direct messages: the conversation of message.user_id and
  // message.to_user_id (its room_id is their conversation_id), made by its
  // first message, with the rooms' retention; read as messages() pages.
  virtual void append_direct(Message message, std::function<void(bool ok)> done) = 0;
  virtual void direct_messages(const std::string& user_a, const std::string& user_b, std::size_t limit,
                               std::size_t offset, std::function<void(std::vector<Message>)> done) = 0;
  virtual void stop() {}
};

}  // namespace store
