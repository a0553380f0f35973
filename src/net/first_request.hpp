#pragma once
// Internal to net/: a new connection's first request, read on its shard's
// poller. Nearly every Socket.IO client's connection is one WebSocket
// upgrade, so that case takes the shortest way: the request head is read
// with recv() and parsed in place, the engine's handler answers it, and the
// WebSocket connection takes over the poller's watch of the fd (one
// epoll_ctl to add it, one to hand it over). No Asio socket is made for it.
// Any other first request (long-polling, the HTTP API, anything refused)
// goes to the Beast connection (http_connection.hpp) with the bytes read.

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "net/http_connection.hpp"

namespace net {

// Runs on `shard`'s thread; takes `fd` (non-blocking, just accepted) and the
// connection's count.
void start_first_request(int fd, const boost::asio::ip::tcp& protocol, std::string remote_address, std::size_t shard,
                         ShardPool& shards, std::shared_ptr<HttpShared> shared);

}  // namespace net
