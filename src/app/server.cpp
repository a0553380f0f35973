#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "app/redis_flags.hpp"
#include "app/run.hpp"

namespace switchboard {

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--host") options.host = argv[i + 1];
    if (flag == "--port") options.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    if (flag == "--threads") options.threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    if (flag == "--presence-ttl") options.presence_ttl = std::chrono::seconds(std::max(1, std::atoi(argv[i + 1])));
    if (flag == "--redis-url") {
      app::RedisFlags redis;
      redis.url = argv[i + 1];
      try {
        options.redis = app::cluster_options(redis);
      } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("--redis-url: ") + e.what());
      }
    }
  }
  return options;
}

Server::Server(Options options)
    : options_(std::move(options)),
      shards_(std::make_unique<net::ShardPool>(options_.threads)),
      http_(std::make_unique<net::HttpServer>(*shards_, net::HttpServerOptions{options_.host, options_.port})) {
  // spdlog's registry is made on first use, inside libspdlog (not built
  // with our sanitizers): made here, before any of our threads, every
  // thread sees it made (and ThreadSanitizer does too).
  spdlog::default_logger_raw();
  if (options_.redis) {
    cluster_ = app::make_cluster(*options_.redis);
    options_.io.adapter_factory = cluster_->factory();
  }
  io_ = std::make_unique<socketio::Server>(*shards_, options_.io);
  io_->attach(*http_);
}

Server::~Server() { close(); }

std::shared_ptr<service::ClusterPresence> Server::cluster_presence() {
  if (!presence_ && options_.redis)
    presence_ = std::make_shared<service::ClusterPresence>(
        service::ClusterPresence::Options{options_.redis->redis, options_.redis->key, options_.presence_ttl});
  return presence_;
}

void Server::listen() {
  if (listening_) return;
  http_->listen();
  listening_ = true;
}

void Server::start() {
  listen();
  if (!shards_->running()) shards_->start();
}

void Server::run() {
  listen();
  app::run_until_signal(*shards_, *http_, io_->engine());
}

void Server::close() {
  if (!shards_->running()) return;
  app::drain(*http_, io_->engine(), std::chrono::seconds(1));
  if (presence_) presence_->stop();
  if (cluster_) cluster_->stop();
  shards_->stop();
  shards_->join();
}

}  // namespace switchboard
