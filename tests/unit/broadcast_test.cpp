// Broadcast operators and the ack collector, without sockets on the wire.
#include <gtest/gtest.h>

#include "adapter/adapter.hpp"
#include "socketio/encode.hpp"
#include "socketio/namespace.hpp"

using socketio::Args;
using socketio::Binary;

TEST(BroadcastOperator, ChainsRoomsExceptAndFlagsWithoutChangingTheOriginal) {
  socketio::BroadcastOperator base(nullptr);
  auto op = base.to("a").in("b").to(std::vector<std::string>{"c"}).except("d").except(std::vector<std::string>{"e"});
  EXPECT_EQ(op.target().rooms, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(op.target().except, (std::vector<std::string>{"d", "e"}));
  EXPECT_TRUE(base.target().rooms.empty());
  EXPECT_TRUE(op.local().target().local);
  EXPECT_FALSE(op.target().local);
}

TEST(Encode, EventIsEncodedOnceWithBinaryPlaceholders) {
  auto args = Args::of("text", 42, Binary{std::string("\x01\x02", 2)}, boost::json::object{{"k", "v"}});
  auto packet = socketio::encode_event("/chat", "news", args, std::nullopt);
  EXPECT_EQ(packet->text, R"(51-/chat,["news","text",42,{"_placeholder":true,"num":0},{"k":"v"}])");
  ASSERT_EQ(packet->attachments.size(), 1u);
  EXPECT_EQ(packet->attachments[0], std::string("\x01\x02", 2));
  ASSERT_NE(args.binary(args[2]), nullptr);
  EXPECT_EQ(*args.binary(args[2]), std::string("\x01\x02", 2));
  EXPECT_EQ(args.binary(args[0]), nullptr);
}

TEST(Encode, AckWithAndWithoutBinary) {
  EXPECT_EQ(socketio::encode_ack("/", 7, Args::of(1, "2")).text, R"(37[1,"2"])");
  EXPECT_EQ(socketio::encode_ack("/", 7, Args::of(Binary{"x"})).text, R"(61-7[{"_placeholder":true,"num":0}])");
}

TEST(AckCollector, CompletesWhenEveryPartAndEveryAnswerIsIn) {
  int calls = 0;
  std::vector<adapter::AckResponse> got;
  adapter::AckCollector collector(2, [&](bool timed_out, std::vector<adapter::AckResponse> r) {
    ++calls;
    EXPECT_FALSE(timed_out);
    got = std::move(r);
  });
  collector.part_done(1);
  collector.add_response({boost::json::array{1}, {}});  // answer arrives before the other part reports
  EXPECT_EQ(calls, 0);
  collector.part_done(1);
  EXPECT_EQ(calls, 0);
  collector.add_response({boost::json::array{2}, {}});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got.size(), 2u);
  collector.add_response({boost::json::array{3}, {}});  // late: ignored
  collector.time_out();
  EXPECT_EQ(calls, 1);
}

TEST(AckCollector, TimesOutWithWhatCame) {
  bool timed_out = false;
  std::size_t count = 0;
  adapter::AckCollector collector(1, [&](bool t, std::vector<adapter::AckResponse> r) {
    timed_out = t;
    count = r.size();
  });
  collector.part_done(3);
  collector.add_response({});
  collector.time_out();
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(count, 1u);
}

TEST(AckCollector, NobodyToAskCompletesAtOnce) {
  bool done = false;
  adapter::AckCollector collector(2, [&](bool t, auto r) { done = !t && r.empty(); });
  collector.part_done(0);
  collector.part_done(0);
  EXPECT_TRUE(done);
}
