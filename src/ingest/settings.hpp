#pragma once
// The RabbitMQ consumer's settings (docs/ingest.md); the daemon fills them
// from RABBITMQ_* (app/ingest_flags.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ingest {

struct Settings {
  // amqp://user:password@host:5672/vhost; empty: no consumer.
  std::string url;
  // Declared durable topic if absent; the back ends publish to it.
  std::string exchange = "events";
  // Durable, shared by every node of a cluster (competing consumers).
  std::string queue = "websocket.events";
  // Seed 002's bindings: every event of the other services.
  std::vector<std::string> bindings = {"order.*",        "payment.*", "inventory.*", "product.*",
                                       "notification.*", "user.*",    "company.*",   "shop.*"};
  // Unacked messages the broker gives this node at once: enough to keep the
  // pipe full, few enough that a dead node's share is small.
  std::uint16_t prefetch = 50;
  // x-dead-letter-exchange of the queue (set when the queue is declared):
  // where not-JSON and unroutable messages go. Empty: they are dropped.
  std::string dead_letter_exchange;
  // A larger body is rejected (as not JSON) without being parsed.
  std::size_t max_message_bytes = 1 << 20;
  // Reconnect delay: doubles from min to max, back to min once consuming.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
};

}  // namespace ingest
