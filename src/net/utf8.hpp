#pragma once
// UTF-8 as the WHATWG Encoding Standard decodes it (what V8's
// Buffer.toString("utf8") and TextDecoder do): text from outside that must
// go out in WebSocket text frames, which a client fails on bad UTF-8
// (RFC 6455 8.1).

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace net {

bool is_valid_utf8(std::string_view text);

// Whether every byte is ASCII, which is valid UTF-8: most text messages are
// (JSON of ASCII), and this costs a fraction of a full check, 8 bytes a step.
inline bool is_ascii(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  std::uint64_t bits = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    bits |= word;
  }
  for (; n > 0; ++p, --n) bits |= static_cast<unsigned char>(*p);
  return (bits & 0x8080808080808080ULL) == 0;
}

// `text` with each maximal ill-formed subsequence replaced by U+FFFD, as
// Node decodes such bytes; valid text comes back unchanged.
std::string to_valid_utf8(std::string_view text);

}  // namespace net
