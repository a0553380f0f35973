#pragma once
// One T per io_context: state a shard shares among its connections (the
// poller, the flush queue, the FIFO timers). Created on first use with the
// io_context, destroyed when the context shuts down, that is before its
// pending handlers are freed and before the context itself goes away.

#include <boost/asio/io_context.hpp>
#include <optional>

namespace net {

template <class T>
class ContextLocal : public boost::asio::execution_context::service {
 public:
  using key_type = ContextLocal<T>;
  static inline boost::asio::execution_context::id id;

  explicit ContextLocal(boost::asio::execution_context& context) : service(context) {
    value_.emplace(static_cast<boost::asio::io_context&>(context));
  }
  void shutdown() override { value_.reset(); }

  // T is built as T(io_context&). Thread-safe to create; use T on the context's thread.
  static T& of(boost::asio::io_context& context) { return *boost::asio::use_service<ContextLocal>(context).value_; }

 private:
  std::optional<T> value_;
};

}  // namespace net
