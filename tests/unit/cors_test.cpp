#include "engine/cors.hpp"

#include <gtest/gtest.h>

using engine::CorsOptions;

namespace {
std::string find(const net::HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (net::iequals(k, name)) return v;
  return "<none>";
}
}  // namespace

TEST(Cors, OffByDefault) {
  EXPECT_TRUE(engine::cors_headers(CorsOptions{}, "http://example.com").empty());
}

TEST(Cors, EchoesAListedOriginWithCredentials) {
  CorsOptions o{{"http://example.com"}, true};
  auto h = engine::cors_headers(o, "http://example.com");
  EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "http://example.com");
  EXPECT_EQ(find(h, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(find(h, "Vary"), "Origin");
}

TEST(Cors, RefusesAnUnlistedOrigin) {
  CorsOptions o{{"http://example.com"}, false};
  auto h = engine::cors_headers(o, "http://evil.test");
  EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "<none>");
}

TEST(Cors, StarWithoutCredentialsIsStar) {
  CorsOptions o{{"*"}, false};
  EXPECT_EQ(find(engine::cors_headers(o, "http://a.test"), "Access-Control-Allow-Origin"), "*");
}

TEST(Cors, StarWithCredentialsReflectsTheOrigin) {
  CorsOptions o{{"*"}, true};
  EXPECT_EQ(find(engine::cors_headers(o, "http://a.test"), "Access-Control-Allow-Origin"), "http://a.test");
}

TEST(Cors, PreflightAnswers204AndEchoesRequestedHeaders) {
  CorsOptions o{{"http://example.com"}, true};
  net::HttpRequest req;
  req.method = "OPTIONS";
  req.headers = {{"Origin", "http://example.com"}, {"Access-Control-Request-Method", "POST"},
                 {"Access-Control-Request-Headers", "content-type"}};
  auto res = engine::cors_preflight(o, req);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(find(res.headers, "Access-Control-Allow-Origin"), "http://example.com");
  EXPECT_EQ(find(res.headers, "Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
  EXPECT_EQ(find(res.headers, "Access-Control-Allow-Headers"), "content-type");
  EXPECT_EQ(find(res.headers, "Vary"), "Origin, Access-Control-Request-Headers");
}
