#pragma once
// One Engine.IO session (what Node calls a `Socket` of engine.io). It lives on
// one shard; call its methods on that shard's thread, where its handlers run
// too. Use net::ShardPool::post(session->shard(), ...) from elsewhere.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "engine/handshake.hpp"
#include "engine/packet.hpp"
#include "net/http_types.hpp"

namespace engine {

enum class TransportKind : std::uint8_t { polling, websocket };
std::string_view transport_name(TransportKind kind);

// What a session tells the layer above, on the session's shard.
class SessionListener {
 public:
  // A message packet: text, or binary when `binary` is set.
  virtual void on_session_message(std::string&& data, bool binary) = 0;
  // Runs once, last. Reasons as Node names them: "transport close", "transport
  // error", "ping timeout", "forced close", "server shutting down", "parse error".
  virtual void on_session_close(std::string_view reason, std::string_view description) = 0;

 protected:
  ~SessionListener() = default;
};

class Session {
 public:
  virtual ~Session() = default;

  virtual std::string_view id() const = 0;
  virtual std::size_t shard() const = 0;
  virtual const Handshake& handshake() const = 0;
  // The same, for whoever keeps it beyond a call (socket.handshake shares it).
  virtual std::shared_ptr<const Handshake> shared_handshake() const = 0;
  virtual TransportKind transport() const = 0;
  virtual bool is_open() const = 0;

  // The session holds its listener until it has closed and on_session_close
  // has run: the listener may keep a plain pointer to the session's owner.
  virtual void set_listener(std::shared_ptr<SessionListener> listener) = 0;

  // Queues a message packet. Packets queued in one loop turn leave together.
  virtual void send(std::string_view data, bool binary = false) = 0;
  // Bytes queued for this client and not yet written.
  virtual std::size_t buffered_bytes() const = 0;
  // Whether a packet sent now would leave at once: a GET is waiting (polling)
  // or the WebSocket has little unsent. Volatile packets are dropped otherwise.
  virtual bool writable() const = 0;
  // Closes the session; the close handler gets `reason`.
  virtual void close(std::string_view reason = "forced close") = 0;
};

// A listener made of two functions, for code that has no object of its own
// to listen with (one more allocation per session).
using MessageHandler = std::function<void(std::string&& data, bool binary)>;
using CloseHandler = std::function<void(std::string_view reason, std::string_view description)>;
void listen(Session& session, MessageHandler on_message, CloseHandler on_close = {});

}  // namespace engine
