// The memory room store: paging from the newest, retention by count and age,
// and the memory one stored message takes (printed at 100k messages).
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>

#include "service/realtime_service.hpp"
#include "store/memory_room_store.hpp"

namespace {

using store::MemoryRoomStore;
using store::Message;
using store::Retention;
using store::Room;

struct Fixture {
  std::int64_t now = 1'000'000'000;
  MemoryRoomStore store;
  explicit Fixture(Retention r) : store(r, [this] { return now; }) {
    bool ok = false;
    store.create_room(Room{"r", "general", "chat", "u", now, {}}, [&](bool b) { ok = b; });
    EXPECT_TRUE(ok);
  }
  bool add(int i, std::int64_t at = 0) {
    bool ok = false;
    Message m{"m" + std::to_string(i),  "r", "u",           "User", "hello " + std::to_string(i),
              store::MessageType::text, {},  at ? at : now, {}};
    store.append(std::move(m), [&](bool b) { ok = b; });
    return ok;
  }
  std::vector<std::string> page(std::size_t limit, std::size_t offset = 0) {
    std::vector<std::string> ids;
    store.messages("r", limit, offset, [&](std::vector<Message> ms) {
      for (auto& m : ms) ids.push_back(m.id);
    });
    return ids;
  }
  std::uint64_t count() {
    std::uint64_t n = 0;
    store.activity("r", [&](std::optional<store::RoomActivity> a) { n = a ? a->message_count : 999999; });
    return n;
  }
};

std::vector<std::string> ids(int from, int to) {  // m<from> .. m<to>, inclusive
  std::vector<std::string> v;
  for (int i = from; i <= to; ++i) v.push_back("m" + std::to_string(i));
  return v;
}

TEST(MemoryRoomStore, PagesFromTheNewestOldestFirstWithinAPage) {
  Fixture f(Retention{1000, std::chrono::hours(1)});
  for (int i = 1; i <= 120; ++i) ASSERT_TRUE(f.add(i));
  EXPECT_EQ(f.page(50), ids(71, 120));     // the last 50
  EXPECT_EQ(f.page(50, 50), ids(21, 70));  // the 50 before those
  EXPECT_EQ(f.page(50, 100), ids(1, 20));  // what is left
  EXPECT_TRUE(f.page(50, 120).empty());
  EXPECT_TRUE(f.page(0).empty());
  EXPECT_EQ(f.page(1000), ids(1, 120));
}

TEST(MemoryRoomStore, KeepsAtMostMaxMessagesPerRoom) {
  Fixture f(Retention{100, std::chrono::hours(1)});
  for (int i = 1; i <= 1000; ++i) ASSERT_TRUE(f.add(i));
  EXPECT_EQ(f.count(), 100u);
  EXPECT_EQ(f.store.stored_messages(), 100u);
  EXPECT_EQ(f.page(1000), ids(901, 1000));
}

TEST(MemoryRoomStore, DropsMessagesOlderThanMaxAge) {
  Fixture f(Retention{1000, std::chrono::milliseconds(10'000)});
  ASSERT_TRUE(f.add(1, f.now - 20'000));  // already too old: gone at once
  ASSERT_TRUE(f.add(2, f.now - 5'000));
  ASSERT_TRUE(f.add(3));
  EXPECT_EQ(f.page(10), ids(2, 3));
  f.now += 6'000;  // m2 is now 11 s old
  EXPECT_EQ(f.page(10), ids(3, 3));
  EXPECT_EQ(f.count(), 1u);
  f.now += 10'000;
  EXPECT_EQ(f.count(), 0u);
}

TEST(MemoryRoomStore, AppendsOnlyToRoomsThatExistAndDeletesHistoryWithTheRoom) {
  Fixture f(Retention{});
  bool ok = true;
  f.store.append(Message{"x", "nope", "u", "U", "c", store::MessageType::text, {}, f.now, {}}, [&](bool b) { ok = b; });
  EXPECT_FALSE(ok);
  ASSERT_TRUE(f.add(1));
  bool existed = false;
  f.store.delete_room("r", [&](bool e) { existed = e; });
  EXPECT_TRUE(existed);
  EXPECT_TRUE(f.page(10).empty());
  EXPECT_EQ(f.store.stored_messages(), 0u);
  f.store.create_room(Room{"r", "again", "chat", "", f.now, {}}, [&](bool b) { ok = b; });
  EXPECT_TRUE(ok);
  EXPECT_TRUE(f.page(10).empty()) << "a room made again under the same id starts empty";
}

TEST(MemoryRoomStore, ListsRoomsInCreationOrderByNamespace) {
  MemoryRoomStore s(Retention{});
  for (const char* id : {"c", "a", "b"}) s.create_room(Room{id, id, id[0] == 'a' ? "x" : "y", "", 0, {}}, [](bool) {});
  bool dup = true;
  s.create_room(Room{"a", "dup", "x", "", 0, {}}, [&](bool b) { dup = b; });
  EXPECT_FALSE(dup);
  std::vector<std::string> all, y;
  s.list_rooms(std::nullopt, [&](std::vector<Room> rs) {
    for (auto& r : rs) all.push_back(r.id);
  });
  s.list_rooms(std::string("y"), [&](std::vector<Room> rs) {
    for (auto& r : rs) y.push_back(r.id);
  });
  EXPECT_EQ(all, (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(y, (std::vector<std::string>{"c", "b"}));
}

// Memory per stored message at 100k messages of typical chat size (a
// 36-character id, a short user id and name, 64 characters of content, no
// metadata): heap in use before and after, from glibc's mallinfo2.
TEST(MemoryRoomStore, MemoryPerMessageAt100k) {
  constexpr int n = 100'000;
  std::size_t before = mallinfo2().uordblks;
  {
    MemoryRoomStore s(Retention{n, std::chrono::hours(1)});
    s.create_room(Room{"r", "r", "default", "", 0, {}}, [](bool) {});
    auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (int i = 0; i < n; ++i) {
      char id[40];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012d", i, i);
      s.append(Message{id,
                       "r",
                       "user-" + std::to_string(i % 100),
                       "User " + std::to_string(i % 100),
                       std::string(64, 'a' + i % 26),
                       store::MessageType::text,
                       {},
                       now,
                       {}},
               [](bool ok) { ASSERT_TRUE(ok); });
    }
    ASSERT_EQ(s.stored_messages(), std::size_t(n));
    std::size_t after = mallinfo2().uordblks;
    double per = double(after - before) / n;
    std::printf("memory per stored message at %d messages: %.1f bytes (64-byte content)\n", n, per);
    RecordProperty("bytes_per_message", std::to_string(per));
    EXPECT_LT(per, 400.0);
  }
  // Everything goes back with the store.
  EXPECT_LT(mallinfo2().uordblks, before + 64 * 1024);
}

// Direct messages: one conversation per pair, whichever sends, with a room's
// retention and paging; no registry room is needed.
TEST(MemoryRoomStore, DirectMessagesAreOneConversationPerPair) {
  std::int64_t now = 1'000'000'000;
  MemoryRoomStore s(Retention{3, std::chrono::seconds(60)}, [&] { return now; });
  auto dm = [&](std::string from, std::string to, std::string id) {
    bool ok = false;
    s.append_direct(
        Message{id, store::conversation_id(from, to), from, from, "hi", store::MessageType::text, {}, now, to},
        [&](bool b) { ok = b; });
    return ok;
  };
  auto page = [&](const std::string& a, const std::string& b, std::size_t limit, std::size_t offset = 0) {
    std::vector<std::string> out;
    s.direct_messages(a, b, limit, offset, [&](std::vector<Message> ms) {
      for (auto& m : ms) out.push_back(m.id + ":" + m.user_id + ">" + m.to_user_id);
    });
    return out;
  };
  EXPECT_TRUE(dm("ann", "bob", "1"));
  EXPECT_TRUE(dm("bob", "ann", "2"));
  EXPECT_TRUE(dm("ann", "cat", "3"));
  using V = std::vector<std::string>;
  EXPECT_EQ(page("bob", "ann", 10), (V{"1:ann>bob", "2:bob>ann"}));
  EXPECT_EQ(page("ann", "bob", 1), (V{"2:bob>ann"}));
  EXPECT_EQ(page("ann", "bob", 1, 1), (V{"1:ann>bob"}));
  EXPECT_EQ(page("ann", "cat", 10), (V{"3:ann>cat"}));
  EXPECT_TRUE(page("bob", "cat", 10).empty());
  // Ids with the separator in them stay apart.
  EXPECT_NE(store::conversation_id("a:b", "c"), store::conversation_id("a", "b:c"));
  EXPECT_EQ(store::conversation_id("x", "y"), store::conversation_id("y", "x"));
  // Retention: 3 messages, 60 s.
  for (int i = 4; i <= 7; ++i) dm("ann", "bob", std::to_string(i));
  EXPECT_EQ(page("ann", "bob", 10), (V{"5:ann>bob", "6:ann>bob", "7:ann>bob"}));
  now += 61'000;
  EXPECT_TRUE(page("ann", "bob", 10).empty());
  EXPECT_EQ(s.stored_messages(), 1u) << "ann and bob's conversation went when read; ann and cat's is unread";
  EXPECT_TRUE(page("cat", "ann", 10).empty());
  EXPECT_EQ(s.stored_messages(), 0u);
}

TEST(RoomPattern, GlobMatchesWithStars) {
  using service::room_pattern_matches;
  EXPECT_TRUE(room_pattern_matches("chat:*", "chat:general"));
  EXPECT_TRUE(room_pattern_matches("chat:*", "chat:"));
  EXPECT_FALSE(room_pattern_matches("chat:*", "chat"));
  EXPECT_FALSE(room_pattern_matches("chat:*", "xchat:a"));
  EXPECT_TRUE(room_pattern_matches("lobby", "lobby"));
  EXPECT_FALSE(room_pattern_matches("lobby", "lobby2"));
  EXPECT_TRUE(room_pattern_matches("*", "anything"));
  EXPECT_TRUE(room_pattern_matches("a*b*c", "axxbyyc"));
  EXPECT_FALSE(room_pattern_matches("a*b*c", "axxbyy"));
  EXPECT_TRUE(room_pattern_matches("*:admin", "team:7:admin"));
  EXPECT_FALSE(room_pattern_matches("", "x"));
}

}  // namespace
