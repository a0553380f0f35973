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

#include <array>
#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace net {

// The fields an upgrade reads, found once by the parse instead of by a walk
// over every field per lookup.
enum class KnownField : std::uint8_t {
  connection,
  upgrade,
  sec_websocket_key,
  sec_websocket_version,
  sec_websocket_extensions,
  count
};

struct RequestHead {
  std::string_view method;
  std::string_view target;
  // Name as sent, value trimmed. Room for a browser's usual dozen fields
  // inline: the head is parsed without an allocation.
  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 16> fields;
  // For each KnownField, 1 + the index of its first field, 0 when absent.
  std::array<std::uint8_t, static_cast<std::size_t>(KnownField::count)> known{};

  // The first field with this name (case-insensitive), "" when absent.
  std::string_view field(std::string_view name) const;
  // The same for a known field, without the walk.
  std::string_view field(KnownField which) const {
    auto at = known[static_cast<std::size_t>(which)];
    return at == 0 ? std::string_view() : fields[at - 1].second;
  }
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
