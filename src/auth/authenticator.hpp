#pragma once
// Who is connecting: the token is taken from the handshake (auth.token, then
// "Authorization: Bearer", then the cookie "token", then the query parameter
// "token"), verified, and turned into an identity or a refusal.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/jwt.hpp"
#include "socketio/handshake.hpp"
#include "socketio/namespace.hpp"

namespace auth {

// express-session cookies (seed 000), with the sessions in Redis as
// connect-redis keeps them. Tried only when the handshake carries no JWT:
// a token, valid or not, decides alone.
struct SessionOptions {
  std::vector<std::string> secrets;      // SESSION_SECRET, comma separated: the first signs, any verifies
  std::string cookie = "connect.sid";    // SESSION_COOKIE
  std::string prefix = "sess:";          // SESSION_PREFIX: the key of a session is <prefix><sid>
  std::string user_field = "userId";     // SESSION_USER_FIELD: session[user_field] is the user id
  bool configured() const { return !secrets.empty(); }
};

struct AuthOptions {
  JwtOptions jwt;
  SessionOptions session;
  // Refuse connections without valid credentials. Without it, they connect
  // anonymously and join no user room (seed 004).
  bool required = false;
  std::string user_claim = "sub";
  std::string name_claim = "name";
  std::string email_claim = "email";
};

struct Identity {
  std::string user_id;
  std::string name;
  std::string email;
  boost::json::object claims;
};

struct AuthOutcome {
  std::optional<Identity> identity;            // set when authenticated
  std::optional<socketio::ConnectError> refusal;  // set when refused
  std::string reason;                          // for the log: why, never the token
};

// The raw token of a handshake, or "" when it carries none.
std::string token_of(const socketio::Handshake& handshake);

// The identity of an express-session session (its JSON, as connect-redis
// stores it), or nullopt when it has no user or its cookie has expired.
std::optional<Identity> session_identity(const boost::json::object& session, const AuthOptions& options,
                                         std::int64_t now_ms);

class Authenticator {
 public:
  explicit Authenticator(AuthOptions options) : options_(std::move(options)) {}
  AuthOutcome authenticate(const socketio::Handshake& handshake, std::int64_t now_seconds) const;
  const AuthOptions& options() const { return options_; }

 private:
  AuthOptions options_;
};

}  // namespace auth
