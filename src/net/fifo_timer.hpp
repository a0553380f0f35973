#pragma once
// Many deadlines that share one delay, on one io_context, with one Asio timer.
//
// Heartbeats and connect timeouts are armed with a constant delay, so the
// deadlines arrive in time order: a list kept in insertion order is sorted.
// Arming is a push at the back, disarming an unlink, and only the front
// deadline needs a real timer. An armed Deadline costs 32 bytes in its owner
// instead of a steady_timer (120 bytes) plus a pending wait operation.

#include <boost/intrusive/list.hpp>
#include <chrono>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace net {

class FifoTimer;

// Derive from this to receive on_deadline(); an object is in at most one
// FifoTimer at a time. Destroying an armed Deadline disarms it.
class Deadline : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  bool armed() const { return is_linked(); }
  void disarm() { unlink(); }

 protected:
  Deadline() = default;
  ~Deadline() = default;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  friend class FifoTimer;
  // Runs on the io_context's thread once the deadline passed; the Deadline is
  // disarmed first, so it may re-arm itself or be destroyed.
  virtual void on_deadline() = 0;

  std::chrono::steady_clock::time_point when_;
};

class FifoTimer {
 public:
  // The timer of `delay` on `context`, created on first use and destroyed
  // with the context. Use only from the context's thread.
  static FifoTimer& of(boost::asio::io_context& context, std::chrono::milliseconds delay);

  // (Re)arms `deadline` to fire `delay` from now.
  void arm(Deadline& deadline);
  std::chrono::milliseconds delay() const { return delay_; }

  // Internal: created by of().
  FifoTimer(boost::asio::io_context& context, std::chrono::milliseconds delay);
  ~FifoTimer();
  FifoTimer(const FifoTimer&) = delete;
  FifoTimer& operator=(const FifoTimer&) = delete;

 private:
  struct Impl;
  void on_timer();
  void wait_for_front();

  std::chrono::milliseconds delay_;
  boost::intrusive::list<Deadline, boost::intrusive::constant_time_size<false>> deadlines_;
  std::unique_ptr<Impl> impl_;  // the Asio timer, kept out of this header
};

}  // namespace net
