#pragma once
// Rooms and history in Redis (HISTORY_STORE=redis, the default with
// WS_ADAPTER=redis): every node sees the same rooms and history, and they
// survive restarts. Keys, under `key` (REDIS_KEY):
//   <key>:rooms                  sorted set of room ids, scored by creation time (ms)
//   <key>:room:<id>              hash: name, namespace, createdBy, createdAt, metadata (JSON)
//   <key>:room:<id>:messages     stream, one entry per message (field m: the message JSON),
//                                XADD MAXLEN = max_messages, XTRIM MINID = now - max_age
//   <key>:dm:<n>:<a>:<b>:messages  a conversation's direct messages (store::conversation_id),
//                                trimmed as a room's; it expires max_age after its last message
// Each operation is one Lua script, so a message never lands in a room being
// deleted and a read sees retention applied. The store has its own
// connection and thread (as ClusterPresence): no shard waits on Redis. With
// Redis unreachable the calls answer failure (false, nullopt, empty) at once.

#include <memory>

#include "redis/config.hpp"
#include "store/room_store.hpp"

namespace store {

class RedisRoomStore final : public RoomStore {
 public:
  struct Options {
    redis::Config redis;
    std::string key = "socket.io";
    Retention retention;
  };
  explicit RedisRoomStore(Options options);
  ~RedisRoomStore() override;  // stop()

  void create_room(Room room, std::function<void(bool ok)> done) override;
  void get_room(const std::string& id, std::function<void(std::optional<Room>)> done) override;
  void list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done) override;
  void delete_room(const std::string& id, std::function<void(bool existed)> done) override;
  void append(Message message, std::function<void(bool ok)> done) override;
  void messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                std::function<void(std::vector<Message>)> done) override;
  void activity(const std::string& room_id, std::function<void(std::optional<RoomActivity>)> done) override;
  void append_direct(Message message, std::function<void(bool ok)> done) override;
  void direct_messages(const std::string& user_a, const std::string& user_b, std::size_t limit, std::size_t offset,
                       std::function<void(std::vector<Message>)> done) override;
  void stop() override;

  struct Core;

 private:
  // A room's (mode "room": it must exist) or a conversation's stream.
  void append_to(std::string check, std::string stream, std::string mode, Message m, std::function<void(bool)> done);
  void read(std::string check, std::string stream, std::string mode, std::string room_id, std::size_t limit,
            std::size_t offset, std::function<void(std::vector<Message>)> done);
  std::shared_ptr<Core> core_;
};

}  // namespace store
