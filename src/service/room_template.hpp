#pragma once
// Room templates: "shop:{shopIds}", "voice:{channelId}", "user:{userId}".
// One engine for the claim rooms (ROOM_TEMPLATES), the RabbitMQ routes
// (ingest/router.cpp) and the relay rules and vocabulary of client events
// (service/vocabulary.hpp), so a template and its missing-field rule mean
// the same thing wherever they are written.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace service {

// Rooms a template gives for these fields: "shop:{shopIds}" with shopIds
// [1,2] gives "shop:1", "shop:2"; a number or boolean is written as JSON
// writes it; a field that is missing, null, empty or an object gives none.
// A template without a placeholder gives itself. One placeholder per template.
std::vector<std::string> rooms_from_template(const std::string& room_template, const boost::json::object& fields);

// The field a template's placeholder names ("channelId" for
// "voice:{channelId}"), or "" when it has none.
std::string template_field(std::string_view room_template);

// A string, number or boolean as text; "" for anything else.
std::string scalar_text(const boost::json::value& v);

}  // namespace service
