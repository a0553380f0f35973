// The in-place request head parser of a new connection (net/request_head),
// against Beast's parser, which the server falls back to: whatever ours
// takes, Beast must take as the same request (method, target, every field
// with its value), with nothing more to read, and tell an upgrade the same.
// Ours may refuse what Beast takes: that costs only speed.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/http_server.hpp"
#include "net/request_head.hpp"

#include "check.hpp"

namespace http = boost::beast::http;

namespace {
std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  net::RequestHead head;
  if (!net::parse_request_head(text, head)) return 0;

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(size));
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
  FUZZ_CHECK(!ec && parser.is_done() && used == size);
  const auto& request = parser.get();
  FUZZ_CHECK(view(request.method_string()) == head.method);
  FUZZ_CHECK(view(request.target()) == head.target);
  FUZZ_CHECK(request.version() == 11);
  std::size_t i = 0;
  for (const auto& field : request) {
    FUZZ_CHECK(i < head.fields.size());
    FUZZ_CHECK(view(field.name_string()) == head.fields[i].first);
    FUZZ_CHECK(view(field.value()) == head.fields[i].second);
    ++i;
  }
  FUZZ_CHECK(i == head.fields.size());
  if (net::is_websocket_upgrade(head)) FUZZ_CHECK(boost::beast::websocket::is_upgrade(request));
  return 0;
}
