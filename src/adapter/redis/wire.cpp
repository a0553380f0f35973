#include "adapter/redis/wire.hpp"

#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "adapter/redis/notepack.hpp"
#include "net/json_text.hpp"

namespace adapter::redis {

namespace json = boost::json;

Channels::Channels(const std::string& key, const std::string& nsp, const std::string& uid)
    : broadcast(key + "#" + nsp + "#"),
      pattern(broadcast + "*"),
      request(key + "-request#" + nsp + "#"),
      response(key + "-response#" + nsp + "#"),
      specific_response(response + uid + "#") {}

std::string Channels::broadcast_channel(const Target& target) const {
  if (target.rooms.size() == 1) return broadcast + target.rooms[0] + "#";
  return broadcast;
}

std::optional<std::string_view> Channels::room_of(std::string_view channel) const {
  if (channel.size() < broadcast.size() || channel.substr(0, broadcast.size()) != broadcast) return std::nullopt;
  channel.remove_prefix(broadcast.size());
  if (channel.empty()) return channel;
  // Node: channel.slice(this.channel.length, -1); the room itself may hold '#'.
  if (channel.back() != '#') return std::nullopt;
  channel.remove_suffix(1);
  return channel;
}

std::string random_uid(std::size_t length) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string uid(length, 'A');
  for (auto& c : uid) c = alphabet[rng() % 64];
  return uid;
}

namespace {

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::object encode_flags(const WireFlags& f) {
  json::object flags;
  if (f.flags.volatile_) flags["volatile"] = true;
  if (!f.flags.compress) flags["compress"] = false;
  if (f.timeout_ms) flags["timeout"] = *f.timeout_ms;
  return flags;
}

// Strings of a JSON array; other values are skipped (a Node peer only sends strings).
std::vector<std::string> strings_of(const json::value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
    else if (e.is_number()) out.push_back(json::serialize(e));  // Node accepts numeric rooms
  }
  return out;
}

Target target_of(const json::value* opts) {
  Target t;
  if (!opts || !opts->is_object()) return t;
  t.rooms = strings_of(opts->as_object().if_contains("rooms"));
  t.except = strings_of(opts->as_object().if_contains("except"));
  return t;
}

BroadcastFlags flags_of(const json::value* opts) {
  BroadcastFlags f;
  if (!opts || !opts->is_object()) return f;
  auto* flags = opts->as_object().if_contains("flags");
  if (!flags || !flags->is_object()) return f;
  if (auto* v = flags->as_object().if_contains("volatile"); v && v->is_bool()) f.volatile_ = v->as_bool();
  if (auto* c = flags->as_object().if_contains("compress"); c && c->is_bool()) f.compress = c->as_bool();
  return f;
}

}  // namespace

json::object encode_opts(const Target& target, const WireFlags* flags) {
  json::object opts;
  opts["rooms"] = string_array(target.rooms);
  opts["except"] = string_array(target.except);
  if (flags) opts["flags"] = encode_flags(*flags);
  return opts;
}

std::string encode_broadcast(std::string_view uid, std::string_view nsp, const json::array& data,
                             const std::vector<std::string>& buffers, const Target& target, const WireFlags& flags) {
  json::object packet;
  packet["type"] = 2;  // EVENT even with binary inside: Node's parser makes it BINARY_EVENT
  packet["data"] = data;
  packet["nsp"] = nsp;
  json::array envelope{json::string(uid), std::move(packet), encode_opts(target, &flags)};
  std::string out;
  notepack::encode(envelope, buffers, out);
  return out;
}

std::optional<std::string_view> broadcast_uid(std::string_view bytes) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  auto big_endian = [&](std::size_t at, std::size_t n) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | byte(at + i);
    return v;
  };
  if (bytes.empty()) return std::nullopt;
  std::size_t at;  // where the first item starts
  std::uint32_t count;
  std::uint32_t head = byte(0);
  if ((head & 0xf0) == 0x90) at = 1, count = head & 0x0f;
  else if (head == 0xdc && bytes.size() >= 3) at = 3, count = big_endian(1, 2);
  else if (head == 0xdd && bytes.size() >= 5) at = 5, count = big_endian(1, 4);
  else return std::nullopt;
  if (count == 0 || at >= bytes.size()) return std::nullopt;
  std::uint32_t str = byte(at);
  std::size_t length_bytes = str == 0xd9 ? 1 : str == 0xda ? 2 : str == 0xdb ? 4 : 0;
  if (length_bytes == 0 && (str & 0xe0) != 0xa0) return std::nullopt;  // not a str
  std::size_t start = at + 1 + length_bytes;
  if (start > bytes.size()) return std::nullopt;
  std::size_t length = length_bytes ? big_endian(at + 1, length_bytes) : (str & 0x1f);
  if (length > bytes.size() - start) return std::nullopt;
  return bytes.substr(start, length);
}

std::optional<Broadcast> decode_broadcast(std::string_view bytes, std::string& error) {
  auto decoded = notepack::decode(bytes);
  if (!decoded) {
    error = decoded.error;
    return std::nullopt;
  }
  auto* envelope = decoded.value.if_array();
  if (!envelope || envelope->size() < 3) {
    error = "broadcast: not a [uid, packet, opts] array";
    return std::nullopt;
  }
  auto& items = *envelope;
  auto* packet = items[1].if_object();
  if (!items[0].is_string() || !packet || !items[2].is_object()) {
    error = "broadcast: not a [uid, packet, opts] array";
    return std::nullopt;
  }
  Broadcast b;
  b.uid = items[0].as_string();
  auto* nsp = packet->if_contains("nsp");
  b.nsp = nsp && nsp->is_string() ? std::string(nsp->as_string()) : "/";  // Node: missing nsp is "/"
  auto* data = packet->if_contains("data");
  if (!data || !data->is_array() || data->as_array().empty() || !data->as_array()[0].is_string()) {
    error = "broadcast: packet.data is not [event, ...args]";
    return std::nullopt;
  }
  b.data = std::move(data->as_array());
  b.buffers = std::move(decoded.buffers);
  b.target = target_of(&items[2]);
  b.flags = flags_of(&items[2]);
  return b;
}

std::optional<int> Message::type() const {
  auto* t = fields.if_contains("type");
  if (!t) return std::nullopt;
  // Node compares `type === RequestType.X`: a JS number, so 7.0 is 7 and
  // 2^32 + 7 is no type at all.
  double n;
  if (t->is_int64()) n = static_cast<double>(t->as_int64());
  else if (t->is_uint64()) n = static_cast<double>(t->as_uint64());
  else if (t->is_double()) n = t->as_double();
  else return std::nullopt;
  if (!(n >= 0 && n <= 1000) || n != std::floor(n)) return std::nullopt;  // every type is small
  return static_cast<int>(n);
}

std::string Message::string_field(std::string_view key) const {
  auto* v = fields.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Target Message::target() const { return target_of(fields.if_contains("opts")); }

std::vector<std::string> Message::strings(std::string_view key) const { return strings_of(fields.if_contains(key)); }

std::optional<Message> decode_message(std::string_view bytes, std::string& error) {
  Message m;
  if (!bytes.empty() && bytes[0] == '{') {
    boost::system::error_code ec;
    auto v = json::parse(bytes, ec);
    if (ec || !v.is_object()) {
      error = "request: invalid JSON";
      return std::nullopt;
    }
    m.fields = std::move(v.as_object());
    return m;
  }
  auto decoded = notepack::decode(bytes);
  if (!decoded) {
    error = decoded.error;
    return std::nullopt;
  }
  if (!decoded.value.is_object()) {
    error = "request: not a map";
    return std::nullopt;
  }
  m.fields = std::move(decoded.value.as_object());
  m.buffers = std::move(decoded.buffers);
  return m;
}

std::string encode_json(const json::object& fields) { return net::json_text(fields); }

std::string encode_msgpack(const json::object& fields, const std::vector<std::string>& buffers) {
  std::string out;
  notepack::encode(json::value(fields), buffers, out);
  return out;
}

std::string encode_sharded(ShardedType type, const json::object& data, const std::vector<std::string>& buffers,
                           std::string_view uid, std::string_view nsp) {
  json::object envelope{{"type", static_cast<int>(type)}, {"data", data}, {"uid", uid}, {"nsp", nsp}};
  if (buffers.empty()) return encode_json(envelope);
  return encode_msgpack(envelope, buffers);
}

bool looks_like_socket_id(std::string_view room) { return room.size() == 20; }

}  // namespace adapter::redis
