#pragma once
// Measures how late a shard's event loop runs: a timer due every 250 ms, and
// how long after its time the handler ran, into the shard's loop-lag
// histogram (metrics::observe_loop_lag). A loop busy with a long handler or a
// burst shows as lag; an idle one as a few microseconds. Four wake-ups a
// second per shard cost nothing measurable.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace net {

class LoopLagProbe {
 public:
  // Starts at once; runs on `context`'s thread. Destroy on that thread.
  explicit LoopLagProbe(boost::asio::io_context& context);
  ~LoopLagProbe();
  LoopLagProbe(const LoopLagProbe&) = delete;
  LoopLagProbe& operator=(const LoopLagProbe&) = delete;

  static constexpr auto period = std::chrono::milliseconds(250);

 private:
  void arm();
  boost::asio::steady_timer timer_;
};

}  // namespace net
