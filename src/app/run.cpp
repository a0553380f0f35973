#include "app/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <thread>

namespace app {

int listen_and_run(const char* name, net::ShardPool& shards, net::HttpServer& http, engine::Server& engine) {
  try {
    http.listen();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot listen: %s\n", name, e.what());
    return 1;
  }
  std::printf("%s listening on %s:%u%s with %zu shard(s)\n", name, http.host().c_str(), http.bound_port(),
              engine.options().path.c_str(), shards.size());
  std::fflush(stdout);
  run_until_signal(shards, http, engine);
  return 0;
}

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
