#pragma once
// Standard base64 (RFC 4648 §4, padded), used for binary packets over polling.

#include <optional>
#include <string>
#include <string_view>

namespace engine {

std::string base64_encode(std::string_view bytes);
// Writes the base64 of `bytes` and a NUL to `out`, which has room for
// 4 * ceil(size / 3) + 1 characters; returns the length without the NUL.
std::size_t base64_encode_to(char* out, std::string_view bytes);
// Accepts padded or unpadded input; nullopt on any character outside the
// alphabet or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace engine
