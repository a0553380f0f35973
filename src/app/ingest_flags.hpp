#pragma once
// The RabbitMQ ingestion's settings (docs/ingest.md): RABBITMQ_* flags and
// the [[route]] tables of the --config file, checked into ingest::Settings
// and the routing rules.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "ingest/rules.hpp"
#include "ingest/settings.hpp"

namespace app {

struct IngestFlags {
  std::string url;
  std::string exchange = "events";
  std::string queue = "websocket.events";
  std::string bindings;  // comma separated; empty: the defaults
  std::uint16_t prefetch = 50;
  std::string dead_letter_exchange;
  std::size_t max_message_bytes = 1 << 20;
  std::string routes_file;  // more [[route]] tables
  bool default_routes = true;
};

void add_ingest_flags(CLI::App& cli, IngestFlags& flags);

// Throws CLI::ValidationError naming the setting. `config_file` ("" for none)
// may hold [[route]] tables too.
void finish_ingest_flags(const IngestFlags& flags, const std::string& config_file, ingest::Settings& settings,
                         std::vector<ingest::Rule>& rules);

}  // namespace app
