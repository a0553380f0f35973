#include "ingest/rules.hpp"

#include <toml++/toml.h>

#include <algorithm>

#include "ingest/default_routes.hpp"  // generated: kDefaultRoutesToml

namespace ingest {

namespace {

// A string or an array of strings; false when the key has another type.
bool strings(const toml::node* node, std::vector<std::string>& out) {
  if (!node) return true;
  if (auto s = node->value<std::string>()) {
    out.push_back(*s);
    return true;
  }
  auto* array = node->as_array();
  if (!array) return false;
  for (const auto& item : *array) {
    auto s = item.value<std::string>();
    if (!s) return false;
    out.push_back(*s);
  }
  return true;
}

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

RulesResult parse_rules(std::string_view text, std::string_view source) {
  RulesResult r;
  if (auto line = first_non_ascii_line(text)) {
    r.error = std::string(source) + ": line " + std::to_string(line) +
              ": a character that is not ASCII (write it in a string as \\uXXXX)";
    return r;
  }
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    r.error = std::string(source) + ": " + std::string(e.description());
    return r;
  }
  auto* routes = doc.get("route");
  if (!routes) return r;
  auto* array = routes->as_array();
  if (!array) {
    r.error = std::string(source) + ": 'route' must be an array of tables ([[route]])";
    return r;
  }
  std::size_t index = 0;
  for (const auto& node : *array) {
    ++index;
    auto where = std::string(source) + ": [[route]] #" + std::to_string(index);
    auto* t = node.as_table();
    if (!t) {
      r.error = where + " is not a table";
      return r;
    }
    Rule rule;
    for (const auto& [key, value] : *t) {
      std::string_view k = key.str();
      bool ok = true;
      if (k == "name")
        ok = value.is_string() && !(rule.name = *value.value<std::string>()).empty();
      else if (k == "pattern")
        ok = strings(&value, rule.patterns);
      else if (k == "type")
        ok = value.is_string() && (rule.type = *value.value<std::string>(), true);
      else if (k == "event")
        ok = value.is_string() && !(rule.event = *value.value<std::string>()).empty();
      else if (k == "to")
        ok = strings(&value, rule.targets);
      else if (k == "namespace")
        ok = value.is_string() && !(rule.nsp = *value.value<std::string>()).empty() && rule.nsp[0] == '/';
      else if (k == "payload") {
        ok = value.is_string();
        if (ok) {
          auto p = *value.value<std::string>();
          rule.payload_field = p == "message" ? "" : p;
        }
      } else if (k == "stop")
        ok = value.is_boolean() && (rule.stop = *value.value<bool>(), true);
      else {
        r.error = where + ": unknown key '" + std::string(k) + "'";
        return r;
      }
      if (!ok) {
        r.error = where + ": bad value for '" + std::string(k) + "'";
        return r;
      }
    }
    if (rule.event.empty() || rule.targets.empty()) {
      r.error = where + ": 'event' and 'to' are required";
      return r;
    }
    if (rule.name.empty()) rule.name = "route#" + std::to_string(index) + "@" + std::string(source);
    r.rules.push_back(std::move(rule));
  }
  return r;
}

std::string_view default_rules_toml() { return kDefaultRoutesToml; }

std::vector<Rule> default_rules() {
  // The embedded file is checked by the unit tests; a broken one would fail them.
  return parse_rules(default_rules_toml(), "ingest-routes.toml").rules;
}

std::vector<Rule> merge_rules(std::vector<Rule> base, std::vector<Rule> custom) {
  std::vector<Rule> added;
  for (auto& rule : custom) {
    auto same = std::find_if(base.begin(), base.end(), [&](const Rule& b) { return b.name == rule.name; });
    if (same != base.end())
      *same = std::move(rule);
    else
      added.push_back(std::move(rule));
  }
  added.insert(added.end(), std::make_move_iterator(base.begin()), std::make_move_iterator(base.end()));
  return added;
}

}  // namespace ingest
