#pragma once
// WebSocket framing for the load generator and the raw baseline server, on top
// of the server's own codec (src/net/websocket_frame.hpp). Client frames are
// masked with a zero key, which leaves the payload as it is: the load
// generator should spend its CPU on counting, not on XOR.

#include <cstddef>
#include <string>
#include <string_view>

#include "net/websocket_frame.hpp"

namespace bench {

using Opcode = net::ws::Opcode;

inline void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool masked) {
  char header[14];
  std::size_t n = net::ws::write_frame_header(header, opcode, payload.size());
  if (masked) {
    header[1] = static_cast<char>(header[1] | 0x80);
    for (int i = 0; i < 4; ++i) header[n++] = 0;
  }
  out.append(header, n).append(payload);
}

struct Frame {
  Opcode opcode;
  std::string_view payload;  // unmasked in place
};

// Parses one frame at the start of `data`, unmasking it in place. Returns the
// bytes it used, 0 when the frame is not complete yet.
inline std::size_t parse_frame(char* data, std::size_t size, Frame& frame) {
  net::ws::FrameHeader header;
  if (!net::ws::parse_frame_header(data, size, header) || size - header.size < header.length) return 0;
  char* payload = data + header.size;
  if (header.masked) net::ws::unmask_copy(payload, payload, header.length, header.mask);
  frame = Frame{static_cast<Opcode>(header.opcode), std::string_view(payload, header.length)};
  return header.size + header.length;
}

}  // namespace bench
