#include "store/memory_room_store.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "net/json_text.hpp"

namespace store {

namespace json = boost::json;

namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const char* to_string(MessageType type) {
  switch (type) {
    case MessageType::text:
      return "text";
    case MessageType::image:
      return "image";
    case MessageType::file:
      return "file";
    case MessageType::system:
      return "system";
  }
  return "text";
}

std::optional<MessageType> message_type(std::string_view name) {
  if (name == "text") return MessageType::text;
  if (name == "image") return MessageType::image;
  if (name == "file") return MessageType::file;
  if (name == "system") return MessageType::system;
  return std::nullopt;
}

json::object Room::to_json(std::uint64_t member_count) const {
  return {{"id", id},
          {"name", name},
          {"namespace", ns},
          {"createdBy", created_by.empty() ? json::value() : json::value(created_by)},
          {"createdAt", created_at},
          {"metadata", metadata},
          {"memberCount", member_count}};
}

json::object Message::to_json() const {
  json::object o{{"id", id},
                 {"roomId", room_id},
                 {"userId", user_id.empty() ? json::value() : json::value(user_id)},
                 {"username", username},
                 {"content", content},
                 {"type", to_string(type)},
                 {"metadata", metadata},
                 {"timestamp", timestamp}};
  if (!to_user_id.empty()) o["toUserId"] = to_user_id;
  return o;
}

std::string conversation_id(const std::string& a, const std::string& b) {
  const auto& low = a < b ? a : b;
  const auto& high = a < b ? b : a;
  return "dm:" + std::to_string(low.size()) + ":" + low + ":" + high;
}

MemoryRoomStore::MemoryRoomStore(Retention retention, std::function<std::int64_t()> clock)
    : retention_(retention), clock_(clock ? std::move(clock) : system_now) {}

void MemoryRoomStore::trim(std::deque<Stored>& h, std::int64_t now) {
  while (h.size() > retention_.max_messages) h.pop_front();
  if (retention_.max_age.count() > 0) {
    auto oldest = now - retention_.max_age.count();
    while (!h.empty() && h.front().timestamp < oldest) h.pop_front();
  }
  if (h.empty()) h.shrink_to_fit();  // an idle room gives its blocks back
}

MemoryRoomStore::Stored MemoryRoomStore::stored(Message& m) {
  auto metadata = m.metadata.empty() ? std::string() : net::json_text(m.metadata);
  return Stored{std::move(m.id),
                std::move(m.user_id),
                std::move(m.username),
                std::move(m.content),
                std::move(metadata),
                m.timestamp,
                m.type};
}

template <typename Load>
std::vector<Message> MemoryRoomStore::page(const std::deque<Stored>& h, std::size_t limit, std::size_t offset,
                                           Load load) {
  std::vector<Message> out;
  if (offset < h.size()) {
    std::size_t end = h.size() - offset;  // one past the newest wanted
    std::size_t begin = end > limit ? end - limit : 0;
    out.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) out.push_back(load(h[i]));
  }
  return out;
}

Message MemoryRoomStore::load(const std::string& room_id, const Stored& s) {
  Message m{s.id, room_id, s.user_id, s.username, s.content, s.type, {}, s.timestamp, {}};
  if (!s.metadata.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(s.metadata, ec);
    if (!ec && v.is_object()) m.metadata = std::move(v.as_object());
  }
  return m;
}

void MemoryRoomStore::create_room(Room room, std::function<void(bool)> done) {
  bool ok;
  {
    std::lock_guard lock(mutex_);
    auto id = room.id;
    ok = rooms_.emplace(std::move(id), Entry{std::move(room), next_order_++, {}}).second;
  }
  done(ok);
}

void MemoryRoomStore::get_room(const std::string& id, std::function<void(std::optional<Room>)> done) {
  std::optional<Room> room;
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(id); it != rooms_.end()) room = it->second.room;
  }
  done(std::move(room));
}

void MemoryRoomStore::list_rooms(std::optional<std::string> ns, std::function<void(std::vector<Room>)> done) {
  std::vector<std::pair<std::uint64_t, Room>> found;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : rooms_)
      if (!ns || e.room.ns == *ns) found.emplace_back(e.order, e.room);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Room> rooms;
  rooms.reserve(found.size());
  for (auto& [order, room] : found) rooms.push_back(std::move(room));
  done(std::move(rooms));
}

void MemoryRoomStore::delete_room(const std::string& id, std::function<void(bool)> done) {
  bool existed;
  {
    std::lock_guard lock(mutex_);
    existed = rooms_.erase(id) > 0;
  }
  done(existed);
}

void MemoryRoomStore::append(Message m, std::function<void(bool)> done) {
  bool ok = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(m.room_id); it != rooms_.end()) {
      it->second.history.push_back(stored(m));
      trim(it->second.history, clock_());
      ok = true;
    }
  }
  done(ok);
}

void MemoryRoomStore::messages(const std::string& room_id, std::size_t limit, std::size_t offset,
                               std::function<void(std::vector<Message>)> done) {
  std::vector<Message> out;
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
      trim(it->second.history, clock_());
      out = page(it->second.history, limit, offset, [&](const Stored& s) { return load(room_id, s); });
    }
  }
  done(std::move(out));
}

void MemoryRoomStore::activity(const std::string& room_id, std::function<void(std::optional<RoomActivity>)> done) {
  std::optional<RoomActivity> a;
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
      trim(it->second.history, clock_());
      const auto& h = it->second.history;
      a = RoomActivity{h.size(), h.empty() ? it->second.room.created_at : h.back().timestamp};
    }
  }
  done(a);
}

void MemoryRoomStore::append_direct(Message m, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    auto id = conversation_id(m.user_id, m.to_user_id);
    auto [it, made] = conversations_.try_emplace(id);
    if (made) {
      it->second.low = std::min(m.user_id, m.to_user_id);
      it->second.high = std::max(m.user_id, m.to_user_id);
    }
    it->second.history.push_back(stored(m));
    auto now = clock_();
    trim(it->second.history, now);
    // Clients make conversations: now and then the ones past max_age go, so
    // their count stays bounded by what retention keeps.
    if (++appends_since_sweep_ >= 1024 && retention_.max_age.count() > 0) {
      appends_since_sweep_ = 0;
      for (auto c = conversations_.begin(); c != conversations_.end();) {
        trim(c->second.history, now);
        c = c->second.history.empty() ? conversations_.erase(c) : std::next(c);
      }
    }
  }
  done(true);
}

void MemoryRoomStore::direct_messages(const std::string& a, const std::string& b, std::size_t limit, std::size_t offset,
                                      std::function<void(std::vector<Message>)> done) {
  std::vector<Message> out;
  {
    std::lock_guard lock(mutex_);
    auto id = conversation_id(a, b);
    if (auto it = conversations_.find(id); it != conversations_.end()) {
      auto& c = it->second;
      trim(c.history, clock_());
      out = page(c.history, limit, offset, [&](const Stored& s) {
        auto m = load(id, s);
        m.to_user_id = m.user_id == c.low ? c.high : c.low;
        return m;
      });
      if (c.history.empty()) conversations_.erase(it);  // all of it past retention
    }
  }
  done(std::move(out));
}

std::size_t MemoryRoomStore::stored_messages() {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [id, e] : rooms_) n += e.history.size();
  for (const auto& [id, c] : conversations_) n += c.history.size();
  return n;
}

}  // namespace store
