#pragma once
// JSON Web Token verification: HS256/384/512 with a shared secret, RS256 with
// a public key. Only the configured algorithms are accepted (never "none"),
// and the header's algorithm is checked against them before the signature, so
// a token cannot pick its own key type.

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

struct JwtOptions {
  std::string secret;          // for HS256/384/512
  std::string public_key_pem;  // for RS256
  std::vector<std::string> algorithms{"HS256"};
  std::string issuer;    // "iss" must equal it when set
  std::string audience;  // "aud" (string or array) must contain it when set
  std::chrono::seconds leeway{30};  // clock skew allowed on exp and nbf

  bool configured() const { return !secret.empty() || !public_key_pem.empty(); }
};

enum class JwtError {
  malformed = 1,
  algorithm_not_allowed,
  bad_signature,
  expired,
  not_yet_valid,
  wrong_issuer,
  wrong_audience,
};
const boost::system::error_category& jwt_error_category();
inline boost::system::error_code make_error_code(JwtError e) { return {static_cast<int>(e), jwt_error_category()}; }

// The verified claims of `token` at time `now` (seconds since the epoch).
boost::system::result<boost::json::object> verify_jwt(std::string_view token, const JwtOptions& options,
                                                      std::int64_t now);

}  // namespace auth

namespace boost::system {
template <>
struct is_error_code_enum<auth::JwtError> : std::true_type {};
}  // namespace boost::system
