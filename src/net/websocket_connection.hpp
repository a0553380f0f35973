#pragma once
// One server-side WebSocket connection, owned by one shard. Messages queued
// during one loop turn leave in a single write (STYLE.md 4).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace net {

enum class WebSocketCloseKind {
  peer_closed,  // close frame, EOF or reset from the client
  too_big,      // a message over max_message_size; closed with 1009
  error,        // any other transport failure
  local,        // we closed it
};

class WebSocketConnection;

// Who hears what a connection receives. An interface held by a weak pointer
// rather than two std::functions: an idle connection keeps 16 bytes for it
// instead of 64 plus the functions' captures.
class WebSocketListener {
 public:
  virtual void on_ws_message(WebSocketConnection& ws, std::string&& data, bool binary) = 0;
  // Runs once; nothing runs after it.
  virtual void on_ws_closed(WebSocketConnection& ws, WebSocketCloseKind kind, std::string description) = 0;

 protected:
  ~WebSocketListener() = default;
};

class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;

  // Begins reading. The listener is called on the connection's shard, while
  // it lives.
  virtual void start(std::weak_ptr<WebSocketListener> listener) = 0;
  // Queues one message: `prefix` then `data` (the prefix saves a copy for
  // Engine.IO's type digit). Call on the connection's shard.
  virtual void send(std::string_view prefix, std::string_view data, bool binary) = 0;
  void send(std::string_view data, bool binary) { send({}, data, binary); }
  // Sends what is queued, then a close frame without status, as Node does.
  virtual void close() = 0;
  // Bytes queued and not yet handed to the kernel.
  virtual std::size_t buffered_bytes() const = 0;
  virtual std::size_t shard() const = 0;
};

}  // namespace net
