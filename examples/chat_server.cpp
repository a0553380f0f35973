// A chat server in about 50 lines: rooms, broadcast, acks, typing indicators.
// Run it and connect with any Socket.IO v4 client to ws://localhost:3000.

#include <cstdio>
#include <string>

#include "switchboard.hpp"

using switchboard::Ack;
using switchboard::Args;

int main(int argc, char** argv) {
  switchboard::Options options = switchboard::parse_options(argc, argv);
  switchboard::Server io(options);

  // Every client must say who it is: {auth: {name: "ann"}}.
  io.use([](const switchboard::SocketPtr& socket, switchboard::Next next) {
    auto* name = socket->handshake().auth.if_contains("name");
    if (!name || !name->is_string()) return next(switchboard::ConnectError{"name required", {}});
    socket->data = *name;
    next(std::nullopt);
  });

  io.on_connection([&io](const switchboard::SocketPtr& socket) {
    std::weak_ptr<switchboard::Socket> weak = socket;
    socket->join("lobby");
    socket->to("lobby").emit("joined", Args::of(socket->data));

    socket->on("join", [weak](Args& args, Ack ack) {
      auto s = weak.lock();
      if (!s || args.size() == 0 || !args[0].is_string()) return ack(Args::of("room name required"));
      s->join(std::string(args[0].as_string()));
      ack(Args::of("ok"));
    });

    socket->on("chat", [weak](Args& args, Ack ack) {
      auto s = weak.lock();
      if (!s || args.size() < 2 || !args[0].is_string()) return;
      // To everyone in the room but the sender, with who said it.
      s->to(std::string(args[0].as_string())).emit("chat", Args::of(s->data, args[1]));
      if (ack) ack(Args::of("delivered"));
    });

    socket->on("typing", [weak](Args& args, Ack) {
      if (auto s = weak.lock(); s && args.size() && args[0].is_string())
        s->to(std::string(args[0].as_string())).volatile_().emit("typing", Args::of(s->data));
    });

    socket->on_disconnect([&io, name = socket->data](std::string_view) { io.to("lobby").emit("left", Args::of(name)); });
  });

  io.listen();
  std::printf("chat-server listening on %s:%u\n", options.host.c_str(), io.bound_port());
  std::fflush(stdout);
  io.run();
}
