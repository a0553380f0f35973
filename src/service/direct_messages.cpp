// Direct messages: sendDirectMessage {toUserId, content} from a client, and
// the C++ calls behind it and GET /users/:id/direct-messages/:other.

#include <boost/json/serialize.hpp>

#include "net/json_text.hpp"
#include "service/connection.hpp"

namespace service {

using socketio::Ack;
using socketio::Args;
namespace json = boost::json;

void RealtimeService::send_direct_message(const std::string& from, const std::string& to, std::string content,
                                          json::object metadata, std::function<void(std::optional<Message>)> done,
                                          std::string username, std::string except_socket) {
  if (from.empty() || to.empty() || from == to) {
    if (done) done(std::nullopt);
    return;
  }
  Message message{new_id(),
                  store::conversation_id(from, to),
                  from,
                  username_of(from, std::move(username)),
                  std::move(content),
                  MessageType::text,
                  std::move(metadata),
                  now_ms(),
                  to};
  store_->append_direct(
      message, [this, message, except = std::move(except_socket), done = std::move(done)](bool ok) mutable {
        if (!ok) {
          if (done) done(std::nullopt);
          return;
        }
        auto op =
            io_.sockets().all().to(std::vector<std::string>{user_room(message.to_user_id), user_room(message.user_id)});
        if (!except.empty()) op = op.except(std::vector<std::string>{except});
        op.emit(options_.events.new_direct_message, Args::of(message.to_json()));
        for (const auto& hook : message_hooks_) hook(message);
        if (done) done(std::move(message));
      });
}

void RealtimeService::get_direct_messages(const std::string& a, const std::string& b, std::size_t limit,
                                          std::size_t offset, std::function<void(std::vector<Message>)> done) {
  store_->direct_messages(a, b, limit, offset, std::move(done));
}

// {toUserId, content, metadata?}: to every tab of the recipient and the
// sender's other tabs; the sending tab gets the message as its ack.
void RealtimeService::on_direct_message(const socketio::SocketPtr& s, const std::shared_ptr<Connection>& connection,
                                        const std::string& event, Args& args, Ack ack) {
  const auto& a = options_.events.send_direct_message;
  auto fail = error_answer(s, options_.events.error, event, ack);
  if (connection->user_id.empty()) return fail("Authentication required");
  const json::object* body = args.size() && args[0].is_object() ? &args[0].as_object() : nullptr;
  if (!body) return fail(event + " must be an object {" + a.to + ", " + a.content + "}");
  auto* to_v = body->if_contains(a.to);
  auto to = to_v ? scalar_text(*to_v) : std::string();
  if (to.empty()) return fail(a.to + " is required");
  if (to.size() > 256) return fail(a.to + " is longer than 256 bytes");
  if (to == connection->user_id) return fail("Cannot send a direct message to yourself");
  if (auto e = content_error(*body, a.content, options_.message_max_length); !e.empty()) return fail(e);
  auto* content = body->if_contains(a.content);
  json::object metadata;
  if (auto* m = body->if_contains("metadata")) {
    if (!m->is_object()) return fail("metadata must be an object");
    metadata = m->as_object();
    if (net::json_text(metadata).size() > options_.message_max_length)
      return fail("metadata is longer than " + std::to_string(options_.message_max_length) + " bytes");
  }
  send_direct_message(
      connection->user_id, to, std::string(content->as_string()), std::move(metadata),
      [fail, ack](std::optional<Message> m) {
        if (!m) return fail("Message not stored");
        if (ack) ack(Args::of(m->to_json()));
      },
      connection->username, connection->socket_id);
}

}  // namespace service
