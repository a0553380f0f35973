#pragma once
// MessagePack as notepack.io 3.0 (the codec of @socket.io/redis-adapter and
// @socket.io/redis-emitter) writes and reads it, to and from the Socket.IO
// layer's form of arguments: JSON values where each binary value is a
// {"_placeholder":true,"num":N} object standing for buffers[N].
//
// Decoding is for untrusted bytes: every length is checked against what is
// left before anything is allocated, nesting is bounded, trailing bytes are
// an error (as in notepack), and nothing throws. Values JSON cannot hold are
// turned into what JSON.stringify makes of them on a Node node, so that a
// client gets the same thing from a Switchboard node as from a Node one: a
// timestamp (ext -1) becomes Date.toJSON()'s ISO string, NaN and ±Infinity
// become null, bin (and notepack's legacy ext 0) becomes a binary attachment.
//
// Encoding writes the shortest forms, as notepack does (integers in the
// smallest width, floats only for non-integers, always as float64), with
// msgpuck's encoders.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace adapter::redis::notepack {

struct Decoded {
  boost::json::value value;
  std::vector<std::string> buffers;  // what the placeholders in `value` stand for
  std::string error;                 // empty on success
  explicit operator bool() const { return error.empty(); }
};

// Containers nested deeper than this are refused: Node's own parser would
// recurse, ours must not run out of stack on a hostile message.
inline constexpr int max_depth = 32;

Decoded decode(std::string_view bytes);

// Appends `value` to `out`. A placeholder whose num is not a valid index into
// `buffers` is written as the plain object it is.
void encode(const boost::json::value& value, const std::vector<std::string>& buffers, std::string& out);

}  // namespace adapter::redis::notepack
