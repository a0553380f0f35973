#include "engine/packet.hpp"

#include "engine/base64.hpp"
#include "engine/errors.hpp"

namespace engine {

std::string encode_text_frame(const Packet& packet) {
  std::string out;
  out.reserve(1 + packet.data.size());
  out.push_back(static_cast<char>('0' + static_cast<int>(packet.type)));
  out += packet.data;
  return out;
}

namespace {
boost::system::result<Packet> decode_text(std::string_view text) {
  if (text.empty()) return ParseError::empty_packet;
  char t = text[0];
  if (t < '0' || t > '6') return ParseError::unknown_packet_type;
  return Packet::of(static_cast<PacketType>(t - '0'), std::string(text.substr(1)));
}
}  // namespace

boost::system::result<Packet> decode_frame(std::string_view frame, bool binary_frame) {
  if (binary_frame) return Packet::binary_message(std::string(frame));
  // engine.io-parser also reads a 'b'-prefixed text frame as base64 binary.
  if (!frame.empty() && frame[0] == 'b') {
    auto bytes = base64_decode(frame.substr(1));
    if (!bytes) return ParseError::invalid_base64;
    return Packet::binary_message(std::move(*bytes));
  }
  return decode_text(frame);
}

void append_to_payload(std::string& payload, const Packet& packet) {
  if (!payload.empty()) payload.push_back(record_separator);
  if (packet.binary) {
    payload.push_back('b');
    payload += base64_encode(packet.data);
  } else {
    payload.push_back(static_cast<char>('0' + static_cast<int>(packet.type)));
    payload += packet.data;
  }
}

boost::system::result<std::vector<Packet>> decode_payload(std::string_view payload) {
  std::vector<Packet> packets;
  std::size_t start = 0;
  while (true) {
    std::size_t end = payload.find(record_separator, start);
    std::string_view part = payload.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    auto packet = decode_frame(part, false);
    if (!packet) return packet.error();
    packets.push_back(std::move(*packet));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

}  // namespace engine
