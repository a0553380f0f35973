#pragma once
// One epoll set per io_context for connections that manage their own
// non-blocking socket (the plain WebSocket, a first request, the listeners).
// Asio's reactor watches the set's file descriptor; the set watches the
// sockets. Per socket this costs one epoll
// registration, instead of Asio's descriptor state (168 bytes) plus a pending
// wait operation (100-270 bytes) per idle connection.
//
// Sockets are registered edge-triggered for input and peer shutdown, with
// their fd as the event's data (a table indexed by fd names each one's
// target). Output is watched only from a writer's first EAGAIN on
// (watch_output): a socket is writable when it is added, so watching it from
// the start would report one useless event per connection. A handler that
// stops reading before EAGAIN must come back by itself (post itself) since no
// new edge will come.

#include <sys/epoll.h>

#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace net {

class PollTarget {
 public:
  // EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR bits. Runs on the
  // io_context's thread; the target may remove itself or others.
  virtual void on_poll_events(std::uint32_t events) = 0;

 protected:
  ~PollTarget() = default;
};

class Poller {
 public:
  // The poller of `context`, created on first use and destroyed with it.
  static Poller& of(boost::asio::io_context& context);

  // Watches `fd` for `target`, for output too if `output` (see
  // watch_output); false (errno set) when epoll refuses it.
  // Closing the fd stops the watch (the kernel drops it from the set); call
  // forget(fd) just before.
  bool add(int fd, PollTarget* target, bool output = false);
  // Reports EPOLLOUT for a watched `fd` too, from now on: call it when a
  // write hit EAGAIN (the next edge comes when the kernel has room again, or
  // at once if it has already). Once per fd is enough; false (errno set)
  // when epoll refuses.
  bool watch_output(int fd);
  // Gives a watched `fd` to another target, from its next event on: no
  // system call, and no event is reported again, so an edge the old target
  // let pass is the new target's to catch up on.
  void retarget(int fd, PollTarget* target);
  // Stops watching `fd`, which stays open (it goes to Asio or to another
  // shard), and forgets it.
  void remove(int fd);
  // Drops what the current round still holds for `fd`: call it before the fd
  // is closed or its target destroyed, so that a round in progress calls
  // nobody for it (nor, should the number be reused at once, a stranger).
  // Does nothing outside a round, and touches no poller then.
  static void forget(int fd);

  // Internal: created by of().
  explicit Poller(boost::asio::io_context& context);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

 private:
  struct Impl;
  void run_round();

  static constexpr int kMaxEvents = 256;
  std::unique_ptr<Impl> impl_;  // the epoll set, and its watch by Asio's reactor
  epoll_event events_[kMaxEvents];
  int round_size_ = 0, round_at_ = 0;  // the events being dispatched
};

}  // namespace net
