// Socket and SecureSocket through test::FaultProxy, which segments, coalesces, delays, cuts,
// resets, corrupts and stalls the bytes between them and a server, reproducibly:
// - a TLS session survives any segmentation with the same plaintext, without a busy loop;
// - a cut at any kind of offset (handshake, record boundary, inside a record, inside a record
//   header), by FIN or by reset, toward the client or toward the server, delivers the bytes
//   before it once and then exactly one terminal event, and nothing after it;
// - a flipped bit in a TLS record is an ioError and never reaches the application.
// test/net/TlsFaults.test.cpp holds the first, simpler cases; these extend them.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/testing/LoopbackServer.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/FaultProxy.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::testing::LoopbackServer;
using as3::testing::runFor;
using as3::testing::runUntil;
using as3::testing::Script;
using as3::testing::TestCertificateAuthority;
using test::FaultProxy;
using Offset = test::FaultProxy::Offset;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// SplitMix64, as the proxy's: the same numbers everywhere.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

// pattern is `n` bytes of every value, different for each `seed`.
std::string pattern(std::size_t n, std::uint64_t seed) {
  SplitMix random{seed};
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(random.next());
  return bytes;
}

long long envNumber(const char* name, long long fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoll(text, nullptr, 10) : fallback;
}

double threadCpuMs() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

// LoopTurns counts the turns of a loop: a check handle runs once at the end of every turn. A
// socket that spins on a partial record makes turns without bytes arriving.
class LoopTurns {
 public:
  explicit LoopTurns(EventLoop& loop) : loop_(loop), handle_(new uv_check_t) {
    uv_check_init(loop.uvLoop(), handle_);
    handle_->data = count_.get();
    uv_check_start(handle_, [](uv_check_t* h) { ++*static_cast<long long*>(h->data); });
    uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  }
  ~LoopTurns() {
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) {
      delete static_cast<long long*>(h->data);
      delete reinterpret_cast<uv_check_t*>(h);
    });
    count_.release();  // the close callback frees it
    try {
      loop_.poll();  // runs the close callback
    } catch (...) {
    }
  }
  LoopTurns(const LoopTurns&) = delete;
  LoopTurns& operator=(const LoopTurns&) = delete;
  long long count() const { return *static_cast<long long*>(handle_->data); }

 private:
  EventLoop& loop_;
  uv_check_t* handle_;
  std::unique_ptr<long long> count_ = std::make_unique<long long>(0);
};

// Seen records what one socket dispatched, in order; consecutive socketData events count once.
struct Seen {
  std::vector<std::string> events;
  std::string data, error;
  int dataEvents = 0, emptyData = 0;

  void attach(Socket& socket) {
    socket.addEventListener(Event::CONNECT, [this](Event&) { events.push_back("connect"); });
    socket.addEventListener(Event::CLOSE, [this](Event&) { events.push_back("close"); });
    socket.addEventListener(ProgressEvent::SOCKET_DATA, [this, &socket](ProgressEvent& e) {
      if (events.empty() || events.back() != "socketData") events.push_back("socketData");
      ++dataEvents;
      if (e.bytesLoaded() == 0 || socket.bytesAvailable() == 0) ++emptyData;
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
  int terminalEvents() const {
    int n = 0;
    for (const std::string& e : events) n += e == "ioError" || e == "close";
    return n;
  }
};

// Accepting watches what a server accepts on loopback: the latest connection and its events.
struct Accepting {
  std::shared_ptr<Socket> accepted;
  Seen seen;

  void listenOn(ServerSocket& server) {
    server.bind(0, "127.0.0.1");
    server.addEventListener(ServerSocketConnectEvent::CONNECT, [this](ServerSocketConnectEvent& e) {
      accepted = e.socket();
      seen.attach(*accepted);
    });
    server.listen();
  }
};

using Events = std::vector<std::string>;

// sameBytes compares binary strings and says how they differ, instead of printing them.
std::string sameBytes(const std::string& got, const std::string& expected) {
  if (got == expected) return "same";
  std::size_t i = 0;
  while (i < got.size() && i < expected.size() && got[i] == expected[i]) ++i;
  return std::to_string(got.size()) + " bytes where " + std::to_string(expected.size()) +
         " were expected, the first difference at " + std::to_string(i);
}

}  // namespace

// --- 1. random segmentations ---------------------------------------------------------------------

namespace {

// The plan of run `seed`: random segment sizes (from single bytes up), sometimes coalescing,
// delaying or pausing too.
FaultProxy::Plan segmentationPlan(std::uint64_t seed) {
  SplitMix random{seed * 0x2545F4914F6CDD1Dull + 1};
  FaultProxy::Plan plan;
  plan.seed = seed;
  static const std::size_t kLargest[] = {1, 2, 5, 13, 40, 200, 1500, 20000};
  plan.randomSegments = kLargest[random.next() % 8];
  switch (random.next() % 8) {
    case 0:
      plan.coalesce = 100 + random.next() % 4000;
      plan.coalesceWait = 1ms;
      break;
    case 1:
      plan.delay = 1ms;
      break;
    case 2:
      plan.pause = std::chrono::microseconds(20 + random.next() % 80);
      break;
    default:
      break;
  }
  if (plan.randomSegments < 40) plan.pause = 0us;  // a sleep per tiny segment: far too slow
  return plan;
}

}  // namespace

TEST_CASE("TLS sessions survive thousands of random segmentations with identical plaintext",
          "[reliability][faults][tls]") {
  // AS3NET_FAULT_SEGMENTATIONS=10000 runs the issue's full count; AS3NET_FAULT_SEED=n runs the
  // one segmentation a failure named. Otherwise as many as fit in the time budget run.
  const long long requested = envNumber("AS3NET_FAULT_SEGMENTATIONS", 0);
  const long long onlySeed = envNumber("AS3NET_FAULT_SEED", -1);
  const long long count = onlySeed >= 0 ? 1 : requested > 0 ? requested : kSanitized ? 800 : 5000;
  const auto budget = requested > 0 || onlySeed >= 0 ? std::chrono::hours(24)
                      : kSanitized                   ? std::chrono::seconds(30)
                                                     : std::chrono::seconds(55);

  EventLoop loop;
  TestCertificateAuthority root;
  const std::string greeting = pattern(2000, 1);
  const std::string payload = pattern(3000, 2);
  LoopbackServer server(loop, root, Script().send(greeting).echo());
  const std::string expected = greeting + payload;
  const std::uint64_t expectedHash = fnv1a(expected);

  LoopTurns turns(loop);
  long long done = 0, totalSegments = 0, totalTurns = 0, worstSeed = -1;
  double worstRatio = 0;
  std::string failure;
  const auto start = Clock::now();
  for (long long i = 0; i < count && Clock::now() - start < budget; ++i) {
    const std::uint64_t seed = onlySeed >= 0 ? static_cast<std::uint64_t>(onlySeed) : i;
    const FaultProxy::Plan plan = segmentationPlan(seed);
    FaultProxy proxy(server.port(), plan);
    SecureSocket socket(loop);
    root.trustIn(socket);
    socket.tcpNoDelay(true);  // no 40 ms waits for a delayed ACK between the writes
    Seen seen;
    seen.attach(socket);
    socket.addEventListener(Event::CONNECT, [&](Event&) {
      // Three writes, three flushes: several records of different sizes.
      socket.writeBytes(payload.data(), 700);
      socket.flush();
      socket.writeBytes(payload.data() + 700, 1800);
      socket.flush();
      socket.writeBytes(payload.data() + 2500, 500);
      socket.flush();
    });
    const long long turnsBefore = turns.count();
    const auto began = Clock::now();
    socket.connect("127.0.0.1", proxy.port());
    bool finished = runUntil(
        loop, [&] { return seen.data.size() >= expected.size() || seen.ended(); }, 20s);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
    const long long sessionTurns = turns.count() - turnsBefore;
    const long long segments = proxy.segments();
    if (!finished || seen.data.size() != expected.size() || fnv1a(seen.data) != expectedHash ||
        seen.events.empty() || seen.events.front() != "connect" || seen.ended() ||
        seen.emptyData > 0) {
      failure = "seed " + std::to_string(seed) + ": events " + std::to_string(seen.events.size()) +
                ", " + std::to_string(seen.data.size()) + " bytes, error \"" + seen.error + "\"";
      break;
    }
    // Without a busy loop, a turn needs bytes (a segment, a write completing) or the runUntil
    // tick every 5 ms; a socket spinning on a partial record would make thousands per ms.
    const double allowance = 4.0 * static_cast<double>(segments) + ms / 2 + 100;
    if (sessionTurns / allowance > worstRatio) {
      worstRatio = sessionTurns / allowance;
      worstSeed = static_cast<long long>(seed);
    }
    if (std::getenv("AS3NET_FAULT_TRACE"))
      std::fprintf(stderr,
                   "seed %llu: %.1f ms, %lld segments, %lld turns, max %zu coalesce %zu delay %lld "
                   "pause %lld\n",
                   static_cast<unsigned long long>(seed), ms, segments, sessionTurns,
                   plan.randomSegments, plan.coalesce, static_cast<long long>(plan.delay.count()),
                   static_cast<long long>(plan.pause.count()));
    totalSegments += segments;
    totalTurns += sessionTurns;
    socket.close();
    ++done;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  INFO(done << " sessions in " << seconds << " s, " << totalSegments << " segments, " << totalTurns
            << " loop turns; worst turn ratio " << worstRatio << " (seed " << worstSeed << ")");
  if (requested > 0 || onlySeed >= 0) {
    std::printf("random segmentations: %lld sessions in %.1f s (%lld segments, %lld loop turns)\n",
                done, seconds, totalSegments, totalTurns);
  }
  CHECK(failure.empty());
  CHECK(worstRatio <= 1.0);
  if (done < count / 2 && requested == 0) {
    // A slow or loaded machine: fewer runs, still a meaningful number.
    WARN("only " << done << " of " << count << " segmentations fitted in the time budget");
  }
  CHECK(done >= std::min<long long>(count, 100));
}

// --- 2. no busy loop on a partial record ---------------------------------------------------------

TEST_CASE("A TLS socket waiting for the rest of a record or header uses no CPU",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  const std::string body = pattern(7000, 3);
  LoopbackServer server(loop, root, Script().pause(20ms).send(body).awaitClose());
  struct Case {
    const char* name;
    Offset stall;
    bool connects;
  };
  const Case cases[] = {
      {"inside the first record header", Offset::at(3), false},
      {"inside the ServerHello", Offset::at(40), false},
      {"inside the application record's header", Offset::recordStart(0, 2).ofAtLeast(6000), true},
      {"inside the application record's body", Offset::recordStart(0, 3000).ofAtLeast(6000), true},
      {"one byte short of the record's end", Offset::recordEnd(0, -1).ofAtLeast(6000), true},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    FaultProxy::Plan plan;
    plan.toClient.stall = c.stall;
    FaultProxy proxy(server.port(), plan);
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return proxy.stalled() == 1; }));
    runFor(loop, 30ms);  // whatever the stall left to process
    LoopTurns turns(loop);
    const double cpuBefore = threadCpuMs();
    runFor(loop, 300ms);
    const double cpu = threadCpuMs() - cpuBefore;
    // runFor's own tick wakes the loop every 5 ms: about 60 turns.
    CHECK(turns.count() < 150);
    CHECK(cpu < 60);
    CHECK(seen.data.empty());
    CHECK(seen.events == (c.connects ? Events{"connect"} : Events{}));
    socket.close();
  }
}

// --- 3. cuts -------------------------------------------------------------------------------------

namespace {

// The server's (or the client's) three writes, separated by pauses: three records of distinct
// sizes, told apart by FaultProxy::Offset::ofAtLeast.
const std::string kA = pattern(3000, 10);
const std::string kB = pattern(7000, 11);
const std::string kC = pattern(5000, 12);
const std::string kAll = kA + kB + kC;
constexpr std::size_t kOverhead = 17;  // a TLS 1.3 AEAD record: content type and tag

struct Cut {
  const char* name;
  Offset at;
  bool reset;
  std::string delivered;  // exactly these bytes reach the victim
  bool handshake;         // the cut comes before the handshake ends
};

std::vector<Cut> withBothEnds(std::vector<Cut> cuts) {
  std::vector<Cut> all;
  for (Cut c : cuts) {
    c.reset = false;
    all.push_back(c);
    c.reset = true;
    all.push_back(c);
  }
  return all;
}

// The terminal event a victim must see for a cut.
std::string terminalFor(bool tls, bool reset) {
  return tls || reset ? "ioError" : "close";
}

// expectedEvents are a victim's events: connect (for a client), data if any, one end.
Events expectedEvents(bool client, const std::string& delivered, const std::string& end) {
  Events events;
  if (client) events.push_back("connect");
  if (!delivered.empty()) events.push_back("socketData");
  events.push_back(end);
  return events;
}

}  // namespace

TEST_CASE("TLS cuts toward the client at every kind of offset: data once, then one ioError",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  Script script =
      Script().send(kA).pause(30ms).send(kB).pause(30ms).send(kC).pause(30ms).awaitClose();
  LoopbackServer server(loop, root, script);

  // The premise: the three writes are three records of known sizes after the handshake, and no
  // handshake record is as long as the first.
  {
    FaultProxy proxy(server.port(), {});
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return seen.data.size() == kAll.size(); }));
    CHECK(sameBytes(seen.data, kAll) == "same");
    std::vector<FaultProxy::Record> records = proxy.records(FaultProxy::Direction::kToClient);
    REQUIRE(records.size() >= 4);
    std::vector<std::size_t> last;
    for (std::size_t i = records.size() - 3; i < records.size(); ++i)
      last.push_back(records[i].length);
    CHECK(last == std::vector<std::size_t>{kA.size() + kOverhead, kB.size() + kOverhead,
                                           kC.size() + kOverhead});
    for (std::size_t i = 0; i + 3 < records.size(); ++i) CHECK(records[i].length < 2900);
    socket.close();
  }

  const std::vector<Cut> cuts = withBothEnds({
      {"inside the first record header", Offset::at(3), false, "", true},
      {"inside the ServerHello", Offset::at(50), false, "", true},
      {"at the boundary after the ServerHello", Offset::recordEnd(0), false, "", true},
      {"inside the record after the ServerHello", Offset::recordStart(1, 20), false, "", true},
      {"at the boundary between two application records", Offset::recordEnd(0).ofAtLeast(6000),
       false, kA + kB, false},
      {"inside an application record's header", Offset::recordStart(0, 3).ofAtLeast(6000), false,
       kA, false},
      {"inside an application record's body", Offset::recordStart(0, 2000).ofAtLeast(6000), false,
       kA, false},
      {"one byte before an application record's end", Offset::recordEnd(0, -1).ofAtLeast(6000),
       false, kA, false},
  });
  for (const Cut& c : cuts) {
    INFO(c.name << (c.reset ? ", reset" : ", FIN"));
    FaultProxy::Plan plan;
    plan.toClient.cut = c.at;
    plan.toClient.reset = c.reset;
    FaultProxy proxy(server.port(), plan);
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    runFor(loop, 80ms);  // nothing may follow
    CHECK(proxy.cuts() == 1);
    CHECK(seen.events == expectedEvents(!c.handshake, c.delivered, "ioError"));
    CHECK(sameBytes(seen.data, c.delivered) == "same");
    CHECK_FALSE(socket.connected());
    if (c.handshake) {
      CHECK_THAT(seen.error, Catch::Contains("TLS handshake failed"));
    } else if (c.reset) {
      CHECK_THAT(seen.error, Catch::Contains("reset"));
    } else {
      CHECK_THAT(seen.error, Catch::Contains("truncated"));
    }
  }

  // close comes after close_notify, and only then: a cut (even a reset) right after it is
  // too late to matter.
  LoopbackServer notifying(loop, root, Script().send(kA).pause(30ms).close());
  constexpr long long kCloseNotify = 5 + 2 + 1 + 16;  // header, alert, inner type, tag
  for (bool reset : {false, true}) {
    INFO("right after close_notify" << (reset ? ", reset" : ", FIN"));
    FaultProxy::Plan plan;
    plan.toClient.cut = Offset::recordEnd(0, kCloseNotify).ofAtLeast(2900);
    plan.toClient.reset = reset;
    FaultProxy proxy(notifying.port(), plan);
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    runFor(loop, 80ms);
    CHECK(proxy.cuts() == 1);
    CHECK(seen.events == Events{"connect", "socketData", "close"});
    CHECK(sameBytes(seen.data, kA) == "same");
    CHECK(seen.error.empty());
  }
}

TEST_CASE("TLS cuts toward the server: the accepted socket gets the data once, then one ioError",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  SecureServerSocket server(loop);
  const auto identity = root.issue();
  server.certificate(identity.chainPem(), identity.privateKeyPem);
  Accepting watch;
  watch.listenOn(server);
  std::shared_ptr<Socket>& accepted = watch.accepted;
  Seen& serverSeen = watch.seen;

  const std::vector<Cut> cuts = withBothEnds({
      {"inside the ClientHello", Offset::at(60), false, "", true},
      {"at the boundary after the first application record", Offset::recordEnd(0).ofAtLeast(2900),
       false, kA, false},
      {"inside an application record's body", Offset::recordStart(0, 4000).ofAtLeast(6000), false,
       kA, false},
  });
  for (const Cut& c : cuts) {
    INFO(c.name << (c.reset ? ", reset" : ", FIN"));
    accepted.reset();
    serverSeen = Seen();
    FaultProxy::Plan plan;
    plan.toServer.cut = c.at;
    plan.toServer.reset = c.reset;
    FaultProxy proxy(server.localPort(), plan);
    SecureSocket client(loop);
    root.trustIn(client);
    Seen clientSeen;
    clientSeen.attach(client);
    client.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return client.connected() || clientSeen.ended(); }));
    for (const std::string* part : {&kA, &kB, &kC}) {
      if (!client.connected()) break;
      client.writeBytes(part->data(), part->size());
      client.flush();
      runFor(loop, 30ms);
    }
    REQUIRE(runUntil(loop, [&] { return clientSeen.ended() && proxy.cuts() == 1; }));
    if (!c.handshake) REQUIRE(runUntil(loop, [&] { return serverSeen.ended(); }));
    runFor(loop, 80ms);
    if (c.handshake) {
      CHECK(accepted == nullptr);  // a failed handshake is never announced
      CHECK(clientSeen.events == Events{"ioError"});
      CHECK_THAT(clientSeen.error, Catch::Contains("TLS handshake failed"));
    } else {
      REQUIRE(accepted != nullptr);
      CHECK(serverSeen.events == expectedEvents(false, c.delivered, "ioError"));
      CHECK(sameBytes(serverSeen.data, c.delivered) == "same");
      CHECK_THAT(serverSeen.error, Catch::Contains(c.reset ? "reset" : "truncated"));
      // The client got a FIN without close_notify from the proxy.
      CHECK(clientSeen.events == Events{"connect", "ioError"});
      CHECK_THAT(clientSeen.error, Catch::Contains("truncated"));
    }
  }
}

TEST_CASE("Plain TCP cuts both ways: the bytes before the cut once, then close (FIN) or ioError",
          "[reliability][faults][net]") {
  EventLoop loop;
  const std::vector<Cut> cuts = withBothEnds({
      {"before the first byte", Offset::at(0), false, "", false},
      {"after the first byte", Offset::at(1), false, kAll.substr(0, 1), false},
      {"at the boundary between two writes", Offset::at(3000), false, kA, false},
      {"inside the second write", Offset::at(6543), false, kAll.substr(0, 6543), false},
      {"after the last byte", Offset::at(15000), false, kAll, false},
  });

  SECTION("toward the client") {
    // The pause first lets the client see its connection before any byte or reset comes.
    LoopbackServer server(loop, Script()
                                    .pause(40ms)
                                    .send(kA)
                                    .pause(30ms)
                                    .send(kB)
                                    .pause(30ms)
                                    .send(kC)
                                    .pause(30ms)
                                    .awaitClose());
    for (const Cut& c : cuts) {
      INFO(c.name << (c.reset ? ", reset" : ", FIN"));
      FaultProxy::Plan plan;
      plan.toClient.cut = c.at;
      plan.toClient.reset = c.reset;
      FaultProxy proxy(server.port(), plan);
      Socket socket(loop);
      Seen seen;
      seen.attach(socket);
      socket.connect("127.0.0.1", proxy.port());
      REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
      runFor(loop, 80ms);
      Events expected = expectedEvents(true, c.delivered, terminalFor(false, c.reset));
      // On a loaded machine a reset may still beat libuv's connect callback, which then reports
      // the socket's error: the attempt fails (one ioError, no byte), which is as good.
      bool resetBeforeConnect = c.reset && seen.events == Events{"ioError"};
      if (resetBeforeConnect) expected = {"ioError"};
      CHECK(seen.events == expected);
      CHECK(sameBytes(seen.data, resetBeforeConnect ? "" : c.delivered) == "same");
      CHECK(seen.emptyData == 0);
      if (c.reset) CHECK_THAT(seen.error, Catch::Contains("reset"));
    }
  }

  SECTION("toward the server") {
    ServerSocket server(loop);
    Accepting watch;
    watch.listenOn(server);
    std::shared_ptr<Socket>& accepted = watch.accepted;
    Seen& serverSeen = watch.seen;
    for (const Cut& c : cuts) {
      INFO(c.name << (c.reset ? ", reset" : ", FIN"));
      accepted.reset();
      serverSeen = Seen();
      FaultProxy::Plan plan;
      plan.toServer.cut = c.at;
      plan.toServer.reset = c.reset;
      FaultProxy proxy(server.localPort(), plan);
      Socket client(loop);
      Seen clientSeen;
      clientSeen.attach(client);
      client.connect("127.0.0.1", proxy.port());
      REQUIRE(runUntil(loop, [&] { return accepted != nullptr || clientSeen.ended(); }));
      for (const std::string* part : {&kA, &kB, &kC}) {
        if (!client.connected()) break;
        client.writeBytes(part->data(), part->size());
        client.flush();
        runFor(loop, 30ms);
      }
      REQUIRE(runUntil(loop, [&] { return serverSeen.ended() && clientSeen.ended(); }));
      runFor(loop, 80ms);
      REQUIRE(accepted != nullptr);
      CHECK(serverSeen.events == expectedEvents(false, c.delivered, terminalFor(false, c.reset)));
      CHECK(sameBytes(serverSeen.data, c.delivered) == "same");
      // The client's side of the proxy ends with a FIN: a plain close.
      CHECK(clientSeen.events == Events{"connect", "close"});
    }
  }
}

// --- 4. corruption -------------------------------------------------------------------------------

TEST_CASE("A flipped bit in a TLS record is an ioError and never reaches the application",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  LoopbackServer server(
      loop, root,
      Script().send(kA).pause(30ms).send(kB).pause(30ms).send(kC).pause(30ms).awaitClose());

  struct Corruption {
    const char* name;
    Offset at;
    std::uint8_t mask;
    const char* text;  // in the ioError's text
  };
  const Offset b = Offset::recordStart(0).ofAtLeast(6000);
  const Corruption corruptions[] = {
      {"the content type", b, 0x01, "TLS connection failed"},
      {"the version", Offset::recordStart(0, 2).ofAtLeast(6000), 0x01, "TLS connection failed"},
      {"the length, one byte shorter", Offset::recordStart(0, 4).ofAtLeast(6000), 0x01,
       "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
      {"the length, past the protocol's limit", Offset::recordStart(0, 3).ofAtLeast(6000), 0x80,
       "TLS connection failed"},
      {"the first ciphertext byte", Offset::recordStart(0, 5).ofAtLeast(6000), 0x01,
       "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
      {"a byte in the middle", Offset::recordStart(0, 3500).ofAtLeast(6000), 0x40,
       "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
      {"the tag's last byte", Offset::recordEnd(0, -1).ofAtLeast(6000), 0x80,
       "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"},
  };
  for (const Corruption& c : corruptions) {
    INFO(c.name);
    FaultProxy::Plan plan;
    plan.toClient.corrupt = c.at;
    plan.toClient.corruptMask = c.mask;
    FaultProxy proxy(server.port(), plan);
    SecureSocket socket(loop);
    root.trustIn(socket);
    Seen seen;
    seen.attach(socket);
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
    runFor(loop, 80ms);
    CHECK(proxy.corrupted() == 1);
    CHECK(seen.events == Events{"connect", "socketData", "ioError"});
    CHECK(sameBytes(seen.data, kA) ==
          "same");  // the records before; nothing of the corrupted one or after
    CHECK_THAT(seen.error, Catch::Contains(c.text));
  }

  SECTION("during the handshake") {
    for (long long at : {20LL, 60LL}) {  // the ServerHello's random; its key share
      INFO("byte " << at);
      FaultProxy::Plan plan;
      plan.toClient.corrupt = Offset::at(at);
      FaultProxy proxy(server.port(), plan);
      SecureSocket socket(loop);
      root.trustIn(socket);
      Seen seen;
      seen.attach(socket);
      socket.connect("127.0.0.1", proxy.port());
      REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
      runFor(loop, 80ms);
      CHECK(seen.events == Events{"ioError"});
      CHECK_THAT(seen.error, Catch::Contains("TLS handshake failed"));
    }
  }
}

TEST_CASE("A flipped bit in the client's record fails the accepted socket, and the client hears",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  SecureServerSocket server(loop);
  const auto identity = root.issue();
  server.certificate(identity.chainPem(), identity.privateKeyPem);
  Accepting watch;
  watch.listenOn(server);
  std::shared_ptr<Socket>& accepted = watch.accepted;
  Seen& serverSeen = watch.seen;
  FaultProxy::Plan plan;
  plan.toServer.corrupt = Offset::recordStart(0, 100).ofAtLeast(6000);
  FaultProxy proxy(server.localPort(), plan);
  SecureSocket client(loop);
  root.trustIn(client);
  Seen clientSeen;
  clientSeen.attach(client);
  client.connect("127.0.0.1", proxy.port());
  REQUIRE(runUntil(loop, [&] { return client.connected() && accepted != nullptr; }));
  for (const std::string* part : {&kA, &kB, &kC}) {
    if (!client.connected()) break;
    client.writeBytes(part->data(), part->size());
    client.flush();
    runFor(loop, 30ms);
  }
  REQUIRE(runUntil(loop, [&] { return serverSeen.ended() && clientSeen.ended(); }));
  runFor(loop, 80ms);
  CHECK(serverSeen.events == Events{"socketData", "ioError"});
  CHECK(sameBytes(serverSeen.data, kA) == "same");
  CHECK_THAT(serverSeen.error, Catch::Contains("DECRYPTION_FAILED_OR_BAD_RECORD_MAC"));
  // The server's alert reaches the client, which reports it.
  CHECK(clientSeen.events == Events{"connect", "ioError"});
  CHECK_THAT(clientSeen.error, Catch::Contains("BAD_RECORD_MAC"));
}

// Found by this test and fixed: records that authenticated in the same read as a corrupted one
// were left unannounced (no socketData before the ioError).
TEST_CASE("Valid records read together with a corrupted one are announced before the ioError",
          "[reliability][faults][tls]") {
  EventLoop loop;
  TestCertificateAuthority root;
  LoopbackServer server(loop, root,
                        Script().pause(50ms).send(kA).send(kB).send(kC).pause(30ms).awaitClose());
  FaultProxy::Plan plan;
  plan.coalesce = 1 << 20;  // everything the server sends in 150 ms goes in one send
  plan.coalesceWait = 150ms;
  plan.toClient.corrupt = Offset::recordStart(0, 100).ofAtLeast(6000);
  FaultProxy proxy(server.port(), plan);
  SecureSocket socket(loop);
  root.trustIn(socket);
  Seen seen;
  seen.attach(socket);
  socket.connect("127.0.0.1", proxy.port());
  REQUIRE(runUntil(loop, [&] { return seen.ended(); }));
  runFor(loop, 50ms);
  // Where the authenticated bytes went: decrypted into the input buffer, unannounced.
  INFO("bytes readable after the ioError: " << socket.bytesAvailable());
  CHECK(proxy.corrupted() == 1);
  CHECK(seen.events == Events{"connect", "socketData", "ioError"});
  CHECK(sameBytes(seen.data, kA) == "same");
}

// --- 5. plain sockets under segmentation, coalescing and delay -----------------------------------

TEST_CASE("Plain sockets deliver every byte once, in order, however the stream is cut up",
          "[reliability][faults][net]") {
  EventLoop loop;
  const std::string greeting = pattern(5000, 20);
  const std::string payload = pattern(8000, 21);
  LoopbackServer server(loop, Script().send(greeting).echo());
  const int runs = kSanitized ? 20 : 100;
  for (int i = 0; i < runs; ++i) {
    const FaultProxy::Plan plan = segmentationPlan(static_cast<std::uint64_t>(1000 + i));
    INFO("seed " << 1000 + i);
    FaultProxy proxy(server.port(), plan);
    Socket socket(loop);
    Seen seen;
    seen.attach(socket);
    socket.addEventListener(Event::CONNECT, [&](Event&) {
      socket.writeBytes(payload.data(), payload.size());
      socket.flush();
    });
    socket.connect("127.0.0.1", proxy.port());
    REQUIRE(runUntil(
        loop, [&] { return seen.data.size() >= greeting.size() + payload.size() || seen.ended(); },
        20s));
    CHECK(sameBytes(seen.data, greeting + payload) == "same");
    CHECK(seen.emptyData == 0);
    CHECK(seen.events == Events{"connect", "socketData"});
    socket.close();
  }
}
