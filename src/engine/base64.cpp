#include "engine/base64.hpp"

#include <openssl/evp.h>

namespace engine {

std::size_t base64_encode_to(char* out, std::string_view bytes) {
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out), reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  return static_cast<std::size_t>(n);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // and EVP's NUL
  out.resize(base64_encode_to(out.data(), bytes));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock wants whole quads and decodes padding as zero bytes, so
  // restore the padding first and trim the zeros it stands for afterwards.
  std::string padded(text);
  if (padded.size() % 4 == 1) return std::nullopt;
  while (padded.size() % 4 != 0) padded.push_back('=');
  std::size_t pad = 0;
  if (!padded.empty() && padded.back() == '=') ++pad;
  if (padded.size() >= 2 && padded[padded.size() - 2] == '=') ++pad;
  // '=' anywhere but the last two places is invalid; EVP would accept some.
  auto first_eq = padded.find('=');
  if (first_eq != std::string::npos && first_eq < padded.size() - pad) return std::nullopt;
  for (char c : padded)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::nullopt;
  std::string out(padded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace engine
