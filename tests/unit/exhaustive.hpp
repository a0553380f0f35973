#pragma once
// Calls `fn` with every string of length 1..max_length over `alphabet`: a
// small exhaustive fuzz for parsers (run under the sanitizers in CI).

#include <string>
#include <vector>

template <class Fn>
void for_each_short_string(const std::string& alphabet, int max_length, Fn fn) {
  std::vector<std::string> inputs{""};
  for (int len = 0; len < max_length; ++len) {
    std::vector<std::string> next;
    for (const auto& s : inputs)
      for (char c : alphabet) next.push_back(s + c);
    for (const auto& s : next) fn(s);
    inputs = std::move(next);
  }
}
