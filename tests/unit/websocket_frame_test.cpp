#include <gtest/gtest.h>

#include "net/websocket_frame.hpp"
#include "net/websocket_handshake.hpp"

using namespace net::ws;

namespace {
// A client frame as a browser would send it: FIN, masked with `key`.
std::string client_frame(Opcode opcode, std::string_view payload, bool fin = true, std::string key = "\x12\x34\x56\x78") {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode)));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  f += key;
  for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ key[i & 3]));
  return f;
}

std::string unmasked_payload(const std::string& frame) {
  FrameHeader h;
  EXPECT_TRUE(parse_frame_header(frame.data(), frame.size(), h));
  std::string out(h.length, '\0');
  unmask_copy(out.data(), frame.data() + h.size, h.length, h.mask);
  return out;
}
}  // namespace

TEST(WebSocketFrame, ParsesMaskedClientFramesOfEveryLengthForm) {
  for (std::size_t length : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    std::string payload(length, 'x');
    for (std::size_t i = 0; i < length; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string frame = client_frame(Opcode::text, payload);
    FrameHeader h;
    ASSERT_TRUE(parse_frame_header(frame.data(), frame.size(), h)) << length;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.opcode, 1);
    EXPECT_TRUE(h.masked);
    EXPECT_EQ(h.length, length);
    EXPECT_EQ(h.size + length, frame.size());
    EXPECT_EQ(frame_header_violation(h, false), nullptr);
    EXPECT_EQ(unmasked_payload(frame), payload) << length;
  }
}

TEST(WebSocketFrame, IncompleteHeadersAskForMoreBytes) {
  std::string frame = client_frame(Opcode::binary, std::string(70000, 'z'));
  FrameHeader h;
  for (std::size_t cut = 0; cut < 14; ++cut) EXPECT_FALSE(parse_frame_header(frame.data(), cut, h)) << cut;
  EXPECT_TRUE(parse_frame_header(frame.data(), 14, h));
}

TEST(WebSocketFrame, NamesEveryViolation) {
  FrameHeader h;
  auto check = [&](std::string frame, bool in_progress) {
    EXPECT_TRUE(parse_frame_header(frame.data(), frame.size(), h));
    return frame_header_violation(h, in_progress);
  };
  std::string unmasked = "\x81\x02hi";
  EXPECT_STREQ(check(unmasked, false), "client frame not masked");
  std::string rsv = client_frame(Opcode::text, "x");
  rsv[0] = static_cast<char>(rsv[0] | 0x40);
  EXPECT_STREQ(check(rsv, false), "reserved bits set without an extension");
  EXPECT_STREQ(check(client_frame(Opcode::continuation, "x"), false), "continuation frame without a message");
  EXPECT_EQ(check(client_frame(Opcode::continuation, "x"), true), nullptr);
  EXPECT_STREQ(check(client_frame(Opcode::text, "x"), true), "new message inside a fragmented one");
  EXPECT_STREQ(check(client_frame(Opcode::ping, "x", false), false), "fragmented control frame");
  EXPECT_STREQ(check(client_frame(Opcode::ping, std::string(126, 'p')), false), "control frame over 125 bytes");
  EXPECT_EQ(check(client_frame(Opcode::close, std::string(125, 'c')), false), nullptr);
  std::string unknown = client_frame(Opcode::text, "x");
  unknown[0] = static_cast<char>(0x83);
  EXPECT_STREQ(check(unknown, false), "unknown opcode");
}

TEST(WebSocketFrame, WritesServerHeadersInTheShortestForm) {
  char h[10];
  ASSERT_EQ(write_frame_header(h, Opcode::text, 5), 2u);
  EXPECT_EQ(std::string(h, 2), "\x81\x05");
  ASSERT_EQ(write_frame_header(h, Opcode::binary, 126), 4u);
  EXPECT_EQ(std::string(h, 4), std::string("\x82\x7e\x00\x7e", 4));
  ASSERT_EQ(write_frame_header(h, Opcode::text, 65536), 10u);
  EXPECT_EQ(std::string(h, 10), std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WebSocketFrame, CloseFrames) {
  std::string out;
  append_close_frame(out, 0);
  EXPECT_EQ(out, std::string("\x88\x00", 2));
  out.clear();
  append_close_frame(out, 1009, "too big");
  EXPECT_EQ(out, std::string("\x88\x09\x03\xf1too big", 11));
}

TEST(WebSocketFrame, ArbitraryShortInputsNeverCrash) {
  // Every 1-3 byte input, then every 14-byte input over a hostile alphabet.
  const unsigned char alphabet[] = {0x00, 0x01, 0x7e, 0x7f, 0x80, 0x81, 0x88, 0xfe, 0xff};
  FrameHeader h;
  for (unsigned a = 0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b) {
      char data[3] = {static_cast<char>(a), static_cast<char>(b), 0};
      for (std::size_t n = 0; n <= 3; ++n) {
        if (parse_frame_header(data, n, h)) {
          EXPECT_LE(h.size, n);
        }
      }
    }
  char data[14];
  for (unsigned i = 0; i < 200000; ++i) {
    unsigned x = i * 2654435761u;
    for (auto& c : data) {
      c = static_cast<char>(alphabet[x % sizeof alphabet]);
      x = x * 1103515245u + 12345u;
    }
    if (parse_frame_header(data, sizeof data, h)) {
      EXPECT_LE(h.size, sizeof data);
      frame_header_violation(h, i & 1);
    }
  }
}

TEST(WebSocketHandshake, AcceptKeyOfRfc6455) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, AnswersWith101AndTheExtraHeaders) {
  UpgradeRequest r{true, "dGhlIHNhbXBsZSBub25jZQ==", "13"};
  auto answer = answer_handshake(r, {{"X-Test", "1"}});
  EXPECT_TRUE(answer.accepted);
  EXPECT_EQ(answer.text,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Test: 1\r\n\r\n");
}

TEST(WebSocketHandshake, RefusesWhatIsNotAValidUpgrade) {
  auto not_upgrade = answer_handshake(UpgradeRequest{false, "dGhlIHNhbXBsZSBub25jZQ==", "13"}, {});
  EXPECT_FALSE(not_upgrade.accepted);
  EXPECT_EQ(not_upgrade.text.rfind("HTTP/1.1 400", 0), 0u);
  auto old_version = answer_handshake(UpgradeRequest{true, "dGhlIHNhbXBsZSBub25jZQ==", "8"}, {});
  EXPECT_FALSE(old_version.accepted);
  EXPECT_EQ(old_version.text.rfind("HTTP/1.1 426", 0), 0u);
  EXPECT_NE(old_version.text.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
  for (std::string_view key : {"", "short==", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25j!Q=="})
    EXPECT_FALSE(answer_handshake(UpgradeRequest{true, key, "13"}, {}).accepted) << key;
}
