#include "net/url.hpp"

#include <algorithm>

namespace net {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte of the escape at text[i] ('%'), or -1 when it is not a complete one.
int escaped_byte(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size()) return -1;
  int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// Whether percent_decode_lenient would change `text`. A plain loop: most
// keys and values have nothing to decode, and find_first_of with a set of two
// cost several times as much per byte.
bool needs_decoding(std::string_view text, bool plus_is_space) {
  for (char c : text)
    if (c == '%' || (plus_is_space && c == '+')) return true;
  return false;
}

}  // namespace

std::string percent_decode_lenient(std::string_view text, bool plus_is_space) {
  // Most keys and values have nothing to decode.
  if (!needs_decoding(text, plus_is_space)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (int byte = escaped_byte(text, i); byte >= 0) {
        out.push_back(static_cast<char>(byte));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int byte = escaped_byte(text, i);
    if (byte < 0) return std::nullopt;
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  return out;
}

QueryParams parse_query(std::string_view query) {
  QueryParams params;
  params.reserve(std::count(query.begin(), query.end(), '&') + 1);  // one allocation
  for_each_query_piece(query, [&](std::string_view key, std::string_view value) {
    params.emplace_back(percent_decode_lenient(key, true), percent_decode_lenient(value, true));
  });
  return params;
}

}  // namespace net
