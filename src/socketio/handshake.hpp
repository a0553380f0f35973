#pragma once
// socket.handshake, as Node builds it on CONNECT.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "net/http_types.hpp"

namespace socketio {

struct Handshake {
  net::HeaderList headers;
  std::string time;     // like JavaScript's new Date().toString()
  std::string address;  // the client's IP address
  bool xdomain = false;  // an Origin header was sent
  bool secure = false;
  std::int64_t issued = 0;  // milliseconds since the epoch
  std::string url;
  boost::json::object query;
  boost::json::object auth;  // the CONNECT payload

  boost::json::object to_json() const;
};

}  // namespace socketio
