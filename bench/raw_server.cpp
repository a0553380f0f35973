// The raw baseline of the benchmarks: a minimal single-threaded epoll server
// that holds the same WebSocket connections as the Socket.IO servers and
// answers the load generator's Engine.IO / Socket.IO packets with the least
// work possible. A "burst" builds its frames once and writes them to each
// room member with one send() per socket: the physical limit of
// one-write-per-delivery on this machine, measured in the same run.
//
// It is not a server: no heartbeat, no validation beyond what the load
// generator needs. Usage: raw-server --port N (0 = any); prints
// "raw-server listening on 127.0.0.1:PORT".

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "net/websocket_handshake.hpp"
#include "ws_frame.hpp"

namespace {

using bench::append_frame;
using bench::Opcode;

struct Conn {
  int fd;
  std::string in, out;
  bool upgraded = false;
  std::size_t room_slot = SIZE_MAX;  // index in `room`, if a member
};

int epoll_fd;
std::vector<std::unique_ptr<Conn>> conns;  // by fd
std::vector<Conn*> room;                   // members of "bench"
char read_buffer[256 * 1024];

void watch_writable(Conn& c, bool on) {
  epoll_event ev{};
  ev.events = on ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  ev.data.fd = c.fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
}

// One send() of `data`; what the kernel does not take waits for EPOLLOUT.
void write_to(Conn& c, std::string_view data) {
  if (!c.out.empty()) {
    c.out.append(data);
    return;
  }
  ssize_t n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
  if (n < 0) n = 0;
  if (static_cast<std::size_t>(n) < data.size()) {
    c.out.append(data.substr(n));
    watch_writable(c, true);
  }
}

void send_text(Conn& c, std::string_view text) {
  std::string frame;
  append_frame(frame, Opcode::text, text, false);
  write_to(c, frame);
}

void drop(Conn& c) {
  if (c.room_slot != SIZE_MAX) {
    room[c.room_slot] = room.back();
    room[c.room_slot]->room_slot = c.room_slot;
    room.pop_back();
  }
  int fd = c.fd;
  ::close(fd);
  conns[fd].reset();
}

// "42<id>[...]" -> id, or -1.
long ack_id_of(std::string_view p, std::size_t& at) {
  at = 2;
  long id = -1;
  while (at < p.size() && p[at] >= '0' && p[at] <= '9') id = (id < 0 ? 0 : id * 10) + (p[at++] - '0');
  return id;
}

void broadcast_burst(std::string_view args) {
  // args: "bench",<count>,<ts>]
  auto first_comma = args.find(',');
  auto second_comma = args.find(',', first_comma + 1);
  long count = std::strtol(std::string(args.substr(first_comma + 1)).c_str(), nullptr, 10);
  std::string ts(args.substr(second_comma + 1, args.size() - second_comma - 2));
  std::string frames;
  for (long i = 0; i < count; ++i)
    append_frame(frames, Opcode::text, "42[\"msg\"," + std::to_string(i) + "," + ts + "]", false);
  for (Conn* member : room) write_to(*member, frames);
}

void on_packet(Conn& c, std::string_view p) {
  if (p == "40") return send_text(c, "40{\"sid\":\"raw\"}");
  if (p.rfind("42", 0) != 0) return;
  std::size_t at;
  long id = ack_id_of(p, at);
  std::string_view body = p.substr(at);  // ["event",...]
  if (body.rfind("[\"join\"", 0) == 0) {
    if (c.room_slot == SIZE_MAX) {
      c.room_slot = room.size();
      room.push_back(&c);
    }
    if (id >= 0) send_text(c, "43" + std::to_string(id) + "[]");
  } else if (body.rfind("[\"echo\",", 0) == 0) {
    if (id >= 0) send_text(c, "43" + std::to_string(id) + "[" + std::string(body.substr(8)));
  } else if (body.rfind("[\"burst\",", 0) == 0) {
    broadcast_burst(body.substr(9));
  }
}

// False when the connection was dropped.
bool on_bytes(Conn& c) {
  std::size_t at = 0;
  if (!c.upgraded) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return true;
    auto key_at = c.in.find("Sec-WebSocket-Key: ");
    if (key_at == std::string::npos) key_at = c.in.find("sec-websocket-key: ");
    if (key_at == std::string::npos) return drop(c), false;
    key_at += 19;
    std::string key = c.in.substr(key_at, c.in.find("\r\n", key_at) - key_at);
    std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " + net::ws::accept_key(key) + "\r\n\r\n";
    append_frame(response, Opcode::text,
                 "0{\"sid\":\"raw\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}",
                 false);
    write_to(c, response);
    c.upgraded = true;
    at = end + 4;
  }
  bench::Frame frame;
  while (std::size_t used = bench::parse_frame(c.in.data() + at, c.in.size() - at, frame)) {
    at += used;
    if (frame.opcode == Opcode::close) return drop(c), false;
    if (frame.opcode == Opcode::text) on_packet(c, frame.payload);
  }
  c.in.erase(0, at);
  return true;
}

void on_readable(Conn& c) {
  for (;;) {
    ssize_t n = ::recv(c.fd, read_buffer, sizeof read_buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return drop(c);
    c.in.append(read_buffer, n);
    if (!on_bytes(c)) return;
    if (static_cast<std::size_t>(n) < sizeof read_buffer) return;
  }
}

void on_writable(Conn& c) {
  ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
  if (n > 0) c.out.erase(0, n);
  if (c.out.empty()) watch_writable(c, false);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);
  std::signal(SIGTERM, [](int) { std::_Exit(0); });
  std::signal(SIGPIPE, SIG_IGN);
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4096) != 0) {
    std::perror("raw-server: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("raw-server listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  epoll_fd = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &ev);
  epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epoll_fd, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        for (int c; (c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (conns.size() <= static_cast<std::size_t>(c)) conns.resize(c + 1);
          conns[c] = std::make_unique<Conn>();
          conns[c]->fd = c;
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      if (fd >= static_cast<int>(conns.size()) || !conns[fd]) continue;
      if (events[i].events & EPOLLOUT) on_writable(*conns[fd]);
      if (conns[fd] && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(*conns[fd]);
    }
  }
}
