#pragma once
// AMQP topic matching, as a topic exchange does it: words separated by '.',
// '*' matches exactly one word, '#' matches zero or more words.

#include <string_view>

namespace ingest {

bool topic_matches(std::string_view pattern, std::string_view routing_key);

}  // namespace ingest
