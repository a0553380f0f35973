// The whole front door, as the switchboard daemon wires it (src/app/main.cpp):
// net::HttpServer (Beast's request parser with the server's header and body
// limits), the Engine.IO endpoint (query strings, CORS, handshakes, polling
// sessions, payloads), Socket.IO and the RealtimeService (CONNECT with JWT
// auth, events, rooms) and the HTTP API (paths, JSON bodies), over real
// loopback TCP connections to one in-process server.
//
// The input is a series of raw requests separated by the line "@@@". Each
// goes on its own connection, which is half-closed once the request is sent;
// the answer is read until the server closes or 10 ms pass (an answer takes
// about 1 ms; a held polling GET is dropped, and the server answers it at the
// next ping or sees the client gone). Two placeholders let the fuzzer reach
// past what it cannot guess:
//  - "@SID@" becomes the sid of the last handshake answered (the session
//    lives 150 ms without a pong, long enough for the rest of the input);
//  - "@LEN@" becomes the length of the bytes after the request's blank line,
//    so that a mutated body keeps a matching Content-Length.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_api.hpp"
#include "app/config.hpp"
#include "service/log.hpp"
#include "service/realtime_service.hpp"
#include "socketio/server.hpp"

namespace {

constexpr std::string_view kSeparator = "\n@@@\n";
// Long enough for any answer the server has (about 1 ms here); a held GET is
// given up on and closed, which the server must notice too.
constexpr auto kAnswerDeadline = std::chrono::milliseconds(10);

struct Daemon {
  explicit Daemon(app::Config c)
      : config(std::move(c)),
        shards(config.server.threads),
        http(shards, config.server.http),
        io(shards, config.io),
        realtime(io, config.service),
        api(realtime, io, config.api) {
    io.attach(http);
    api.attach(http);
    api.set_ready(true);
    http.listen();
    shards.start();
  }
  app::Config config;
  net::ShardPool shards;
  net::HttpServer http;
  socketio::Server io;
  service::RealtimeService realtime;
  api::HttpApi api;
};

// Started once and never stopped: its threads run for the whole process.
std::uint16_t server_port() {
  static Daemon* daemon = [] {
    // Every log line is built (JSON, with the client's strings in it) and
    // then dropped.
    auto logger = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    service::set_json_logs(true);
    std::vector<std::string> args = {"switchboard",   "--host",          "127.0.0.1",       "--port",
                                     "0",             "--threads",       "1",               "--ping-interval",
                                     "100",           "--ping-timeout",  "50",              "--jwt-secret",
                                     "fuzz-secret",   "--api-key",       "fuzz-key",        "--cors-origin",
                                     "http://localhost:5173,https://app.example.com",       "--room-templates",
                                     "company:{companyId},{role}"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    app::Config config;
    if (app::load_config(static_cast<int>(argv.size()), argv.data(), config) >= 0) std::abort();
    config.log_level = "debug";
    return new Daemon(std::move(config));
  }();
  return daemon->http.bound_port();
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::string fill_in(std::string_view raw, const std::string& sid) {
  std::string request(raw);
  replace_all(request, "@SID@", sid);
  auto blank = request.find("\r\n\r\n");
  if (blank == std::string::npos) return request;
  std::string head = request.substr(0, blank);
  replace_all(head, "@LEN@", std::to_string(request.size() - blank - 4));
  return head + request.substr(blank);
}

// libFuzzer's SIGALRM (-timeout) interrupts system calls: a connect() cut
// short goes on in the background, and its outcome is in SO_ERROR.
bool connect_to(int fd, const sockaddr_in& address) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return true;
  if (errno != EINTR) return false;
  pollfd p{fd, POLLOUT, 0};
  int ready;
  do ready = ::poll(&p, 1, 5000);
  while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    errno = ready == 0 ? ETIMEDOUT : errno;
    return false;
  }
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  errno = error;
  return error == 0;
}

// Sends one request on a new connection and returns what came back.
std::string send_request(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!connect_to(fd, address)) {
    // The listener stopped accepting: as bad as a crash.
    std::perror("http_server_fuzz: connect");
    std::abort();
  }
  std::string answer;
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server closed early (an answer before the whole request)
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + kAnswerDeadline;
  char buffer[16 * 1024];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (answer.size() < (1 << 20)) answer.append(buffer, static_cast<std::size_t>(n));
  }
  // No TIME_WAIT left behind: a reset instead of a FIN.
  linger no_linger{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
  ::close(fd);
  return answer;
}

// The sid of an open packet in the answer, or "".
std::string sid_in(std::string_view answer) {
  constexpr std::string_view key = "\"sid\":\"";
  auto at = answer.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  auto end = answer.find('"', at);
  return end == std::string_view::npos ? std::string() : std::string(answer.substr(at, end - at));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint16_t port = server_port();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string sid;
  for (int requests = 0; !input.empty() && requests < 8; ++requests) {
    auto end = input.find(kSeparator);
    auto raw = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + kSeparator.size());
    if (raw.empty()) continue;
    auto answer = send_request(port, fill_in(raw, sid));
    if (auto s = sid_in(answer); !s.empty()) sid = std::move(s);
  }
  return 0;
}
