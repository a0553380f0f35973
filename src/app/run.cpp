#include "app/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>

namespace app {

void run_until_signal(net::ShardPool& shards, net::HttpServer& http, engine::Server& engine,
                      std::chrono::milliseconds grace) {
  boost::asio::io_context signals_ctx(1);
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([](boost::system::error_code, int) {});
  shards.start();
  signals_ctx.run();  // returns once a signal has arrived

  http.stop_accepting();
  engine.close_all("server shutting down");
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (engine.session_count() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Let the last close frames leave the write buffers.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  shards.stop();
  shards.join();
}

}  // namespace app
