#include "engine/handshake.hpp"

namespace engine {

namespace {
constexpr std::size_t kMaxPrefix = 5;  // a varint of up to 32 bits
}  // namespace

Handshake::Handshake(const net::HttpRequest& request, std::int64_t issued_ms)
    : secure_(request.secure), issued_ms_(issued_ms) {
  // The client's address is kept only when a trusted proxy named another one.
  forwarded_ = !request.client_address.empty() && request.client_address != request.remote_address;
  std::size_t size = 2 * kMaxPrefix + request.target.size() + request.remote_address.size();
  if (forwarded_) size += kMaxPrefix + request.client_address.size();
  for (const auto& [name, value] : request.headers) size += 2 * kMaxPrefix + name.size() + value.size();
  text_.reserve(size);
  append_field(request.target);
  append_field(request.remote_address);
  if (forwarded_) append_field(request.client_address);
  headers_at_ = static_cast<std::uint32_t>(text_.size());
  for (const auto& [name, value] : request.headers) {
    append_field(name);
    append_field(value);
  }
}

// The length is a LEB128 varint: 7 bits per byte, the high bit set on every
// byte but the last. Header fields are short: one byte each, not four.
void Handshake::append_field(std::string_view value) {
  std::size_t length = value.size();
  while (length >= 0x80) {
    text_.push_back(static_cast<char>(0x80 | (length & 0x7f)));
    length >>= 7;
  }
  text_.push_back(static_cast<char>(length));
  text_.append(value);
}

std::string_view Handshake::field(std::size_t& at) const {
  std::size_t length = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<unsigned char>(text_[at++]);
    length |= std::size_t(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  std::string_view value(text_.data() + at, length);
  at += length;
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

std::string_view Handshake::client_address() const {
  if (text_.empty()) return {};
  std::size_t at = 0;
  field(at);
  auto remote = field(at);
  return forwarded_ ? field(at) : remote;
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
