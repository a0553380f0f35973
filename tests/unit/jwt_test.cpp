#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <jwt.h>

#include <boost/json/serialize.hpp>

#include "engine/base64.hpp"

using auth::JwtError;
using auth::JwtOptions;
using auth::verify_jwt;

namespace {
constexpr std::int64_t now = 1'800'000'000;

std::string mint(const boost::json::object& claims, const std::string& secret = "s3cret",
                 jwt_alg_t alg = JWT_ALG_HS256) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grants_json(jwt, boost::json::serialize(claims).c_str());
  jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  char* out = jwt_encode_str(jwt);
  std::string token(out);
  free(out);
  jwt_free(jwt);
  return token;
}

std::string b64url(std::string_view s) {
  auto out = engine::base64_encode(s);
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

JwtOptions hs256() {
  JwtOptions o;
  o.secret = "s3cret";
  return o;
}

JwtError error_of(const std::string& token, const JwtOptions& o = hs256()) {
  auto r = verify_jwt(token, o, now);
  EXPECT_FALSE(r) << token;
  return r ? JwtError{} : static_cast<JwtError>(r.error().value());
}
}  // namespace

TEST(Jwt, AcceptsAValidToken) {
  auto claims = verify_jwt(mint({{"sub", "42"}, {"exp", now + 60}, {"name", "Ann"}}), hs256(), now);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->at("sub"), "42");
  EXPECT_EQ(claims->at("name"), "Ann");
}

TEST(Jwt, RefusesAWrongSecret) { EXPECT_EQ(error_of(mint({{"sub", "1"}}, "other")), JwtError::bad_signature); }

TEST(Jwt, RefusesAlgNone) {
  std::string token = b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(R"({"sub":"1"})") + ".";
  EXPECT_EQ(error_of(token), JwtError::algorithm_not_allowed);
  auto o = hs256();
  o.algorithms.push_back("none");  // even if someone lists it, there is no key for it
  EXPECT_EQ(error_of(token, o), JwtError::algorithm_not_allowed);
}

TEST(Jwt, RefusesAnAlgorithmThatIsNotConfigured) {
  EXPECT_EQ(error_of(mint({{"sub", "1"}}, "s3cret", JWT_ALG_HS512)), JwtError::algorithm_not_allowed);
  auto o = hs256();
  o.algorithms = {"HS256", "HS512"};
  EXPECT_TRUE(verify_jwt(mint({{"sub", "1"}}, "s3cret", JWT_ALG_HS512), o, now));
}

TEST(Jwt, RefusesHmacSignedWithThePublicKeyWhenOnlyRs256IsConfigured) {
  JwtOptions o;
  o.public_key_pem = "-----BEGIN PUBLIC KEY-----\nMIIB...\n-----END PUBLIC KEY-----\n";
  o.algorithms = {"RS256"};
  EXPECT_EQ(error_of(mint({{"sub", "1"}}, o.public_key_pem), o), JwtError::algorithm_not_allowed);
}

TEST(Jwt, RefusesATamperedPayload) {
  auto token = mint({{"sub", "1"}, {"role", "user"}});
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  std::string forged = token.substr(0, first + 1) + b64url(R"({"sub":"1","role":"admin"})") + token.substr(second);
  EXPECT_EQ(error_of(forged), JwtError::bad_signature);
}

TEST(Jwt, ChecksExpAndNbfWithLeeway) {
  EXPECT_EQ(error_of(mint({{"sub", "1"}, {"exp", now - 31}})), JwtError::expired);
  EXPECT_TRUE(verify_jwt(mint({{"sub", "1"}, {"exp", now - 10}}), hs256(), now));  // within the leeway
  EXPECT_EQ(error_of(mint({{"sub", "1"}, {"nbf", now + 31}})), JwtError::not_yet_valid);
  EXPECT_TRUE(verify_jwt(mint({{"sub", "1"}, {"nbf", now + 10}}), hs256(), now));
}

TEST(Jwt, ChecksIssuerAndAudienceWhenConfigured) {
  auto o = hs256();
  o.issuer = "auth.example";
  o.audience = "switchboard";
  EXPECT_TRUE(verify_jwt(mint({{"iss", "auth.example"}, {"aud", "switchboard"}}), o, now));
  EXPECT_TRUE(verify_jwt(mint({{"iss", "auth.example"}, {"aud", boost::json::array{"x", "switchboard"}}}), o, now));
  EXPECT_EQ(error_of(mint({{"iss", "evil"}, {"aud", "switchboard"}}), o), JwtError::wrong_issuer);
  EXPECT_EQ(error_of(mint({{"iss", "auth.example"}, {"aud", "other"}}), o), JwtError::wrong_audience);
  EXPECT_EQ(error_of(mint({{"iss", "auth.example"}}), o), JwtError::wrong_audience);
}

TEST(Jwt, MalformedTokensAreErrorsNotCrashes) {
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.", "bnVsbA.e30.x"})
    EXPECT_FALSE(verify_jwt(bad, hs256(), now)) << bad;
}
