#include "adapter/broadcast_batch.hpp"

#include <utility>
#include <vector>

#include "adapter/room_index.hpp"

namespace adapter::broadcast_batch {

constinit thread_local bool pending = false;

namespace {

struct Batch {
  RoomIndex* rooms = nullptr;
  Target target;
  BroadcastFlags flags;
  std::vector<PacketPtr> packets;
};

thread_local Batch batch;

}  // namespace

bool add(RoomIndex& rooms, PacketPtr packet, const Target& target, const BroadcastFlags& flags) {
  if (pending && batch.rooms == &rooms && batch.target == target && batch.flags == flags) {
    batch.packets.push_back(std::move(packet));
    return false;
  }
  flush_now();
  batch.rooms = &rooms;
  batch.target = target;
  batch.flags = flags;
  batch.packets.push_back(std::move(packet));
  pending = true;
  return true;
}

void flush_now() {
  if (!pending) return;
  // Taken out first: a delivery writes to a socket, which flushes (nothing,
  // now), and may even broadcast again (a new batch).
  pending = false;
  auto* rooms = std::exchange(batch.rooms, nullptr);
  auto packets = std::move(batch.packets);
  batch.packets.clear();
  auto target = std::move(batch.target);
  auto flags = batch.flags;
  // A socket closed by one of these writes (its client past the buffer limit)
  // stays allocated until the end of the turn and takes nothing more.
  for (auto* socket : rooms->select(target))
    for (const auto& packet : packets) socket->deliver(packet, flags);
}

void forget(const RoomIndex& rooms) {
  if (batch.rooms != &rooms) return;
  pending = false;
  batch.rooms = nullptr;
  batch.packets.clear();
}

}  // namespace adapter::broadcast_batch
