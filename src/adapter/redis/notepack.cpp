#include "adapter/redis/notepack.hpp"

#include <msgpuck.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "net/utf8.hpp"

namespace adapter::redis::notepack {

namespace json = boost::json;

namespace {

// ---- decoding: by hand, every length checked (msgpuck's mp_check is not
// bounds-safe enough to trust with Redis input) ----

class Reader {
 public:
  Reader(std::string_view bytes, std::vector<std::string>& buffers)
      : p_(reinterpret_cast<const unsigned char*>(bytes.data())), end_(p_ + bytes.size()), buffers_(buffers) {}

  bool value(json::value& out, int depth);
  bool at_end() const { return p_ == end_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  bool take(std::size_t n, const unsigned char*& at) {
    if (n > left()) return fail("truncated");
    at = p_;
    p_ += n;
    return true;
  }
  template <class T>
  bool big_endian(T& out) {
    const unsigned char* at;
    if (!take(sizeof(T), at)) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | at[i];
    out = static_cast<T>(v);
    return true;
  }
  bool string(std::size_t n, json::value& out) {
    const unsigned char* at;
    if (!take(n, at)) return false;
    std::string_view text(reinterpret_cast<const char*>(at), n);
    // As notepack.io reads it (Buffer.toString): bad bytes become U+FFFD, so
    // that no client gets a text frame it must fail on.
    if (net::is_valid_utf8(text)) out = json::string(text);
    else out = json::string(net::to_valid_utf8(text));
    return true;
  }
  bool binary(std::size_t n, json::value& out) {
    const unsigned char* at;
    if (!take(n, at)) return false;
    out = json::object{{"_placeholder", true}, {"num", buffers_.size()}};
    buffers_.emplace_back(reinterpret_cast<const char*>(at), n);
    return true;
  }
  bool array(std::size_t n, json::value& out, int depth);
  bool map(std::size_t n, json::value& out, int depth);
  bool ext(std::size_t n, json::value& out);
  static json::value number(double d) { return std::isfinite(d) ? json::value(d) : json::value(); }

  const unsigned char* p_;
  const unsigned char* end_;
  std::vector<std::string>& buffers_;
  std::string error_;
};

bool Reader::array(std::size_t n, json::value& out, int depth) {
  if (depth >= max_depth) return fail("nested too deeply");
  if (n > left()) return fail("array longer than the message");  // each element takes a byte at least
  json::array a;
  a.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    json::value v;
    if (!value(v, depth + 1)) return false;
    a.push_back(std::move(v));
  }
  out = std::move(a);
  return true;
}

bool Reader::map(std::size_t n, json::value& out, int depth) {
  if (depth >= max_depth) return fail("nested too deeply");
  if (n > left() / 2) return fail("map longer than the message");
  json::object o;
  o.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    json::value key, v;
    if (!value(key, depth + 1)) return false;
    std::string name;
    if (key.is_string()) name = key.as_string();
    else if (key.is_int64()) name = std::to_string(key.as_int64());  // a JS object key is a string
    else if (key.is_uint64()) name = std::to_string(key.as_uint64());
    else return fail("map key is not a string");
    if (!value(v, depth + 1)) return false;
    o[name] = std::move(v);
  }
  out = std::move(o);
  return true;
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm): exact for
// every year JavaScript's Date can hold, unlike gmtime's range.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// What JSON.stringify(new Date(ms)) gives: Date.toJSON(), or null for an
// invalid date.
json::value iso_date(double ms) {
  if (!std::isfinite(ms) || std::fabs(ms) > 8.64e15) return nullptr;
  auto total = static_cast<std::int64_t>(std::trunc(ms));  // TimeClip: toward zero
  std::int64_t days = total >= 0 ? total / 86'400'000 : -((-total + 86'399'999) / 86'400'000);
  std::int64_t in_day = total - days * 86'400'000;
  std::int64_t y;
  unsigned mo, d;
  civil_from_days(days, y, mo, d);
  char year[16];
  if (y >= 0 && y <= 9999) std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(y));
  else std::snprintf(year, sizeof year, "%c%06lld", y < 0 ? '-' : '+', static_cast<long long>(y < 0 ? -y : y));
  char out[80];
  std::snprintf(out, sizeof out, "%s-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", year, mo, d,
                static_cast<long long>(in_day / 3'600'000), static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return json::string(out);
}

bool Reader::ext(std::size_t n, json::value& out) {
  const unsigned char* type_at;
  const unsigned char* at;
  if (!take(1, type_at) || !take(n, at)) return false;
  auto type = static_cast<std::int8_t>(*type_at);
  auto be = [&](std::size_t from, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | at[from + i];
    return v;
  };
  if (type == -1) {  // timestamp: notepack decodes it as a Date
    if (n == 4) return out = iso_date(static_cast<double>(be(0, 4)) * 1000), true;
    if (n == 8) {
      std::uint64_t v = be(0, 8);
      double ns = static_cast<double>(v >> 34), sec = static_cast<double>(v & ((std::uint64_t(1) << 34) - 1));
      return out = iso_date(sec * 1000 + ns / 1e6), true;
    }
    if (n == 12) {
      double ns = static_cast<double>(be(0, 4));
      auto sec = static_cast<std::int64_t>(be(4, 8));
      return out = iso_date(static_cast<double>(sec) * 1000 + ns / 1e6), true;
    }
    return fail("timestamp of a bad length");
  }
  if (type == 0) {  // notepack's legacy ArrayBuffer
    out = json::object{{"_placeholder", true}, {"num", buffers_.size()}};
    buffers_.emplace_back(reinterpret_cast<const char*>(at), n);
    return true;
  }
  // Any other type: notepack gives [type, Buffer].
  json::value bin = json::object{{"_placeholder", true}, {"num", buffers_.size()}};
  buffers_.emplace_back(reinterpret_cast<const char*>(at), n);
  out = json::array{type, std::move(bin)};
  return true;
}

bool Reader::value(json::value& out, int depth) {
  const unsigned char* at;
  if (!take(1, at)) return false;
  unsigned char b = *at;
  if (b <= 0x7f) return out = std::int64_t(b), true;
  if (b >= 0xe0) return out = std::int64_t(static_cast<std::int8_t>(b)), true;
  if ((b & 0xf0) == 0x80) return map(b & 0x0f, out, depth);
  if ((b & 0xf0) == 0x90) return array(b & 0x0f, out, depth);
  if ((b & 0xe0) == 0xa0) return string(b & 0x1f, out);
  std::uint8_t u8;
  std::uint16_t u16;
  std::uint32_t u32;
  std::uint64_t u64;
  switch (b) {
    case 0xc0: return out = nullptr, true;
    case 0xc2: return out = false, true;
    case 0xc3: return out = true, true;
    case 0xc4: return big_endian(u8) && binary(u8, out);
    case 0xc5: return big_endian(u16) && binary(u16, out);
    case 0xc6: return big_endian(u32) && binary(u32, out);
    case 0xc7: return big_endian(u8) && ext(u8, out);
    case 0xc8: return big_endian(u16) && ext(u16, out);
    case 0xc9: return big_endian(u32) && ext(u32, out);
    case 0xca: {
      if (!big_endian(u32)) return false;
      float f;
      std::memcpy(&f, &u32, sizeof f);
      return out = number(f), true;
    }
    case 0xcb: {
      if (!big_endian(u64)) return false;
      double d;
      std::memcpy(&d, &u64, sizeof d);
      return out = number(d), true;
    }
    case 0xcc: return big_endian(u8) && (out = std::int64_t(u8), true);
    case 0xcd: return big_endian(u16) && (out = std::int64_t(u16), true);
    case 0xce: return big_endian(u32) && (out = std::int64_t(u32), true);
    case 0xcf:
      if (!big_endian(u64)) return false;
      if (u64 <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) out = static_cast<std::int64_t>(u64);
      else out = u64;
      return true;
    case 0xd0: return big_endian(u8) && (out = std::int64_t(static_cast<std::int8_t>(u8)), true);
    case 0xd1: return big_endian(u16) && (out = std::int64_t(static_cast<std::int16_t>(u16)), true);
    case 0xd2: return big_endian(u32) && (out = std::int64_t(static_cast<std::int32_t>(u32)), true);
    case 0xd3: return big_endian(u64) && (out = static_cast<std::int64_t>(u64), true);
    case 0xd4: return ext(1, out);
    case 0xd5: return ext(2, out);
    case 0xd6: return ext(4, out);
    case 0xd7: return ext(8, out);
    case 0xd8: return ext(16, out);
    case 0xd9: return big_endian(u8) && string(u8, out);
    case 0xda: return big_endian(u16) && string(u16, out);
    case 0xdb: return big_endian(u32) && string(u32, out);
    case 0xdc: return big_endian(u16) && array(u16, out, depth);
    case 0xdd: return big_endian(u32) && array(u32, out, depth);
    case 0xde: return big_endian(u16) && map(u16, out, depth);
    case 0xdf: return big_endian(u32) && map(u32, out, depth);
    default: return fail("invalid type byte");  // 0xc1
  }
}

// ---- encoding, with msgpuck ----

template <class Size, class Write>
void put(std::string& out, Size size, Write write) {
  std::size_t at = out.size();
  out.resize(at + size);
  char* end = write(out.data() + at);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void encode_uint(std::string& out, std::uint64_t v) {
  put(out, mp_sizeof_uint(v), [&](char* p) { return mp_encode_uint(p, v); });
}

void encode_int(std::string& out, std::int64_t v) {
  if (v >= 0) return encode_uint(out, static_cast<std::uint64_t>(v));
  put(out, mp_sizeof_int(v), [&](char* p) { return mp_encode_int(p, v); });
}

void encode_str(std::string& out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  put(out, mp_sizeof_str(n), [&](char* p) { return mp_encode_str(p, s.data(), n); });
}

const std::string* placeholder(const json::object& o, const std::vector<std::string>& buffers) {
  if (o.size() != 2) return nullptr;
  auto* flag = o.if_contains("_placeholder");
  auto* num = o.if_contains("num");
  if (!flag || !flag->is_bool() || !flag->as_bool() || !num) return nullptr;
  std::int64_t n = num->is_int64() ? num->as_int64() : num->is_uint64() ? static_cast<std::int64_t>(num->as_uint64()) : -1;
  if (n < 0 || static_cast<std::uint64_t>(n) >= buffers.size()) return nullptr;
  return &buffers[static_cast<std::size_t>(n)];
}

void encode_value(const json::value& v, const std::vector<std::string>& buffers, std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      return put(out, 1, [](char* p) { return mp_encode_nil(p); });
    case json::kind::bool_:
      return put(out, 1, [&](char* p) { return mp_encode_bool(p, v.get_bool()); });
    case json::kind::int64:
      return encode_int(out, v.get_int64());
    case json::kind::uint64:
      return encode_uint(out, v.get_uint64());
    case json::kind::double_: {
      double d = v.get_double();
      // A JS number that is an integer is written as one (notepack), floats as float64.
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
        return d < 0 ? encode_int(out, static_cast<std::int64_t>(d)) : encode_uint(out, static_cast<std::uint64_t>(d));
      return put(out, mp_sizeof_double(d), [&](char* p) { return mp_encode_double(p, d); });
    }
    case json::kind::string:
      return encode_str(out, v.get_string());
    case json::kind::array: {
      const auto& a = v.get_array();
      auto n = static_cast<std::uint32_t>(a.size());
      put(out, mp_sizeof_array(n), [&](char* p) { return mp_encode_array(p, n); });
      for (const auto& e : a) encode_value(e, buffers, out);
      return;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (auto* bytes = placeholder(o, buffers)) {
        auto n = static_cast<std::uint32_t>(bytes->size());
        return put(out, mp_sizeof_bin(n), [&](char* p) { return mp_encode_bin(p, bytes->data(), n); });
      }
      auto n = static_cast<std::uint32_t>(o.size());
      put(out, mp_sizeof_map(n), [&](char* p) { return mp_encode_map(p, n); });
      for (const auto& [key, value] : o) {
        encode_str(out, key);
        encode_value(value, buffers, out);
      }
      return;
    }
  }
}

}  // namespace

Decoded decode(std::string_view bytes) {
  Decoded d;
  Reader reader(bytes, d.buffers);
  if (!reader.value(d.value, 0)) d.error = "msgpack: " + reader.error();
  else if (!reader.at_end()) d.error = "msgpack: trailing bytes";
  if (!d.error.empty()) {
    d.value = nullptr;
    d.buffers.clear();
  }
  return d;
}

void encode(const json::value& value, const std::vector<std::string>& buffers, std::string& out) {
  encode_value(value, buffers, out);
}

}  // namespace adapter::redis::notepack
