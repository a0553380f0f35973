// The in-place request head parser of a new connection (net/request_head),
// against Beast's parser, which the server falls back to: whatever ours
// takes, Beast must take as the same request (method, target, every field
// with its value, in the order sent per name), with nothing more to read,
// and tell an upgrade the same.
// Ours may refuse what Beast takes: that costs only speed.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  // Beast files a repeated field after the others of its name; ours keeps
  // the order sent. Per name, the values must come in the same order.
  using Fields = std::vector<std::pair<std::string, std::string>>;
  auto by_name = [](Fields fields) {
    for (auto& [name, value] : fields)
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return fields;
  };
  Fields ours, beasts;
  for (const auto& [name, value] : head.fields) ours.emplace_back(name, value);
  for (const auto& field : request) beasts.emplace_back(view(field.name_string()), view(field.value()));
  FUZZ_CHECK(by_name(ours) == by_name(beasts));
  if (net::is_websocket_upgrade(head)) FUZZ_CHECK(boost::beast::websocket::is_upgrade(request));
  return 0;
}
