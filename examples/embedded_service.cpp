// A C++ back end that embeds the realtime service (seed 000's usage): its
// business code runs on its own thread and calls emit_to_user fire and
// forget, while RealtimeService authenticates sockets and puts each in its
// user room.
//
// Clients send "order:place" {orderId}; the order worker later emits
// "order:status_updated" {orderId, status: "shipped"} to every tab of that user.

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "switchboard.hpp"

namespace json = boost::json;

struct OrderQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::pair<std::string, json::value>> orders;  // user id, order id
  bool stopping = false;
};

int main(int argc, char** argv) {
  switchboard::Options options = switchboard::parse_options(argc, argv);
  switchboard::Server io(options);

  switchboard::ServiceOptions service_options;
  const char* secret = std::getenv("JWT_SECRET");
  service_options.auth.jwt.secret = secret ? secret : "dev-secret";
  service_options.auth.required = true;
  switchboard::RealtimeService realtime(io.io(), service_options);
  realtime.on_connection([](const switchboard::SocketUser& user) {
    std::printf("hook connection user=%s socket=%s\n", user.user_id.c_str(), user.socket_id.c_str());
    std::fflush(stdout);
  });

  OrderQueue queue;
  io.on_connection([&queue](const switchboard::SocketPtr& socket) {
    std::string user = std::string(socket->data.as_object().at("userId").as_string());
    socket->on("order:place", [&queue, user](switchboard::Args& args, switchboard::Ack ack) {
      {
        std::lock_guard lock(queue.mutex);
        queue.orders.emplace_back(user, args.size() ? args[0] : json::value());
      }
      queue.ready.notify_one();
      if (ack) ack(switchboard::Args::of(json::object{{"accepted", true}}));
    });
  });

  // The business code: not a shard thread, never blocked by the network.
  std::thread worker([&] {
    std::unique_lock lock(queue.mutex);
    while (true) {
      queue.ready.wait(lock, [&] { return queue.stopping || !queue.orders.empty(); });
      if (queue.stopping) return;
      auto [user, order] = std::move(queue.orders.front());
      queue.orders.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // "shipping"
      realtime.emit_to_user(user, "order:status_updated", json::object{{"orderId", order}, {"status", "shipped"}});
      lock.lock();
    }
  });

  io.listen();
  std::printf("embedded-service listening on %s:%u\n", options.host.c_str(), io.bound_port());
  std::fflush(stdout);
  io.run();
  {
    std::lock_guard lock(queue.mutex);
    queue.stopping = true;
  }
  queue.ready.notify_one();
  worker.join();
}
