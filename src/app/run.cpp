#include "app/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace app {

int listen_and_run(const char* name, net::ShardPool& shards, net::HttpServer& http, engine::Server& engine,
                   RunOptions options) {
  try {
    http.listen();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot listen: %s\n", name, e.what());
    return 1;
  }
  std::printf("%s listening on %s:%u%s with %zu shard(s)\n", name, http.host().c_str(), http.bound_port(),
              engine.options().path.c_str(), shards.size());
  std::fflush(stdout);
  run_until_signal(shards, http, engine, std::move(options));
  return 0;
}

void drain(net::HttpServer& http, engine::Server& engine, std::chrono::milliseconds grace) {
  // The listeners stay open while the sessions close: a polling client's
  // next GET, which carries its close, may need a new connection, and a
  // connection under way when the signal came is answered, not reset. New
  // sessions are refused with 503 meanwhile.
  engine.drain("server shutting down");
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (engine.session_count() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  http.stop_accepting();
}

void run_until_signal(net::ShardPool& shards, net::HttpServer& http, engine::Server& engine, RunOptions options) {
  boost::asio::io_context signals_ctx(1);
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([](boost::system::error_code, int) {});
  shards.start();
  if (options.on_started) options.on_started();
  signals_ctx.run();  // returns once a signal has arrived

  // A second signal while draining: leave at once.
  signals_ctx.restart();
  signals.async_wait([](boost::system::error_code ec, int) {
    if (!ec) std::_Exit(1);
  });
  std::thread second_signal([&signals_ctx] { signals_ctx.run(); });

  if (options.on_draining) options.on_draining();
  drain(http, engine, options.grace);
  // Let the last close frames leave the write buffers.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  shards.stop();
  shards.join();
  signals.cancel();
  signals_ctx.stop();
  second_signal.join();
}

}  // namespace app
