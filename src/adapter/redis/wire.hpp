#pragma once
// The wire format of @socket.io/redis-adapter 8.3 (createAdapter, the
// "classic" protocol) and @socket.io/redis-emitter 5.1: channel names, the
// broadcast envelope, requests and responses
// (../shared/research/redis-adapter-wire.md, sections 1-8).
//
// Everything received is untrusted: decoders return nullopt with a reason
// instead of throwing, and accept what any Node node or the emitter sends
// (JSON or MessagePack requests, missing optional keys, legacy forms).
// Encoders never produce what crashes a Node node (section 4): a broadcast is
// always the full MessagePack [uid, packet, opts], and every request that
// Node reads `opts` from carries it.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/types.hpp"

namespace adapter::redis {

// Node's RequestType (classic adapter).
enum class RequestType : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

// The channels of one namespace, for prefix `key` (Node's `key` option).
struct Channels {
  Channels(const std::string& key, const std::string& nsp, const std::string& uid);
  std::string broadcast;          // key#nsp#          (and key#nsp#room# for one room)
  std::string pattern;            // key#nsp#*         (PSUBSCRIBE)
  std::string request;            // key-request#nsp#
  std::string response;           // key-response#nsp#
  std::string specific_response;  // key-response#nsp#uid#

  // Where a broadcast to `target` goes: the room's channel when there is
  // exactly one room, else the namespace's.
  std::string broadcast_channel(const Target& target) const;
  // The room a broadcast channel names ("" for the namespace's channel), or
  // nullopt for a channel of another namespace.
  std::optional<std::string_view> room_of(std::string_view channel) const;
};

// A uid as Node's uid2(6): six characters of [A-Za-z0-9_-]. Never "emitter".
std::string random_uid(std::size_t length = 6);

// Flags carried with a broadcast, beyond BroadcastFlags.
struct WireFlags {
  BroadcastFlags flags;
  std::optional<std::uint64_t> timeout_ms;  // with an ack
};

// ---- broadcast channel: MessagePack [uid, {type:2, data, nsp}, {rooms, except, flags}] ----

// `data` is [event, ...args] with binary as placeholders into `buffers`.
std::string encode_broadcast(std::string_view uid, std::string_view nsp, const boost::json::array& data,
                             const std::vector<std::string>& buffers, const Target& target, const WireFlags& flags);

struct Broadcast {
  std::string uid;
  std::string nsp;
  boost::json::array data;  // [event, ...args]
  std::vector<std::string> buffers;
  Target target;
  BroadcastFlags flags;
};
// nullopt (with `error` set) for anything that is not a well-formed envelope.
std::optional<Broadcast> decode_broadcast(std::string_view bytes, std::string& error);
// The uid of a broadcast, read without decoding the rest: PSUBSCRIBE echoes
// a node's own broadcasts back to it, and it drops them before paying for
// the decode. Null unless `bytes` starts with an array whose first item is a str.
std::optional<std::string_view> broadcast_uid(std::string_view bytes);

// ---- request and response channels: JSON, or a MessagePack map (sniffed by '{') ----

// A request or response, decoded: its fields as JSON (binary values as
// placeholders into `buffers`).
struct Message {
  boost::json::object fields;
  std::vector<std::string> buffers;

  std::optional<int> type() const;
  std::string string_field(std::string_view key) const;  // "" when absent or not a string
  // opts.rooms / opts.except as a Target (empty when absent).
  Target target() const;
  // A list of strings at `key` (rooms of REMOTE_JOIN); non-strings are skipped.
  std::vector<std::string> strings(std::string_view key) const;
};
std::optional<Message> decode_message(std::string_view bytes, std::string& error);

// JSON, as Node sends every request and response but 7 and 9.
std::string encode_json(const boost::json::object& fields);
// MessagePack map, for 7 and 9 (they may carry binary).
std::string encode_msgpack(const boost::json::object& fields, const std::vector<std::string>& buffers);

// {"rooms": [...], "except": [...]} (and "flags" when given) of a request.
boost::json::object encode_opts(const Target& target, const WireFlags* flags = nullptr);

// ---- the sharded protocol (createShardedAdapter; research note section 9) ----

// socket.io-adapter's MessageType.
enum class ShardedType : int {
  initial_heartbeat = 1,
  heartbeat = 2,
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
  adapter_close = 13,
};

// {"type","data","uid","nsp"}: JSON, or a MessagePack map when `data` holds
// binary (as Node does for the types that may carry it).
std::string encode_sharded(ShardedType type, const boost::json::object& data, const std::vector<std::string>& buffers,
                           std::string_view uid, std::string_view nsp);

// A sharded room channel is "key#nsp#room#"; Node gives a room its own
// channel in dynamic mode unless it looks like a socket id (20 characters).
bool looks_like_socket_id(std::string_view room);

}  // namespace adapter::redis
