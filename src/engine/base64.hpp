#pragma once
// Standard base64 (RFC 4648 §4, padded), used for binary packets over polling.

#include <optional>
#include <string>
#include <string_view>

namespace engine {

std::string base64_encode(std::string_view bytes);
// Accepts padded or unpadded input; nullopt on any character outside the
// alphabet or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace engine
