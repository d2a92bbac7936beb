// ServerSocket: spec section 4's members, errors and accepted sockets.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "as3/errors/RangeError.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/testing/Run.h"
#include "support/Bytes.h"
#include "support/Net.h"

using as3::events::Event;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::testing::runUntil;
using test::hasId;
using namespace std::chrono_literals;

TEST_CASE("ServerSocket binds, listens and hands over connected sockets", "[net][server]") {
  EventLoop loop;
  ServerSocket server(loop);
  CHECK(ServerSocket::isSupported());
  CHECK_FALSE(server.bound());
  CHECK_FALSE(server.listening());
  CHECK(server.localPort() == 0);
  CHECK(server.localAddress().empty());
  server.bind(0, "127.0.0.1");
  CHECK(server.bound());
  CHECK_FALSE(server.listening());
  CHECK(server.localPort() > 0);
  CHECK(server.localAddress() == "127.0.0.1");
  server.listen();
  CHECK(server.listening());

  std::shared_ptr<Socket> accepted;
  bool connectedOnArrival = false;
  int acceptedConnectEvents = 0;
  std::string got;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    accepted = e.socket();
    connectedOnArrival = accepted->connected();
    CHECK(e.target() == &server);
    accepted->addEventListener(Event::CONNECT, [&](Event&) { ++acceptedConnectEvents; });
    accepted->addEventListener(ProgressEvent::SOCKET_DATA, [&](Event&) {
      got += accepted->readAll();
      accepted->writeUTFBytes("pong");
      accepted->flush();
    });
  });
  int fd = test::connectTo("127.0.0.1", server.localPort());
  REQUIRE(fd >= 0);
  test::sendAll(fd, "ping");
  REQUIRE(runUntil(loop, [&] { return got == "ping"; }));
  std::string reply;
  std::thread reader([&] { test::receiveExactly(fd, &reply, 4); });
  REQUIRE(runUntil(loop, [&] { return reply.size() == 4; }));
  reader.join();
  CHECK(reply == "pong");
  CHECK(connectedOnArrival);
  CHECK(acceptedConnectEvents == 0);
  CHECK(accepted->remoteAddress() == "127.0.0.1");
  CHECK(accepted->localPort() == server.localPort());

  // Closing the server leaves accepted sockets open.
  server.close();
  CHECK_FALSE(server.listening());
  CHECK_FALSE(server.bound());
  CHECK(accepted->connected());
  bool closed = false;
  accepted->addEventListener(Event::CLOSE, [&](Event&) { closed = true; });
  ::close(fd);
  REQUIRE(runUntil(loop, [&] { return closed; }));
}

TEST_CASE("ServerSocket throws the spec's errors", "[net][server]") {
  EventLoop loop;
  ServerSocket server(loop);
  CHECK_THROWS_AS(server.bind(-1), as3::errors::RangeError);
  CHECK_THROWS_AS(server.bind(65536), as3::errors::RangeError);
  CHECK_THROWS_MATCHES(server.bind(0, "not an address"), as3::errors::ArgumentError,
                       hasId<as3::errors::ArgumentError>(2004));
  CHECK_THROWS_MATCHES(server.bind(0, "localhost"), as3::errors::ArgumentError,
                       hasId<as3::errors::ArgumentError>(2004));
  CHECK_THROWS_MATCHES(server.listen(), as3::errors::IOError, hasId<as3::errors::IOError>(2002));
  CHECK_FALSE(server.bound());
  server.bind(0, "127.0.0.1");
  CHECK_THROWS_AS(server.listen(-1), as3::errors::RangeError);
  CHECK_THROWS_MATCHES(server.bind(0, "127.0.0.1"), as3::errors::IOError,
                       hasId<as3::errors::IOError>(2002));  // already bound

  server.listen();
  ServerSocket second(loop);
  try {
    second.bind(server.localPort(), "127.0.0.1");
    FAIL("binding a port in use succeeded");
  } catch (const as3::errors::IOError& e) {
    CHECK(e.errorID() == 2002);
    CHECK_THAT(e.message(), Catch::Contains("EADDRINUSE"));
  }
  server.close();
  CHECK_THROWS_AS(server.close(), as3::errors::IOError);
  CHECK_THROWS_AS(server.bind(0, "127.0.0.1"), as3::errors::IOError);  // not reusable
  CHECK_THROWS_AS(server.listen(), as3::errors::IOError);
}

TEST_CASE("ServerSocket on :: takes IPv6 only", "[net][server]") {
  EventLoop loop;
  ServerSocket server(loop);
  try {
    server.bind(0, "::");
  } catch (const as3::errors::Error& e) {
    WARN("no IPv6 here: " << e.message());
    return;
  }
  server.listen();
  CHECK(server.localAddress() == "::");
  int accepted = 0;
  std::shared_ptr<Socket> kept;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    ++accepted;
    kept = e.socket();
  });
  Socket v6(loop), v4(loop);
  int v4Errors = 0;
  v4.addEventListener(as3::events::IOErrorEvent::IO_ERROR, [&](Event&) { ++v4Errors; });
  v6.connect("::1", server.localPort());
  v4.connect("127.0.0.1", server.localPort());
  REQUIRE(runUntil(loop, [&] { return accepted == 1 && v4Errors == 1; }));
  CHECK(v6.connected());
}

TEST_CASE(
    "An accepted socket nobody keeps is closed, and a server may be destroyed in its listener",
    "[net][server][lifetime]") {
  EventLoop loop;
  auto server = std::make_unique<ServerSocket>(loop);
  server->bind(0, "127.0.0.1");
  server->listen();
  int connects = 0;
  server->addEventListener(ServerSocketConnectEvent::CONNECT, [&](Event&) {
    ++connects;
    server.reset();  // the event's socket is dropped with it
  });
  Socket client(loop);
  bool closed = false;
  client.addEventListener(Event::CLOSE, [&](Event&) { closed = true; });
  client.connect("127.0.0.1", server->localPort());
  REQUIRE(runUntil(loop, [&] { return closed; }));
  CHECK(connects == 1);
}

TEST_CASE("Connections keep alive after 60 s idle and follow tcpNoDelay, accepted ones too",
          "[net][server][socket]") {
  // docs/design.md: keepalive on every connection, Nagle's algorithm as tcpNoDelay says. An
  // accepted socket takes its keepalive from the listener on Linux, with no call of its own.
  EventLoop loop;
  ServerSocket server(loop);
  server.bind(0, "127.0.0.1");
  server.listen();
  std::vector<std::shared_ptr<Socket>> accepted;
  server.addEventListener(ServerSocketConnectEvent::CONNECT,
                          [&](ServerSocketConnectEvent& e) { accepted.push_back(e.socket()); });
  Socket client(loop), eager(loop);
  eager.tcpNoDelay(true);  // before connecting: the connection starts with it
  int connects = 0;
  client.addEventListener(Event::CONNECT, [&](Event&) { ++connects; });
  eager.addEventListener(Event::CONNECT, [&](Event&) { ++connects; });
  client.connect("127.0.0.1", server.localPort());
  eager.connect("127.0.0.1", server.localPort());
  REQUIRE(runUntil(loop, [&] { return connects == 2 && accepted.size() == 2; }));
  Socket& fromClient = *accepted[accepted[0]->remotePort() == client.localPort() ? 0 : 1];
  Socket& fromEager = *accepted[accepted[0]->remotePort() == client.localPort() ? 1 : 0];
  auto options = [](const Socket& socket) {
    test::TcpOptions o;
    REQUIRE(test::connectionOptions(socket.localPort(), socket.remotePort(), &o));
    return o;
  };

  test::TcpOptions c = options(client);
  CHECK(c.keepAlive);
  CHECK(c.keepIdle == 60);
  CHECK_FALSE(c.noDelay);
  for (const Socket* socket : {&fromClient, &fromEager, &eager}) {
    test::TcpOptions o = options(*socket);
    CHECK(o.keepAlive);
    CHECK(o.keepIdle == 60);
    CHECK(o.keepInterval == c.keepInterval);
    CHECK(o.keepCount == c.keepCount);
  }
  CHECK_FALSE(fromClient.tcpNoDelay());
  CHECK_FALSE(options(fromClient).noDelay);
  CHECK(options(eager).noDelay);

  // Set on a connection, either way, and kept where the value does not change.
  fromClient.tcpNoDelay(true);
  client.tcpNoDelay(true);
  CHECK(options(fromClient).noDelay);
  CHECK(options(client).noDelay);
  client.tcpNoDelay(true);
  CHECK(options(client).noDelay);
  client.tcpNoDelay(false);
  eager.tcpNoDelay(false);
  CHECK_FALSE(options(client).noDelay);
  CHECK_FALSE(options(eager).noDelay);
  CHECK(options(fromClient).noDelay);
}
