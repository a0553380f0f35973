#pragma once
// Errors of the Engine.IO layer: parse failures of client input (typed, never
// asserts) and the HTTP error answers of the protocol.

#include <boost/system/error_code.hpp>
#include <string_view>

namespace engine {

enum class ParseError {
  empty_packet = 1,
  unknown_packet_type,
  invalid_base64,
  binary_not_message,
};

const boost::system::error_category& parse_error_category();
inline boost::system::error_code make_error_code(ParseError e) {
  return {static_cast<int>(e), parse_error_category()};
}

// The protocol's HTTP error codes (body {"code":N,"message":"..."}).
enum class HttpErrorCode {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

std::string_view http_error_message(HttpErrorCode code);
int http_error_status(HttpErrorCode code);  // 403 for forbidden, 400 for the rest

}  // namespace engine

namespace boost::system {
template <>
struct is_error_code_enum<engine::ParseError> : std::true_type {};
}  // namespace boost::system
