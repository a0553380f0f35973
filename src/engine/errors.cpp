#include "engine/errors.hpp"

#include <string>

#include "net/enum_category.hpp"

namespace engine {

namespace {
const char* describe(ParseError e) {
  switch (e) {
    case ParseError::empty_packet: return "empty packet";
    case ParseError::unknown_packet_type: return "unknown packet type";
    case ParseError::invalid_base64: return "invalid base64 in binary packet";
    case ParseError::binary_not_message: return "binary data in a non-message packet";
  }
  return "unknown parse error";
}
}  // namespace

const boost::system::error_category& parse_error_category() {
  static const net::EnumCategory<ParseError> category("engine.io parse", describe);
  return category;
}

std::string_view http_error_message(HttpErrorCode code) {
  switch (code) {
    case HttpErrorCode::unknown_transport: return "Transport unknown";
    case HttpErrorCode::unknown_sid: return "Session ID unknown";
    case HttpErrorCode::bad_handshake_method: return "Bad handshake method";
    case HttpErrorCode::bad_request: return "Bad request";
    case HttpErrorCode::forbidden: return "Forbidden";
    case HttpErrorCode::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

int http_error_status(HttpErrorCode code) { return code == HttpErrorCode::forbidden ? 403 : 400; }

}  // namespace engine
