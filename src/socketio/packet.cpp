#include "socketio/packet.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "net/enum_category.hpp"
#include "net/json_text.hpp"

namespace socketio {

namespace {

const char* describe(DecodeError e) {
  switch (e) {
    case DecodeError::empty:
      return "empty packet";
    case DecodeError::unknown_type:
      return "unknown packet type";
    case DecodeError::bad_attachment_count:
      return "illegal attachments";
    case DecodeError::too_many_attachments:
      return "too many attachments";
    case DecodeError::bad_ack_id:
      return "invalid ack id";
    case DecodeError::bad_json:
      return "invalid payload JSON";
    case DecodeError::invalid_payload:
      return "invalid payload";
    case DecodeError::unexpected_binary:
      return "got binary data when not reconstructing a packet";
    case DecodeError::unexpected_text:
      return "got plaintext data when reconstructing a packet";
    case DecodeError::bad_placeholder:
      return "illegal attachment placeholder";
  }
  return "unknown decode error";
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_binary_type(PacketType t) { return t == PacketType::binary_event || t == PacketType::binary_ack; }

// The rules of socket.io-parser's isPayloadValid.
bool payload_valid(PacketType type, const boost::json::value& data, bool has_payload) {
  switch (type) {
    case PacketType::connect:
      return !has_payload || data.is_object();
    case PacketType::disconnect:
      return !has_payload;
    case PacketType::connect_error:
      return has_payload && (data.is_string() || data.is_object());
    case PacketType::event:
    case PacketType::binary_event: {
      if (!data.is_array() || data.as_array().empty()) return false;
      const auto& first = data.as_array().front();
      if (first.is_number()) return true;
      return first.is_string() && !is_reserved_event(first.as_string());
    }
    case PacketType::ack:
    case PacketType::binary_ack:
      return data.is_array();
  }
  return false;
}

// Every placeholder must name an attachment that exists.
bool placeholders_valid(const boost::json::value& v, std::size_t count) {
  if (v.is_array()) {
    for (const auto& e : v.as_array())
      if (!placeholders_valid(e, count)) return false;
  } else if (v.is_object()) {
    const auto& o = v.as_object();
    if (auto* flag = o.if_contains("_placeholder"); flag && flag->is_bool() && flag->as_bool()) {
      auto* num = o.if_contains("num");
      if (!num || !num->is_int64()) return false;
      auto n = num->as_int64();
      return n >= 0 && static_cast<std::size_t>(n) < count;
    }
    for (const auto& [k, e] : o)
      if (!placeholders_valid(e, count)) return false;
  }
  return true;
}

}  // namespace

const boost::system::error_category& decode_error_category() {
  static const net::EnumCategory<DecodeError> category("socket.io decode", describe);
  return category;
}

bool is_reserved_event(std::string_view name) {
  static constexpr std::array<std::string_view, 6> reserved{"connect",       "connect_error", "disconnect",
                                                            "disconnecting", "newListener",   "removeListener"};
  for (auto r : reserved)
    if (r == name) return true;
  return false;
}

boost::json::value placeholder(std::size_t num) {
  // int64, as the decoder reads numbers, so that both compare alike.
  return boost::json::object{{"_placeholder", true}, {"num", static_cast<std::int64_t>(num)}};
}

namespace {
// A namespace other than the main one, with its comma: "/admin,".
void append_nsp(std::string& out, std::string_view nsp) {
  if (nsp.empty() || nsp == "/") return;
  out += nsp;
  out += ',';
}

// Ids the server made (base64url) are JSON strings as they are.
bool needs_no_json_escape(std::string_view id) {
  // Printable ASCII (0x20-0x7e) but the quote and the backslash.
  for (char c : id)
    if (static_cast<unsigned char>(c - 0x20) >= 0x5f || c == '"' || c == '\\') return false;
  return true;
}
}  // namespace

std::string encode_text(const Packet& packet) {
  PacketType type = packet.type;
  bool binary = !packet.attachments.empty();
  if (binary && type == PacketType::event) type = PacketType::binary_event;
  if (binary && type == PacketType::ack) type = PacketType::binary_ack;
  std::string out(1, static_cast<char>('0' + static_cast<int>(type)));
  if (is_binary_type(type)) {
    out += std::to_string(packet.attachments.size());
    out.push_back('-');
  }
  append_nsp(out, packet.nsp);
  if (packet.id) out += std::to_string(*packet.id);
  if (!packet.data.is_null()) out += net::json_text(packet.data);
  return out;
}

std::string encode_connect(std::string_view nsp, std::string_view sid, std::string_view pid) {
  std::string out;
  encode_connect_to(out, nsp, sid, pid);
  return out;
}

void encode_connect_to(std::string& out, std::string_view nsp, std::string_view sid, std::string_view pid) {
  if (!needs_no_json_escape(sid) || !needs_no_json_escape(pid)) {
    boost::json::object answer{{"sid", sid}};
    if (!pid.empty()) answer["pid"] = pid;
    out = encode_text(Packet{PacketType::connect, std::string(nsp), std::nullopt, std::move(answer), {}});
    return;
  }
  out.clear();
  out.reserve(nsp.size() + sid.size() + pid.size() + 24);
  out += '0';
  append_nsp(out, nsp);
  out += R"({"sid":")";
  out += sid;
  if (!pid.empty()) {
    out += R"(","pid":")";
    out += pid;
  }
  out += R"("})";
}

boost::system::result<std::optional<Packet>> Decoder::add_text(std::string_view text) {
  if (pending_) return DecodeError::unexpected_text;
  if (text.empty()) return DecodeError::empty;
  if (text[0] < '0' || text[0] > '6') return DecodeError::unknown_type;
  Packet packet;
  packet.type = static_cast<PacketType>(text[0] - '0');
  std::size_t i = 1;

  std::size_t attachments = 0;
  if (is_binary_type(packet.type)) {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start || i >= text.size() || text[i] != '-') return DecodeError::bad_attachment_count;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, attachments);
    if (ec != std::errc() || attachments == 0) return DecodeError::bad_attachment_count;
    if (attachments > max_attachments_) return DecodeError::too_many_attachments;
    ++i;  // '-'
  }

  // A namespace starts with '/' and runs to ',' or to the end ("40/admin").
  if (i < text.size() && text[i] == '/') {
    std::size_t comma = text.find(',', i);
    std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    packet.nsp = std::string(text.substr(i, end - i));
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }

  if (i < text.size() && is_digit(text[i])) {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    std::uint64_t id = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, id);
    if (ec != std::errc()) return DecodeError::bad_ack_id;
    packet.id = id;
  }

  bool has_payload = i < text.size();
  if (has_payload) {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 64;
    packet.data = boost::json::parse(text.substr(i), ec, {}, options);
    if (ec) return DecodeError::bad_json;
  }
  if (!payload_valid(packet.type, packet.data, has_payload)) return DecodeError::invalid_payload;

  if (attachments == 0) return std::optional<Packet>(std::move(packet));
  if (!placeholders_valid(packet.data, attachments)) return DecodeError::bad_placeholder;
  packet.attachments.reserve(attachments);
  pending_ = std::make_unique<Packet>(std::move(packet));
  expected_ = static_cast<std::uint32_t>(attachments);  // checked against max_attachments_ above
  return std::optional<Packet>();
}

boost::system::result<std::optional<Packet>> Decoder::add_binary(std::string bytes) {
  if (!pending_) return DecodeError::unexpected_binary;
  pending_->attachments.push_back(std::move(bytes));
  if (pending_->attachments.size() < expected_) return std::optional<Packet>();
  Packet done = std::move(*pending_);
  pending_.reset();
  expected_ = 0;
  // Once whole, a binary packet is handled as the plain EVENT / ACK it carries.
  done.type = done.type == PacketType::binary_event ? PacketType::event : PacketType::ack;
  return std::optional<Packet>(std::move(done));
}

}  // namespace socketio
