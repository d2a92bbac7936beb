// The testing kit's loopback server, run loop and clock, used the way an application's tests use
// them: real sockets over loopback, plain and TLS, strict validation on.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/Socket.h"
#include "as3/security/CertificateStatus.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/testing/TestClock.h"
#include "as3/utils/ByteArray.h"
#include "support/Net.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::security::CertificateStatus;
using as3::testing::CertificateOptions;
using as3::testing::LoopbackOptions;
using as3::testing::LoopbackServer;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using as3::testing::TestClock;
using namespace std::chrono_literals;

namespace {

// Client records what one socket saw, in order.
struct Client {
  std::vector<std::string> events;
  std::string data, errorText;
  explicit Client(Socket& socket) {
    socket.addEventListener(Event::CONNECT, [this](Event&) { events.push_back("connect"); });
    socket.addEventListener(Event::CLOSE, [this](Event&) { events.push_back("close"); });
    socket.addEventListener(ProgressEvent::SOCKET_DATA,
                            [this, &socket](Event&) { data += socket.readAll(); });
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      events.push_back("ioError");
      errorText = e.text();
    });
  }
  bool connected() const { return !events.empty() && events.front() == "connect"; }
  bool ended() const {
    return !events.empty() && (events.back() == "close" || events.back() == "ioError");
  }
};

}  // namespace

TEST_CASE("LoopbackServer echoes over plain TCP and counts what it saw", "[testing][net]") {
  EventLoop loop;
  LoopbackServer server(loop);
  CHECK_FALSE(server.secure());
  CHECK(server.host() == "127.0.0.1");
  Socket socket(loop);
  Client client(socket);
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    socket.writeUTFBytes("hello");
    socket.flush();
  });
  socket.connect(server.host(), server.port());
  REQUIRE(runUntil(loop, [&] { return client.data == "hello"; }));
  socket.close();
  REQUIRE(runUntil(loop, [&] { return server.finished() == 1; }));
  CHECK(server.connections() == 1);
  CHECK(server.open() == 0);
  CHECK(server.received() == "hello");
  CHECK(server.failures().empty());
}

TEST_CASE("LoopbackServer speaks TLS with a certificate from the authority", "[testing][tls]") {
  EventLoop loop;
  TestCertificateAuthority authority;
  LoopbackServer server(loop, authority, Script().expect("PING\n").send("PONG\n").close());
  CHECK(server.secure());
  SecureSocket socket(loop);
  authority.trustIn(socket);
  Client client(socket);
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    socket.writeUTFBytes("PING\n");
    socket.flush();
  });
  SECTION("by name") {
    socket.connect("localhost", server.port());
  }
  SECTION("by address") {
    socket.connect("127.0.0.1", server.port());
  }
  REQUIRE(runUntil(loop, [&] { return client.ended(); }));
  // close() sends close_notify: a clean close after the reply.
  CHECK(client.events == std::vector<std::string>{"connect", "close"});
  CHECK(client.data == "PONG\n");
  CHECK(socket.serverCertificateStatus() == CertificateStatus::TRUSTED);
  CHECK(server.finished() == 1);
  CHECK(server.failures().empty());
}

TEST_CASE("LoopbackServer's misbehaving ends: truncation and reset", "[testing][tls]") {
  EventLoop loop;
  TestCertificateAuthority authority;
  SECTION("closeWithoutNotify: the bytes first, then a truncation ioError") {
    LoopbackServer server(loop, authority, Script().send("last words").closeWithoutNotify());
    SecureSocket socket(loop);
    authority.trustIn(socket);
    Client client(socket);
    socket.connect("localhost", server.port());
    REQUIRE(runUntil(loop, [&] { return client.ended(); }));
    CHECK(client.data == "last words");
    CHECK(client.events == std::vector<std::string>{"connect", "ioError"});
    CHECK_THAT(client.errorText, Catch::Contains("close_notify"));
  }
  SECTION("closeWithoutNotify on plain TCP is an ordinary close") {
    LoopbackServer server(loop, Script().send("bye").closeWithoutNotify());
    Socket socket(loop);
    Client client(socket);
    socket.connect(server.host(), server.port());
    REQUIRE(runUntil(loop, [&] { return client.ended(); }));
    CHECK(client.events == std::vector<std::string>{"connect", "close"});
    CHECK(client.data == "bye");
  }
  SECTION("reset") {
    LoopbackServer server(loop, authority, Script().pause(50ms).reset());
    SecureSocket socket(loop);
    authority.trustIn(socket);
    Client client(socket);
    socket.connect("localhost", server.port());
    REQUIRE(runUntil(loop, [&] { return client.ended(); }));
    CHECK(client.events == std::vector<std::string>{"connect", "ioError"});
    CHECK_THAT(client.errorText, Catch::Contains("reset"));
  }
}

TEST_CASE("LoopbackServer records unmet expectations and early ends", "[testing][net]") {
  EventLoop loop;
  SECTION("different bytes: recorded, then the server closes") {
    LoopbackServer server(loop, Script().expect("HELLO\n").send("WELCOME\n"));
    Socket socket(loop);
    Client client(socket);
    socket.addEventListener(Event::CONNECT, [&](Event&) {
      socket.writeUTFBytes("HELP\n");
      socket.flush();
    });
    socket.connect(server.host(), server.port());
    REQUIRE(runUntil(loop, [&] { return client.ended(); }));
    CHECK(client.data.empty());
    REQUIRE(server.failures().size() == 1);
    CHECK(server.failures()[0] == "connection 1: step 1 expect(\"HELLO\\n\") received \"HELP\\n\"");
  }
  SECTION("the client leaves while the server waits for bytes") {
    LoopbackServer server(loop, Script().receive(4).send("ok"));
    Socket socket(loop);
    Client client(socket);
    socket.addEventListener(Event::CONNECT, [&](Event&) {
      socket.writeUTFBytes("ab");
      socket.flush();
      socket.close();
    });
    socket.connect(server.host(), server.port());
    REQUIRE(runUntil(loop, [&] { return !server.failures().empty(); }));
    CHECK_THAT(server.failures()[0],
               Catch::StartsWith("connection 1: the client closed the connection while step 1 "
                                 "receive(4) waited"));
    CHECK(server.finished() == 0);
    CHECK(server.received() == "ab");
  }
}

TEST_CASE("LoopbackServer counts a client's reset as a failure, not as an end", "[testing][net]") {
  EventLoop loop;
  LoopbackServer server(loop, Script().echo());
  int fd = test::connectTo("127.0.0.1", server.port());
  REQUIRE(fd >= 0);
  REQUIRE(test::sendAll(fd, "x"));
  REQUIRE(runUntil(loop, [&] { return server.received() == "x"; }));
  test::resetConnection(fd);
  REQUIRE(runUntil(loop, [&] { return !server.failures().empty(); }));
  CHECK_THAT(server.failures()[0],
             Catch::StartsWith("connection 1: the client ended with an ioError (") &&
                 Catch::EndsWith("during step 1 echo()"));
  CHECK(server.finished() == 0);
  CHECK(server.open() == 0);
}

TEST_CASE("LoopbackServer scripts bytes, pauses and several connections", "[testing][net]") {
  EventLoop loop;
  as3::utils::ByteArray frame;
  frame.writeUnsignedInt(3);
  frame.writeUTFBytes("abc");
  frame.position(4);  // send() takes the whole array, wherever its position is
  LoopbackServer server(loop, Script().send(frame).pause(100ms).send("late").discard());
  std::vector<std::unique_ptr<Socket>> sockets;
  std::vector<std::unique_ptr<Client>> clients;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    sockets.push_back(std::make_unique<Socket>(loop));
    clients.push_back(std::make_unique<Client>(*sockets.back()));
    sockets.back()->connect(server.host(), server.port());
  }
  std::string expected = std::string("\0\0\0\3abc", 7) + "late";
  REQUIRE(runUntil(loop, [&] {
    for (auto& c : clients)
      if (c->data != expected) return false;
    return true;
  }));
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);
  for (auto& s : sockets) {
    s->writeUTFBytes("dropped");
    s->flush();
  }
  REQUIRE(runUntil(loop, [&] { return server.received().size() == 3 * 7; }));
  for (auto& s : sockets) s->close();
  REQUIRE(runUntil(loop, [&] { return server.finished() == 3; }));
  CHECK(server.connections() == 3);
  CHECK(server.failures().empty());
}

TEST_CASE("LoopbackServer options: IPv6 loopback, ALPN, handshake limit", "[testing][tls]") {
  EventLoop loop;
  TestCertificateAuthority authority;
  SECTION("::1 with ALPN") {
    LoopbackOptions options;
    options.address = "::1";
    options.alpnProtocols = {"game/2", "game/1"};
    LoopbackServer server(loop, authority, Script().echo(), options);
    CHECK(server.host() == "::1");
    SecureSocket socket(loop);
    authority.trustIn(socket);
    socket.alpnProtocols({"game/1"});
    Client client(socket);
    socket.connect(server.host(), server.port());
    REQUIRE(runUntil(loop, [&] { return client.connected() || client.ended(); }));
    REQUIRE(client.connected());
    CHECK(socket.selectedProtocol() == "game/1");
  }
  SECTION("a client that never handshakes is dropped without a connection") {
    LoopbackOptions options;
    options.handshakeTimeout = 100;
    LoopbackServer server(loop, authority, Script().echo(), options);
    Socket plain(loop);
    Client client(plain);
    plain.connect(server.host(), server.port());
    REQUIRE(runUntil(
        loop, [&] { return client.ended(); }, 5s));
    CHECK(client.events == std::vector<std::string>{"connect", "close"});
    CHECK(server.connections() == 0);
  }
}

TEST_CASE("TestClock moves validation time: expiry without waiting", "[testing][tls]") {
  EventLoop loop;
  TestClock clock;
  TestCertificateAuthority authority;
  authority.clock(clock);
  CertificateOptions shortLived;
  shortLived.notBeforeOffset = 0s;
  shortLived.lifetime = 24h;
  shortLived.ipAddresses = {"127.0.0.1"};
  LoopbackServer server(loop, authority.issue(shortLived));

  auto statusOfAConnection = [&] {
    SecureSocket socket(loop);
    authority.trustIn(socket);
    clock.drive(socket);
    Client client(socket);
    socket.connect("localhost", server.port());
    REQUIRE(runUntil(loop, [&] { return client.connected() || client.ended(); }));
    return socket.serverCertificateStatus();
  };
  CHECK(statusOfAConnection() == CertificateStatus::TRUSTED);
  clock.advance(25h);
  CHECK(statusOfAConnection() == CertificateStatus::EXPIRED);
  clock.advance(-26h - 1min);
  CHECK(statusOfAConnection() == CertificateStatus::NOT_YET_VALID);
  clock.set(clock.now() + 2 * 3600);  // back inside the window
  CHECK(statusOfAConnection() == CertificateStatus::TRUSTED);
}

TEST_CASE("runUntil and runFor stop by themselves at their limit", "[testing][net]") {
  EventLoop loop;
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(runUntil(
      loop, [] { return false; }, 50ms));
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 5s);
  start = std::chrono::steady_clock::now();
  runFor(loop, 30ms);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  int turns = 0;
  CHECK(runUntil(loop, [&] { return ++turns == 3; }));
}
