#pragma once
// The server side of the RFC 6455 opening handshake, as text: checks the
// request's WebSocket headers and writes the 101 answer (or the refusal).

#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace net::ws {

struct UpgradeRequest {
  bool is_upgrade = false;         // GET, HTTP/1.1, Connection: upgrade, Upgrade: websocket
  std::string_view key;            // Sec-WebSocket-Key
  std::string_view version;        // Sec-WebSocket-Version
};

// base64(SHA-1(key + RFC 6455 GUID)).
std::string accept_key(std::string_view key);

struct HandshakeAnswer {
  bool accepted = false;
  std::string text;  // the whole HTTP answer
};

// The 101 answer with `extra_headers`, or 400 / 426 saying what is wrong.
HandshakeAnswer answer_handshake(const UpgradeRequest& request, const HeaderList& extra_headers);

}  // namespace net::ws
