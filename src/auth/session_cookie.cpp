#include "auth/session_cookie.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "net/http_types.hpp"
#include "net/url.hpp"

namespace auth {

namespace {

std::string signature(std::string_view sid, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(sid.data()),
       sid.size(), mac, &length);
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(length));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

}  // namespace

std::string cookie_value(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    auto end = cookies.find(';');
    auto pair = net::trim_ows(cookies.substr(0, end));
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && net::trim_ows(pair.substr(0, eq)) == name) {
      auto v = net::trim_ows(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return {};
}

std::string sign_session_id(std::string_view sid, std::string_view secret) {
  return "s:" + std::string(sid) + "." + signature(sid, secret);
}

std::optional<std::string> unsign_session_cookie(std::string_view value, const std::vector<std::string>& secrets) {
  if (value.size() > 4096) return std::nullopt;  // no real session cookie is this long
  auto decoded = net::percent_decode(value);
  if (!decoded || decoded->size() < 3 || decoded->compare(0, 2, "s:") != 0) return std::nullopt;
  std::string_view signed_value = std::string_view(*decoded).substr(2);
  auto dot = signed_value.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  auto sid = signed_value.substr(0, dot);
  auto given = signed_value.substr(dot + 1);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    auto expected = signature(sid, secret);
    if (expected.size() == given.size() && CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0)
      return std::string(sid);
  }
  return std::nullopt;
}

}  // namespace auth
