// Socket and ServerSocket against TCP stacks the project did not write: Node's net module and
// Python's socket module, running the scripted peers in test/net/peers (echo_peer.js and
// echo_peer.py, which behave alike) as child processes on loopback. Each test runs once per
// runtime; a runtime missing from PATH is skipped with a warning. Spec sections 2 and 4.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "as3/errors/IOError.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/testing/Run.h"
#include "as3/utils/ByteArray.h"
#include "support/Bytes.h"
#include "support/ChildProcess.h"
#include "support/Net.h"
#include "support/Process.h"

namespace fs = std::filesystem;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::utils::ByteArray;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// ---- The peers -------------------------------------------------------------------------------

// peerScript is the peer for `runtime` ("node" or "python3"), next to this file.
std::string peerScript(const std::string& runtime) {
  fs::path self(__FILE__);
  if (self.is_relative()) self = fs::current_path() / self;
  return (self.parent_path() / "peers" / (runtime == "node" ? "echo_peer.js" : "echo_peer.py"))
      .string();
}

std::vector<std::string> peerCommand(const std::string& runtime,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> argv{runtime, peerScript(runtime)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// haveRuntime warns and returns false when `runtime` is not on PATH: the test is skipped.
bool haveRuntime(const std::string& runtime) {
  if (test::haveProgram(runtime)) return true;
  WARN(runtime << " is not on PATH: the interop test against its peer is skipped");
  return false;
}

// The bytes the peers send; echo_peer.js and echo_peer.py build the same.
const std::string kTricklePayload =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const std::string kGreeting = "greeting from the peer, then FIN\n";
constexpr std::size_t kClientMessageLength = 100000;

std::string resetPayload() {
  std::string bytes(3000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7 + 1) & 0xff);
  return bytes;
}

// noise is `length` bytes from a fixed xorshift sequence: every byte value, no short period.
std::string noise(std::size_t length, std::uint32_t seed) {
  std::string bytes(length, '\0');
  std::uint32_t x = seed;
  for (char& c : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x >> 24);
  }
  return bytes;
}

std::string textOf(const ByteArray& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.length());
}

// difference describes how `actual` differs from `expected`; "" when they are the same. Keeps
// a failed comparison of a MiB readable.
std::string difference(const std::string& actual, const std::string& expected) {
  if (actual == expected) return "";
  std::size_t i = 0;
  while (i < actual.size() && i < expected.size() && actual[i] == expected[i]) ++i;
  return std::to_string(actual.size()) + " bytes where " + std::to_string(expected.size()) +
         " were expected, first difference at offset " + std::to_string(i);
}

bool ipv6LoopbackWorks() {
  try {
    test::Listener probe("::1");
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

// ---- What a socket dispatched ----------------------------------------------------------------

// Recorder keeps a socket's events in order. Attach it before the test's own listeners: in
// socketData it sees bytesAvailable() before they read.
struct Recorder {
  std::vector<std::string> events;
  std::vector<double> loaded;     // bytesLoaded() of each socketData
  std::vector<double> available;  // bytesAvailable() as each socketData started
  std::string errorText;
  int errorId = 0;

  void attach(Socket& socket) {
    for (auto type : {Event::CONNECT, Event::CLOSE}) {
      socket.addEventListener(type, [this](Event& e) { events.push_back(std::string(e.type())); });
    }
    socket.addEventListener(ProgressEvent::SOCKET_DATA, [this, &socket](ProgressEvent& e) {
      events.push_back("socketData");
      loaded.push_back(e.bytesLoaded());
      available.push_back(socket.bytesAvailable());
    });
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      events.push_back("ioError");
      errorText = e.text();
      errorId = e.errorID();
    });
  }
  int count(const std::string& type) const {
    int n = 0;
    for (const std::string& e : events) n += e == type ? 1 : 0;
    return n;
  }
  bool ended() const { return count("close") + count("ioError") > 0; }
  // shape is the sequence with runs of socketData folded into one "socketData*".
  std::vector<std::string> shape() const {
    std::vector<std::string> folded;
    for (const std::string& e : events) {
      std::string item = e == "socketData" ? "socketData*" : e;
      if (folded.empty() || folded.back() != item || item != "socketData*") folded.push_back(item);
    }
    return folded;
  }
};

using Shape = std::vector<std::string>;

// nextLine drives `loop` until the peer prints a line; "" when none came within `limit`.
std::string nextLine(EventLoop& loop, test::ChildProcess& peer, milliseconds limit = seconds(15)) {
  std::string line;
  if (!runUntil(
          loop, [&] { return peer.readLine(&line, milliseconds(0)); }, limit))
    return "";
  return line;
}

}  // namespace

TEST_CASE("Socket exchanges messages up to 1 MiB with an echo peer, and its close is an EOF there",
          "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  EventLoop loop;
  test::ChildProcess peer(peerCommand(runtime, {"echo"}));
  REQUIRE(peer.started());
  const int port = peer.waitForPort();
  INFO(peer.transcript());
  REQUIRE(port > 0);

  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  ByteArray received;
  socket.addEventListener(ProgressEvent::SOCKET_DATA,
                          [&](Event&) { socket.readBytes(received, received.length()); });
  socket.connect("127.0.0.1", port);
  REQUIRE(runUntil(loop, [&] { return socket.connected() || recorder.ended(); }));
  REQUIRE(recorder.events == Shape{"connect"});

  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  const std::vector<std::string> messages{"hello, peer\n", binary, noise(1 << 20, 0x2545F491u),
                                          "and goodbye"};
  std::size_t sent = 0;
  for (const std::string& message : messages) {
    CAPTURE(message.size());
    received.clear();
    socket.writeBytes(ByteArray(message.data(), message.size()));
    socket.flush();
    sent += message.size();
    REQUIRE(runUntil(
        loop, [&] { return received.length() >= message.size() || recorder.ended(); },
        seconds(30)));
    CHECK(difference(textOf(received), message) == "");
  }
  runFor(loop, milliseconds(50));
  CHECK(received.length() == messages.back().size());  // nothing more came back
  CHECK(recorder.shape() == Shape{"connect", "socketData*"});

  socket.close();
  CHECK_FALSE(socket.connected());
  const std::string eof = nextLine(loop, peer);
  INFO(peer.transcript());
  CHECK(eof == "EOF " + std::to_string(sent));
  runFor(loop, milliseconds(50));
  CHECK(recorder.shape() == Shape{"connect", "socketData*"});  // a local close dispatches nothing
}

TEST_CASE("Socket gets a trickled payload in order, then one close after all of it",
          "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  EventLoop loop;
  test::ChildProcess peer(peerCommand(runtime, {"trickle"}));
  REQUIRE(peer.started());
  const int port = peer.waitForPort();
  INFO(peer.transcript());
  REQUIRE(port > 0);

  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  std::string received;
  double loadedSum = 0;
  std::size_t receivedAtClose = 0;
  bool connectedInClose = true;
  socket.addEventListener(ProgressEvent::SOCKET_DATA, [&](ProgressEvent& e) {
    CHECK(e.bytesLoaded() > 0);
    CHECK(e.bytesTotal() == 0);
    CHECK(socket.bytesAvailable() > 0);
    CHECK(socket.bytesAvailable() == e.bytesLoaded());  // every earlier byte was read
    loadedSum += e.bytesLoaded();
    received += socket.readUTFBytes(socket.bytesAvailable());
  });
  socket.addEventListener(Event::CLOSE, [&](Event&) {
    connectedInClose = socket.connected();
    receivedAtClose = received.size();
  });
  socket.connect("127.0.0.1", port);
  REQUIRE(runUntil(
      loop, [&] { return recorder.ended(); }, seconds(20)));
  runFor(loop, milliseconds(100));

  CHECK(received == kTricklePayload);
  CHECK(loadedSum == kTricklePayload.size());
  CHECK(recorder.count("socketData") > 1);  // it did arrive in pieces
  CHECK(recorder.shape() == Shape{"connect", "socketData*", "close"});
  CHECK(receivedAtClose == kTricklePayload.size());
  CHECK_FALSE(connectedInClose);
  CHECK_FALSE(socket.connected());
  CHECK(socket.bytesAvailable() == 0);
}

TEST_CASE("Socket delivers the bytes sent before a peer's reset once, then one ioError #2031",
          "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  EventLoop loop;
  test::ChildProcess peer(peerCommand(runtime, {"reset"}));
  REQUIRE(peer.started());
  const int port = peer.waitForPort();
  INFO(peer.transcript());
  REQUIRE(port > 0);

  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  ByteArray received;
  bool connectedInError = true;
  socket.addEventListener(ProgressEvent::SOCKET_DATA,
                          [&](Event&) { socket.readBytes(received, received.length()); });
  socket.addEventListener(IOErrorEvent::IO_ERROR,
                          [&](Event&) { connectedInError = socket.connected(); });
  socket.connect("127.0.0.1", port);
  const std::string payload = resetPayload();
  REQUIRE(runUntil(loop, [&] { return received.length() >= payload.size() || recorder.ended(); }));
  CHECK(difference(textOf(received), payload) == "");

  REQUIRE(peer.writeLine("RESET"));
  REQUIRE(runUntil(loop, [&] { return recorder.ended(); }));
  runFor(loop, milliseconds(200));  // nothing may follow the ioError

  CHECK(recorder.shape() == Shape{"connect", "socketData*", "ioError"});
  CHECK(recorder.errorId == 2031);
  CHECK_THAT(recorder.errorText, Catch::StartsWith("Error #2031: Socket Error.") &&
                                     (Catch::Contains("reset", Catch::CaseSensitive::No) ||
                                      Catch::Contains("ECONNRESET")));
  CHECK(difference(textOf(received), payload) == "");  // delivered once, nothing after
  CHECK_FALSE(connectedInError);
  CHECK_FALSE(socket.connected());
  test::requireError<as3::errors::IOError>([&] { socket.close(); }, 2002);
}

TEST_CASE("Socket sees a half-closing peer's FIN as close after its data, which stays readable",
          "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  EventLoop loop;
  test::ChildProcess peer(peerCommand(runtime, {"halfclose"}));
  REQUIRE(peer.started());
  const int port = peer.waitForPort();
  INFO(peer.transcript());
  REQUIRE(port > 0);

  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  // Sent on connect, flushed before the peer's FIN arrives (or while it does): the peer still
  // reads it all, its side being open.
  const std::string upload = noise(256 << 10, 0x9E3779B9u);
  std::uint32_t availableInClose = 0;
  bool connectedInClose = true;
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    socket.writeBytes(upload.data(), upload.size());
    socket.flush();
  });
  socket.addEventListener(Event::CLOSE, [&](Event&) {
    connectedInClose = socket.connected();
    availableInClose = socket.bytesAvailable();
  });
  socket.connect("127.0.0.1", port);
  REQUIRE(runUntil(loop, [&] { return recorder.ended(); }));

  CHECK(recorder.shape() == Shape{"connect", "socketData*", "close"});
  CHECK_FALSE(connectedInClose);
  CHECK(availableInClose == kGreeting.size());  // announced before close, not read yet
  // as3net keeps the bytes readable after the peer's close until they are read (Socket.h).
  CHECK_FALSE(socket.connected());
  REQUIRE(socket.bytesAvailable() == kGreeting.size());
  CHECK(socket.readUTFBytes(static_cast<std::uint32_t>(kGreeting.size())) == kGreeting);
  CHECK(socket.bytesAvailable() == 0);
  test::requireError<as3::errors::IOError>([&] { socket.readByte(); }, 2002);
  test::requireError<as3::errors::IOError>([&] { socket.close(); }, 2002);

  const std::string report = nextLine(loop, peer);
  INFO(peer.transcript());
  CHECK(report == "RECEIVED " + std::to_string(upload.size()));
  CHECK(recorder.count("close") == 1);
}

TEST_CASE("Socket connects to a peer on the IPv6 loopback ::1", "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  if (!ipv6LoopbackWorks()) {
    WARN("::1 cannot be bound on this machine: the IPv6 interop test is skipped");
    return;
  }
  EventLoop loop;
  test::ChildProcess peer(peerCommand(runtime, {"echo", "--ipv6"}));
  REQUIRE(peer.started());
  const int port = peer.waitForPort();
  INFO(peer.transcript());
  REQUIRE(port > 0);

  Socket socket(loop);
  Recorder recorder;
  recorder.attach(socket);
  std::string received;
  socket.addEventListener(ProgressEvent::SOCKET_DATA,
                          [&](Event&) { received += socket.readAll(); });
  socket.connect("::1", port);
  REQUIRE(runUntil(loop, [&] { return socket.connected() || recorder.ended(); }));
  REQUIRE(recorder.events == Shape{"connect"});
  CHECK(socket.remoteAddress() == "::1");
  CHECK(socket.remotePort() == port);
  CHECK(socket.localAddress() == "::1");
  CHECK(socket.localPort() > 0);

  const std::string message = "over IPv6, " + noise(5000, 7);
  socket.writeUTFBytes(message);
  socket.flush();
  REQUIRE(runUntil(loop, [&] { return received.size() >= message.size() || recorder.ended(); }));
  CHECK(difference(received, message) == "");
  socket.close();
  const std::string eof = nextLine(loop, peer);
  INFO(peer.transcript());
  CHECK(eof == "EOF " + std::to_string(message.size()));
  CHECK(recorder.shape() == Shape{"connect", "socketData*"});
}

TEST_CASE("ServerSocket accepts a Node or Python client and its socket echoes to it",
          "[net][interop]") {
  const std::string runtime = GENERATE(as<std::string>{}, "node", "python3");
  CAPTURE(runtime);
  if (!haveRuntime(runtime)) return;
  EventLoop loop;
  ServerSocket server(loop);
  server.bind(0, "127.0.0.1");
  server.listen();
  CHECK(server.bound());
  CHECK(server.listening());
  CHECK(server.localAddress() == "127.0.0.1");
  const int port = server.localPort();
  REQUIRE(port > 0);

  std::shared_ptr<Socket> accepted;
  int accepts = 0, connects = 0, closes = 0, errors = 0;
  std::size_t echoed = 0;
  bool connectedInClose = true;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    ++accepts;
    accepted = e.socket();
    CHECK(accepted != nullptr);
    if (!accepted) return;
    CHECK(accepted->connected());
    CHECK(accepted->remoteAddress() == "127.0.0.1");
    CHECK(accepted->localPort() == port);
    Socket* socket = accepted.get();  // not the shared_ptr: the socket owns its listeners
    socket->addEventListener(Event::CONNECT, [&](Event&) { ++connects; });
    socket->addEventListener(ProgressEvent::SOCKET_DATA, [&, socket](Event&) {
      ByteArray chunk;
      socket->readBytes(chunk);
      socket->writeBytes(chunk);
      socket->flush();
      echoed += chunk.length();
    });
    socket->addEventListener(Event::CLOSE, [&, socket](Event&) {
      ++closes;
      connectedInClose = socket->connected();
    });
    socket->addEventListener(IOErrorEvent::IO_ERROR, [&](Event&) { ++errors; });
  });

  test::ChildProcess client(peerCommand(runtime, {"client-echo", std::to_string(port)}));
  REQUIRE(client.started());
  const std::string line = nextLine(loop, client, seconds(30));
  INFO(client.transcript());
  CHECK(line == "OK");
  CHECK(accepts == 1);
  // The client closes once it has its echo: the accepted socket sees that as close.
  REQUIRE(runUntil(loop, [&] { return closes + errors > 0; }));
  runFor(loop, milliseconds(50));
  CHECK(closes == 1);
  CHECK(errors == 0);
  CHECK(connects == 0);  // an accepted socket is connected already, without an event
  CHECK_FALSE(connectedInClose);
  CHECK(echoed == kClientMessageLength);
  CHECK(client.wait(seconds(10)) == 0);
  server.close();
  CHECK_FALSE(server.listening());
}
