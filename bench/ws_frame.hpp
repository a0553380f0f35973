#pragma once
// Minimal WebSocket framing shared by the load generator and the raw
// baseline server (bench/ only; the server's own code is in src/net/).
// Client frames are masked with a zero key, which leaves the payload as it is:
// the load generator should spend its CPU on counting, not on XOR.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

enum Opcode : std::uint8_t { kContinuation = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };

inline void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool masked) {
  char header[14];
  std::size_t n = 0;
  header[n++] = static_cast<char>(0x80 | opcode);
  char mask_bit = masked ? char(0x80) : char(0);
  std::size_t length = payload.size();
  if (length < 126) {
    header[n++] = static_cast<char>(mask_bit | length);
  } else if (length < 65536) {
    header[n++] = static_cast<char>(mask_bit | 126);
    header[n++] = static_cast<char>(length >> 8);
    header[n++] = static_cast<char>(length & 0xff);
  } else {
    header[n++] = static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) header[n++] = static_cast<char>((length >> shift) & 0xff);
  }
  if (masked)
    for (int i = 0; i < 4; ++i) header[n++] = 0;
  out.append(header, n).append(payload);
}

struct Frame {
  Opcode opcode;
  bool fin;
  std::string_view payload;  // unmasked in place
};

// Parses one frame at the start of `data` (unmasking it in place). Returns the
// bytes it used, 0 when the frame is not complete yet.
inline std::size_t parse_frame(char* data, std::size_t size, Frame& frame) {
  if (size < 2) return 0;
  auto b0 = static_cast<std::uint8_t>(data[0]), b1 = static_cast<std::uint8_t>(data[1]);
  std::size_t at = 2;
  std::uint64_t length = b1 & 0x7f;
  if (length == 126) {
    if (size < 4) return 0;
    length = (std::uint64_t(std::uint8_t(data[2])) << 8) | std::uint8_t(data[3]);
    at = 4;
  } else if (length == 127) {
    if (size < 10) return 0;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | std::uint8_t(data[2 + i]);
    at = 10;
  }
  bool masked = b1 & 0x80;
  const char* key = data + at;
  if (masked) at += 4;
  if (size < at + length) return 0;
  char* payload = data + at;
  if (masked)
    for (std::uint64_t i = 0; i < length; ++i) payload[i] ^= key[i & 3];
  frame = Frame{static_cast<Opcode>(b0 & 0x0f), bool(b0 & 0x80), std::string_view(payload, length)};
  return at + length;
}

}  // namespace bench
