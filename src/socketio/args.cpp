#include "socketio/args.hpp"

#include "socketio/packet.hpp"

namespace socketio {

Args& Args::add(Binary b) {
  values.push_back(placeholder(buffers.size()));
  buffers.push_back(std::move(b.bytes));
  return *this;
}

const std::string* Args::binary(const boost::json::value& v) const {
  const auto* o = v.if_object();
  if (!o) return nullptr;
  const auto* flag = o->if_contains("_placeholder");
  const auto* num = o->if_contains("num");
  if (!flag || !flag->is_bool() || !flag->as_bool() || !num || !(num->is_int64() || num->is_uint64())) return nullptr;
  auto n = num->to_number<std::int64_t>();
  if (n < 0 || static_cast<std::size_t>(n) >= buffers.size()) return nullptr;
  return &buffers[static_cast<std::size_t>(n)];
}

}  // namespace socketio
