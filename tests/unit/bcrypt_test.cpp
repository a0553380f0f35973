// bcrypt checks through libcrypt, against hashes made by bcryptjs (what
// @socket.io/admin-ui's docs tell users to run) and by htpasswd -B ($2y$).
#include "admin/bcrypt.hpp"

#include <gtest/gtest.h>

namespace {

// require("bcryptjs").hashSync("changeit", 10)
const std::string kBcryptjs = "$2a$10$nwnttXWJ4tjGLLKtSUak/..Edqxe04KnpKBgG2Dr/FhCFzenAb9/.";

TEST(Bcrypt, AcceptsTheRightPassword) { EXPECT_TRUE(admin::bcrypt_matches("changeit", kBcryptjs)); }

TEST(Bcrypt, RefusesAWrongPassword) {
  EXPECT_FALSE(admin::bcrypt_matches("changeiT", kBcryptjs));
  EXPECT_FALSE(admin::bcrypt_matches("", kBcryptjs));
  // A NUL would cut the password short in C: never a match.
  EXPECT_FALSE(admin::bcrypt_matches(std::string("changeit\0x", 10), kBcryptjs));
}

TEST(Bcrypt, KnowsThe2bAnd2yPrefixes) {
  // The same digest under the other prefixes verifies the same way in libxcrypt.
  auto b = kBcryptjs, y = kBcryptjs;
  b[2] = 'b';
  y[2] = 'y';
  EXPECT_TRUE(admin::bcrypt_matches("changeit", b));
  EXPECT_TRUE(admin::bcrypt_matches("changeit", y));
}

TEST(Bcrypt, RefusesWhatIsNotABcryptHash) {
  EXPECT_FALSE(admin::is_bcrypt_hash(""));
  EXPECT_FALSE(admin::is_bcrypt_hash("changeit"));
  EXPECT_FALSE(admin::is_bcrypt_hash("$1$abcdefgh$abcdefghijklmnopqrstuv"));  // MD5-crypt
  EXPECT_FALSE(admin::is_bcrypt_hash(kBcryptjs.substr(0, 59)));
  auto cost = kBcryptjs;
  cost[4] = '3', cost[5] = '2';
  EXPECT_FALSE(admin::is_bcrypt_hash(cost));
  auto bad_char = kBcryptjs;
  bad_char[30] = '!';
  EXPECT_FALSE(admin::is_bcrypt_hash(bad_char));
  EXPECT_TRUE(admin::is_bcrypt_hash(kBcryptjs));
  // A password never matches a malformed hash (crypt_r would return "*0").
  EXPECT_FALSE(admin::bcrypt_matches("changeit", "*0"));
}

}  // namespace
