#include "net/fifo_timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "net/context_local.hpp"

namespace net {

namespace asio = boost::asio;

namespace {

// Deadlines this close to each other fire in one wake-up: a heartbeat does
// not need millisecond precision, and fewer wake-ups cost less.
constexpr auto kGranularity = std::chrono::milliseconds(5);

// The FifoTimers of one io_context, by delay.
struct FifoTimers {
  explicit FifoTimers(asio::io_context&) {}
  std::map<std::chrono::milliseconds, std::unique_ptr<FifoTimer>> by_delay;
};

}  // namespace

struct FifoTimer::Impl {
  explicit Impl(asio::io_context& context) : timer(context) {}
  asio::steady_timer timer;
  bool waiting = false;
};

FifoTimer& FifoTimer::of(asio::io_context& context, std::chrono::milliseconds delay) {
  auto& slot = ContextLocal<FifoTimers>::of(context).by_delay[delay];
  if (!slot) slot = std::make_unique<FifoTimer>(context, delay);
  return *slot;
}

FifoTimer::FifoTimer(asio::io_context& context, std::chrono::milliseconds delay)
    : delay_(delay), impl_(std::make_unique<Impl>(context)) {}

FifoTimer::~FifoTimer() {
  deadlines_.clear();  // leaves every Deadline disarmed, not pointing here
}

void FifoTimer::arm(Deadline& deadline) {
  deadline.unlink();
  deadline.when_ = std::chrono::steady_clock::now() + delay_;
  deadlines_.push_back(deadline);
  // A waiting timer is due no later than the new deadline: the list is sorted.
  if (!impl_->waiting) wait_for_front();
}

void FifoTimer::wait_for_front() {
  impl_->waiting = true;
  impl_->timer.expires_at(deadlines_.front().when_);
  impl_->timer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the service is shutting down
    impl_->waiting = false;
    on_timer();
  });
}

void FifoTimer::on_timer() {
  auto due = std::chrono::steady_clock::now() + kGranularity;
  while (!deadlines_.empty() && deadlines_.front().when_ <= due) {
    Deadline& deadline = deadlines_.front();
    deadlines_.pop_front();
    deadline.on_deadline();  // may arm or destroy any Deadline, this one included
  }
  if (!deadlines_.empty() && !impl_->waiting) wait_for_front();
}

}  // namespace net
