#include "socketio/handshake.hpp"

#include <cctype>
#include <ctime>

#include "net/url.hpp"

namespace socketio {

const engine::Handshake& Handshake::transport() const {
  static const engine::Handshake empty;
  return transport_ ? *transport_ : empty;
}

net::HeaderList Handshake::headers() const { return transport().headers(); }
std::string_view Handshake::header(std::string_view name) const { return transport().header(name); }
std::string_view Handshake::address() const { return transport().remote_address(); }
std::string_view Handshake::url() const { return transport().url(); }
bool Handshake::xdomain() const {
  bool origin = false;
  transport().for_each_header([&](std::string_view name, std::string_view) { origin |= net::iequals(name, "Origin"); });
  return origin;
}
bool Handshake::secure() const { return transport().secure(); }
std::int64_t Handshake::issued() const { return transport().issued_ms(); }

std::string Handshake::time() const {
  std::time_t t = static_cast<std::time_t>(issued() / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &tm);
  return buf;
}

boost::json::object Handshake::query() const {
  // As Node builds it (Object.fromEntries of URLSearchParams): the last of a
  // repeated key wins.
  boost::json::object out;
  for (auto& [key, value] : net::parse_query(transport().query())) out[key] = value;
  return out;
}

boost::json::object Handshake::to_json() const {
  boost::json::object h;
  transport().for_each_header([&](std::string_view name, std::string_view value) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    h[lower] = value;  // Node lower-cases header names
  });
  return {
      {"headers", std::move(h)}, {"time", time()}, {"address", address()}, {"xdomain", xdomain()}, {"secure", secure()},
      {"issued", issued()},      {"url", url()},   {"query", query()},     {"auth", auth}};
}

}  // namespace socketio
