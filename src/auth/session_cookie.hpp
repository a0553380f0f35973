#pragma once
// express-session's signed cookie (seed 000): the cookie `connect.sid` holds
// "s:<sid>.<signature>", URL-encoded, where the signature is
// base64(HMAC-SHA256(sid, secret)) without '=' padding (cookie-signature).
// With several secrets (rotation), the first signs and every one verifies,
// as express-session does.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

// The value of cookie `name` in a Cookie header, "" when absent.
std::string cookie_value(std::string_view cookie_header, std::string_view name);

// The session id of a signed cookie value (URL-encoded, as in the header),
// or nullopt when it is not signed with one of `secrets`. Compares in
// constant time. Never throws, whatever the bytes.
std::optional<std::string> unsign_session_cookie(std::string_view value, const std::vector<std::string>& secrets);

// "s:" + sid + "." + signature, not URL-encoded (for tests and tools).
std::string sign_session_id(std::string_view sid, std::string_view secret);

}  // namespace auth
