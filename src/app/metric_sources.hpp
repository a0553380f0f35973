#pragma once
// The /metrics figures of the daemon's optional parts: the Redis adapter and
// the RabbitMQ consumer (docs/metrics.md). Their counters are theirs (atomics
// they keep for /health too); these write them in the exposition format.

#include <functional>

#include "adapter/redis/cluster.hpp"
#include "ingest/consumer.hpp"
#include "ingest/ingest.hpp"
#include "metrics/exposition.hpp"

namespace app {

std::function<void(metrics::TextWriter&)> cluster_metrics(const adapter::redis::Cluster& cluster);
std::function<void(metrics::TextWriter&)> ingest_metrics(const ingest::Consumer& consumer, const ingest::Ingest& ingest);

}  // namespace app
