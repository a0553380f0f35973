#include "app/metric_sources.hpp"

#include <array>
#include <string_view>

namespace app {

namespace {

// A state as one series per possible value, 1 for the current one: the
// Prometheus way to graph an enum (a fixed label set, whatever happens).
template <std::size_t N>
void one_hot(metrics::TextWriter& out, std::string_view name, std::string_view help,
             const std::array<std::string_view, N>& states, std::string_view current) {
  out.family(name, metrics::Type::gauge, help);
  for (auto s : states) out.sample(name, metrics::label("state", s), std::int64_t{s == current ? 1 : 0});
}

void counter(metrics::TextWriter& out, std::string_view name, std::string_view help, std::uint64_t value) {
  out.family(name, metrics::Type::counter, help);
  out.sample(name, {}, value);
}

}  // namespace

std::function<void(metrics::TextWriter&)> cluster_metrics(const adapter::redis::Cluster& cluster) {
  return [&cluster](metrics::TextWriter& out) {
    one_hot(out, "switchboard_redis_adapter_state", "The Redis adapter's connections: 1 for the current state.",
            std::array<std::string_view, 3>{"connecting", "ready", "down"}, cluster.state());
    const auto& n = cluster.counters();
    counter(out, "switchboard_redis_adapter_published_total", "Messages published to the cluster.", n.published.load());
    counter(out, "switchboard_redis_adapter_publish_failures_total",
            "Publishes that failed (Redis down, or no reply).", n.publish_failures.load());
    counter(out, "switchboard_redis_adapter_received_total", "Messages received from the other nodes.",
            n.received.load());
    counter(out, "switchboard_redis_adapter_decode_errors_total", "Malformed messages from Redis, dropped.",
            n.decode_errors.load());
    counter(out, "switchboard_redis_adapter_request_timeouts_total",
            "Cluster requests (fetchSockets, allRooms, ...) answered partially at their timeout.",
            n.request_timeouts.load());
  };
}

std::function<void(metrics::TextWriter&)> ingest_metrics(const ingest::Consumer& consumer, const ingest::Ingest& ingest) {
  return [&consumer, &ingest](metrics::TextWriter& out) {
    auto state = consumer.state();
    std::string_view current = state == ingest::ConsumerState::consuming    ? "consuming"
                               : state == ingest::ConsumerState::connecting ? "connecting"
                                                                            : "disconnected";
    one_hot(out, "switchboard_ingest_consumer_state", "The RabbitMQ consumer: 1 for the current state.",
            std::array<std::string_view, 3>{"disconnected", "connecting", "consuming"}, current);
    const auto& n = ingest.counters();
    counter(out, "switchboard_ingest_received_total", "Broker messages received.", n.received.load());
    counter(out, "switchboard_ingest_routed_total", "Broker messages that matched a route.", n.routed.load());
    constexpr std::string_view rejected = "switchboard_ingest_rejected_total";
    out.family(rejected, metrics::Type::counter, "Broker messages rejected, by cause.");
    out.sample(rejected, metrics::label("cause", "not_json"), n.rejected_not_json.load());
    out.sample(rejected, metrics::label("cause", "unroutable"), n.rejected_unroutable.load());
    counter(out, "switchboard_ingest_redelivered_total", "Broker messages that came marked redelivered.",
            n.redelivered.load());
    counter(out, "switchboard_ingest_emits_total", "Emits made from broker messages.", n.emits.load());
  };
}

}  // namespace app
