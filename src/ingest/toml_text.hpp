#pragma once
// Internal: a TOML document read the one way the routes and the vocabulary
// are read (toml++ in the library's sources only, not in public headers).

// toml++ asserts some preconditions that input can fail and that it then
// checks anyway: parse_key asserts a key character after `[[`, and for
// `[[=` reports "expected bare key starting character" when the assert is
// off. Off in every build, so that a Debug or fuzz build (asserts on)
// parses as the release does. (With NDEBUG, toml++ replaces this with its
// TOML_ASSUME, which is a no-op under GCC, the compiler of the release.)
#ifndef NDEBUG
#define TOML_ASSERT(expr) static_cast<void>(0)
#endif
#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace ingest {

// Parses `text`; on failure returns false with `error` naming `source` (and
// the line of a byte it refuses before toml++ sees it: see toml_text.cpp).
bool parse_toml(std::string_view text, std::string_view source, toml::table& doc, std::string& error);

}  // namespace ingest
