#include "store/redis_room_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "net/json_text.hpp"
#include "redis/connection_thread.hpp"

namespace store {

namespace json = boost::json;

namespace {

// KEYS: rooms zset, room hash. ARGV: id, createdAt, name, namespace, createdBy, metadata.
constexpr const char* kCreate = R"(
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'name', ARGV[3], 'namespace', ARGV[4], 'createdBy', ARGV[5], 'createdAt', ARGV[2], 'metadata', ARGV[6])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1)";

// KEYS: rooms zset, room hash, stream. ARGV: id.
constexpr const char* kDelete = R"(
local existed = redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[1])
return existed)";

// KEYS: room hash, stream. ARGV: message JSON, max messages, min id ("" : no
// age limit), "room" (the room must exist) or a conversation's TTL in ms
// ("" : none; the stream goes when its newest message is past max_age).
constexpr const char* kAppend = R"(
if ARGV[4] == 'room' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '*', 'm', ARGV[1])
if ARGV[3] ~= '' then redis.call('XTRIM', KEYS[2], 'MINID', ARGV[3]) end
if ARGV[4] ~= 'room' and ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1)";

// KEYS: room hash, stream. ARGV: count (offset + limit), min id, "room" (the
// room must exist) or "". Newest first; false when there is no room.
constexpr const char* kRead = R"(
if ARGV[3] == 'room' and redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[2] ~= '' then redis.call('XTRIM', KEYS[2], 'MINID', ARGV[2]) end
local out = {}
for _, e in ipairs(redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[1])) do
  table.insert(out, e[2][2])
end
return out)";

// KEYS: room hash, stream. ARGV: min id. {count, newest entry's ms or -1, createdAt}.
constexpr const char* kActivity = R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[1] ~= '' then redis.call('XTRIM', KEYS[2], 'MINID', ARGV[1]) end
local n = redis.call('XLEN', KEYS[2])
local last = -1
local e = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #e > 0 then last = e[1][1] end
return {n, last, redis.call('HGET', KEYS[1], 'createdAt') or '0'})";

// KEYS: rooms zset. ARGV: hash prefix, at most. Flat: id, then its hash's field/value array.
constexpr const char* kList = R"(
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  table.insert(out, id)
  table.insert(out, redis.call('HGETALL', ARGV[1] .. id))
end
return out)";

constexpr std::size_t kMaxListed = 10'000;  // rooms one list answers with at most

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t to_int(std::string_view s) {
  std::int64_t v = 0;
  bool neg = !s.empty() && s[0] == '-';
  for (std::size_t i = neg; i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 19; ++i) v = v * 10 + (s[i] - '0');
  return neg ? -v : v;
}

json::object object_of(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

// A hash reply (field, value, ...) into a Room; nullopt when it is not one.
std::optional<Room> room_of(const std::string& id, const redis::Reply& r) {
  if (!r.is_array() || r.elements().empty()) return std::nullopt;
  Room room;
  room.id = id;
  const auto& e = r.elements();
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    auto k = e[i].str();
    auto v = e[i + 1].str();
    if (k == "name")
      room.name = v;
    else if (k == "namespace")
      room.ns = v;
    else if (k == "createdBy")
      room.created_by = v;
    else if (k == "createdAt")
      room.created_at = to_int(v);
    else if (k == "metadata")
      room.metadata = object_of(v);
  }
  return room;
}

std::string str_of(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<Message> message_of(const std::string& room_id, std::string_view text) {
  auto o = object_of(text);
  if (o.empty()) return std::nullopt;
  Message m;
  m.id = str_of(o, "id");
  m.room_id = room_id;
  m.user_id = str_of(o, "userId");
  m.username = str_of(o, "username");
  m.content = str_of(o, "content");
  m.type = message_type(str_of(o, "type")).value_or(MessageType::text);
  if (auto* md = o.if_contains("metadata"); md && md->is_object()) m.metadata = md->as_object();
  if (auto* t = o.if_contains("timestamp"); t && t->is_int64()) m.timestamp = t->as_int64();
  m.to_user_id = str_of(o, "toUserId");
  return m;
}

}  // namespace

struct RedisRoomStore::Core {
  explicit Core(Options o) : options(std::move(o)), redis(options.redis) {}

  std::string rooms_key() const { return options.key + ":rooms"; }
  std::string room_key(const std::string& id) const { return options.key + ":room:" + id; }
  std::string stream_key(const std::string& id) const { return room_key(id) + ":messages"; }
  // A conversation's stream: <key>:dm:<n>:<low>:<high>:messages (conversation_id).
  std::string direct_key(const std::string& conversation) const {
    return options.key + ":" + conversation + ":messages";
  }
  // Entries older than max_age: their stream ids (ms) are below this.
  std::string min_id() const {
    if (options.retention.max_age.count() <= 0) return {};
    return std::to_string(std::max<std::int64_t>(0, now_ms() - options.retention.max_age.count()));
  }

  Options options;
  redis::ConnectionThread redis;  // the store's thread: fn(connection) runs there
};

RedisRoomStore::RedisRoomStore(Options options) : core_(std::make_shared<Core>(std::move(options))) {}

RedisRoomStore::~RedisRoomStore() { stop(); }

void RedisRoomStore::stop() { core_->redis.stop(); }

using boost::system::error_code;
using redis::Reply;

void RedisRoomStore::create_room(Room room, std::function<void(bool)> done) {
  core_->redis.run([core = core_.get(), room = std::move(room), done = std::move(done)](redis::Connection& r) {
    r.command({"EVAL", kCreate, "2", core->rooms_key(), core->room_key(room.id), room.id,
               std::to_string(room.created_at), room.name, room.ns, room.created_by, net::json_text(room.metadata)},
              [done](error_code ec, Reply reply) { done(!ec && reply.as_integer() == 1); });
  });
}

void RedisRoomStore::get_room(const std::string& id, std::function<void(std::optional<Room>)> done) {
  core_->redis.run([core = core_.get(), id, done = std::move(done)](redis::Connection& r) {
    r.command({"HGETALL", core->room_key(id)},
              [id, done](error_code ec, Reply reply) { done(ec ? std::nullopt : room_of(id, reply)); });
  });
}

void RedisRoomStore::list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done) {
  core_->redis.run([core = core_.get(), ns = std::move(ns), done = std::move(done)](redis::Connection& r) {
    r.command({"EVAL", kList, "1", core->rooms_key(), core->options.key + ":room:", std::to_string(kMaxListed)},
              [ns, done](error_code ec, Reply reply) {
                std::vector<Room> rooms;
                if (!ec && reply.is_array()) {
                  const auto& e = reply.elements();
                  for (std::size_t i = 0; i + 1 < e.size(); i += 2)
                    if (auto room = room_of(std::string(e[i].str()), e[i + 1]); room && (!ns || room->ns == *ns))
                      rooms.push_back(std::move(*room));
                }
                done(std::move(rooms));
              });
  });
}

void RedisRoomStore::delete_room(const std::string& id, std::function<void(bool)> done) {
  core_->redis.run([core = core_.get(), id, done = std::move(done)](redis::Connection& r) {
    r.command({"EVAL", kDelete, "3", core->rooms_key(), core->room_key(id), core->stream_key(id), id},
              [done](error_code ec, Reply reply) { done(!ec && reply.as_integer() == 1); });
  });
}

void RedisRoomStore::append(Message m, std::function<void(bool)> done) {
  auto room = core_->room_key(m.room_id), stream = core_->stream_key(m.room_id);
  append_to(std::move(room), std::move(stream), "room", std::move(m), std::move(done));
}

void RedisRoomStore::append_direct(Message m, std::function<void(bool)> done) {
  auto stream = core_->direct_key(conversation_id(m.user_id, m.to_user_id));
  auto ttl = core_->options.retention.max_age.count();
  append_to(stream, stream, ttl > 0 ? std::to_string(ttl) : std::string(), std::move(m), std::move(done));
}

void RedisRoomStore::append_to(std::string check, std::string stream, std::string mode, Message m,
                               std::function<void(bool)> done) {
  core_->redis.run([core = core_.get(), check = std::move(check), stream = std::move(stream), mode = std::move(mode),
              m = std::move(m), done = std::move(done)](redis::Connection& r) {
    json::object o{{"id", m.id},
                   {"userId", m.user_id},
                   {"username", m.username},
                   {"content", m.content},
                   {"type", to_string(m.type)},
                   {"metadata", m.metadata},
                   {"timestamp", m.timestamp}};
    if (!m.to_user_id.empty()) o["toUserId"] = m.to_user_id;
    r.command({"EVAL", kAppend, "2", check, stream, net::json_text(o),
               std::to_string(std::max<std::size_t>(1, core->options.retention.max_messages)), core->min_id(), mode},
              [done](error_code ec, Reply reply) { done(!ec && reply.as_integer() == 1); });
  });
}

void RedisRoomStore::messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                              std::function<void(std::vector<Message>)> done) {
  read(core_->room_key(room_id), core_->stream_key(room_id), "room", room_id, limit, offset, std::move(done));
}

void RedisRoomStore::direct_messages(const std::string& a, const std::string& b, std::size_t limit, std::size_t offset,
                                     std::function<void(std::vector<Message>)> done) {
  auto id = conversation_id(a, b);
  auto stream = core_->direct_key(id);
  read(stream, stream, "", id, limit, offset, std::move(done));
}

void RedisRoomStore::read(std::string check, std::string stream, std::string mode, std::string room_id,
                          std::size_t limit, std::size_t offset, std::function<void(std::vector<Message>)> done) {
  auto max = core_->options.retention.max_messages;
  if (limit == 0 || offset >= max) return core_->redis.post([done = std::move(done)] { done({}); });
  auto count = std::min(max, offset + limit);
  core_->redis.run([core = core_.get(), check = std::move(check), stream = std::move(stream), mode = std::move(mode),
              room_id = std::move(room_id), offset, count, done = std::move(done)](redis::Connection& r) {
    r.command({"EVAL", kRead, "2", check, stream, std::to_string(count), core->min_id(), mode},
              [room_id, offset, done](error_code ec, Reply reply) {
                std::vector<Message> out;
                if (!ec && reply.is_array()) {
                  const auto& e = reply.elements();  // newest first
                  for (std::size_t i = e.size(); i > offset; --i)
                    if (auto m = message_of(room_id, e[i - 1].str())) out.push_back(std::move(*m));
                }
                done(std::move(out));
              });
  });
}

void RedisRoomStore::activity(const std::string& room_id, std::function<void(std::optional<RoomActivity>)> done) {
  core_->redis.run([core = core_.get(), room_id, done = std::move(done)](redis::Connection& r) {
    r.command({"EVAL", kActivity, "2", core->room_key(room_id), core->stream_key(room_id), core->min_id()},
              [done](error_code ec, Reply reply) {
                if (ec || !reply.is_array() || reply.elements().size() != 3) return done(std::nullopt);
                const auto& e = reply.elements();
                RoomActivity a;
                a.message_count = static_cast<std::uint64_t>(std::max<long long>(0, e[0].as_integer()));
                auto created = to_int(e[2].str());
                auto last = e[1].is_integer() ? -1 : to_int(e[1].str());  // "<ms>-<seq>"
                a.last_activity = last >= 0 ? last : created;
                done(a);
              });
  });
}

}  // namespace store
