// The room template engine (service/room_template.hpp) that the claim rooms,
// the RabbitMQ routes and the relay rules share, and room_from_payload, which
// the client actions of the vocabulary read their room with.
#include "service/room_template.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "service/vocabulary.hpp"

namespace {

namespace json = boost::json;
using service::room_from_payload;
using service::RoomArg;
using service::rooms_from_template;
using service::template_field;
using socketio::Args;

json::object fields(const char* text) { return json::parse(text).as_object(); }

TEST(RoomTemplate, ExpandsScalarsAndArraysAndDropsMissingFields) {
  auto f = fields(R"({"channelId":"c1","ids":[1,"b",null,{}],"n":7,"t":true,"empty":"","nil":null,"o":{}})");
  EXPECT_EQ(rooms_from_template("voice:{channelId}", f), (std::vector<std::string>{"voice:c1"}));
  EXPECT_EQ(rooms_from_template("x:{ids}:y", f), (std::vector<std::string>{"x:1:y", "x:b:y"}));
  EXPECT_EQ(rooms_from_template("n{n}", f), (std::vector<std::string>{"n7"}));
  EXPECT_EQ(rooms_from_template("t{t}", f), (std::vector<std::string>{"ttrue"}));
  for (const char* t : {"a:{missing}", "a:{empty}", "a:{nil}", "a:{o}"})
    EXPECT_TRUE(rooms_from_template(t, f).empty()) << t;
  EXPECT_EQ(rooms_from_template("lobby", f), (std::vector<std::string>{"lobby"}));
}

TEST(RoomTemplate, FieldIsThePlaceholder) {
  EXPECT_EQ(template_field("voice:{channelId}"), "channelId");
  EXPECT_EQ(template_field("{roomId}"), "roomId");
  EXPECT_EQ(template_field("lobby"), "");
  EXPECT_EQ(template_field("broken:{x"), "");
}

TEST(RoomFromPayload, ObjectFieldOrBareScalar) {
  RoomArg channel{"channel:{channelId}", "channelId"};
  EXPECT_EQ(room_from_payload(channel, Args::of(json::object{{"channelId", "c1"}})), "channel:c1");
  EXPECT_EQ(room_from_payload(channel, Args::of("c2")), "channel:c2");
  EXPECT_EQ(room_from_payload(channel, Args::of(42)), "channel:42");
  EXPECT_EQ(room_from_payload(channel, Args::of(json::object{{"roomId", "c1"}})), "");
  EXPECT_EQ(room_from_payload(channel, Args::of(json::object{{"channelId", json::array{"a", "b"}}})), "")
      << "one room per action";
  EXPECT_EQ(room_from_payload(channel, Args::of("")), "");
  EXPECT_EQ(room_from_payload(channel, Args()), "");
  RoomArg objects_only{"channel:{channelId}", ""};
  EXPECT_EQ(room_from_payload(objects_only, Args::of("c2")), "");
  RoomArg defaults;  // seeds 001/002: {roomId} or a bare room name
  EXPECT_EQ(room_from_payload(defaults, Args::of("lobby")), "lobby");
  EXPECT_EQ(room_from_payload(defaults, Args::of(json::object{{"roomId", "r1"}})), "r1");
}

}  // namespace
