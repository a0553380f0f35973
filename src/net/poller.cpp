#include "net/poller.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "net/context_local.hpp"

namespace net {

namespace asio = boost::asio;

namespace {

thread_local Poller* dispatching = nullptr;  // the poller running a round on this thread

int create_epoll() {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  return fd;
}

}  // namespace

// The epoll set is watched by the io_context's reactor the way Asio watches
// its own signal pipe: registered once, edge-triggered, with one operation
// that stays queued and runs a round at every edge. An async_wait per round
// would cost an epoll_ctl (Asio re-arms the descriptor for every wait it
// starts) and an operation's allocation and completion.
struct Poller::Impl {
  struct RoundOp : asio::detail::reactor_op {
    explicit RoundOp(Poller& poller)
        : reactor_op(boost::system::error_code(), &RoundOp::perform, &RoundOp::complete), poller(poller) {}
    // Runs on the context's thread when the set becomes readable. Never
    // "done": the operation stays for the next edge.
    static status perform(asio::detail::reactor_op* op) {
      static_cast<RoundOp*>(op)->poller.run_round();
      return not_done;
    }
    // Only called to destroy it (the reactor dropping it): it is Impl's member.
    static void complete(void*, asio::detail::operation*, const boost::system::error_code&, std::size_t) {}
    Poller& poller;
  };

  Impl(asio::io_context& context, Poller& poller)
      : context(context),
        reactor(asio::use_service<asio::detail::reactor>(context)),
        epoll_fd(create_epoll()),
        round_op(poller),
        work(context.get_executor()) {
    reactor.init_task();
    if (int error =
            reactor.register_internal_descriptor(asio::detail::reactor::read_op, epoll_fd, reactor_data, &round_op)) {
      ::close(epoll_fd);
      throw std::system_error(error, std::generic_category(), "epoll_ctl (poller)");
    }
  }
  ~Impl() {
    reactor.deregister_internal_descriptor(epoll_fd, reactor_data);
    reactor.cleanup_descriptor_data(reactor_data);
    ::close(epoll_fd);
  }

  asio::io_context& context;
  asio::detail::reactor& reactor;
  int epoll_fd;
  asio::detail::reactor::per_descriptor_data reactor_data = nullptr;
  RoundOp round_op;
  // The fds forgotten during the current round: their events left in it are
  // skipped. A set, not a scan of the round's events per forget: a close
  // storm forgets up to a whole round's worth in one round.
  boost::unordered_flat_set<int> forgotten;
  // As a pending wait did: the context runs while the poller may have
  // sockets to serve (until stop() or shutdown).
  asio::executor_work_guard<asio::io_context::executor_type> work;
};

Poller& Poller::of(asio::io_context& context) { return ContextLocal<Poller>::of(context); }

Poller::Poller(asio::io_context& context) : impl_(std::make_unique<Impl>(context, *this)) {}

Poller::~Poller() = default;

namespace {

// The target of every watched fd, indexed by fd: an event carries its fd, and
// its target is looked up when it is dispatched, so that handing a socket to
// another target is a store, not an epoll_ctl. One table for the process (fd
// numbers are), as long as the descriptor limit's ceiling; its pages are
// touched only where fds are. An entry is written by the shard that watches
// that fd, and read only for events of that shard's own set.
class TargetTable {
 public:
  static TargetTable& get() {
    static TargetTable table;
    return table;
  }
  bool holds(int fd) const { return fd >= 0 && static_cast<std::size_t>(fd) < size_; }
  std::atomic<PollTarget*>& operator[](int fd) { return slots_[fd]; }

 private:
  TargetTable() {
    rlimit limit{};
    std::size_t fds = 1 << 20;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max != RLIM_INFINITY)
      fds = static_cast<std::size_t>(limit.rlim_max);
    fds = std::min<std::size_t>(fds, 1 << 24);
    void* memory = ::mmap(nullptr, fds * sizeof(slots_[0]), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap (poll targets)");
    slots_ = static_cast<std::atomic<PollTarget*>*>(memory);  // zero pages: null pointers
    size_ = fds;
  }
  std::atomic<PollTarget*>* slots_ = nullptr;
  std::size_t size_ = 0;
};

static_assert(std::atomic<PollTarget*>::is_always_lock_free);

}  // namespace

bool Poller::add(int fd, PollTarget* target, bool output) {
  auto& table = TargetTable::get();
  if (!table.holds(fd)) {
    errno = EMFILE;
    return false;
  }
  table[fd].store(target, std::memory_order_relaxed);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (output ? EPOLLOUT : 0u);
  event.data.u64 = static_cast<std::uint64_t>(fd);
  if (::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0) return true;
  table[fd].store(nullptr, std::memory_order_relaxed);
  return false;
}

bool Poller::watch_output(int fd) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = static_cast<std::uint64_t>(fd);
  return ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_MOD, fd, &event) == 0;
}

void Poller::retarget(int fd, PollTarget* target) { TargetTable::get()[fd].store(target, std::memory_order_relaxed); }

void Poller::remove(int fd) {
  forget(fd);
  epoll_event ignored{};
  (void)::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_DEL, fd, &ignored);
  TargetTable::get()[fd].store(nullptr, std::memory_order_relaxed);
}

void Poller::forget(int fd) {
  Poller* poller = dispatching;
  if (!poller || fd < 0 || poller->round_at_ >= poller->round_size_) return;
  poller->impl_->forgotten.insert(fd);
}

void Poller::run_round() {
  int n;
  do n = ::epoll_wait(impl_->epoll_fd, events_, kMaxEvents, 0);
  while (n < 0 && errno == EINTR);
  round_size_ = n < 0 ? 0 : n;
  dispatching = this;
  auto& forgotten = impl_->forgotten;
  forgotten.clear();  // the last round's: consulted only during a round
  for (round_at_ = 0; round_at_ < round_size_;) {
    const epoll_event& event = events_[round_at_++];
    int fd = static_cast<int>(event.data.u64);
    if (!forgotten.empty() && forgotten.contains(fd)) continue;
    if (auto* target = TargetTable::get()[fd].load(std::memory_order_relaxed)) target->on_poll_events(event.events);
  }
  dispatching = nullptr;
  round_size_ = round_at_ = 0;
  // A full round may have left events in the set, and the set's own edge
  // is spent: come back after the handlers already queued.
  if (n == kMaxEvents) asio::post(impl_->context, [this] { run_round(); });
}

}  // namespace net
