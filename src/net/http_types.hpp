#pragma once
// Plain HTTP request/response values that the layers above net/ work with.
// They keep Beast out of every header but net/'s own sources.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/field_list.hpp"

namespace net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  FieldList headers;   // names as sent
  std::string body;
  std::string remote_address;  // the TCP peer
  // The client: remote_address, or with HttpServerOptions::trust_proxy the
  // address X-Forwarded-For names. What per-address limits count.
  std::string client_address;
  bool secure = false;
  bool websocket_upgrade = false;  // "Connection: upgrade" + "Upgrade: websocket"

  // The first header with this name (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
  std::string_view path() const;
  std::string_view query() const;  // after '?', without it
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  bool close_connection = false;

  HttpResponse& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// ASCII case-insensitive equality (header names). Inline: most calls compare
// with a literal of another length, which the compiler then decides at once.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Clients send header names in their usual case: one memcmp decides most
  // lookups (a byte loop cost a few instructions per byte, on every header of
  // every new connection).
  if (a == b) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// `s` without the spaces and tabs around it (HTTP's optional whitespace).
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The client address behind `hops` trusted proxies: the peer is the first
// hop, then X-Forwarded-For is read from right to left (Express's `trust
// proxy` = n). An entry that is not an IP address ends the walk at the hop
// before it, so a client cannot spoof past a proxy that appends. Addresses
// come back canonical ("::ffff:1.2.3.4" as "1.2.3.4"); `peer` as given when
// hops is 0 or the header is absent.
std::string forwarded_client(std::string_view peer, std::string_view x_forwarded_for, unsigned hops);

class WebSocketConnection;

struct WebSocketSettings {
  std::size_t max_message_size = 1'000'000;  // larger messages close with 1009
  bool permessage_deflate = false;           // off by default, as in Node's engine.io
  HeaderList response_headers;               // added to the 101 answer
};

// One HTTP request waiting for its answer. Handlers may keep it and answer
// later, from any thread (a long-polling GET is answered when data arrives).
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual const HttpRequest& request() const = 0;
  // The shard whose thread owns the TCP connection.
  virtual std::size_t shard() const = 0;
  // Sends the answer. Thread-safe; only the first call counts.
  virtual void respond(HttpResponse response) = 0;
  // Completes a WebSocket handshake for this request and runs the connection
  // on `target_shard`; `on_open` is called there once the 101 is sent.
  virtual void accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                                std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) = 0;
  // For an answer held back (a long-polling GET): `on_gone` runs once, on the
  // connection's shard, if the client closes the connection before the answer
  // is sent, at once rather than when the answer finds the socket dead.
  // Thread-safe; a later call replaces an earlier one.
  virtual void on_abandoned(std::function<void()> on_gone) = 0;
};

using HttpHandler = std::function<void(std::shared_ptr<HttpExchange>)>;

}  // namespace net
