#pragma once
// Comparing a secret that a client sent (an API key, a signature) with the
// expected one without telling, by how long the comparison takes, how much
// of it was right or how long the expected secret is.

#include <string_view>

namespace auth {

// True when `given` equals `expected`. Both are hashed (SHA-256) and the
// digests compared in constant time, so neither the content nor the length
// of `expected` shows in the timing.
bool secrets_equal(std::string_view given, std::string_view expected);

}  // namespace auth
