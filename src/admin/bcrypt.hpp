#pragma once
// bcrypt password checks through libcrypt (Debian's libxcrypt, whose
// crypt_r() knows $2a$, $2b$ and $2y$), the hashes bcryptjs and htpasswd make.

#include <string>
#include <string_view>

namespace admin {

// True when `hash` has the shape of a bcrypt hash: $2a$/$2b$/$2y$, a cost
// of 04 to 31, and 53 characters of salt and digest. Inline: the settings
// check it without linking libcrypt.
inline bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9') return false;
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  constexpr std::string_view alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return hash.substr(7).find_first_not_of(alphabet) == std::string_view::npos;
}
// True when `password` hashes to `hash`. Takes as long as the hash's cost
// says (about 60 ms at cost 10): call it off the event loops.
bool bcrypt_matches(const std::string& password, const std::string& hash);

}  // namespace admin
