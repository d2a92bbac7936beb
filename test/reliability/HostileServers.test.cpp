// SecureSocket against servers that attack the client instead of talking TLS: an HTTP reply,
// random garbage, an oversized record, a certificate list over BoringSSL's cap, a renegotiation
// request, a server that never answers or trickles. Each must end in one ioError with a text
// that says what happened, within the socket's timeout, without a large allocation.
//
// "No large allocation" is measured, not assumed: while a case runs, every allocation of the
// process is counted (the largest single one and the peak growth of live bytes). A plain build
// counts through malloc, calloc, realloc and free, defined here over glibc's own (the whole test
// binary then goes through them; when nothing is being watched they cost one relaxed load); an
// AddressSanitizer build counts through the sanitizer's allocation hooks instead. A 100 MB
// buffer, even one never touched, fails the bound.
#include <catch2/catch.hpp>

#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/Socket.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/ChildProcess.h"
#include "support/Net.h"
#include "support/Process.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AS3NET_TEST_ASAN 1
#endif
#if __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AS3NET_TEST_OTHER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define AS3NET_TEST_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define AS3NET_TEST_OTHER_SANITIZER 1
#endif

#if defined(AS3NET_TEST_ASAN)
// From <sanitizer/allocator_interface.h>, which GCC does not install; libasan exports them.
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                  std::size_t),
                                              void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
}
#endif

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::testing::IssuedCertificate;
using as3::testing::LoopbackServer;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

// --- the allocation counter ----------------------------------------------------------------------

namespace {

// Constant-initialized: usable from the first allocation of the process on.
std::atomic<bool> gWatching{false};
std::atomic<std::size_t> gLargest{0};
std::atomic<long long> gLive{0};
std::atomic<long long> gPeak{0};

// Unused under ThreadSanitizer, which owns malloc: nothing is counted there.
[[maybe_unused]] void noteAllocated(std::size_t size) {
  std::size_t largest = gLargest.load(std::memory_order_relaxed);
  while (size > largest && !gLargest.compare_exchange_weak(largest, size)) {
  }
  long long live = gLive.fetch_add(static_cast<long long>(size)) + static_cast<long long>(size);
  long long peak = gPeak.load(std::memory_order_relaxed);
  while (live > peak && !gPeak.compare_exchange_weak(peak, live)) {
  }
}

[[maybe_unused]] void noteFreed(std::size_t size) {
  gLive.fetch_sub(static_cast<long long>(size));
}

#if defined(AS3NET_TEST_ASAN)
constexpr bool kCounting = true;
void onMalloc(const volatile void*, std::size_t size) {
  if (gWatching.load(std::memory_order_relaxed)) noteAllocated(size);
}
void onFree(const volatile void* p) {
  if (p && gWatching.load(std::memory_order_relaxed)) noteFreed(__sanitizer_get_allocated_size(p));
}
const bool kHooked = __sanitizer_install_malloc_and_free_hooks(&onMalloc, &onFree) != 0;
#elif defined(AS3NET_TEST_OTHER_SANITIZER)
constexpr bool kCounting = false;  // that sanitizer owns malloc; nothing is counted
const bool kHooked = false;
#else
constexpr bool kCounting = true;
const bool kHooked = true;
#endif

}  // namespace

#if !defined(AS3NET_TEST_ASAN) && !defined(AS3NET_TEST_OTHER_SANITIZER)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void __libc_free(void* p);

void* malloc(std::size_t size) noexcept {
  void* p = __libc_malloc(size);
  if (p && gWatching.load(std::memory_order_relaxed)) noteAllocated(malloc_usable_size(p));
  return p;
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  void* p = __libc_calloc(count, size);
  if (p && gWatching.load(std::memory_order_relaxed)) noteAllocated(malloc_usable_size(p));
  return p;
}
void* realloc(void* p, std::size_t size) noexcept {
  if (!gWatching.load(std::memory_order_relaxed)) return __libc_realloc(p, size);
  std::size_t before = p ? malloc_usable_size(p) : 0;
  void* q = __libc_realloc(p, size);
  if (q) {
    noteFreed(before);
    noteAllocated(malloc_usable_size(q));
  } else if (size == 0) {
    noteFreed(before);
  }
  return q;
}
void free(void* p) noexcept {
  if (p && gWatching.load(std::memory_order_relaxed)) noteFreed(malloc_usable_size(p));
  __libc_free(p);
}
}
#endif

namespace {

// AllocationWatch counts the allocations between its construction and stop().
class AllocationWatch {
 public:
  AllocationWatch() {
    gLargest = 0;
    gLive = 0;
    gPeak = 0;
    gWatching = true;
  }
  ~AllocationWatch() { stop(); }
  void stop() { gWatching = false; }
  std::size_t largest() const { return gLargest; }
  long long peakGrowth() const { return gPeak; }

 private:
};

// The bounds: a TLS client that refuses a hostile server needs buffers of tens of KB.
constexpr std::size_t kLargestAllowed = 1u << 20;
constexpr long long kGrowthAllowed = 16LL << 20;

// --- what the client saw -------------------------------------------------------------------------

struct Seen {
  std::vector<std::string> events;
  std::string error, data;
  void attach(Socket& socket) {
    socket.addEventListener(Event::CONNECT, [this](Event&) { events.push_back("connect"); });
    socket.addEventListener(Event::CLOSE, [this](Event&) { events.push_back("close"); });
    socket.addEventListener(ProgressEvent::SOCKET_DATA, [this, &socket](Event&) {
      events.push_back("socketData");
      data += socket.readAll();
    });
    socket.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      events.push_back("ioError");
      error = e.text();
    });
  }
  bool ended() const {
    for (const std::string& e : events)
      if (e == "ioError" || e == "close") return true;
    return false;
  }
};

using Events = std::vector<std::string>;
using Clock = std::chrono::steady_clock;

std::string bytesOf(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

std::string u16(std::size_t n) {
  return bytesOf({static_cast<int>(n >> 8 & 0xFF), static_cast<int>(n & 0xFF)});
}

std::string u24(std::size_t n) {
  return bytesOf({static_cast<int>(n >> 16 & 0xFF), static_cast<int>(n >> 8 & 0xFF),
                  static_cast<int>(n & 0xFF)});
}

std::string garbage(std::size_t n, std::uint64_t seed) {
  std::string bytes(n, '\0');
  for (char& c : bytes) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(seed >> 56);
  }
  return bytes;
}

// A TLS record (TLS 1.2 framing) and a handshake message.
std::string record(int type, const std::string& body) {
  return bytesOf({type, 3, 3}) + u16(body.size()) + body;
}
std::string handshake(int type, const std::string& body) {
  return bytesOf({type}) + u24(body.size()) + body;
}

// A TLS 1.2 ServerHello choosing ECDHE-ECDSA-AES128-GCM-SHA256, no extensions.
std::string serverHello12() {
  std::string body = bytesOf({3, 3}) + garbage(32, 7) + bytesOf({0}) + bytesOf({0xC0, 0x2B, 0});
  return record(22, handshake(2, body));
}

// readClientHello takes the client's first record off `fd`.
bool readClientHello(int fd) {
  std::string header, body;
  if (!test::receiveExactly(fd, &header, 5, 5s)) return false;
  std::size_t length =
      static_cast<unsigned char>(header[3]) << 8 | static_cast<unsigned char>(header[4]);
  return test::receiveExactly(fd, &body, length, 5s);
}

// waitForTheClientToGo keeps the connection open until the client ends it.
void waitForTheClientToGo(int fd) {
  std::string ignored;
  test::receiveUntilEof(fd, &ignored, 8s);
}

struct Outcome {
  Seen seen;
  double ms = 0;
  std::size_t largest = 0;
  long long growth = 0;
};

// attack connects a SecureSocket with `timeoutMs` to a raw peer running `script` and returns
// what happened, with the allocations made meanwhile.
Outcome attack(std::function<void(int& fd)> script, std::uint32_t timeoutMs = 5000) {
  EventLoop loop;
  test::Listener listener;
  test::Peer peer(listener, std::move(script));
  SecureSocket socket(loop);
  socket.timeout(timeoutMs);
  Outcome outcome;
  outcome.seen.attach(socket);
  AllocationWatch watch;
  const auto start = Clock::now();
  socket.connect("127.0.0.1", listener.port());
  bool ended = runUntil(
      loop, [&] { return outcome.seen.ended(); }, std::chrono::milliseconds(timeoutMs + 3000));
  outcome.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  watch.stop();
  outcome.largest = watch.largest();
  outcome.growth = watch.peakGrowth();
  CHECK(ended);
  runFor(loop, 50ms);  // nothing may follow the ioError
  return outcome;
}

void checkRefused(const Outcome& o, const char* detail, double withinMs) {
  INFO("error text: " << o.seen.error);
  INFO("largest allocation " << o.largest << " bytes, live bytes grew by " << o.growth
                             << " at most");
  CHECK(o.seen.events == Events{"ioError"});
  CHECK_THAT(o.seen.error, Catch::StartsWith("Error #2031: Socket Error."));
  CHECK_THAT(o.seen.error, Catch::Contains("TLS handshake failed"));
  CHECK_THAT(o.seen.error, Catch::Contains(detail));
  CHECK(o.ms < withinMs);
  if (kCounting && kHooked) {
    CHECK(o.largest < kLargestAllowed);
    CHECK(o.growth < kGrowthAllowed);
  }
}

}  // namespace

TEST_CASE("The allocation counter sees a large allocation", "[reliability][hostile][net]") {
  if (!(kCounting && kHooked)) {
    WARN("this build cannot count allocations (another sanitizer owns malloc)");
    return;
  }
  AllocationWatch watch;
  void* volatile big = std::malloc(100u << 20);  // never touched: RSS would not show it
  std::free(big);
  watch.stop();
  CHECK(watch.largest() >= (100u << 20));
  CHECK(watch.peakGrowth() >= (100LL << 20));
}

TEST_CASE("Hostile servers: an HTTP reply instead of TLS, the connection left open",
          "[reliability][hostile][tls]") {
  // test/net/SecureSocket.test.cpp closes after its reply; here the server stays, so only the
  // parse can end the handshake, long before the timeout.
  const std::string reply =
      "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
      "Content-Length: 5000\r\n\r\n" +
      std::string(5000, 'x');
  Outcome o = attack([&](int& fd) {
    if (!readClientHello(fd)) return;
    test::sendAll(fd, reply);
    waitForTheClientToGo(fd);
  });
  checkRefused(o, "WRONG_VERSION_NUMBER", 2000);
}

TEST_CASE("Hostile servers: random garbage, raw or behind a plausible record header",
          "[reliability][hostile][tls]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const bool framed = seed % 2 == 0;
    INFO("seed " << seed << (framed ? ", in a handshake record" : ", raw"));
    std::string bytes = garbage(4096, seed);
    if (framed) bytes = record(22, garbage(1000, seed)) + bytes;
    if (!framed && static_cast<unsigned char>(bytes[0]) == 22) bytes[0] = 'G';
    Outcome o = attack([&](int& fd) {
      if (!readClientHello(fd)) return;
      test::sendAll(fd, bytes);
      waitForTheClientToGo(fd);
    });
    checkRefused(o, "TLS handshake failed", 2000);
    // BoringSSL's reason, not a generic end of stream: the server never closed.
    CHECK_THAT(o.seen.error, !Catch::Contains("the peer closed"));
  }
}

TEST_CASE("Hostile servers: a record longer than 2^14 + 2048 bytes is refused at its header",
          "[reliability][hostile][tls]") {
  // The header promises more than any TLS record may hold; the body never comes, so waiting for
  // it would end only at the timeout.
  for (std::size_t length : {std::size_t{16384 + 2048 + 1}, std::size_t{0xFFFF}}) {
    INFO("length " << length);
    Outcome o = attack([&](int& fd) {
      if (!readClientHello(fd)) return;
      test::sendAll(fd, bytesOf({22, 3, 3}) + u16(length) + garbage(100, 3));
      waitForTheClientToGo(fd);
    });
    checkRefused(o, "ENCRYPTED_LENGTH_TOO_LONG", 2000);
  }
}

TEST_CASE("Hostile servers: a certificate list over the cap is refused at its header",
          "[reliability][hostile][tls]") {
  // BoringSSL caps a peer's Certificate message at SSL_MAX_CERT_LIST_DEFAULT (100 KiB; as3net
  // keeps the default). A TLS 1.2 server's Certificate message is in the clear: announce more
  // than the cap, send a little of it, then nothing. A client that buffered towards the length
  // would wait for the timeout, or allocate the announced size.
  for (std::size_t length : {std::size_t{100 * 1024 + 1}, std::size_t{0xFFFFFF}}) {
    INFO("announced length " << length);
    Outcome o = attack([&](int& fd) {
      if (!readClientHello(fd)) return;
      std::string certificates = u24(length - 3) + u24(length - 6) + garbage(2000, 5);
      std::string message = bytesOf({11}) + u24(length) + certificates;
      test::sendAll(fd, serverHello12() + record(22, message));
      waitForTheClientToGo(fd);
    });
    checkRefused(o, "EXCESSIVE_MESSAGE_SIZE", 2000);
  }

  SECTION("a real TLS 1.3 server presenting a chain of 160 KB") {
    // The same cap applies inside TLS 1.3's encrypted Certificate message.
    EventLoop loop;
    TestCertificateAuthority root;
    IssuedCertificate identity = root.issue();
    while (identity.chainPem().size() < 220 * 1024)  // PEM: about 160 KB of DER
      identity.intermediates.push_back(root.certificate());
    LoopbackServer server(loop, identity);
    SecureSocket socket(loop);
    root.trustIn(socket);
    socket.timeout(5000);
    Seen seen;
    seen.attach(socket);
    AllocationWatch watch;
    const auto start = Clock::now();
    socket.connect("127.0.0.1", server.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    watch.stop();
    runFor(loop, 50ms);
    INFO("error text: " << seen.error);
    CHECK(seen.events == Events{"ioError"});
    CHECK_THAT(seen.error, Catch::Contains("EXCESSIVE_MESSAGE_SIZE"));
    CHECK(ms < 2000);
    CHECK(server.connections() == 0);
    INFO("largest allocation " << watch.largest() << " bytes");
    if (kCounting && kHooked) {
      CHECK(watch.largest() < kLargestAllowed);
      // The counter sees the library's allocations: the server's records of its chain.
      CHECK(watch.largest() >= 100 * 1024);
    }
  }
}

TEST_CASE("Hostile servers: the timeout ends a server that never answers, or only trickles",
          "[reliability][hostile][tls]") {
  SECTION("TCP accepted, not a byte back") {
    Outcome o = attack([](int& fd) { waitForTheClientToGo(fd); }, 300);
    INFO("error text: " << o.seen.error);
    CHECK(o.seen.events == Events{"ioError"});
    CHECK_THAT(o.seen.error, Catch::Contains("Timed out") && Catch::Contains("300 ms"));
    CHECK(o.ms >= 290);
    CHECK(o.ms < 1500);
    if (kCounting && kHooked) CHECK(o.largest < kLargestAllowed);
  }
  SECTION("a record header, then one byte every 20 ms") {
    // Bytes keep coming, so no read ever waits long: the deadline still covers the handshake.
    std::atomic<bool> stop{false};
    Outcome o = attack(
        [&](int& fd) {
          if (!readClientHello(fd)) return;
          if (!test::sendAll(fd, bytesOf({22, 3, 3, 0x40, 0x00}))) return;
          for (int i = 0; i < 200 && !stop; ++i) {
            std::this_thread::sleep_for(20ms);
            if (::send(fd, "\x01", 1, MSG_NOSIGNAL) != 1) return;
          }
        },
        300);
    stop = true;
    INFO("error text: " << o.seen.error);
    CHECK(o.seen.events == Events{"ioError"});
    CHECK_THAT(o.seen.error, Catch::Contains("Timed out"));
    CHECK(o.ms >= 290);
    CHECK(o.ms < 1500);
    if (kCounting && kHooked) CHECK(o.largest < kLargestAllowed);
  }
  SECTION("a plain socket's timeout covers connecting only") {
    // AS3: timeout bounds establishing the connection, never a silent connected peer.
    EventLoop loop;
    test::Listener listener;
    test::Peer peer(listener, [](int& fd) { waitForTheClientToGo(fd); });
    Socket socket(loop);
    socket.timeout(300);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", listener.port());
    REQUIRE(runUntil(loop, [&] { return socket.connected(); }));
    runFor(loop, 600ms);
    CHECK(seen.events == Events{"connect"});
    CHECK(socket.connected());
    socket.close();
  }
}

// --- renegotiation -------------------------------------------------------------------------------

namespace {

std::string tempPath(const std::string& name) {
  std::filesystem::create_directories(AS3NET_TEST_TMPDIR);
  return std::string(AS3NET_TEST_TMPDIR) + "/" + std::to_string(::getpid()) + "-hostile-" + name;
}

// OpensslPeer runs `openssl <argv...>` with certificate files for `identity`, until it goes.
struct OpensslPeer {
  std::string cert, key;
  std::unique_ptr<test::ChildProcess> process;
  OpensslPeer(const IssuedCertificate& identity, std::vector<std::string> argv) {
    cert = tempPath("cert.pem");
    key = tempPath("key.pem");
    identity.writeFiles(cert, key);
    for (std::string& a : argv) {
      if (a == "@cert") a = cert;
      if (a == "@key") a = key;
    }
    process = std::make_unique<test::ChildProcess>(argv);
  }
  // waitFor reads its output until a line contains `text`.
  bool waitFor(const std::string& text) {
    std::string line;
    for (int i = 0; i < 200 && process->started(); ++i) {
      if (!process->readLine(&line, 5s)) return false;
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  ~OpensslPeer() {
    process.reset();
    std::filesystem::remove(cert);
    std::filesystem::remove(key);
  }
};

}  // namespace

TEST_CASE("Hostile servers: a TLS 1.2 renegotiation request is refused with an ioError",
          "[reliability][hostile][tls][interop]") {
  if (!test::haveProgram("openssl")) {
    WARN("openssl is not on PATH: the renegotiation test is skipped");
    return;
  }
  EventLoop loop;
  TestCertificateAuthority root;
  int port = 0;
  {
    test::Listener probe;  // a port free a moment ago; s_server cannot report one it chose
    port = probe.port();
  }
  // s_server's "r" command (a line on its standard input) sends a HelloRequest.
  OpensslPeer server(
      root.issue(), {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                     "@cert", "-key", "@key", "-tls1_2", "-naccept", "1"});
  REQUIRE(server.waitFor("ACCEPT"));
  SecureSocket socket(loop);
  root.trustIn(socket);
  Seen seen;
  seen.attach(socket);
  socket.connect("localhost", port);
  REQUIRE(runUntil(loop, [&] { return socket.connected() || seen.ended(); }));
  REQUIRE(socket.connected());
  CHECK(socket.protocol() == "TLSv1.2");
  // A line from the server first: the connection works before the request.
  server.process->writeLine("before");
  REQUIRE(runUntil(loop, [&] { return seen.data == "before\n" || seen.ended(); }));
  server.process->writeLine("r");
  REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
  runFor(loop, 50ms);
  INFO("error text: " << seen.error);
  CHECK(seen.events == Events{"connect", "socketData", "ioError"});
  CHECK_THAT(seen.error, Catch::Contains("NO_RENEGOTIATION"));
}

TEST_CASE("A client's TLS 1.2 renegotiation is refused by SecureServerSocket",
          "[reliability][hostile][tls][interop]") {
  if (!test::haveProgram("openssl")) {
    WARN("openssl is not on PATH: the renegotiation test is skipped");
    return;
  }
  EventLoop loop;
  TestCertificateAuthority root;
  SecureServerSocket server(loop);
  const IssuedCertificate identity = root.issue();
  server.certificate(identity.chainPem(), identity.privateKeyPem);
  server.bind(0, "127.0.0.1");
  std::shared_ptr<Socket> accepted;
  Seen seen;
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    accepted = e.socket();
    seen.attach(*accepted);
  });
  server.listen();
  // s_client's "R" command renegotiates (not with -ign_eof, which turns commands off).
  test::ChildProcess client({"openssl", "s_client", "-connect",
                             "127.0.0.1:" + std::to_string(server.localPort()), "-tls1_2"});
  REQUIRE(runUntil(loop, [&] { return accepted != nullptr; }));
  client.writeLine("hello");
  REQUIRE(runUntil(loop, [&] { return seen.data == "hello\n" || seen.ended(); }));
  client.writeLine("R");
  REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
  runFor(loop, 50ms);
  INFO("error text: " << seen.error);
  CHECK(seen.events == Events{"socketData", "ioError"});
  CHECK_THAT(seen.error, Catch::Contains("NO_RENEGOTIATION"));
}
