#pragma once
// RFC 6455 framing for the server side: client frames are parsed (they are
// always masked), server frames are written unmasked. Pure functions, no I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace net::ws {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

struct FrameHeader {
  bool fin = false;
  std::uint8_t rsv = 0;  // RSV1-3; must be 0 without extensions
  std::uint8_t opcode = 0;
  bool masked = false;
  std::uint64_t length = 0;
  std::uint8_t mask[4] = {};
  std::size_t size = 0;  // bytes of the header itself
};

// Parses the header at the front of `data`. Returns false when more bytes are
// needed. Semantic checks (masking, opcodes, control frame rules) are the
// caller's, so that it can answer each with the right close code.
bool parse_frame_header(const char* data, std::size_t size, FrameHeader& header);

// Why a client frame header breaks RFC 6455 (nullptr if it does not), given
// whether a fragmented message is in progress.
const char* frame_header_violation(const FrameHeader& header, bool message_in_progress);

// Copies a whole frame's `size` masked payload bytes to `out`, unmasking them
// (`out` may be `in`: unmasking in place).
void unmask_copy(char* out, const char* in, std::size_t size, const std::uint8_t mask[4]);

// Writes an unmasked server frame header for a FIN frame; returns its size (≤ 10).
std::size_t write_frame_header(char* out, Opcode opcode, std::uint64_t payload_length);

// Appends a whole close frame: status code and reason, or no body when code is 0.
void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason = {});

}  // namespace net::ws
