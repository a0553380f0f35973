#pragma once
// Internal to socketio/ (and for the cluster adapter's PacketEncoder, given by
// the app layer): building the encoded form of outgoing packets.

#include <optional>
#include <string>

#include "adapter/types.hpp"
#include "socketio/args.hpp"
#include "socketio/packet.hpp"

namespace socketio {

// An EVENT (BINARY_EVENT with buffers): [event, ...args].
adapter::PacketPtr encode_event(const std::string& nsp, const std::string& event, const Args& args,
                                std::optional<std::uint64_t> ack_id = std::nullopt);
// An ACK (BINARY_ACK with buffers).
// An event that came from another node (a cluster adapter's PacketEncoder):
// `data` is [event, ...args], binary as placeholders into `buffers`. Null
// when data[0] is not an event name.
adapter::PacketPtr encode_remote_event(const std::string& nsp, boost::json::array data,
                                       std::vector<std::string> buffers, std::optional<std::uint64_t> ack_id);

adapter::EncodedPacket encode_ack(const std::string& nsp, std::uint64_t id, Args args);

}  // namespace socketio
