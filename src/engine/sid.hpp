#pragma once
// Engine.IO session ids: 15 bytes as URL-safe base64, 20 characters, like
// Node's base64id. The first byte names the owning shard, so any shard can
// route a request without a shared table; the other 14 bytes (112 bits) come
// from OpenSSL's CSPRNG and make the id unguessable.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace engine {

inline constexpr std::size_t sid_length = 20;

std::string generate_sid(std::size_t shard);
// The same, written to `out` (sid_length characters, no NUL): no string.
void write_sid(std::size_t shard, char* out);
// The shard encoded in `sid`, or nullopt if it is not a well-formed sid.
std::optional<std::size_t> shard_of_sid(std::string_view sid);

// The hash of the tables keyed by session and socket ids. Ids are random
// base64, so their bytes read as three words spread as well as std::hash's
// pass over every byte, for a fraction of its cost (each new connection
// inserts, finds and erases a few). Only the server makes the ids it inserts;
// a client can only look up with a made-up one, and any other length goes
// through std::hash. Not avalanching: Boost's flat maps mix it further.
struct IdHash {
  std::size_t operator()(std::string_view id) const noexcept {
    if (id.size() != sid_length) return std::hash<std::string_view>{}(id);
    std::uint64_t a, b;
    std::uint32_t c;
    std::memcpy(&a, id.data(), 8);
    std::memcpy(&b, id.data() + 8, 8);
    std::memcpy(&c, id.data() + 16, 4);
    return static_cast<std::size_t>(a ^ (b * 0x9e3779b97f4a7c15ULL) ^ (std::uint64_t{c} << 21));
  }
};

}  // namespace engine
