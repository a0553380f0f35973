#include "adapter/memory_adapter.hpp"

#include "metrics/counters.hpp"

#include <algorithm>
#include <atomic>

#include "adapter/broadcast_batch.hpp"

namespace adapter {

void AckCollector::part_done(std::size_t recipients) {
  std::unique_lock lock(mutex_);
  if (finished_) return;
  expected_ += recipients;
  --parts_left_;
  if (counted_) {
    if (parts_left_ > 0) return;
    auto counted = std::move(counted_);
    std::size_t total = expected_;
    lock.unlock();
    return counted(total);
  }
  if (parts_left_ == 0 && responses_.size() >= expected_) finish_locked(false, lock);
}

void AckCollector::add_parts(std::size_t parts) {
  std::lock_guard lock(mutex_);
  parts_left_ += parts;
}

void AckCollector::add_response(AckResponse response) {
  std::unique_lock lock(mutex_);
  if (finished_) return;
  if (each_) {
    auto each = each_;  // a copy: answers may come from several shards at once
    lock.unlock();
    return each(std::move(response));
  }
  responses_.push_back(std::move(response));
  if (parts_left_ == 0 && responses_.size() >= expected_) finish_locked(false, lock);
}

void AckCollector::time_out() {
  std::unique_lock lock(mutex_);
  if (!finished_) finish_locked(true, lock);
}

void AckCollector::finish_locked(bool timed_out, std::unique_lock<std::mutex>& lock) {
  finished_ = true;
  each_ = nullptr;  // what the relay captured goes now, not with the last reference
  counted_ = nullptr;
  auto done = std::move(done_);
  auto responses = std::move(responses_);
  lock.unlock();
  if (done) done(timed_out, std::move(responses));
}

void MemoryAdapter::on_every_shard(std::function<void(RoomIndex&)> fn) {
  std::size_t here = net::ShardPool::current_shard();
  for (std::size_t shard = 0; shard < pool_.size(); ++shard) {
    if (shard == here) continue;
    pool_.post(shard, [this, fn, shard] { fn(rooms_[shard]); });
  }
  if (here != net::ShardPool::npos) fn(rooms_[here]);
}

void MemoryAdapter::broadcast(PacketPtr packet, Target target, BroadcastFlags flags) {
  metrics::add(metrics::Counter::broadcasts);
  on_every_shard([this, packet = std::move(packet), target = std::move(target), flags](RoomIndex& rooms) {
    // Delivered with the other broadcasts of this turn to the same target, at
    // the latest at the end of the turn.
    if (broadcast_batch::add(rooms, packet, target, flags))
      pool_.post(net::ShardPool::current_shard(), [] { broadcast_batch::flush_now(); });
  });
}

void MemoryAdapter::broadcast_with_ack(PacketPtr packet, std::uint64_t ack_id, Target target, BroadcastFlags flags,
                                       std::shared_ptr<AckCollector> collector) {
  metrics::add(metrics::Counter::broadcasts);
  on_every_shard([packet = std::move(packet), ack_id, target = std::move(target), flags,
                  collector = std::move(collector)](RoomIndex& rooms) {
    auto sockets = rooms.select(target);
    for (auto* socket : sockets) {
      socket->expect_ack(ack_id, [collector](AckResponse r) { collector->add_response(std::move(r)); });
      socket->deliver(packet, flags);
    }
    collector->part_done(sockets.size());
  });
}

namespace {
// Collects one result per shard and calls `done` with all of them.
template <class T>
struct Gather {
  Gather(std::size_t parts, std::function<void(std::vector<T>)> d) : left(parts), done(std::move(d)) {}
  void add(std::vector<T> part) {
    std::unique_lock lock(mutex);
    for (auto& item : part) items.push_back(std::move(item));
    if (--left > 0) return;
    lock.unlock();
    done(std::move(items));
  }
  std::mutex mutex;
  std::size_t left;
  std::vector<T> items;
  std::function<void(std::vector<T>)> done;
};
}  // namespace

void MemoryAdapter::fetch_sockets(Target target, std::function<void(std::vector<boost::json::object>)> done) {
  auto gather = std::make_shared<Gather<boost::json::object>>(pool_.size(), std::move(done));
  on_every_shard([gather, target = std::move(target)](RoomIndex& rooms) {
    std::vector<boost::json::object> part;
    for (auto* socket : rooms.select(target)) part.push_back(socket->describe());
    gather->add(std::move(part));
  });
}

void MemoryAdapter::add_sockets(Target target, std::vector<std::string> room_names) {
  on_every_shard([target = std::move(target), room_names = std::move(room_names)](RoomIndex& rooms) {
    for (auto* socket : rooms.select(target)) socket->join(room_names);
  });
}

void MemoryAdapter::del_sockets(Target target, std::vector<std::string> room_names) {
  on_every_shard([target = std::move(target), room_names = std::move(room_names)](RoomIndex& rooms) {
    for (auto* socket : rooms.select(target)) socket->leave(room_names);
  });
}

void MemoryAdapter::disconnect_sockets(Target target, bool close) {
  on_every_shard([target = std::move(target), close](RoomIndex& rooms) {
    for (auto* socket : rooms.select(target)) socket->disconnect(close);
  });
}

void MemoryAdapter::all_rooms(std::function<void(std::vector<std::string>)> done) {
  // A room with members on several shards is named once.
  auto gather = std::make_shared<Gather<std::string>>(pool_.size(), [done = std::move(done)](std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    done(std::move(names));
  });
  on_every_shard([gather](RoomIndex& rooms) { gather->add(rooms.room_names()); });
}

void MemoryAdapter::count(std::function<void(std::size_t, std::size_t)> done) {
  struct Totals {
    std::atomic<std::size_t> sockets{0}, rooms{0}, left;
  };
  auto totals = std::make_shared<Totals>();
  totals->left = pool_.size();
  on_every_shard([totals, done](RoomIndex& rooms) {
    totals->sockets += rooms.socket_count();
    totals->rooms += rooms.room_count();
    if (--totals->left == 0) done(totals->sockets, totals->rooms);
  });
}

}  // namespace adapter
