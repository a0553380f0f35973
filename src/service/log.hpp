#pragma once
// One log line per event, as text ("connect user=42 socket=...") or as a JSON
// object per line, on spdlog's default logger. Never pass a token here.

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace service {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Chosen at start-up by the app (LOG_FORMAT=json).
void set_json_logs(bool json);
void log_event(spdlog::level::level_enum level, std::string_view event, LogFields fields);

}  // namespace service
