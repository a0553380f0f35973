// The address a trusted proxy names (TRUST_PROXY) and the per-address
// handshake limits (MAX_CONNECTIONS_PER_IP, CONNECTION_RATE_PER_IP).
#include <gtest/gtest.h>

#include "engine/handshake.hpp"
#include "engine/ip_limits.hpp"
#include "net/http_types.hpp"

using engine::IpLimits;
using net::forwarded_client;
using namespace std::chrono_literals;

TEST(ForwardedClient, IgnoresTheHeaderWithoutTrustedHops) {
  EXPECT_EQ(forwarded_client("127.0.0.1", "10.0.0.1", 0), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "", 2), "127.0.0.1");
}

TEST(ForwardedClient, ReadsFromTheRightOneEntryPerTrustedHop) {
  EXPECT_EQ(forwarded_client("127.0.0.1", "10.0.0.1", 1), "10.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "6.6.6.6, 10.0.0.1", 1), "10.0.0.1");  // the client wrote 6.6.6.6
  EXPECT_EQ(forwarded_client("127.0.0.1", "1.1.1.1,10.0.0.1, 10.0.0.2", 2), "10.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "10.0.0.1", 3), "10.0.0.1");  // fewer entries than hops: the leftmost
}

TEST(ForwardedClient, StopsAtAnEntryThatIsNotAnAddress) {
  EXPECT_EQ(forwarded_client("127.0.0.1", "10.0.0.1, garbage", 2), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "garbage, 10.0.0.2", 2), "10.0.0.2");
  EXPECT_EQ(forwarded_client("127.0.0.1", ",", 1), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "10.0.0.1,", 1), "127.0.0.1");
}

TEST(ForwardedClient, CanonicalAddressesWithOrWithoutPorts) {
  EXPECT_EQ(forwarded_client("::ffff:127.0.0.1", "", 0), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", " 10.0.0.1:4711 ", 1), "10.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "[2001:DB8::1]:443", 1), "2001:db8::1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "2001:db8::1", 1), "2001:db8::1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "::ffff:10.1.2.3", 1), "10.1.2.3");
  EXPECT_EQ(forwarded_client("not an address", "", 0), "not an address");
}

TEST(HandshakeAddress, KeepsTheForwardedClientOnlyWhenItDiffers) {
  net::HttpRequest request;
  request.target = "/engine.io/?EIO=4";
  request.remote_address = "127.0.0.1";
  request.headers = {{"Host", "x"}};
  engine::Handshake plain(request, 0);
  EXPECT_EQ(plain.client_address(), "127.0.0.1");
  request.client_address = "10.0.0.7";
  engine::Handshake forwarded(request, 0);
  EXPECT_EQ(forwarded.remote_address(), "127.0.0.1");
  EXPECT_EQ(forwarded.client_address(), "10.0.0.7");
  EXPECT_EQ(forwarded.header("host"), "x");
  EXPECT_EQ(forwarded.url(), "/engine.io/?EIO=4");
}

TEST(IpLimits, CountsSessionsPerAddress) {
  IpLimits limits({.max_connections = 2});
  EXPECT_TRUE(limits.admit("10.0.0.1").counted);
  EXPECT_TRUE(limits.admit("10.0.0.1").counted);
  auto third = limits.admit("10.0.0.1");
  EXPECT_EQ(third.verdict, IpLimits::Verdict::too_many);
  EXPECT_FALSE(third.counted);
  EXPECT_EQ(limits.admit("10.0.0.2").verdict, IpLimits::Verdict::admitted);
  limits.release("10.0.0.1");
  EXPECT_EQ(limits.admit("10.0.0.1").verdict, IpLimits::Verdict::admitted);
  // An entry goes when its count reaches 0: the table does not grow.
  for (auto* a : {"10.0.0.1", "10.0.0.1", "10.0.0.2"}) limits.release(a);
  EXPECT_EQ(limits.tracked(), 0u);
}

TEST(IpLimits, IPv4AndItsMappedFormAreOneAddressAndIPv6CountsBySlash64) {
  IpLimits limits({.max_connections = 1});
  EXPECT_TRUE(limits.admit("10.0.0.1").counted);
  EXPECT_EQ(limits.admit("::ffff:10.0.0.1").verdict, IpLimits::Verdict::too_many);
  EXPECT_TRUE(limits.admit("2001:db8:1:2::1").counted);
  EXPECT_EQ(limits.admit("2001:db8:1:2:ffff::9").verdict, IpLimits::Verdict::too_many);
  EXPECT_TRUE(limits.admit("2001:db8:1:3::1").counted);
}

TEST(IpLimits, ATokenBucketOfHandshakes) {
  IpLimits limits({.rate = 2, .burst = 3});
  auto t = IpLimits::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limits.admit("10.0.0.1", t).verdict, IpLimits::Verdict::admitted);
  auto refused = limits.admit("10.0.0.1", t);
  EXPECT_EQ(refused.verdict, IpLimits::Verdict::too_fast);
  EXPECT_EQ(refused.retry_after_s, 1u);
  EXPECT_EQ(limits.admit("10.0.0.2", t).verdict, IpLimits::Verdict::admitted);  // another address
  EXPECT_EQ(limits.admit("10.0.0.1", t + 400ms).verdict, IpLimits::Verdict::too_fast);
  EXPECT_EQ(limits.admit("10.0.0.1", t + 600ms).verdict, IpLimits::Verdict::admitted);
  // Nothing open and the buckets refilled: swept away.
  limits.admit("10.0.0.3", t + 10s);
  EXPECT_EQ(limits.tracked(t + 10s), 1u);
}

TEST(IpLimits, BothLimitsTogether) {
  IpLimits limits({.max_connections = 1, .rate = 1, .burst = 2});
  auto t = IpLimits::Clock::now();
  EXPECT_TRUE(limits.admit("10.0.0.1", t).counted);
  EXPECT_EQ(limits.admit("10.0.0.1", t).verdict, IpLimits::Verdict::too_many);  // spends the second token
  limits.release("10.0.0.1", t);
  EXPECT_EQ(limits.admit("10.0.0.1", t).verdict, IpLimits::Verdict::too_fast);
  EXPECT_EQ(limits.admit("10.0.0.1", t + 1100ms).verdict, IpLimits::Verdict::admitted);
}
