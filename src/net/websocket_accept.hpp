#pragma once
// Internal to net/: completes a WebSocket handshake on an accepted socket.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>

#include "net/websocket_connection.hpp"

namespace net {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Runs on the thread that owns `socket`'s io_context. On success `on_open`
// gets the connection; on failure the socket is closed and nothing is called.
void accept_websocket_on(boost::asio::ip::tcp::socket socket, std::size_t shard, BeastRequest request,
                         WebSocketSettings settings,
                         std::function<void(std::shared_ptr<WebSocketConnection>)> on_open);

}  // namespace net
