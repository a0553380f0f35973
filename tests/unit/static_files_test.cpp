// The static file server of the client bundle and the demo page: ETag and
// 304, gzip when asked, and its answers to bad requests.
#include "net/static_files.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

std::string gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

net::HttpRequest get(std::string target, net::FieldList headers = {}) {
  net::HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

std::string header(const net::HttpResponse& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (net::iequals(k, name)) return v;
  return {};
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("static-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "a.js") << body_;
    files_.add_dir(dir_.string(), {"a.js"}, "/x/");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string body_ = std::string(4000, 'a') + "console.log('hello');";
  net::StaticFiles files_;
};

TEST_F(StaticFilesTest, ServesTheBytesWithAnETag) {
  auto r = files_.respond(get("/x/a.js"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body_);
  EXPECT_EQ(header(r, "Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_EQ(header(r, "Content-Encoding"), "");
  auto etag = header(r, "ETag");
  ASSERT_EQ(etag.size(), 34u);
  EXPECT_EQ(etag.front(), '"');
}

TEST_F(StaticFilesTest, AnswersIfNoneMatchWith304) {
  auto etag = header(files_.respond(get("/x/a.js")), "ETag");
  auto r = files_.respond(get("/x/a.js", {{"If-None-Match", etag}}));
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(files_.respond(get("/x/a.js", {{"If-None-Match", "W/" + etag}})).status, 304);
  EXPECT_EQ(files_.respond(get("/x/a.js", {{"If-None-Match", "\"other\", " + etag}})).status, 304);
  EXPECT_EQ(files_.respond(get("/x/a.js", {{"If-None-Match", "\"other\""}})).status, 200);
}

TEST_F(StaticFilesTest, GzipsWhenAsked) {
  auto r = files_.respond(get("/x/a.js", {{"Accept-Encoding", "gzip, deflate, br"}}));
  EXPECT_EQ(header(r, "Content-Encoding"), "gzip");
  EXPECT_LT(r.body.size(), body_.size());
  EXPECT_EQ(gunzip(r.body), body_);
  EXPECT_EQ(header(r, "Vary"), "Accept-Encoding");
}

TEST_F(StaticFilesTest, RefusedGzipIsNotSent) {
  EXPECT_EQ(header(files_.respond(get("/x/a.js", {{"Accept-Encoding", "gzip;q=0, deflate"}})), "Content-Encoding"), "");
  EXPECT_EQ(header(files_.respond(get("/x/a.js", {{"Accept-Encoding", "br"}})), "Content-Encoding"), "");
  EXPECT_TRUE(net::accepts_gzip("GZIP;q=0.5"));
  EXPECT_TRUE(net::accepts_gzip("*"));
  EXPECT_FALSE(net::accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(net::accepts_gzip("gzipx"));
}

TEST_F(StaticFilesTest, UnknownPathsAndMethods) {
  EXPECT_EQ(files_.respond(get("/x/b.js")).status, 404);
  EXPECT_EQ(files_.respond(get("/x/a.js/")).status, 404);
  auto post = get("/x/a.js");
  post.method = "POST";
  EXPECT_EQ(files_.respond(post).status, 405);
  EXPECT_EQ(files_.respond(get("/x/a.js?v=1")).status, 200);  // a cache-busting query is fine
}

TEST_F(StaticFilesTest, AMissingFileIsNamed) {
  net::StaticFiles files;
  try {
    files.add_dir(dir_.string(), {"missing.js"}, "/");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.js"), std::string::npos);
  }
}

TEST(Gzip, RoundTripsEmptyAndBinary) {
  EXPECT_EQ(gunzip(net::gzip("")), "");
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary += static_cast<char>(i * 7);
  EXPECT_EQ(gunzip(net::gzip(binary)), binary);
}

}  // namespace
