#pragma once
// Internal to engine/: the session state machine (transports, upgrade,
// heartbeat, queue). All of it runs on the session's shard.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "engine/server_state.hpp"
#include "engine/session.hpp"
#include "engine/sid.hpp"
#include "net/fifo_timer.hpp"
#include "net/websocket_connection.hpp"

namespace engine {

// The heartbeat is the session's Deadline: armed on the shard's ping-interval
// timer while waiting to ping, on its ping-timeout timer while waiting for the
// pong (no timer object per session).
class SessionImpl final : public Session,
                          public net::Deadline,
                          public net::WebSocketListener,
                          public std::enable_shared_from_this<SessionImpl> {
 public:
  // Makes its own id (generate_sid's, written in place).
  SessionImpl(std::shared_ptr<ServerState> server, std::size_t shard, Handshake handshake, TransportKind transport);

  // Session
  std::string_view id() const override { return {id_.data(), id_.size()}; }
  std::size_t shard() const override { return shard_; }
  const Handshake& handshake() const override { return handshake_; }
  // Shares the session's block (no allocation of its own).
  std::shared_ptr<const Handshake> shared_handshake() const override {
    return std::shared_ptr<const Handshake>(shared_from_this(), &handshake_);
  }
  TransportKind transport() const override { return transport_; }
  bool is_open() const override { return state_ == State::open; }
  void set_listener(std::shared_ptr<SessionListener> listener) override { listener_ = std::move(listener); }
  void send(std::string_view data, bool binary) override;
  std::size_t buffered_bytes() const override;
  bool writable() const override;
  void close(std::string_view reason) override;

  // Called by the server, on this shard.
  std::string open_packet_data() const;  // the JSON of the open packet
  void open_packet_data_to(std::string& out) const;  // the same, replacing `out`
  void start_heartbeat();
  void attach_websocket(std::shared_ptr<net::WebSocketConnection> ws);  // a WebSocket-only session
  void on_poll_get(std::shared_ptr<net::HttpExchange> exchange);
  void on_poll_post(std::shared_ptr<net::HttpExchange> exchange);
  // The handshake was counted against its client address (IpLimits): the
  // session gives it back when it ends.
  void set_ip_counted() { ip_counted_ = true; }
  // Returns false when this session cannot upgrade now (the caller answers 400).
  bool reserve_upgrade();
  void on_probe_open(std::shared_ptr<net::WebSocketConnection> ws);

 private:
  enum class State : std::uint8_t { open, closing, closed };

  void handle_packet(Packet&& packet);
  void queue(Packet packet);
  bool admit(std::size_t bytes);
  void schedule_flush();
  void flush();
  void respond_to_get(std::string payload);
  void on_get_abandoned(const std::weak_ptr<net::HttpExchange>& get);
  void watch_websocket(const std::shared_ptr<net::WebSocketConnection>& ws);
  void on_ws_message(net::WebSocketConnection& ws, std::string&& data, bool binary) override;
  void on_ws_closed(net::WebSocketConnection& ws, net::WebSocketCloseKind kind, std::string description) override;
  void on_probe_frame(std::string&& data, bool binary);
  void complete_upgrade();
  void cancel_upgrade();
  void write_to_websocket(const Packet& packet);
  bool deliver_close_to_pending_get(bool arrived_while_closing = false);
  void finish_close();
  void schedule_ping();
  void on_deadline() override;  // the heartbeat
  // The upgrade timeout, or the wait for a GET to carry the close packet.
  void start_upgrade_timer(std::chrono::milliseconds delay, void (*on_expiry)(SessionImpl&));
  void stop_upgrade_timer();

  // Long-polling state: allocated for a session that opens on polling and
  // dropped once it has upgraded. A session opened on WebSocket (most of them)
  // never has it.
  struct Polling {
    std::shared_ptr<net::HttpExchange> pending_get;
    std::vector<Packet> write_buffer;  // also what is sent before an upgrade completes
    std::size_t write_buffer_bytes = 0;
    std::shared_ptr<net::WebSocketConnection> probe;  // a WebSocket being upgraded to
    // The upgrade timeout, or the wait for a GET to carry the close packet.
    std::unique_ptr<boost::asio::steady_timer> upgrade_timer;
  };
  bool has_pending_get() const { return polling_ && polling_->pending_get; }
  bool has_queued_packets() const { return polling_ && !polling_->write_buffer.empty(); }
  void drop_queued_packets();
  bool is_probe(const net::WebSocketConnection& ws) const { return polling_ && polling_->probe.get() == &ws; }

  // Laid out without holes (200 bytes, a 224-byte heap chunk with
  // make_shared's counts): a session is small when many are idle.
  std::shared_ptr<ServerState> server_;
  std::array<char, sid_length> id_;
  std::uint32_t shard_;
  Handshake handshake_;
  TransportKind transport_;
  State state_ = State::open;
  bool upgrading_ = false;
  bool probe_answered_ = false;
  bool flush_scheduled_ = false;
  bool awaiting_pong_ = false;
  bool ip_counted_ = false;

  std::shared_ptr<net::WebSocketConnection> ws_;  // the WebSocket transport, once upgraded
  std::unique_ptr<Polling> polling_;

  std::shared_ptr<SessionListener> listener_;  // until the session has closed
};

static_assert(sizeof(SessionImpl) <= 200, "an idle session's heap chunk would grow");

}  // namespace engine
