// The server side of the WebSocket opening handshake: a request head, parsed
// by Beast as the server parses it, is checked and answered as
// net::accept_websocket_on does it (src/net/websocket_connection.cpp), with
// the CORS headers that the engine adds for the request's Origin. Whatever
// the request, the answer must be one well-formed HTTP response, and a 101
// must carry the right Sec-WebSocket-Accept.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/cors.hpp"
#include "net/http_server.hpp"
#include "net/websocket_handshake.hpp"

#include "check.hpp"

namespace http = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(net::HttpServerOptions{}.max_header_bytes));
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& request = parser.get();

  net::ws::UpgradeRequest upgrade;
  upgrade.is_upgrade = boost::beast::websocket::is_upgrade(request);
  upgrade.key = view(request[http::field::sec_websocket_key]);
  upgrade.version = view(request[http::field::sec_websocket_version]);

  static const engine::CorsOptions any{{"*"}, false};
  static const engine::CorsOptions listed{{"https://app.example.com", "http://localhost:5173"}, true};
  auto origin = view(request[http::field::origin]);
  for (const auto* cors : {&any, &listed}) {
    auto answer = net::ws::answer_handshake(upgrade, engine::cors_headers(*cors, origin));
    http::response_parser<http::string_body> response;
    response.eager(true);
    boost::beast::error_code response_ec;
    std::size_t used = response.put(boost::asio::buffer(answer.text), response_ec);
    FUZZ_CHECK(!response_ec && response.is_header_done());
    if (answer.accepted) {
      FUZZ_CHECK(used == answer.text.size());
      FUZZ_CHECK(response.get().result_int() == 101);
      FUZZ_CHECK(view(response.get()[http::field::sec_websocket_accept]) == net::ws::accept_key(upgrade.key));
    } else {
      if (!response.is_done()) response.put_eof(response_ec);
      FUZZ_CHECK(!response_ec && response.is_done() && response.get().result_int() >= 400);
    }
  }
  return 0;
}
