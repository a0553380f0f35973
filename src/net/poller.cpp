#include "net/poller.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
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

struct Poller::Impl {
  explicit Impl(asio::io_context& context) : context(context), descriptor(context, create_epoll()) {}
  asio::io_context& context;
  asio::posix::stream_descriptor descriptor;  // closes the epoll set with it
};

Poller& Poller::of(asio::io_context& context) { return ContextLocal<Poller>::of(context); }

Poller::Poller(asio::io_context& context) : impl_(std::make_unique<Impl>(context)) { wait(); }

Poller::~Poller() = default;

namespace {
bool watch(int epoll_fd, int op, int fd, PollTarget* target) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = target;
  return ::epoll_ctl(epoll_fd, op, fd, &event) == 0;
}
}  // namespace

bool Poller::add(int fd, PollTarget* target) { return watch(impl_->descriptor.native_handle(), EPOLL_CTL_ADD, fd, target); }

bool Poller::retarget(int fd, PollTarget* target) {
  return watch(impl_->descriptor.native_handle(), EPOLL_CTL_MOD, fd, target);
}

void Poller::remove(int fd) {
  epoll_event ignored{};
  (void)::epoll_ctl(impl_->descriptor.native_handle(), EPOLL_CTL_DEL, fd, &ignored);
}

void Poller::forget(PollTarget* target) {
  Poller* poller = dispatching;
  if (!poller) return;
  for (int i = poller->round_at_; i < poller->round_size_; ++i)
    if (poller->events_[i].data.ptr == target) poller->events_[i].data.ptr = nullptr;
}

void Poller::wait() {
  impl_->descriptor.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
    if (!ec) run_round();  // an error means the context is shutting down
  });
}

void Poller::run_round() {
  int n;
  do n = ::epoll_wait(impl_->descriptor.native_handle(), events_, kMaxEvents, 0);
  while (n < 0 && errno == EINTR);
  round_size_ = n < 0 ? 0 : n;
  dispatching = this;
  for (round_at_ = 0; round_at_ < round_size_;) {
    const epoll_event& event = events_[round_at_++];
    if (auto* target = static_cast<PollTarget*>(event.data.ptr)) target->on_poll_events(event.events);
  }
  dispatching = nullptr;
  round_size_ = round_at_ = 0;
  // A full round may have left events in the set, and the set's own edge
  // is spent: come back after the handlers already queued.
  if (n == kMaxEvents)
    asio::post(impl_->context, [this] { run_round(); });
  else
    wait();
}

}  // namespace net
