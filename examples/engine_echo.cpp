// A plain Engine.IO server, as Node's `engine.io` package gives: every
// message, text or binary, is echoed back. Serves /engine.io/ by default.
//
// Test hooks (used by tests/e2e): a text message "close-me" makes the server
// close the session; a handshake with "deny=1" in its query is refused by the
// allow_request hook; every session prints "open <sid> <transport>" and
// "close <sid> <reason>" on stdout, so tests see the close reasons.

#include <cstdio>

#include "app/engine_flags.hpp"
#include "app/run.hpp"
#include "engine/server.hpp"

int main(int argc, char** argv) {
  CLI::App cli{"Engine.IO v4 echo server"};
  app::ServerFlags flags;
  flags.http.port = 3001;
  add_server_flags(cli, flags);
  if (int code = app::parse_server_flags(cli, flags, argc, argv); code >= 0) return code;
  flags.engine.allow_request = [](const net::HttpRequest& req) -> std::optional<std::string> {
    if (req.query().find("deny=1") != std::string_view::npos) return "Denied by allow_request";
    return std::nullopt;
  };

  net::ShardPool shards(flags.threads);
  net::HttpServer http(shards, flags.http);
  engine::Server server(shards, flags.engine);
  server.attach(http);
  server.on_connection([](std::shared_ptr<engine::Session> session) {
    engine::Session* raw = session.get();  // handlers run on the session's shard while it lives
    std::printf("open %s %s\n", std::string(raw->id()).c_str(),
                std::string(engine::transport_name(raw->transport())).c_str());
    std::fflush(stdout);
    engine::listen(
        *session,
        [raw](std::string&& data, bool binary) {
          if (!binary && data == "close-me") return raw->close("forced close");
          raw->send(std::move(data), binary);
        },
        [id = std::string(raw->id())](std::string_view reason, std::string_view) {
          std::printf("close %s %.*s\n", id.c_str(), static_cast<int>(reason.size()), reason.data());
          std::fflush(stdout);
        });
  });
  return app::listen_and_run("engine-echo", shards, http, server);
}
