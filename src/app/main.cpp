// switchboard: the standalone real-time server.
//
// Today it serves Socket.IO v5 at /socket.io/: any Socket.IO v4 client can
// connect to its namespaces. The service features (auth, per-user rooms,
// presence, HTTP API) come next; see README.md.

#include "app/engine_flags.hpp"
#include "app/run.hpp"
#include "socketio/server.hpp"

int main(int argc, char** argv) {
  CLI::App cli{"Switchboard: a Socket.IO server in C++"};
  app::ServerFlags flags;
  flags.http.port = 3000;
  flags.engine.path = "/socket.io/";
  add_server_flags(cli, flags);
  try {
    cli.parse(argc, argv);
    app::finish_server_flags(flags);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  net::ShardPool shards(flags.threads ? flags.threads : net::default_shard_count());
  net::HttpServer http(shards, flags.http);
  socketio::ServerOptions options;
  options.engine = flags.engine;
  socketio::Server io(shards, options);
  io.attach(http);
  return app::listen_and_run("switchboard", shards, http, io.engine());
}
