#include <gtest/gtest.h>

#include "engine/errors.hpp"
#include "engine/packet.hpp"

using namespace engine;

TEST(Payload, JoinsPacketsWithRecordSeparator) {
  std::string payload;
  append_to_payload(payload, Packet::text_message("hello"));
  append_to_payload(payload, Packet::binary_message(std::string("\x01\x02\x03", 3)));
  append_to_payload(payload, Packet::of(PacketType::ping));
  EXPECT_EQ(payload, "4hello\x1e" "bAQID\x1e" "2");
}

TEST(Payload, SinglePacketHasNoSeparator) {
  std::string payload;
  append_to_payload(payload, Packet::of(PacketType::noop));
  EXPECT_EQ(payload, "6");
}

TEST(Payload, DecodesWhatNodeSends) {
  // Captured from a Node socket.io 4.8 server (research notes 1.5).
  auto packets = decode_payload(
      "42[\"echo-back\",1,\"2\"]\x1e" "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1e" "bAQID\x1e"
      "461-1[\"x\",{\"_placeholder\":true,\"num\":0}]\x1e" "bCQg=");
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 5u);
  EXPECT_EQ((*packets)[0], Packet::text_message("2[\"echo-back\",1,\"2\"]"));
  EXPECT_EQ((*packets)[2], Packet::binary_message(std::string("\x01\x02\x03", 3)));
  EXPECT_EQ((*packets)[4], Packet::binary_message(std::string("\x09\x08", 2)));
}

TEST(Payload, RoundTrips) {
  std::vector<Packet> in{Packet::text_message("a\x1f" "b"), Packet::binary_message(""),
                         Packet::binary_message(std::string(1000, '\xfe')), Packet::of(PacketType::pong),
                         Packet::text_message("")};
  std::string payload;
  for (const auto& p : in) append_to_payload(payload, p);
  auto out = decode_payload(payload);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, in);
}

TEST(Payload, MalformedPayloadsAreErrors) {
  EXPECT_FALSE(decode_payload(""));                // no packet at all
  EXPECT_FALSE(decode_payload("4a\x1e"));          // empty trailing packet
  EXPECT_FALSE(decode_payload("\x1e" "4a"));       // empty leading packet
  EXPECT_FALSE(decode_payload("4a\x1e\x1e" "4b"));  // empty middle packet
  EXPECT_FALSE(decode_payload("4a\x1e" "9"));      // unknown type
  EXPECT_FALSE(decode_payload("4a\x1e" "b$$"));    // bad base64
}

TEST(Payload, LargePayloadOfManyPackets) {
  std::string payload;
  for (int i = 0; i < 10000; ++i) append_to_payload(payload, Packet::text_message(std::to_string(i)));
  auto out = decode_payload(payload);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 10000u);
  EXPECT_EQ(out->back().data, "9999");
}
