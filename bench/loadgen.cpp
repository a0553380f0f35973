// Load generator for bench/: opens N Socket.IO connections over WebSocket
// (speaking Engine.IO v4 / Socket.IO v5 itself, one thread), joins them to a
// room, then runs a scenario and prints one JSON line of results.
//
//   fanout: M times, one "burst" of B messages to the room; the next starts
//           when every delivery of the previous one arrived.
//   idle:   connects, joins, waits --idle-ms, reports (memory is read by the runner).
//
// Connections are spread over source addresses 127.0.0.2, .3, ... so that no
// address pair runs out of ports. The server's CPU time comes from
// /proc/<--server-pid>/stat around the measured phase.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3100;
  std::size_t connections = 100;
  std::size_t handshakes_in_flight = 200;
  std::size_t source_addresses = 8;
  std::string scenario = "fanout";
  std::size_t messages = 100;
  std::size_t burst = 1;
  std::uint32_t idle_ms = 1000;
  int server_pid = 0;
  std::uint32_t timeout_ms = 60'000;
};

// utime + stime of a process, in microseconds.
double cpu_us(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return double(utime + stime) * 1e6 / double(sysconf(_SC_CLK_TCK));
}

class Load;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Load& load, asio::io_context& ctx, std::size_t index) : load_(load), ws_(ctx), index_(index) {}
  void start();
  void send(std::string text);

 private:
  void on_frame(std::string_view frame);
  void do_read();
  void do_write();

  Load& load_;
  websocket::stream<beast::tcp_stream> ws_;
  std::size_t index_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
};

class Load {
 public:
  Load(Settings s) : settings(std::move(s)), timer(ctx) {}

  void run() {
    started = Clock::now();
    for (std::size_t i = 0; i < settings.connections; ++i)
      connections.push_back(std::make_shared<Connection>(*this, ctx, i));
    for (std::size_t i = 0; i < std::min(settings.handshakes_in_flight, connections.size()); ++i) start_next();
    timer.expires_after(std::chrono::milliseconds(settings.timeout_ms));
    timer.async_wait([this](beast::error_code ec) {
      if (!ec) finish("timeout");
    });
    ctx.run();
  }

  void start_next() {
    if (next_to_start < connections.size()) connections[next_to_start++]->start();
  }

  void on_joined() {
    ++joined;
    start_next();
    if (joined == settings.connections) on_all_joined();
  }

  void on_failed(const std::string& what) {
    ++failed;
    if (errors.size() < 5) errors.push_back(what);
    start_next();
    if (joined + failed == settings.connections && failed > 0) finish("connection failures");
  }

  void on_all_joined() {
    connect_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (settings.scenario == "idle") {
      timer.expires_after(std::chrono::milliseconds(settings.idle_ms));
      timer.async_wait([this](beast::error_code ec) {
        if (!ec) finish("ok");
      });
      return;
    }
    phase_started = Clock::now();
    server_cpu_before = cpu_us(settings.server_pid);
    trigger();
  }

  void trigger() {
    if (sent_rounds == settings.messages) return finish("ok");
    ++sent_rounds;
    auto ts = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
    connections[0]->send("42[\"burst\",\"bench\"," + std::to_string(settings.burst) + "," + std::to_string(ts) + "]");
  }

  void on_delivery() {
    ++deliveries;
    if (deliveries == sent_rounds * settings.burst * settings.connections) trigger();
  }

  void finish(const std::string& status) {
    if (finished) return;
    finished = true;
    double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - phase_started).count();
    double server_cpu = cpu_us(settings.server_pid) - server_cpu_before;
    double expected = double(settings.messages) * settings.burst * settings.connections;
    std::printf(
        "{\"scenario\":\"%s\",\"status\":\"%s\",\"connections\":%zu,\"joined\":%zu,\"failed\":%zu,"
        "\"connect_ms\":%.1f,\"messages\":%zu,\"burst\":%zu,\"deliveries\":%zu,\"expected\":%.0f,"
        "\"wall_ms\":%.1f,\"server_cpu_us\":%.0f,\"loadgen_cpu_us\":%.0f,\"errors\":\"%s\"}\n",
        settings.scenario.c_str(), status.c_str(), settings.connections, joined, failed, connect_ms,
        settings.messages, settings.burst, deliveries, settings.scenario == "idle" ? 0.0 : expected, wall_ms,
        server_cpu, cpu_us(getpid()), errors.empty() ? "" : errors.front().c_str());
    std::fflush(stdout);
    ctx.stop();
  }

  Settings settings;
  asio::io_context ctx{1};
  asio::steady_timer timer;
  std::vector<std::shared_ptr<Connection>> connections;
  std::size_t next_to_start = 0, joined = 0, failed = 0, sent_rounds = 0, deliveries = 0;
  std::vector<std::string> errors;
  Clock::time_point started, phase_started;
  double connect_ms = 0, server_cpu_before = 0;
  bool finished = false;
};

void Connection::start() {
  auto& sock = beast::get_lowest_layer(ws_).socket();
  beast::error_code ec;
  sock.open(tcp::v4(), ec);
  // Spread over source addresses: each pair of addresses has ~28k ports.
  auto source = asio::ip::make_address_v4("127.0.0." + std::to_string(2 + index_ % load_.settings.source_addresses));
  sock.bind(tcp::endpoint(source, 0), ec);
  if (ec) return load_.on_failed("bind: " + ec.message());
  tcp::endpoint server(asio::ip::make_address(load_.settings.host), load_.settings.port);
  beast::get_lowest_layer(ws_).async_connect(server, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->load_.on_failed("connect: " + ec.message());
    beast::get_lowest_layer(self->ws_).expires_never();
    self->ws_.async_handshake(self->load_.settings.host, "/socket.io/?EIO=4&transport=websocket",
                              [self](beast::error_code ec) {
                                if (ec) return self->load_.on_failed("handshake: " + ec.message());
                                self->do_read();
                              });
  });
}

void Connection::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (!self->load_.finished) self->load_.on_failed("read: " + ec.message());
      return;
    }
    auto data = self->buffer_.data();
    self->on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    self->buffer_.consume(self->buffer_.size());
    self->do_read();
  });
}

void Connection::on_frame(std::string_view f) {
  if (f.rfind("42[\"msg\"", 0) == 0) return load_.on_delivery();
  if (f == "2") return send("3");
  if (f.rfind("0{", 0) == 0) return send("40");
  if (f.rfind("40{", 0) == 0) return send("420[\"join\",\"bench\"]");
  if (f.rfind("430", 0) == 0) return load_.on_joined();
}

void Connection::send(std::string text) {
  queue_.push_back(std::move(text));
  if (!writing_) do_write();
}

void Connection::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->queue_.pop_front();
    self->writing_ = false;
    if (ec) return;
    if (!self->queue_.empty()) self->do_write();
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Socket.IO load generator"};
  Settings s;
  cli.add_option("--host", s.host);
  cli.add_option("--port", s.port);
  cli.add_option("--connections", s.connections);
  cli.add_option("--handshakes-in-flight", s.handshakes_in_flight);
  cli.add_option("--source-addresses", s.source_addresses);
  cli.add_option("--scenario", s.scenario)->check(CLI::IsMember({"fanout", "idle"}));
  cli.add_option("--messages", s.messages);
  cli.add_option("--burst", s.burst);
  cli.add_option("--idle-ms", s.idle_ms);
  cli.add_option("--server-pid", s.server_pid);
  cli.add_option("--timeout-ms", s.timeout_ms);
  CLI11_PARSE(cli, argc, argv);
  Load load(s);
  load.run();
  return load.finished ? 0 : 1;
}
