#include "auth/authenticator.hpp"

#include "auth/session_cookie.hpp"
#include "net/http_types.hpp"

#include <boost/json/serialize.hpp>
#include <ctime>

namespace auth {

namespace {

std::string claim_string(const boost::json::object& claims, const std::string& key) {
  auto* v = claims.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_number()) return boost::json::serialize(*v);  // numeric user ids
  return {};
}

}  // namespace

std::string token_of(const socketio::Handshake& h) {
  if (auto* t = h.auth.if_contains("token"); t && t->is_string() && !t->as_string().empty())
    return std::string(t->as_string());
  auto authorization = h.header("Authorization");
  if (authorization.size() > 7 && net::iequals(authorization.substr(0, 7), "Bearer "))
    return std::string(net::trim_ows(authorization.substr(7)));
  if (auto c = cookie_value(h.header("Cookie"), "token"); !c.empty()) return c;
  auto query = h.query();
  if (auto* t = query.if_contains("token"); t && t->is_string()) return std::string(t->as_string());
  return {};
}

AuthOutcome Authenticator::authenticate(const socketio::Handshake& handshake, std::int64_t now) const {
  AuthOutcome out;
  std::string token = token_of(handshake);
  auto refuse = [&](std::string message, std::string code, std::string reason) {
    if (options_.required)
      out.refusal = socketio::ConnectError{std::move(message), boost::json::object{{"code", std::move(code)}}};
    out.reason = std::move(reason);
    return out;
  };
  if (token.empty() || !options_.jwt.configured())
    return refuse("Authentication required", "AUTH_REQUIRED", token.empty() ? "no token" : "no key configured");
  auto claims = verify_jwt(token, options_.jwt, now);
  if (!claims) {
    bool expired = claims.error() == make_error_code(JwtError::expired);
    return refuse("Invalid or expired token", expired ? "TOKEN_EXPIRED" : "INVALID_TOKEN", claims.error().message());
  }
  Identity identity;
  identity.user_id = claim_string(*claims, options_.user_claim);
  if (identity.user_id.empty())
    return refuse("Invalid or expired token", "INVALID_TOKEN", "no " + options_.user_claim + " claim");
  identity.name = claim_string(*claims, options_.name_claim);
  identity.email = claim_string(*claims, options_.email_claim);
  identity.claims = std::move(*claims);
  out.identity = std::move(identity);
  return out;
}

std::optional<Identity> session_identity(const boost::json::object& session, const AuthOptions& options,
                                         std::int64_t now_ms) {
  // connect-redis expires the key with the cookie; a session read just
  // before that, or written without a TTL, is checked here too.
  if (auto* c = session.if_contains("cookie"); c && c->is_object())
    if (auto* e = c->as_object().if_contains("expires"); e && e->is_string()) {
      std::tm tm{};
      std::string text(e->as_string());
      const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
      if (rest) {
        // Date.toISOString() has milliseconds: a cookie of 800 ms must not
        // look expired for want of them.
        std::int64_t expires_ms = timegm(&tm) * 1000LL;
        if (*rest == '.') {
          int scale = 100;
          for (++rest; *rest >= '0' && *rest <= '9' && scale > 0; ++rest, scale /= 10)
            expires_ms += (*rest - '0') * scale;
        }
        if (expires_ms <= now_ms) return std::nullopt;
      }
    }
  Identity identity;
  identity.user_id = claim_string(session, options.session.user_field);
  if (identity.user_id.empty()) return std::nullopt;
  identity.name = claim_string(session, options.name_claim);
  if (identity.name.empty()) identity.name = claim_string(session, "username");
  identity.email = claim_string(session, options.email_claim);
  identity.claims = session;
  identity.claims.erase("cookie");
  return identity;
}

}  // namespace auth
