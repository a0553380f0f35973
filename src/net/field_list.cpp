#include "net/field_list.hpp"

#include "net/http_types.hpp"

namespace net {

std::string_view FieldView::find(std::string_view name) const {
  for (auto [field_name, value] : *this)
    if (iequals(field_name, name)) return value;
  return {};
}

bool FieldList::operator==(const std::vector<std::pair<std::string, std::string>>& list) const {
  auto it = begin();
  for (const auto& [name, value] : list) {
    if (it == end()) return false;
    auto [n, v] = *it;
    if (n != name || v != value) return false;
    ++it;
  }
  return it == end();
}

}  // namespace net
