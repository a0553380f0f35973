#pragma once
// An error category for an enum of error codes, described by one function:
// the layers' typed errors (engine::ParseError, socketio::DecodeError,
// auth::JwtError) share this instead of a category class each.

#include <boost/system/error_category.hpp>
#include <string>

namespace net {

template <class Enum>
class EnumCategory final : public boost::system::error_category {
 public:
  using Describe = const char* (*)(Enum);
  constexpr EnumCategory(const char* name, Describe describe) : name_(name), describe_(describe) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int ev) const override { return describe_(static_cast<Enum>(ev)); }

 private:
  const char* name_;
  Describe describe_;
};

}  // namespace net
