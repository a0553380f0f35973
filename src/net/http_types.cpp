#include "net/http_types.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

namespace net {

std::string_view HttpRequest::header(std::string_view name) const { return headers.find(name); }

namespace {

// One X-Forwarded-For entry, canonical, or "" when it is not an IP address.
// Accepts "1.2.3.4", "1.2.3.4:5678", "::1" and "[::1]:5678".
std::string canonical_address(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return {};
    text = text.substr(1, close - 1);
  } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == text.npos) {
    text = text.substr(0, colon);  // IPv4 with a port
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return {};
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

}  // namespace

std::string forwarded_client(std::string_view peer, std::string_view x_forwarded_for, unsigned hops) {
  bool trusted_header = hops != 0 && !x_forwarded_for.empty();
  // The peer as accept() gave it: dotted IPv4 is canonical already (no
  // parse per connection); IPv6 may be a mapped IPv4 address.
  if (!trusted_header && peer.find(':') == std::string_view::npos) return std::string(peer);
  std::string client = canonical_address(peer);
  if (client.empty()) client = std::string(peer);
  if (!trusted_header) return client;
  // Right to left: each trusted hop vouches for the entry it appended.
  std::size_t end = x_forwarded_for.size();
  for (unsigned hop = 0; hop < hops; ++hop) {
    if (end == std::string_view::npos) break;  // fewer entries than trusted hops: the leftmost is the client
    auto comma = end == 0 ? std::string_view::npos : x_forwarded_for.rfind(',', end - 1);
    std::size_t begin = comma == std::string_view::npos ? 0 : comma + 1;
    auto entry = canonical_address(x_forwarded_for.substr(begin, end - begin));
    if (entry.empty()) break;
    client = std::move(entry);
    end = comma;
  }
  return client;
}

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace net
