#pragma once
// The process' counters, for GET /metrics (docs/metrics.md). Each thread that
// counts on the hot path (a shard) owns a block of its own: an increment is a
// relaxed load and store on a cache line no other thread writes, and a scrape
// sums the blocks. Any other thread counts into one shared block with atomic
// adds (rare work: the API, Redis replies, the ingest consumer).
//
// Blocks live as long as the process, so a total never goes down when a
// shard pool stops; gauges kept as +1/-1 pairs (sockets, sessions) come back
// to 0 as their objects close. The label sets are fixed here: never a user,
// a room or anything a client chooses.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace metrics {

// X(slot, metric name, labels): a slot of the per-thread block. Slots of one
// metric are consecutive; the exposition writes HELP and TYPE once for them.
#define SWITCHBOARD_COUNTERS(X)                                                                  \
  X(handshakes_polling, "switchboard_engine_handshakes_total", R"(transport="polling")")         \
  X(handshakes_websocket, "switchboard_engine_handshakes_total", R"(transport="websocket")")     \
  X(upgrades, "switchboard_engine_upgrades_total", "")                                           \
  X(sessions_polling, "switchboard_engine_sessions", R"(transport="polling")")                   \
  X(sessions_websocket, "switchboard_engine_sessions", R"(transport="websocket")")               \
  X(buffer_bound_closes, "switchboard_engine_buffer_bound_closes_total", "")                     \
  X(refused_max_connections, "switchboard_refused_connections_total", R"(cause="max_connections")") \
  X(refused_ip_connections, "switchboard_refused_connections_total", R"(cause="ip_connections")") \
  X(refused_ip_rate, "switchboard_refused_connections_total", R"(cause="ip_rate")")              \
  X(refused_allow_request, "switchboard_refused_connections_total", R"(cause="allow_request")")  \
  X(refused_draining, "switchboard_refused_connections_total", R"(cause="draining")")            \
  X(refused_namespace, "switchboard_refused_connections_total", R"(cause="namespace")")          \
  X(refused_middleware, "switchboard_refused_connections_total", R"(cause="middleware")")        \
  X(refused_auth, "switchboard_refused_connections_total", R"(cause="auth")")                    \
  X(refused_user_limit, "switchboard_refused_connections_total", R"(cause="user_connections")")  \
  X(connects, "switchboard_socketio_connects_total", "")                                         \
  X(disconnect_transport_close, "switchboard_socketio_disconnects_total", R"(reason="transport close")") \
  X(disconnect_transport_error, "switchboard_socketio_disconnects_total", R"(reason="transport error")") \
  X(disconnect_ping_timeout, "switchboard_socketio_disconnects_total", R"(reason="ping timeout")") \
  X(disconnect_parse_error, "switchboard_socketio_disconnects_total", R"(reason="parse error")") \
  X(disconnect_forced_close, "switchboard_socketio_disconnects_total", R"(reason="forced close")") \
  X(disconnect_server_namespace, "switchboard_socketio_disconnects_total", R"(reason="server namespace disconnect")") \
  X(disconnect_client_namespace, "switchboard_socketio_disconnects_total", R"(reason="client namespace disconnect")") \
  X(disconnect_shutdown, "switchboard_socketio_disconnects_total", R"(reason="server shutting down")") \
  X(disconnect_other, "switchboard_socketio_disconnects_total", R"(reason="other")")             \
  X(packets_in, "switchboard_socketio_packets_received_total", "")                               \
  X(packets_out, "switchboard_socketio_packets_sent_total", "")                                  \
  X(bytes_in, "switchboard_socketio_received_bytes_total", "")                                   \
  X(bytes_out, "switchboard_socketio_sent_bytes_total", "")                                      \
  X(events_in, "switchboard_socketio_events_received_total", "")                                 \
  X(events_out, "switchboard_socketio_events_emitted_total", "")                                 \
  X(broadcasts, "switchboard_broadcasts_total", "")                                              \
  X(deliveries, "switchboard_broadcast_deliveries_total", "")                                    \
  X(volatile_dropped, "switchboard_volatile_dropped_total", "")                                  \
  X(acks_requested, "switchboard_acks_requested_total", "")                                      \
  X(acks_answered, "switchboard_acks_answered_total", "")                                        \
  X(acks_timed_out, "switchboard_acks_timed_out_total", "")

enum class Counter : std::uint16_t {
#define SWITCHBOARD_COUNTER_ENUM(slot, name, labels) slot,
  SWITCHBOARD_COUNTERS(SWITCHBOARD_COUNTER_ENUM)
#undef SWITCHBOARD_COUNTER_ENUM
};
#define SWITCHBOARD_COUNTER_ONE(slot, name, labels) +1
inline constexpr std::size_t counter_count = 0 SWITCHBOARD_COUNTERS(SWITCHBOARD_COUNTER_ONE);
#undef SWITCHBOARD_COUNTER_ONE

// The event-loop lag histogram's upper bounds, in microseconds (+Inf after).
inline constexpr std::array<std::uint64_t, 9> lag_bounds_us{100, 500, 1'000, 5'000, 10'000, 50'000, 100'000, 500'000,
                                                            1'000'000};

// One thread's figures. Written by its thread only; read by scrapes.
struct alignas(64) Block {
  std::array<std::atomic<std::uint64_t>, counter_count> counters{};
  std::atomic<std::int64_t> sockets{0};  // Socket.IO sockets on this shard
  std::array<std::atomic<std::uint64_t>, lag_bounds_us.size() + 1> lag_buckets{};  // not cumulative
  std::atomic<std::uint64_t> lag_sum_us{0};
  std::size_t shard = 0;
  bool shared = false;  // the block of threads that are no shard: atomic adds
};

namespace detail {
extern constinit thread_local Block* local;
Block& shared_block();
inline Block& block() { return local ? *local : shared_block(); }
template <class T>
inline void bump(Block& b, std::atomic<T>& v, T n) {
  if (b.shared)
    v.fetch_add(n, std::memory_order_relaxed);
  else
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
}  // namespace detail

// Gives the calling thread a block of its own, labelled `shard` (call at the
// start of a shard thread, before it counts).
void bind_thread(std::size_t shard);

inline void add(Counter c, std::uint64_t n = 1) {
  auto& b = detail::block();
  detail::bump(b, b.counters[static_cast<std::size_t>(c)], n);
}
// For gauges kept as counter slots (sessions by transport): the slot wraps
// and the sum is read as signed.
inline void subtract(Counter c, std::uint64_t n = 1) { add(c, ~n + 1); }
inline void socket_opened() {
  auto& b = detail::block();
  detail::bump<std::int64_t>(b, b.sockets, 1);
}
inline void socket_closed() {
  auto& b = detail::block();
  detail::bump<std::int64_t>(b, b.sockets, -1);
}
void observe_loop_lag(std::uint64_t lag_us);

// The Socket.IO disconnect reason's slot (disconnect_other for one not listed).
Counter disconnect_slot(std::string_view reason);

// A scrape's view: counters summed over every block, per-shard figures by shard.
struct ShardFigures {
  std::size_t shard = 0;
  std::int64_t sockets = 0;
  std::array<std::uint64_t, lag_bounds_us.size() + 1> lag_buckets{};
  std::uint64_t lag_sum_us = 0;
};
struct Snapshot {
  std::array<std::uint64_t, counter_count> counters{};
  std::vector<ShardFigures> shards;  // by shard number, those that have run
  std::uint64_t value(Counter c) const { return counters[static_cast<std::size_t>(c)]; }
};
Snapshot snapshot();

struct CounterInfo {
  std::string_view metric;
  std::string_view labels;
};
const std::array<CounterInfo, counter_count>& counter_info();

}  // namespace metrics
