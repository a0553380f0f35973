#include "redis/connection.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <deque>
#include <optional>

#include "redis/protocol.hpp"

namespace redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

const char* to_string(State state) {
  switch (state) {
    case State::connecting:
      return "connecting";
    case State::ready:
      return "ready";
    case State::down:
      return "down";
    case State::closed:
      return "closed";
  }
  return "unknown";
}

namespace {

// What a queued entry waits for. A command gets exactly one reply; a pub/sub
// command gets one confirmation per channel it names (RESP2), or one error.
enum class Kind : std::uint8_t { command, subscribe, psubscribe, ssubscribe, unsubscribe, punsubscribe, sunsubscribe };

constexpr std::array<std::string_view, 7> kCommandNames = {
    "", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"};
constexpr std::array<std::string_view, 7> kConfirmationNames = {
    "", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"};

bool is_subscribe(Kind k) { return k == Kind::subscribe || k == Kind::psubscribe || k == Kind::ssubscribe; }
// Redis counts sharded subscriptions apart from channels and patterns.
bool is_sharded(Kind k) { return k == Kind::ssubscribe || k == Kind::sunsubscribe; }

std::optional<Kind> confirmation_kind(std::string_view name) {
  for (std::size_t i = 1; i < kConfirmationNames.size(); ++i)
    if (name == kConfirmationNames[i]) return static_cast<Kind>(i);
  return std::nullopt;
}

struct Pending {
  Connection::Callback callback;
  Kind kind = Kind::command;
  std::size_t confirmations = 1;   // replies still expected
  bool handshake = false;          // ours (AUTH, SELECT, resubscribe), not the user's
  std::vector<std::string> names;  // of a subscribe: forgotten if the server refuses them
};

// Commands whose replies do not follow one per command: they go through
// subscribe() and friends, which know how many confirmations to expect.
bool is_pubsub_command(std::string_view name) {
  for (std::size_t i = 1; i < kCommandNames.size(); ++i) {
    std::string_view known = kCommandNames[i];
    if (name.size() == known.size() &&
        std::equal(name.begin(), name.end(), known.begin(), [](char a, char b) { return (a & ~0x20) == b; }))
      return true;
  }
  return false;
}

struct Deferred {
  Connection::Callback callback;
  error_code ec;
  Reply reply;
};

// Reads of one socket at a time; replies are drained after each.
constexpr std::size_t kReadChunk = 16 * 1024;
// A write buffer that grew past this for one burst is given back afterwards.
constexpr std::size_t kKeptWriteCapacity = 1 << 20;

}  // namespace

// One TCP connection attempt and, if it succeeds, its life. A new Link per
// attempt: completions of an old one find it is no longer `Core::link` and do
// nothing, and the buffers an aborted operation was given stay alive with it.
struct Link {
  Link(asio::io_context& context, ReplyReader::Limits limits) : socket(context), resolver(context), reader(limits) {}
  tcp::socket socket;
  tcp::resolver resolver;
  ReplyReader reader;
  std::string writing;  // the bytes of the write in flight
  bool write_active = false;
  bool flush_posted = false;
  bool up = false;     // TCP connected and the handshake queued
  bool ready = false;  // the handshake answered
  std::array<char, kReadChunk> read_buffer;
};

struct Connection::Core : std::enable_shared_from_this<Core> {
  using Names = boost::unordered_flat_set<std::string>;

  Core(asio::io_context& c, Config cfg)
      : context(c), config(std::move(cfg)), retry_timer(c), connect_timer(c), backoff(config.reconnect_min) {}

  asio::io_context& context;
  const Config config;
  Connection* owner = nullptr;  // null once the Connection is destroyed
  StateHandler state_handler;
  std::shared_ptr<const MessageHandler> message_handler;  // copied per call: a handler may replace itself
  State state = State::connecting;
  std::string last_error;
  Stats stats;

  std::shared_ptr<Link> link;
  asio::steady_timer retry_timer;
  asio::steady_timer connect_timer;
  std::chrono::milliseconds backoff;

  // Invariant: `pending` lists, in stream order, every command whose bytes
  // are in `out`, in the link's write in flight or already sent, and whose
  // reply has not arrived.
  std::string out;
  std::uint64_t out_commands = 0;
  std::deque<Pending> pending;
  std::size_t handshake_left = 0;
  // The subscription counts the server last confirmed. In RESP2 the link is in
  // subscriber mode, where pushes may arrive, while their sum is not zero.
  long long server_subscriptions = 0;
  long long server_shard_subscriptions = 0;

  Names channels, patterns, shard_channels;
  std::deque<Callback> waiting_for_ready;  // subscription callbacks, in call order
  std::deque<Deferred> deferred;
  bool deferred_posted = false;

  Names& names_of(Kind kind) {
    switch (kind) {
      case Kind::psubscribe:
      case Kind::punsubscribe:
        return patterns;
      case Kind::ssubscribe:
      case Kind::sunsubscribe:
        return shard_channels;
      default:
        return channels;
    }
  }

  ReplyReader::Limits limits() const { return {config.max_reply_bytes, config.max_reply_elements}; }

  void set_state(State next) {
    if (state == next) return;
    state = next;
    if (auto handler = state_handler) handler(next);
  }

  // Runs `callback` from the io_context later, never inline from the call
  // that gave it. close() runs whatever is still waiting.
  void defer(Callback callback, error_code ec, Reply reply = {}) {
    if (!callback) return;
    deferred.push_back({std::move(callback), ec, std::move(reply)});
    post_deferred();
  }

  void post_deferred() {
    if (deferred_posted || deferred.empty()) return;
    deferred_posted = true;
    asio::post(context, [self = shared_from_this()] {
      self->deferred_posted = false;
      // Only this batch: callbacks deferred meanwhile get a turn of their own.
      for (std::size_t n = self->deferred.size(); n > 0 && !self->deferred.empty(); --n) {
        Deferred d = std::move(self->deferred.front());
        self->deferred.pop_front();
        d.callback(d.ec, std::move(d.reply));
      }
      self->post_deferred();
    });
  }

  // --- connecting ---------------------------------------------------------

  void connect() {
    ++stats.connect_attempts;
    auto l = std::make_shared<Link>(context, limits());
    link = l;
    auto self = shared_from_this();
    connect_timer.expires_after(config.connect_timeout);
    connect_timer.async_wait([self, l](error_code ec) {
      if (ec || l != self->link || l->ready) return;
      self->fail_link("timed out connecting to " + self->config.endpoint());
    });
    l->resolver.async_resolve(
        config.host, std::to_string(config.port), tcp::resolver::numeric_service,
        [self, l](error_code ec, tcp::resolver::results_type endpoints) {
          if (l != self->link) return;
          if (ec) return self->fail_link("cannot resolve " + self->config.host + ": " + ec.message());
          asio::async_connect(l->socket, endpoints, [self, l](error_code ec, const tcp::endpoint&) {
            if (l != self->link) return;
            if (ec) return self->fail_link("cannot connect to " + self->config.endpoint() + ": " + ec.message());
            self->on_connected();
          });
        });
  }

  void on_connected() {
    Link& l = *link;
    error_code ignored;
    l.socket.set_option(tcp::no_delay(true), ignored);  // a pipeline waits for nothing but its own turn
    l.socket.set_option(asio::socket_base::keep_alive(true), ignored);
    l.up = true;

    // AUTH and SELECT before anything else, then the remembered
    // subscriptions, all in the first write together with whatever was
    // queued while connecting.
    std::string handshake;
    std::deque<Pending> entries;
    auto add = [&](std::span<const std::string_view> args, Kind kind, std::size_t confirmations,
                   std::vector<std::string> names = {}) {
      if (!append_command(handshake, args)) return;
      entries.push_back({{}, kind, confirmations, true, std::move(names)});
    };
    if (!config.password.empty()) {
      if (config.username.empty())
        add(std::array<std::string_view, 2>{"AUTH", config.password}, Kind::command, 1);
      else
        add(std::array<std::string_view, 3>{"AUTH", config.username, config.password}, Kind::command, 1);
    }
    std::string db = std::to_string(config.db);
    if (config.db != 0) add(std::array<std::string_view, 2>{"SELECT", db}, Kind::command, 1);
    for (Kind kind : {Kind::subscribe, Kind::psubscribe, Kind::ssubscribe}) {
      const Names& names = names_of(kind);
      if (names.empty()) continue;
      std::vector<std::string_view> args;
      args.reserve(names.size() + 1);
      args.push_back(kCommandNames[static_cast<std::size_t>(kind)]);
      args.insert(args.end(), names.begin(), names.end());
      add(args, kind, names.size(), std::vector<std::string>(names.begin(), names.end()));
    }
    handshake_left = entries.size();
    out.insert(0, handshake);
    out_commands += entries.size();
    pending.insert(pending.begin(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));

    do_read(link);
    if (handshake_left == 0) become_ready();
    schedule_flush();
  }

  void on_handshake_reply(const Pending& entry, const Reply& reply) {
    if (reply.is_error() && is_subscribe(entry.kind)) {
      // Refused for good (NOPERM, or SSUBSCRIBE on Redis 6): failing the link
      // would only refuse it again on every reconnect.
      forget(entry);
    } else if (reply.is_error()) {
      // WRONGPASS, NOAUTH, "DB index is out of range": retried with backoff,
      // since an operator may be fixing the server right now.
      return fail_link("Redis at " + config.endpoint() + " refused the handshake: " + std::string(reply.str()));
    }
    if (--handshake_left == 0) become_ready();
  }

  void become_ready() {
    link->ready = true;
    connect_timer.cancel();
    backoff = config.reconnect_min;
    set_state(State::ready);
    // A handler that closed the connection already failed these.
    while (!waiting_for_ready.empty() && state == State::ready) {
      Callback callback = std::move(waiting_for_ready.front());
      waiting_for_ready.pop_front();
      if (callback) callback({}, Reply());
    }
  }

  // Ends the current link: the socket closes, every command waiting on it
  // fails, and a retry is scheduled.
  void fail_link(std::string reason) {
    if (!link || state == State::closed) return;
    auto self = shared_from_this();  // a callback may destroy the Connection
    bool was_up = link->up;
    last_error = std::move(reason);
    drop_link();

    retry_timer.expires_after(backoff);
    backoff = std::min(backoff * 2, config.reconnect_max);
    retry_timer.async_wait([self](error_code ec) {
      if (ec || self->state == State::closed) return;
      ++self->stats.reconnects;
      self->connect();
    });

    set_state(State::down);
    // Popped one by one: a callback that calls close() leaves the rest to it.
    auto lost = was_up ? Errc::connection_lost : Errc::not_connected;
    while (!pending.empty()) {
      Pending p = std::move(pending.front());
      pending.pop_front();
      if (p.handshake) continue;
      if (is_subscribe(p.kind)) {
        // Still remembered: confirmed again by the next handshake.
        waiting_for_ready.push_back(std::move(p.callback));
      } else if (p.callback) {
        // An unsubscription holds: the next handshake leaves it out.
        p.kind == Kind::command ? p.callback(lost, Reply()) : p.callback({}, Reply());
      }
    }
  }

  void drop_link() {
    if (link) {
      error_code ignored;
      link->resolver.cancel();
      link->socket.close(ignored);
      link.reset();
    }
    connect_timer.cancel();
    out.clear();
    out_commands = 0;
    handshake_left = 0;
    server_subscriptions = 0;
    server_shard_subscriptions = 0;
  }

  void protocol_error(const std::string& what) {
    ++stats.protocol_errors;
    fail_link(what + " (from " + config.endpoint() + ")");
  }

  // --- writing -------------------------------------------------------------

  void schedule_flush() {
    if (!link || !link->up || link->write_active || link->flush_posted || out.empty()) return;
    link->flush_posted = true;
    // The end of this loop turn: whatever else is queued until then joins
    // the same write.
    asio::post(context, [self = shared_from_this(), l = link] {
      l->flush_posted = false;
      if (l == self->link) self->do_write();
    });
  }

  void do_write() {
    auto l = link;
    if (l->write_active || out.empty()) return;
    l->writing.swap(out);
    out.clear();
    stats.commands_sent += out_commands;
    out_commands = 0;
    ++stats.writes;
    l->write_active = true;
    asio::async_write(l->socket, asio::buffer(l->writing),
                      [self = shared_from_this(), l](error_code ec, std::size_t n) {
                        l->write_active = false;
                        if (l != self->link) return;
                        if (ec)
                          return self->fail_link("write to " + self->config.endpoint() + " failed: " + ec.message());
                        self->stats.bytes_written += n;
                        l->writing.clear();
                        if (l->writing.capacity() > kKeptWriteCapacity) l->writing.shrink_to_fit();
                        self->do_write();  // what was queued during this write
                      });
  }

  // --- reading -------------------------------------------------------------

  void do_read(std::shared_ptr<Link> l) {
    auto& buffer = l->read_buffer;
    l->socket.async_read_some(
        asio::buffer(buffer), [self = shared_from_this(), l = std::move(l)](error_code ec, std::size_t n) {
          if (l != self->link) return;
          if (ec) {
            return self->fail_link(ec == asio::error::eof
                                       ? "Redis at " + self->config.endpoint() + " closed the connection"
                                       : "read from " + self->config.endpoint() + " failed: " + ec.message());
          }
          self->stats.bytes_read += n;
          if (!l->reader.feed({l->read_buffer.data(), n})) return self->protocol_error(l->reader.error());
          Reply reply;
          for (;;) {
            auto status = l->reader.next(reply);
            if (status == ReplyReader::Status::incomplete) break;
            if (status == ReplyReader::Status::error) return self->protocol_error(l->reader.error());
            ++self->stats.replies_received;
            self->on_reply(std::move(reply));
            if (l != self->link) return;  // closed by a callback, or the link failed
          }
          self->do_read(l);
        });
  }

  void on_reply(Reply reply) {
    const auto& e = reply.elements();
    std::string_view name = !e.empty() && e[0].is_string() ? e[0].str() : std::string_view{};

    // Pushes exist only in subscriber mode; outside it the same shape is an
    // ordinary answer (LRANGE of a list holding "message").
    if (!name.empty() && server_subscriptions + server_shard_subscriptions > 0) {
      if ((name == "message" || name == "smessage") && e.size() == 3) return deliver({}, e[1].str(), e[2].str());
      if (name == "pmessage" && e.size() == 4) return deliver(e[1].str(), e[2].str(), e[3].str());
    }

    Pending* head = pending.empty() ? nullptr : &pending.front();
    if (auto kind = confirmation_kind(name); kind && e.size() == 3) {
      if (head && head->kind == *kind) {
        note_count(*kind, e[2].as_integer());
        if (--head->confirmations > 0) return;
        return complete_front(std::move(reply));
      }
      if (server_subscriptions + server_shard_subscriptions > 0) {
        // Unasked for (a cluster moving a shard channel's slot): it changes
        // the server's count but answers none of our commands.
        note_count(*kind, e[2].as_integer());
        return;
      }
    }
    if (!head) return protocol_error("protocol error: a reply to no command");
    if (head->kind != Kind::command && !reply.is_error())
      return protocol_error("protocol error: unexpected answer to " +
                            std::string(kCommandNames[static_cast<std::size_t>(head->kind)]) + ": " +
                            reply.to_string().substr(0, 200));
    complete_front(std::move(reply));
  }

  void note_count(Kind kind, long long count) {
    (is_sharded(kind) ? server_shard_subscriptions : server_subscriptions) = count;
  }

  void complete_front(Reply reply) {
    Pending p = std::move(pending.front());
    pending.pop_front();
    if (p.handshake) return on_handshake_reply(p, reply);
    if (reply.is_error() && is_subscribe(p.kind)) forget(p);
    if (p.callback) p.callback({}, std::move(reply));
  }

  // An error answers the whole command: none of its names is subscribed.
  void forget(const Pending& entry) {
    Names& set = names_of(entry.kind);
    for (const auto& name : entry.names) set.erase(name);
  }

  void deliver(std::string_view pattern, std::string_view channel, std::string_view payload) {
    ++stats.messages_received;
    if (auto handler = message_handler) (*handler)(pattern, channel, payload);
  }

  // --- the public operations -------------------------------------------------

  void command(std::span<const std::string_view> args, Callback callback) {
    if (state == State::closed) return defer(std::move(callback), Errc::closed);
    if (state == State::down) return defer(std::move(callback), Errc::not_connected);
    if (args.empty() || is_pubsub_command(args[0])) return defer(std::move(callback), Errc::invalid_command);
    // Upper bound of the RESP encoding: "$<len>\r\n<bytes>\r\n" per argument.
    std::size_t size = 16;
    for (auto arg : args) size += arg.size() + 16;
    if (out.size() + size > config.max_write_buffer) return defer(std::move(callback), Errc::write_buffer_full);
    if (!append_command(out, args)) return defer(std::move(callback), Errc::invalid_command);
    ++out_commands;
    pending.push_back({std::move(callback), Kind::command, 1, false, {}});
    schedule_flush();
  }

  void change_subscriptions(Kind kind, std::vector<std::string> names, Callback done) {
    if (state == State::closed) return defer(std::move(done), Errc::closed);
    Names& set = names_of(kind);
    if (is_subscribe(kind)) {
      for (const auto& n : names) set.insert(n);
    } else if (names.empty()) {
      names.assign(set.begin(), set.end());
      set.clear();
    } else {
      for (const auto& n : names) set.erase(n);
    }
    if (names.empty()) return defer(std::move(done), {});
    if (!link || !link->up) {
      // Applied by the next handshake, which builds its commands from the sets.
      if (is_subscribe(kind)) {
        if (done) waiting_for_ready.push_back(std::move(done));
      } else {
        defer(std::move(done), {});
      }
      return;
    }
    // Every name is sent, even one already subscribed: the callback then
    // means "confirmed", whatever was in flight before it. Subscriptions are
    // state the caller chose, so max_write_buffer does not apply to them.
    std::vector<std::string_view> args;
    args.reserve(names.size() + 1);
    args.push_back(kCommandNames[static_cast<std::size_t>(kind)]);
    args.insert(args.end(), names.begin(), names.end());
    if (!append_command(out, args)) return defer(std::move(done), Errc::invalid_command);
    ++out_commands;
    std::size_t count = names.size();
    pending.push_back(
        {std::move(done), kind, count, false, is_subscribe(kind) ? std::move(names) : std::vector<std::string>{}});
    schedule_flush();
  }

  // `notify`: run the pending callbacks with Errc::closed and tell the state
  // handler; false when the Connection is being destroyed and its callbacks
  // may point into objects already gone.
  void close(bool notify) {
    if (state == State::closed) return;
    auto self = shared_from_this();
    drop_link();
    retry_timer.cancel();
    channels.clear();
    patterns.clear();
    shard_channels.clear();
    if (!notify) {
      state = State::closed;
      pending.clear();
      waiting_for_ready.clear();
      deferred.clear();
      state_handler = nullptr;
      message_handler.reset();
      return;
    }
    set_state(State::closed);
    // Anything these callbacks issue fails into `deferred`, drained here too.
    while (!pending.empty() || !waiting_for_ready.empty() || !deferred.empty()) {
      if (!pending.empty()) {
        Pending p = std::move(pending.front());
        pending.pop_front();
        if (p.callback && !p.handshake) p.callback(Errc::closed, Reply());
      } else if (!waiting_for_ready.empty()) {
        Callback callback = std::move(waiting_for_ready.front());
        waiting_for_ready.pop_front();
        if (callback) callback(Errc::closed, Reply());
      } else {
        Deferred d = std::move(deferred.front());
        deferred.pop_front();
        d.callback(d.ec, std::move(d.reply));
      }
    }
    state_handler = nullptr;
    message_handler.reset();
  }
};

Connection::Connection(asio::io_context& context, Config config)
    : core_(std::make_shared<Core>(context, std::move(config))) {
  core_->owner = this;
  asio::post(context, [core = core_] {
    if (core->state != State::closed) core->connect();
  });
}

Connection::~Connection() {
  core_->owner = nullptr;
  core_->close(false);
}

void Connection::on_state(StateHandler handler) { core_->state_handler = std::move(handler); }

void Connection::on_message(MessageHandler handler) {
  core_->message_handler = handler ? std::make_shared<const MessageHandler>(std::move(handler)) : nullptr;
}

void Connection::command(std::span<const std::string_view> args, Callback callback) {
  core_->command(args, std::move(callback));
}

void Connection::command(std::initializer_list<std::string_view> args, Callback callback) {
  core_->command(std::span<const std::string_view>(args.begin(), args.size()), std::move(callback));
}

void Connection::command(const std::vector<std::string>& args, Callback callback) {
  std::vector<std::string_view> views(args.begin(), args.end());
  core_->command(views, std::move(callback));
}

void Connection::subscribe(std::vector<std::string> channels, Callback done) {
  core_->change_subscriptions(Kind::subscribe, std::move(channels), std::move(done));
}
void Connection::psubscribe(std::vector<std::string> patterns, Callback done) {
  core_->change_subscriptions(Kind::psubscribe, std::move(patterns), std::move(done));
}
void Connection::ssubscribe(std::vector<std::string> channels, Callback done) {
  core_->change_subscriptions(Kind::ssubscribe, std::move(channels), std::move(done));
}
void Connection::unsubscribe(std::vector<std::string> channels, Callback done) {
  core_->change_subscriptions(Kind::unsubscribe, std::move(channels), std::move(done));
}
void Connection::punsubscribe(std::vector<std::string> patterns, Callback done) {
  core_->change_subscriptions(Kind::punsubscribe, std::move(patterns), std::move(done));
}
void Connection::sunsubscribe(std::vector<std::string> channels, Callback done) {
  core_->change_subscriptions(Kind::sunsubscribe, std::move(channels), std::move(done));
}

void Connection::close() { core_->close(true); }

void Connection::post(std::function<void(Connection&)> fn) {
  asio::post(core_->context, [core = core_, fn = std::move(fn)] {
    if (core->owner) fn(*core->owner);
  });
}

State Connection::state() const { return core_->state; }
const std::string& Connection::last_error() const { return core_->last_error; }
const Config& Connection::config() const { return core_->config; }
const Stats& Connection::stats() const { return core_->stats; }
asio::io_context& Connection::context() { return core_->context; }

}  // namespace redis
