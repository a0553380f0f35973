#include "net/utf8.hpp"

namespace net {

namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";

// The length of the well-formed sequence at text[i], or 0 when the bytes
// there are ill-formed; `subpart` is then the length of the maximal
// ill-formed subsequence to replace (at least 1).
std::size_t sequence_at(std::string_view text, std::size_t i, std::size_t& subpart) {
  auto b = static_cast<unsigned char>(text[i]);
  subpart = 1;
  if (b <= 0x7f) return 1;
  std::size_t needed;
  unsigned char lower = 0x80, upper = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    needed = 1;
  } else if (b >= 0xe0 && b <= 0xef) {
    needed = 2;
    if (b == 0xe0) lower = 0xa0;  // overlong
    if (b == 0xed) upper = 0x9f;  // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    needed = 3;
    if (b == 0xf0) lower = 0x90;  // overlong
    if (b == 0xf4) upper = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t k = 1; k <= needed; ++k) {
    if (i + k >= text.size()) return 0;
    auto c = static_cast<unsigned char>(text[i + k]);
    if (c < lower || c > upper) return 0;
    lower = 0x80;
    upper = 0xbf;
    subpart = k + 1;
  }
  return needed + 1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t subpart;
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b <= 0x7f) {
      ++i;
      continue;
    }
    auto n = sequence_at(text, i, subpart);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t subpart;
  for (std::size_t i = 0; i < text.size();) {
    auto n = sequence_at(text, i, subpart);
    if (n) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out.append(kReplacement);
      i += subpart;
    }
  }
  return out;
}

}  // namespace net
