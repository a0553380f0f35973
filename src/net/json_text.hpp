#pragma once
// JSON text as JavaScript's JSON.stringify writes it. Boost.JSON 1.81 writes
// a non-finite double as `Infinity`, `-Infinity` or `NaN`, which no JSON
// parser reads: one client that sends `[1e400]` (which parses to infinity)
// would make every receiver of its relayed event fail to parse the packet and
// drop its connection. JSON.stringify writes `null` for them; so does this.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace net {

std::string json_text(const boost::json::value& value);
// The same, without first copying an object or array into a value.
std::string json_text(const boost::json::object& object);
std::string json_text(const boost::json::array& array);

}  // namespace net
