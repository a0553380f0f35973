#pragma once
// Internal to socketio/: building the encoded form of outgoing packets.

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
adapter::EncodedPacket encode_ack(const std::string& nsp, std::uint64_t id, Args args);

}  // namespace socketio
