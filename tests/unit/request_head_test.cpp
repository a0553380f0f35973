// The in-place parser of a new connection's request head (net/request_head):
// what it takes, and that it refuses, for Beast to judge, everything else.

#include "net/request_head.hpp"

#include <gtest/gtest.h>

#include <string>

#include "net/http_types.hpp"

namespace {

const std::string kUpgrade =
    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
    "Host: localhost:3000\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Upgrade: websocket\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "X-Empty:\r\n"
    "User-Agent: \t curl/7.88 \t\r\n"
    "\r\n";

TEST(RequestHead, ParsesAPlainUpgrade) {
  net::RequestHead head;
  ASSERT_TRUE(net::parse_request_head(kUpgrade, head));
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/socket.io/?EIO=4&transport=websocket");
  ASSERT_EQ(head.fields.size(), 7u);
  EXPECT_EQ(head.fields[0].first, "Host");
  EXPECT_EQ(head.fields[0].second, "localhost:3000");
  EXPECT_EQ(head.field("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(head.field("X-Empty"), "");
  EXPECT_EQ(head.field("User-Agent"), "curl/7.88");  // blanks around a value are not part of it
  EXPECT_EQ(head.field("Origin"), "");
  EXPECT_TRUE(net::is_websocket_upgrade(head));
}

TEST(RequestHead, KeepsRepeatedFieldsInTheOrderSent) {
  net::RequestHead head;
  ASSERT_TRUE(net::parse_request_head("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\n\r\n", head));
  ASSERT_EQ(head.fields.size(), 3u);
  EXPECT_EQ(head.fields[2].first, "a");
  EXPECT_EQ(head.fields[2].second, "3");
  EXPECT_EQ(head.field("A"), "1");  // the first of its name
}

// The known fields are found as field(name) finds them: the first of the
// name, in any case, and none when absent (a reused head forgets the last).
TEST(RequestHead, FindsTheKnownFieldsAsTheWalkDoes) {
  net::RequestHead head;
  ASSERT_TRUE(net::parse_request_head(kUpgrade, head));
  EXPECT_EQ(head.field(net::KnownField::sec_websocket_key), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(head.field(net::KnownField::sec_websocket_version), "13");
  EXPECT_EQ(head.field(net::KnownField::connection), "keep-alive, Upgrade");
  EXPECT_EQ(head.field(net::KnownField::sec_websocket_extensions), "");
  ASSERT_TRUE(net::parse_request_head(
      "GET / HTTP/1.1\r\nupgrade: one\r\nSEC-WEBSOCKET-EXTENSIONS: x\r\nUpgrade: two\r\n\r\n", head));
  EXPECT_EQ(head.field(net::KnownField::upgrade), "one");
  EXPECT_EQ(head.field(net::KnownField::sec_websocket_extensions), "x");
  EXPECT_EQ(head.field(net::KnownField::sec_websocket_key), "");
  EXPECT_EQ(head.field(net::KnownField::connection), "");
}

// Values and targets are checked eight bytes a step: a byte out of place is
// refused, and a tab kept, wherever it falls in a word.
TEST(RequestHead, ChecksEveryByteOfValuesAndTargetsAtEveryPlace) {
  net::RequestHead head;
  for (std::size_t n = 1; n <= 24; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string value(n, 'v');
      auto with = [&](char c) {
        std::string v = value;
        v[at] = c;
        return net::parse_request_head("GET / HTTP/1.1\r\nX-Field: <" + v + ">\r\n\r\n", head);
      };
      EXPECT_TRUE(with('~')) << n << " at " << at;
      EXPECT_TRUE(with(' ')) << n << " at " << at;
      EXPECT_TRUE(with('\t')) << n << " at " << at;
      for (char bad : {'\x01', '\x1f', '\x7f', '\x80', '\xff', '\n'})
        EXPECT_FALSE(with(bad)) << n << " at " << at << " byte " << int(static_cast<unsigned char>(bad));
      std::string target = "/" + value;
      target[1 + at] = '\x7f';
      EXPECT_FALSE(net::parse_request_head("GET " + target + " HTTP/1.1\r\n\r\n", head)) << n << " at " << at;
      target[1 + at] = '\t';
      EXPECT_FALSE(net::parse_request_head("GET " + target + " HTTP/1.1\r\n\r\n", head)) << n << " at " << at;
      target[1 + at] = '~';
      EXPECT_TRUE(net::parse_request_head("GET " + target + " HTTP/1.1\r\n\r\n", head)) << n << " at " << at;
    }
  }
}

TEST(RequestHead, RefusesWhatIsNotThePlainForm) {
  auto refused = [](std::string text) {
    net::RequestHead head;
    return !net::parse_request_head(text, head);
  };
  auto with = [](std::string_view from, std::string_view to) {
    std::string text = kUpgrade;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("\r\n\r\n"));
  EXPECT_TRUE(refused(kUpgrade.substr(0, kUpgrade.size() - 2)));  // no empty line
  EXPECT_TRUE(refused(kUpgrade + "x"));                           // bytes after the head
  EXPECT_TRUE(refused(with("HTTP/1.1", "HTTP/1.0")));
  EXPECT_TRUE(refused(with("HTTP/1.1", "HTTP/1.1 ")));
  EXPECT_TRUE(refused(with("GET ", "GET  ")));  // empty target
  EXPECT_TRUE(refused(with("GET", "G(T")));
  EXPECT_TRUE(refused(with("EIO=4", "EIO=\x7f")));
  EXPECT_TRUE(refused(with("EIO=4", "EIO=\xc3\xa9")));
  EXPECT_TRUE(refused(with("Host: ", "Host : ")));           // blank before the colon
  EXPECT_TRUE(refused(with("Host: ", "Host: a\r\n b\r\nX: ")));  // obs-fold
  EXPECT_TRUE(refused(with("Host: localhost", "Host: local\x01host")));
  EXPECT_TRUE(refused(with("Host: localhost", "Host: caf\xc3\xa9")));
  EXPECT_TRUE(refused(with("\r\nHost", "\nHost")));  // a bare LF
  EXPECT_TRUE(refused(with("Host: localhost", "Host: local\rhost")));
  EXPECT_TRUE(refused(with("X-Empty:", "Content-Length: 0")));
  EXPECT_TRUE(refused(with("X-Empty:", "transfer-encoding: chunked")));
  EXPECT_TRUE(refused(with("X-Empty:", "NoColon")));
  EXPECT_TRUE(refused(with("keep-alive, Upgrade", "Upgrade: websocket")));  // Beast: bad_value
  EXPECT_TRUE(refused(with("keep-alive, Upgrade", "up grade, upgrade")));
  EXPECT_TRUE(refused(with("X-Empty:", "Proxy-Connection: a b")));
  std::string many = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i <= net::kMaxRequestHeadFields; ++i) many += "X: y\r\n";
  EXPECT_TRUE(refused(many + "\r\n"));
}

TEST(RequestHead, TellsAnUpgradeAsBeastDoes) {
  auto upgrade = [](std::string_view connection, std::string_view upgrade_field, std::string_view method = "GET") {
    std::string text = std::string(method) + " / HTTP/1.1\r\nConnection: " + std::string(connection) +
                       "\r\nUpgrade: " + std::string(upgrade_field) + "\r\n\r\n";
    net::RequestHead head;
    EXPECT_TRUE(net::parse_request_head(text, head)) << text;
    return net::is_websocket_upgrade(head);
  };
  EXPECT_TRUE(upgrade("Upgrade", "websocket"));
  EXPECT_TRUE(upgrade("keep-alive,  UPGRADE ,", "WebSocket"));
  EXPECT_TRUE(upgrade("close, upgrade", "h2c, websocket"));
  EXPECT_FALSE(upgrade("keep-alive", "websocket"));
  EXPECT_FALSE(upgrade("upgrade", "websockets"));
  EXPECT_FALSE(upgrade("upgrade", "websocket", "POST"));
  // Not plain tokens: Beast is asked (a Connection that is no token list
  // is refused by the parse, see above).
  EXPECT_FALSE(upgrade("upgrade", "websocket/13;q=1"));
}

// Header names compare without regard to ASCII case, and only so: the exact
// match is a shortcut, not the rule.
TEST(RequestHead, NamesCompareIgnoringAsciiCaseOnly) {
  EXPECT_TRUE(net::iequals("Sec-WebSocket-Key", "Sec-WebSocket-Key"));
  EXPECT_TRUE(net::iequals("sec-websocket-key", "Sec-WebSocket-Key"));
  EXPECT_TRUE(net::iequals("CONNECTION", "connection"));
  EXPECT_TRUE(net::iequals("", ""));
  EXPECT_FALSE(net::iequals("Connection", "Connectio"));
  EXPECT_FALSE(net::iequals("Connection", "Connectiom"));
  // Bytes that differ by 0x20 but are not letters are different bytes.
  EXPECT_FALSE(net::iequals("a-b", "a\rb"));
  EXPECT_FALSE(net::iequals("[", "{"));
  EXPECT_FALSE(net::iequals("@", "`"));
}

}  // namespace
