#pragma once
// One shard's part of one namespace's rooms: room -> local sockets. Touched
// only on its shard's thread.
//
// Every socket is in the room of its own id, as in Node, but that room is
// implicit: the socket is found by id, so the one-member room costs no set
// and no string. Joined rooms are sets of sockets; each socket lists the
// rooms it joined as pointers to their names here.
//
// Broadcasts batched for the current loop turn (broadcast_batch.hpp) are
// delivered before any change here, so that a socket that joins after a
// broadcast does not get it and one that leaves does.

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/types.hpp"
#include "engine/sid.hpp"

namespace adapter {

class RoomIndex {
 public:
  RoomIndex() = default;
  RoomIndex(const RoomIndex&) = delete;
  RoomIndex& operator=(const RoomIndex&) = delete;
  RoomIndex(RoomIndex&&) = default;
  ~RoomIndex();

  void add_socket(LocalSocket* socket);     // in the namespace and in its own room
  void remove_socket(LocalSocket* socket);  // and from every room it is in
  void add(LocalSocket* socket, const std::string& room);
  void remove(LocalSocket* socket, const std::string& room);

  std::size_t socket_count() const { return sockets_.size(); }
  std::size_t room_count() const;
  bool has_room(const std::string& room) const;
  // Every room, socket-id rooms included (Node's adapter.rooms keys).
  std::vector<std::string> room_names() const;
  // The socket's rooms, its own first, then in the order it joined them.
  std::vector<std::string> rooms_of(const LocalSocket* socket) const;

  // The sockets `target` reaches, each once, in no particular order.
  std::vector<LocalSocket*> select(const Target& target) const;

  // Told on this shard when a joined room comes to exist here (first member)
  // or stops existing (last member gone), and, with `own_rooms`, when a
  // socket's own room does: a cluster adapter subscribes to the rooms its
  // node has (the sharded Redis adapter's dynamic modes). Set before use.
  using RoomWatcher = std::function<void(const std::string& room, bool exists)>;
  void watch_rooms(RoomWatcher watcher, bool own_rooms) {
    watcher_ = std::move(watcher);
    watch_own_rooms_ = own_rooms;
  }

 private:
  static bool in_room(const LocalSocket* socket, std::string_view room);
  // The socket whose own room `room` is, if it is in it.
  LocalSocket* own_room_member(std::string_view room) const;

  // Joined rooms, never empty. Node-based outer map: sockets point to its
  // keys. The member sets and the by-id table are open-addressing tables (no
  // allocation per entry: 8 and 24 bytes a slot instead of a 32 and 48-byte node).
  std::unordered_map<std::string, boost::unordered_flat_set<LocalSocket*>> rooms_;
  boost::unordered_flat_map<std::string_view, LocalSocket*, engine::IdHash> sockets_;  // by id
  RoomWatcher watcher_;
  bool watch_own_rooms_ = false;
};

}  // namespace adapter
