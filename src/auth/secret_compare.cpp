#include "auth/secret_compare.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace auth {

namespace {
// False if OpenSSL fails, which then makes the comparison fail: a secret is
// never accepted on an error.
bool sha256(std::string_view text, unsigned char (&digest)[EVP_MAX_MD_SIZE], unsigned& size) {
  return EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) == 1;
}
}  // namespace

bool secrets_equal(std::string_view given, std::string_view expected) {
  unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
  unsigned a_size = 0, b_size = 0;
  bool hashed = sha256(given, a, a_size);
  hashed = sha256(expected, b, b_size) && hashed;
  return hashed && a_size == b_size && CRYPTO_memcmp(a, b, a_size) == 0;
}

}  // namespace auth
