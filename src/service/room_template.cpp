#include "service/room_template.hpp"

#include <boost/json/serialize.hpp>

namespace service {

namespace json = boost::json;

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number() || v.is_bool()) return json::serialize(v);
  return {};
}

std::string template_field(std::string_view t) {
  auto open = t.find('{');
  auto close = t.find('}', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return std::string(t.substr(open + 1, close - open - 1));
}

std::vector<std::string> rooms_from_template(const std::string& room_template, const json::object& fields) {
  auto open = room_template.find('{');
  auto close = room_template.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {room_template};
  std::string prefix = room_template.substr(0, open);
  std::string suffix = room_template.substr(close + 1);
  auto* value = fields.if_contains(std::string_view(room_template).substr(open + 1, close - open - 1));
  std::vector<std::string> rooms;
  if (!value) return rooms;
  auto add = [&](const json::value& v) {
    if (auto s = scalar_text(v); !s.empty()) rooms.push_back(prefix + s + suffix);
  };
  if (value->is_array())
    for (const auto& v : value->as_array()) add(v);
  else
    add(*value);
  return rooms;
}

}  // namespace service
