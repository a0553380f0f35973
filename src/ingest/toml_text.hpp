#pragma once
// Internal: a TOML document read the one way the routes and the vocabulary
// are read (toml++ in the library's sources only, not in public headers).

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace ingest {

// Parses `text`; on failure returns false with `error` naming `source` (and
// the line of a character that is not ASCII: see toml_text.cpp).
bool parse_toml(std::string_view text, std::string_view source, toml::table& doc, std::string& error);

}  // namespace ingest
