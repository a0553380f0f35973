#include "ingest/ingest.hpp"

#include <exception>

namespace ingest {

Ingest::Ingest(socketio::Server& io, Router router) : io_(io), router_(std::move(router)) {}

Plan Ingest::route_broker_message(std::string_view routing_key, std::string_view body, bool redelivered) {
  counters_.received++;
  if (redelivered) counters_.redelivered++;
  Plan plan;
  try {
    plan = router_.plan(routing_key, body);
    for (auto& emit : plan.emits) deliver(emit);
  } catch (const std::exception&) {
    // Only allocation failure can get here; the message is not routed.
    plan.emits.clear();
    plan.verdict = Verdict::unroutable;
  }
  switch (plan.verdict) {
    case Verdict::routed:
      counters_.routed++;
      break;
    case Verdict::not_json:
      counters_.rejected_not_json++;
      break;
    case Verdict::unroutable:
      counters_.rejected_unroutable++;
      break;
  }
  return plan;
}

void Ingest::deliver(Emit& emit) {
  auto& nsp = io_.of(emit.nsp);
  auto args = socketio::Args(boost::json::array{emit.payload});
  bool sent = emit.everyone ? nsp.emit(emit.event, std::move(args))
                            : nsp.all().to(emit.rooms).emit(emit.event, std::move(args));
  if (sent) counters_.emits++;
}

boost::json::object Ingest::counters_json() const {
  const auto& n = counters_;
  return {{"received", n.received.load()},
          {"routed", n.routed.load()},
          {"rejected",
           boost::json::object{{"notJson", n.rejected_not_json.load()}, {"unroutable", n.rejected_unroutable.load()}}},
          {"redelivered", n.redelivered.load()},
          {"emits", n.emits.load()}};
}

}  // namespace ingest
