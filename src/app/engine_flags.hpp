#pragma once
// Command-line flags for the Engine.IO and listener settings, shared by the
// daemon and the examples so that every program spells them the same way.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "engine/options.hpp"
#include "net/http_server.hpp"

namespace app {

struct ServerFlags {
  net::HttpServerOptions http;
  engine::ServerOptions engine;
  std::size_t threads = 0;  // 0: one per core
  std::string transports = "polling,websocket";
  std::string cors_origins;  // comma separated; "*" for any
};

void add_server_flags(CLI::App& cli, ServerFlags& flags);
// "a,b,,c" -> {"a","b","c"}: the list settings' syntax.
std::vector<std::string> split_commas(const std::string& text);
// Turns the parsed text flags into options; throws CLI::ValidationError.
void finish_server_flags(ServerFlags& flags);
// Parses argv into `flags` (add_server_flags must have run): returns the
// exit code to leave with (after --help or a bad flag), or -1 to run.
int parse_server_flags(CLI::App& cli, ServerFlags& flags, int argc, char** argv);

}  // namespace app
