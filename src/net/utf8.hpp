#pragma once
// UTF-8 as the WHATWG Encoding Standard decodes it (what V8's
// Buffer.toString("utf8") and TextDecoder do): text from outside that must
// go out in WebSocket text frames, which a client fails on bad UTF-8
// (RFC 6455 8.1).

#include <string>
#include <string_view>

namespace net {

bool is_valid_utf8(std::string_view text);

// `text` with each maximal ill-formed subsequence replaced by U+FFFD, as
// Node decodes such bytes; valid text comes back unchanged.
std::string to_valid_utf8(std::string_view text);

}  // namespace net
