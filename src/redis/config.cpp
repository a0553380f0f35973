#include "redis/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace redis {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict: a password with a broken escape is a typo, and connecting with a
// different password than the user meant only gives a confusing AUTH error.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <class Int>
std::optional<Int> parse_number(std::string_view s, Int min, Int max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max) return std::nullopt;
  return static_cast<Int>(value);
}

bool valid_host_name(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

ParsedUrl fail(std::string message) {
  ParsedUrl result;
  result.error = "invalid Redis URL: " + std::move(message);
  return result;
}

}  // namespace

std::string Config::endpoint() const {
  bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  out += ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

ParsedUrl parse_redis_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return fail("expected redis://[user:password@]host[:port][/db]");
  std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme == "rediss" || scheme == "redis+tls" || scheme == "redis+ssl")
    return fail("TLS (" + scheme + "://) is not supported; use redis:// to a plain TCP port");
  if (scheme.find("sentinel") != std::string::npos)
    return fail("Redis Sentinel (" + scheme + "://) is not supported; give the master's redis://host:port");
  if (scheme.find("cluster") != std::string::npos)
    return fail("Redis Cluster (" + scheme + "://) is not supported; give one server's redis://host:port");
  if (scheme == "unix" || scheme == "redis+unix" || scheme == "redis+socket" || scheme == "redis-socket")
    return fail("unix sockets (" + scheme + "://) are not supported; use redis://host:port");
  if (scheme != "redis") return fail("unsupported scheme \"" + scheme + "\"; expected redis://");

  std::string_view rest = url.substr(scheme_end + 3);
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos) {
    std::string options = lower(rest.substr(q));
    if (options.find("sentinel") != std::string::npos) return fail("Redis Sentinel is not supported");
    if (options.find("cluster") != std::string::npos) return fail("Redis Cluster is not supported");
    return fail("query options (\"" + std::string(rest.substr(q)) + "\") are not supported; put the db in the path");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

  ParsedUrl result;
  Config& config = result.config;

  // The last '@' ends the user info, so an unescaped '@' in a password still
  // parses the way the user meant.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1));
    if (!user || !password) return fail("malformed percent-escape in user or password");
    if (colon == std::string_view::npos) {
      // "redis://secret@host" is how several clients spell a password alone.
      config.password = std::move(*user);
    } else {
      config.username = std::move(*user);
      config.password = std::move(*password);
    }
  }

  if (authority.find(',') != std::string_view::npos)
    return fail("several hosts (Redis Cluster or Sentinel) are not supported; give one host");

  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return fail("empty port");
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        }))
      return fail("invalid IPv6 address \"" + std::string(host) + "\"");
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.find(':') != std::string_view::npos) return fail("an IPv6 host must be in brackets: redis://[::1]:6379");
      if (port.empty()) return fail("empty port");
    }
    if (host.empty()) return fail("missing host");
    if (!valid_host_name(host)) return fail("invalid host \"" + std::string(host) + "\"");
  }
  config.host = std::string(host);
  if (!port.empty()) {
    auto number = parse_number<int>(port, 1, 65535);
    if (!number) return fail("invalid port \"" + std::string(port) + "\" (1-65535)");
    config.port = static_cast<std::uint16_t>(*number);
  }

  if (path.size() > 1) {
    // Redis has 16 databases unless configured otherwise; the server checks
    // the real limit when we SELECT.
    auto db = parse_number<int>(path.substr(1), 0, 1 << 20);
    if (!db) return fail("invalid database \"" + std::string(path.substr(1)) + "\"; expected /0, /1, ...");
    config.db = *db;
  }
  return result;
}

}  // namespace redis
