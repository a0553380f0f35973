#pragma once
// One shard's part of one namespace's rooms: room -> local sockets. Touched
// only on its shard's thread. Every socket is also in the room of its own id.

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapter/types.hpp"

namespace adapter {

class RoomIndex {
 public:
  void add(LocalSocket* socket, const std::string& room);
  void remove(LocalSocket* socket, const std::string& room);
  void add_socket(LocalSocket* socket);     // in the namespace, no room yet
  void remove_socket(LocalSocket* socket);  // and from every room it is in

  std::size_t socket_count() const { return sockets_.size(); }
  std::size_t room_count() const { return rooms_.size(); }
  bool has_room(const std::string& room) const { return rooms_.count(room) > 0; }
  std::vector<std::string> rooms_of(const LocalSocket* socket) const;

  // The sockets `target` reaches, each once, in no particular order.
  std::vector<LocalSocket*> select(const Target& target) const;

 private:
  std::unordered_map<std::string, std::unordered_set<LocalSocket*>> rooms_;
  std::unordered_map<LocalSocket*, std::unordered_set<std::string>> sockets_;
};

}  // namespace adapter
