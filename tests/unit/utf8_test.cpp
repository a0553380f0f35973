#include "net/utf8.hpp"

#include <gtest/gtest.h>

namespace {

// What new TextDecoder().decode(Buffer.from(hex)) gives on Node 20.
TEST(Utf8, ReplacesEachMaximalIllFormedSubpartAsNodeDoes) {
  const std::string r = "\xef\xbf\xbd";
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain ascii", "plain ascii"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"\xff", r},
      {"\xc0\xaf", r + r},                   // overlong lead: each byte
      {"\xe0\x80\xaf", r + r + r},           // E0 needs A0..BF next
      {"\xed\xa0\x80", r + r + r},           // a surrogate
      {"\xf4\x90\x80\x80", r + r + r + r},   // past U+10FFFF
      {"\xe2\x82", r},                       // truncated: one for the subpart
      {"\xe2\x82" "a", r + "a"},
      {"\xf0\x9f\x98", r},
      {"a\x80" "b", "a" + r + "b"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(net::to_valid_utf8(c.in), c.out) << c.in;
    EXPECT_EQ(net::is_valid_utf8(c.in), c.in == c.out) << c.in;
    EXPECT_TRUE(net::is_valid_utf8(net::to_valid_utf8(c.in)));
  }
}

}  // namespace
