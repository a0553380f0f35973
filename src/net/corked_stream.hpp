#pragma once
// A stream under beast::websocket::stream that collects every write of one
// loop turn and hands them to the kernel in a single send(). Beast frames each
// message (and its pongs and close frames) into this buffer in order, so data
// and control frames never interleave. Included only by net/ sources.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace net {

class CorkedStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  explicit CorkedStream(boost::asio::ip::tcp::socket socket)
      : core_(std::make_shared<Core>(std::move(socket))) {}

  executor_type get_executor() noexcept { return core_->socket.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return core_->socket; }
  std::size_t buffered_bytes() const { return core_->pending.size() + core_->in_flight.size(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return core_->socket.async_read_some(buffers, std::forward<Token>(token));
  }

  // Completes at once (posted) after copying the bytes; the flush follows
  // once the current loop turn is done.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [core = core_](auto handler, const ConstBuffers& buffers) {
          std::size_t n = 0;
          if (!core->failed) {
            for (auto b : boost::beast::buffers_range_ref(buffers)) {
              core->pending.append(static_cast<const char*>(b.data()), b.size());
              n += b.size();
            }
            schedule_flush(core);
          }
          auto ec = core->failed ? core->failed : boost::beast::error_code{};
          boost::asio::post(core->socket.get_executor(),
                            boost::beast::bind_front_handler(std::move(handler), ec, n));
        },
        token, buffers);
  }

  // Closes the socket once every buffered byte has been written.
  void shutdown_after_flush() {
    core_->shutdown_requested = true;
    if (!core_->flushing) shutdown_now(*core_);
  }

 private:
  struct Core {
    explicit Core(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
    boost::asio::ip::tcp::socket socket;
    std::string pending;    // written by beast during this loop turn
    std::string in_flight;  // being written to the kernel
    bool flushing = false;
    bool shutdown_requested = false;
    boost::beast::error_code failed;
  };

  static void schedule_flush(const std::shared_ptr<Core>& core) {
    if (core->flushing) return;
    core->flushing = true;
    boost::asio::post(core->socket.get_executor(), [core] { flush(core); });
  }

  static void flush(const std::shared_ptr<Core>& core) {
    if (core->pending.empty() || core->failed) {
      core->flushing = false;
      if (core->shutdown_requested) shutdown_now(*core);
      return;
    }
    core->in_flight.swap(core->pending);
    boost::asio::async_write(core->socket, boost::asio::buffer(core->in_flight),
                             [core](boost::beast::error_code ec, std::size_t) {
                               core->in_flight.clear();
                               if (ec) core->failed = ec;
                               flush(core);
                             });
  }

  static void shutdown_now(Core& core) {
    boost::beast::error_code ignored;
    core.socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    core.socket.close(ignored);
  }

  std::shared_ptr<Core> core_;

  // Beast closes the socket this way when an operation times out or fails.
  friend void beast_close_socket(CorkedStream& s) { shutdown_now(*s.core_); }

  friend void teardown(boost::beast::role_type, CorkedStream& s, boost::beast::error_code& ec) {
    s.shutdown_after_flush();
    ec = {};
  }

  template <class TeardownHandler>
  friend void async_teardown(boost::beast::role_type, CorkedStream& s, TeardownHandler&& handler) {
    s.shutdown_after_flush();
    boost::asio::post(s.get_executor(),
                      boost::beast::bind_front_handler(std::forward<TeardownHandler>(handler),
                                                       boost::beast::error_code{}));
  }
};

}  // namespace net
