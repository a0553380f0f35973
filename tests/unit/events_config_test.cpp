// [events] and [[relay]] of the --config file (app/events_config.hpp): the
// defaults are seeds 001/002's names, the shipped nestjs-gateway.toml parses
// to seed 003's, and every bad file is refused with the key it got wrong.
#include "app/events_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using app::parse_events_config;
using service::RelayRequire;
using Names = std::vector<std::string>;

std::string error_of(const std::string& toml) { return parse_events_config(toml, "f.toml").error; }

#define EXPECT_ERROR(toml, part)                                                                      \
  do {                                                                                                \
    auto e = error_of(toml);                                                                          \
    EXPECT_NE(e.find(part), std::string::npos) << "error: '" << e << "', expected: '" << part << "'"; \
    EXPECT_EQ(e.rfind("f.toml: ", 0), 0u) << e;                                                       \
  } while (0)

TEST(EventsConfig, DefaultsAreTodaysNames) {
  auto c = parse_events_config("port = 3000\n", "f.toml");
  ASSERT_EQ(c.error, "");
  const auto& v = c.events;
  EXPECT_EQ(v.join_room.names, (Names{"join_room", "room:join"}));
  EXPECT_EQ(v.join_room.announce, (Names{"room:join"}));
  EXPECT_EQ(v.leave_room.names, (Names{"leave_room", "room:leave"}));
  EXPECT_EQ(v.typing.names, (Names{"typing"}));
  EXPECT_TRUE(v.typing_start.names.empty());
  EXPECT_EQ(v.send_message.names, (Names{"message"}));
  EXPECT_TRUE(v.send_message.history);
  EXPECT_EQ(v.subscribe_presence.names, (Names{"presence:subscribe"}));
  EXPECT_EQ(v.subscribe_presence.arg.room, "presence:{roomId}");
  EXPECT_EQ(v.user_online, "user:status");
  EXPECT_EQ(v.new_message, "message");
  EXPECT_EQ(v.presence_rooms, (Names{"presence:{userId}"}));
  EXPECT_TRUE(c.relays.empty());
}

TEST(EventsConfig, ShippedNestjsGatewayIsSeed003) {
  std::ifstream in(SWITCHBOARD_SOURCE_DIR "/examples/config/nestjs-gateway.toml");
  ASSERT_TRUE(in);
  std::stringstream s;
  s << in.rdbuf();
  auto c = parse_events_config(s.str(), "nestjs-gateway.toml");
  ASSERT_EQ(c.error, "");
  const auto& v = c.events;
  EXPECT_EQ(v.join_room.names, (Names{"joinRoom"}));
  EXPECT_EQ(v.join_room.arg.room, "channel:{channelId}");
  EXPECT_EQ(v.join_room.arg.bare, "channelId");
  EXPECT_EQ(v.typing_start.names, (Names{"typingStart"}));
  EXPECT_EQ(v.typing_stop.names, (Names{"typingStop"}));
  EXPECT_TRUE(v.typing.names.empty());
  EXPECT_EQ(v.send_message.names, (Names{"sendMessage"}));
  EXPECT_FALSE(v.send_message.history);
  EXPECT_EQ(v.send_direct_message.names, (Names{"sendDirectMessage"}));
  EXPECT_EQ(v.subscribe_presence.names, (Names{"presenceOnline"}));
  EXPECT_TRUE(v.subscribe_presence.heartbeat);
  EXPECT_EQ(v.user_online, "userOnline");
  EXPECT_EQ(v.user_offline, "userOffline");
  EXPECT_EQ(v.user_typing, "userTyping");
  EXPECT_EQ(v.new_message, "newMessage");
  EXPECT_EQ(v.presence_rooms, (Names{"presence:{userId}", "user:{userId}"}));
  ASSERT_EQ(c.relays.size(), 3u);
  const auto& join = c.relays[0];
  EXPECT_EQ(join.on, "voice_channel_join");
  EXPECT_EQ(join.join, "voice:{channelId}");
  EXPECT_EQ(join.emit, "voiceChannelUserJoined");
  EXPECT_EQ(join.to, (Names{"voice:{channelId}", "channel:{channelId}"}));
  EXPECT_EQ(join.require, RelayRequire::member);
  EXPECT_FALSE(join.include_sender);
}

TEST(EventsConfig, NamesAListOrATable) {
  auto c = parse_events_config(R"(
[events.client]
join_room = ["join_room", "room:join", "joinRoom"]
typing_start = "typingStart"
[events.client.send_direct_message]
names = ["dm"]
to = "recipient"
content = "text"
[events.server]
error = "exception"
[[relay]]
on = "wave"
emit = "waved"
to = "lobby"
include_sender = true
require = "authorizer"
)",
                               "f.toml");
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.events.join_room.names, (Names{"join_room", "room:join", "joinRoom"}));
  EXPECT_EQ(c.events.join_room.announce, (Names{"room:join"})) << "untouched keys keep their defaults";
  EXPECT_EQ(c.events.typing_start.names, (Names{"typingStart"}));
  EXPECT_EQ(c.events.send_direct_message.to, "recipient");
  EXPECT_EQ(c.events.send_direct_message.content, "text");
  EXPECT_EQ(c.events.error, "exception");
  ASSERT_EQ(c.relays.size(), 1u);
  EXPECT_TRUE(c.relays[0].include_sender);
  EXPECT_EQ(c.relays[0].require, RelayRequire::authorizer);
  EXPECT_EQ(c.relays[0].to, (Names{"lobby"}));
}

TEST(EventsConfig, BadFilesNameTheKey) {
  EXPECT_ERROR("[events.client]\njoin_rooms = \"x\"\n", "events.client.join_rooms: unknown client action");
  EXPECT_ERROR("[events.client]\njoin_room = 3\n", "events.client.join_room: must be a string or an array");
  EXPECT_ERROR("[events.client]\njoin_room = [\"\"]\n", "events.client.join_room: must be a non-empty string");
  EXPECT_ERROR("[events.client]\njoin_room = \"disconnect\"\n", "events.client.join_room: 'disconnect' is reserved");
  EXPECT_ERROR("[events.client.join_room]\nroom = \"channel:{a}{b}\"\n",
               "events.client.join_room.room: 'channel:{a}{b}' must have one placeholder");
  EXPECT_ERROR("[events.client.join_room]\nroom = \"channel:{}\"\n", "events.client.join_room.room");
  EXPECT_ERROR("[events.client.join_room]\nrooms = \"x\"\n", "events.client.join_room.rooms: unknown key");
  EXPECT_ERROR("[events.client.send_message]\nhistory = \"no\"\n",
               "events.client.send_message.history: must be true or false");
  EXPECT_ERROR("[events.client.typing]\nannounce = []\n", "events.client.typing.announce: unknown key");
  EXPECT_ERROR("[events.server]\nnew_msg = \"x\"\n", "events.server.new_msg: unknown server event");
  EXPECT_ERROR("[events.server]\nerror = \"\"\n", "events.server.error: must be a non-empty string");
  EXPECT_ERROR("[events.server]\npresence_rooms = [\"p:{name}\"]\n",
               "events.server.presence_rooms: 'p:{name}' may only use {userId}");
  EXPECT_ERROR("[events]\nclients = 1\n", "events.clients: unknown key");
  EXPECT_ERROR("events = 1\n", "events: must be a table");
  EXPECT_ERROR("[events.client]\ntyping = \"x\"\ntyping_start = \"x\"\n", "'x' is a name of both");
  EXPECT_ERROR("[events.client]\njoin_room = \"message\"\n", "'message' is a name of both");
  EXPECT_ERROR("[[relay]]\non = \"typing\"\nemit = \"e\"\nto = \"r\"\n", "'typing' is a name of both");
  EXPECT_ERROR("[[relay]]\nemit = \"e\"\nto = \"r\"\n", "[[relay]] #1: 'on' (the client event) is required");
  EXPECT_ERROR("[[relay]]\non = \"a\"\nemit = \"e\"\n", "[[relay]] #1: 'emit' and 'to' go together");
  EXPECT_ERROR("[[relay]]\non = \"a\"\n", "[[relay]] #1: does nothing");
  EXPECT_ERROR("[[relay]]\non = \"a\"\njoin = \"r\"\nrequire = \"member\"\n", "needs 'to' rooms");
  EXPECT_ERROR("[[relay]]\non = \"a\"\njoin = \"r\"\nrequire = \"admin\"\n",
               "[[relay]] #1.require: 'admin'; accepted values");
  EXPECT_ERROR("[[relay]]\non = \"a\"\njoin = \"r\"\nbogus = 1\n", "[[relay]] #1.bogus: unknown key");
  EXPECT_ERROR("[[relay]]\non = \"a\"\nemit = \"e\"\nto = [\"v:{x\"]\n",
               "[[relay]] #1.to: 'v:{x' must have one placeholder");
  EXPECT_ERROR("relay = 3\n", "relay: must be an array of tables");
  EXPECT_ERROR("[events.client\n", "f.toml");
  EXPECT_ERROR("[events.client]\njoin_room = \"caf\xc3\xa9\"\n", "line 2: a character that is not ASCII");
  // Several rules may share a client event; an action's names may repeat.
  EXPECT_EQ(error_of("[[relay]]\non = \"a\"\njoin = \"r\"\n[[relay]]\non = \"a\"\nleave = \"s\"\n"), "");
}

}  // namespace
