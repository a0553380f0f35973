// MessagePack from Redis (adapter::redis::notepack): what a Node peer, the
// emitter or anything else that can PUBLISH puts on a channel. Whatever the
// bytes, decode gives a value or an error and never crashes; a failure
// leaves no value and no buffers behind. A decoded value, encoded again,
// decodes to the same value and the same buffers (a node relaying what it
// got sends what it got).
//
// One ambiguity is known and not checked: a map that looks like a
// placeholder ({"_placeholder":true,"num":N}) cannot be told from binary
// once decoded, so the round trip is only checked strictly when every
// placeholder-like map of the first decode is a binary value (numbered
// 0, 1, ... in document order, one per buffer).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/redis/notepack.hpp"
#include "check.hpp"

namespace {

namespace json = boost::json;
namespace notepack = adapter::redis::notepack;

// Numbers by value: an integral double is written as an integer.
bool same_number(const json::value& a, const json::value& b) {
  auto as_double = [](const json::value& v) {
    return v.is_double() ? v.get_double() : v.is_int64() ? static_cast<double>(v.get_int64())
                                                          : static_cast<double>(v.get_uint64());
  };
  if (a.is_double() || b.is_double()) return as_double(a) == as_double(b);
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  return false;  // the decoder gives int64 for every integer that fits
}

bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return same_number(a, b);
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)  // in order: the encoder keeps it
      if (i->key() != j->key() || !same(i->value(), j->value())) return false;
    return true;
  }
  return a == b;
}

// Every object with a "_placeholder" key is the next binary value.
bool placeholders_are_binaries(const json::value& v, std::size_t& next) {
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (!placeholders_are_binaries(e, next)) return false;
  } else if (const auto* o = v.if_object()) {
    if (o->contains("_placeholder")) {
      const auto* num = o->if_contains("num");
      if (o->size() != 2 || o->at("_placeholder") != json::value(true) || !num || !num->is_int64() ||
          num->get_int64() != static_cast<std::int64_t>(next))
        return false;
      ++next;
      return true;
    }
    for (const auto& [key, e] : *o)
      if (!placeholders_are_binaries(e, next)) return false;
  }
  return true;
}

bool unambiguous(const notepack::Decoded& d) {
  std::size_t next = 0;
  return placeholders_are_binaries(d.value, next) && next == d.buffers.size();
}

void check_contract(const notepack::Decoded& d) {
  if (d) {
    FUZZ_CHECK(d.error.empty());
  } else {
    FUZZ_CHECK(!d.error.empty());
    FUZZ_CHECK(d.value.is_null());
    FUZZ_CHECK(d.buffers.empty());
  }
}

// decode(encode(first)) is first.
void check_round_trip(const notepack::Decoded& first) {
  std::string bytes;
  notepack::encode(first.value, first.buffers, bytes);
  auto second = notepack::decode(bytes);
  check_contract(second);
  // An ext decodes to [type, buffer], one level deeper once encoded as an
  // array: an input at the depth limit may not decode again (timed run).
  if (!second && second.error.find("nested too deeply") != std::string::npos) return;
  FUZZ_CHECK(second);
  if (unambiguous(first)) {
    FUZZ_CHECK(same(first.value, second.value));
    FUZZ_CHECK(first.buffers == second.buffers);
  }
  // Either way the second encoding is a fixed point.
  if (unambiguous(second)) {
    std::string again;
    notepack::encode(second.value, second.buffers, again);
    FUZZ_CHECK(again == bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = notepack::decode(input);
  check_contract(first);
  if (first) check_round_trip(first);
  return 0;
}
