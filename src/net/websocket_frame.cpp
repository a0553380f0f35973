#include "net/websocket_frame.hpp"

#include <cstring>

namespace net::ws {

bool parse_frame_header(const char* data, std::size_t size, FrameHeader& h) {
  if (size < 2) return false;
  auto b0 = static_cast<std::uint8_t>(data[0]);
  auto b1 = static_cast<std::uint8_t>(data[1]);
  h.fin = b0 & 0x80;
  h.rsv = (b0 >> 4) & 0x07;
  h.opcode = b0 & 0x0f;
  h.masked = b1 & 0x80;
  std::size_t at = 2;
  std::uint64_t length = b1 & 0x7f;
  if (length == 126) {
    if (size < 4) return false;
    length = (std::uint64_t(std::uint8_t(data[2])) << 8) | std::uint8_t(data[3]);
    at = 4;
  } else if (length == 127) {
    if (size < 10) return false;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | std::uint8_t(data[2 + i]);
    at = 10;
  }
  h.length = length;
  if (h.masked) {
    if (size < at + 4) return false;
    std::memcpy(h.mask, data + at, 4);
    at += 4;
  }
  h.size = at;
  return true;
}

const char* frame_header_violation(const FrameHeader& h, bool message_in_progress) {
  if (h.rsv != 0) return "reserved bits set without an extension";
  if (!h.masked) return "client frame not masked";
  if (h.length >> 63) return "frame length over 2^63";
  switch (static_cast<Opcode>(h.opcode)) {
    case Opcode::continuation:
      return message_in_progress ? nullptr : "continuation frame without a message";
    case Opcode::text:
    case Opcode::binary:
      return message_in_progress ? "new message inside a fragmented one" : nullptr;
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!h.fin) return "fragmented control frame";
      if (h.length > 125) return "control frame over 125 bytes";
      return nullptr;
  }
  return "unknown opcode";
}

void unmask_copy(char* out, const char* in, std::size_t size, const std::uint8_t mask[4]) {
  // Eight bytes at a time: the key repeated twice.
  std::uint64_t key8;
  std::uint8_t key_bytes[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  std::memcpy(&key8, key_bytes, 8);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, in + i, 8);
    word ^= key8;
    std::memcpy(out + i, &word, 8);
  }
  for (; i < size; ++i) out[i] = static_cast<char>(in[i] ^ mask[i & 3]);
}

std::size_t write_frame_header(char* out, Opcode opcode, std::uint64_t length) {
  std::size_t n = 0;
  out[n++] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
  if (length < 126) {
    out[n++] = static_cast<char>(length);
  } else if (length < 65536) {
    out[n++] = static_cast<char>(126);
    out[n++] = static_cast<char>(length >> 8);
    out[n++] = static_cast<char>(length & 0xff);
  } else {
    out[n++] = static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out[n++] = static_cast<char>((length >> shift) & 0xff);
  }
  return n;
}

void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason) {
  char header[10];
  if (code == 0) {
    out.append(header, write_frame_header(header, Opcode::close, 0));
    return;
  }
  reason = reason.substr(0, 123);
  out.append(header, write_frame_header(header, Opcode::close, 2 + reason.size()));
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xff));
  out.append(reason);
}

}  // namespace net::ws
