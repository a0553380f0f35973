#pragma once
// The default adapter: one process, its shards. Each shard holds its part of
// the room index; an operation runs at once on the calling shard and is
// posted to the others, so a packet is encoded once and no lock is taken.

#include <vector>

#include "adapter/adapter.hpp"
#include "net/shard_pool.hpp"

namespace adapter {

class MemoryAdapter final : public Adapter {
 public:
  explicit MemoryAdapter(net::ShardPool& pool) : pool_(pool), rooms_(pool.size()) {}

  RoomIndex& local_rooms() override { return rooms_[net::ShardPool::current_shard()]; }

  void broadcast(PacketPtr packet, Target target, BroadcastFlags flags) override;
  void broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                          std::shared_ptr<AckCollector> collector) override;
  std::size_t ack_parts() const override { return pool_.size(); }
  // Every shard's RoomIndex::watch_rooms; `watcher` runs on the shards.
  void watch_rooms(const RoomIndex::RoomWatcher& watcher, bool own_rooms) {
    for (auto& r : rooms_) r.watch_rooms(watcher, own_rooms);
  }
  void fetch_sockets(Target target, std::function<void(std::vector<boost::json::object>)> done) override;
  void add_sockets(Target target, std::vector<std::string> rooms) override;
  void del_sockets(Target target, std::vector<std::string> rooms) override;
  void disconnect_sockets(Target target, bool close) override;
  void count(std::function<void(std::size_t sockets, std::size_t rooms)> done) override;
  void all_rooms(std::function<void(std::vector<std::string>)> done) override;

 private:
  // Runs fn(shard, rooms) on every shard: inline on the calling one (so a
  // broadcast keeps its place among the caller's other writes), posted to the rest.
  void on_every_shard(std::function<void(RoomIndex&)> fn);

  net::ShardPool& pool_;
  std::vector<RoomIndex> rooms_;
};

}  // namespace adapter
