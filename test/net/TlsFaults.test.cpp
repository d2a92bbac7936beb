// SecureSocket through a proxy that splits, cuts and resets the connection: bytes before a cut
// are delivered once, then exactly one terminal event; a TLS session survives any segmentation.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/FaultProxy.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::SecureSocket;
using as3::testing::LoopbackServer;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

namespace {

struct Client {
  SecureSocket socket;
  std::vector<std::string> events;
  std::string data, error;
  Client(EventLoop& loop, TestCertificateAuthority& root) : socket(loop) {
    root.trustIn(socket);  // a policy of its own: never resumes
    socket.addEventListener(Event::CONNECT, [this](Event&) { events.push_back("connect"); });
    socket.addEventListener(Event::CLOSE, [this](Event&) { events.push_back("close"); });
    socket.addEventListener(ProgressEvent::SOCKET_DATA, [this](Event&) {
      if (events.empty() || events.back() != "socketData") events.push_back("socketData");
      data += socket.readAll();
    });
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      events.push_back("ioError");
      error = e.text();
    });
  }
  bool ended() const {
    return !events.empty() && (events.back() == "ioError" || events.back() == "close");
  }
};

}  // namespace

TEST_CASE("TLS survives one-byte segments both ways", "[net][tls][faults]") {
  EventLoop loop;
  TestCertificateAuthority root;
  LoopbackServer server(loop, root, Script().send("hello").echo());  // greets, then echoes
  test::FaultProxy proxy(server.port(), {1, 0us, -1, 0ms, false});
  Client client(loop, root);
  std::string payload;
  for (int i = 0; i < 3000; ++i) payload += static_cast<char>('a' + i % 26);
  client.socket.addEventListener(Event::CONNECT, [&](Event&) {
    client.socket.writeUTFBytes(payload);
    client.socket.flush();
  });
  client.socket.connect("localhost", proxy.port());
  REQUIRE(runUntil(
      loop, [&] { return client.data.size() >= 5 + payload.size() || client.ended(); }, 30s));
  CHECK(client.data == "hello" + payload);
  CHECK(client.events.front() == "connect");
  CHECK_FALSE(client.ended());
}

TEST_CASE("A cut or reset at any point gives the bytes before it once, then one ioError",
          "[net][tls][faults]") {
  EventLoop loop;
  TestCertificateAuthority root;
  // The greeting is followed by 100 KB (seven records), so a cut in its middle lands inside a
  // record whatever the handshake's exact size.
  LoopbackServer server(loop, root, Script().send("hello").send(std::string(100000, 'z')).echo());
  const std::string all = "hello" + std::string(100000, 'z');
  long long total = 0;
  {
    test::FaultProxy proxy(server.port(), {});
    Client client(loop, root);
    client.socket.connect("localhost", proxy.port());
    REQUIRE(runUntil(loop, [&] { return client.data == all; }));
    runFor(loop, 100ms);
    total = proxy.serverBytes();
    client.socket.close();
  }
  REQUIRE(total > 100000);

  struct Case {
    const char* name;
    test::FaultProxy::Plan plan;
    bool connects;
    bool allData;  // every byte before the cut arrived (else a prefix of whole records)
    const char* text;
  };
  std::vector<Case> cases = {
      {"FIN during the handshake", {0, 0us, 100, 0ms, false}, false, false, "TLS handshake failed"},
      {"reset during the handshake",
       {0, 0us, 100, 0ms, true},
       false,
       false,
       "TLS handshake failed"},
      {"FIN mid-record", {0, 0us, total - 50000, 0ms, false}, true, false, "truncated"},
      {"FIN at a record boundary", {0, 0us, -1, 300ms, false}, true, true, "truncated"},
      {"reset mid-record", {0, 0us, total - 50000, 0ms, true}, true, false, "reset"},
      {"reset at a record boundary", {0, 0us, -1, 300ms, true}, true, true, "reset"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      test::FaultProxy proxy(server.port(), c.plan);
      Client client(loop, root);
      client.socket.connect("localhost", proxy.port());
      REQUIRE(runUntil(loop, [&] { return client.ended(); }));
      runFor(loop, 50ms);
      std::vector<std::string> expected;
      if (c.connects) expected.push_back("connect");
      if (c.connects) expected.push_back("socketData");
      expected.push_back("ioError");
      CHECK(client.events == expected);
      if (c.allData) {
        CHECK(client.data == all);
      } else if (c.connects) {
        // Whole records only, in order, never a byte of the cut one.
        CHECK(client.data.size() < all.size() - 40000);
        CHECK(client.data == all.substr(0, client.data.size()));
      } else {
        CHECK(client.data.empty());
      }
      CHECK_THAT(client.error, Catch::Contains(c.text));
    }
  }
}
