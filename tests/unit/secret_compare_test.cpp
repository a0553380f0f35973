// The API key comparison: equal only when every byte and the length match.
#include "auth/secret_compare.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(SecretCompare, EqualOnlyWhenEveryByteAndTheLengthMatch) {
  EXPECT_TRUE(auth::secrets_equal("Bearer k3y", "Bearer k3y"));
  EXPECT_TRUE(auth::secrets_equal("", ""));
  EXPECT_FALSE(auth::secrets_equal("Bearer k3z", "Bearer k3y")) << "last byte differs";
  EXPECT_FALSE(auth::secrets_equal("Bearer k3", "Bearer k3y")) << "a prefix";
  EXPECT_FALSE(auth::secrets_equal("Bearer k3yy", "Bearer k3y")) << "longer";
  EXPECT_FALSE(auth::secrets_equal("", "Bearer k3y"));
  EXPECT_FALSE(auth::secrets_equal(std::string("Bearer k3y\0", 11), "Bearer k3y")) << "an embedded NUL counts";
}

}  // namespace
