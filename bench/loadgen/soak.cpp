// The soak: --cycles connect-and-disconnect cycles against one server, with
// --concurrency clients at a time. A cycle is a WebSocket Engine.IO
// handshake, a Socket.IO CONNECT with {"token": --token} (the daemon with
// JWT auth on), its answer, then the TCP connection closed without a goodbye
// (the server sees "transport close"). Every --sample-every cycles it prints
// one JSON line with the server's RSS and open descriptors (/proc/--server-pid),
// then a last line with the totals. bench/soak.mjs runs it.

#include <dirent.h>

#include <CLI/CLI.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "client.hpp"
#include "proc_stats.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string token;
  std::size_t cycles = 1'000'000;
  std::size_t concurrency = 64;
  std::size_t sample_every = 10'000;
  std::size_t source_addresses = 100;
  int server_pid = 0;
};

long open_fds(int pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  long n = 0;
  while (auto* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n;
}

class Soak final : public bench::PacketSink {
 public:
  explicit Soak(Settings s) : s_(std::move(s)) {
    target_.server = tcp::endpoint(asio::ip::make_address(s_.host), s_.port);
    target_.host = s_.host + ":" + std::to_string(s_.port);
    connect_packet_ = "40{\"token\":\"" + s_.token + "\"}";
    slots_.resize(s_.concurrency);
  }

  int run() {
    started_ = std::chrono::steady_clock::now();
    sample();  // before the first cycle
    for (std::size_t i = 0; i < slots_.size(); ++i) start(i);
    ctx_.run();
    return failed_ ? 1 : 0;
  }

  void on_packet(bench::Client& client, std::string_view p) override {
    if (p.empty()) return;
    if (p[0] == '0') return client.send(connect_packet_);
    if (p[0] == '2') return client.send("3");
    if (p.rfind("40{", 0) == 0) return done(client.index());
    if (p.rfind("44", 0) == 0) return fail("connect refused: " + std::string(p));
  }
  void on_failed(bench::Client&, const std::string& why) override { fail(why); }

 private:
  void start(std::size_t slot) {
    if (started_cycles_ == s_.cycles || failed_) return;
    ++started_cycles_;
    slots_[slot] = bench::make_websocket_client(ctx_, *this, slot);
    auto source = asio::ip::make_address_v4("127.0.0." + std::to_string(2 + next_source_++ % s_.source_addresses));
    slots_[slot]->start(target_, source);
  }

  void done(std::size_t slot) {
    slots_[slot]->close();
    ++cycles_;
    if (cycles_ % s_.sample_every == 0 || cycles_ == s_.cycles) sample();
    if (cycles_ == s_.cycles) return ctx_.stop();
    // Later, not inside the client's own read handler.
    asio::post(ctx_, [this, slot] { start(slot); });
  }

  void sample() {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    auto m = bench::memory(s_.server_pid);
    std::printf("{\"cycles\":%zu,\"seconds\":%.1f,\"rss_kb\":%.0f,\"pss_kb\":%.0f,\"fds\":%ld}\n", cycles_, seconds,
                m.rss_kb, m.pss_kb, open_fds(s_.server_pid));
    std::fflush(stdout);
  }

  void fail(const std::string& why) {
    if (failed_) return;
    failed_ = true;
    std::printf("{\"cycles\":%zu,\"error\":\"%s\"}\n", cycles_, why.c_str());
    std::fflush(stdout);
    ctx_.stop();
  }

  Settings s_;
  asio::io_context ctx_{1};
  bench::Target target_;
  std::string connect_packet_;
  std::vector<std::shared_ptr<bench::Client>> slots_;
  std::size_t started_cycles_ = 0, cycles_ = 0, next_source_ = 0;
  bool failed_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Connect-and-disconnect soak (see the comment at the top of bench/loadgen/soak.cpp)"};
  Settings s;
  cli.add_option("--host", s.host);
  cli.add_option("--port", s.port)->required();
  cli.add_option("--token", s.token, "the JWT sent in every CONNECT")->required();
  cli.add_option("--cycles", s.cycles)->capture_default_str();
  cli.add_option("--concurrency", s.concurrency)->check(CLI::Range(1, 4096))->capture_default_str();
  cli.add_option("--sample-every", s.sample_every)->check(CLI::Range(1, 100'000'000))->capture_default_str();
  cli.add_option("--source-addresses", s.source_addresses)->check(CLI::Range(1, 200))->capture_default_str();
  cli.add_option("--server-pid", s.server_pid, "for RSS and open descriptors")->required();
  CLI11_PARSE(cli, argc, argv);
  return Soak(s).run();
}
