#include "net/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <string_view>

namespace net {
namespace json = boost::json;

namespace {

void replace_non_finite(json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) v = nullptr;
      break;
    case json::kind::array:
      for (auto& e : v.get_array()) replace_non_finite(e);
      break;
    case json::kind::object:
      for (auto& [key, e] : v.get_object()) replace_non_finite(e);
      break;
    default:
      break;
  }
}

// The output names Infinity or NaN only if a double is not finite, or a
// string holds those letters: a search of the text is far cheaper than a walk
// of every value, and the rare match pays for the walk.
template <class Json>
std::string stringify(const Json& input) {
  std::string text = json::serialize(input);
  std::string_view view(text);
  if (view.find("Infinity") == std::string_view::npos && view.find("NaN") == std::string_view::npos) return text;
  json::value copy = input;
  replace_non_finite(copy);
  return json::serialize(copy);
}

}  // namespace

std::string json_text(const json::value& value) { return stringify(value); }
std::string json_text(const json::object& object) { return stringify(object); }
std::string json_text(const json::array& array) { return stringify(array); }

}  // namespace net
