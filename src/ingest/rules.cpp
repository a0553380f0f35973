#include "ingest/rules.hpp"

#include "ingest/toml_text.hpp"

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

}  // namespace

RulesResult parse_rules(std::string_view text, std::string_view source) {
  RulesResult r;
  toml::table doc;
  if (!parse_toml(text, source, doc, r.error)) return r;
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
