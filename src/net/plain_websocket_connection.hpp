#pragma once
// Internal to net/: the WebSocket connection without extensions (see the .cpp).

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "net/websocket_connection.hpp"

namespace net {

// Takes a socket whose upgrade request was accepted; `handshake_answer` (the
// 101 response) is written first, with whatever is sent in the same turn.
std::shared_ptr<WebSocketConnection> open_plain_websocket(boost::asio::ip::tcp::socket socket, std::size_t shard,
                                                          std::size_t max_message_size, std::string handshake_answer);

// The same for an `fd` that no Asio object has, already watched by the
// poller of `context` (the shard's). `input_pending`: its reader so far was
// told of input (or the peer's close) and left it, for this connection to read.
std::shared_ptr<WebSocketConnection> open_plain_websocket_on_poller(boost::asio::io_context& context, int fd,
                                                                    std::size_t shard, std::size_t max_message_size,
                                                                    std::string handshake_answer, bool input_pending);

}  // namespace net
