// Query strings and percent-encoding (src/net/url.hpp), as the engine reads
// EIO / transport / sid, socket.handshake.query is built, and the HTTP API
// decodes path segments. The input is a request target: path, '?', query.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/handshake.hpp"
#include "net/url.hpp"
#include "socketio/handshake.hpp"

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Strict decoding (path segments) agrees with the lenient one wherever it
  // succeeds, and never grows the text.
  auto strict = net::percent_decode(input);
  auto lenient = net::percent_decode_lenient(input, false);
  FUZZ_CHECK(lenient.size() <= input.size());
  if (strict) FUZZ_CHECK(*strict == lenient);
  FUZZ_CHECK(net::percent_decode_lenient(input, true).size() == lenient.size());

  auto params = net::parse_query(input);
  std::size_t decoded = 0;
  for (const auto& [key, value] : params) decoded += key.size() + value.size();
  FUZZ_CHECK(decoded <= input.size());

  // The same bytes as the target of a handshake: socket.handshake.query and url.
  net::HttpRequest request;
  request.method = "GET";
  request.target = std::string(input);
  auto transport = std::make_shared<const engine::Handshake>(request, 0);
  FUZZ_CHECK(transport->url() == input);
  FUZZ_CHECK(transport->query() == request.query());
  socketio::Handshake handshake(transport, {});
  auto query = handshake.query();
  auto query_params = net::parse_query(request.query());
  FUZZ_CHECK(query.size() <= query_params.size());
  for (const auto& [key, value] : query_params) FUZZ_CHECK(query.contains(key));
  return 0;
}
