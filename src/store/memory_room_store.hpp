#pragma once
// Rooms and history in this process (one node). Each message is kept compact
// (its metadata serialized, its room implied); retention is applied on every
// append and read, so a room never holds more than max_messages.

#include <deque>
#include <mutex>
#include <unordered_map>

#include "store/room_store.hpp"

namespace store {

class MemoryRoomStore final : public RoomStore {
 public:
  // `clock` gives ms since the epoch (tests move it); default: the system clock.
  explicit MemoryRoomStore(Retention retention, std::function<std::int64_t()> clock = {});

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

  // Messages held in every room (after retention), for tests and metrics.
  std::size_t stored_messages();

 private:
  struct Stored {
    std::string id, user_id, username, content, metadata;  // metadata: JSON text, "" for none
    std::int64_t timestamp;
    MessageType type;
  };
  struct Entry {
    Room room;
    std::uint64_t order;  // creation order
    std::deque<Stored> history;
  };
  // Two users' direct messages: `low` is the smaller id (conversation_id).
  struct Conversation {
    std::string low, high;
    std::deque<Stored> history;
  };
  void trim(std::deque<Stored>& history, std::int64_t now);  // mutex_ held
  static Stored stored(Message& m);
  static Message load(const std::string& room_id, const Stored& s);
  // `limit` after the `offset` newest, oldest first, each through `load`.
  template <typename Load>
  static std::vector<Message> page(const std::deque<Stored>& h, std::size_t limit, std::size_t offset, Load load);

  Retention retention_;
  std::function<std::int64_t()> clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> rooms_;
  std::unordered_map<std::string, Conversation> conversations_;  // by conversation_id
  std::uint64_t next_order_ = 0;
  std::uint32_t appends_since_sweep_ = 0;
};

}  // namespace store
