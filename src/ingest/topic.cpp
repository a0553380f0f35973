#include "ingest/topic.hpp"

#include <vector>

namespace ingest {

namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

bool topic_matches(std::string_view pattern, std::string_view routing_key) {
  auto p = words(pattern);
  auto k = words(routing_key);
  // The empty key (and pattern) has no words: "" matches "" and "#".
  if (routing_key.empty()) k.clear();
  if (pattern.empty()) p.clear();
  // Iterative matching with one backtrack point per '#' (the classic
  // wildcard algorithm): linear in practice, never recursive, so a hostile
  // key cannot blow the stack.
  std::size_t pi = 0, ki = 0, star_p = std::string_view::npos, star_k = 0;
  while (ki < k.size()) {
    if (pi < p.size() && p[pi] == "#") {
      star_p = pi++;
      star_k = ki;
    } else if (pi < p.size() && (p[pi] == "*" || p[pi] == k[ki])) {
      ++pi;
      ++ki;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      ki = ++star_k;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == "#") ++pi;
  return pi == p.size();
}

}  // namespace ingest
