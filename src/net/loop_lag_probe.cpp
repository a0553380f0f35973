#include "net/loop_lag_probe.hpp"

#include "metrics/counters.hpp"

namespace net {

LoopLagProbe::LoopLagProbe(boost::asio::io_context& context) : timer_(context) { arm(); }

// The pending wait is cancelled; its handler, if it ever runs, sees the error
// and does not touch this object.
LoopLagProbe::~LoopLagProbe() { timer_.cancel(); }

void LoopLagProbe::arm() {
  timer_.expires_after(period);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    auto late = std::chrono::steady_clock::now() - timer_.expiry();
    metrics::observe_loop_lag(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(late).count())));
    arm();
  });
}

}  // namespace net
