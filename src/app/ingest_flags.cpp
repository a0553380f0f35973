#include "app/ingest_flags.hpp"

#include <fstream>
#include <sstream>

namespace app {

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::vector<ingest::Rule> rules_of(const std::string& path, const char* setting) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError(setting, "cannot read file '" + path + "'");
  std::stringstream s;
  s << in.rdbuf();
  auto r = ingest::parse_rules(s.str(), path);
  if (!r.error.empty()) throw CLI::ValidationError(setting, r.error);
  return r.rules;
}

}  // namespace

void add_ingest_flags(CLI::App& cli, IngestFlags& f) {
  cli.add_option("--rabbitmq-url", f.url,
                 "RabbitMQ to consume events from: amqp://user:password@host:5672/vhost "
                 "(unset: no ingestion)")
      ->envname("RABBITMQ_URL");
  cli.add_option("--rabbitmq-exchange", f.exchange,
                 "Topic exchange the events are published to (declared durable if absent)")
      ->envname("RABBITMQ_EXCHANGE")
      ->capture_default_str();
  cli.add_option("--rabbitmq-queue", f.queue, "Durable queue every node consumes from (competing consumers)")
      ->envname("RABBITMQ_QUEUE")
      ->capture_default_str();
  cli.add_option("--rabbitmq-bindings", f.bindings,
                 "Routing-key patterns bound to the queue, comma separated (default: order.*,payment.*,inventory.*,"
                 "product.*,notification.*,user.*,company.*,shop.*)")
      ->envname("RABBITMQ_BINDINGS");
  cli.add_option("--rabbitmq-prefetch", f.prefetch, "Unacked messages the broker gives this node at once")
      ->envname("RABBITMQ_PREFETCH")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cli.add_option("--rabbitmq-dead-letter-exchange", f.dead_letter_exchange,
                 "x-dead-letter-exchange of the queue: where not-JSON and unroutable messages go (unset: dropped)")
      ->envname("RABBITMQ_DEAD_LETTER_EXCHANGE");
  cli.add_option("--rabbitmq-max-message-size", f.max_message_bytes,
                 "Bytes; a larger message is rejected without being parsed")
      ->envname("RABBITMQ_MAX_MESSAGE_SIZE")
      ->check(CLI::Range(std::size_t{2}, std::size_t{64} << 20))
      ->capture_default_str();
  cli.add_option("--rabbitmq-routes-file", f.routes_file,
                 "TOML file of [[route]] tables, over the defaults (the --config file may hold them too)")
      ->envname("RABBITMQ_ROUTES_FILE");
  cli.add_option("--rabbitmq-default-routes", f.default_routes,
                 "Start from the built-in rules (seed 002's handlers, config/ingest-routes.toml)")
      ->envname("RABBITMQ_DEFAULT_ROUTES")
      ->capture_default_str();
}

void finish_ingest_flags(const IngestFlags& f, const std::string& config_file, ingest::Settings& s,
                         std::vector<ingest::Rule>& rules) {
  s.url = f.url;
  if (!s.url.empty() && s.url.rfind("amqp://", 0) != 0)
    throw CLI::ValidationError("--rabbitmq-url (RABBITMQ_URL)", "must start with amqp:// (amqps:// is not supported)");
  if (f.exchange.empty()) throw CLI::ValidationError("--rabbitmq-exchange (RABBITMQ_EXCHANGE)", "must be non-empty");
  if (f.queue.empty()) throw CLI::ValidationError("--rabbitmq-queue (RABBITMQ_QUEUE)", "must be non-empty");
  s.exchange = f.exchange;
  s.queue = f.queue;
  if (!f.bindings.empty()) s.bindings = split(f.bindings);
  s.prefetch = f.prefetch;
  s.dead_letter_exchange = f.dead_letter_exchange;
  s.max_message_bytes = f.max_message_bytes;
  rules = f.default_routes ? ingest::default_rules() : std::vector<ingest::Rule>{};
  if (!config_file.empty()) rules = ingest::merge_rules(std::move(rules), rules_of(config_file, "--config"));
  if (!f.routes_file.empty())
    rules =
        ingest::merge_rules(std::move(rules), rules_of(f.routes_file, "--rabbitmq-routes-file (RABBITMQ_ROUTES_FILE)"));
}

}  // namespace app
