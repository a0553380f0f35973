#include "auth/jwt.hpp"

#include <jwt.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <memory>

#include "engine/base64.hpp"
#include "net/enum_category.hpp"

namespace auth {

namespace {

const char* describe(JwtError e) {
  switch (e) {
    case JwtError::malformed: return "malformed token";
    case JwtError::algorithm_not_allowed: return "algorithm not allowed";
    case JwtError::bad_signature: return "invalid signature";
    case JwtError::expired: return "token expired";
    case JwtError::not_yet_valid: return "token not yet valid";
    case JwtError::wrong_issuer: return "wrong issuer";
    case JwtError::wrong_audience: return "wrong audience";
  }
  return "invalid token";
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  return engine::base64_decode(s);
}

std::optional<boost::json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A NumericDate may have a fraction (RFC 7519, section 2: "exp": 1700000000.5,
// as `Date.now() / 1000` gives) or be out of int64's range: as a double, no
// claim throws (to_number<std::int64_t> did, on a signed token) or overflows.
std::optional<double> number_claim(const boost::json::object& claims, std::string_view key) {
  auto* v = claims.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

}  // namespace

const boost::system::error_category& jwt_error_category() {
  static const net::EnumCategory<JwtError> category("jwt", describe);
  return category;
}

boost::system::result<boost::json::object> verify_jwt(std::string_view token, const JwtOptions& options,
                                                      std::int64_t now) {
  auto first = token.find('.');
  if (first == std::string_view::npos || std::count(token.begin(), token.end(), '.') != 2) return JwtError::malformed;
  auto header_json = base64url_decode(token.substr(0, first));
  if (!header_json) return JwtError::malformed;
  auto header = parse_object(*header_json);
  if (!header) return JwtError::malformed;
  auto* alg_value = header->if_contains("alg");
  if (!alg_value || !alg_value->is_string()) return JwtError::malformed;
  std::string alg(alg_value->as_string());

  // The configured algorithms decide, and each family has its own key.
  if (std::find(options.algorithms.begin(), options.algorithms.end(), alg) == options.algorithms.end())
    return JwtError::algorithm_not_allowed;
  const std::string* key = nullptr;
  if (alg == "HS256" || alg == "HS384" || alg == "HS512") key = &options.secret;
  else if (alg == "RS256") key = &options.public_key_pem;
  if (!key || key->empty()) return JwtError::algorithm_not_allowed;

  jwt_t* raw = nullptr;
  std::string token_copy(token);
  int rc = jwt_decode(&raw, token_copy.c_str(), reinterpret_cast<const unsigned char*>(key->data()),
                      static_cast<int>(key->size()));
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  if (rc != 0 || !jwt) return JwtError::bad_signature;
  if (jwt_get_alg(jwt.get()) != jwt_str_alg(alg.c_str())) return JwtError::bad_signature;

  std::unique_ptr<char, decltype(&free)> grants(jwt_get_grants_json(jwt.get(), nullptr), &free);
  if (!grants) return JwtError::malformed;
  auto claims = parse_object(grants.get());
  if (!claims) return JwtError::malformed;

  auto leeway = static_cast<double>(options.leeway.count());
  if (auto exp = number_claim(*claims, "exp"); exp && static_cast<double>(now) > *exp + leeway) return JwtError::expired;
  if (auto nbf = number_claim(*claims, "nbf"); nbf && static_cast<double>(now) + leeway < *nbf)
    return JwtError::not_yet_valid;
  if (!options.issuer.empty()) {
    auto* iss = claims->if_contains("iss");
    if (!iss || !iss->is_string() || iss->as_string() != options.issuer) return JwtError::wrong_issuer;
  }
  if (!options.audience.empty()) {
    auto* aud = claims->if_contains("aud");
    bool ok = false;
    if (aud && aud->is_string()) ok = aud->as_string() == options.audience;
    if (aud && aud->is_array())
      for (const auto& a : aud->as_array()) ok = ok || (a.is_string() && a.as_string() == options.audience);
    if (!ok) return JwtError::wrong_audience;
  }
  return std::move(*claims);
}

}  // namespace auth
