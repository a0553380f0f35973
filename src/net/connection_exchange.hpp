#pragma once
// Internal to net/: the HttpExchange of one request of a connection. Its
// calls may come from any thread; each runs on the connection's shard.
// `Connection` (HttpConnection, FirstRequest) provides, on that shard:
//   std::size_t shard() const;  executor();
//   write_response(seq, HttpResponse);  unanswered(seq);
//   hand_over_websocket(seq, target_shard, UpgradeRequest, WebSocketSettings, on_open);
//   set_on_abandoned(seq, std::function<void()>);
// where `seq` tells which request of the connection it is about, and
// `Connection::UpgradeRequest` is what it keeps of a request for an upgrade
// (Beast's request, or nothing when the connection has the head itself).

#include <atomic>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "net/http_types.hpp"
#include "net/shard_pool.hpp"
#include "net/websocket_accept.hpp"

namespace net {

template <class Connection>
class ConnectionExchange final : public HttpExchange {
 public:
  using UpgradeRequest = typename Connection::UpgradeRequest;

  ConnectionExchange(std::shared_ptr<Connection> conn, std::uint32_t seq, HttpRequest request,
                     UpgradeRequest upgrade_request)
      : conn_(std::move(conn)), seq_(seq), request_(std::move(request)), upgrade_request_(std::move(upgrade_request)) {}

  // Dropped unanswered: nobody will answer, so the connection ends rather
  // than hang until the client leaves.
  ~ConnectionExchange() override {
    if (answered_.load()) return;
    on_connection_shard([conn = conn_, seq = seq_] { conn->unanswered(seq); });
  }

  const HttpRequest& request() const override { return request_; }
  std::size_t shard() const override { return conn_->shard(); }

  void respond(HttpResponse response) override {
    if (answered_.exchange(true)) return;
    // Answering from another shard: the write belongs to the connection's thread.
    on_connection_shard([conn = conn_, seq = seq_, response = std::move(response)]() mutable {
      conn->write_response(seq, std::move(response));
    });
  }

  void accept_websocket(std::size_t target_shard, WebSocketSettings settings,
                        std::function<void(std::shared_ptr<WebSocketConnection>)> on_open) override {
    if (answered_.exchange(true)) return;
    on_connection_shard([conn = conn_, seq = seq_, target_shard, request = std::move(upgrade_request_),
                         settings = std::move(settings), on_open = std::move(on_open)]() mutable {
      conn->hand_over_websocket(seq, target_shard, std::move(request), std::move(settings), std::move(on_open));
    });
  }

  void on_abandoned(std::function<void()> on_gone) override {
    on_connection_shard([conn = conn_, seq = seq_, on_gone = std::move(on_gone)]() mutable {
      conn->set_on_abandoned(seq, std::move(on_gone));
    });
  }

 private:
  // Runs `fn` on the connection's shard: at once when called there.
  template <class Fn>
  void on_connection_shard(Fn&& fn) {
    if (ShardPool::current_shard() == conn_->shard()) return fn();
    boost::asio::post(conn_->executor(), std::forward<Fn>(fn));
  }

  std::shared_ptr<Connection> conn_;
  std::uint32_t seq_;  // which request of the connection this is
  HttpRequest request_;
  [[no_unique_address]] UpgradeRequest upgrade_request_;
  std::atomic<bool> answered_{false};
};

}  // namespace net
