// LobbyClient's tests: real TLS over loopback with strict validation on, against servers the
// testing kit scripts. No fixed port, no openssl command, no waiting for certificates to expire.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "LobbyClient.h"
#include "as3/amf/Object.h"
#include "as3/net/EventLoop.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/testing/TestClock.h"
#include "as3/utils/ByteArray.h"

using as3::amf::Object;
using as3::testing::LoopbackServer;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

namespace {

Object message(const std::string& type) {
  Object m;
  m["type"] = type;
  return m;
}

as3::utils::ByteArray hello(const std::string& player) {
  Object m = message("hello");
  m["player"] = player;
  return LobbyClient::frame(m);
}

as3::utils::ByteArray said(const std::string& player, const std::string& text) {
  Object m = message("said");
  m["player"] = player;
  m["text"] = text;
  return LobbyClient::frame(m);
}

}  // namespace

TEST_CASE("LobbyClient says hello over TLS and is welcomed") {
  as3::net::EventLoop loop;
  TestCertificateAuthority authority;
  LoopbackServer server(loop, authority,
                        Script()
                            .expect(hello("kestrel"))
                            .send(LobbyClient::frame(message("welcome")))
                            .send(said("wren", "hi all"))
                            .awaitClose());
  LobbyClient client(loop);
  authority.trustIn(client.socket());
  client.join("localhost", server.port(), "kestrel");

  REQUIRE(runUntil(loop, [&] { return client.chat().size() == 1 || client.ended(); }));
  CHECK(client.welcomed());
  CHECK(client.chat() == std::vector<std::string>{"wren: hi all"});
  CHECK(client.problem().empty());
  CHECK(client.socket().serverCertificateStatus() == "trusted");

  client.leave();
  REQUIRE(runUntil(loop, [&] { return server.finished() == 1; }));
  CHECK(server.failures().empty());
}

TEST_CASE("LobbyClient reads frames that arrive in pieces") {
  as3::net::EventLoop loop;
  TestCertificateAuthority authority;
  as3::utils::ByteArray welcome = LobbyClient::frame(message("welcome"));
  std::string bytes(reinterpret_cast<const char*>(welcome.data()), welcome.length());
  LoopbackServer server(loop, authority,
                        Script()
                            .receive(hello("kestrel").length())
                            .send(bytes.substr(0, 3))  // not even the whole length prefix
                            .pause(30ms)
                            .send(bytes.substr(3, 5))
                            .pause(30ms)
                            .send(bytes.substr(8))
                            .awaitClose());
  LobbyClient client(loop);
  authority.trustIn(client.socket());
  client.join("localhost", server.port(), "kestrel");
  REQUIRE(runUntil(loop, [&] { return client.welcomed() || client.ended(); }));
  CHECK(client.welcomed());
  CHECK(client.problem().empty());
}

TEST_CASE("LobbyClient refuses servers the strict policy does not trust") {
  as3::net::EventLoop loop;
  TestCertificateAuthority authority;
  as3::testing::CertificateOptions options;
  std::string expected;
  SECTION("a certificate for another host") {
    options.dnsNames = {"lobby.example"};
    expected = "principalMismatch";
  }
  SECTION("an expired certificate") {
    options.notBeforeOffset = -48h;
    options.lifetime = 24h;
    expected = "expired";
  }
  SECTION("a self-signed certificate") {
    options.selfSigned = true;
    expected = "untrustedSigners";
  }
  LoopbackServer server(loop, authority.issue(options));
  LobbyClient client(loop);
  authority.trustIn(client.socket());
  client.join("localhost", server.port(), "kestrel");
  REQUIRE(runUntil(loop, [&] { return client.ended(); }));
  CHECK(client.problem() == "server not trusted (" + expected + ")");
  CHECK(server.connections() == 0);  // the handshake never completed
}

TEST_CASE("LobbyClient notices a server that cuts the connection without close_notify") {
  as3::net::EventLoop loop;
  TestCertificateAuthority authority;
  LoopbackServer server(loop, authority,
                        Script()
                            .expect(hello("kestrel"))
                            .send(LobbyClient::frame(message("welcome")))
                            .closeWithoutNotify());
  LobbyClient client(loop);
  authority.trustIn(client.socket());
  client.join("localhost", server.port(), "kestrel");
  REQUIRE(runUntil(loop, [&] { return client.ended(); }));
  CHECK(client.welcomed());  // what came before the cut is delivered
  CHECK_THAT(client.problem(),
             Catch::StartsWith("connection lost:") && Catch::Contains("close_notify"));
}

TEST_CASE("LobbyClient's certificate expires on the test's clock") {
  as3::net::EventLoop loop;
  as3::testing::TestClock clock;
  TestCertificateAuthority authority;
  authority.clock(clock);
  as3::testing::CertificateOptions oneDay;
  oneDay.notBeforeOffset = 0s;
  oneDay.lifetime = 24h;
  LoopbackServer server(loop, authority.issue(oneDay),
                        Script().receive(hello("kestrel").length()).awaitClose());
  for (auto [advance, status] : {std::pair{0h, "trusted"}, std::pair{25h, "expired"}}) {
    clock.advance(advance);
    LobbyClient client(loop);
    authority.trustIn(client.socket());
    clock.drive(client.socket());
    client.join("localhost", server.port(), "kestrel");
    REQUIRE(runUntil(loop, [&] {
      return client.ended() || client.socket().serverCertificateStatus() != "unknown";
    }));
    CHECK(client.socket().serverCertificateStatus() == status);
    client.leave();
  }
}
