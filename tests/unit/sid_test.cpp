#include "engine/sid.hpp"

#include <gtest/gtest.h>

#include <set>

TEST(Sid, HasNodesShape) {
  auto sid = engine::generate_sid(0);
  ASSERT_EQ(sid.size(), 20u);
  for (char c : sid) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << sid;
}

TEST(Sid, NamesItsShard) {
  for (std::size_t shard : {0u, 1u, 7u, 63u, 255u}) EXPECT_EQ(engine::shard_of_sid(engine::generate_sid(shard)), shard);
}

TEST(Sid, IsUnguessable) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(engine::generate_sid(1)).second);
}

TEST(Sid, RejectsMalformedIds) {
  EXPECT_FALSE(engine::shard_of_sid(""));
  EXPECT_FALSE(engine::shard_of_sid("short"));
  EXPECT_FALSE(engine::shard_of_sid("AAAAAAAAAAAAAAAAAAAAA"));  // 21 characters
  EXPECT_FALSE(engine::shard_of_sid("A*AAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(engine::shard_of_sid("A+AAAAAAAAAAAAAAAAAA"));  // not the URL alphabet
}
