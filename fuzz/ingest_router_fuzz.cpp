// The RabbitMQ ingestion's router (src/ingest/router.hpp): a broker message
// is untrusted input. The input is "<routing key>\n<body>"; the body goes
// through JSON parsing, determineEventType, the default rules' topic patterns
// and target templates. The same bytes are also read as a [[route]] TOML
// document and, when that parses, as rules for the same message.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "ingest/router.hpp"
#include "ingest/rules.hpp"
#include "ingest/topic.hpp"

namespace {

void check_plan(const ingest::Plan& plan) {
  FUZZ_CHECK((plan.verdict == ingest::Verdict::routed) == !plan.emits.empty());
  for (const auto& e : plan.emits) {
    FUZZ_CHECK(e.everyone ? e.rooms.empty() : !e.rooms.empty());
    FUZZ_CHECK(!e.event.empty());
    FUZZ_CHECK(!e.nsp.empty() && e.nsp[0] == '/');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  auto key = input.substr(0, nl);
  auto body = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  static const ingest::Router router(ingest::default_rules(), 1 << 16);
  check_plan(router.plan(key, body));

  // A key is a pattern that matches itself when it has no wildcard word.
  if (key.find_first_of("*#") == std::string_view::npos) FUZZ_CHECK(ingest::topic_matches(key, key));
  FUZZ_CHECK(ingest::topic_matches("#", key));
  ingest::topic_matches(key, body.substr(0, 256));

  auto rules = ingest::parse_rules(input, "fuzz.toml");
  if (rules.error.empty() && !rules.rules.empty()) {
    ingest::Router custom(rules.rules, 1 << 16);
    check_plan(custom.plan(key, body));
    check_plan(custom.plan("order.created", R"({"orderId":"o","userId":[1,"2"],"data":{"a":1}})"));
  }
  return 0;
}
