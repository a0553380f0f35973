// express-session cookies (auth::cookie_value, auth::unsign_session_cookie):
// the input is a Cookie header as a client sends it. A cookie the harness
// signs itself must come back with its sid; nothing may crash or throw.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/session_cookie.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::string> secrets{"new-secret", "old-secret"};
  auto value = auth::cookie_value(header, "connect.sid");
  auto sid = auth::unsign_session_cookie(value, secrets);
  // Round trip: any sid the harness signs (with either secret) unsigns to itself.
  std::string raw(header.substr(0, 64));
  if (raw.find_first_of("%") == std::string::npos) {
    for (const auto& secret : secrets) {
      auto signed_value = auth::sign_session_id(raw, secret);
      auto back = auth::unsign_session_cookie(signed_value, secrets);
      if (!raw.empty() && (!back || *back != raw)) std::abort();
    }
  }
  (void)sid;
  return 0;
}
