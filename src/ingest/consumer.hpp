#pragma once
// The RabbitMQ consumer (rabbitmq-c 0.11) on a thread of its own: connects,
// declares the exchange and the queue, binds, consumes with manual acks and
// hands each message to Ingest. A message is acked after its emits were
// handed to the adapter; a not-JSON or unroutable one is rejected without
// requeue (to the dead-letter exchange). Broker down or lost: reconnects with
// a capped backoff, declares and binds again; logs once per state change.
// Never touches a shard: the emits are posts.

#include <atomic>
#include <boost/json/object.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ingest/ingest.hpp"
#include "ingest/settings.hpp"

namespace ingest {

enum class ConsumerState { disconnected, connecting, consuming };
const char* to_string(ConsumerState s);

class Consumer {
 public:
  Consumer(Settings settings, Ingest& ingest);
  ~Consumer();  // stop()
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void start();
  // Returns within about 250 ms: the thread checks between waits. Unacked
  // messages go back to the queue when the connection closes.
  void stop();

  ConsumerState state() const { return state_.load(); }
  std::string last_error() const;
  // /health's "ingest" object: state, queue, exchange, counters, lastError.
  boost::json::object status_json() const;

 private:
  void run();
  // One connection's life; returns the reason it ended ("" for a stop).
  std::string session();
  void set_state(ConsumerState s, const std::string& error = "");
  void pause(std::chrono::milliseconds delay);

  Settings settings_;
  Ingest& ingest_;
  std::atomic<ConsumerState> state_{ConsumerState::disconnected};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // last_error_, and the wait between attempts
  std::condition_variable wake_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace ingest
