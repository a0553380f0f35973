#pragma once
// Connection state recovery with the memory adapter (Node 4.6+): broadcast
// packets are kept for max_disconnection_duration with an offset, and a
// disconnected socket's id, rooms and data are kept under its private id
// (pid) until it comes back or the time is up.

#include <boost/json/value.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/types.hpp"
#include "socketio/options.hpp"

namespace socketio {

struct SavedSession {
  std::string sid;
  std::string pid;
  std::string nsp;
  std::vector<std::string> rooms;
  boost::json::value data;
};

class RecoveryStore {
 public:
  explicit RecoveryStore(RecoveryOptions options);

  const RecoveryOptions& options() const { return options_; }
  // Under one lock: picks the next offset, lets `encode` build the packet
  // with it, and keeps the result. Offsets follow the order of storing.
  adapter::PacketPtr store(const std::string& nsp, const adapter::Target& target,
                           const std::function<adapter::PacketPtr(const std::string& offset)>& encode);
  void save(SavedSession session);
  // The session and the packets it missed after `offset`, or nullopt if the
  // pid is unknown, expired, of another namespace, or the offset is gone.
  struct Restored {
    SavedSession session;
    std::vector<adapter::PacketPtr> missed;
  };
  std::optional<Restored> restore(const std::string& pid, const std::string& offset, const std::string& nsp);

 private:
  using Clock = std::chrono::steady_clock;
  struct StoredPacket {
    std::string offset;
    std::string nsp;
    adapter::Target target;
    adapter::PacketPtr packet;
    Clock::time_point at;
  };
  struct StoredSession {
    SavedSession session;
    Clock::time_point at;
  };
  void expire_packets_locked(Clock::time_point now);
  void expire_sessions_locked(Clock::time_point now);  // O(sessions): only on save and restore

  RecoveryOptions options_;
  std::string offset_prefix_;
  std::uint64_t next_offset_ = 0;
  std::mutex mutex_;
  std::deque<StoredPacket> packets_;
  std::unordered_map<std::string, StoredSession> sessions_;
};

}  // namespace socketio
