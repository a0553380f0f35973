// ingest: target templates, determineEventType, the rules' TOML, and the
// router's plans for seed 002's events (the default rules).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>
#include <string>

#include "ingest/router.hpp"
#include "ingest/rules.hpp"

namespace json = boost::json;
using namespace ingest;

namespace {

// event -> its targets ("*" for everyone), for one message.
std::map<std::string, std::set<std::string>> emits(const Router& router, const std::string& key,
                                                   const std::string& body) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& e : router.plan(key, body).emits) {
    auto& t = out[e.event];
    if (e.everyone) t.insert("*");
    t.insert(e.rooms.begin(), e.rooms.end());
  }
  return out;
}

using Targets = std::map<std::string, std::set<std::string>>;

}  // namespace

TEST(IngestTemplate, FieldsArraysAndMissing) {
  auto m = json::parse(R"({"userId":"u1","shopIds":[1,"s2"],"n":7,"empty":"","nil":null})");
  EXPECT_EQ(expand_target("user:{userId}", m), (std::vector<std::string>{"user:u1"}));
  EXPECT_EQ(expand_target("shop:{shopIds}", m), (std::vector<std::string>{"shop:1", "shop:s2"}));
  EXPECT_EQ(expand_target("n-{n}-x", m), (std::vector<std::string>{"n-7-x"}));
  EXPECT_TRUE(expand_target("company:{companyId}", m).empty());
  EXPECT_TRUE(expand_target("e:{empty}", m).empty());
  EXPECT_TRUE(expand_target("e:{nil}", m).empty());
  EXPECT_EQ(expand_target("fixed-room", m), (std::vector<std::string>{"fixed-room"}));
  EXPECT_TRUE(expand_target("everyone", m).empty());
  EXPECT_TRUE(expand_target("user:{userId}", json::parse("[1,2]")).empty());  // not an object: no fields
}

TEST(IngestEventType, DetermineEventTypeAsSeed002) {
  EXPECT_EQ(determine_event_type(json::parse(R"({"orderId":"o","paymentId":"p"})")), "order");
  EXPECT_EQ(determine_event_type(json::parse(R"({"paymentId":"p"})")), "payment");
  EXPECT_EQ(determine_event_type(json::parse(R"({"productId":"p","quantity":5})")), "inventory");
  EXPECT_EQ(determine_event_type(json::parse(R"({"productId":"p","quantity":0})")), "");  // JS: 0 is falsy
  EXPECT_EQ(determine_event_type(json::parse(R"({"productId":"p"})")), "");
  EXPECT_EQ(determine_event_type(json::parse(R"({"transferId":"t"})")), "stock_transfer");
  EXPECT_EQ(determine_event_type(json::parse(R"({"orderId":""})")), "");
  EXPECT_EQ(determine_event_type(json::parse("42")), "");
}

TEST(IngestEventType, KeyWinsOverPayload) {
  auto m = json::parse(R"({"orderId":"o1","paymentId":"p"})");
  EXPECT_EQ(message_type("payment.success", m), "payment");
  EXPECT_EQ(message_type("company.event", m), "order");  // generic key: determineEventType
  EXPECT_EQ(message_type("inventory.transfer.completed", m), "stock_transfer");
  EXPECT_EQ(message_type("inventory.transfer_completed", m), "stock_transfer");
  EXPECT_EQ(message_type("notification.created", m), "notification");
}

TEST(IngestRules, DefaultFileParsesAndHasSeed002Events) {
  auto r = parse_rules(default_rules_toml(), "ingest-routes.toml");
  ASSERT_EQ(r.error, "");
  std::set<std::string> events;
  for (const auto& rule : r.rules) events.insert(rule.event);
  EXPECT_EQ(events, (std::set<std::string>{"order:status_updated", "order:new_order", "order:shop_order",
                                           "order:update", "payment:status_updated", "payment:update",
                                           "inventory:updated", "inventory:shop_update", "inventory:stock_changed",
                                           "inventory:low_stock_alert", "inventory:alert", "transfer:status_update",
                                           "notification:new", "notification:broadcast", "announcement:new"}));
}

TEST(IngestRules, ErrorsNameTheRuleAndKey) {
  EXPECT_NE(parse_rules("[[route]]\nevent = \"x\"\n", "f.toml").error.find("'event' and 'to' are required"),
            std::string::npos);
  EXPECT_NE(
      parse_rules("[[route]]\nevent = \"x\"\nto = \"a\"\nbogus = 1\n", "f.toml").error.find("unknown key 'bogus'"),
      std::string::npos);
  EXPECT_NE(parse_rules("[[route]]\nevent = 1\nto = \"a\"\n", "f.toml").error.find("bad value for 'event'"),
            std::string::npos);
  EXPECT_NE(parse_rules("[[route]\n", "f.toml").error.find("f.toml"), std::string::npos);
  EXPECT_NE(parse_rules("[[route]]\nevent = \"x\"\nto = \"a\"\nnamespace = \"x\"\n", "f.toml").error.find("namespace"),
            std::string::npos);
  auto ok = parse_rules("port = 3000\n[[route]]\nevent = \"x\"\nto = [\"a\", \"b\"]\npattern = \"a.#\"\n", "f.toml");
  ASSERT_EQ(ok.error, "");
  ASSERT_EQ(ok.rules.size(), 1u);
  EXPECT_EQ(ok.rules[0].targets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ok.rules[0].patterns, (std::vector<std::string>{"a.#"}));
}

TEST(IngestRules, MergeReplacesByNameAndPrependsNew) {
  auto base = default_rules();
  auto custom = parse_rules(R"(
[[route]]
name = "order.update"
type = "order"
event = "order:changed"
to = ["order:{orderId}"]

[[route]]
name = "mine"
pattern = "shop.opened"
event = "shop:opened"
to = ["shop:{shopId}"]
)",
                            "c.toml");
  ASSERT_EQ(custom.error, "");
  auto merged = merge_rules(base, custom.rules);
  EXPECT_EQ(merged.size(), base.size() + 1);
  EXPECT_EQ(merged.front().name, "mine");
  Router router(merged);
  auto got = emits(router, "order.shipped", R"({"orderId":"o1","customerId":"c1"})");
  EXPECT_EQ(got, (Targets{{"order:status_updated", {"user:c1"}}, {"order:changed", {"order:o1"}}}));
  EXPECT_EQ(emits(router, "shop.opened", R"({"shopId":9})"), (Targets{{"shop:opened", {"shop:9"}}}));
}

TEST(IngestRouter, Orders) {
  Router router;
  auto body = R"({"orderId":"o1","customerId":"c1","companyId":"co1","shopId":"s1","status":"created"})";
  EXPECT_EQ(emits(router, "order.created", body), (Targets{{"order:status_updated", {"user:c1"}},
                                                           {"order:new_order", {"company:co1"}},
                                                           {"order:shop_order", {"shop:s1"}},
                                                           {"order:update", {"order:o1"}}}));
  EXPECT_EQ(emits(router, "order.shipped", body),
            (Targets{{"order:status_updated", {"user:c1"}}, {"order:update", {"order:o1"}}}));
}

TEST(IngestRouter, Payments) {
  Router router;
  EXPECT_EQ(emits(router, "payment.success", R"({"paymentId":"p","orderId":"o1","customerId":"c1"})"),
            (Targets{{"payment:status_updated", {"user:c1"}}, {"payment:update", {"order:o1"}}}));
}

TEST(IngestRouter, Inventory) {
  Router router;
  auto body = R"({"productId":"p1","quantity":5,"companyId":"co1","shopId":"s1"})";
  EXPECT_EQ(emits(router, "inventory.updated", body), (Targets{{"inventory:updated", {"company:co1"}},
                                                               {"inventory:shop_update", {"shop:s1"}},
                                                               {"inventory:stock_changed", {"product:p1"}}}));
  EXPECT_EQ(emits(router, "inventory.low_stock", body),
            (Targets{{"inventory:low_stock_alert", {"company:co1", "shop:s1"}}, {"inventory:alert", {"*"}}}));
  EXPECT_EQ(emits(router, "inventory.out_of_stock", body),
            (Targets{{"inventory:low_stock_alert", {"company:co1", "shop:s1"}}, {"inventory:alert", {"*"}}}));
  EXPECT_EQ(emits(router, "inventory.transfer.completed", R"({"transferId":"t1"})"),
            (Targets{{"transfer:status_update", {"transfer:t1"}}}));
  // A generic key: determineEventType says inventory.
  EXPECT_EQ(emits(router, "product.updated", R"({"productId":"p1","quantity":3})"),
            (Targets{{"inventory:stock_changed", {"product:p1"}}}));
}

TEST(IngestRouter, Notifications) {
  Router router;
  EXPECT_EQ(emits(router, "notification.created", R"({"userId":"u1","subject":"s"})"),
            (Targets{{"notification:new", {"user:u1"}}}));
  EXPECT_EQ(emits(router, "notification.broadcast", R"({"userId":"u1"})"),
            (Targets{{"notification:broadcast", {"*"}}}));
  EXPECT_EQ(emits(router, "notification.announcement", R"({})"), (Targets{{"announcement:new", {"*"}}}));
}

TEST(IngestRouter, PayloadIsTheWholeMessageOrAField) {
  auto rules = parse_rules(R"(
[[route]]
pattern = "user.#"
event = "user:changed"
to = ["user:{userId}"]
payload = "data"
)",
                           "t.toml")
                   .rules;
  Router router(rules);
  auto plan = router.plan("user.updated", R"({"userId":"u","data":{"a":1}})");
  ASSERT_EQ(plan.emits.size(), 1u);
  EXPECT_EQ(json::serialize(plan.emits[0].payload), R"({"a":1})");
  EXPECT_EQ(router.plan("user.updated", R"({"userId":"u"})").verdict, Verdict::unroutable);

  Router defaults;
  auto whole = defaults.plan("notification.created", R"({"userId":"u1","x":[1,2]})");
  ASSERT_EQ(whole.emits.size(), 1u);
  EXPECT_EQ(json::serialize(whole.emits[0].payload), R"({"userId":"u1","x":[1,2]})");
}

TEST(IngestRouter, RejectsBadInput) {
  Router router(default_rules(), 64);
  EXPECT_EQ(router.plan("order.created", "not json").verdict, Verdict::not_json);
  EXPECT_EQ(router.plan("order.created", "").verdict, Verdict::not_json);
  EXPECT_EQ(router.plan("order.created", std::string(100, ' ') + "{}").verdict, Verdict::not_json);  // too large
  EXPECT_EQ(router.plan("order.created", std::string(30, '[') + std::string(30, ']')).verdict, Verdict::unroutable);
  Router deep(default_rules(), 1 << 20);
  EXPECT_EQ(deep.plan("order.created", std::string(1000, '[') + std::string(1000, ']')).verdict, Verdict::not_json);
  EXPECT_EQ(router.plan("company.updated", R"({"companyId":"c"})").verdict, Verdict::unroutable);  // no type
  EXPECT_EQ(router.plan("order.created", R"({"status":"x"})").verdict, Verdict::unroutable);       // no target field
}

TEST(IngestRouter, OneSocketInTwoTargetRoomsIsOneEmit) {
  Router router;
  auto plan = router.plan("inventory.low_stock", R"({"productId":"p","quantity":1,"companyId":"x","shopId":"x"})");
  ASSERT_FALSE(plan.emits.empty());
  EXPECT_EQ(plan.emits[0].event, "inventory:low_stock_alert");
  EXPECT_EQ(plan.emits[0].rooms, (std::vector<std::string>{"company:x", "shop:x"}));  // one emit, both rooms
}

// fuzz/ingest_router_fuzz.cpp found them: Debian's toml++ reached
// __builtin_unreachable on non-ASCII characters (a bare key; an unterminated
// literal string).
TEST(IngestRules, RefusesNonAsciiBeforeTomlSeesIt) {
  const std::string want = "f.toml: line 2: a character that is not ASCII (write it in a string as \\uXXXX)";
  EXPECT_EQ(ingest::parse_rules("# x\ncattttt\xcb\x8btt2ttiompanw.eventcoIcamp\"e", "f.toml").error, want);
  EXPECT_EQ(ingest::parse_rules("\neryld = 0in```'``\xcc\x8bo?to", "f.toml").error, want);
  auto ok = ingest::parse_rules("[[route]]\nname = \"caf\\u00e9\"\npattern = 'a.*'\nevent = \"x\"\nto = [\"user:{userId}\"]\n", "f.toml");
  EXPECT_EQ(ok.error, "");
  ASSERT_EQ(ok.rules.size(), 1u);
}

// TOML allows no raw control character but tab, LF and CR; toml++ would put
// a NUL into its error message (fuzz/ingest_router_fuzz.cpp's first finding
// with asserts on, in a table header).
TEST(IngestRules, RefusesControlCharactersBeforeTomlSeesThem) {
  const std::string want = "f.toml: line 1: a control character (write it in a string as \\uXXXX)";
  EXPECT_EQ(ingest::parse_rules(std::string("[[\0ze]]\nname = \"x\"\n", 19), "f.toml").error, want);
  EXPECT_EQ(ingest::parse_rules("[[route]]\x7f\n", "f.toml").error, want);
  EXPECT_EQ(ingest::parse_rules("\n\x01", "f.toml").error,
            "f.toml: line 2: a control character (write it in a string as \\uXXXX)");
  // Tabs and CRLF line ends are TOML's own whitespace.
  auto ok = ingest::parse_rules(
      "[[route]]\r\nname =\t\"x\"\r\npattern = 'a.*'\r\nevent = \"x\"\r\nto = [\"user:{userId}\"]\r\n", "f.toml");
  EXPECT_EQ(ok.error, "");
  EXPECT_EQ(ok.rules.size(), 1u);
}

// toml++ asserts a key character after `[[` and checks it anyway: the
// assert is off in every build (toml_text.hpp), and the error is toml++'s own.
// Found by fuzz/ingest_router_fuzz.cpp once its tree had asserts on.
TEST(IngestRules, ATableHeaderWithoutAKeyIsAnError) {
  for (std::string text : {"[[= [\"x\"]\n", "[=]\n", "[[.a]]\n", "[ , ]\n"}) {
    auto result = ingest::parse_rules(text, "f.toml");
    EXPECT_NE(result.error.find("expected bare key starting character or string delimiter"), std::string::npos)
        << text << " -> " << result.error;
  }
}
