#include "engine/errors.hpp"

#include <string>

namespace engine {

namespace {
class ParseErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "engine.io parse"; }
  std::string message(int ev) const override {
    switch (static_cast<ParseError>(ev)) {
      case ParseError::empty_packet: return "empty packet";
      case ParseError::unknown_packet_type: return "unknown packet type";
      case ParseError::invalid_base64: return "invalid base64 in binary packet";
      case ParseError::binary_not_message: return "binary data in a non-message packet";
    }
    return "unknown parse error";
  }
};
}  // namespace

const boost::system::error_category& parse_error_category() {
  static const ParseErrorCategory category;
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
