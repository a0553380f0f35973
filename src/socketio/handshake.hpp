#pragma once
// socket.handshake, as Node builds it on CONNECT. It shares the Engine.IO
// session's handshake (headers, URL, address) instead of copying it: every
// namespace socket of a connection points at the same one, and an idle
// connection keeps one copy of its request headers, not two.

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/session.hpp"
#include "net/http_types.hpp"

namespace socketio {

class Handshake {
 public:
  Handshake() = default;
  Handshake(std::shared_ptr<const engine::Handshake> transport, boost::json::object auth)
      : auth(std::move(auth)), transport_(std::move(transport)) {}

  net::HeaderList headers() const;  // a copy; header(name) reads without one
  // The value of a request header (case-insensitive name), "" when absent.
  std::string_view header(std::string_view name) const;
  std::string_view address() const;  // the client's IP address
  std::string_view url() const;
  bool xdomain() const;  // an Origin header was sent
  bool secure() const;
  std::int64_t issued() const;  // milliseconds since the epoch
  std::string time() const;     // like JavaScript's new Date().toString()
  boost::json::object query() const;

  boost::json::object auth;  // the CONNECT payload

  boost::json::object to_json() const;

 private:
  const engine::Handshake& transport() const;  // an empty one for a default-constructed handshake

  std::shared_ptr<const engine::Handshake> transport_;
};

}  // namespace socketio
