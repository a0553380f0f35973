#include "engine/handshake.hpp"

#include <cstring>

namespace engine {

Handshake::Handshake(const net::HttpRequest& request, std::int64_t issued_ms)
    : secure_(request.secure), issued_ms_(issued_ms) {
  std::size_t size = 8 + request.target.size() + request.remote_address.size();
  for (const auto& [name, value] : request.headers) size += 8 + name.size() + value.size();
  text_.reserve(size);
  append_field(request.target);
  append_field(request.remote_address);
  headers_at_ = static_cast<std::uint32_t>(text_.size());
  for (const auto& [name, value] : request.headers) {
    append_field(name);
    append_field(value);
  }
}

void Handshake::append_field(std::string_view value) {
  auto length = static_cast<std::uint32_t>(value.size());
  text_.append(reinterpret_cast<const char*>(&length), sizeof length).append(value);
}

std::string_view Handshake::field(std::size_t& at) const {
  std::uint32_t length;
  std::memcpy(&length, text_.data() + at, sizeof length);
  std::string_view value(text_.data() + at + sizeof length, length);
  at += sizeof length + length;
  return value;
}

std::string_view Handshake::url() const {
  if (text_.empty()) return {};
  std::size_t at = 0;
  return field(at);
}

std::string_view Handshake::query() const {
  auto target = url();
  auto mark = target.find('?');
  return mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
}

std::string_view Handshake::remote_address() const {
  if (text_.empty()) return {};
  std::size_t at = 0;
  field(at);
  return field(at);
}

std::string_view Handshake::header(std::string_view name) const {
  for (std::size_t at = headers_at_; at < text_.size();) {
    auto field_name = field(at);
    auto value = field(at);
    if (net::iequals(field_name, name)) return value;
  }
  return {};
}

net::HeaderList Handshake::headers() const {
  net::HeaderList list;
  for_each_header([&](std::string_view name, std::string_view value) { list.emplace_back(name, value); });
  return list;
}

}  // namespace engine
