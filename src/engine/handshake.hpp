#pragma once
// What the request that opened a session said: URL, client address, headers.
// A session keeps it for its whole life (socket.handshake reads it), so it is
// packed into one string: an idle connection pays one allocation for its
// request instead of two strings per header.

#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace engine {

class Handshake {
 public:
  Handshake() = default;
  Handshake(const net::HttpRequest& request, std::int64_t issued_ms);

  std::string_view url() const;             // path and query, as sent
  std::string_view query() const;           // after '?', without it
  std::string_view remote_address() const;  // the TCP peer
  // The client: remote_address, or the address X-Forwarded-For names when
  // the listener trusts a proxy (net::HttpRequest::client_address).
  std::string_view client_address() const;
  bool secure() const { return secure_; }
  std::int64_t issued_ms() const { return issued_ms_; }  // milliseconds since the epoch

  // The first header with this name (case-insensitive), "" when absent.
  std::string_view header(std::string_view name) const { return fields().find(name); }
  // Calls fn(name, value) for every header, in the order sent.
  template <class Fn>
  void for_each_header(Fn&& fn) const {
    for (auto [name, value] : fields()) fn(name, value);
  }
  net::HeaderList headers() const;  // a copy

 private:
  // Reads the length-prefixed field at `at` and moves past it.
  std::string_view field(std::size_t& at) const;
  void append_field(std::string_view value);
  // The headers: the end of text_, in net::FieldList's form.
  net::FieldView fields() const { return net::FieldView(std::string_view(text_).substr(headers_at_)); }

  // url, remote address, the client address when forwarded_, then name and
  // value of each header; every field is its length (a varint, one byte
  // below 128) followed by its bytes (net/field_list.hpp).
  std::string text_;
  std::uint32_t headers_at_ = 0;
  bool secure_ = false;
  bool forwarded_ = false;  // a trusted proxy named the client: its address follows the peer's
  std::int64_t issued_ms_ = 0;
};

}  // namespace engine
