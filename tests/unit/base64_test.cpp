#include "engine/base64.hpp"

#include <gtest/gtest.h>

using engine::base64_decode;
using engine::base64_encode;

TEST(Base64, EncodesWithPaddingAsNodeDoes) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode(std::string("\x01\x02\x03", 3)), "AQID");
  EXPECT_EQ(base64_encode(std::string("\x09\x08", 2)), "CQg=");
  EXPECT_EQ(base64_encode("f"), "Zg==");
}

TEST(Base64, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(base64_decode("AQID"), std::string("\x01\x02\x03", 3));
  EXPECT_EQ(base64_decode("CQg="), std::string("\x09\x08", 2));
  EXPECT_EQ(base64_decode("CQg"), std::string("\x09\x08", 2));
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zg"), "f");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    auto in = all.substr(0, len);
    EXPECT_EQ(base64_decode(base64_encode(in)), in) << "length " << len;
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"A", "AQI*", "A=QI", "=AAA", "AQ==ID", "AQ ID", "AQID\n", "Zg===", "\xff\xfe"})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}
