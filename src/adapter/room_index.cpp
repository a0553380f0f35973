#include "adapter/room_index.hpp"

namespace adapter {

void RoomIndex::add_socket(LocalSocket* socket) { sockets_.try_emplace(socket); }

void RoomIndex::add(LocalSocket* socket, const std::string& room) {
  sockets_[socket].insert(room);
  rooms_[room].insert(socket);
}

void RoomIndex::remove(LocalSocket* socket, const std::string& room) {
  if (auto s = sockets_.find(socket); s != sockets_.end()) s->second.erase(room);
  if (auto r = rooms_.find(room); r != rooms_.end()) {
    r->second.erase(socket);
    if (r->second.empty()) rooms_.erase(r);  // an empty room does not exist, as in Node
  }
}

void RoomIndex::remove_socket(LocalSocket* socket) {
  auto s = sockets_.find(socket);
  if (s == sockets_.end()) return;
  for (const auto& room : s->second) {
    if (auto r = rooms_.find(room); r != rooms_.end()) {
      r->second.erase(socket);
      if (r->second.empty()) rooms_.erase(r);
    }
  }
  sockets_.erase(s);
}

std::vector<std::string> RoomIndex::rooms_of(const LocalSocket* socket) const {
  auto s = sockets_.find(const_cast<LocalSocket*>(socket));
  if (s == sockets_.end()) return {};
  return {s->second.begin(), s->second.end()};
}

std::vector<LocalSocket*> RoomIndex::select(const Target& target) const {
  auto excluded = [&](LocalSocket* socket) {
    if (target.except.empty()) return false;
    const auto& rooms = sockets_.at(socket);
    for (const auto& room : target.except)
      if (rooms.count(room)) return true;
    return false;
  };
  std::vector<LocalSocket*> out;
  if (target.rooms.empty()) {
    out.reserve(sockets_.size());
    for (const auto& [socket, rooms] : sockets_)
      if (!excluded(socket)) out.push_back(socket);
    return out;
  }
  if (target.rooms.size() == 1) {
    auto r = rooms_.find(target.rooms.front());
    if (r == rooms_.end()) return out;
    out.reserve(r->second.size());
    for (auto* socket : r->second)
      if (!excluded(socket)) out.push_back(socket);
    return out;
  }
  // Several rooms: a socket in two of them still gets the packet once.
  std::unordered_set<LocalSocket*> seen;
  for (const auto& room : target.rooms) {
    auto r = rooms_.find(room);
    if (r == rooms_.end()) continue;
    for (auto* socket : r->second)
      if (seen.insert(socket).second && !excluded(socket)) out.push_back(socket);
  }
  return out;
}

}  // namespace adapter
