// A program that embeds Switchboard's RealtimeService, built against an
// installed prefix (tests/package/consumer_test.sh builds it with CMake and
// with pkg-config). Listens on 127.0.0.1:PORT, answers "echo" with an ack of
// what it got, and prints "consumer ready <port> <version>" once it listens.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <switchboard.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  switchboard::Server io({.host = "127.0.0.1", .port = static_cast<std::uint16_t>(std::atoi(argv[1])), .threads = 2});
  switchboard::ServiceOptions options;  // no JWT key: anonymous clients
  switchboard::RealtimeService realtime(io.io(), options);
  io.on_connection([](const switchboard::SocketPtr& socket) {
    socket->on("echo", [](switchboard::Args& args, switchboard::Ack ack) {
      if (ack) ack(args);
    });
  });
  io.listen();
  std::printf("consumer ready %u %s\n", io.bound_port(), std::string(switchboard::version()).c_str());
  std::fflush(stdout);
  io.run();  // until SIGINT / SIGTERM
}
