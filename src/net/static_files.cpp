#include "net/static_files.hpp"

#include <openssl/sha.h>
#include <zlib.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace net {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A strong ETag: the first 16 bytes of the SHA-256 of the bytes, in hex.
// It changes exactly when the bytes do, across restarts and nodes, so a
// browser's cached copy stays valid behind a load balancer.
std::string etag_of(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string tag = "\"";
  for (int i = 0; i < 16; ++i) {
    tag += hex[digest[i] >> 4];
    tag += hex[digest[i] & 15];
  }
  return tag + "\"";
}

std::unique_ptr<StaticFile> make_file(std::string body, std::string content_type) {
  auto f = std::make_unique<StaticFile>();
  f->content_type = std::move(content_type);
  f->etag = etag_of(body);
  f->body = std::move(body);
  return f;
}

// If-None-Match: "*" or a list of ETags, weak ones (W/"...") matching too (RFC 9110 13.1.2).
bool none_match(std::string_view header, std::string_view etag) {
  return header.find('*') != std::string_view::npos || header.find(etag) != std::string_view::npos;
}

}  // namespace

const std::string& StaticFile::gzipped() const {
  std::call_once(gzip_once_, [this] {
    gzipped_ = gzip(body);
    if (gzipped_.size() >= body.size()) gzipped_.clear();
  });
  return gzipped_;
}

std::string content_type_for(std::string_view name) {
  auto dot = name.rfind('.');
  auto ext = dot == std::string_view::npos ? std::string() : lower(name.substr(dot + 1));
  if (ext == "js" || ext == "mjs") return "application/javascript; charset=utf-8";
  if (ext == "map" || ext == "json") return "application/json; charset=utf-8";
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  return "application/octet-stream";
}

bool accepts_gzip(std::string_view accept_encoding) {
  auto value = lower(accept_encoding);
  std::string_view rest = value;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto semi = item.find(';');
    auto coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    auto q = item.substr(semi + 1);
    auto eq = q.find('=');
    if (eq == std::string_view::npos) return true;
    auto number = q.substr(eq + 1);
    // q=0, q=0.0, q=0.000 refuse; anything else accepts.
    return number.find_first_not_of("0. ") != std::string_view::npos;
  }
  return false;
}

std::string gzip(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: deflateInit2 failed");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  return out;
}

void StaticFiles::add_dir(const std::string& dir, const std::vector<std::string>& files, const std::string& url_prefix,
                          std::size_t max_file_bytes) {
  for (const auto& name : files) add_file(url_prefix + name, dir + "/" + name, max_file_bytes);
}

void StaticFiles::add_file(const std::string& url_path, const std::string& path, std::size_t max_file_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  auto body = std::move(s).str();
  if (body.size() > max_file_bytes)
    throw std::runtime_error(path + " is larger than " + std::to_string(max_file_bytes) + " bytes");
  files_[url_path] = make_file(std::move(body), content_type_for(path));
}

const StaticFile* StaticFiles::find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second.get();
}

HttpResponse StaticFiles::respond(const HttpRequest& request) const {
  HttpResponse r;
  if (request.method != "GET") {
    r.status = 405;
    r.set("Allow", "GET").set("Content-Type", "text/plain; charset=utf-8");
    r.body = "Method not allowed\n";
    return r;
  }
  const StaticFile* f = find(request.path());
  if (!f) {
    r.status = 404;
    r.set("Content-Type", "text/plain; charset=utf-8");
    r.body = "Not found\n";
    return r;
  }
  r.set("ETag", f->etag).set("Cache-Control", "public, max-age=0").set("Vary", "Accept-Encoding");
  if (auto inm = request.header("If-None-Match"); !inm.empty() && none_match(inm, f->etag)) {
    r.status = 304;
    return r;
  }
  r.set("Content-Type", f->content_type);
  bool zipped = accepts_gzip(request.header("Accept-Encoding")) && !f->gzipped().empty();
  if (zipped) r.set("Content-Encoding", "gzip");
  r.body = zipped ? f->gzipped() : f->body;
  return r;
}

}  // namespace net
