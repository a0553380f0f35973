#include "engine/packet.hpp"

#include <gtest/gtest.h>

#include "engine/errors.hpp"
#include "exhaustive.hpp"

using namespace engine;

TEST(Packet, EncodesTextFrames) {
  EXPECT_EQ(encode_text_frame(Packet::of(PacketType::open, R"({"sid":"x"})")), R"(0{"sid":"x"})");
  EXPECT_EQ(encode_text_frame(Packet::of(PacketType::ping)), "2");
  EXPECT_EQ(encode_text_frame(Packet::of(PacketType::ping, "probe")), "2probe");
  EXPECT_EQ(encode_text_frame(Packet::text_message("hello")), "4hello");
  EXPECT_EQ(encode_text_frame(Packet::of(PacketType::noop)), "6");
}

TEST(Packet, DecodesEveryTypeOfTextFrame) {
  for (int t = 0; t <= 6; ++t) {
    auto p = decode_frame(std::string(1, char('0' + t)) + "data", false);
    ASSERT_TRUE(p) << t;
    EXPECT_EQ(static_cast<int>(p->type), t);
    EXPECT_EQ(p->data, "data");
    EXPECT_FALSE(p->binary);
  }
}

TEST(Packet, BinaryFrameIsARawMessage) {
  std::string bytes("\x00\x01\xff", 3);
  auto p = decode_frame(bytes, true);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, Packet::binary_message(bytes));
}

TEST(Packet, BPrefixedTextFrameIsBase64Binary) {
  auto p = decode_frame("bAQID", false);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, Packet::binary_message(std::string("\x01\x02\x03", 3)));
}

TEST(Packet, MalformedFramesAreErrorsNotCrashes) {
  EXPECT_EQ(decode_frame("", false).error(), make_error_code(ParseError::empty_packet));
  EXPECT_EQ(decode_frame("9", false).error(), make_error_code(ParseError::unknown_packet_type));
  EXPECT_EQ(decode_frame("7x", false).error(), make_error_code(ParseError::unknown_packet_type));
  EXPECT_EQ(decode_frame("a", false).error(), make_error_code(ParseError::unknown_packet_type));
  EXPECT_EQ(decode_frame(std::string("\0", 1), false).error(), make_error_code(ParseError::unknown_packet_type));
  EXPECT_EQ(decode_frame("b!!!", false).error(), make_error_code(ParseError::invalid_base64));
  EXPECT_FALSE(decode_frame("bA", false));
}

TEST(Packet, ErrorsHaveReadableMessages) {
  EXPECT_EQ(make_error_code(ParseError::unknown_packet_type).message(), "unknown packet type");
  EXPECT_EQ(http_error_message(HttpErrorCode::unknown_sid), "Session ID unknown");
  EXPECT_EQ(http_error_status(HttpErrorCode::forbidden), 403);
  EXPECT_EQ(http_error_status(HttpErrorCode::bad_request), 400);
}

// Every byte string of length <= 3 over an alphabet of interesting bytes:
// each one decodes or fails cleanly (the sanitizer build checks for UB).
TEST(Packet, ExhaustiveShortInputsNeverCrash) {
  for_each_short_string(std::string("0123456b\x1e=A/\xff\x00", 14), 3, [](const std::string& s) {
    (void)decode_frame(s, false);
    (void)decode_frame(s, true);
    (void)decode_payload(s);
  });
  SUCCEED();
}
