// Load generator for bench/: opens N Socket.IO clients (speaking Engine.IO v4
// / Socket.IO v5 itself, on one thread), then runs one scenario and prints
// one JSON line of results. Scenarios:
//
//   connect  N WebSocket clients connect to the main namespace; measures the
//            connection rate and the server's CPU per connection.
//            --connect-rate paces the connects (default: as fast as
//            --handshakes-in-flight allows).
//   idle     N clients connect and join room "bench", wait --idle-ms; reports
//            the server's RSS and PSS growth per connection.
//   fanout   N clients join "bench"; --messages rounds of one "burst" of
//            --burst messages to the room, each round once the previous one
//            has fully arrived. Server CPU per delivery.
//   echo     N clients send "echo" with an ack at --rate messages/s for
//            --duration-ms; round-trip percentiles.
//   polling  fanout with N long-polling clients (the trigger is one more
//            client, over WebSocket, outside the room).
//   latency  cross-node only: N clients in "bench" on the receivers' node
//            (--port) and N on the publisher's node (--publisher-port); one
//            more client on the publisher's node sends "burst" of 1 message
//            at --rate per second for --duration-ms. Delivery latency
//            percentiles, cross-node and local, from the same messages.
//
// Cross-node (--publisher-port): the N clients of fanout are on the
// receivers' node (--port) and the trigger is one more client, outside the
// room, on the publisher's node, so every delivery went through Redis.
//
// Clients are spread over source addresses 127.0.0.2, .3, ... so that no
// address pair runs out of ports. Server CPU comes from /proc/<--server-pid>
// (the receivers' node), the publisher's node's from /proc/<--publisher-pid>.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "client.hpp"
#include "proc_stats.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3100;
  std::string scenario = "fanout";
  std::size_t connections = 100;
  std::size_t handshakes_in_flight = 128;
  std::size_t source_addresses = 8;
  std::size_t first_source = 2;  // 127.0.0.<first_source> is the first address
  std::size_t messages = 100;
  std::size_t burst = 1;
  std::uint32_t idle_ms = 2000;
  double rate = 10'000;
  double connect_rate = 0;  // connections opened per second; 0: as fast as the handshake limit allows
  std::uint32_t duration_ms = 5000;
  int server_pid = 0;
  std::uint16_t publisher_port = 0;  // 0: one node (the trigger is on --port)
  int publisher_pid = 0;
  int redis_pid = 0;
  std::size_t rounds_in_flight = 1;  // fanout: bursts asked for before the first has arrived
  std::uint32_t timeout_ms = 120'000;
};

double now_us() { return std::chrono::duration<double, std::micro>(Clock::now().time_since_epoch()).count(); }

// Parses the ack id of "43<id>[...]"; -1 if it is not an ack.
long ack_id(std::string_view packet) {
  if (packet.size() < 3 || packet[0] != '4' || packet[1] != '3') return -1;
  long id = 0;
  std::size_t i = 2;
  for (; i < packet.size() && packet[i] >= '0' && packet[i] <= '9'; ++i) id = id * 10 + (packet[i] - '0');
  return i == 2 ? -1 : id;
}

class Load final : public bench::PacketSink {
 public:
  explicit Load(Settings s) : settings_(std::move(s)), timer_(ctx_), pacer_(ctx_) {
    target_.server = tcp::endpoint(asio::ip::make_address(settings_.host), settings_.port);
    target_.host = settings_.host + ":" + std::to_string(settings_.port);
    publisher_target_ = target_;
    if (settings_.publisher_port != 0) {
      publisher_target_.server.port(settings_.publisher_port);
      publisher_target_.host = settings_.host + ":" + std::to_string(settings_.publisher_port);
    }
  }

  int run() {
    polling_ = settings_.scenario == "polling";
    latency_ = settings_.scenario == "latency";
    join_ = settings_.scenario != "connect" && settings_.scenario != "echo";
    // Clients: [0, N) on --port, then the local receivers (latency), then
    // the trigger when it is not one of the N (polling, cross-node).
    local_members_ = latency_ ? settings_.connections : 0;
    bool extra_trigger = polling_ || settings_.publisher_port != 0;
    std::size_t total = settings_.connections + local_members_ + (extra_trigger ? 1 : 0);
    for (std::size_t i = 0; i < total; ++i) {
      bool poll = polling_ && i < settings_.connections;
      clients_.push_back(poll ? bench::make_polling_client(ctx_, *this, i)
                              : bench::make_websocket_client(ctx_, *this, i));
    }
    memory_before_ = bench::memory(settings_.server_pid);
    begin_phase();
    for (std::size_t i = 0; i < std::min(settings_.handshakes_in_flight, total); ++i) start_next();
    timer_.expires_after(std::chrono::milliseconds(settings_.timeout_ms));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) finish("timeout");
    });
    ctx_.run();
    return status_ == "ok" ? 0 : 1;
  }

  void on_packet(bench::Client& client, std::string_view p) override {
    if (p.empty()) return;
    switch (p[0]) {
      case '0':
        return client.send("40");
      case '2':
        return client.send("3");
      case '1':
        return on_failed(client, "closed by server");
      case '4':
        break;
      default:
        return;
    }
    if (p.rfind("42[\"msg\"", 0) == 0) return latency_ ? on_timed_delivery(client, p) : on_delivery();
    if (p.rfind("40{", 0) == 0) {
      bool member = join_ && client.index() < settings_.connections + local_members_ &&
                    !(polling_ && client.index() == settings_.connections);
      if (!member) return on_ready();
      return client.send("420[\"join\",\"bench\"]");
    }
    long id = ack_id(p);
    if (id == 0) return on_ready();
    if (id > 0) return on_echo_ack(p);
    if (p.rfind("44", 0) == 0) return on_failed(client, "connect refused: " + std::string(p));
  }

  void on_failed(bench::Client&, const std::string& why) override {
    if (finished_) return;
    ++failed_;
    if (error_.empty()) error_ = why;
    finish("client failures");
  }

 private:
  void start_next() {
    if (next_to_start_ == clients_.size()) return;
    if (settings_.connect_rate > 0) {
      // Paced: no more than the rate allows so far; the connect pacer starts the rest.
      auto allowed = static_cast<std::size_t>((now_us() - phase_started_us_) * settings_.connect_rate / 1e6) + 1;
      if (next_to_start_ >= allowed) return pace_connects();
    }
    std::size_t i = next_to_start_++;
    auto source =
        asio::ip::make_address_v4("127.0.0." + std::to_string(settings_.first_source + i % settings_.source_addresses));
    clients_[i]->start(i < settings_.connections ? target_ : publisher_target_, source);
  }

  void on_ready() {
    ++ready_;
    start_next();
    if (ready_ < clients_.size()) return;
    connect_ms_ = (now_us() - phase_started_us_) / 1000;
    connect_server_cpu_us_ = bench::cpu_us(settings_.server_pid) - server_cpu_before_;
    const auto& s = settings_.scenario;
    if (s == "connect") return finish("ok");
    if (s == "idle") {
      timer_.expires_after(std::chrono::milliseconds(settings_.idle_ms));
      return timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        memory_after_ = bench::memory(settings_.server_pid);
        finish("ok");
      });
    }
    begin_phase();
    if (s == "echo" || s == "latency") return pace_echoes();
    if (settings_.messages == 0) return finish("ok");
    for (std::size_t i = 0; i < settings_.rounds_in_flight && rounds_ < settings_.messages; ++i) trigger();
  }

  void begin_phase() {
    phase_started_us_ = now_us();
    server_cpu_before_ = bench::cpu_us(settings_.server_pid);
    publisher_cpu_before_ = settings_.publisher_pid ? bench::cpu_us(settings_.publisher_pid) : 0;
    redis_cpu_before_ = settings_.redis_pid ? bench::cpu_us(settings_.redis_pid) : 0;
    loadgen_cpu_before_ = bench::cpu_us(0);
    steal_before_ = bench::steal_us();
  }

  // Every millisecond, opens what the connect rate owes so far, within the
  // handshake limit.
  void pace_connects() {
    if (connect_pacing_) return;
    connect_pacing_ = true;
    pacer_.expires_after(std::chrono::milliseconds(1));
    pacer_.async_wait([this](boost::system::error_code ec) {
      connect_pacing_ = false;
      if (ec || finished_) return;
      while (next_to_start_ < clients_.size() && next_to_start_ - ready_ < settings_.handshakes_in_flight) {
        std::size_t before = next_to_start_;
        start_next();
        if (next_to_start_ == before) return;  // the rate is used up: start_next armed the pacer
      }
    });
  }

  // fanout / polling: one "burst" per round, from the last client (for
  // polling, the WebSocket trigger); the next round is asked for when one
  // has fully arrived, so --rounds-in-flight stay asked for.
  void trigger() {
    ++rounds_;
    clients_.back()->send("42[\"burst\",\"bench\"," + std::to_string(settings_.burst) + "," +
                          std::to_string(static_cast<long long>(now_us())) + "]");
  }

  void on_delivery() {
    ++deliveries_;
    std::size_t per_round = settings_.burst * settings_.connections;
    if (deliveries_ == settings_.messages * per_round) return finish("ok");
    if (deliveries_ % per_round == 0 && rounds_ < settings_.messages) trigger();
  }

  // echo: every millisecond, send what the rate owes so far, round robin.
  // latency: the same pace, "burst" of 1 from the trigger.
  void pace_echoes() {
    double elapsed_ms = (now_us() - phase_started_us_) / 1000;
    auto due = static_cast<std::size_t>(std::min<double>(elapsed_ms, settings_.duration_ms) * settings_.rate / 1000);
    for (; echoes_sent_ < due; ++echoes_sent_) {
      auto stamp = std::to_string(static_cast<long long>(now_us()));
      if (latency_) {
        clients_.back()->send("42[\"burst\",\"bench\",1," + stamp + "]");
        continue;
      }
      auto& client = clients_[echoes_sent_ % clients_.size()];
      client->send("42" + std::to_string(echoes_sent_ + 1) + "[\"echo\"," + stamp + "]");
    }
    if (elapsed_ms >= settings_.duration_ms) return check_echoes_done();
    pacer_.expires_after(std::chrono::milliseconds(1));
    pacer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) pace_echoes();
    });
  }

  void on_echo_ack(std::string_view p) {
    auto at = p.find('[');
    if (at == std::string_view::npos) return;
    rtts_us_.push_back(now_us() - std::strtod(std::string(p.substr(at + 1)).c_str(), nullptr));
    check_echoes_done();
  }

  // latency: "msg" [0, ts]; the stamp is after the last comma.
  void on_timed_delivery(bench::Client& client, std::string_view p) {
    auto at = p.rfind(',');
    if (at == std::string_view::npos) return;
    double latency = now_us() - std::strtod(std::string(p.substr(at + 1)).c_str(), nullptr);
    (client.index() < settings_.connections ? remote_us_ : local_us_).push_back(latency);
    check_echoes_done();
  }

  std::size_t answered() const {
    return latency_ ? remote_us_.size() + local_us_.size() : rtts_us_.size();
  }
  std::size_t due_answers() const { return echoes_sent_ * (latency_ ? 2 * settings_.connections : 1); }

  void check_echoes_done() {
    bool all_sent = echoes_sent_ >= static_cast<std::size_t>(settings_.duration_ms * settings_.rate / 1000);
    if (all_sent && answered() == due_answers()) finish("ok");
  }

  static double percentile(std::vector<double>& xs, double p) {
    if (xs.empty()) return 0;
    auto k = std::min(xs.size() - 1, static_cast<std::size_t>(p * xs.size()));
    std::nth_element(xs.begin(), xs.begin() + k, xs.end());
    return xs[k];
  }

  void finish(const std::string& status) {
    if (finished_) return;
    finished_ = true;
    status_ = status;
    double wall_us = now_us() - phase_started_us_;
    double server_cpu = bench::cpu_us(settings_.server_pid) - server_cpu_before_;
    double publisher_cpu = settings_.publisher_pid ? bench::cpu_us(settings_.publisher_pid) - publisher_cpu_before_ : 0;
    double redis_cpu = settings_.redis_pid ? bench::cpu_us(settings_.redis_pid) - redis_cpu_before_ : 0;
    double loadgen_cpu = bench::cpu_us(0) - loadgen_cpu_before_;
    double steal = bench::steal_us() - steal_before_;
    double expected = 0;
    if (settings_.scenario == "fanout" || settings_.scenario == "polling")
      expected = double(settings_.messages) * settings_.burst * settings_.connections;
    bool timed = settings_.scenario == "echo" || latency_;
    if (timed) expected = double(due_answers());
    double received = timed ? double(answered()) : double(deliveries_);
    if (status_ == "ok" && received != expected) status_ = "lost messages";
    double p50 = percentile(rtts_us_, 0.50), p99 = percentile(rtts_us_, 0.99), p999 = percentile(rtts_us_, 0.999);
    std::printf(
        "{\"scenario\":\"%s\",\"status\":\"%s\",\"connections\":%zu,\"ready\":%zu,\"failed\":%zu,"
        "\"connect_ms\":%.1f,\"connect_server_cpu_us\":%.0f,\"messages\":%zu,\"burst\":%zu,"
        "\"received\":%.0f,\"expected\":%.0f,\"wall_us\":%.0f,\"server_cpu_us\":%.0f,\"loadgen_cpu_us\":%.0f,"
        "\"steal_us\":%.0f,\"rss_before_kb\":%.0f,\"rss_after_kb\":%.0f,\"pss_before_kb\":%.0f,"
        "\"pss_after_kb\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"publisher_cpu_us\":%.0f,\"redis_cpu_us\":%.0f,"
        "\"remote_p50_us\":%.1f,\"remote_p99_us\":%.1f,\"local_p50_us\":%.1f,\"local_p99_us\":%.1f,"
        "\"error\":\"%s\"}\n",
        settings_.scenario.c_str(), status_.c_str(), settings_.connections, ready_, failed_, connect_ms_,
        connect_server_cpu_us_, settings_.messages, settings_.burst, received, expected, wall_us, server_cpu,
        loadgen_cpu, steal, memory_before_.rss_kb, memory_after_.rss_kb, memory_before_.pss_kb, memory_after_.pss_kb,
        p50, p99, p999, publisher_cpu, redis_cpu, percentile(remote_us_, 0.50), percentile(remote_us_, 0.99),
        percentile(local_us_, 0.50), percentile(local_us_, 0.99), error_.c_str());
    std::fflush(stdout);
    ctx_.stop();
  }

  Settings settings_;
  asio::io_context ctx_{1};
  asio::steady_timer timer_, pacer_;
  bool connect_pacing_ = false;
  bench::Target target_, publisher_target_;
  std::vector<std::shared_ptr<bench::Client>> clients_;
  bool polling_ = false, latency_ = false, join_ = true, finished_ = false;
  std::size_t local_members_ = 0;  // latency: receivers on the publisher's node
  std::size_t next_to_start_ = 0, ready_ = 0, failed_ = 0, rounds_ = 0, deliveries_ = 0, echoes_sent_ = 0;
  std::vector<double> rtts_us_, remote_us_, local_us_;
  std::string status_, error_;
  double phase_started_us_ = 0, server_cpu_before_ = 0, publisher_cpu_before_ = 0, redis_cpu_before_ = 0, loadgen_cpu_before_ = 0, steal_before_ = 0;
  double connect_ms_ = 0, connect_server_cpu_us_ = 0;
  bench::Memory memory_before_, memory_after_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Socket.IO load generator (see the comment at the top of bench/loadgen/main.cpp)"};
  Settings s;
  cli.add_option("--host", s.host);
  cli.add_option("--port", s.port);
  cli.add_option("--scenario", s.scenario)->check(CLI::IsMember({"connect", "idle", "fanout", "echo", "polling", "latency"}));
  cli.add_option("--connections", s.connections)->check(CLI::Range(1, 19000));
  cli.add_option("--handshakes-in-flight", s.handshakes_in_flight);
  cli.add_option("--source-addresses", s.source_addresses)->check(CLI::Range(1, 200));
  cli.add_option("--first-source", s.first_source)->check(CLI::Range(2, 250));
  cli.add_option("--messages", s.messages);
  cli.add_option("--burst", s.burst);
  cli.add_option("--idle-ms", s.idle_ms);
  cli.add_option("--rate", s.rate, "echo: messages per second");
  cli.add_option("--connect-rate", s.connect_rate, "connections opened per second (default: no limit)");
  cli.add_option("--duration-ms", s.duration_ms, "echo: how long to send");
  cli.add_option("--server-pid", s.server_pid, "the server (cross-node: the receivers' node)");
  cli.add_option("--publisher-port", s.publisher_port, "cross-node: the publisher's node (the trigger connects there)");
  cli.add_option("--publisher-pid", s.publisher_pid, "cross-node: the publisher's node, for its CPU");
  cli.add_option("--redis-pid", s.redis_pid, "cross-node: redis-server, for its CPU");
  cli.add_option("--rounds-in-flight", s.rounds_in_flight, "fanout: bursts asked for ahead")->check(CLI::Range(1, 64));
  cli.add_option("--timeout-ms", s.timeout_ms);
  CLI11_PARSE(cli, argc, argv);
  if (s.scenario == "latency" && s.publisher_port == 0) {
    std::fprintf(stderr, "--scenario latency needs --publisher-port\n");
    return 2;
  }
  Load load(s);
  return load.run();
}
