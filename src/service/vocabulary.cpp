#include "service/vocabulary.hpp"

#include "service/room_template.hpp"

namespace service {

namespace json = boost::json;

std::string room_from_payload(const RoomArg& arg, const socketio::Args& args) {
  if (args.size() == 0) return {};
  std::vector<std::string> rooms;
  if (args[0].is_object()) {
    rooms = rooms_from_template(arg.room, args[0].as_object());
  } else if (!arg.bare.empty()) {
    if (scalar_text(args[0]).empty()) return {};
    rooms = rooms_from_template(arg.room, json::object{{arg.bare, args[0]}});
  }
  // One room per action: an array field names several, which no action takes.
  return rooms.size() == 1 ? rooms.front() : std::string();
}

}  // namespace service
