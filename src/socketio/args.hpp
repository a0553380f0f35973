#pragma once
// The arguments of an event or an ack: JSON values, where each binary value
// is a {"_placeholder":true,"num":N} object standing for buffers[N] (the
// protocol's own representation, so nothing is copied to encode or decode).

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socketio {

// Marks a value as binary in Args::of(...).
struct Binary {
  std::string bytes;
};

struct Args {
  boost::json::array values;
  std::vector<std::string> buffers;

  Args() = default;
  Args(boost::json::array v, std::vector<std::string> b = {}) : values(std::move(v)), buffers(std::move(b)) {}

  // Args::of("text", 42, Binary{bytes}, boost::json::object{...})
  template <class... T>
  static Args of(T&&... items) {
    Args a;
    (a.add(std::forward<T>(items)), ...);
    return a;
  }

  Args& add(Binary b);
  Args& add(boost::json::value v) {
    values.push_back(std::move(v));
    return *this;
  }
  template <class T>
  Args& add(T&& v) {
    return add(boost::json::value_from(std::forward<T>(v)));
  }

  std::size_t size() const { return values.size(); }
  const boost::json::value& operator[](std::size_t i) const { return values[i]; }
  // The bytes a placeholder stands for, or nullptr when `v` is not one.
  const std::string* binary(const boost::json::value& v) const;
};

}  // namespace socketio
