// Connecting to a name with several addresses (RFC 8305), with names the test resolves itself
// (support/FakeDns.h) onto loopback listeners that accept, refuse, or never answer.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "as3/testing/Run.h"
#include "support/FakeDns.h"
#include "support/Net.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::net::EventLoop;
using as3::net::Socket;
using as3::testing::runUntil;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Outcome {
  bool connected = false;
  std::string error;
  Clock::duration took{};
};

Outcome connectAndWait(EventLoop& loop, Socket& socket, const std::string& host, int port,
                       std::chrono::milliseconds limit = 10s) {
  Outcome outcome;
  auto start = Clock::now();
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    outcome.connected = true;
    outcome.took = Clock::now() - start;
  });
  socket.addEventListener(IOErrorEvent::IO_ERROR, [&](IOErrorEvent& e) {
    outcome.error = e.text();
    outcome.took = Clock::now() - start;
  });
  socket.connect(host, port);
  runUntil(
      loop, [&] { return outcome.connected || !outcome.error.empty(); }, limit);
  return outcome;
}

// A ::1 listener on `port` whose backlog is full: SYNs to it get no answer.
struct Blackhole {
  int fd = -1;
  std::vector<int> fillers;
  explicit Blackhole(int port) {
    fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<std::uint16_t>(port));
    address.sin6_addr = in6addr_loopback;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 0) != 0) {
      ::close(fd);
      fd = -1;
      return;
    }
    for (int i = 0; i < 4; ++i) {
      int filler = test::connectTo("::1", port, /*blocking=*/false);
      if (filler >= 0) fillers.push_back(filler);
    }
    std::this_thread::sleep_for(50ms);
  }
  ~Blackhole() {
    for (int filler : fillers) ::close(filler);
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

TEST_CASE("Happy Eyeballs: an address that never answers loses to the next after 250 ms",
          "[net][eyeballs]") {
  EventLoop loop;
  test::Listener v4("127.0.0.1");
  Blackhole silent(v4.port());
  if (silent.fd < 0) {
    WARN("no IPv6 loopback here");
    return;
  }
  test::FakeName name("race.as3net.test", {"::1", "127.0.0.1"});
  Socket socket(loop);
  Outcome outcome = connectAndWait(loop, socket, "race.as3net.test", v4.port());
  REQUIRE(outcome.connected);
  CHECK(socket.remoteAddress() == "127.0.0.1");
  CHECK(outcome.took >= 240ms);  // the first attempt had its 250 ms
  CHECK(outcome.took < 3s);
}

TEST_CASE("Happy Eyeballs: a refused address hands over to the next at once", "[net][eyeballs]") {
  EventLoop loop;
  test::Listener v4("127.0.0.1");
  // ::1 on the listener's port refuses (nobody listens there), unless IPv6 is missing, which
  // fails just as fast.
  test::FakeName name("refuse-first.as3net.test", {"::1", "127.0.0.1"});
  Socket socket(loop);
  Outcome outcome = connectAndWait(loop, socket, "refuse-first.as3net.test", v4.port());
  REQUIRE(outcome.connected);
  CHECK(socket.remoteAddress() == "127.0.0.1");
  CHECK(outcome.took < 200ms);
}

TEST_CASE("Happy Eyeballs: when every address fails, the ioError names the last one",
          "[net][eyeballs]") {
  EventLoop loop;
  int port = test::unusedPort();  // nobody listens on 127.0.0.1 or ::1
  test::FakeName name("all-refuse.as3net.test", {"127.0.0.1", "::1", "127.0.0.2"});
  Socket socket(loop);
  Outcome outcome = connectAndWait(loop, socket, "all-refuse.as3net.test", port);
  REQUIRE_FALSE(outcome.connected);
  CHECK_THAT(outcome.error, Catch::StartsWith("Error #2031: Socket Error. URL: "
                                              "all-refuse.as3net.test.") &&
                                Catch::Contains("127.0.0.2:" + std::to_string(port)));
}

TEST_CASE("The timeout covers a DNS lookup that does not answer", "[net][eyeballs]") {
  EventLoop loop;
  test::FakeName name("slow.as3net.test", {"127.0.0.1"}, 1500ms);
  Socket socket(loop);
  socket.timeout(200);
  Outcome outcome = connectAndWait(loop, socket, "slow.as3net.test", 80);
  REQUIRE_FALSE(outcome.connected);
  CHECK_THAT(outcome.error, Catch::Contains("Timed out") && Catch::Contains("200 ms") &&
                                Catch::Contains("DNS lookup had not answered"));
  CHECK(outcome.took < 1400ms);
}

TEST_CASE("A name that does not exist is a DNS failure", "[net][eyeballs]") {
  EventLoop loop;
  test::FakeName name("missing.as3net.test", {});
  Socket socket(loop);
  Outcome outcome = connectAndWait(loop, socket, "missing.as3net.test", 80);
  REQUIRE_FALSE(outcome.connected);
  CHECK_THAT(outcome.error, Catch::Contains("DNS lookup of missing.as3net.test failed") &&
                                Catch::Contains("EAI_NONAME"));
}
