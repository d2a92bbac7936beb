// SecureSocket and SecureServerSocket over real loopback TLS, with certificates the testing
// kit makes in the test, and against openssl s_server, a peer the project did not write.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateStatus.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/ChildProcess.h"
#include "support/Net.h"
#include "support/Process.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::security::CertificateStatus;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::LoopbackOptions;
using as3::testing::LoopbackServer;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

namespace {

// What a client saw, in order.
struct Seen {
  std::vector<std::string> events;
  std::string errorText, statusInError, certificateErrorText;
  bool certificateErrorCancelable = false;
  std::string data;
  void attach(SecureSocket& socket) {
    socket.addEventListener(Event::CONNECT, [this](Event&) { events.push_back("connect"); });
    socket.addEventListener(Event::CLOSE, [this](Event&) { events.push_back("close"); });
    socket.addEventListener(ProgressEvent::SOCKET_DATA, [this, &socket](Event&) {
      events.push_back("socketData");
      data += socket.readAll();
    });
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this, &socket](IOErrorEvent& e) {
      events.push_back("ioError");
      errorText = e.text();
      statusInError = socket.serverCertificateStatus();
    });
    socket.addEventListener(SecurityErrorEvent::CERTIFICATE_ERROR, [this](SecurityErrorEvent& e) {
      events.push_back("certificateError");
      certificateErrorText = e.text();
      certificateErrorCancelable = e.cancelable();
      e.preventDefault();  // as3net stays strict anyway
    });
  }
  bool ended() const {
    for (auto& e : events)
      if (e == "ioError" || e == "close") return true;
    return false;
  }
  bool saw(const std::string& type) const {
    for (auto& e : events)
      if (e == type) return true;
    return false;
  }
  // attempt attaches to `socket`, connects it to `host`:`port` and runs `loop` until it has
  // connected or ended; false when the time limit passed first.
  bool attempt(EventLoop& loop, SecureSocket& socket, const std::string& host, int port) {
    attach(socket);
    socket.connect(host, port);
    return runUntil(loop, [this] { return saw("connect") || ended(); });
  }
};

std::string tempPath(const std::string& name) {
  std::filesystem::create_directories(AS3NET_TEST_TMPDIR);
  return std::string(AS3NET_TEST_TMPDIR) + "/" + std::to_string(::getpid()) + "-" + name;
}

// OpensslServer runs `openssl s_server -rev` (it answers each line reversed) on a free loopback
// port with a certificate from `identity`, ended by its pid when it goes.
struct OpensslServer {
  std::string cert, key;
  int port = 0;
  std::unique_ptr<test::ChildProcess> process;
  bool ready = false;

  OpensslServer(const IssuedCertificate& identity, const std::string& name,
                std::vector<std::string> extra = {}) {
    cert = tempPath(name + ".pem");
    key = tempPath(name + ".key");
    identity.writeFiles(cert, key);
    port = test::unusedPort();  // s_server cannot report a port it chose
    std::vector<std::string> argv = {
        "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
        "-cert",   cert,       "-key",    key,
        "-rev",    "-naccept", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<test::ChildProcess>(argv);
    std::string line;
    for (int i = 0; i < 20 && !ready && process->started(); ++i)
      ready = process->readLine(&line, 500ms) && line.find("ACCEPT") != std::string::npos;
  }
  ~OpensslServer() {
    process.reset();
    std::filesystem::remove(cert);
    std::filesystem::remove(key);
  }
};

// serve gives `server` a leaf that `root` issues and binds it to a free loopback port.
void serve(SecureServerSocket& server, TestCertificateAuthority& root) {
  IssuedCertificate identity = root.issue();
  server.certificate(identity.chainPem(), identity.privateKeyPem);
  server.bind(0, "127.0.0.1");
}

}  // namespace

TEST_CASE("SecureSocket connects to a trusted server, exchanges data and closes with close_notify",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  // A server of its own: the accepted socket must see a clean close, not a truncation, and a
  // LoopbackServer counts both as the client's end.
  SecureServerSocket server(loop);
  serve(server, root);
  std::vector<std::shared_ptr<Socket>> accepted;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    accepted.push_back(e.socket());
    Socket* raw = e.socket().get();
    raw->addEventListener(ProgressEvent::SOCKET_DATA, [raw](Event&) {
      std::string bytes = raw->readAll();
      raw->writeBytes(bytes.data(), bytes.size());
      raw->flush();
    });
  });
  server.listen();
  SecureSocket socket(loop);
  CHECK(SecureSocket::isSupported());
  CHECK(socket.serverCertificateStatus() == CertificateStatus::UNKNOWN);
  CHECK_FALSE(socket.serverCertificate());
  root.trustIn(socket);
  Seen seen;
  seen.attach(socket);
  std::string statusInConnect;
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    statusInConnect = socket.serverCertificateStatus();
    CHECK(socket.connected());
    socket.writeUTFBytes("hello over TLS");
    socket.flush();
  });
  socket.connect("localhost", server.localPort());
  REQUIRE(runUntil(loop, [&] { return seen.data == "hello over TLS"; }));
  CHECK(seen.events.front() == "connect");
  CHECK(statusInConnect == CertificateStatus::TRUSTED);
  REQUIRE(socket.serverCertificate());
  CHECK(socket.serverCertificate()->subject().commonName() == "localhost");
  CHECK(socket.serverCertificateChain().size() == 1);
  CHECK(socket.protocol() == "TLSv1.3");
  CHECK_FALSE(socket.cipher().empty());
  CHECK(socket.bytesPending() == 0);

  // close() sends close_notify: the server sees a clean close, not a truncation.
  REQUIRE(accepted.size() == 1);
  bool serverClosed = false, serverError = false;
  accepted[0]->addEventListener(Event::CLOSE, [&](Event&) { serverClosed = true; });
  accepted[0]->addEventListener(IOErrorEvent::IO_ERROR, [&](Event&) { serverError = true; });
  socket.close();
  CHECK(socket.serverCertificateStatus() == CertificateStatus::TRUSTED);  // kept by close()
  REQUIRE(runUntil(loop, [&] { return serverClosed || serverError; }));
  CHECK(serverClosed);
  CHECK_FALSE(serverError);
}

TEST_CASE("SecureSocket refuses each defect with its status, certificateError then ioError",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  struct Case {
    const char* name;
    CertificateOptions options;
    std::string host;
    bool trustRoot;
    std::string_view status;
  };
  CertificateOptions expired;
  expired.notBeforeOffset = -std::chrono::hours(24 * 60);
  expired.lifetime = std::chrono::hours(24);
  CertificateOptions future;
  future.notBeforeOffset = std::chrono::hours(24);
  CertificateOptions caLeaf;
  caLeaf.isCA = true;
  CertificateOptions weak;
  weak.keyType = as3::testing::KeyType::kRsa1024;
  CertificateOptions sha1;
  sha1.keyType = as3::testing::KeyType::kRsa2048;
  sha1.sha1Signature = true;
  CertificateOptions cnOnly;
  cnOnly.includeSubjectAltName = false;
  CertificateOptions selfSigned;
  selfSigned.selfSigned = true;
  CertificateOptions elsewhere;
  elsewhere.dnsNames = {"elsewhere.example"};
  elsewhere.ipAddresses = {"127.0.0.2"};
  std::vector<Case> cases = {
      {"expired", expired, "localhost", true, CertificateStatus::EXPIRED},
      {"not yet valid", future, "localhost", true, CertificateStatus::NOT_YET_VALID},
      {"wrong host name", elsewhere, "localhost", true, CertificateStatus::PRINCIPAL_MISMATCH},
      {"wrong address", elsewhere, "127.0.0.1", true, CertificateStatus::PRINCIPAL_MISMATCH},
      {"untrusted root", {}, "localhost", false, CertificateStatus::UNTRUSTED_SIGNERS},
      {"self-signed", selfSigned, "localhost", true, CertificateStatus::UNTRUSTED_SIGNERS},
      {"common name only", cnOnly, "localhost", true, CertificateStatus::PRINCIPAL_MISMATCH},
      {"CA as leaf", caLeaf, "localhost", true, ""},
      {"RSA-1024", weak, "localhost", true, ""},
      {"SHA-1", sha1, "localhost", true, ""},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      LoopbackServer server(loop, root.issue(c.options));
      SecureSocket socket(loop);
      if (c.trustRoot) root.trustIn(socket);
      Seen seen;
      seen.attach(socket);
      socket.connect(c.host, server.port());
      REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
      runFor(loop, 30ms);
      CHECK(seen.events == std::vector<std::string>{"certificateError", "ioError"});
      CHECK(seen.certificateErrorCancelable);
      CHECK_FALSE(socket.connected());
      CHECK(seen.statusInError == socket.serverCertificateStatus());
      CHECK(socket.serverCertificateStatus() != CertificateStatus::TRUSTED);
      CHECK(socket.serverCertificateStatus() != CertificateStatus::UNKNOWN);
      if (!c.status.empty()) CHECK(socket.serverCertificateStatus() == c.status);
      CHECK_THAT(seen.errorText, Catch::StartsWith("Error #2031: Socket Error. URL: " + c.host) &&
                                     Catch::Contains("Certificate rejected (" +
                                                     socket.serverCertificateStatus() + ")"));
      CHECK(socket.serverCertificate());  // the rejected chain can be inspected
      CHECK(server.connections() == 0);   // the server never announced the failed client
    }
  }
}

TEST_CASE("addBinaryChainBuildingCertificate trusts a root for the process, rejects non-DER",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root("process-wide root");
  LoopbackServer echo(loop, root.issue());
  SecureSocket socket(loop);
  as3::utils::ByteArray garbage;
  garbage.writeUTFBytes("not a certificate");
  CHECK_THROWS_MATCHES(
      socket.addBinaryChainBuildingCertificate(garbage, true), as3::errors::ArgumentError,
      Catch::Predicate<as3::errors::ArgumentError>([](auto& e) { return e.errorID() == 2004; }));
  socket.addBinaryChainBuildingCertificate(root.certificateDer(), true);
  Seen seen;
  REQUIRE(seen.attempt(loop, socket, "127.0.0.1", echo.port()));
  CHECK(seen.events == std::vector<std::string>{"connect"});
  // Another socket of the process trusts it too, as in AIR.
  SecureSocket other(loop);
  Seen otherSeen;
  REQUIRE(otherSeen.attempt(loop, other, "localhost", echo.port()));
  CHECK(otherSeen.events == std::vector<std::string>{"connect"});
}

TEST_CASE("SecureSocket builds the chain through intermediates the server sends or we add",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  TestCertificateAuthority intermediate = root.intermediate("as3net test intermediate");
  IssuedCertificate leaf = intermediate.issue();
  SECTION("sent by the server") {
    LoopbackServer echo(loop, leaf);
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    REQUIRE(seen.attempt(loop, socket, "localhost", echo.port()));
    CHECK(seen.events == std::vector<std::string>{"connect"});
    CHECK(socket.serverCertificateChain().size() == 2);
  }
  SECTION("missing from the server, then added as an intermediate") {
    IssuedCertificate bare = leaf;
    bare.intermediates.clear();
    LoopbackServer echo(loop, bare);
    for (bool add : {false, true}) {
      SecureSocket socket(loop);
      root.trustIn(socket);
      if (add) socket.validator().addIntermediate(intermediate.certificate());
      Seen seen;
      REQUIRE(seen.attempt(loop, socket, "localhost", echo.port()));
      CHECK(seen.saw("connect") == add);
      if (!add) CHECK(socket.serverCertificateStatus() == CertificateStatus::UNTRUSTED_SIGNERS);
    }
  }
}

TEST_CASE("SecureSocket: a revoked certificate, and SPKI pins that only add a requirement",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  IssuedCertificate leaf = root.issue();
  LoopbackServer echo(loop, leaf);
  SECTION("revoked by a CRL") {
    SecureSocket socket(loop);
    root.trustIn(socket);
    socket.validator().addCRLs(root.crlPem({leaf.serial}));
    Seen seen;
    seen.attach(socket);
    socket.connect("localhost", echo.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    CHECK(socket.serverCertificateStatus() == CertificateStatus::REVOKED);
  }
  SECTION("a CRL file that does not list it") {
    std::string path = tempPath("crl.pem");
    {
      std::FILE* f = std::fopen(path.c_str(), "w");
      std::string crl = root.crlPem({leaf.serial + 1000});
      std::fwrite(crl.data(), 1, crl.size(), f);
      std::fclose(f);
    }
    SecureSocket socket(loop);
    root.trustIn(socket);
    CHECK(socket.loadCRLFile(path) == 1);
    CHECK_THROWS_AS(socket.loadCRLFile(path + ".missing"), as3::errors::IOError);
    Seen seen;
    REQUIRE(seen.attempt(loop, socket, "localhost", echo.port()));
    CHECK(seen.saw("connect"));
    std::filesystem::remove(path);
  }
  SECTION("pins") {
    TestCertificateAuthority other;
    for (bool match : {true, false}) {
      SecureSocket socket(loop);
      root.trustIn(socket);
      socket.validator().addPin(other.certificate().spkiSha256());  // a backup pin
      if (match) socket.validator().addPin(leaf.certificate.spkiSha256());
      Seen seen;
      REQUIRE(seen.attempt(loop, socket, "localhost", echo.port()));
      CHECK(seen.saw("connect") == match);
      if (!match) CHECK(socket.serverCertificateStatus() == CertificateStatus::INVALID_CHAIN);
    }
  }
}

TEST_CASE("SecureSocket resumes sessions per host and port, negotiates ALPN and versions",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root("resumption root");
  LoopbackOptions withAlpn;
  withAlpn.alpnProtocols = {"h2", "as3"};
  LoopbackServer server(loop, root.issue(), Script().echo(), withAlpn);
  as3::utils::ByteArray rootDer = root.certificateDer();
  SecureSocket probe(loop);
  probe.addBinaryChainBuildingCertificate(rootDer, true);

  auto connectOnce = [&](std::vector<std::string> alpn, as3::net::TlsVersion max) {
    auto socket = std::make_unique<SecureSocket>(loop);
    socket->alpnProtocols(std::move(alpn));
    socket->maximumVersion(max);
    bool connected = false;
    socket->addEventListener(Event::CONNECT, [&, raw = socket.get()](Event&) {
      connected = true;
      raw->writeUTFBytes("ping");  // reading the reply collects the session ticket
      raw->flush();
    });
    std::string reply;
    socket->addEventListener(ProgressEvent::SOCKET_DATA,
                             [&, raw = socket.get()](Event&) { reply += raw->readAll(); });
    socket->connect("localhost", server.port());
    REQUIRE(runUntil(loop, [&] { return reply == "ping"; }));
    CHECK(connected);
    return socket;
  };
  CHECK_THROWS_AS(SecureSocket(loop).alpnProtocols({""}), as3::errors::ArgumentError);
  CHECK_THROWS_AS(SecureServerSocket(loop).alpnProtocols({std::string(256, 'x')}),
                  as3::errors::ArgumentError);
  auto first = connectOnce({"as3"}, as3::net::TlsVersion::TLSv1_3);
  CHECK_FALSE(first->resumed());
  CHECK(first->selectedProtocol() == "as3");
  first->close();
  auto second = connectOnce({"as3"}, as3::net::TlsVersion::TLSv1_3);
  CHECK(second->resumed());
  CHECK(second->serverCertificateStatus() == CertificateStatus::TRUSTED);
  CHECK(second->serverCertificate());
  second->close();
  auto old = connectOnce({}, as3::net::TlsVersion::TLSv1_2);
  CHECK(old->protocol() == "TLSv1.2");
  CHECK(old->selectedProtocol().empty());
}

TEST_CASE("A server that never writes still lets its clients resume: tickets leave at once",
          "[net][tls]") {
  // BoringSSL keeps TLS 1.3 tickets until the server's first write; SecureServerSocket sends
  // them right after the handshake, so a listen-only server's clients resume too.
  EventLoop loop;
  TestCertificateAuthority root("silent server root");
  LoopbackServer server(loop, root, Script().discard());
  SecureSocket(loop).addBinaryChainBuildingCertificate(root.certificateDer(), true);
  std::vector<bool> resumed;
  for (int i = 0; i < 3; ++i) {
    SecureSocket socket(loop);
    bool connected = false;
    socket.addEventListener(Event::CONNECT, [&](Event&) { connected = true; });
    socket.connect("localhost", server.port());
    REQUIRE(runUntil(loop, [&] { return connected; }));
    runFor(loop, 50ms);  // the tickets arrive after the handshake
    resumed.push_back(socket.resumed());
    socket.close();
  }
  CHECK(resumed == std::vector<bool>{false, true, true});
  REQUIRE(runUntil(loop, [&] { return server.finished() == 3; }));
  CHECK(server.failures().empty());
}

TEST_CASE("SecureSocket: a peer that is not TLS, and a handshake the server gives up on",
          "[net][tls]") {
  EventLoop loop;
  SECTION("an HTTP reply instead of a ServerHello") {
    test::Listener listener;
    test::Peer peer(listener, [](int& fd) {
      std::string request;
      test::receiveExactly(fd, &request, 5);
      test::sendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    SecureSocket socket(loop);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", listener.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    CHECK(seen.events == std::vector<std::string>{"ioError"});
    CHECK_THAT(seen.errorText, Catch::Contains("TLS handshake failed"));
    CHECK(socket.serverCertificateStatus() == CertificateStatus::UNKNOWN);
  }
  SECTION("a client that never speaks is dropped after handshakeTimeout, unannounced") {
    TestCertificateAuthority root;
    SecureServerSocket server(loop);
    serve(server, root);
    server.handshakeTimeout(200);
    int announced = 0;
    server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](Event&) { ++announced; });
    server.listen();
    Socket plain(loop);
    bool closed = false;
    plain.addEventListener(Event::CLOSE, [&](Event&) { closed = true; });
    auto start = std::chrono::steady_clock::now();
    plain.connect("127.0.0.1", server.localPort());
    REQUIRE(runUntil(
        loop, [&] { return closed; }, 5s));
    CHECK(std::chrono::steady_clock::now() - start >= 190ms);
    CHECK(announced == 0);
  }
  SECTION("listen without a certificate") {
    SecureServerSocket server(loop);
    server.bind(0, "127.0.0.1");
    CHECK_THROWS_AS(server.listen(), as3::errors::IOError);
  }
}

TEST_CASE("SecureSocket: a cut without close_notify is a truncation, after the data before it",
          "[net][tls][interop]") {
  if (!test::haveProgram("openssl")) {
    WARN("openssl is not on PATH: the truncation test is skipped");
    return;
  }
  // openssl s_server killed by SIGKILL: the kernel ends the TCP connection with a FIN, and no
  // close_notify was ever sent.
  EventLoop loop;
  TestCertificateAuthority root;
  OpensslServer server(root.issue(), "cut");
  REQUIRE(server.ready);
  SecureSocket socket(loop);
  root.trustIn(socket);
  Seen seen;
  seen.attach(socket);
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    socket.writeUTFBytes("last words\n");
    socket.flush();
  });
  socket.connect("localhost", server.port);
  REQUIRE(runUntil(loop, [&] { return seen.data.find("sdrow tsal") != std::string::npos; }));
  ::kill(server.process->pid(), SIGKILL);
  REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
  CHECK(seen.events.back() == "ioError");
  CHECK_FALSE(seen.saw("close"));
  CHECK_THAT(seen.errorText, Catch::Contains("truncated") && Catch::Contains("close_notify"));
}

TEST_CASE("SecureServerSocket: mutual TLS with client certificates", "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority serverRoot("server root"), clientRoot("client root");
  SecureServerSocket server(loop);
  serve(server, serverRoot);
  server.requireClientCertificates(clientRoot.certificatePem());
  int announced = 0;
  std::vector<std::shared_ptr<Socket>> kept;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    ++announced;
    kept.push_back(e.socket());
  });
  server.listen();
  CertificateOptions clientOptions;
  clientOptions.commonName = "player-1";
  clientOptions.dnsNames = {};
  clientOptions.ipAddresses = {};
  clientOptions.serverAuth = false;
  clientOptions.clientAuth = true;
  IssuedCertificate clientIdentity = clientRoot.issue(clientOptions);
  for (bool present : {false, true}) {
    SecureSocket socket(loop);
    serverRoot.trustIn(socket);
    if (present) socket.clientCertificate(clientIdentity.chainPem(), clientIdentity.privateKeyPem);
    Seen seen;
    seen.attach(socket);
    socket.connect("localhost", server.localPort());
    socket.addEventListener(Event::CONNECT, [&](Event&) {
      socket.writeUTFBytes("x");  // a TLS 1.3 client learns of the refusal when it reads
      socket.flush();
    });
    REQUIRE(runUntil(
        loop, [&] { return (present && seen.saw("connect") && announced == 1) || seen.ended(); }));
    CHECK(announced == (present ? 1 : 0));
  }
  CHECK_THROWS_AS(SecureSocket(loop).clientCertificate(clientIdentity.chainPem(),
                                                       serverRoot.issue().privateKeyPem),
                  as3::errors::ArgumentError);
}

TEST_CASE("SecureSocket against openssl s_server", "[net][tls][interop]") {
  if (!test::haveProgram("openssl")) {
    WARN("openssl is not on PATH: the s_server interop test is skipped");
    return;
  }
  EventLoop loop;
  TestCertificateAuthority root;
  OpensslServer server(root.issue(), "server", {"-tls1_3"});
  REQUIRE(server.ready);
  SecureSocket socket(loop);
  root.trustIn(socket);
  Seen seen;
  seen.attach(socket);
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    socket.writeUTFBytes("as3net\n");  // -rev answers each line reversed
    socket.flush();
  });
  socket.connect("localhost", server.port);
  REQUIRE(runUntil(loop, [&] { return seen.data.find("ten3sa") != std::string::npos; }));
  CHECK(seen.events.front() == "connect");
  CHECK(socket.serverCertificateStatus() == CertificateStatus::TRUSTED);
  socket.close();
}

TEST_CASE("A listener may close or destroy its SecureSocket in every kind of event",
          "[net][tls][lifetime]") {
  EventLoop loop;
  TestCertificateAuthority root;
  const std::string which = GENERATE(std::string("connect"), std::string("socketData"),
                                     std::string("certificateError"), std::string("ioError"));
  const bool destroy = GENERATE(false, true);
  CAPTURE(which, destroy);
  CertificateOptions options;
  if (which == "certificateError" || which == "ioError") options.dnsNames = {"elsewhere"};
  LoopbackServer echo(loop, root.issue(options));
  auto socket = std::make_unique<SecureSocket>(loop);
  root.trustIn(*socket);
  int calls = 0, after = 0;
  for (auto type : {Event::CONNECT, ProgressEvent::SOCKET_DATA,
                    SecurityErrorEvent::CERTIFICATE_ERROR, IOErrorEvent::IO_ERROR}) {
    socket->addEventListener(type, [&, type](Event&) {
      if (type != which) {
        after += calls > 0;
        if (type == Event::CONNECT) {
          socket->writeUTFBytes("echo me");
          socket->flush();
        }
        return;
      }
      ++calls;
      if (destroy) {
        socket.reset();
        return;
      }
      try {
        socket->close();  // during the handshake it cancels the attempt: no ioError follows
      } catch (const as3::errors::IOError&) {
        // #2002 inside ioError: the attempt is already over
      }
    });
  }
  socket->connect("localhost", echo.port());
  runUntil(
      loop, [&] { return calls > 0; }, 10s);
  runFor(loop, 60ms);
  CHECK(calls == 1);
  CHECK(after == 0);
}

TEST_CASE("A client's last handshake flight waits for its connect listener, and still leaves",
          "[net][tls]") {
  // The client's Finished is held to the end of the turn, for the connect listener's first
  // flush to take along; whatever the listener does, the server completes the handshake.
  EventLoop loop;
  TestCertificateAuthority root;
  SecureServerSocket server(loop);
  serve(server, root);
  std::vector<std::shared_ptr<Socket>> accepted;
  std::string received;
  int closes = 0, errors = 0;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    accepted.push_back(e.socket());
    Socket* raw = e.socket().get();
    raw->addEventListener(ProgressEvent::SOCKET_DATA,
                          [&, raw](Event&) { received += raw->readAll(); });
    raw->addEventListener(Event::CLOSE, [&](Event&) { ++closes; });
    raw->addEventListener(IOErrorEvent::IO_ERROR, [&](Event&) { ++errors; });
  });
  server.listen();
  const std::string what = GENERATE(std::string("write twice"), std::string("write, close"),
                                    std::string("close"), std::string("destroy"));
  CAPTURE(what);
  auto socket = std::make_unique<SecureSocket>(loop);
  root.trustIn(*socket);
  socket->addEventListener(Event::CONNECT, [&](Event&) {
    if (what == "destroy") {
      socket.reset();
      return;
    }
    if (what != "close") {
      socket->writeUTFBytes("one");
      socket->flush();
    }
    if (what == "write twice") {
      socket->writeUTFBytes("two");
      socket->flush();
      return;
    }
    socket->close();
  });
  socket->connect("localhost", server.localPort());
  if (what == "write twice") {
    REQUIRE(runUntil(loop, [&] { return received == "onetwo"; }));
    CHECK(closes + errors == 0);
    return;
  }
  REQUIRE(runUntil(loop, [&] { return closes + errors > 0; }));
  CHECK(accepted.size() == 1);
  CHECK(closes == 1);  // close_notify after the Finished: a clean close, not a truncation
  CHECK(errors == 0);
  CHECK(received == (what == "write, close" ? "one" : ""));
}

TEST_CASE("SecureSocket connections keep alive, accepted ones too", "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  SecureServerSocket server(loop);
  serve(server, root);
  std::shared_ptr<Socket> accepted;
  server.addEventListener(ServerSocketConnectEvent::CONNECT,
                          [&](ServerSocketConnectEvent& e) { accepted = e.socket(); });
  server.listen();
  SecureSocket socket(loop);
  root.trustIn(socket);
  socket.tcpNoDelay(true);
  bool connected = false;
  socket.addEventListener(Event::CONNECT, [&](Event&) { connected = true; });
  socket.connect("localhost", server.localPort());
  REQUIRE(runUntil(loop, [&] { return connected && accepted; }));
  test::TcpOptions client, served;
  REQUIRE(test::connectionOptions(socket.localPort(), socket.remotePort(), &client));
  REQUIRE(test::connectionOptions(accepted->localPort(), accepted->remotePort(), &served));
  CHECK(client.keepAlive);
  CHECK(client.keepIdle == 60);
  CHECK(client.noDelay);
  CHECK(served.keepAlive);
  CHECK(served.keepIdle == 60);
  CHECK(served.keepInterval == client.keepInterval);
  CHECK(served.keepCount == client.keepCount);
  CHECK_FALSE(served.noDelay);
}

TEST_CASE("SecureServerSocket reads an encrypted private key with its password", "[net][tls]") {
  if (!test::haveProgram("openssl")) {
    WARN("openssl is not on PATH: the encrypted-key test is skipped");
    return;
  }
  EventLoop loop;
  TestCertificateAuthority root;
  IssuedCertificate identity = root.issue();
  std::string plainKey = tempPath("plain.key"), cert = tempPath("enc.pem");
  identity.writeFiles(cert, plainKey);
  test::ProcessResult encrypted =
      test::runProcess({"openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plainKey,
                        "-passout", "pass:s3cret"});
  REQUIRE(encrypted.exitCode == 0);
  SecureServerSocket server(loop);
  CHECK_THROWS_AS(server.certificate(identity.chainPem(), encrypted.output, "wrong"),
                  as3::errors::ArgumentError);
  CHECK_THROWS_AS(server.certificate(identity.chainPem(), encrypted.output),
                  as3::errors::ArgumentError);
  // A key file may name any PBKDF2 count, paid before the password is checked: refused early.
  test::ProcessResult costly =
      test::runProcess({"openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "2000001",
                        "-in", plainKey, "-passout", "pass:s3cret"});
  REQUIRE(costly.exitCode == 0);
  CHECK_THROWS_WITH(server.certificate(identity.chainPem(), costly.output, "s3cret"),
                    Catch::Contains("asks for 2000001 PBKDF2 iterations"));
  server.certificate(identity.chainPem(), encrypted.output, "s3cret");
  server.bind(0, "127.0.0.1");
  std::vector<std::shared_ptr<Socket>> kept;
  server.addEventListener(ServerSocketConnectEvent::CONNECT,
                          [&](ServerSocketConnectEvent& e) { kept.push_back(e.socket()); });
  server.listen();
  SecureSocket socket(loop);
  root.trustIn(socket);
  Seen seen;
  REQUIRE(seen.attempt(loop, socket, "localhost", server.localPort()));
  CHECK(seen.saw("connect"));
  std::filesystem::remove(plainKey);
  std::filesystem::remove(cert);
}

// Run only by the next test, in a child process whose environment names the key log file.
TEST_CASE("key log child", "[.keylog-child]") {
  if (!std::getenv("SSLKEYLOGFILE")) return;  // only as the child of the next test
  EventLoop loop;
  TestCertificateAuthority root;
  LoopbackServer server(loop, root.issue());
  SecureSocket socket(loop);
  root.trustIn(socket);
  bool connected = false;
  socket.addEventListener(Event::CONNECT, [&](Event&) { connected = true; });
  socket.connect("localhost", server.port());
  REQUIRE(runUntil(loop, [&] { return connected && server.connections() > 0; }));
}

TEST_CASE("SSLKEYLOGFILE makes TLS secrets available to Wireshark", "[net][tls]") {
  std::string path = tempPath("keys.log");
  std::filesystem::remove(path);
  char self[4096] = {};
  REQUIRE(::readlink("/proc/self/exe", self, sizeof self - 1) > 0);
  std::string command = "SSLKEYLOGFILE=" + path + " " + self + " '[.keylog-child]'";
  test::ProcessResult run = test::runProcess({"sh", "-c", command}, {}, 60s);
  REQUIRE(run.exitCode == 0);
  std::string log;
  {
    std::FILE* f = std::fopen(path.c_str(), "r");
    REQUIRE(f);
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) log.append(buffer, n);
    std::fclose(f);
  }
  CHECK_THAT(log, Catch::Contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET") &&
                      Catch::Contains("SERVER_TRAFFIC_SECRET_0"));
  std::filesystem::remove(path);
}

TEST_CASE("SecureSocket::serverName validates and sends a name other than the host dialled",
          "[net][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  CertificateOptions named;
  named.dnsNames = {"game.example"};
  named.ipAddresses = {};
  LoopbackServer echo(loop, root.issue(named));
  for (bool useName : {false, true}) {
    SecureSocket socket(loop);
    root.trustIn(socket);
    if (useName) socket.serverName("game.example");
    Seen seen;
    REQUIRE(seen.attempt(loop, socket, "127.0.0.1", echo.port()));
    CHECK(seen.saw("connect") == useName);
    if (!useName) CHECK(socket.serverCertificateStatus() == CertificateStatus::PRINCIPAL_MISMATCH);
  }
}
