#include "service/log.hpp"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "net/json_text.hpp"

namespace service {

namespace {
std::atomic<bool> json_logs{false};
}

void set_json_logs(bool json) { json_logs = json; }

void log_event(spdlog::level::level_enum level, std::string_view event, LogFields fields) {
  if (!spdlog::should_log(level)) return;
  std::string line;
  if (json_logs) {
    boost::json::object o{{"event", event}};
    for (const auto& [k, v] : fields) o[k] = v;
    line = net::json_text(o);
  } else {
    line = std::string(event);
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      bool quote = v.empty() || v.find(' ') != std::string_view::npos;
      if (quote) line += '"';
      line += v;
      if (quote) line += '"';
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace service
