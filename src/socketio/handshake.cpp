#include "socketio/handshake.hpp"

#include <boost/json/array.hpp>
#include <cctype>

namespace socketio {

boost::json::object Handshake::to_json() const {
  boost::json::object h;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    h[lower] = value;  // Node lower-cases header names
  }
  return {{"headers", std::move(h)}, {"time", time},     {"address", address}, {"xdomain", xdomain},
          {"secure", secure},        {"issued", issued}, {"url", url},         {"query", query},
          {"auth", auth}};
}

}  // namespace socketio
