#pragma once
// Broker messages into Socket.IO emits, for the daemon's consumer and for
// C++ back ends that run their own consumer:
//
//   ingest::Ingest ingest(io);  // the default rules (seed 002's handlers)
//   auto r = ingest.route_broker_message("order.shipped", body);
//   if (r.verdict != ingest::Verdict::routed) ...  // reject / dead-letter it
//
// The emits go through the namespace's adapter (with the Redis adapter, to
// the whole cluster, each target socket once) and are fire and forget: when
// route_broker_message returns, they have been handed to the adapter, so the
// caller may ack the message. Thread-safe; never throws on any message.
//
// Why here and not in RealtimeService: service/ is below ingest/ in the
// layers (DESIGN.md), and the rules, the TOML and the broker are ingest's.
// Ingest takes the same socketio::Server the RealtimeService is built on.

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

#include "ingest/router.hpp"
#include "socketio/server.hpp"

namespace ingest {

struct Counters {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> routed{0};
  std::atomic<std::uint64_t> rejected_not_json{0};
  std::atomic<std::uint64_t> rejected_unroutable{0};
  std::atomic<std::uint64_t> redelivered{0};
  std::atomic<std::uint64_t> emits{0};
};

class Ingest {
 public:
  explicit Ingest(socketio::Server& io, Router router = Router{});

  Plan route_broker_message(std::string_view routing_key, std::string_view body, bool redelivered = false);

  const Router& router() const { return router_; }
  const Counters& counters() const { return counters_; }
  // received, routed, rejected {notJson, unroutable}, redelivered, emits.
  boost::json::object counters_json() const;

 private:
  void deliver(Emit& emit);

  socketio::Server& io_;
  Router router_;
  Counters counters_;
};

}  // namespace ingest
