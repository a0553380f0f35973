#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace metrics {

namespace {

std::string_view type_name(Type t) {
  switch (t) {
    case Type::counter:
      return "counter";
    case Type::gauge:
      return "gauge";
    case Type::histogram:
      return "histogram";
  }
  return "untyped";
}

// What each counter slot's metric means (counters.hpp lists the slots).
struct Help {
  std::string_view metric;
  Type type;
  std::string_view help;
};
constexpr Help helps[] = {
    {"switchboard_engine_handshakes_total", Type::counter, "Engine.IO sessions opened, by the transport they opened on."},
    {"switchboard_engine_upgrades_total", Type::counter, "Engine.IO sessions upgraded from polling to WebSocket."},
    {"switchboard_engine_sessions", Type::gauge, "Engine.IO sessions open now, by transport."},
    {"switchboard_engine_buffer_bound_closes_total", Type::counter,
     "Clients closed because their send buffer passed MAX_BUFFERED_BYTES."},
    {"switchboard_refused_connections_total", Type::counter,
     "Connections and Socket.IO connects refused, by cause."},
    {"switchboard_socketio_connects_total", Type::counter, "Socket.IO sockets connected (every namespace)."},
    {"switchboard_socketio_disconnects_total", Type::counter, "Socket.IO sockets disconnected, by reason."},
    {"switchboard_socketio_packets_received_total", Type::counter, "Socket.IO packets received from clients."},
    {"switchboard_socketio_packets_sent_total", Type::counter, "Socket.IO packets written to clients."},
    {"switchboard_socketio_received_bytes_total", Type::counter,
     "Bytes of Socket.IO packets received (text and binary attachments)."},
    {"switchboard_socketio_sent_bytes_total", Type::counter,
     "Bytes of Socket.IO packets written (text and binary attachments)."},
    {"switchboard_socketio_events_received_total", Type::counter, "Events received from clients."},
    {"switchboard_socketio_events_emitted_total", Type::counter,
     "Events written to clients: direct emits and broadcast deliveries."},
    {"switchboard_broadcasts_total", Type::counter, "Broadcasts delivered by this node (local or from the cluster)."},
    {"switchboard_broadcast_deliveries_total", Type::counter, "Broadcast packets written to a socket."},
    {"switchboard_volatile_dropped_total", Type::counter,
     "Volatile packets dropped because the client was not ready for them."},
    {"switchboard_acks_requested_total", Type::counter, "Emits to a socket that wait for the client's ack."},
    {"switchboard_acks_answered_total", Type::counter, "Acks the clients answered in time."},
    {"switchboard_acks_timed_out_total", Type::counter, "Acks the clients did not answer in time."},
};

const Help* help_of(std::string_view metric) {
  for (const auto& h : helps)
    if (h.metric == metric) return &h;
  return nullptr;
}

}  // namespace

std::string label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += '"';
  return out;
}

void TextWriter::family(std::string_view name, Type type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {  // HELP escapes backslash and line feed
    if (c == '\\')
      out_ += "\\\\";
    else if (c == '\n')
      out_ += "\\n";
    else
      out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

void TextWriter::begin(std::string_view name, std::string_view labels) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    out_ += labels;
    out_ += '}';
  }
  out_ += ' ';
}

void TextWriter::sample(std::string_view name, std::string_view labels, double value) {
  begin(name, labels);
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.17g", value);
    out_.append(buf, static_cast<std::size_t>(n));
  }
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::string_view labels, std::uint64_t value) {
  begin(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::string_view labels, std::int64_t value) {
  begin(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void TextWriter::single(std::string_view name, Type type, std::string_view help, double value) {
  family(name, type, help);
  sample(name, {}, value);
}

void TextWriter::counters(const Snapshot& s) {
  const auto& info = counter_info();
  for (std::size_t i = 0; i < counter_count; ++i) {
    if (i == 0 || info[i].metric != info[i - 1].metric) {
      const Help* h = help_of(info[i].metric);
      family(info[i].metric, h ? h->type : Type::counter, h ? h->help : "");
    }
    const Help* h = help_of(info[i].metric);
    if (h && h->type == Type::gauge)
      sample(info[i].metric, info[i].labels, static_cast<std::int64_t>(s.counters[i]));  // +1/-1 pairs, wrapped
    else
      sample(info[i].metric, info[i].labels, s.counters[i]);
  }

  family("switchboard_shard_sockets", Type::gauge, "Socket.IO sockets on each shard (event-loop thread).");
  for (const auto& f : s.shards) sample("switchboard_shard_sockets", label("shard", std::to_string(f.shard)), f.sockets);

  constexpr std::string_view lag = "switchboard_event_loop_lag_seconds";
  family(lag, Type::histogram,
         "How late each shard's event loop ran a timer due every 250 ms: the time a handler waits for the loop.");
  for (const auto& f : s.shards) {
    auto shard = label("shard", std::to_string(f.shard));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < f.lag_buckets.size(); ++b) {
      cumulative += f.lag_buckets[b];
      std::string le = "+Inf";
      if (b < lag_bounds_us.size()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", static_cast<double>(lag_bounds_us[b]) / 1e6);
        le = buf;
      }
      sample(std::string(lag) + "_bucket", shard + "," + label("le", le), cumulative);
    }
    sample(std::string(lag) + "_sum", shard, static_cast<double>(f.lag_sum_us) / 1e6);
    sample(std::string(lag) + "_count", shard, cumulative);
  }
}

}  // namespace metrics
