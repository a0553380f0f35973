#pragma once
// Socket.IO v5 packets, carried in Engine.IO message packets:
//   <type>[<attachments>-][<nsp>,][<ack id>][JSON payload]
// Binary values inside the payload are replaced by
// {"_placeholder":true,"num":N} and travel as N separate binary Engine.IO
// messages after the text one.

#include <algorithm>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socketio {

enum class PacketType : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  // ack id
  boost::json::value data;          // null when the packet has no payload
  // Binary attachments, in placeholder order; `data` holds the placeholders.
  std::vector<std::string> attachments;
};

// Event names a client may not use: the server reserves them.
bool is_reserved_event(std::string_view name);

// The text part; the attachments follow it as binary messages, in order.
// EVENT and ACK with attachments are written as BINARY_EVENT and BINARY_ACK.
std::string encode_text(const Packet& packet);
// The server's CONNECT answer, `0[nsp,]{"sid":…[,"pid":…]}`, as encode_text
// writes it, without a JSON object: it is written once per connection.
// An empty `pid` is left out.
std::string encode_connect(std::string_view nsp, std::string_view sid, std::string_view pid);
// The same into `out`, which it replaces: a buffer kept by the caller
// allocates nothing.
void encode_connect_to(std::string& out, std::string_view nsp, std::string_view sid, std::string_view pid);

// A JSON placeholder for attachment `num`.
boost::json::value placeholder(std::size_t num);

enum class DecodeError {
  empty = 1,
  unknown_type,
  bad_attachment_count,
  too_many_attachments,
  bad_ack_id,
  bad_json,
  invalid_payload,
  unexpected_binary,
  unexpected_text,
  bad_placeholder,
};
const boost::system::error_category& decode_error_category();
inline boost::system::error_code make_error_code(DecodeError e) {
  return {static_cast<int>(e), decode_error_category()};
}

// Reassembles packets from a client's Engine.IO messages. One per client:
// a BINARY_EVENT's attachments arrive as the next binary messages.
class Decoder {
 public:
  explicit Decoder(std::size_t max_attachments = 10)
      : max_attachments_(static_cast<std::uint32_t>(std::min<std::size_t>(max_attachments, UINT32_MAX))) {}

  // A complete packet, std::nullopt while attachments are still due, or an
  // error after which the connection must be closed.
  boost::system::result<std::optional<Packet>> add_text(std::string_view text);
  boost::system::result<std::optional<Packet>> add_binary(std::string bytes);

 private:
  // 16 bytes in all: one per client.
  std::unique_ptr<Packet> pending_;  // a binary packet waiting for attachments; rare, so not inline
  std::uint32_t max_attachments_;
  std::uint32_t expected_ = 0;  // at most max_attachments_
};

}  // namespace socketio

namespace boost::system {
template <>
struct is_error_code_enum<socketio::DecodeError> : std::true_type {};
}  // namespace boost::system
