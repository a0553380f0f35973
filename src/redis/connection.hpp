#pragma once
// One connection to one Redis server, on one io_context: commands pipelined
// (every command of a loop turn leaves in one write, replies are matched to
// callbacks in order), pub/sub with sharded channels, and reconnection with
// capped exponential backoff. hiredis formats and parses RESP (protocol.hpp);
// the socket is ours, so nothing here blocks.
//
// Threading: a Connection lives on its io_context's thread. Construct it
// anywhere, but call every method (and destroy it) on that thread, or before
// the io_context runs; from another thread, use post(). Every callback runs on
// that thread, never inline from the call that registered it.
//
// States: `connecting` until the first attempt succeeds or fails, then
// `ready` or `down`; retries happen while `down` (on_state fires once per
// change, not per attempt). `ready` means AUTH and SELECT succeeded and every
// remembered subscription is confirmed again.
//
// Commands by state:
// - connecting: queued, written right after the handshake;
// - ready: queued, written at the end of the loop turn;
// - down: fail at once with Errc::not_connected (the caller decides whether to
//   retry; a queue that grows while Redis is away would only replay stale work);
// - closed: fail at once with Errc::closed.
// When the link drops, commands without a reply yet fail with
// Errc::connection_lost (they may or may not have run).
//
// Subscriptions are state, not commands: they are remembered, re-issued after
// every reconnect, and may be made in any state but closed. Their callback
// runs when the server confirmed every channel (or answered an error), or, if
// the link is not up or drops first, once the connection is ready again.
//
// command() refuses the pub/sub commands (Errc::invalid_command): their
// replies do not come one per command. In subscriber mode Redis (RESP2)
// accepts only (P|S)(UN)SUBSCRIBE, PING and QUIT; other commands get an error
// reply. The Redis adapter therefore uses one connection for commands and
// publishing, another for subscriptions. A subscription the server refuses
// (an error reply, e.g. NOPERM) is forgotten, not retried.

#include <atomic>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/config.hpp"
#include "redis/errors.hpp"
#include "redis/reply.hpp"

namespace boost::asio {
class io_context;
}

namespace redis {

enum class State { connecting, ready, down, closed };
const char* to_string(State state);

// Plain counters for metrics; read from any thread.
struct Stats {
  std::atomic<std::uint64_t> commands_sent{0};      // written to the socket, handshake included
  std::atomic<std::uint64_t> replies_received{0};   // replies and pushes parsed
  std::atomic<std::uint64_t> messages_received{0};  // message, pmessage, smessage
  std::atomic<std::uint64_t> writes{0};             // socket writes (one per flushed batch)
  std::atomic<std::uint64_t> bytes_written{0};
  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<std::uint64_t> connect_attempts{0};
  std::atomic<std::uint64_t> reconnects{0};       // attempts after a failure or a loss
  std::atomic<std::uint64_t> protocol_errors{0};  // malformed or oversized replies
};

class Connection {
 public:
  // `ec` is set when the command got no reply (Errc); a Redis error answer is
  // a Reply of Type::error with no `ec`.
  using Callback = std::function<void(boost::system::error_code ec, Reply reply)>;
  // `pattern` is empty except for pmessage; the views live for the call only.
  using MessageHandler =
      std::function<void(std::string_view pattern, std::string_view channel, std::string_view payload)>;
  using StateHandler = std::function<void(State)>;

  // Starts connecting from the io_context (posted), so handlers set right
  // after construction see every state change.
  Connection(boost::asio::io_context& context, Config config);
  // close().
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void on_state(StateHandler handler);
  void on_message(MessageHandler handler);

  // One command, its arguments binary-safe: command({"SET", key, value}, cb).
  void command(std::span<const std::string_view> args, Callback callback = {});
  void command(std::initializer_list<std::string_view> args, Callback callback = {});
  void command(const std::vector<std::string>& args, Callback callback = {});

  void subscribe(std::vector<std::string> channels, Callback done = {});
  void psubscribe(std::vector<std::string> patterns, Callback done = {});
  void ssubscribe(std::vector<std::string> channels, Callback done = {});  // sharded (Redis 7)
  // Forget and leave the given channels; an empty list means all of that kind.
  void unsubscribe(std::vector<std::string> channels = {}, Callback done = {});
  void punsubscribe(std::vector<std::string> patterns = {}, Callback done = {});
  void sunsubscribe(std::vector<std::string> channels = {}, Callback done = {});

  // Stops for good: the socket is closed, reconnecting stops, and every
  // pending callback runs now with Errc::closed. After close() returns no
  // callback or handler is called again. Idempotent.
  void close();

  // Runs `fn` on the io_context's thread, unless the Connection was destroyed
  // by then. The only method safe to call from any thread.
  void post(std::function<void(Connection&)> fn);

  State state() const;
  // Why the last attempt failed or the link dropped; empty if it never did.
  const std::string& last_error() const;
  const Config& config() const;
  const Stats& stats() const;
  boost::asio::io_context& context();

 private:
  struct Core;
  std::shared_ptr<Core> core_;  // shared with the pending asynchronous operations
};

}  // namespace redis
