#include "socketio/recovery.hpp"

#include <algorithm>

#include "engine/sid.hpp"

namespace socketio {

RecoveryStore::RecoveryStore(RecoveryOptions options)
    // A per-process prefix keeps our offsets apart from strings an
    // application sends as the last argument of its own events.
    : options_(options), offset_prefix_(engine::generate_sid(0).substr(10, 8) + "-") {}

void RecoveryStore::expire_packets_locked(Clock::time_point now) {
  auto limit = std::chrono::milliseconds(options_.max_disconnection_duration_ms);
  while (!packets_.empty() && now - packets_.front().at > limit) packets_.pop_front();
}

void RecoveryStore::expire_sessions_locked(Clock::time_point now) {
  auto limit = std::chrono::milliseconds(options_.max_disconnection_duration_ms);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.at > limit) it = sessions_.erase(it);
    else ++it;
  }
}

adapter::PacketPtr RecoveryStore::store(const std::string& nsp, const adapter::Target& target,
                                        const std::function<adapter::PacketPtr(const std::string&)>& encode) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  expire_packets_locked(now);
  std::string offset = offset_prefix_ + std::to_string(next_offset_++);
  auto packet = encode(offset);
  packets_.push_back(StoredPacket{std::move(offset), nsp, target, packet, now});
  return packet;
}

void RecoveryStore::save(SavedSession session) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  expire_sessions_locked(now);
  std::string pid = session.pid;
  sessions_[pid] = StoredSession{std::move(session), now};
}

std::optional<RecoveryStore::Restored> RecoveryStore::restore(const std::string& pid, const std::string& offset,
                                                              const std::string& nsp) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  expire_packets_locked(now);
  expire_sessions_locked(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end() || it->second.session.nsp != nsp) return std::nullopt;
  auto from = std::find_if(packets_.begin(), packets_.end(), [&](const StoredPacket& p) { return p.offset == offset; });
  if (from == packets_.end()) return std::nullopt;
  Restored restored{std::move(it->second.session), {}};
  sessions_.erase(it);
  const auto& rooms = restored.session.rooms;
  auto in_rooms = [&](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& r) { return std::find(rooms.begin(), rooms.end(), r) != rooms.end(); });
  };
  for (auto p = std::next(from); p != packets_.end(); ++p) {
    if (p->nsp != nsp) continue;
    if (!p->target.rooms.empty() && !in_rooms(p->target.rooms)) continue;
    if (in_rooms(p->target.except)) continue;
    restored.missed.push_back(p->packet);
  }
  return restored;
}

}  // namespace socketio
