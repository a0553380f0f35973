#pragma once
// Query strings and percent-encoding of request targets, read the way Node's
// URLSearchParams reads them (what engine.io and socket.handshake.query use):
// '+' is a space, and a broken escape such as "%zz" is kept as it is rather
// than failing the whole query. Every byte is untrusted: nothing here
// throws, asserts or reads past the view it is given.
//
// Not Boost.URL: its 1.81 query parser turns the view it is given into a C
// string (strlen), which reads past a view that is not NUL-terminated and
// crashes on an empty one.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=%41&c" -> {a: "1", b: "A", c: ""}; empty pieces ("a=1&&b=2") are skipped.
QueryParams parse_query(std::string_view query);

// The raw key and value of each piece of `query`, as parse_query splits
// them (undecoded): fn(key, value), in order. For a reader that wants a few
// keys without a list of all of them.
template <class Fn>
void for_each_query_piece(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    auto end = query.find('&');
    auto piece = query.substr(0, end);
    if (!piece.empty()) {
      auto eq = piece.find('=');
      fn(piece.substr(0, eq), eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
}

// Lenient decoding for query strings: '+' -> ' ' when `plus_is_space`,
// malformed escapes kept verbatim.
std::string percent_decode_lenient(std::string_view text, bool plus_is_space);

// Strict decoding for path segments: nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace net
