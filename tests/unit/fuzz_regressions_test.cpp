// Inputs that the fuzz targets of fuzz/ found crashing, kept as tests. Each
// names its target.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>

#include "auth/jwt.hpp"
#include "engine/base64.hpp"

namespace {

std::string base64url(std::string_view bytes) {
  std::string s = engine::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

// An HS256 token over exactly these claims (libjwt would re-serialize them).
std::string hs256(std::string_view claims, std::string_view secret) {
  std::string token = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &size);
  return token + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), size));
}

}  // namespace

// jwt_fuzz: a validly signed token whose "exp" or "nbf" is not an integer
// (RFC 7519 allows a fraction, and `exp: Date.now() / 1000 + 3600` in Node
// gives one) made verify_jwt throw from boost::json's to_number<int64_t>; on
// a shard thread that ends the daemon. Values near the ends of int64 overflowed.
TEST(FuzzRegressions, JwtTimeClaimsThatAreNotInt64) {
  auth::JwtOptions options;
  options.secret = "fuzz-secret";
  constexpr std::int64_t now = 1'700'000'000;
  struct Case {
    const char* claims;
    std::optional<auth::JwtError> error;
  };
  const Case cases[] = {
      {R"({"sub":"42","exp":1800000000.005})", std::nullopt},
      {R"({"sub":"42","exp":1600000000.5})", auth::JwtError::expired},
      {R"({"sub":"42","nbf":1800000000.5})", auth::JwtError::not_yet_valid},
      {R"({"sub":"42","nbf":1600000000.25,"exp":1e300})", std::nullopt},
      {R"({"sub":"42","exp":9223372036854775807})", std::nullopt},
      {R"({"sub":"42","exp":9.3e18})", std::nullopt},
      {R"({"sub":"42","nbf":-9223372036854775808})", std::nullopt},
      {R"({"sub":"42","exp":-1e300})", auth::JwtError::expired},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.claims);
    boost::system::result<boost::json::object> result = auth::JwtError::malformed;
    ASSERT_NO_THROW(result = auth::verify_jwt(hs256(c.claims, options.secret), options, now));
    if (c.error) {
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error(), auth::make_error_code(*c.error));
    } else {
      ASSERT_TRUE(result) << result.error().message();
      EXPECT_EQ(result->at("sub"), "42");
    }
  }
}
