#include "net/request_head.hpp"

#include <array>
#include <cstring>

#include "net/http_types.hpp"

namespace net {

namespace {

// What a byte may be, in one table lookup: this runs on every byte of every
// new connection's head.
enum CharClass : unsigned char {
  kTchar = 1,    // RFC 9110 tchar: a token's byte
  kVisible = 2,  // VCHAR, 0x21-0x7e
  kBlank = 4,    // SP, HTAB
};

constexpr auto kCharClasses = [] {
  std::array<unsigned char, 256> table{};
  for (int c = 0x21; c < 0x7f; ++c) table[c] = kVisible;
  for (int c = '0'; c <= '9'; ++c) table[c] |= kTchar;
  for (int c = 'a'; c <= 'z'; ++c) table[c] |= kTchar;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] |= kTchar;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] |= kTchar;
  table[' '] = table['\t'] = kBlank;
  return table;
}();

// Whether every byte of `s` is of one of the classes in `mask`.
bool all_of_class(std::string_view s, unsigned char mask) {
  for (unsigned char c : s)
    if (!(kCharClasses[c] & mask)) return false;
  return true;
}

// Whether every byte of `s` is in [low, 0x7e], or else of a class in `mask`:
// eight bytes a step while they are all in the range (the usual case), the
// table for a word that is not. `low` at most 0x80.
bool all_in_range_or_class(std::string_view s, unsigned char low, unsigned char mask) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    // A byte below `low`, or above 0x7e (Bit Twiddling Hacks' hasless, hasmore).
    std::uint64_t outside = ((w - ones * low) & ~w & highs) | (((w + ones * (127 - 0x7e)) | w) & highs);
    if (outside && !all_of_class(std::string_view(p, 8), mask)) return false;
  }
  return all_of_class(std::string_view(p, n), mask);
}

static_assert(kMaxRequestHeadFields < 256, "RequestHead::known holds 1 + an index in a byte");

// The KnownField a field's name is, or KnownField::count.
KnownField known_field(std::string_view name) {
  switch (name.size()) {
    case 7:
      return iequals(name, "Upgrade") ? KnownField::upgrade : KnownField::count;
    case 10:
      return iequals(name, "Connection") ? KnownField::connection : KnownField::count;
    case 17:
      return iequals(name, "Sec-WebSocket-Key") ? KnownField::sec_websocket_key : KnownField::count;
    case 21:
      return iequals(name, "Sec-WebSocket-Version") ? KnownField::sec_websocket_version : KnownField::count;
    case 24:
      return iequals(name, "Sec-WebSocket-Extensions") ? KnownField::sec_websocket_extensions : KnownField::count;
    default:
      return KnownField::count;
  }
}

bool is_token(std::string_view s) { return !s.empty() && all_of_class(s, kTchar); }

// The next line of `rest`, up to its first CR, which an LF must follow;
// false if there is none. A stray LF stays in the line, where the checks of
// its parts refuse it (no part may hold a control byte).
bool next_line(std::string_view& rest, std::string_view& line) {
  std::size_t end = rest.find('\r');
  if (end == std::string_view::npos || end + 1 == rest.size() || rest[end + 1] != '\n') return false;
  line = rest.substr(0, end);
  rest.remove_prefix(end + 2);
  return true;
}

// Calls fn(element) for each element of the comma-separated list `list`
// (blanks around it trimmed, empty ones skipped); false when an element is
// not a plain token.
template <class Fn>
bool for_each_token(std::string_view list, Fn&& fn) {
  while (true) {
    std::size_t comma = list.find(',');
    std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) {
      if (!is_token(element)) return false;
      fn(element);
    }
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// Whether the token list `list` holds `token`; false as well when it is not
// a plain token list.
bool list_has_token(std::string_view list, std::string_view token) {
  bool found = false;
  return for_each_token(list, [&](std::string_view element) { found = found || iequals(element, token); }) && found;
}

bool parse_request_line(std::string_view line, RequestHead& head) {
  std::size_t first = line.find(' ');
  if (first == std::string_view::npos) return false;
  std::size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return false;
  head.method = line.substr(0, first);
  head.target = line.substr(first + 1, second - first - 1);
  return is_token(head.method) && !head.target.empty() && all_in_range_or_class(head.target, 0x21, kVisible) &&
         line.substr(second + 1) == "HTTP/1.1";
}

bool parse_field(std::string_view line, RequestHead& head) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim_ows(line.substr(colon + 1));
  if (!is_token(name)) return false;  // also refuses obs-fold: a line that starts with a blank
  if (!all_in_range_or_class(value, 0x20, kVisible | kBlank)) return false;
  // A body is the full parser's business.
  if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) return false;
  KnownField which = known_field(name);
  // Beast refuses these when they are not token lists (bad_value).
  if ((which == KnownField::connection || iequals(name, "Proxy-Connection")) &&
      !for_each_token(value, [](std::string_view) {}))
    return false;
  if (head.fields.size() == kMaxRequestHeadFields) return false;
  head.fields.emplace_back(name, value);
  if (which != KnownField::count) {
    auto& at = head.known[static_cast<std::size_t>(which)];
    if (at == 0) at = static_cast<std::uint8_t>(head.fields.size());  // the first one counts
  }
  return true;
}

}  // namespace

std::string_view RequestHead::field(std::string_view name) const {
  for (const auto& [field_name, value] : fields)
    if (iequals(field_name, name)) return value;
  return {};
}

bool parse_request_head(std::string_view text, RequestHead& head) {
  head.fields.clear();
  head.known = {};
  if (text.size() < 4 || text.substr(text.size() - 4) != "\r\n\r\n") return false;
  std::string_view rest = text, line;
  if (!next_line(rest, line) || !parse_request_line(line, head)) return false;
  while (next_line(rest, line)) {
    if (line.empty()) return rest.empty();
    if (!parse_field(line, head)) return false;
  }
  return false;
}

bool is_websocket_upgrade(const RequestHead& head) {
  return head.method == "GET" && list_has_token(head.field(KnownField::connection), "upgrade") &&
         list_has_token(head.field(KnownField::upgrade), "websocket");
}

}  // namespace net
