// net::Poller: edge-triggered events reach their target, output only once
// asked for, a target destroyed during a round is not called for the rest of
// it, and no event is lost across rounds.

#include "net/poller.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <vector>

namespace {

struct SocketPair {
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0); }
  ~SocketPair() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  int fds[2] = {-1, -1};
};

struct Target final : net::PollTarget {
  explicit Target(int fd) : fd(fd) {}
  ~Target() { net::Poller::forget(fd); }
  void on_poll_events(std::uint32_t events) override {
    ++calls;
    last_events = events;
    all_events |= events;
    char buf[64];
    while (::recv(fd, buf, sizeof buf, 0) > 0) ++reads;
    if (then) then();
  }
  int fd;
  int calls = 0, reads = 0;
  std::uint32_t last_events = 0, all_events = 0;
  std::function<void()> then;
};

TEST(Poller, ReportsInputAndPeerShutdown) {
  boost::asio::io_context context;
  SocketPair pair;
  Target target(pair.fds[0]);
  ASSERT_TRUE(net::Poller::of(context).add(pair.fds[0], &target));
  context.poll();  // writable, but output is not watched: nothing to report
  EXPECT_EQ(target.calls, 0);
  ASSERT_EQ(::send(pair.fds[1], "hi", 2, 0), 2);
  context.poll();
  EXPECT_EQ(target.calls, 1);
  EXPECT_EQ(target.last_events & (EPOLLIN | EPOLLOUT), static_cast<std::uint32_t>(EPOLLIN));
  EXPECT_EQ(target.reads, 1);
  ::shutdown(pair.fds[1], SHUT_WR);
  context.poll();
  EXPECT_TRUE(target.last_events & EPOLLRDHUP);
}

TEST(Poller, ATargetDestroyedDuringARoundIsNotCalled) {
  boost::asio::io_context context;
  SocketPair one, two;
  auto a = std::make_unique<Target>(one.fds[0]);
  auto b = std::make_unique<Target>(two.fds[0]);
  auto& poller = net::Poller::of(context);
  ASSERT_TRUE(poller.add(one.fds[0], a.get()));
  ASSERT_TRUE(poller.add(two.fds[0], b.get()));
  context.poll();
  ASSERT_EQ(a->calls, 0);
  ASSERT_EQ(b->calls, 0);
  // Both readable in one round; whichever runs first destroys the other.
  int survivors_called = 0;
  a->then = [&] { ++survivors_called, b.reset(); };
  b->then = [&] { ++survivors_called, a.reset(); };
  ASSERT_EQ(::send(one.fds[1], "x", 1, 0), 1);
  ASSERT_EQ(::send(two.fds[1], "y", 1, 0), 1);
  context.poll();
  EXPECT_EQ(survivors_called, 1);
  EXPECT_TRUE(!a != !b);  // exactly one left
}

// The set is watched by Asio once, edge-triggered: events that come after a
// round, and more events than one round takes (256), still reach everyone.
TEST(Poller, EveryEventArrivesWithoutReArming) {
  boost::asio::io_context context;
  constexpr int kSockets = 300;
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::unique_ptr<Target>> targets;
  auto& poller = net::Poller::of(context);
  for (int i = 0; i < kSockets; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    targets.push_back(std::make_unique<Target>(pairs.back()->fds[0]));
    ASSERT_TRUE(poller.add(pairs.back()->fds[0], targets.back().get()));
  }
  context.poll();
  for (int round = 1; round <= 3; ++round) {
    for (auto& pair : pairs) ASSERT_EQ(::send(pair->fds[1], "z", 1, 0), 1);
    context.poll();
    int read = 0;
    for (auto& target : targets) read += target->reads == round;
    EXPECT_EQ(read, kSockets) << "round " << round;
  }
}

// A hand-over is a store: the new target hears the fd's next event, and
// nothing is reported again for it (what the old one let pass is the new
// one's to catch up on).
TEST(Poller, RetargetGivesTheNextEventToTheNewTarget) {
  boost::asio::io_context context;
  SocketPair pair;
  Target first(pair.fds[0]), second(pair.fds[0]);
  auto& poller = net::Poller::of(context);
  ASSERT_TRUE(poller.add(pair.fds[0], &first));
  ASSERT_EQ(::send(pair.fds[1], "a", 1, 0), 1);
  context.poll();
  ASSERT_EQ(first.calls, 1);
  poller.retarget(pair.fds[0], &second);
  context.poll();
  EXPECT_EQ(second.calls, 0);
  ASSERT_EQ(::send(pair.fds[1], "a", 1, 0), 1);
  context.poll();
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(second.reads, 1);
}

// Output is reported from watch_output() on: at once for a socket with room
// (the MOD reports the present state), then at each edge from full to room.
TEST(Poller, WatchOutputReportsRoomAtOnceThenAtEachEdge) {
  boost::asio::io_context context;
  SocketPair pair;
  Target target(pair.fds[0]);
  auto& poller = net::Poller::of(context);
  ASSERT_TRUE(poller.add(pair.fds[0], &target));
  std::vector<char> chunk(64 * 1024, 'x');
  while (::send(pair.fds[0], chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
  }
  ASSERT_EQ(errno, EAGAIN);
  ASSERT_TRUE(poller.watch_output(pair.fds[0]));
  context.poll();
  EXPECT_EQ(target.calls, 0) << "full: no room to report yet";
  while (::recv(pair.fds[1], chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
  }
  context.poll();
  EXPECT_EQ(target.calls, 1);
  EXPECT_TRUE(target.last_events & EPOLLOUT);

  SocketPair roomy;
  Target other(roomy.fds[0]);
  ASSERT_TRUE(poller.add(roomy.fds[0], &other));
  ASSERT_TRUE(poller.watch_output(roomy.fds[0]));
  context.poll();
  EXPECT_EQ(other.calls, 1) << "room already: reported at once";
  EXPECT_TRUE(other.last_events & EPOLLOUT);
}

// A target that closes another's fd during a round, whose number a new
// socket takes at once (accept does that), must not hand the old fd's
// pending event to the new socket's target.
TEST(Poller, AClosedFdsEventDoesNotReachTheTargetOfItsReusedNumber) {
  boost::asio::io_context context;
  SocketPair one, two;
  auto& poller = net::Poller::of(context);
  Target a(one.fds[0]), b(two.fds[0]);
  ASSERT_TRUE(poller.add(one.fds[0], &a));
  ASSERT_TRUE(poller.add(two.fds[0], &b));
  context.poll();
  std::unique_ptr<SocketPair> fresh;
  std::unique_ptr<Target> stranger;
  auto close_the_other = [&](Target& other, int& other_fd) {
    int number = other_fd;
    net::Poller::forget(number);
    ::close(number);
    other_fd = -1;
    fresh = std::make_unique<SocketPair>();  // takes the lowest free numbers: `number` among them
    int reused = fresh->fds[0] == number ? 0 : 1;
    ASSERT_EQ(fresh->fds[reused], number);
    stranger = std::make_unique<Target>(number);
    ASSERT_TRUE(poller.add(number, stranger.get()));
    other.fd = -1;
  };
  a.then = [&] {
    if (!stranger) close_the_other(b, two.fds[0]);
  };
  b.then = [&] {
    if (!stranger) close_the_other(a, one.fds[0]);
  };
  ASSERT_EQ(::send(one.fds[1], "x", 1, 0), 1);
  ASSERT_EQ(::send(two.fds[1], "y", 1, 0), 1);
  int before = a.calls + b.calls;
  context.poll();  // one round: whichever runs first closes the other
  EXPECT_EQ(a.calls + b.calls, before + 1);
  ASSERT_TRUE(stranger);
  // The stranger hears only of its own socket (which has no input), not of
  // the closed socket's input.
  EXPECT_EQ(stranger->reads, 0);
  EXPECT_FALSE(stranger->all_events & EPOLLIN);
}

}  // namespace
