#pragma once
// Where a redis::Connection connects, how it authenticates, and the limits it
// holds a server to. One plain Redis server over TCP: TLS, Sentinel and
// Cluster are not supported, and parse_redis_url() says so instead of
// connecting somewhere else.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace redis {

struct Config {
  std::string host = "localhost";
  std::uint16_t port = 6379;
  // ACL user (Redis 6+) for AUTH; empty means the legacy one-argument AUTH
  // of the default user. Sent only when `password` is set.
  std::string username;
  std::string password;
  // SELECTed right after connecting when non-zero. Pub/sub ignores it: Redis
  // channels are global, not per database.
  int db = 0;

  // Covers resolve, TCP connect and the AUTH/SELECT/resubscribe handshake: a
  // port that accepts but never answers must not hang the connection.
  std::chrono::milliseconds connect_timeout{5000};
  // Retries after a failure or a loss wait reconnect_min, doubling up to
  // reconnect_max: a restarting server is back within a second or two, and a
  // dead one costs at most one attempt per reconnect_max.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{2000};

  // The server's bytes are untrusted too. One reply (all of its strings
  // together) may not exceed max_reply_bytes, nor its arrays max_reply_elements
  // elements in total; a reply over either is a protocol error that closes the
  // link (and reconnects). 64 MiB covers any history page or adapter request
  // we read; Redis's own bulk limit is 512 MiB.
  std::size_t max_reply_bytes = 64u << 20;
  std::size_t max_reply_elements = 1u << 20;
  // Commands queued but not yet written. Past this a command fails at once
  // with Errc::write_buffer_full instead of growing memory without bound
  // while the server is slow or the link is still connecting.
  std::size_t max_write_buffer = 64u << 20;

  // "host:port/db" for logs and errors; never the password.
  std::string endpoint() const;
};

// The outcome of parse_redis_url(): `config` is meaningful when ok().
struct ParsedUrl {
  Config config;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// redis://[[user]:password@]host[:port][/db], with user and password
// percent-decoded and IPv6 hosts in brackets ("redis://[::1]:6379").
// Anything else (rediss://, redis+sentinel://, several hosts, unix sockets,
// query options, a bad port or db) is an error that says why. Never throws.
ParsedUrl parse_redis_url(std::string_view url);

}  // namespace redis
