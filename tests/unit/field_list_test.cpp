// net::FieldList keeps a request's header fields in one buffer: every field
// must read back exactly as added, in order, whatever its length.

#include "net/field_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs_of(const net::FieldList& list) {
  Pairs out;
  for (auto [name, value] : list) out.emplace_back(name, value);
  return out;
}

TEST(FieldList, ReadsBackInOrderWithDuplicatesAndEmptyValues) {
  net::FieldList list{{"Host", "a"}, {"X-Empty", ""}, {"x-dup", "first"}, {"X-Dup", "second"}};
  EXPECT_EQ(pairs_of(list), (Pairs{{"Host", "a"}, {"X-Empty", ""}, {"x-dup", "first"}, {"X-Dup", "second"}}));
  EXPECT_EQ(list.find("x-DUP"), "first");  // the first, case-insensitive
  EXPECT_EQ(list.find("x-empty"), "");
  EXPECT_EQ(list.find("absent"), "");
  EXPECT_TRUE(list == (Pairs{{"Host", "a"}, {"X-Empty", ""}, {"x-dup", "first"}, {"X-Dup", "second"}}));
  EXPECT_FALSE(list == (Pairs{{"Host", "a"}}));
  EXPECT_FALSE(list == (Pairs{{"host", "a"}, {"X-Empty", ""}, {"x-dup", "first"}, {"X-Dup", "second"}}));
}

TEST(FieldList, LengthsAroundVarintBoundaries) {
  for (std::size_t n : {0, 1, 127, 128, 129, 16383, 16384, 16385, 2097152}) {
    net::FieldList list;
    list.reserve(2, 2 * n + 2);
    list.add(std::string(n, 'n'), std::string(n, 'v'));
    list.add("After", "x");
    EXPECT_EQ(pairs_of(list), (Pairs{{std::string(n, 'n'), std::string(n, 'v')}, {"After", "x"}})) << n;
    EXPECT_EQ(list.find("after"), "x") << n;
  }
}

TEST(FieldList, ClearedListIsEmpty) {
  net::FieldList list{{"A", "b"}};
  EXPECT_FALSE(list.empty());
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list.find("A"), "");
}

}  // namespace
