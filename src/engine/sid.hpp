#pragma once
// Engine.IO session ids: 15 bytes as URL-safe base64, 20 characters, like
// Node's base64id. The first byte names the owning shard, so any shard can
// route a request without a shared table; the other 14 bytes (112 bits) come
// from OpenSSL's CSPRNG and make the id unguessable.

#include <cstddef>
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

}  // namespace engine
