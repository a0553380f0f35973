#pragma once
// From one broker message (routing key + body) to the emits it asks for,
// by the rules (ingest/rules.hpp). Pure: no I/O, no threads; the consumer and
// embedders deliver the plan (ingest/ingest.hpp).

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/rules.hpp"

namespace ingest {

enum class Verdict {
  routed,      // at least one emit
  not_json,    // the body does not parse (or is too large, or too deep)
  unroutable,  // no rule matched, or every matching rule lost all its targets
};
const char* to_string(Verdict v);

struct Emit {
  std::string rule;  // its name, for logs
  std::string nsp;
  std::string event;
  bool everyone = false;           // a broadcast to the namespace
  std::vector<std::string> rooms;  // else: these rooms (a socket in several gets it once)
  boost::json::value payload;
};

struct Plan {
  Verdict verdict = Verdict::unroutable;
  std::string type;  // the event type used (key's first word, else determineEventType)
  std::vector<Emit> emits;
};

// Seed 002's determineEventType: orderId -> "order", paymentId -> "payment",
// productId with quantity -> "inventory", transferId -> "stock_transfer";
// "" when none says. Truthiness is JavaScript's (0, "", null, false are not).
std::string determine_event_type(const boost::json::value& event);

// The type of a message: its routing key's first word when that names a
// handler (order, payment, inventory, notification; an inventory key with a
// word that starts with "transfer", like inventory.transfer_completed, is a
// stock_transfer), else determine_event_type(payload).
std::string message_type(std::string_view routing_key, const boost::json::value& payload);

// The rooms one target template gives for this message: "everyone" gives
// none (see Emit::everyone); "user:{userId}" gives "user:<userId>", or none
// when the field is missing, null or empty; an array field gives one room
// per element.
std::vector<std::string> expand_target(const std::string& target, const boost::json::value& message);

class Router {
 public:
  static constexpr std::size_t kDefaultMaxBodyBytes = 1 << 20;

  explicit Router(std::vector<Rule> rules = default_rules(), std::size_t max_body_bytes = kDefaultMaxBodyBytes);

  // Never throws on any input.
  Plan plan(std::string_view routing_key, std::string_view body) const;
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
  std::size_t max_body_bytes_;
};

}  // namespace ingest
