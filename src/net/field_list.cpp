#include "net/field_list.hpp"

#include "net/http_types.hpp"

namespace net {

void append_field(std::string& text, std::string_view value) {
  std::size_t length = value.size();
  while (length >= 0x80) {
    text.push_back(static_cast<char>(0x80 | (length & 0x7f)));
    length >>= 7;
  }
  text.push_back(static_cast<char>(length));
  text.append(value);
}

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
