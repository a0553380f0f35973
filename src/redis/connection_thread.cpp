#include "redis/connection_thread.hpp"

namespace redis {

ConnectionThread::ConnectionThread(Config config)
    : work_(boost::asio::make_work_guard(context_)),
      connection_(std::make_unique<Connection>(context_, std::move(config))),
      thread_([this] { context_.run(); }) {}

ConnectionThread::~ConnectionThread() { stop(); }

void ConnectionThread::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::asio::post(context_, [this] {
    connection_->close();
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
  connection_.reset();
}

}  // namespace redis
