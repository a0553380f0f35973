#pragma once
// The Adapter interface (DESIGN.md): rooms, broadcast and the server-wide
// socket utilities of one namespace go through it, so the memory adapter
// (shards of one process) and a cluster adapter (several nodes) behave the
// same. Operations may be called from any thread and never block.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapter/room_index.hpp"
#include "adapter/types.hpp"

namespace adapter {

// Gathers the answers to one broadcast with ack from every shard (and, in a
// cluster, every node): complete when every part has said how many sockets
// it reached and each of them has answered, or when the timeout fires.
class AckCollector {
 public:
  using Done = std::function<void(bool timed_out, std::vector<AckResponse> responses)>;
  AckCollector(std::size_t parts, Done done) : parts_left_(parts), done_(std::move(done)) {}

  void part_done(std::size_t recipients);
  void add_response(AckResponse response);
  void time_out();

 private:
  void finish_locked(bool timed_out, std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::size_t parts_left_;
  std::size_t expected_ = 0;
  std::vector<AckResponse> responses_;
  bool finished_ = false;
  Done done_;
};

class Adapter {
 public:
  virtual ~Adapter() = default;

  // The calling shard's part of the room index; call on a shard thread.
  virtual RoomIndex& local_rooms() = 0;

  virtual void broadcast(PacketPtr packet, Target target, BroadcastFlags flags) = 0;
  // Every recipient gets the packet with the same ack id `ack_id`.
  virtual void broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                                  std::shared_ptr<AckCollector> collector) = 0;
  // How many parts a collector for this adapter waits for.
  virtual std::size_t ack_parts() const = 0;

  virtual void fetch_sockets(Target target, std::function<void(std::vector<boost::json::object>)> done) = 0;
  virtual void add_sockets(Target target, std::vector<std::string> rooms) = 0;
  virtual void del_sockets(Target target, std::vector<std::string> rooms) = 0;
  virtual void disconnect_sockets(Target target, bool close) = 0;

  // Counts over every shard, for stats; `done` runs on some shard thread.
  virtual void count(std::function<void(std::size_t sockets, std::size_t rooms)> done) = 0;
};

}  // namespace adapter
