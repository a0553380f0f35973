#pragma once
// Name and value pairs (a request's header fields) in one buffer: each
// string is its length, a LEB128 varint (one byte below 128), then its
// bytes. One allocation for all the fields of a request instead of one or
// two per field, and a copy of the whole list is one append (the engine's
// Handshake keeps its fields in the same form).

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net {

// The most bytes append_field puts in front of a field (a 32-bit length).
inline constexpr std::size_t kMaxFieldPrefix = 5;

// Appends `value` with its length in front (a varint: one byte below 128).
// Inline: a new connection's head appends a dozen.
inline void append_field(std::string& text, std::string_view value) {
  char prefix[kMaxFieldPrefix + 5];  // room for any size_t, should one pass 4 GiB
  std::size_t n = 0;
  for (std::size_t length = value.size();; length >>= 7) {
    if (length < 0x80) {
      prefix[n++] = static_cast<char>(length);
      break;
    }
    prefix[n++] = static_cast<char>(0x80 | (length & 0x7f));
  }
  text.append(prefix, n).append(value);
}
// Reads the field at `at` and moves `at` past it. `text` must hold one.
// Inline: every header lookup walks the fields with it.
inline std::string_view read_field(std::string_view text, std::size_t& at) {
  std::size_t length = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(text[at++]);
    length |= std::size_t(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  std::string_view value = text.substr(at, length);
  at += length;
  return value;
}
// Fields in this form, read only: a FieldList's, or the header part of the
// engine's Handshake.
class FieldView {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = FieldView::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    const_iterator(std::string_view text, std::size_t at) : text_(text), at_(at) {}
    value_type operator*() const {
      std::size_t at = at_;
      auto name = read_field(text_, at);
      return {name, read_field(text_, at)};
    }
    const_iterator& operator++() {
      read_field(text_, at_);
      read_field(text_, at_);
      return *this;
    }
    bool operator==(const const_iterator& other) const { return at_ == other.at_; }
    bool operator!=(const const_iterator& other) const { return at_ != other.at_; }

   private:
    std::string_view text_;
    std::size_t at_;
  };

  explicit FieldView(std::string_view text) : text_(text) {}
  const_iterator begin() const { return {text_, 0}; }
  const_iterator end() const { return {text_, text_.size()}; }
  bool empty() const { return text_.empty(); }
  // The first value of `name` (case-insensitive), or "" when absent.
  std::string_view find(std::string_view name) const;

 private:
  std::string_view text_;
};

class FieldList {
 public:
  using value_type = FieldView::value_type;
  using const_iterator = FieldView::const_iterator;

  FieldList() = default;
  FieldList(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    for (const auto& [name, value] : fields) add(name, value);
  }

  // Room for `fields` fields of `bytes` bytes of names and values in all.
  void reserve(std::size_t fields, std::size_t bytes) { text_.reserve(text_.size() + bytes + 2 * fields); }
  void add(std::string_view name, std::string_view value) {
    append_field(text_, name);
    append_field(text_, value);
  }
  void clear() { text_.clear(); }
  bool empty() const { return text_.empty(); }

  FieldView view() const { return FieldView(text_); }
  std::string_view find(std::string_view name) const { return view().find(name); }
  const_iterator begin() const { return view().begin(); }
  const_iterator end() const { return view().end(); }
  // The encoded fields, to append to a buffer of the same form.
  const std::string& text() const { return text_; }

  // Same fields in the same order (names compared as sent).
  bool operator==(const std::vector<std::pair<std::string, std::string>>& list) const;

 private:
  std::string text_;
};

}  // namespace net
