#include "engine/handshake.hpp"

namespace engine {

Handshake::Handshake(const net::HttpRequest& request, std::int64_t issued_ms)
    : secure_(request.secure), issued_ms_(issued_ms) {
  // The client's address is kept only when a trusted proxy named another one.
  forwarded_ = !request.client_address.empty() && request.client_address != request.remote_address;
  std::size_t size = 2 * net::kMaxFieldPrefix + request.target.size() + request.remote_address.size();
  if (forwarded_) size += net::kMaxFieldPrefix + request.client_address.size();
  text_.reserve(size + request.headers.text().size());
  append_field(request.target);
  append_field(request.remote_address);
  if (forwarded_) append_field(request.client_address);
  headers_at_ = static_cast<std::uint32_t>(text_.size());
  text_.append(request.headers.text());  // the same form: one copy
}

void Handshake::append_field(std::string_view value) { net::append_field(text_, value); }

std::string_view Handshake::field(std::size_t& at) const { return net::read_field(text_, at); }

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

net::HeaderList Handshake::headers() const {
  net::HeaderList list;
  for_each_header([&](std::string_view name, std::string_view value) { list.emplace_back(name, value); });
  return list;
}

}  // namespace engine
