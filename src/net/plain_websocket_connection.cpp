// The WebSocket connection for the common case, no permessage-deflate: our own
// RFC 6455 framing over a non-blocking socket, built for many idle clients and
// fast fan-out (issue 5):
// - no read buffer per connection: the socket is read when the kernel says it
//   is readable, into one buffer per shard; only an incomplete frame is kept;
// - no Asio socket: the shard's Poller (one epoll set) watches the raw fd, so
//   an idle connection holds no descriptor state and no pending operation;
// - no timer per connection (Engine.IO runs the heartbeat), except while a
//   close handshake waits for the client;
// - everything sent to a connection during one loop turn is framed into one
//   string and leaves in one send(), from one task per shard that flushes every
//   connection written to in that turn.

#include "net/plain_websocket_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/detail/utf8_checker.hpp>
#include <cerrno>
#include <cstdint>
#include <vector>

#include "net/connection_count.hpp"
#include "net/context_local.hpp"
#include "net/poller.hpp"
#include "net/utf8.hpp"
#include "net/websocket_frame.hpp"

namespace net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(5);

enum CloseCode : std::uint16_t {
  kNoStatus = 0,  // close frame without a body
  kNormal = 1000,
  kProtocolError = 1002,
  kInvalidPayload = 1007,
  kTooBig = 1009,
};

class PlainWebSocketConnection;

// The connections of one shard written to during the current loop turn.
struct FlushQueue {
  explicit FlushQueue(asio::io_context&) {}
  std::vector<std::shared_ptr<PlainWebSocketConnection>> connections;
  // The list being flushed. The two swap, so that their buffers are reused
  // and a turn's first write allocates nothing.
  std::vector<std::shared_ptr<PlainWebSocketConnection>> flushing;
  bool posted = false;
};

thread_local char read_chunk[kReadChunk];
constexpr std::size_t kMaxKeptFlushList = 1 << 16;  // entries (16 bytes each)

class PlainWebSocketConnection final : public WebSocketConnection,
                                       public PollTarget,
                                       public std::enable_shared_from_this<PlainWebSocketConnection>,
                                       private CountedConnection {  // MAX_CONNECTIONS; no byte
 public:
  // Takes the socket's fd away from Asio.
  PlainWebSocketConnection(tcp::socket socket, std::size_t shard, std::size_t max_message_size)
      : PlainWebSocketConnection(
            static_cast<asio::io_context&>(asio::query(socket.get_executor(), asio::execution::context)),
            release(socket), shard, max_message_size) {}

  // Takes `fd`, of a socket of `context`'s thread, that no Asio object has.
  PlainWebSocketConnection(asio::io_context& context, int fd, std::size_t shard, std::size_t max_message_size)
      : context_(context),
        flush_queue_(ContextLocal<FlushQueue>::of(context_)),
        fd_(fd),
        shard_(static_cast<std::uint32_t>(shard)),
        max_message_size_(static_cast<std::uint32_t>(std::min<std::size_t>(max_message_size, UINT32_MAX))) {}

  // The fd is in the shard's poller already (its first request was read
  // there): it becomes this connection's at once, so that no event reaches
  // the reader of the first request, which is about to go. What arrives
  // before start() is read then, and so is what the reader of the first
  // request was told of and let pass (`input_pending`).
  void take_over_poll_watch(bool input_pending) {
    watched_ = true;
    missed_read_ = input_pending;
    Poller::of(context_).retarget(fd_, this);
  }

  ~PlainWebSocketConnection() override {
    if (fd_ < 0) return;  // end() closed it, and forgot it then
    Poller::forget(fd_);
    ::close(fd_);
  }

  // Every send() and recv() passes MSG_DONTWAIT, whatever mode the fd is in.
  void open(std::string handshake_answer) {
    out_ = std::move(handshake_answer);
    schedule_flush();
  }

  void start(std::weak_ptr<WebSocketListener> listener) override {
    listener_ = std::move(listener);
    started_ = true;
    if (socket_closed()) return end(WebSocketCloseKind::error, "socket lost in the hand-over");
    if (watched_) {
      // Read later, as an event would come: the caller is still setting up.
      if (missed_read_) asio::post(context_, [self = shared_from_this()] { self->on_readable(); });
      return;
    }
    // Edge-triggered from here on; data that came before is reported at once.
    watched_ = true;
    output_watched_ = waiting_writable_;
    if (!Poller::of(context_).add(fd_, this, output_watched_))
      end(WebSocketCloseKind::error, std::string("epoll: ") + std::strerror(errno));
  }

  void on_poll_events(std::uint32_t events) override {
    auto keep_alive = shared_from_this();
    if (!started_ && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
      missed_read_ = true;  // nobody to hear it yet: start() reads
      events &= ~static_cast<std::uint32_t>(EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
      on_readable(/*until_eagain=*/(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && waiting_writable_ && !socket_closed()) {
      waiting_writable_ = false;
      write_now();
    }
  }

  void send(std::string_view prefix, std::string_view data, bool binary) override {
    if (closing_) return;
    char header[10];
    std::size_t n =
        ws::write_frame_header(header, binary ? ws::Opcode::binary : ws::Opcode::text, prefix.size() + data.size());
    out_.reserve(out_.size() + n + prefix.size() + data.size());
    out_.append(header, n).append(prefix).append(data);
    schedule_flush();
  }

  // Sends what is queued, then a close frame without status (as Node does),
  // and waits for the client's close frame or EOF.
  void close() override { begin_close(kNoStatus, WebSocketCloseKind::local, "closed by server", true); }

  std::size_t buffered_bytes() const override { return out_.size() - out_sent_; }
  std::size_t shard() const override { return shard_; }

  // Runs once per loop turn on the shard, for every connection written to.
  void flush() {
    flush_queued_ = false;
    if (!waiting_writable_) write_now();
  }

 private:
  // ---- writing ----

  void schedule_flush() {
    if (flush_queued_ || socket_closed()) return;
    flush_queued_ = true;
    flush_queue_.connections.push_back(shared_from_this());
    if (flush_queue_.posted) return;
    flush_queue_.posted = true;
    asio::post(context_, [&queue = flush_queue_] {
      queue.flushing.swap(queue.connections);  // a flush may queue its connection again
      queue.posted = false;
      for (auto& c : queue.flushing) c->flush();
      queue.flushing.clear();
      if (queue.flushing.capacity() > kMaxKeptFlushList) queue.flushing = {};  // after a fan-out to very many
    });
  }

  void write_now() {
    while (out_sent_ < out_.size()) {
      ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        out_sent_ += static_cast<std::size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // The poller reports EPOLLOUT from the first time on (Poller::add
        // watches input only); start() adds a socket not watched yet so.
        if (watched_ && !output_watched_ && !(output_watched_ = Poller::of(context_).watch_output(fd_)))
          return end(WebSocketCloseKind::error, std::string("epoll: ") + std::strerror(errno));
        waiting_writable_ = true;  // until the poller reports EPOLLOUT
        return;
      }
      return end(WebSocketCloseKind::error, std::string("write: ") + std::strerror(errno));
    }
    out_sent_ = 0;
    std::string().swap(out_);  // an idle connection keeps no buffer
    if (close_after_flush_) after_close_frame_sent();
  }

  // ---- reading ----

  // Reads until the kernel has nothing more (the poller is edge-triggered),
  // but at most a few chunks per turn, so that one busy client cannot starve
  // the others: the rest is read in a later turn. A read that did not fill
  // the chunk emptied the socket, and bytes that come later bring a new edge:
  // no second recv() to hear EAGAIN. Unless the peer closed: its EOF may wait
  // behind the bytes, with no edge to come.
  void on_readable(bool until_eagain = true) {
    if (stop_reading_ || socket_closed()) return;
    for (int reads = 0; reads < 4; ++reads) {
      ssize_t n = ::recv(fd_, read_chunk, kReadChunk, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n == 0) return end(WebSocketCloseKind::peer_closed, "end of stream");
      if (n < 0) {
        auto kind = errno == ECONNRESET ? WebSocketCloseKind::peer_closed : WebSocketCloseKind::error;
        return end(kind, std::string("read: ") + std::strerror(errno));
      }
      if (!consume(read_chunk, static_cast<std::size_t>(n))) return;
      if (static_cast<std::size_t>(n) < kReadChunk && !until_eagain) return;
    }
    asio::post(context_, [self = shared_from_this()] { self->on_readable(); });
  }

  // What a read left incomplete, allocated only then: most connections
  // receive whole frames of whole messages.
  struct Incomplete {
    std::string frame;    // an incomplete frame from the last read
    std::string message;  // the fragments of a message in progress
  };

  // Handles the complete frames of the kept partial frame + the new bytes;
  // keeps the rest. Returns false once the connection stopped reading.
  bool consume(char* data, std::size_t size) {
    bool from_partial = incomplete_ && !incomplete_->frame.empty();
    if (from_partial) {
      incomplete_->frame.append(data, size);
      data = incomplete_->frame.data();
      size = incomplete_->frame.size();
    }
    std::size_t at = 0;
    while (at < size && !stop_reading_) {
      ws::FrameHeader header;
      if (!ws::parse_frame_header(data + at, size - at, header)) break;
      if (const char* violation = ws::frame_header_violation(header, message_open_))
        return protocol_error(kProtocolError, violation);
      bool control = header.opcode >= 8;
      std::size_t gathered = incomplete_ ? incomplete_->message.size() : 0;
      if (!control && gathered + header.length > max_message_size_) return protocol_error(kTooBig, "");
      if (size - at - header.size < header.length) break;  // the payload is not all here yet
      on_frame(header, data + at + header.size);
      at += header.size + header.length;
    }
    if (stop_reading_) return false;
    // Keep the incomplete frame; free the buffers when nothing is left.
    if (from_partial)
      incomplete_->frame.erase(0, at);
    else if (at < size)
      incomplete().frame.assign(data + at, size - at);
    if (incomplete_ && incomplete_->frame.empty() && incomplete_->message.empty()) incomplete_.reset();
    return true;
  }

  Incomplete& incomplete() {
    if (!incomplete_) incomplete_ = std::make_unique<Incomplete>();
    return *incomplete_;
  }

  void on_frame(const ws::FrameHeader& header, const char* payload) {
    auto opcode = static_cast<ws::Opcode>(header.opcode);
    std::size_t length = static_cast<std::size_t>(header.length);
    switch (opcode) {
      case ws::Opcode::ping: {
        if (closing_) return;
        char h[10];
        out_.append(h, ws::write_frame_header(h, ws::Opcode::pong, length));
        std::size_t at = out_.size();
        out_.resize(at + length);
        ws::unmask_copy(out_.data() + at, payload, length, header.mask);
        return schedule_flush();
      }
      case ws::Opcode::pong:
        return;
      case ws::Opcode::close:
        return on_close_frame(header, payload);
      case ws::Opcode::text:
      case ws::Opcode::binary:
        message_binary_ = opcode == ws::Opcode::binary;
        [[fallthrough]];
      case ws::Opcode::continuation: {
        if (closing_) return;  // after our close frame, data is dropped
        // A message in one frame (the usual case) is unmasked straight into
        // the string handed over; fragments gather in incomplete_ (freed by
        // consume(), which may be reading from it).
        std::string message;
        std::string& gather = (message_open_ || !header.fin) ? incomplete().message : message;
        std::size_t old = gather.size();
        gather.resize(old + length);
        ws::unmask_copy(gather.data() + old, payload, length, header.mask);
        message_open_ = !header.fin;
        if (message_open_) return;
        if (&gather != &message) std::swap(message, gather);
        if (!message_binary_ && !is_ascii(message) &&
            !boost::beast::websocket::detail::check_utf8(message.data(), message.size()))
          return (void)protocol_error(kInvalidPayload, "invalid UTF-8 in a text message");
        if (auto listener = listener_.lock()) listener->on_ws_message(*this, std::move(message), message_binary_);
        return;
      }
    }
  }

  void on_close_frame(const ws::FrameHeader& header, const char* payload) {
    if (closing_) {
      // The client answered our close frame: done.
      return end(pending_kind_, pending_description_);
    }
    std::uint16_t code = kNoStatus;
    if (header.length >= 2) {
      char body[2];
      ws::unmask_copy(body, payload, 2, header.mask);
      code = static_cast<std::uint16_t>((std::uint8_t(body[0]) << 8) | std::uint8_t(body[1]));
    }
    // Echo the status, then close the TCP connection once it is sent.
    begin_close(code, WebSocketCloseKind::peer_closed, "close frame from client", false);
    stop_reading_ = true;
  }

  bool protocol_error(std::uint16_t code, const char* what) {
    auto kind = code == kTooBig ? WebSocketCloseKind::too_big : WebSocketCloseKind::error;
    begin_close(code, kind, code == kTooBig ? "message too big" : what, false);
    stop_reading_ = true;
    return false;
  }

  // ---- closing ----

  // Queues the close frame after everything already queued. `wait_for_peer`:
  // after sending it, wait (bounded) for the client's close frame or EOF
  // instead of closing at once.
  void begin_close(std::uint16_t code, WebSocketCloseKind kind, const char* description, bool wait_for_peer) {
    if (closing_ || socket_closed()) return;
    closing_ = true;
    pending_kind_ = kind;
    pending_description_ = description;
    wait_for_peer_ = wait_for_peer;
    close_after_flush_ = true;
    ws::append_close_frame(out_, code);
    schedule_flush();
  }

  void after_close_frame_sent() {
    close_after_flush_ = false;
    if (!wait_for_peer_) return end(pending_kind_, pending_description_);
    ::shutdown(fd_, SHUT_WR);
    close_timer_ = std::make_unique<asio::steady_timer>(context_, kCloseHandshakeTimeout);
    close_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->end(self->pending_kind_, self->pending_description_);
    });
  }

  // Closes the socket and reports the end, once; then forgets the listener.
  void end(WebSocketCloseKind kind, std::string description) {
    if (closing_ && kind != pending_kind_ && kind != WebSocketCloseKind::error) kind = pending_kind_;
    if (!socket_closed()) {
      closing_ = true;
      stop_reading_ = true;
      Poller::forget(fd_);
      ::shutdown(fd_, SHUT_RDWR);
      ::close(fd_);  // leaves the poller's set too
      fd_ = -1;
      if (close_timer_) close_timer_->cancel();
      std::string().swap(out_);
      out_sent_ = 0;
      incomplete_.reset();  // consume() stops at once: stop_reading_ is set
    }
    if (reported_ || !started_) return;  // before start(), start() reports it
    reported_ = true;
    auto listener = std::exchange(listener_, {}).lock();
    if (listener) listener->on_ws_closed(*this, kind, std::move(description));
  }

  bool socket_closed() const { return fd_ < 0; }

  static int release(tcp::socket& socket) {
    boost::system::error_code ec;
    int fd = socket.release(ec);
    return ec ? -1 : fd;
  }

  // Laid out to 152 bytes, which with make_shared's counts fill a 176-byte
  // heap chunk (160 took 192): an idle connection's memory.
  asio::io_context& context_;
  FlushQueue& flush_queue_;
  int fd_ = -1;  // -1 once closed, or when the hand-over lost it
  std::uint32_t shard_;
  std::uint32_t max_message_size_;  // larger settings are capped at 4 GiB
  WebSocketCloseKind pending_kind_ = WebSocketCloseKind::local;
  std::string out_;  // framed bytes not yet taken by the kernel, from out_sent_ on
  std::size_t out_sent_ = 0;
  std::unique_ptr<Incomplete> incomplete_;  // see Incomplete
  const char* pending_description_ = "";    // a literal: every close reason is one
  std::unique_ptr<asio::steady_timer> close_timer_;
  std::weak_ptr<WebSocketListener> listener_;
  // The flags of the message path, a byte each; those of the start and the
  // close, a bit each.
  bool message_open_ = false, message_binary_ = false;
  bool flush_queued_ = false, waiting_writable_ = false;
  bool stop_reading_ = false;
  bool closing_ : 1 = false, close_after_flush_ : 1 = false, wait_for_peer_ : 1 = false, reported_ : 1 = false;
  bool started_ : 1 = false, watched_ : 1 = false, missed_read_ : 1 = false, output_watched_ : 1 = false;
};

static_assert(sizeof(PlainWebSocketConnection) <= 152, "an idle connection's heap chunk would grow");

}  // namespace

std::shared_ptr<WebSocketConnection> open_plain_websocket(tcp::socket socket, std::size_t shard,
                                                          std::size_t max_message_size, std::string handshake_answer) {
  auto conn = std::make_shared<PlainWebSocketConnection>(std::move(socket), shard, max_message_size);
  conn->open(std::move(handshake_answer));
  return conn;
}

std::shared_ptr<WebSocketConnection> open_plain_websocket_on_poller(asio::io_context& context, int fd,
                                                                    std::size_t shard, std::size_t max_message_size,
                                                                    std::string handshake_answer, bool input_pending) {
  auto conn = std::make_shared<PlainWebSocketConnection>(context, fd, shard, max_message_size);
  conn->take_over_poll_watch(input_pending);
  conn->open(std::move(handshake_answer));
  return conn;
}

}  // namespace net
