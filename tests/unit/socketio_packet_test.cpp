#include "socketio/packet.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <string>
#include <tuple>

#include "exhaustive.hpp"

using namespace socketio;
namespace json = boost::json;

namespace {
Packet decode_one(std::string_view text) {
  Decoder d;
  auto r = d.add_text(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message());
  EXPECT_TRUE(r && r->has_value()) << text;
  return r && r->has_value() ? std::move(**r) : Packet{};
}

boost::system::error_code decode_error(std::string_view text) {
  Decoder d;
  auto r = d.add_text(text);
  return r ? boost::system::error_code{} : r.error();
}
}  // namespace

TEST(SocketIoPacket, EncodesTheProtocolsExamples) {
  EXPECT_EQ(encode_text({PacketType::connect, "/", {}, {}, {}}), "0");
  EXPECT_EQ(encode_text({PacketType::connect, "/admin", {}, json::parse(R"({"sid":"abc"})"), {}}),
            R"(0/admin,{"sid":"abc"})");
  EXPECT_EQ(encode_text({PacketType::disconnect, "/admin", {}, {}, {}}), "1/admin,");
  EXPECT_EQ(encode_text({PacketType::event, "/", {}, json::parse(R"(["foo"])"), {}}), R"(2["foo"])");
  EXPECT_EQ(encode_text({PacketType::event, "/admin", 12, json::parse(R"(["bar"])"), {}}), R"(2/admin,12["bar"])");
  EXPECT_EQ(encode_text({PacketType::ack, "/admin", 13, json::parse(R"(["bar"])"), {}}), R"(3/admin,13["bar"])");
  EXPECT_EQ(encode_text({PacketType::connect_error, "/", {}, json::parse(R"({"message":"Invalid namespace"})"), {}}),
            R"(4{"message":"Invalid namespace"})");
}

TEST(SocketIoPacket, TheConnectAnswerIsWhatEncodeTextWritesForIt) {
  auto as_json = [](std::string_view nsp, std::string_view sid, std::string_view pid) {
    json::object answer{{"sid", sid}};
    if (!pid.empty()) answer["pid"] = pid;
    return encode_text({PacketType::connect, std::string(nsp), {}, std::move(answer), {}});
  };
  EXPECT_EQ(encode_connect("/", "AbC-_9", ""), R"(0{"sid":"AbC-_9"})");
  EXPECT_EQ(encode_connect("/admin", "AbC-_9", "Pq_1"), R"(0/admin,{"sid":"AbC-_9","pid":"Pq_1"})");
  for (auto [nsp, sid, pid] : {std::tuple{"/", "x", ""},
                               {"/chat", "x", "y"},
                               {"", "x", ""},
                               {"/", "a\"b", ""},
                               {"/", "x", "tab\there"},
                               {"/", "\\", "\x7f"}})
    EXPECT_EQ(encode_connect(nsp, sid, pid), as_json(nsp, sid, pid)) << sid << " " << pid;
}

TEST(SocketIoPacket, EncodesBinaryWithItsAttachmentCount) {
  Packet p{PacketType::event, "/", {}, json::array{"baz", placeholder(0)}, {std::string("\x01\x02\x03", 3)}};
  EXPECT_EQ(encode_text(p), R"(51-["baz",{"_placeholder":true,"num":0}])");
  Packet a{PacketType::ack, "/admin", 15, json::array{placeholder(0), placeholder(1)}, {"a", "b"}};
  EXPECT_EQ(encode_text(a), R"(62-/admin,15[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
}

TEST(SocketIoPacket, DecodesNamespaceAckIdAndPayload) {
  auto p = decode_one(R"(2/admin,456["message-with-ack",1,"2"])");
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 456u);
  EXPECT_EQ(json::serialize(p.data), R"(["message-with-ack",1,"2"])");

  auto c = decode_one("0");
  EXPECT_EQ(c.type, PacketType::connect);
  EXPECT_EQ(c.nsp, "/");
  EXPECT_TRUE(c.data.is_null());

  auto auth = decode_one(R"(0{"token":"123"})");
  EXPECT_EQ(auth.data.at("token"), "123");
}

TEST(SocketIoPacket, NamespaceWithoutCommaRunsToTheEnd) {
  EXPECT_EQ(decode_one("0/admin").nsp, "/admin");
  EXPECT_EQ(decode_one("1/custom").nsp, "/custom");
  EXPECT_EQ(decode_one("0/admin,").nsp, "/admin");
}

TEST(SocketIoPacket, NumericEventNamesAreAccepted) { EXPECT_EQ(decode_one("2[1]").data.at(0), 1); }

TEST(SocketIoPacket, ReassemblesBinaryAttachmentsInOrder) {
  Decoder d;
  auto head = d.add_text(R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"nested":[{"_placeholder":true,"num":1}]}])");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->has_value());
  auto mid = d.add_binary("first");
  ASSERT_TRUE(mid);
  EXPECT_FALSE(mid->has_value());
  auto done = d.add_binary(std::string("\x00\xff", 2));
  ASSERT_TRUE(done && done->has_value());
  const Packet& p = **done;
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.nsp, "/admin");
  ASSERT_EQ(p.attachments.size(), 2u);
  EXPECT_EQ(p.attachments[0], "first");
  EXPECT_EQ(p.attachments[1], std::string("\x00\xff", 2));
  // The decoder is ready for the next packet.
  EXPECT_TRUE(d.add_text(R"(2["next"])"));
}

TEST(SocketIoPacket, BinaryAckBecomesAck) {
  Decoder d;
  ASSERT_TRUE(d.add_text(R"(61-15[{"_placeholder":true,"num":0}])"));
  auto done = d.add_binary("x");
  ASSERT_TRUE(done && done->has_value());
  EXPECT_EQ((*done)->type, PacketType::ack);
  EXPECT_EQ((*done)->id, 15u);
}

TEST(SocketIoPacket, RoundTripsThroughEncodeAndDecode) {
  Packet p{PacketType::event, "/chat", 7, json::array{"msg", json::object{{"a", placeholder(0)}}}, {"bytes"}};
  Decoder d;
  ASSERT_TRUE(d.add_text(encode_text(p)));
  auto done = d.add_binary("bytes");
  ASSERT_TRUE(done && done->has_value());
  EXPECT_EQ((*done)->data, p.data);
  EXPECT_EQ((*done)->id, p.id);
  EXPECT_EQ((*done)->nsp, p.nsp);
}

TEST(SocketIoPacket, MalformedPacketsAreTypedErrors) {
  EXPECT_EQ(decode_error(""), make_error_code(DecodeError::empty));
  EXPECT_EQ(decode_error("7"), make_error_code(DecodeError::unknown_type));
  EXPECT_EQ(decode_error("x"), make_error_code(DecodeError::unknown_type));
  EXPECT_EQ(decode_error(R"(2abc["a"])"), make_error_code(DecodeError::bad_json));  // "42abc[...]"
  EXPECT_EQ(decode_error("2{}"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error("2[]"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error("2"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error(R"(2[{}])"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error(R"(2["connect"])"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error(R"(2["disconnecting"])"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error("0[]"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error(R"(1{"a":1})"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error("3{}"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error("4"), make_error_code(DecodeError::invalid_payload));
  EXPECT_EQ(decode_error(R"(2["a")"), make_error_code(DecodeError::bad_json));
  EXPECT_EQ(decode_error("299999999999999999999999[\"a\"]"), make_error_code(DecodeError::bad_ack_id));
}

TEST(SocketIoPacket, MalformedBinaryPacketsAreTypedErrors) {
  EXPECT_EQ(decode_error(R"(50-["a"])"), make_error_code(DecodeError::bad_attachment_count));
  EXPECT_EQ(decode_error(R"(5["a"])"), make_error_code(DecodeError::bad_attachment_count));
  EXPECT_EQ(decode_error(R"(5-["a"])"), make_error_code(DecodeError::bad_attachment_count));
  EXPECT_EQ(decode_error("51"), make_error_code(DecodeError::bad_attachment_count));
  EXPECT_EQ(decode_error(R"(511-["a",{"_placeholder":true,"num":0}])"),
            make_error_code(DecodeError::too_many_attachments));
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":1}])"), make_error_code(DecodeError::bad_placeholder));
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":-1}])"), make_error_code(DecodeError::bad_placeholder));
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":"0"}])"), make_error_code(DecodeError::bad_placeholder));

  Decoder d;
  EXPECT_EQ(d.add_binary("stray").error(), make_error_code(DecodeError::unexpected_binary));
  ASSERT_TRUE(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
  EXPECT_EQ(d.add_text(R"(2["b"])").error(), make_error_code(DecodeError::unexpected_text));
}

TEST(SocketIoPacket, DeepNestingIsRefusedNotACrash) {
  std::string deep = "2[\"a\"," + std::string(10000, '[') + std::string(10000, ']') + "]";
  EXPECT_EQ(decode_error(deep), make_error_code(DecodeError::bad_json));
}

// Every string of length <= 4 over a hostile alphabet decodes or fails
// cleanly (the sanitizer build checks for undefined behaviour).
TEST(SocketIoPacket, ExhaustiveShortInputsNeverCrash) {
  for_each_short_string("0256-/,9[]{}\"a", 4, [](const std::string& s) {
    Decoder d;
    (void)d.add_text(s);
    (void)d.add_binary(s);
  });
  SUCCEED();
}

// socketio_packet_fuzz: `42[` and a number of 330 digits parses to infinity
// (so does JSON.parse in Node). Boost.JSON wrote it back as `Infinity`, which
// no client parses: relaying such an event dropped every receiver's
// connection. JSON.stringify writes null, and so does the encoder now.
TEST(SocketIoPacket, NumbersThatOverflowGoOutAsNullAsJsonStringifyWrites) {
  auto packet = decode_one("2[\"e\"," + std::string(330, '9') + ",-1e400,\"NaN and Infinity\"]");
  EXPECT_EQ(encode_text(packet), "2[\"e\",null,null,\"NaN and Infinity\"]");
  json::value nan = json::array{"e", json::object{{"x", std::nan("")}}, 1.5};
  EXPECT_EQ(encode_text({PacketType::event, "/", {}, nan, {}}), "2[\"e\",{\"x\":null},1.5E0]");
  auto again = decode_one(encode_text(packet));
  EXPECT_TRUE(again.data.at(1).is_null());
}
