#pragma once
// Small text helpers shared by the auth parsers (headers, cookies).

#include <string_view>

namespace auth {

// `s` without the spaces and tabs around it (HTTP's optional whitespace).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace auth
