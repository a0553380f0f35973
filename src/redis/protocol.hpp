#pragma once
// RESP through hiredis, with no networking: the command formatter and a reply
// reader that holds the server to Config's limits. hiredis' own reader bounds
// nothing but nesting depth (7 levels): a reply announcing 2^31 elements or an
// endless bulk string would be allocated or buffered as announced.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "redis/reply.hpp"

struct redisReader;

namespace redis {

// Appends `args` as one RESP command (an array of bulk strings, binary-safe)
// to `out`. False, with `out` unchanged, when there is nothing to send or
// hiredis cannot format it.
bool append_command(std::string& out, std::span<const std::string_view> args);

class ReplyReader {
 public:
  struct Limits {
    std::size_t max_reply_bytes;
    std::size_t max_reply_elements;
  };
  enum class Status { reply, incomplete, error };

  explicit ReplyReader(Limits limits);
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Buffers bytes read from the server. False once the reader failed; it
  // never recovers, the link must be closed (a fresh link gets a new reader).
  bool feed(std::string_view bytes);
  // The next complete reply, if the buffered bytes hold one.
  Status next(Reply& out);
  // Why feed() or next() failed.
  const std::string& error() const { return error_; }

  // What one reply in progress has used so far; reset by each complete reply.
  // Read by the hiredis callbacks in protocol.cpp.
  struct Usage {
    Limits limits;
    std::size_t bytes = 0;
    std::size_t elements = 0;
    const char* exceeded = nullptr;  // set when a callback refused an object
  };

 private:
  bool fail(std::string message);
  std::size_t unconsumed() const;

  redisReader* reader_;
  Usage usage_;
  std::string error_;
};

}  // namespace redis
