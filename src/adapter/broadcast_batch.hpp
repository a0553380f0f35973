#pragma once
// Broadcasts of one loop turn to the same target are delivered together.
//
// A server that emits K messages to a room in one turn (a burst: chat
// history, a game tick, several events for one change) would otherwise visit
// every member K times, and with thousands of members each visit misses the
// cache three or four times (socket, client, session, connection). Batched,
// each member is visited once and takes the K packets in a row.
//
// Order is kept as if every broadcast had been delivered at once: what is
// batched is delivered before anything that could be ordered after it, i.e.
// before any write to a socket (flush_broadcasts() in the Socket.IO client's
// write path), before any change of rooms (the RoomIndex), before another
// kind of broadcast, and at the end of the turn. Per thread: a shard's batch
// holds only broadcasts to that shard's sockets.

#include "adapter/types.hpp"

namespace adapter {

class RoomIndex;

namespace broadcast_batch {

// Queues `packet` for the sockets that `target` reaches in `rooms`, after
// what is already queued if the rooms, target and flags are the same;
// otherwise delivers what is queued first. Returns true when the batch was
// empty: the caller then arranges a flush() later in this loop turn.
bool add(RoomIndex& rooms, PacketPtr packet, const Target& target, const BroadcastFlags& flags);

// Delivers what is queued on this thread, if anything.
void flush_now();
// The index is going away: what is queued for it is dropped.
void forget(const RoomIndex& rooms);

extern constinit thread_local bool pending;

}  // namespace broadcast_batch

// Call before anything that must come after the broadcasts made so far.
inline void flush_broadcasts() {
  if (broadcast_batch::pending) broadcast_batch::flush_now();
}

}  // namespace adapter
