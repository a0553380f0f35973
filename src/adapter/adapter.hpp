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
#include <optional>
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
  // A relay instead of a gatherer (another node's broadcast with ack): each
  // answer is handed to `each` as it comes, and `counted` runs once every
  // part has said how many sockets it reached.
  using Counted = std::function<void(std::size_t recipients)>;
  using Each = std::function<void(AckResponse response)>;
  AckCollector(std::size_t parts, Counted counted, Each each)
      : parts_left_(parts), counted_(std::move(counted)), each_(std::move(each)) {}

  void part_done(std::size_t recipients);
  // More parts to wait for, learnt after the start (the other nodes of a
  // cluster, counted once the request is out). Call before that part's own part_done().
  void add_parts(std::size_t parts);
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
  Counted counted_;
  Each each_;
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
  // Every room of the namespace (allRooms()), on every node; `done` runs on any thread.
  virtual void all_rooms(std::function<void(std::vector<std::string>)> done) = 0;

  // serverSideEmit: `data` is [event, ...args], binary as placeholders into
  // `buffers`. It reaches the server-side handlers of the *other* nodes, never
  // this one's. `done` (may be empty) gets each node's answer, and an error
  // (Node's text) when some did not answer in time. A single node has no
  // others: no answers.
  using ServerSideDone = std::function<void(std::optional<std::string> error, std::vector<AckResponse> answers)>;
  virtual void server_side_emit(boost::json::array data, std::vector<std::string> buffers, ServerSideDone done) {
    if (done) done(std::nullopt, {});
  }
  // Who hears another node's serverSideEmit: its data and, when that node
  // wants an answer, a callback for it (empty otherwise). Set once, before use.
  using ServerSideHandler = std::function<void(boost::json::array data, std::vector<std::string> buffers,
                                               std::function<void(AckResponse)> ack)>;
  virtual void on_server_side_emit(ServerSideHandler handler) { server_side_handler_ = std::move(handler); }

 protected:
  ServerSideHandler server_side_handler_;
};

}  // namespace adapter
