#include "ingest/toml_text.hpp"

namespace ingest {

namespace {

// Debian's toml++ 3.3 reaches __builtin_unreachable when its whitespace
// test meets some non-ASCII characters (U+00A1..U+0499 among them), which it
// does in bare keys, after errors and in escapes (found by
// fuzz/ingest_router_fuzz.cpp). Until a fixed toml++, the file must be ASCII:
// a byte past 0x7f is refused here, with its line, before toml++ sees it
// (strings can spell any character as \uXXXX). Returns the line, or 0.
std::size_t first_non_ascii_line(std::string_view text) {
  std::size_t line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (static_cast<unsigned char>(c) >= 0x80) return line;
  }
  return 0;
}

}  // namespace

bool parse_toml(std::string_view text, std::string_view source, toml::table& doc, std::string& error) {
  if (auto line = first_non_ascii_line(text)) {
    error = std::string(source) + ": line " + std::to_string(line) +
            ": a character that is not ASCII (write it in a string as \\uXXXX)";
    return false;
  }
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    error = std::string(source) + ": " + std::string(e.description());
    return false;
  }
  return true;
}

}  // namespace ingest
