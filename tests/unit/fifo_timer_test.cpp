// net::FifoTimer: deadlines of one delay fire in order, once, and never after
// they were disarmed or destroyed.

#include "net/fifo_timer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct Recorder final : net::Deadline {
  Recorder(std::string n, std::vector<std::string>& log) : name(std::move(n)), fired(log) {}
  void on_deadline() override {
    fired.push_back(name);
    if (then) then();
  }
  std::string name;
  std::vector<std::string>& fired;
  std::function<void()> then;
};

TEST(FifoTimer, FiresEveryArmedDeadlineOnceInArmingOrder) {
  boost::asio::io_context context;
  auto& timer = net::FifoTimer::of(context, 20ms);
  std::vector<std::string> fired;
  Recorder a("a", fired), b("b", fired), c("c", fired);
  timer.arm(a);
  timer.arm(b);
  timer.arm(c);
  EXPECT_TRUE(b.armed());
  auto start = std::chrono::steady_clock::now();
  context.run();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 15ms);  // the delay, less the 5 ms granularity
  EXPECT_EQ(fired, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(a.armed());
}

TEST(FifoTimer, SameDelayIsOneTimerPerContext) {
  boost::asio::io_context context, other;
  EXPECT_EQ(&net::FifoTimer::of(context, 20ms), &net::FifoTimer::of(context, 20ms));
  EXPECT_NE(&net::FifoTimer::of(context, 20ms), &net::FifoTimer::of(context, 30ms));
  EXPECT_NE(&net::FifoTimer::of(context, 20ms), &net::FifoTimer::of(other, 20ms));
}

TEST(FifoTimer, DisarmedAndDestroyedDeadlinesDoNotFire) {
  boost::asio::io_context context;
  auto& timer = net::FifoTimer::of(context, 10ms);
  std::vector<std::string> fired;
  Recorder kept("kept", fired), disarmed("disarmed", fired);
  auto destroyed = std::make_unique<Recorder>("destroyed", fired);
  timer.arm(*destroyed);
  timer.arm(disarmed);
  timer.arm(kept);
  disarmed.disarm();
  destroyed.reset();
  context.run();
  EXPECT_EQ(fired, std::vector<std::string>{"kept"});
}

TEST(FifoTimer, ReArmingMovesTheDeadlineToTheBack) {
  boost::asio::io_context context;
  auto& timer = net::FifoTimer::of(context, 10ms);
  std::vector<std::string> fired;
  Recorder a("a", fired), b("b", fired);
  timer.arm(a);
  timer.arm(b);
  timer.arm(a);  // a heartbeat answered: the next ping is a full delay away
  context.run();
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a"}));
}

TEST(FifoTimer, ADeadlineMayReArmItselfOrDestroyAnotherWhenItFires) {
  boost::asio::io_context context;
  auto& timer = net::FifoTimer::of(context, 5ms);
  std::vector<std::string> fired;
  Recorder repeating("repeating", fired);
  auto victim = std::make_unique<Recorder>("victim", fired);
  int rounds = 0;
  repeating.then = [&] {
    victim.reset();  // armed behind it: must not fire
    if (++rounds < 3) timer.arm(repeating);
  };
  timer.arm(repeating);
  timer.arm(*victim);
  context.run();
  EXPECT_EQ(fired, (std::vector<std::string>{"repeating", "repeating", "repeating"}));
}

TEST(FifoTimer, DeadlinesOutliveTheirContextSafely) {
  std::vector<std::string> fired;
  Recorder survivor("survivor", fired);
  {
    boost::asio::io_context context;
    net::FifoTimer::of(context, 1h).arm(survivor);
    EXPECT_TRUE(survivor.armed());
  }
  EXPECT_FALSE(survivor.armed());  // the context's timers let go of it
  EXPECT_TRUE(fired.empty());
}

}  // namespace
