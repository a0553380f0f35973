// JSON Web Tokens (auth::verify_jwt). The first byte picks the mode:
//  - even: the rest is a token as a client sends it (almost never signed
//    right: this reaches the parsing before the signature check);
//  - odd: the rest is "<header JSON>\n<claims JSON>", which the harness
//    encodes and signs with the configured secret (HS256, HS384 or HS512,
//    from bits 1-2), so that the claim checks (exp, nbf, iss, aud) and
//    libjwt's decoding of a valid token see arbitrary JSON too.
// Bit 3 turns the issuer and audience checks on.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/jwt.hpp"
#include "engine/base64.hpp"

namespace {

constexpr std::string_view kSecret = "fuzz-secret";
// The private key is fuzz/keys/jwt_rs256_private.pem (for the seeds).
constexpr const char* kPublicKey = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyo5H/8u8o/Jc6pzqDzF9
i8oCj6LhRzaIKXDF14LSTCnw2ZxuHiZPMPHb4ACH4jwqSlMGccOCAwTd6S7Wdq9Y
eQ4DgFmN+uIDw4VRuRUPJlhBrClbr2R7lQcfDj12+7aUCa77xttA1rlDYXLB1ndw
i7F2hPj58iv8DsUt5SBmpIOMb2BDw9cIb3wsdIZ7wXcGW5pFI71+GUVXPtVmWlry
zBfyf/SNX7/uxPZOxtscYokgccnB87WVZZBKGTExa+Btm1CCd0y12XNx7ww52iSK
A2FtVIrFNY4qVvoJvggIzOHE7uDeKRIdlalsjjUfPuwwB9r2l6BHjNA6mSaGA3D8
PwIDAQAB
-----END PUBLIC KEY-----
)";

std::string base64url(std::string_view bytes) {
  std::string s = engine::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::string sign(std::string_view header, std::string_view claims, int digest) {
  std::string token = base64url(header) + "." + base64url(claims);
  const EVP_MD* md = digest == 0 ? EVP_sha256() : digest == 1 ? EVP_sha384() : EVP_sha512();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(md, kSecret.data(), static_cast<int>(kSecret.size()), reinterpret_cast<const unsigned char*>(token.data()),
       token.size(), mac, &mac_size);
  return token + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  auth::JwtOptions options;
  options.secret = kSecret;
  options.public_key_pem = kPublicKey;
  options.algorithms = {"HS256", "HS384", "HS512", "RS256"};
  if (mode & 8) {
    options.issuer = "fuzz-issuer";
    options.audience = "fuzz-audience";
  }

  std::string token;
  if (mode & 1) {
    auto newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    token = sign(input.substr(0, newline), input.substr(newline + 1), (mode >> 1) & 3);
  } else {
    token = input;
  }
  (void)auth::verify_jwt(token, options, 1'700'000'000);
  return 0;
}
