// express-session's signed cookie, against values computed by Node's crypto
// as cookie-signature computes them.
#include "auth/session_cookie.hpp"

#include <gtest/gtest.h>

namespace {

// s:abc123 signed with "keyboard cat" by cookie-signature (Node).
constexpr const char* kSigned = "s:abc123.L3URH8qEUlRhbJErOXuJ/R5i21GJUY02kERb2c2p5w0";
constexpr const char* kEncoded = "s%3Aabc123.L3URH8qEUlRhbJErOXuJ%2FR5i21GJUY02kERb2c2p5w0";

TEST(SessionCookie, SignsAsCookieSignatureDoes) { EXPECT_EQ(auth::sign_session_id("abc123", "keyboard cat"), kSigned); }

TEST(SessionCookie, UnsignsWithAnyOfTheSecrets) {
  EXPECT_EQ(auth::unsign_session_cookie(kEncoded, {"keyboard cat"}), "abc123");
  EXPECT_EQ(auth::unsign_session_cookie(kSigned, {"new", "keyboard cat"}), "abc123") << "an old secret still verifies";
  EXPECT_FALSE(auth::unsign_session_cookie(kEncoded, {"other"}));
  EXPECT_FALSE(auth::unsign_session_cookie(kEncoded, {}));
  EXPECT_FALSE(auth::unsign_session_cookie(kEncoded, {""}));
}

TEST(SessionCookie, RefusesTamperedAndMalformedValues) {
  std::string tampered = kSigned;
  tampered.back() = 'x';
  EXPECT_FALSE(auth::unsign_session_cookie(tampered, {"keyboard cat"}));
  EXPECT_FALSE(auth::unsign_session_cookie("s:abd123.L3URH8qEUlRhbJErOXuJ/R5i21GJUY02kERb2c2p5w0", {"keyboard cat"}));
  for (const char* bad : {"", "s:", "abc123", "s:abc123", "s:.sig", "s:abc123.", "s%3A%ZZ.x", "j:{}"})
    EXPECT_FALSE(auth::unsign_session_cookie(bad, {"keyboard cat"})) << bad;
  EXPECT_FALSE(auth::unsign_session_cookie(std::string(5000, 'a'), {"keyboard cat"}));
}

TEST(SessionCookie, FindsTheCookieInAHeader) {
  EXPECT_EQ(auth::cookie_value("a=1; connect.sid=xyz; b=2", "connect.sid"), "xyz");
  EXPECT_EQ(auth::cookie_value("connect.sid=\"q\"", "connect.sid"), "q");
  EXPECT_EQ(auth::cookie_value("connect.sidx=1", "connect.sid"), "");
  EXPECT_EQ(auth::cookie_value("", "connect.sid"), "");
}

}  // namespace
