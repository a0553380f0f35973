#pragma once
// A small set of files read once into memory and served over HTTP with an
// ETag (If-None-Match answers 304) and, when the client accepts it, gzip,
// compressed once, on the first request that asks for it (compressing the
// whole client bundle at start would add a second to every start). For the
// client bundle and the demo page: files that never change while the server runs.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace net {

struct StaticFile {
  std::string content_type;
  std::string etag;  // a strong ETag of the bytes, quoted
  std::string body;
  // body gzip-compressed, made by the first call; "" when it would not be
  // smaller. Thread-safe.
  const std::string& gzipped() const;

 private:
  mutable std::once_flag gzip_once_;
  mutable std::string gzipped_;
};

class StaticFiles {
 public:
  // Reads `dir`/`file` for each file and serves it as `url_prefix` + file.
  // Throws std::runtime_error naming the file it cannot read (or that is
  // over `max_file_bytes`).
  void add_dir(const std::string& dir, const std::vector<std::string>& files, const std::string& url_prefix,
               std::size_t max_file_bytes = 16 << 20);
  // Reads the file at `path` and serves it at `url_path` (the demo's index at "/").
  void add_file(const std::string& url_path, const std::string& path, std::size_t max_file_bytes = 16 << 20);

  bool empty() const { return files_.empty(); }
  const StaticFile* find(std::string_view path) const;

  // The answer to `request`: 200 (gzip when accepted), 304 when its
  // If-None-Match names the file's ETag, 404 for an unknown path, 405 for a
  // method other than GET.
  HttpResponse respond(const HttpRequest& request) const;

 private:
  std::map<std::string, std::unique_ptr<StaticFile>, std::less<>> files_;
};

// The MIME type for a file name's extension (application/octet-stream when unknown).
std::string content_type_for(std::string_view name);
// True when an Accept-Encoding value accepts gzip (a q=0 refuses it).
bool accepts_gzip(std::string_view accept_encoding);
// gzip (RFC 1952) of `data`, zlib's default level.
std::string gzip(std::string_view data);

}  // namespace net
