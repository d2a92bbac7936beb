// Socket over real loopback connections, against peers written with plain POSIX sockets on
// threads of their own: spec section 2 (members, defaults, errors) and its state machine.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "as3/errors/EOFError.h"
#include "as3/errors/IOError.h"
#include "as3/errors/SecurityError.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "support/Net.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::Socket;

namespace {

// Records event types in order, as strings, for sequence checks.
struct Recorder {
  std::vector<std::string> events;
  std::string lastErrorText;
  int lastErrorId = 0;
  void attach(Socket& socket) {
    for (auto type : {Event::CONNECT, Event::CLOSE, ProgressEvent::SOCKET_DATA}) {
      socket.addEventListener(type, [this](Event& e) { events.push_back(std::string(e.type())); });
    }
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      events.push_back("ioError");
      lastErrorText = e.text();
      lastErrorId = e.errorID();
    });
  }
  bool saw(const std::string& type) const {
    for (auto& e : events)
      if (e == type) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("Socket connects, reads a peer's int, writes back, and sees the peer's close",
          "[net][socket]") {
  EventLoop loop;
  test::Listener listener;
  std::string received;
  test::Peer peer(listener, [&](int& fd) {
    test::sendAll(fd, std::string("\x00\x00\x01\x02", 4));
    test::receiveExactly(fd, &received, 4);
  });
  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  int value = 0;
  bool connectedInClose = true;
  socket.addEventListener(ProgressEvent::SOCKET_DATA, [&](Event&) {
    if (socket.bytesAvailable() < 4) return;
    value = socket.readInt();
    socket.writeInt(value + 1);
    socket.flush();
  });
  socket.addEventListener(Event::CLOSE, [&](Event&) { connectedInClose = socket.connected(); });
  socket.connect("127.0.0.1", listener.port());
  CHECK_FALSE(socket.connected());
  REQUIRE(test::runUntil(loop, [&] { return recorder.saw("close"); }));
  peer.join();
  CHECK(value == 0x0102);
  CHECK(received == std::string("\x00\x00\x01\x03", 4));
  CHECK(recorder.events.front() == "connect");
  CHECK(recorder.events.back() == "close");
  CHECK_FALSE(connectedInClose);
}

TEST_CASE("Socket reports a refused port as one ioError #2031 naming the refusal",
          "[net][socket]") {
  EventLoop loop;
  int port;
  {
    test::Listener listener;  // bound then closed: nobody listens there any more
    port = listener.port();
  }
  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  socket.connect("127.0.0.1", port);
  REQUIRE(test::runUntil(loop, [&] { return recorder.saw("ioError"); }));
  test::runFor(loop, std::chrono::milliseconds(50));
  CHECK(recorder.events == std::vector<std::string>{"ioError"});
  CHECK(recorder.lastErrorId == 2031);
  CHECK_THAT(recorder.lastErrorText, Catch::Contains("Error #2031: Socket Error. URL: 127.0.0.1") &&
                                         Catch::Contains("ECONNREFUSED"));
  CHECK_FALSE(socket.connected());
}

TEST_CASE("Socket I/O before the connect event throws IOError #2002", "[net][socket]") {
  EventLoop loop;
  Socket socket(loop);
  CHECK_THROWS_MATCHES(
      socket.writeInt(1), as3::errors::IOError,
      Catch::Predicate<as3::errors::IOError>([](auto& e) { return e.errorID() == 2002; }));
  CHECK_THROWS_AS(socket.readByte(), as3::errors::IOError);
  CHECK_THROWS_AS(socket.flush(), as3::errors::IOError);
  CHECK_THROWS_AS(socket.close(), as3::errors::IOError);
  CHECK_THROWS_AS(socket.connect("127.0.0.1", 70000), as3::errors::SecurityError);
}
