#include "app/server.hpp"

#include <chrono>
#include <thread>

#include "app/run.hpp"

namespace switchboard {

Server::Server(Options options)
    : options_(std::move(options)),
      shards_(std::make_unique<net::ShardPool>(options_.threads ? options_.threads : net::default_shard_count())),
      http_(std::make_unique<net::HttpServer>(*shards_, net::HttpServerOptions{options_.host, options_.port})),
      io_(std::make_unique<socketio::Server>(*shards_, options_.io)) {
  io_->attach(*http_);
}

Server::~Server() { close(); }

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
  http_->stop_accepting();
  io_->close_all();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (io_->engine().session_count() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  shards_->stop();
  shards_->join();
}

}  // namespace switchboard
