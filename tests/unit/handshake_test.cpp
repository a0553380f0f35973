// engine::Handshake packs the opening request into one string: every field
// must read back exactly as sent.

#include "engine/handshake.hpp"

#include <gtest/gtest.h>

namespace {

net::HttpRequest request() {
  net::HttpRequest r;
  r.method = "GET";
  r.target = "/socket.io/?EIO=4&transport=websocket&token=a%20b";
  r.remote_address = "127.0.0.7";
  r.secure = true;
  r.headers = {{"Host", "localhost:3000"}, {"Cookie", "token=abc; theme=dark"}, {"X-Empty", ""}, {"x-dup", "first"},
               {"X-Dup", "second"},        {"X-Long", std::string(70000, 'v')}};
  return r;
}

TEST(EngineHandshake, ReadsBackEveryField) {
  engine::Handshake h(request(), 1700000000123);
  EXPECT_EQ(h.url(), "/socket.io/?EIO=4&transport=websocket&token=a%20b");
  EXPECT_EQ(h.query(), "EIO=4&transport=websocket&token=a%20b");
  EXPECT_EQ(h.remote_address(), "127.0.0.7");
  EXPECT_TRUE(h.secure());
  EXPECT_EQ(h.issued_ms(), 1700000000123);
  EXPECT_EQ(h.headers(), request().headers);  // names as sent, in order
}

TEST(EngineHandshake, HeaderLookupIsCaseInsensitiveAndTakesTheFirst) {
  engine::Handshake h(request(), 0);
  EXPECT_EQ(h.header("cookie"), "token=abc; theme=dark");
  EXPECT_EQ(h.header("X-DUP"), "first");
  EXPECT_EQ(h.header("x-empty"), "");
  EXPECT_EQ(h.header("X-Long").size(), 70000u);
  EXPECT_EQ(h.header("Missing"), "");
}

TEST(EngineHandshake, QueryIsEmptyWithoutQuestionMark) {
  auto r = request();
  r.target = "/socket.io/";
  r.headers.clear();
  engine::Handshake h(r, 0);
  EXPECT_EQ(h.query(), "");
  EXPECT_TRUE(h.headers().empty());
}

// Lengths are varints: every size around a byte boundary reads back.
TEST(EngineHandshake, FieldLengthsAroundVarintBoundaries) {
  for (std::size_t n : {0, 1, 127, 128, 129, 16383, 16384, 16385, 2097152}) {
    auto r = request();
    r.target = "/" + std::string(n, 't');
    r.headers = {{std::string(n, 'n'), std::string(n, 'v')}, {"After", "x"}};
    engine::Handshake h(r, 0);
    EXPECT_EQ(h.url().size(), n + 1) << n;
    EXPECT_EQ(h.remote_address(), "127.0.0.7") << n;
    EXPECT_EQ(h.headers(), r.headers) << n;
    EXPECT_EQ(h.header("after"), "x") << n;
  }
}

TEST(EngineHandshake, DefaultIsEmpty) {
  engine::Handshake h;
  EXPECT_EQ(h.url(), "");
  EXPECT_EQ(h.remote_address(), "");
  EXPECT_EQ(h.header("Host"), "");
  EXPECT_TRUE(h.headers().empty());
}

}  // namespace
