// SecureSocket through a proxy that splits, cuts and resets the connection: bytes before a cut
// are delivered once, then exactly one terminal event; a TLS session survives any segmentation.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/FaultProxy.h"
#include "support/Net.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

namespace {

// A TLS server that greets each client with "hello" and echoes what it sends.
struct GreetingServer {
  SecureServerSocket server;
  std::vector<std::shared_ptr<Socket>> clients;
  GreetingServer(EventLoop& loop, TestCertificateAuthority& root) : server(loop) {
    auto identity = root.issue();
    server.certificate(identity.chainPem(), identity.privateKeyPem);
    server.bind(0, "127.0.0.1");
    server.addEventListener(ServerSocketConnectEvent::CONNECT, [this](ServerSocketConnectEvent& e) {
      std::shared_ptr<Socket> s = e.socket();
      clients.push_back(s);
      Socket* raw = s.get();
      raw->addEventListener(IOErrorEvent::IO_ERROR, [](Event&) {});  // the cut is expected
      raw->addEventListener(ProgressEvent::SOCKET_DATA, [raw](Event&) {
        std::string bytes = raw->readAll();
        raw->writeBytes(bytes.data(), bytes.size());
        raw->flush();
      });
      raw->writeUTFBytes("hello");
      raw->flush();
    });
    server.listen();
  }
};

struct Client {
  SecureSocket socket;
  std::vector<std::string> events;
  std::string data, error;
  Client(EventLoop& loop, TestCertificateAuthority& root) : socket(loop) {
    socket.validator().addAnchor(root.certificate());  // a policy of its own: never resumes
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
  GreetingServer server(loop, root);
  test::FaultProxy proxy(server.server.localPort(), {1, 0us, -1, 0ms, false});
  Client client(loop, root);
  std::string payload;
  for (int i = 0; i < 3000; ++i) payload += static_cast<char>('a' + i % 26);
  client.socket.addEventListener(Event::CONNECT, [&](Event&) {
    client.socket.writeUTFBytes(payload);
    client.socket.flush();
  });
  client.socket.connect("localhost", proxy.port());
  REQUIRE(test::runUntil(
      loop, [&] { return client.data.size() >= 5 + payload.size() || client.ended(); }, 30s));
  CHECK(client.data == "hello" + payload);
  CHECK(client.events.front() == "connect");
  CHECK_FALSE(client.ended());
}

TEST_CASE("A cut or reset at any point gives the bytes before it once, then one ioError",
          "[net][tls][faults]") {
  EventLoop loop;
  TestCertificateAuthority root;
  GreetingServer server(loop, root);

  // The greeting is followed by 100 KB (seven records), so a cut in its middle lands inside a
  // record whatever the handshake's exact size.
  server.server.addEventListener(ServerSocketConnectEvent::CONNECT,
                                 [](ServerSocketConnectEvent& e) {
                                   e.socket()->writeUTFBytes(std::string(100000, 'z'));
                                   e.socket()->flush();
                                 });
  const std::string all = "hello" + std::string(100000, 'z');
  long long total = 0;
  {
    test::FaultProxy proxy(server.server.localPort(), {});
    Client client(loop, root);
    client.socket.connect("localhost", proxy.port());
    REQUIRE(test::runUntil(loop, [&] { return client.data == all; }));
    test::runFor(loop, 100ms);
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
      test::FaultProxy proxy(server.server.localPort(), c.plan);
      Client client(loop, root);
      client.socket.connect("localhost", proxy.port());
      REQUIRE(test::runUntil(loop, [&] { return client.ended(); }));
      test::runFor(loop, 50ms);
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
