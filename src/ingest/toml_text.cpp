#include "ingest/toml_text.hpp"

namespace ingest {

namespace {

// Debian's toml++ 3.3 reaches __builtin_unreachable when its whitespace
// test meets some non-ASCII characters (U+00A1..U+0499 among them), which it
// does in bare keys, after errors and in escapes (found by
// fuzz/ingest_router_fuzz.cpp). Until a fixed toml++, the file must be
// printable ASCII, tabs and line ends: any other byte is refused here, with
// its line, before toml++ sees it. Control characters go too: TOML allows
// none raw but tab, LF and CR, and toml++ would quote a NUL into its error
// message. Strings can spell any character as \uXXXX. Returns the line and
// what the byte is, or line 0.
struct RefusedByte {
  std::size_t line = 0;
  bool control = false;
};

RefusedByte first_refused_byte(std::string_view text) {
  std::size_t line = 1;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') ++line;
    if (byte >= 0x80) return {line, false};
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f) return {line, true};
  }
  return {};
}

}  // namespace

bool parse_toml(std::string_view text, std::string_view source, toml::table& doc, std::string& error) {
  if (auto refused = first_refused_byte(text); refused.line != 0) {
    error = std::string(source) + ": line " + std::to_string(refused.line) +
            (refused.control ? ": a control character" : ": a character that is not ASCII") +
            " (write it in a string as \\uXXXX)";
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
