#pragma once
// One RESP2 reply, owned: what hiredis parsed, copied out of its redisReply
// tree so that callers never see hiredis types or manage its memory. Strings
// are binary-safe (they may hold NUL bytes).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct redisReply;

namespace redis {

class Reply {
 public:
  enum class Type : std::uint8_t { nil, integer, string, status, error, array };

  Reply() = default;  // nil
  static Reply integer(long long value);
  static Reply string(std::string value);  // bulk string
  static Reply status(std::string value);  // "+OK"
  static Reply error(std::string value);   // "-ERR ...": the server's answer, not a lost link
  static Reply array(std::vector<Reply> elements);
  // Deep copy of a hiredis reply; unknown types become nil.
  static Reply from(const redisReply& reply);

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_nil() const { return type() == Type::nil; }
  bool is_integer() const { return type() == Type::integer; }
  bool is_string() const { return type() == Type::string; }
  bool is_status() const { return type() == Type::status; }
  bool is_error() const { return type() == Type::error; }
  bool is_array() const { return type() == Type::array; }

  // The value when the type matches, else 0 / an empty view / no elements:
  // no accessor throws, so a surprising answer cannot crash the caller.
  long long as_integer() const;
  // The text of a string, status or error reply.
  std::string_view str() const;
  const std::vector<Reply>& elements() const;

  // Human-readable form for tests and logs: "nil", "(integer) 3", "\"abc\"",
  // "OK", "(error) ERR ...", "[...]".
  std::string to_string() const;

  friend bool operator==(const Reply&, const Reply&) = default;

 private:
  struct Text {
    std::string text;
    friend bool operator==(const Text&, const Text&) = default;
  };
  struct Status : Text {};
  struct Error : Text {};
  // Indexes match Type.
  std::variant<std::monostate, long long, Text, Status, Error, std::vector<Reply>> value_;
};

}  // namespace redis
