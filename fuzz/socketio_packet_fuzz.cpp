// Socket.IO packets with binary attachments, as a client sends them over
// long-polling: the input is an Engine.IO payload ("451-[...]\x1ebAQID"), and
// each of its message packets goes to one socketio::Decoder, text or binary,
// as socketio::Client feeds it. The first error ends the connection, as it
// does in the server. A decoded packet must encode back to itself.

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/packet.hpp"
#include "socketio/packet.hpp"

#include "check.hpp"

namespace {

// Equal, but for doubles: Boost.JSON 1.81 parses numbers fast rather than
// correctly rounded, so a double written out and read back may move by an
// ulp or two (Node's JSON.parse would not).
// A number too large for a double parses to infinity and goes out as null,
// as JSON.stringify writes it.
bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && !std::isfinite(a.get_double())) return b.is_null();
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.is_array() && b.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x) {
      auto* other = y.if_contains(key);
      if (!other || !same_json(value, *other)) return false;
    }
    return true;
  }
  return a == b;
}

void check_round_trip(const socketio::Packet& packet) {
  FUZZ_CHECK(packet.type != socketio::PacketType::binary_event && packet.type != socketio::PacketType::binary_ack);
  // The text part of a packet with attachments keeps its placeholders; a
  // fresh decoder gives back the same header and JSON.
  socketio::Decoder decoder(packet.attachments.size());
  auto text = socketio::encode_text(packet);
  auto again = decoder.add_text(text);
  FUZZ_CHECK(again.has_value());
  for (const auto& a : packet.attachments) {
    FUZZ_CHECK(!*again);
    again = decoder.add_binary(a);
    FUZZ_CHECK(again.has_value());
  }
  FUZZ_CHECK(again->has_value());
  const auto& p = **again;
  FUZZ_CHECK(p.type == packet.type && p.nsp == packet.nsp && p.id == packet.id && same_json(p.data, packet.data) &&
        p.attachments == packet.attachments);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto packets = engine::decode_payload(input);
  if (!packets) return 0;
  socketio::Decoder decoder;
  for (auto& message : *packets) {
    if (message.type != engine::PacketType::message) continue;
    auto result = message.binary ? decoder.add_binary(std::move(message.data)) : decoder.add_text(message.data);
    if (!result) break;
    if (*result) check_round_trip(**result);
  }
  return 0;
}
