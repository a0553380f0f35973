#include "net/utf8.hpp"

#include <gtest/gtest.h>

namespace {

// Every length around the 8-byte step, with the one non-ASCII byte at each place.
TEST(Utf8, TellsAsciiAtEveryLengthAndPlace) {
  EXPECT_TRUE(net::is_ascii(""));
  for (std::size_t n = 1; n <= 40; ++n) {
    std::string text(n, 'a');
    EXPECT_TRUE(net::is_ascii(text)) << n;
    text.back() = '\x7f';
    EXPECT_TRUE(net::is_ascii(text)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string other(n, 'a');
      other[at] = '\x80';
      EXPECT_FALSE(net::is_ascii(other)) << n << " at " << at;
      other[at] = '\xff';
      EXPECT_FALSE(net::is_ascii(other)) << n << " at " << at;
    }
  }
}

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
