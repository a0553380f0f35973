#pragma once
// A strict, allocation-light parser for the head of a request without a
// body: the views point into the text parsed, which must outlive them. It
// exists for the hot path of a new connection (its WebSocket upgrade, see
// first_request.cpp). It takes only the plain form of HTTP/1.1: a token
// method, a printable target, "HTTP/1.1", CRLF line ends, fields of
// printable ASCII, Connection a token list, no Content-Length or
// Transfer-Encoding. Anything else is refused, and the caller hands the
// bytes to Beast's full parser, which answers what is wrong. So refusing is
// always safe, and accepting must agree with Beast
// (fuzz/request_head_fuzz.cpp checks both).

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

namespace net {

struct RequestHead {
  std::string_view method;
  std::string_view target;
  // Name as sent, value trimmed. Room for a browser's usual dozen fields
  // inline: the head is parsed without an allocation.
  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 16> fields;

  // The first field with this name (case-insensitive), "" when absent.
  std::string_view field(std::string_view name) const;
};

// The largest number of fields taken; a head with more goes to Beast.
inline constexpr std::size_t kMaxRequestHeadFields = 64;

// Parses `text`, which must be exactly one head: the request line, the
// fields and the empty line, ending with "\r\n\r\n". False if it is not in
// the plain form described above.
bool parse_request_head(std::string_view text, RequestHead& head);

// Whether `head` asks for a WebSocket, as Beast's websocket::is_upgrade
// decides it (GET, "upgrade" in Connection, "websocket" in Upgrade); false
// as well when those fields are not plain comma-separated tokens.
bool is_websocket_upgrade(const RequestHead& head);

}  // namespace net
