#include "redis/errors.hpp"

#include "net/enum_category.hpp"

namespace redis {

namespace {
const char* describe(Errc e) {
  switch (e) {
    case Errc::not_connected:
      return "not connected to Redis";
    case Errc::connection_lost:
      return "connection to Redis lost";
    case Errc::closed:
      return "Redis connection closed";
    case Errc::write_buffer_full:
      return "Redis write buffer full";
    case Errc::invalid_command:
      return "empty Redis command";
  }
  return "unknown Redis client error";
}
}  // namespace

const boost::system::error_category& error_category() {
  static const net::EnumCategory<Errc> category("redis", describe);
  return category;
}

}  // namespace redis
