#include "engine/sid.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "engine/base64.hpp"

namespace engine {

namespace {

// Random bytes drawn from OpenSSL a block at a time: each RAND_bytes call
// costs a getpid() (its fork check) and a lock, which showed in the connect
// storm (two ids per connection). A block serves 73 ids, each byte once.
// Per thread; a process that forks must not share a half-used block with
// its child, and the server does not fork.
void random_bytes(unsigned char* out, std::size_t n) {
  thread_local std::array<unsigned char, 1024> pool{};
  thread_local std::size_t used = pool.size();
  if (used + n > pool.size()) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1)
      throw std::runtime_error("RAND_bytes failed: no entropy for session ids");
    used = 0;
  }
  std::memcpy(out, pool.data() + used, n);
  std::memset(pool.data() + used, 0, n);  // an id's bytes are not kept
  used += n;
}
}  // namespace

void write_sid(std::size_t shard, char* out) {
  std::array<unsigned char, 15> bytes{};
  static_assert(bytes.size() / 3 * 4 == sid_length);
  bytes[0] = static_cast<unsigned char>(shard);
  random_bytes(bytes.data() + 1, bytes.size() - 1);
  char text[sid_length + 1];  // and base64's NUL
  base64_encode_to(text, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  for (std::size_t i = 0; i < sid_length; ++i)
    out[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];  // URL-safe
}

std::string generate_sid(std::size_t shard) {
  std::string sid(sid_length, '\0');
  write_sid(shard, sid.data());
  return sid;
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
