// Engine.IO packets from a client: one WebSocket frame (text or binary) and
// one polling payload (packets joined by '\x1e'), as engine::Session decodes
// them. The first byte picks the frame kind; the rest is the frame and the
// payload. Whatever decodes must encode back to the same packets.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/packet.hpp"

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bool binary_frame = data[0] & 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  if (auto frame = engine::decode_frame(input, binary_frame)) {
    if (!frame->binary) {
      auto again = engine::decode_frame(engine::encode_text_frame(*frame), false);
      FUZZ_CHECK(again && *again == *frame);
    }
  }

  if (auto packets = engine::decode_payload(input)) {
    FUZZ_CHECK(!packets->empty());
    std::string payload;
    for (const auto& p : *packets) engine::append_to_payload(payload, p);
    auto again = engine::decode_payload(payload);
    FUZZ_CHECK(again && *again == *packets);
  }
  return 0;
}
