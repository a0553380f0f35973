#include "redis/reply.hpp"

#include <hiredis/hiredis.h>

namespace redis {

Reply Reply::integer(long long value) {
  Reply r;
  r.value_.emplace<1>(value);
  return r;
}

Reply Reply::string(std::string value) {
  Reply r;
  r.value_.emplace<2>(Text{std::move(value)});
  return r;
}

Reply Reply::status(std::string value) {
  Reply r;
  r.value_.emplace<3>(Status{{std::move(value)}});
  return r;
}

Reply Reply::error(std::string value) {
  Reply r;
  r.value_.emplace<4>(Error{{std::move(value)}});
  return r;
}

Reply Reply::array(std::vector<Reply> elements) {
  Reply r;
  r.value_.emplace<5>(std::move(elements));
  return r;
}

Reply Reply::from(const redisReply& reply) {
  auto text = [&] { return reply.str ? std::string(reply.str, reply.len) : std::string(); };
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      return integer(reply.integer);
    case REDIS_REPLY_STRING:
      return string(text());
    case REDIS_REPLY_STATUS:
      return status(text());
    case REDIS_REPLY_ERROR:
      return error(text());
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      // hiredis nests at most 7 levels deep, which bounds this recursion.
      for (std::size_t i = 0; i < reply.elements; ++i)
        elements.push_back(reply.element[i] ? from(*reply.element[i]) : Reply());
      return array(std::move(elements));
    }
    default:
      return Reply();
  }
}

long long Reply::as_integer() const {
  const auto* v = std::get_if<1>(&value_);
  return v ? *v : 0;
}

std::string_view Reply::str() const {
  switch (type()) {
    case Type::string:
      return std::get<2>(value_).text;
    case Type::status:
      return std::get<3>(value_).text;
    case Type::error:
      return std::get<4>(value_).text;
    default:
      return {};
  }
}

const std::vector<Reply>& Reply::elements() const {
  static const std::vector<Reply> none;
  const auto* v = std::get_if<5>(&value_);
  return v ? *v : none;
}

std::string Reply::to_string() const {
  switch (type()) {
    case Type::nil:
      return "nil";
    case Type::integer:
      return "(integer) " + std::to_string(as_integer());
    case Type::string:
      return "\"" + std::string(str()) + "\"";
    case Type::status:
      return std::string(str());
    case Type::error:
      return "(error) " + std::string(str());
    case Type::array: {
      std::string out = "[";
      for (const auto& e : elements()) {
        if (out.size() > 1) out += ", ";
        out += e.to_string();
      }
      return out + "]";
    }
  }
  return "nil";
}

}  // namespace redis
