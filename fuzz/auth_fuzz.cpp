// Who a client is, from the bytes of its handshake: the HTTP request head
// (parsed by Beast as the server parses it) becomes an engine::Handshake and
// socket.handshake; the token is taken from auth.token, "Authorization:
// Bearer", the "token" cookie or the query (auth::token_of) and verified
// (auth::Authenticator). The request body, if any, is the CONNECT payload
// (`auth`) as JSON.

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "engine/handshake.hpp"
#include "net/http_server.hpp"
#include "socketio/handshake.hpp"

#include "check.hpp"

namespace http = boost::beast::http;

namespace {

const auth::Authenticator& authenticator() {
  static const auth::Authenticator a([] {
    auth::AuthOptions o;
    o.required = true;
    o.jwt.secret = "fuzz-secret";
    o.jwt.algorithms = {"HS256", "HS384", "HS512"};
    return o;
  }());
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(net::HttpServerOptions{}.max_header_bytes));
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  if (!parser.is_done()) parser.put_eof(ec);
  const auto& breq = parser.get();

  // As http_server.cpp builds it.
  net::HttpRequest req;
  req.method = std::string(breq.method_string());
  req.target = std::string(breq.target());
  for (const auto& field : breq)
    req.headers.add({field.name_string().data(), field.name_string().size()},
                    {field.value().data(), field.value().size()});
  req.remote_address = "127.0.0.1";

  auto transport = std::make_shared<const engine::Handshake>(req, 1'700'000'000'000);
  FUZZ_CHECK(transport->headers() == req.headers);
  FUZZ_CHECK(transport->url() == req.target);
  for (const auto& [name, value] : req.headers) FUZZ_CHECK(transport->header(name) == req.header(name));

  boost::json::object auth;
  if (!ec && !breq.body().empty()) {
    boost::system::error_code json_ec;
    auto v = boost::json::parse(breq.body(), json_ec);
    if (!json_ec && v.is_object()) auth = std::move(v.as_object());
  }
  socketio::Handshake handshake(transport, std::move(auth));
  (void)handshake.to_json();
  auto token = auth::token_of(handshake);
  auto outcome = authenticator().authenticate(handshake, 1'700'000'000);
  FUZZ_CHECK(outcome.identity.has_value() != outcome.refusal.has_value());
  if (token.empty()) FUZZ_CHECK(outcome.refusal.has_value());
  return 0;
}
