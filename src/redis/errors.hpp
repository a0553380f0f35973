#pragma once
// Why a command got no reply from the server. An error *reply* ("-ERR ...")
// is not one of these: it arrives as a Reply of Type::error with no error code.

#include <boost/system/error_code.hpp>

namespace redis {

enum class Errc {
  not_connected = 1,  // issued while the connection was down: failed at once, never sent
  connection_lost,    // sent (or queued) when the link dropped; it may or may not have run
  closed,             // close() was called
  write_buffer_full,  // Config::max_write_buffer reached
  invalid_command,    // no arguments, or a pub/sub command given to command() (use subscribe())
};

const boost::system::error_category& error_category();
inline boost::system::error_code make_error_code(Errc e) { return {static_cast<int>(e), error_category()}; }

}  // namespace redis

namespace boost::system {
template <>
struct is_error_code_enum<redis::Errc> : std::true_type {};
}  // namespace boost::system
