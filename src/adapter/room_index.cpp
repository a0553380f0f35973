#include "adapter/room_index.hpp"

#include <algorithm>

#include "adapter/broadcast_batch.hpp"

namespace adapter {

RoomIndex::~RoomIndex() { broadcast_batch::forget(*this); }

void RoomIndex::add_socket(LocalSocket* socket) {
  flush_broadcasts();
  sockets_.emplace(socket->id(), socket);
  socket->in_own_room_ = true;
  if (watcher_ && watch_own_rooms_) watcher_(socket->id(), true);
}

void RoomIndex::remove_socket(LocalSocket* socket) {
  flush_broadcasts();
  if (sockets_.erase(socket->id()) == 0) return;
  if (watcher_ && watch_own_rooms_) watcher_(socket->id(), false);
  for (const std::string* name : socket->joined_rooms_) {
    auto room = rooms_.find(*name);
    room->second.erase(socket);
    if (!room->second.empty()) continue;
    if (watcher_) watcher_(room->first, false);
    rooms_.erase(room);  // an empty room does not exist, as in Node
  }
  socket->joined_rooms_.clear();
  socket->joined_rooms_.shrink_to_fit();
  socket->in_own_room_ = false;
}

void RoomIndex::add(LocalSocket* socket, const std::string& room) {
  flush_broadcasts();
  if (room == socket->id()) {
    socket->in_own_room_ = true;
    return;
  }
  auto [entry, created] = rooms_.try_emplace(room);
  if (entry->second.insert(socket).second) socket->joined_rooms_.push_back(&entry->first);
  if (created && watcher_) watcher_(entry->first, true);
}

void RoomIndex::remove(LocalSocket* socket, const std::string& room) {
  flush_broadcasts();
  if (room == socket->id()) {
    socket->in_own_room_ = false;  // Node lets a socket leave its own room
    return;
  }
  auto entry = rooms_.find(room);
  if (entry == rooms_.end() || entry->second.erase(socket) == 0) return;
  std::erase(socket->joined_rooms_, &entry->first);
  if (!entry->second.empty()) return;
  if (watcher_) watcher_(entry->first, false);
  rooms_.erase(entry);
}

bool RoomIndex::in_room(const LocalSocket* socket, std::string_view room) {
  if (room == socket->id()) return socket->in_own_room_;
  return std::any_of(socket->joined_rooms_.begin(), socket->joined_rooms_.end(),
                     [room](const std::string* name) { return *name == room; });
}

LocalSocket* RoomIndex::own_room_member(std::string_view room) const {
  auto owner = sockets_.find(room);
  return owner != sockets_.end() && owner->second->in_own_room_ ? owner->second : nullptr;
}

std::size_t RoomIndex::room_count() const {
  std::size_t count = rooms_.size();
  for (const auto& [id, socket] : sockets_) count += socket->in_own_room_;
  // A socket's own room that others joined is also in rooms_: count it once.
  for (const auto& [name, members] : rooms_) count -= own_room_member(name) != nullptr;
  return count;
}

std::vector<std::string> RoomIndex::room_names() const {
  std::vector<std::string> names;
  names.reserve(rooms_.size() + sockets_.size());
  for (const auto& [id, socket] : sockets_)
    if (socket->in_own_room_ && !rooms_.count(socket->id())) names.push_back(socket->id());
  for (const auto& [name, members] : rooms_) names.push_back(name);
  return names;
}

bool RoomIndex::has_room(const std::string& room) const {
  return rooms_.count(room) > 0 || own_room_member(room) != nullptr;
}

std::vector<std::string> RoomIndex::rooms_of(const LocalSocket* socket) const {
  std::vector<std::string> rooms;
  if (!sockets_.count(socket->id())) return rooms;
  rooms.reserve(socket->joined_rooms_.size() + 1);
  if (socket->in_own_room_) rooms.push_back(socket->id());
  for (const std::string* name : socket->joined_rooms_) rooms.push_back(*name);
  return rooms;
}

std::vector<LocalSocket*> RoomIndex::select(const Target& target) const {
  auto excluded = [&](const LocalSocket* socket) {
    return std::any_of(target.except.begin(), target.except.end(),
                       [socket](const std::string& room) { return in_room(socket, room); });
  };
  std::vector<LocalSocket*> out;
  if (target.rooms.empty()) {
    out.reserve(sockets_.size());
    for (const auto& [id, socket] : sockets_)
      if (!excluded(socket)) out.push_back(socket);
    return out;
  }
  // The members of one room: those who joined it, and the socket whose own room it is.
  auto add_members = [&](const std::string& room, auto&& accept) {
    if (auto entry = rooms_.find(room); entry != rooms_.end())
      for (auto* socket : entry->second)
        if (accept(socket)) out.push_back(socket);
    if (auto* owner = own_room_member(room); owner && accept(owner)) out.push_back(owner);
  };
  if (target.rooms.size() == 1) {
    if (auto entry = rooms_.find(target.rooms.front()); entry != rooms_.end()) out.reserve(entry->second.size() + 1);
    add_members(target.rooms.front(), [&](LocalSocket* socket) { return !excluded(socket); });
    return out;
  }
  // Several rooms: a socket in two of them still gets the packet once.
  boost::unordered_flat_set<LocalSocket*> seen;
  for (const auto& room : target.rooms)
    add_members(room, [&](LocalSocket* socket) { return seen.insert(socket).second && !excluded(socket); });
  return out;
}

}  // namespace adapter
