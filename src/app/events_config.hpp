#pragma once
// The clients' vocabulary from the --config file: the [events] table (event
// names and payload fields of every client action and server event) and the
// [[relay]] rules (docs/configuration.md). Keys not given keep the defaults
// (seeds 001 and 002's names).

#include <string>
#include <string_view>
#include <vector>

#include "service/vocabulary.hpp"

namespace app {

struct EventsConfig {
  service::Vocabulary events;
  std::vector<service::RelayRule> relays;
  std::string error;  // non-empty: the file is wrong (names the table and the key)
};

// Other tables and keys of the document are left to their owners; `source`
// names the file in errors.
EventsConfig parse_events_config(std::string_view toml, std::string_view source);

}  // namespace app
