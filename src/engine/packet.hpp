#pragma once
// Engine.IO v4 packets and their two wire forms:
//  - WebSocket: one packet per frame; a text frame is the type digit and the
//    data ("4hello"), a binary frame is the raw bytes of a message packet.
//  - Polling payload: packets joined by '\x1e'; a binary message is 'b' and
//    the base64 of its bytes, with no type digit.

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engine {

enum class PacketType : std::uint8_t { open = 0, close = 1, ping = 2, pong = 3, message = 4, upgrade = 5, noop = 6 };

struct Packet {
  PacketType type = PacketType::message;
  std::string data;
  bool binary = false;  // only for message packets

  static Packet text_message(std::string data) { return {PacketType::message, std::move(data), false}; }
  static Packet binary_message(std::string bytes) { return {PacketType::message, std::move(bytes), true}; }
  static Packet of(PacketType type, std::string data = {}) { return {type, std::move(data), false}; }
  friend bool operator==(const Packet&, const Packet&) = default;
};

inline constexpr char record_separator = '\x1e';

// WebSocket form: the frame body for a text frame (binary packets are sent
// as their raw data in a binary frame).
std::string encode_text_frame(const Packet& packet);
boost::system::result<Packet> decode_frame(std::string_view frame, bool binary_frame);

// Polling form.
void append_to_payload(std::string& payload, const Packet& packet);
boost::system::result<std::vector<Packet>> decode_payload(std::string_view payload);

}  // namespace engine
