#pragma once
// What the adapter layer moves between sockets, shards and (later) nodes:
// packets encoded once, the sockets a broadcast targets, and a view of a
// local socket that the Socket.IO layer implements.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace adapter {

// A Socket.IO packet encoded once for every recipient: the text part and its
// binary attachments.
struct EncodedPacket {
  std::string text;
  std::vector<std::string> attachments;
  // The event and its arguments, for "any outgoing" listeners.
  std::string event;
  boost::json::array args;
};

// One socket's answer to a broadcast with ack.
struct AckResponse {
  boost::json::array args;
  std::vector<std::string> buffers;
};
using PacketPtr = std::shared_ptr<const EncodedPacket>;

// Which sockets an operation reaches: those in any of `rooms` (all sockets
// when empty), minus those in any of `except`.
struct Target {
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  bool local = false;  // this node only (no effect with the memory adapter)

  bool operator==(const Target&) const = default;
};

struct BroadcastFlags {
  bool volatile_ = false;  // dropped for sockets that cannot take it now
  bool compress = true;

  bool operator==(const BroadcastFlags&) const = default;
};

// A connected socket on one shard, as the adapter sees it. Methods are
// called on the socket's shard.
class LocalSocket {
 public:
  virtual ~LocalSocket() = default;
  virtual const std::string& id() const = 0;
  virtual void deliver(const PacketPtr& packet, const BroadcastFlags& flags) = 0;
  // Registers the ack callback of a broadcast before the packet is delivered.
  virtual void expect_ack(std::uint64_t id, std::function<void(AckResponse)> on_ack) = 0;
  // For fetchSockets: {"id","handshake","rooms","data"}, as the Redis adapter sends it.
  virtual boost::json::object describe() const = 0;
  virtual void join(const std::vector<std::string>& rooms) = 0;
  virtual void leave(const std::vector<std::string>& rooms) = 0;
  virtual void disconnect(bool close) = 0;

 private:
  friend class RoomIndex;
  // Kept by the RoomIndex of the socket's namespace and shard, here rather
  // than in a map of its own: the rooms the socket joined (pointers to the
  // index's keys, not copies), and whether it is in the room of its own id.
  std::vector<const std::string*> joined_rooms_;
  bool in_own_room_ = false;
};

}  // namespace adapter
