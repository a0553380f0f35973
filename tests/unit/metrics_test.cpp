// The counters' sums across threads and the text exposition's wire form.
#include <gtest/gtest.h>

#include <thread>

#include "metrics/counters.hpp"
#include "metrics/exposition.hpp"

namespace {

TEST(Metrics, CountsOfShardThreadsAndOtherThreadsAddUp) {
  auto before = metrics::snapshot();
  std::vector<std::thread> threads;
  for (std::size_t shard = 0; shard < 3; ++shard)
    threads.emplace_back([shard] {
      metrics::bind_thread(shard);
      for (int i = 0; i < 1000; ++i) metrics::add(metrics::Counter::deliveries);
      metrics::add(metrics::Counter::bytes_out, 7);
      metrics::socket_opened();
    });
  for (int i = 0; i < 5; ++i) metrics::add(metrics::Counter::deliveries);  // an unbound thread: the shared block
  for (auto& t : threads) t.join();
  auto after = metrics::snapshot();
  EXPECT_EQ(after.value(metrics::Counter::deliveries) - before.value(metrics::Counter::deliveries), 3005u);
  EXPECT_EQ(after.value(metrics::Counter::bytes_out) - before.value(metrics::Counter::bytes_out), 21u);
  ASSERT_GE(after.shards.size(), 3u);
  std::int64_t sockets = 0;
  for (const auto& s : after.shards) sockets += s.sockets;
  std::int64_t sockets_before = 0;
  for (const auto& s : before.shards) sockets_before += s.sockets;
  EXPECT_EQ(sockets - sockets_before, 3);
}

TEST(Metrics, AGaugeKeptAsPairsComesBackToZero) {
  auto before = metrics::snapshot().value(metrics::Counter::sessions_polling);
  metrics::add(metrics::Counter::sessions_polling);
  metrics::add(metrics::Counter::sessions_polling);
  metrics::subtract(metrics::Counter::sessions_polling);
  metrics::subtract(metrics::Counter::sessions_polling);
  metrics::subtract(metrics::Counter::sessions_polling);
  EXPECT_EQ(static_cast<std::int64_t>(metrics::snapshot().value(metrics::Counter::sessions_polling) - before), -1);
  metrics::add(metrics::Counter::sessions_polling);
}

TEST(Metrics, DisconnectReasonsMapToTheirSlotsAndTheRestToOther) {
  EXPECT_EQ(metrics::disconnect_slot("transport close"), metrics::Counter::disconnect_transport_close);
  EXPECT_EQ(metrics::disconnect_slot("server namespace disconnect"), metrics::Counter::disconnect_server_namespace);
  EXPECT_EQ(metrics::disconnect_slot("anything a hook says"), metrics::Counter::disconnect_other);
}

TEST(Metrics, LoopLagLandsInItsBucket) {
  std::thread t([] {
    metrics::bind_thread(41);
    metrics::observe_loop_lag(50);        // <= 100 µs
    metrics::observe_loop_lag(2'000);     // <= 5 ms
    metrics::observe_loop_lag(5'000'000); // +Inf
  });
  t.join();
  auto s = metrics::snapshot();
  ASSERT_GT(s.shards.size(), 41u);
  const auto& f = s.shards[41];
  EXPECT_EQ(f.lag_buckets[0], 1u);
  EXPECT_EQ(f.lag_buckets[3], 1u);
  EXPECT_EQ(f.lag_buckets.back(), 1u);
  EXPECT_EQ(f.lag_sum_us, 5'002'050u);
}

TEST(Exposition, WritesHelpAndTypeOnceThenSamples) {
  metrics::TextWriter out;
  out.family("x_total", metrics::Type::counter, "Things\\done\nhere.");
  out.sample("x_total", metrics::label("reason", "a \"b\"\\\n"), std::uint64_t{3});
  out.sample("x_total", {}, std::uint64_t{4});
  out.single("y", metrics::Type::gauge, "A gauge.", 0.5);
  EXPECT_EQ(out.take(),
            "# HELP x_total Things\\\\done\\nhere.\n"
            "# TYPE x_total counter\n"
            "x_total{reason=\"a \\\"b\\\"\\\\\\n\"} 3\n"
            "x_total 4\n"
            "# HELP y A gauge.\n"
            "# TYPE y gauge\n"
            "y 0.5\n");
}

TEST(Exposition, TheCountersHaveEachMetricOnceWithHelpAndCumulativeBuckets) {
  metrics::TextWriter out;
  metrics::Snapshot s;
  s.shards.resize(1);
  s.shards[0].lag_buckets[0] = 2;
  s.shards[0].lag_buckets[2] = 1;
  s.shards[0].lag_sum_us = 1500;
  out.counters(s);
  auto text = out.take();
  EXPECT_EQ(text.find("# TYPE switchboard_socketio_disconnects_total counter"),
            text.rfind("# TYPE switchboard_socketio_disconnects_total counter"));
  EXPECT_NE(text.find("switchboard_socketio_disconnects_total{reason=\"ping timeout\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE switchboard_engine_sessions gauge"), std::string::npos);
  EXPECT_NE(text.find("switchboard_event_loop_lag_seconds_bucket{shard=\"0\",le=\"0.0001\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("switchboard_event_loop_lag_seconds_bucket{shard=\"0\",le=\"0.001\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("switchboard_event_loop_lag_seconds_bucket{shard=\"0\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("switchboard_event_loop_lag_seconds_count{shard=\"0\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("switchboard_event_loop_lag_seconds_sum{shard=\"0\"} 0.0015"), std::string::npos);
  for (std::size_t at = text.find("# HELP "); at != std::string::npos; at = text.find("# HELP ", at + 1)) {
    auto end = text.find('\n', at);
    auto line = text.substr(at, end - at);
    auto name_end = line.find(' ', 7);
    ASSERT_NE(name_end, std::string::npos) << line;
    EXPECT_GT(line.size(), name_end + 1) << line;  // a help text after the name
  }
}

}  // namespace
