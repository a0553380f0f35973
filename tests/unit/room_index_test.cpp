#include "adapter/room_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using adapter::LocalSocket;
using adapter::RoomIndex;
using adapter::Target;

namespace {
struct FakeSocket : LocalSocket {
  explicit FakeSocket(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  void deliver(const adapter::PacketPtr&, const adapter::BroadcastFlags&) override {}
  void expect_ack(std::uint64_t, std::function<void(adapter::AckResponse)>) override {}
  boost::json::object describe() const override { return {}; }
  void join(const std::vector<std::string>&) override {}
  void leave(const std::vector<std::string>&) override {}
  void disconnect(bool) override {}
  std::string id_;
};

std::vector<std::string> ids(const std::vector<LocalSocket*>& sockets) {
  std::vector<std::string> out;
  for (auto* s : sockets) out.push_back(s->id());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

class RoomIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* s : {&a, &b, &c}) {
      index.add_socket(s);
      index.add(s, s->id());
    }
    index.add(&a, "x");
    index.add(&a, "y");
    index.add(&b, "y");
    index.add(&c, "z");
  }
  FakeSocket a{"a"}, b{"b"}, c{"c"};
  RoomIndex index;
};

TEST_F(RoomIndexTest, NoRoomsMeansEverySocket) {
  EXPECT_EQ(ids(index.select(Target{})), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(RoomIndexTest, OneRoom) {
  EXPECT_EQ(ids(index.select(Target{{"y"}, {}})), (std::vector<std::string>{"a", "b"}));
}

TEST_F(RoomIndexTest, SeveralRoomsAreAUnionWithEachSocketOnce) {
  auto selected = index.select(Target{{"x", "y", "a"}, {}});
  EXPECT_EQ(ids(selected), (std::vector<std::string>{"a", "b"}));
}

TEST_F(RoomIndexTest, ExceptRemovesMembersOfAnyExceptedRoom) {
  EXPECT_EQ(ids(index.select(Target{{}, {"y"}})), (std::vector<std::string>{"c"}));
  EXPECT_EQ(ids(index.select(Target{{"y", "z"}, {"x"}})), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(ids(index.select(Target{{"y"}, {"b"}})), (std::vector<std::string>{"a"}));  // a socket's own room
}

TEST_F(RoomIndexTest, UnknownRoomSelectsNobody) { EXPECT_TRUE(index.select(Target{{"nope"}, {}}).empty()); }

TEST_F(RoomIndexTest, EmptyRoomsDisappear) {
  EXPECT_TRUE(index.has_room("z"));
  index.remove(&c, "z");
  EXPECT_FALSE(index.has_room("z"));
  EXPECT_EQ(index.room_count(), 5u);  // a, b, c, x, y
}

TEST_F(RoomIndexTest, RemovingASocketLeavesEveryRoom) {
  index.remove_socket(&a);
  EXPECT_FALSE(index.has_room("x"));
  EXPECT_FALSE(index.has_room("a"));
  EXPECT_EQ(ids(index.select(Target{{"y"}, {}})), (std::vector<std::string>{"b"}));
  EXPECT_EQ(index.socket_count(), 2u);
  EXPECT_TRUE(index.rooms_of(&a).empty());
}

TEST_F(RoomIndexTest, RoomsOfASocket) {
  auto rooms = index.rooms_of(&a);
  std::sort(rooms.begin(), rooms.end());
  EXPECT_EQ(rooms, (std::vector<std::string>{"a", "x", "y"}));
}

TEST_F(RoomIndexTest, OwnRoomComesFirstThenJoinOrder) {
  EXPECT_EQ(index.rooms_of(&a), (std::vector<std::string>{"a", "x", "y"}));
}

TEST_F(RoomIndexTest, AddSocketAloneIsInItsOwnRoom) {
  FakeSocket d{"d"};
  index.add_socket(&d);
  EXPECT_TRUE(index.has_room("d"));
  EXPECT_EQ(ids(index.select(Target{{"d"}, {}})), std::vector<std::string>{"d"});
  EXPECT_EQ(index.rooms_of(&d), std::vector<std::string>{"d"});
  index.remove_socket(&d);
}

TEST_F(RoomIndexTest, ASocketCanLeaveAndRejoinItsOwnRoom) {
  index.remove(&b, "b");
  EXPECT_FALSE(index.has_room("b"));
  EXPECT_TRUE(index.select(Target{{"b"}, {}}).empty());
  EXPECT_EQ(ids(index.select(Target{{}, {"b"}})), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(index.rooms_of(&b), std::vector<std::string>{"y"});
  EXPECT_EQ(index.room_count(), 5u);  // a, c, x, y, z
  index.add(&b, "b");
  EXPECT_EQ(ids(index.select(Target{{"b"}, {}})), std::vector<std::string>{"b"});
}

TEST_F(RoomIndexTest, JoiningAnotherSocketsRoomSharesIt) {
  index.add(&c, "a");
  EXPECT_EQ(ids(index.select(Target{{"a"}, {}})), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(ids(index.select(Target{{"a", "x"}, {}})), (std::vector<std::string>{"a", "c"}));  // a once
  EXPECT_EQ(ids(index.select(Target{{}, {"a"}})), std::vector<std::string>{"b"});
  EXPECT_EQ(index.room_count(), 6u);  // "a" counted once
  index.remove_socket(&a);
  EXPECT_TRUE(index.has_room("a"));  // c is still in it
  EXPECT_EQ(ids(index.select(Target{{"a"}, {}})), std::vector<std::string>{"c"});
  index.remove(&c, "a");
  EXPECT_FALSE(index.has_room("a"));
}

TEST_F(RoomIndexTest, JoiningTwiceAndLeavingUnknownRoomsChangeNothing) {
  index.add(&a, "x");
  EXPECT_EQ(index.rooms_of(&a), (std::vector<std::string>{"a", "x", "y"}));
  index.remove(&a, "nope");
  index.remove(&c, "x");
  EXPECT_EQ(ids(index.select(Target{{"x"}, {}})), std::vector<std::string>{"a"});
}
