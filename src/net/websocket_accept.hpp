#pragma once
// Internal to net/: completes a WebSocket handshake on an accepted socket.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>

#include "net/shard_pool.hpp"
#include "net/websocket_connection.hpp"
#include "net/websocket_handshake.hpp"

namespace net {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Runs on the thread that owns `socket`'s io_context. On success `on_open`
// gets the connection; on failure the socket is closed and nothing is called.
void accept_websocket_on(boost::asio::ip::tcp::socket socket, std::size_t shard, BeastRequest request,
                         WebSocketSettings settings, std::function<void(std::shared_ptr<WebSocketConnection>)> on_open);

// The same on `target_shard`, later: `fd` (that no Asio object has and no
// poller watches) moves to that shard's io_context. An upgrade from
// long-polling goes to the shard of its session.
void accept_websocket_on_shard(ShardPool& shards, std::size_t target_shard, const boost::asio::ip::tcp& protocol,
                               int fd, BeastRequest request, WebSocketSettings settings,
                               std::function<void(std::shared_ptr<WebSocketConnection>)> on_open);

// The same for `fd`, a socket of `context` (the shard's, on its thread) that
// its poller watches and no Asio object has: the connection's first request
// was read on the poller. With permessage-deflate the socket goes to Asio.
// `input_pending`: the poller told the first request's reader of input it
// left (see open_plain_websocket_on_poller).
void accept_websocket_on_poller(boost::asio::io_context& context, int fd, const boost::asio::ip::tcp& protocol,
                                std::size_t shard, BeastRequest request, WebSocketSettings settings,
                                std::function<void(std::shared_ptr<WebSocketConnection>)> on_open, bool input_pending);

// The same without permessage-deflate, from the request's WebSocket fields
// as `upgrade` says them: no Beast request is needed (the fast path of a
// new connection, first_request.cpp).
void accept_plain_websocket_on_poller(boost::asio::io_context& context, int fd, std::size_t shard,
                                      const ws::UpgradeRequest& upgrade, const WebSocketSettings& settings,
                                      std::function<void(std::shared_ptr<WebSocketConnection>)> on_open,
                                      bool input_pending);

}  // namespace net
