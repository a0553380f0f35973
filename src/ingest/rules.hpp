#pragma once
// Routing rules from broker events to Socket.IO emits: what a [[route]]
// table of a TOML file says (docs/ingest.md), and the defaults that ship with
// the daemon (config/ingest-routes.toml, compiled in).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ingest {

struct Rule {
  std::string name;                   // a rule of a later file with the same name replaces it
  std::vector<std::string> patterns;  // AMQP topic patterns; empty: every key
  std::string type;                   // "": every type; else order, payment, inventory, stock_transfer, ...
  std::string event;                  // the Socket.IO event name
  std::vector<std::string> targets;   // "user:{userId}", "company:{companyId}", ... or "everyone"
  std::string nsp = "/";
  std::string payload_field;  // "": the whole message; else this field of it
  bool stop = false;          // no later rule applies after this one matched
};

struct RulesResult {
  std::vector<Rule> rules;
  std::string error;  // non-empty: the file is wrong (names the rule and the key)
};

// The [[route]] tables of a TOML document; other tables and keys are left
// to their owners. `source` names the file in errors.
RulesResult parse_rules(std::string_view toml, std::string_view source);

// The default rules' TOML text (config/ingest-routes.toml, embedded at build time).
std::string_view default_rules_toml();
std::vector<Rule> default_rules();

// `custom` over `base`: a custom rule with a base rule's name replaces it in
// place; the others come first, in their order.
std::vector<Rule> merge_rules(std::vector<Rule> base, std::vector<Rule> custom);

}  // namespace ingest
