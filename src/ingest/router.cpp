#include "ingest/router.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "ingest/topic.hpp"
#include "service/room_template.hpp"  // the same templates as the claim rooms and relay rules

namespace ingest {

namespace json = boost::json;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::routed:
      return "routed";
    case Verdict::not_json:
      return "not_json";
    case Verdict::unroutable:
      return "unroutable";
  }
  return "unknown";
}

namespace {

bool truthy(const json::value* v) {
  if (!v) return false;
  switch (v->kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return v->get_bool();
    case json::kind::int64:
      return v->get_int64() != 0;
    case json::kind::uint64:
      return v->get_uint64() != 0;
    case json::kind::double_:
      return v->get_double() != 0 && v->get_double() == v->get_double();
    case json::kind::string:
      return !v->get_string().empty();
    default:
      return true;  // objects and arrays
  }
}

const json::value* field(const json::value& message, std::string_view name) {
  auto* o = message.if_object();
  return o ? o->if_contains(name) : nullptr;
}

}  // namespace

std::string determine_event_type(const json::value& event) {
  if (truthy(field(event, "orderId"))) return "order";
  if (truthy(field(event, "paymentId"))) return "payment";
  if (truthy(field(event, "productId")) && truthy(field(event, "quantity"))) return "inventory";
  if (truthy(field(event, "transferId"))) return "stock_transfer";
  return "";
}

std::string message_type(std::string_view key, const json::value& payload) {
  auto first = key.substr(0, key.find('.'));
  bool transfer = false;
  for (std::size_t start = 0; start <= key.size();) {
    auto dot = key.find('.', start);
    auto word = key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    // "inventory.transfer_completed", "inventory.transfer.done", "stock_transfer.created"
    if (word.rfind("transfer", 0) == 0 || word.rfind("stock_transfer", 0) == 0) transfer = true;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (transfer && (first == "inventory" || first.rfind("transfer", 0) == 0 || first.rfind("stock", 0) == 0))
    return "stock_transfer";
  if (first == "order" || first == "payment" || first == "inventory" || first == "notification")
    return std::string(first);
  return determine_event_type(payload);
}

std::vector<std::string> expand_target(const std::string& target, const json::value& message) {
  if (target == "everyone" || target == "*") return {};
  static const json::object empty;
  auto* o = message.if_object();
  return service::rooms_from_template(target, o ? *o : empty);
}

Router::Router(std::vector<Rule> rules, std::size_t max_body_bytes)
    : rules_(std::move(rules)), max_body_bytes_(max_body_bytes) {}

Plan Router::plan(std::string_view routing_key, std::string_view body) const {
  Plan plan;
  if (body.size() > max_body_bytes_) {
    plan.verdict = Verdict::not_json;
    return plan;
  }
  json::value message;
  {
    json::error_code ec;
    json::parse_options opts;
    opts.max_depth = 64;
    message = json::parse(json::string_view(body.data(), body.size()), ec, {}, opts);
    if (ec) {
      plan.verdict = Verdict::not_json;
      return plan;
    }
  }
  plan.type = message_type(routing_key, message);
  for (const auto& rule : rules_) {
    if (!rule.type.empty() && rule.type != plan.type) continue;
    if (!rule.patterns.empty() && std::none_of(rule.patterns.begin(), rule.patterns.end(),
                                               [&](const std::string& p) { return topic_matches(p, routing_key); }))
      continue;
    Emit emit;
    emit.rule = rule.name;
    emit.nsp = rule.nsp;
    emit.event = rule.event;
    for (const auto& t : rule.targets) {
      if (t == "everyone" || t == "*")
        emit.everyone = true;
      else
        for (auto& room : expand_target(t, message))
          if (std::find(emit.rooms.begin(), emit.rooms.end(), room) == emit.rooms.end())
            emit.rooms.push_back(std::move(room));
    }
    if (emit.everyone) emit.rooms.clear();
    bool has_payload = true;
    if (rule.payload_field.empty()) {
      emit.payload = message;
    } else if (auto* f = field(message, rule.payload_field)) {
      emit.payload = *f;
    } else {
      has_payload = false;  // a payload field that is missing: the rule does not apply
    }
    if (has_payload && (emit.everyone || !emit.rooms.empty())) plan.emits.push_back(std::move(emit));
    if (rule.stop) break;
  }
  plan.verdict = plan.emits.empty() ? Verdict::unroutable : Verdict::routed;
  return plan;
}

}  // namespace ingest
