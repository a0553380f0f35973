#include "engine/sid.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "engine/base64.hpp"

namespace engine {

namespace {
std::string to_url_alphabet(std::string s) {
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}
}  // namespace

std::string generate_sid(std::size_t shard) {
  std::array<unsigned char, 15> bytes{};
  bytes[0] = static_cast<unsigned char>(shard);
  if (RAND_bytes(bytes.data() + 1, static_cast<int>(bytes.size() - 1)) != 1)
    throw std::runtime_error("RAND_bytes failed: no entropy for session ids");
  return to_url_alphabet(base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

std::optional<std::size_t> shard_of_sid(std::string_view sid) {
  if (sid.size() != sid_length) return std::nullopt;
  std::string head(sid.substr(0, 4));
  for (char& c : head) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/') return std::nullopt;
  }
  auto bytes = base64_decode(head);
  if (!bytes || bytes->empty()) return std::nullopt;
  return static_cast<unsigned char>((*bytes)[0]);
}

}  // namespace engine
