// redis/: URL parsing, RESP formatting and capped parsing without sockets;
// then redis::Connection against a fake server on an Asio acceptor (handshake
// order, protocol errors) and against real redis-servers this file starts on
// free loopback ports (never the system service).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "redis/config.hpp"
#include "redis/connection.hpp"
#include "redis/protocol.hpp"
#include "redis/reply.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using redis::Reply;
using redis::State;

// --- URLs -------------------------------------------------------------------

TEST(RedisUrl, ParsesHostPortCredentialsAndDb) {
  auto plain = redis::parse_redis_url("redis://localhost:6379");
  ASSERT_TRUE(plain.ok()) << plain.error;
  EXPECT_EQ(plain.config.host, "localhost");
  EXPECT_EQ(plain.config.port, 6379);
  EXPECT_EQ(plain.config.db, 0);
  EXPECT_EQ(plain.config.password, "");

  auto full = redis::parse_redis_url("redis://al%69ce:p%40ss%3Aw0rd@cache.internal:6380/3");
  ASSERT_TRUE(full.ok()) << full.error;
  EXPECT_EQ(full.config.host, "cache.internal");
  EXPECT_EQ(full.config.port, 6380);
  EXPECT_EQ(full.config.username, "alice");
  EXPECT_EQ(full.config.password, "p@ss:w0rd");
  EXPECT_EQ(full.config.db, 3);
  EXPECT_EQ(full.config.endpoint(), "cache.internal:6380/3");  // no password in logs

  auto password_only = redis::parse_redis_url("redis://:secret@10.0.0.5");
  ASSERT_TRUE(password_only.ok());
  EXPECT_EQ(password_only.config.username, "");
  EXPECT_EQ(password_only.config.password, "secret");
  EXPECT_EQ(password_only.config.port, 6379);

  auto bare_secret = redis::parse_redis_url("redis://secret@host/");
  ASSERT_TRUE(bare_secret.ok());
  EXPECT_EQ(bare_secret.config.password, "secret");
  EXPECT_EQ(bare_secret.config.db, 0);

  auto ipv6 = redis::parse_redis_url("REDIS://[::1]:7000/2");
  ASSERT_TRUE(ipv6.ok()) << ipv6.error;
  EXPECT_EQ(ipv6.config.host, "::1");
  EXPECT_EQ(ipv6.config.port, 7000);
  EXPECT_EQ(ipv6.config.db, 2);
  EXPECT_EQ(ipv6.config.endpoint(), "[::1]:7000/2");
}

TEST(RedisUrl, UnsupportedDeploymentsSayWhy) {
  auto expect_error = [](std::string_view url, std::string_view needle) {
    auto parsed = redis::parse_redis_url(url);
    EXPECT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.error.find(needle), std::string::npos) << url << " -> " << parsed.error;
  };
  expect_error("rediss://cache:6380", "TLS");
  expect_error("redis+sentinel://s1:26379/mymaster", "Sentinel");
  expect_error("sentinel://s1:26379", "Sentinel");
  expect_error("redis://s1:26379?sentinel=mymaster", "Sentinel");
  expect_error("redis-cluster://n1:7000", "Cluster");
  expect_error("redis://n1:7000,n2:7001,n3:7002", "Cluster");
  expect_error("unix:///var/run/redis.sock", "unix");
}

TEST(RedisUrl, MalformedInputIsAnErrorNotAnException) {
  for (std::string_view url : {"",
                               "localhost:6379",
                               "http://h",
                               "redis://",
                               "redis://:6379",
                               "redis://h:",
                               "redis://h:0",
                               "redis://h:65536",
                               "redis://h:12ab",
                               "redis://h:99999999999999999999",
                               "redis://h/x",
                               "redis://h/1/2",
                               "redis://h/-1",
                               "redis://h?db=1",
                               "redis://h#x",
                               "redis://::1:6379",
                               "redis://[::1",
                               "redis://[::1]x",
                               "redis://[zz]:1",
                               "redis://us%zzer:pw@h",
                               "redis://user:pw%4@h",
                               "redis://ho st",
                               "redis://h%41"}) {
    redis::ParsedUrl parsed;
    EXPECT_NO_THROW(parsed = redis::parse_redis_url(url));
    EXPECT_FALSE(parsed.ok()) << '"' << url << "\" parsed";
    EXPECT_FALSE(parsed.error.empty());
  }
}

// --- RESP without sockets ---------------------------------------------------

TEST(RedisProtocol, FormatsBinarySafeCommands) {
  std::string out;
  using namespace std::string_view_literals;
  std::vector<std::string_view> args = {"SET", "k", "a\0b"sv};
  ASSERT_TRUE(redis::append_command(out, args));
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n"sv);
  // Pipelined commands are simply concatenated.
  std::size_t first = out.size();
  std::vector<std::string_view> get = {"GET", ""};
  ASSERT_TRUE(redis::append_command(out, get));
  EXPECT_EQ(out.substr(first), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
  EXPECT_FALSE(redis::append_command(out, {}));
  EXPECT_EQ(out.size(), first + 19);
}

redis::ReplyReader::Limits roomy() { return {1 << 20, 1000}; }

TEST(RedisProtocol, ParsesEveryReplyTypeFedByteByByte) {
  using namespace std::string_view_literals;
  std::string_view wire =
      "+OK\r\n-ERR boom\r\n:42\r\n$-1\r\n$5\r\na\0b\r\n\r\n*-1\r\n*3\r\n:1\r\n*1\r\n$1\r\nx\r\n$0\r\n\r\n"sv;
  redis::ReplyReader reader(roomy());
  std::vector<Reply> replies;
  for (char c : wire) {
    ASSERT_TRUE(reader.feed({&c, 1}));
    Reply r;
    while (reader.next(r) == redis::ReplyReader::Status::reply) replies.push_back(std::move(r));
  }
  ASSERT_EQ(replies.size(), 7u);
  EXPECT_EQ(replies[0], Reply::status("OK"));
  EXPECT_EQ(replies[1], Reply::error("ERR boom"));
  EXPECT_EQ(replies[2], Reply::integer(42));
  EXPECT_TRUE(replies[3].is_nil());
  EXPECT_EQ(replies[4], Reply::string(std::string("a\0b\r\n", 5)));
  EXPECT_TRUE(replies[5].is_nil());
  EXPECT_EQ(replies[6], Reply::array({Reply::integer(1), Reply::array({Reply::string("x")}), Reply::string("")}));
  EXPECT_EQ(replies[6].to_string(), "[(integer) 1, [\"x\"], \"\"]");
  // No accessor throws on the wrong type.
  EXPECT_EQ(replies[0].as_integer(), 0);
  EXPECT_TRUE(replies[2].elements().empty());
  EXPECT_EQ(replies[2].str(), "");
}

TEST(RedisProtocol, RefusesRepliesOverTheLimits) {
  Reply r;
  {
    redis::ReplyReader reader({1 << 20, 10});
    ASSERT_TRUE(reader.feed("*4\r\n*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n*4\r\n"));  // 12 elements in one reply
    EXPECT_EQ(reader.next(r), redis::ReplyReader::Status::error);
    EXPECT_NE(reader.error().find("max_reply_elements"), std::string::npos) << reader.error();
    EXPECT_FALSE(reader.feed(":1\r\n"));  // a failed reader stays failed
  }
  {
    // 2^31 elements would be a 16 GiB allocation if hiredis were asked.
    redis::ReplyReader reader(roomy());
    ASSERT_TRUE(reader.feed("*2147483648\r\n"));
    EXPECT_EQ(reader.next(r), redis::ReplyReader::Status::error);
    redis::ReplyReader other(roomy());
    ASSERT_TRUE(other.feed("*2000000000\r\n"));
    EXPECT_EQ(other.next(r), redis::ReplyReader::Status::error);
  }
  {
    // Strings are counted over the whole reply, not one by one.
    redis::ReplyReader reader({100, 1000});
    std::string wire = "*3\r\n";
    for (int i = 0; i < 3; ++i) wire += "$40\r\n" + std::string(40, 'x') + "\r\n";
    ASSERT_TRUE(reader.feed(wire));
    EXPECT_EQ(reader.next(r), redis::ReplyReader::Status::error);
    EXPECT_NE(reader.error().find("max_reply_bytes"), std::string::npos) << reader.error();
  }
  {
    // A bulk string announced huge is refused while it is still arriving.
    redis::ReplyReader reader({1000, 1000});
    ASSERT_TRUE(reader.feed("$999999999\r\n"));
    EXPECT_EQ(reader.next(r), redis::ReplyReader::Status::incomplete);
    std::string chunk(16 * 1024, 'x');
    bool refused = false;
    for (int i = 0; i < 10 && !refused; ++i)
      refused = !reader.feed(chunk) || reader.next(r) == redis::ReplyReader::Status::error;
    EXPECT_TRUE(refused);
  }
  {
    redis::ReplyReader reader(roomy());
    ASSERT_TRUE(reader.feed("!not resp\r\n"));
    EXPECT_EQ(reader.next(r), redis::ReplyReader::Status::error);
    EXPECT_NE(reader.error().find("protocol error"), std::string::npos);
  }
}

// --- helpers for connections ------------------------------------------------

// Runs `context` until `done` or the timeout; false on timeout.
bool run_until(asio::io_context& context, const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
  auto guard = asio::make_work_guard(context);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    context.run_for(5ms);
  }
  return true;
}

void run_for(asio::io_context& context, std::chrono::milliseconds duration) {
  auto guard = asio::make_work_guard(context);
  context.run_for(duration);
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

redis::Config local_config(std::uint16_t port) {
  redis::Config config;
  config.host = "127.0.0.1";
  config.port = port;
  config.reconnect_min = 20ms;
  config.reconnect_max = 200ms;
  config.connect_timeout = 2s;
  return config;
}

// Records what a connection reports.
struct Recorder {
  explicit Recorder(redis::Connection& c) {
    c.on_state([this](State s) { states.push_back(s); });
    c.on_message([this](std::string_view pattern, std::string_view channel, std::string_view payload) {
      messages.emplace_back(std::string(pattern), std::string(channel), std::string(payload));
    });
  }
  std::vector<State> states;
  std::vector<std::tuple<std::string, std::string, std::string>> messages;
};

// A private redis-server on a loopback port, killed at the end of the test.
class RedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";
  static bool available() { return ::access(kBinary, X_OK) == 0; }

  explicit RedisServer(std::vector<std::string> extra = {}) : port_(free_port()), extra_(std::move(extra)) {}
  ~RedisServer() { kill(); }

  std::uint16_t port() const { return port_; }

  // Starts the server and waits until it answers PING (or NOAUTH).
  bool start() {
    std::vector<std::string> args = {
        kBinary, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", "/tmp",   "--daemonize",         "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 1);
      ::dup2(null, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kBinary, argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (answers_ping()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  bool answers_ping() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const char ping[] = "*1\r\n$4\r\nPING\r\n";
      char buf[64] = {};
      if (::write(fd, ping, sizeof ping - 1) == sizeof ping - 1 && ::read(fd, buf, sizeof buf - 1) > 0)
        ok = std::string_view(buf).starts_with("+PONG") || std::string_view(buf).starts_with("-NOAUTH");
    }
    ::close(fd);
    return ok;
  }

  std::uint16_t port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

#define REQUIRE_REDIS() \
  if (!RedisServer::available()) GTEST_SKIP() << "no /usr/bin/redis-server"

// Collects the replies of commands by index.
struct Replies {
  redis::Connection::Callback at(std::size_t i) {
    if (got.size() <= i) {
      got.resize(i + 1);
      errors.resize(i + 1);
    }
    ++expected;
    return [this, i](boost::system::error_code ec, Reply r) {
      got[i] = ec ? Reply::error("client: " + ec.message()) : std::move(r);
      errors[i] = ec;
      ++done;
    };
  }
  bool all() const { return done == expected; }
  std::vector<Reply> got;
  std::vector<boost::system::error_code> errors;
  std::size_t expected = 0, done = 0;
};

// --- a fake server ----------------------------------------------------------

// Accepts one connection at a time, records what it reads, and answers with
// whatever the test gives for each command count it has seen.
struct FakeServer {
  explicit FakeServer(asio::io_context& context)
      : acceptor(context, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted;
      socket = std::make_shared<asio::ip::tcp::socket>(std::move(s));
      received.clear();
      read(socket);
      accept();
    });
  }
  void read(std::shared_ptr<asio::ip::tcp::socket> s) {
    auto buf = std::make_shared<std::array<char, 65536>>();
    s->async_read_some(asio::buffer(*buf), [this, s, buf](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      received.append(buf->data(), n);
      ++reads;
      if (answer) answer(*s, received);
      read(s);
    });
  }
  static void send(asio::ip::tcp::socket& s, std::string bytes) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(s, asio::buffer(*data), [data](boost::system::error_code, std::size_t) {});
  }

  asio::ip::tcp::acceptor acceptor;
  std::shared_ptr<asio::ip::tcp::socket> socket;
  std::string received;
  int accepted = 0, reads = 0;
  std::function<void(asio::ip::tcp::socket&, const std::string&)> answer;
};

TEST(RedisConnection, HandshakeAndQueuedCommandsLeaveInOneWriteInOrder) {
  asio::io_context context;
  FakeServer server(context);
  server.answer = [](asio::ip::tcp::socket& s, const std::string& received) {
    if (received.find("PING") != std::string::npos) FakeServer::send(s, "+OK\r\n+OK\r\n+PONG\r\n:7\r\n");
  };
  auto config = local_config(server.port());
  config.username = "app";
  config.password = "pw";
  config.db = 2;
  redis::Connection connection(context, config);
  Recorder recorder(connection);
  Replies replies;
  // Queued while connecting: written right after AUTH and SELECT.
  connection.command({"PING"}, replies.at(0));
  connection.command({"INCR", "n"}, replies.at(1));
  ASSERT_TRUE(run_until(context, [&] { return replies.all(); }));
  EXPECT_EQ(server.received,
            "*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$2\r\npw\r\n"
            "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
            "*1\r\n$4\r\nPING\r\n"
            "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
  EXPECT_EQ(connection.stats().writes, 1u);
  EXPECT_EQ(connection.stats().commands_sent, 4u);
  EXPECT_EQ(replies.got[0], Reply::status("PONG"));
  EXPECT_EQ(replies.got[1], Reply::integer(7));
  EXPECT_EQ(recorder.states, std::vector<State>{State::ready});
}

TEST(RedisConnection, ProtocolErrorClosesAndReconnects) {
  asio::io_context context;
  FakeServer server(context);
  server.answer = [&](asio::ip::tcp::socket& s, const std::string& received) {
    if (server.accepted == 1)
      FakeServer::send(s, "*2147483647\r\n");  // would be a 16 GiB array
    else
      FakeServer::send(s, "+PONG\r\n");
  };
  redis::Connection connection(context, local_config(server.port()));
  Recorder recorder(connection);
  Replies replies;
  connection.command({"PING"}, replies.at(0));
  ASSERT_TRUE(run_until(context, [&] { return replies.all(); }));
  EXPECT_EQ(replies.errors[0], redis::Errc::connection_lost);
  EXPECT_EQ(connection.stats().protocol_errors, 1u);
  EXPECT_NE(connection.last_error().find("protocol error"), std::string::npos) << connection.last_error();
  ASSERT_TRUE(run_until(context, [&] { return connection.state() == State::ready; }));
  connection.command({"PING"}, replies.at(1));
  ASSERT_TRUE(run_until(context, [&] { return replies.all(); }));
  EXPECT_EQ(replies.got[1], Reply::status("PONG"));
  EXPECT_EQ(recorder.states, (std::vector<State>{State::ready, State::down, State::ready}));
  EXPECT_EQ(server.accepted, 2);
}

TEST(RedisConnection, CloseFailsPendingCallbacksAndStopsEverything) {
  asio::io_context context;
  FakeServer server(context);  // never answers
  auto connection = std::make_unique<redis::Connection>(context, local_config(server.port()));
  Replies replies;
  connection->command({"GET", "k"}, replies.at(0));
  connection->subscribe({"chan"}, replies.at(1));
  // The remembered subscription is part of the handshake, which this server
  // never answers: the connection stays `connecting`.
  ASSERT_TRUE(run_until(context, [&] { return server.reads > 0; }));
  EXPECT_EQ(connection->state(), State::connecting);
  connection->close();
  EXPECT_TRUE(replies.all());  // at once, inside close()
  EXPECT_EQ(replies.errors[0], redis::Errc::closed);
  EXPECT_EQ(replies.errors[1], redis::Errc::closed);
  EXPECT_EQ(connection->state(), State::closed);
  connection->command({"GET", "k"}, replies.at(2));
  EXPECT_EQ(replies.done, 2u);  // never inline
  run_for(context, 50ms);
  EXPECT_EQ(replies.errors[2], redis::Errc::closed);
  // Destroying a connection with work in flight is safe and calls nothing.
  auto other = std::make_unique<redis::Connection>(context, local_config(server.port()));
  other->command({"GET", "k"}, [](boost::system::error_code, Reply) { FAIL() << "called after destruction"; });
  run_for(context, 30ms);
  other.reset();
  run_for(context, 30ms);
}

TEST(RedisConnection, MayBeDestroyedOrClosedFromItsOwnCallbacks) {
  asio::io_context context;
  FakeServer server(context);
  server.answer = [](asio::ip::tcp::socket& s, const std::string&) { FakeServer::send(s, "+A\r\n+B\r\n"); };
  auto connection = std::make_unique<redis::Connection>(context, local_config(server.port()));
  int calls = 0;
  connection->command({"ECHO", "a"}, [&](boost::system::error_code ec, Reply) {
    ++calls;
    connection.reset();  // with a reply still to parse in the same read
  });
  connection->command({"ECHO", "b"}, [&](boost::system::error_code, Reply) { ++calls; });
  ASSERT_TRUE(run_until(context, [&] { return !connection; }));
  run_for(context, 30ms);
  EXPECT_EQ(calls, 1);

  // close() from on_state(down): the pending command fails with `closed`,
  // and no retry follows.
  server.answer = [](asio::ip::tcp::socket& s, const std::string&) { s.close(); };
  redis::Connection other(context, local_config(server.port()));
  other.on_state([&](State s) {
    if (s == State::down) other.close();
  });
  boost::system::error_code got;
  other.command({"PING"}, [&](boost::system::error_code ec, Reply) { got = ec; });
  ASSERT_TRUE(run_until(context, [&] { return other.state() == State::closed; }));
  EXPECT_EQ(got, redis::Errc::closed);
  int accepted = server.accepted;
  run_for(context, 100ms);
  EXPECT_EQ(server.accepted, accepted);
}

TEST(RedisConnection, RefusedSubscriptionsAreForgottenNotRetried) {
  asio::io_context context;
  FakeServer server(context);
  server.answer = [&](asio::ip::tcp::socket& s, const std::string& received) {
    if (received.find("SUBSCRIBE") != std::string::npos) {
      asio::write(s, asio::buffer(std::string_view("-NOPERM no permissions to access the 'secret' channel\r\n")));
      s.close();  // and the link drops
    }
  };
  redis::Connection connection(context, local_config(server.port()));
  Replies r;
  ASSERT_TRUE(run_until(context, [&] { return connection.state() == State::ready; }));
  connection.subscribe({"secret"}, r.at(0));
  // Pub/sub through command() would desynchronize the reply order.
  connection.command({"subscribe", "x"}, r.at(1));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_TRUE(r.got[0].is_error());
  EXPECT_EQ(r.errors[1], redis::Errc::invalid_command);
  ASSERT_TRUE(run_until(context, [&] { return server.accepted == 2 && connection.state() == State::ready; }));
  run_for(context, 30ms);
  EXPECT_EQ(server.received, "");  // no resubscription in the handshake
}

// --- a real redis-server ----------------------------------------------------

TEST(RedisServerTest, SetGetAndReplyTypes) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  redis::Connection connection(context, local_config(server.port()));
  Replies r;
  using namespace std::string_view_literals;
  connection.command({"SET", "greeting", "hello"}, r.at(0));
  connection.command({"GET", "greeting"}, r.at(1));
  connection.command({"GET", "missing"}, r.at(2));
  connection.command({"INCRBY", "counter", "5"}, r.at(3));
  connection.command({"RPUSH", "list", "a", "b\0c"sv}, r.at(4));
  connection.command({"LRANGE", "list", "0", "-1"}, r.at(5));
  connection.command({"NOSUCHCOMMAND"}, r.at(6));
  connection.command(std::vector<std::string>{"GET", "greeting"}, r.at(7));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_EQ(r.got[0], Reply::status("OK"));
  EXPECT_EQ(r.got[1], Reply::string("hello"));
  EXPECT_TRUE(r.got[2].is_nil());
  EXPECT_EQ(r.got[3], Reply::integer(5));
  EXPECT_EQ(r.got[4], Reply::integer(2));
  EXPECT_EQ(r.got[5], Reply::array({Reply::string("a"), Reply::string(std::string("b\0c", 3))}));
  EXPECT_TRUE(r.got[6].is_error());
  EXPECT_EQ(r.got[7], Reply::string("hello"));
  for (auto ec : r.errors) EXPECT_FALSE(ec);
}

TEST(RedisServerTest, ThousandCommandsOfOneTurnAreOneWrite) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  redis::Connection connection(context, local_config(server.port()));
  ASSERT_TRUE(run_until(context, [&] { return connection.state() == State::ready; }));
  auto writes_before = connection.stats().writes.load();
  std::vector<long long> seen;
  for (int i = 0; i < 1000; ++i)
    connection.command({"INCR", "n"}, [&](boost::system::error_code ec, Reply reply) {
      EXPECT_FALSE(ec);
      seen.push_back(reply.as_integer());
    });
  ASSERT_TRUE(run_until(context, [&] { return seen.size() == 1000; }));
  EXPECT_EQ(connection.stats().writes - writes_before, 1u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[i], i + 1);  // FIFO matching
  EXPECT_GE(connection.stats().replies_received, 1000u);
}

TEST(RedisServerTest, CommandsFromAnotherThreadGoThroughPost) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  redis::Connection connection(context, local_config(server.port()));
  std::atomic<int> done{0};
  std::thread other([&] {
    for (int i = 0; i < 10; ++i)
      connection.post([&](redis::Connection& c) {
        c.command({"INCR", "from-thread"}, [&](boost::system::error_code ec, Reply) { done += ec ? 100 : 1; });
      });
  });
  ASSERT_TRUE(run_until(context, [&] { return done >= 10; }));
  other.join();
  EXPECT_EQ(done, 10);
}

TEST(RedisServerTest, AuthWithPasswordAndAclUser) {
  REQUIRE_REDIS();
  RedisServer server({"--requirepass", "s3cret"});
  ASSERT_TRUE(server.start());
  asio::io_context context;

  auto config = local_config(server.port());
  config.password = "s3cret";
  redis::Connection legacy(context, config);
  config.username = "default";
  redis::Connection acl(context, config);
  Replies r;
  legacy.command({"PING"}, r.at(0));
  acl.command({"PING"}, r.at(1));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_EQ(r.got[0], Reply::status("PONG"));
  EXPECT_EQ(r.got[1], Reply::status("PONG"));

  config.password = "wrong";
  redis::Connection refused(context, config);
  Recorder recorder(refused);
  ASSERT_TRUE(run_until(context, [&] { return refused.state() == State::down; }));
  EXPECT_NE(refused.last_error().find("WRONGPASS"), std::string::npos) << refused.last_error();
  refused.command({"PING"}, r.at(2));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_EQ(r.errors[2], redis::Errc::not_connected);
  run_for(context, 300ms);  // keeps retrying with backoff, stays down, says so once
  EXPECT_GE(refused.stats().connect_attempts, 2u);
  EXPECT_LE(refused.stats().connect_attempts, 8u);
  EXPECT_EQ(recorder.states, std::vector<State>{State::down});
}

TEST(RedisServerTest, SelectsTheConfiguredDatabase) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  auto config = local_config(server.port());
  redis::Connection db0(context, config);
  config.db = 3;
  redis::Connection db3(context, config);
  Replies r;
  db3.command({"SET", "where", "three"}, r.at(0));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  db3.command({"GET", "where"}, r.at(1));
  db0.command({"GET", "where"}, r.at(2));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_EQ(r.got[1], Reply::string("three"));
  EXPECT_TRUE(r.got[2].is_nil());
}

TEST(RedisServerTest, SubscribePsubscribeSsubscribeReceiveBinaryPayloads) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  redis::Connection subscriber(context, local_config(server.port()));
  redis::Connection publisher(context, local_config(server.port()));
  Recorder recorder(subscriber);
  Replies r;
  // Several channels per command: one confirmation each, one callback.
  subscriber.subscribe({"news", "sports"}, r.at(0));
  subscriber.psubscribe({"room:*"}, r.at(1));
  subscriber.ssubscribe({"shard-a", "shard-b"}, r.at(2));
  // In subscriber mode PING answers ["pong", ""], matched to its own callback.
  subscriber.command({"PING"}, r.at(3));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  for (auto ec : r.errors) EXPECT_FALSE(ec);
  EXPECT_EQ(r.got[3], Reply::array({Reply::string("pong"), Reply::string("")}));

  const std::string binary("a\0b\r\n\xff", 6);
  publisher.command({"PUBLISH", "news", "hello"}, r.at(4));
  publisher.command({"PUBLISH", "room:42", binary}, r.at(5));
  publisher.command({"SPUBLISH", "shard-b", "sharded"}, r.at(6));
  publisher.command({"PUBLISH", "nobody", "x"}, r.at(7));
  ASSERT_TRUE(run_until(context, [&] { return r.all() && recorder.messages.size() == 3; }));
  EXPECT_EQ(r.got[4], Reply::integer(1));
  EXPECT_EQ(r.got[7], Reply::integer(0));
  using Message = std::tuple<std::string, std::string, std::string>;
  EXPECT_EQ(recorder.messages,
            (std::vector<Message>{{"", "news", "hello"}, {"room:*", "room:42", binary}, {"", "shard-b", "sharded"}}));
  EXPECT_EQ(std::get<2>(recorder.messages[1]).size(), 6u);
  EXPECT_EQ(subscriber.stats().messages_received, 3u);

  // Leaving every subscription returns the link to normal commands, even
  // those whose answer looks like a push.
  subscriber.unsubscribe({}, r.at(8));
  subscriber.punsubscribe({}, r.at(9));
  subscriber.sunsubscribe({"shard-a", "shard-b"}, r.at(10));
  subscriber.command({"RPUSH", "l", "message", "x", "y"}, r.at(11));
  subscriber.command({"LRANGE", "l", "0", "-1"}, r.at(12));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  for (auto ec : r.errors) EXPECT_FALSE(ec);
  EXPECT_EQ(r.got[12], Reply::array({Reply::string("message"), Reply::string("x"), Reply::string("y")}));
  EXPECT_EQ(recorder.messages.size(), 3u);
}

TEST(RedisServerTest, RestartedServerGetsTheSubscriptionsBack) {
  REQUIRE_REDIS();
  RedisServer server;
  ASSERT_TRUE(server.start());
  asio::io_context context;
  redis::Connection subscriber(context, local_config(server.port()));
  Recorder recorder(subscriber);
  Replies r;
  subscriber.subscribe({"events"}, r.at(0));
  subscriber.psubscribe({"user:*"}, r.at(1));
  subscriber.ssubscribe({"shard"}, r.at(2));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  subscriber.command({"PING"}, r.at(3));  // pending when the server dies
  server.kill();
  ASSERT_TRUE(run_until(context, [&] { return subscriber.state() == State::down; }));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_TRUE(r.errors[3] == redis::Errc::connection_lost || !r.errors[3]);  // it may have been answered first
  subscriber.command({"PING"}, r.at(4));
  ASSERT_TRUE(run_until(context, [&] { return r.all(); }));
  EXPECT_EQ(r.errors[4], redis::Errc::not_connected);

  ASSERT_TRUE(server.start());  // same port
  ASSERT_TRUE(run_until(context, [&] { return subscriber.state() == State::ready; }));
  EXPECT_EQ(recorder.states, (std::vector<State>{State::ready, State::down, State::ready}));
  EXPECT_GE(subscriber.stats().reconnects, 1u);

  // Ready means resubscribed: a publish right away is received.
  redis::Connection publisher(context, local_config(server.port()));
  publisher.command({"PUBLISH", "events", "e1"}, r.at(5));
  publisher.command({"PUBLISH", "user:7", "u7"}, r.at(6));
  publisher.command({"SPUBLISH", "shard", "s"}, r.at(7));
  ASSERT_TRUE(run_until(context, [&] { return r.all() && recorder.messages.size() == 3; }));
  EXPECT_EQ(r.got[5], Reply::integer(1));
  EXPECT_EQ(r.got[6], Reply::integer(1));
  EXPECT_EQ(r.got[7], Reply::integer(1));
}

TEST(RedisServerTest, ServerAbsentAtStartIsRetriedWithBackoffUntilItAppears) {
  REQUIRE_REDIS();
  RedisServer server;  // not started yet
  asio::io_context context;
  auto config = local_config(server.port());
  config.reconnect_min = 50ms;
  config.reconnect_max = 200ms;
  redis::Connection connection(context, config);
  Recorder recorder(connection);
  Replies r;
  connection.command({"PING"}, r.at(0));     // queued while connecting, failed with the first attempt
  connection.subscribe({"later"}, r.at(1));  // remembered: confirmed once ready
  run_for(context, 600ms);
  EXPECT_EQ(connection.state(), State::down);
  EXPECT_EQ(r.done, 1u);
  EXPECT_EQ(r.errors[0], redis::Errc::not_connected);
  // 0, 50, 150, 350 ms, then every 200 ms: a handful of attempts, not a spin.
  EXPECT_GE(connection.stats().connect_attempts, 3u);
  EXPECT_LE(connection.stats().connect_attempts, 6u);
  EXPECT_NE(connection.last_error().find("cannot connect"), std::string::npos) << connection.last_error();

  ASSERT_TRUE(server.start());
  ASSERT_TRUE(run_until(
      context, [&] { return connection.state() == State::ready; }, 2s));
  ASSERT_TRUE(r.all());
  EXPECT_FALSE(r.errors[1]);
  EXPECT_EQ(recorder.states, (std::vector<State>{State::down, State::ready}));

  redis::Connection publisher(context, local_config(server.port()));
  publisher.command({"PUBLISH", "later", "hi"}, r.at(2));
  ASSERT_TRUE(run_until(context, [&] { return recorder.messages.size() == 1; }));
}

}  // namespace
