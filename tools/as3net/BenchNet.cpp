// as3net bench server / as3net bench client: the peer kit's network workloads (peerbench v1,
// ../shared/bench/peers/README.md) on as3net's Socket and ServerSocket, so the SDK runs beside the
// kit's peers (PEER_EXTRA="as3net=build/.../as3net bench"). With the kit's TLS options the run
// is TLS: the server is a SecureServerSocket with --cert/--key, the clients are SecureSockets
// trusting --ca; without them (the kit's w2), or with --plain, it is plain TCP. Transport makes
// every socket, so the workloads see only Socket either way.
//
// Everything runs on one EventLoop per process, the way an AIR application would use the API:
// listeners on socketData, reads with readUnsignedByte/readUnsignedInt/readBytes, writes with
// writeBytes and flush, backpressure through bytesPending and outputProgress.
#include <sys/resource.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "Command.h"
#include "UvHandles.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/security/X509Certificate.h"
#include "as3/utils/ByteArray.h"

namespace as3net_tool {
namespace {

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::Listener;
using as3::events::OutputProgressEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::security::X509Certificate;
using as3::utils::ByteArray;

constexpr const char* kServerUsage =
    "usage: as3net bench server [--port P] [--host ADDRESS] [--cert F --key F] [--plain]\n"
    "\n"
    "Serves the peer kit's protocol (peerbench v1) on one EventLoop: op B (discard N bytes,\n"
    "ack N), E (echo), H (answer 'h', idle until EOF); any other op byte closes. Prints\n"
    "'LISTENING port=P' once accepting and runs until SIGTERM or SIGINT (status 0).\n"
    "\n"
    "  --port P          port to listen on; 0 (the default) lets the OS choose\n"
    "  --host ADDRESS    address to bind (default 127.0.0.1)\n"
    "  --cert F          TLS (SecureServerSocket): the PEM certificate chain, leaf first\n"
    "  --key F           its PEM private key (default: in the --cert file)\n"
    "  --plain           plain TCP even when --cert is given\n"
    "  --tls             fail unless --cert makes the run TLS\n"
    "\n"
    "LISTENING ends with transport=tcp or transport=tls.\n";

constexpr const char* kClientUsage =
    "usage: as3net bench client [OP] --port P [options]\n"
    "\n"
    "Ops (the peer kit's client contract; without OP: bulk, as the kit's w2 calls it):\n"
    "  bulk       --bytes N --chunk C: send 'B', N (u64 big-endian) and N bytes in C-byte\n"
    "             writes, wait for the ack; RESULT op=bulk bytes= seconds= MBps= cpu_s=\n"
    "             (over TLS also cipher= version=)\n"
    "  echo       --size S --conns C --seconds T: C connections ping-pong one S-byte message\n"
    "             each, counted once all are up; RESULT op=echo conns= size= msgs= seconds=\n"
    "             msgs_per_s= cpu_s= (over TLS also cipher=)\n"
    "  handshake  --seconds T [--resume]: connect, 'H' -> 'h', close (with close_notify over\n"
    "             TLS), back to back after one untimed round; RESULT op=handshake conns=1\n"
    "             handshakes= resumed= seconds= hs_per_s= cpu_s=\n"
    "  idle       --conns N --warm W: open W connections ('H' -> 'h' each), print WARM, wait\n"
    "             for a line on stdin, open N more, print READY, hold them until stdin ends\n"
    "\n"
    "Options:\n"
    "  --port P          the server's port (required)\n"
    "  --host HOST       default 127.0.0.1\n"
    "  --bytes N         bulk: default 1073741824\n"
    "  --chunk C         bulk: bytes per write and flush, default 16384\n"
    "  --size S          echo: message size, default 100\n"
    "  --conns C         echo: connections, default 1; idle: connections after WARM\n"
    "  --seconds T       echo, handshake: timed seconds, default 1\n"
    "  --warm W          idle: connections before WARM, default 20\n"
    "  --resume          handshake: resume the session of the previous connection (TLS);\n"
    "                    without it every handshake is a full one\n"
    "  --ca F            TLS (SecureSocket): trust the certificates of this PEM (or DER) file\n"
    "                    as anchors (addBinaryChainBuildingCertificate)\n"
    "  --servername N    TLS: the name sent as SNI and checked against the server's\n"
    "                    certificate, default localhost (the kit's); HOST is still dialled\n"
    "  --plain           plain TCP even when --ca is given\n"
    "  --tls             fail unless --ca makes the run TLS\n"
    "\n"
    "cpu_s is this process's user + system CPU time over the timed part (getrusage).\n";

// A bulk client writes (one writeBytes and one flush per chunk) while bytesPending is below
// this. Flushes made inside the loop leave together at the end of the turn, so the mark is what
// one write hands the kernel; past it, every chunk queued in as3net would cost a buffer and a
// write request of its own once the kernel's send buffer is full.
constexpr std::uint32_t kBulkHighWater = 256 * 1024;
// An echo server stops reading a connection whose replies pile up past this.
constexpr std::uint32_t kEchoHighWater = 4u << 20;
// Idle clients connect this many at a time.
constexpr int kIdleConnectWindow = 64;

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

long rssKiB() {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, status))
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::atol(line + 6);
  std::fclose(status);
  return kib;
}

// Many idle connections need more descriptors than a default soft limit of 1024.
void raiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// --- options -------------------------------------------------------------------------------------

struct NetOptions {
  std::string host = "127.0.0.1";
  int port = -1;
  std::uint64_t bytes = 1ull << 30;
  std::uint32_t chunk = 16384;
  std::uint32_t size = 100;
  int conns = 1;
  double seconds = 1.0;
  int warm = 20;
  bool resume = false;
  bool tls = false;    // --tls: refuse to run over plain TCP
  bool plain = false;  // --plain: plain TCP whatever else is given
  std::string cert, key, ca;
  std::string serverName = "localhost";  // the kit's clients send and verify this name
};

// parseOptions reads the options every role shares; false (after a message) on a bad one.
bool parseOptions(const Args& args, std::size_t first, const char* who, const char* usage,
                  NetOptions* o) {
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool hasValue = i + 1 < args.size();
    if (a == "--resume") {
      o->resume = true;
      continue;
    }
    if (a == "--tls") {
      o->tls = true;
      continue;
    }
    if (a == "--plain") {
      o->plain = true;
      continue;
    }
    if (!hasValue) {
      std::fprintf(stderr, "%s: unknown or incomplete option '%s'\n\n%s", who, a.c_str(), usage);
      return false;
    }
    const std::string& v = args[++i];
    char* end = nullptr;
    bool number = true;
    if (a == "--port") {
      o->port = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else if (a == "--bytes") {
      o->bytes = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--chunk") {
      o->chunk = static_cast<std::uint32_t>(std::strtoul(v.c_str(), &end, 10));
    } else if (a == "--size") {
      o->size = static_cast<std::uint32_t>(std::strtoul(v.c_str(), &end, 10));
    } else if (a == "--conns") {
      o->conns = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else if (a == "--seconds") {
      o->seconds = std::strtod(v.c_str(), &end);
    } else if (a == "--warm") {
      o->warm = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else {
      number = false;
      if (a == "--host") {
        o->host = v;
      } else if (a == "--cert") {
        o->cert = v;
      } else if (a == "--key") {
        o->key = v;
      } else if (a == "--ca") {
        o->ca = v;
      } else if (a == "--servername") {
        o->serverName = v;
      } else {
        std::fprintf(stderr, "%s: unknown option '%s'\n\n%s", who, a.c_str(), usage);
        return false;
      }
    }
    if (number && (v.empty() || *end != '\0')) {
      std::fprintf(stderr, "%s: %s wants a number, not '%s'\n", who, a.c_str(), v.c_str());
      return false;
    }
  }
  if (o->port < -1 || o->port > 65535 || o->chunk == 0 || o->size == 0 || o->conns < 0 ||
      o->warm < 0 || !(o->seconds > 0)) {
    std::fprintf(stderr, "%s: an option is out of range\n", who);
    return false;
  }
  return true;
}

// --- transport -----------------------------------------------------------------------------------

// readFile is a whole file's bytes; throws std::runtime_error naming it.
std::string readFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  std::string data;
  char buffer[1 << 14];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.append(buffer, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw std::runtime_error("cannot read '" + path + "'");
  return data;
}

// Transport makes the connections of a run, plain TCP or TLS, so the workloads see only
// Socket and ServerSocket. TLS uses the SDK's defaults, as an application would: TLS 1.2 to
// 1.3, the default policy (the CA joins the process's chain-building set rather than a
// socket's own validator, which would keep sessions from being shared), the loop's session
// cache. Every socket has TCP_NODELAY, as the kit's peers do.
class Transport {
 public:
  enum class Role { kServer, kClient };

  /// check says whether the options make sense for `role`; false after a message.
  static bool check(const NetOptions& o, Role role, const char* who) {
    if (role == Role::kServer && !o.key.empty() && o.cert.empty()) {
      std::fprintf(stderr, "%s: --key needs --cert\n", who);
      return false;
    }
    if (o.tls && (o.plain || !secure(o, role))) {
      std::fprintf(stderr, "%s: --tls needs %s (and no --plain)\n", who,
                   role == Role::kServer ? "--cert" : "--ca");
      return false;
    }
    return true;
  }

  /// Transport reads the run's TLS material, if any: the server's chain and key, or the
  /// client's anchors, which it adds to the process's chain-building set. Throws when a file
  /// cannot be read or holds no certificate.
  Transport(EventLoop& loop, const NetOptions& o, Role role)
      : loop_(loop), options_(o), secure_(secure(o, role)) {
    if (!secure_ || role != Role::kClient) return;
    std::string data = readFile(o.ca);
    std::vector<X509Certificate> anchors = X509Certificate::fromPEM(data);
    if (anchors.empty()) throw std::runtime_error("'" + o.ca + "' holds no certificate");
    SecureSocket socket(loop_);  // the set belongs to the process: any socket adds to it
    for (const X509Certificate& anchor : anchors)
      socket.addBinaryChainBuildingCertificate(anchor.encoded(), true);
  }

  /// name is how LISTENING and RESULT lines tell the transport.
  const char* name() const noexcept { return secure_ ? "tls" : "tcp"; }

  /// newSocket is an unconnected client socket with the kit's settings. A SecureSocket sends
  /// and verifies --servername while dialling the host given to connect(), as the kit's
  /// clients do. Without `resumable` it never resumes a session: its handshakes are full ones.
  std::unique_ptr<Socket> newSocket(bool resumable = true) const {
    std::unique_ptr<Socket> socket;
    if (secure_) {
      auto secure = std::make_unique<SecureSocket>(loop_);
      secure->serverName(options_.serverName);
      // validator() makes the policy the socket's own, and such a socket shares no sessions.
      // Its anchors stay the platform's plus the chain-building set, as by default.
      if (!resumable) secure->validator();
      socket = std::move(secure);
    } else {
      socket = std::make_unique<Socket>(loop_);
    }
    socket->tcpNoDelay(true);
    return socket;
  }

  /// newServer is an unbound server socket: a SecureServerSocket with the chain and key.
  std::unique_ptr<ServerSocket> newServer() const {
    if (!secure_) return std::make_unique<ServerSocket>(loop_);
    auto server = std::make_unique<SecureServerSocket>(loop_);
    server->certificateFile(options_.cert, options_.key);
    return server;
  }

  /// accepted prepares a socket a ServerSocket accepted (a SecureServerSocket's after its
  /// handshake).
  static void accepted(Socket& socket) { socket.tcpNoDelay(true); }

  /// tlsFields are the RESULT fields that describe a connection: " cipher=C version=V"
  /// (either may be left out), "" over plain TCP.
  static std::string tlsFields(const Socket& socket, bool withVersion) {
    const auto* secure = dynamic_cast<const SecureSocket*>(&socket);
    if (!secure) return {};
    std::string fields = " cipher=" + orNone(secure->cipher());
    if (withVersion) fields += " version=" + orNone(secure->protocol());
    return fields;
  }
  /// resumed tells whether a connection's handshake resumed a session.
  static bool resumed(const Socket& socket) {
    const auto* secure = dynamic_cast<const SecureSocket*>(&socket);
    return secure && secure->resumed();
  }

 private:
  static bool secure(const NetOptions& o, Role role) {
    return !o.plain && !(role == Role::kServer ? o.cert : o.ca).empty();
  }
  static std::string orNone(std::string text) { return text.empty() ? "none" : text; }

  EventLoop& loop_;
  const NetOptions& options_;
  bool secure_;
};

// --- libuv handles of the tool's own (closeHandle, Timer, StopSignals: UvHandles.h) -----------

// StdinLines reads stdin on a thread of its own and reports each line, then the end, to the
// loop (EventLoop::post). The loop's own wakeup handle does not keep run() going, so a timer
// holds the loop open until stdin ends.
class StdinLines {
 public:
  StdinLines(EventLoop& loop, std::function<void()> line, std::function<void()> end)
      : shared_(std::make_shared<Shared>()),
        keepAlive_(new uv_timer_t),
        line_(std::move(line)),
        end_(std::move(end)) {
    shared_->loop = &loop;
    uv_timer_init(loop.uvLoop(), keepAlive_);
    uv_timer_start(
        keepAlive_, [](uv_timer_t*) {}, 3600 * 1000, 3600 * 1000);
    // Detached: after a failure the process exits while it still waits in fgets.
    std::thread([shared = shared_, self = this] {
      char buffer[256];
      bool open = true;
      while (open) {
        open = std::fgets(buffer, sizeof buffer, stdin) != nullptr;
        std::lock_guard<std::mutex> lock(shared->mutex);
        if (!shared->loop) return;
        shared->loop->post([shared, self, open] {
          if (!shared->alive()) return;
          if (open) {
            self->line_();
          } else {
            self->stopKeepAlive();
            self->end_();
          }
        });
      }
    }).detach();
  }
  ~StdinLines() {
    stopKeepAlive();
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->loop = nullptr;
  }
  StdinLines(const StdinLines&) = delete;
  StdinLines& operator=(const StdinLines&) = delete;

 private:
  struct Shared {
    std::mutex mutex;
    EventLoop* loop = nullptr;  // null once the StdinLines is gone
    bool alive() {
      std::lock_guard<std::mutex> lock(mutex);
      return loop != nullptr;
    }
  };
  void stopKeepAlive() {
    if (keepAlive_) closeHandle(keepAlive_);
    keepAlive_ = nullptr;
  }
  std::shared_ptr<Shared> shared_;
  uv_timer_t* keepAlive_;
  std::function<void()> line_, end_;
};

// Failure records the first error of a client run and stops its loop.
struct Failure {
  EventLoop& loop;
  std::string what;
  void operator()(const std::string& text) {
    if (what.empty()) what = text;
    loop.stop();
  }
  Listener onIOError() {
    return [this](IOErrorEvent& e) { (*this)("I/O error: " + e.text()); };
  }
  Listener onClose(const char* when) {
    return
        [this, when](Event&) { (*this)(std::string("the server closed the connection ") + when); };
  }
};

// runLoop runs the loop, turning an exception out of a listener into a message; returns the
// process status.
int runLoop(EventLoop& loop, const char* who, const Failure* failure) {
  try {
    loop.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who, e.what());
    return 1;
  }
  if (failure && !failure->what.empty()) {
    std::fprintf(stderr, "%s: %s\n", who, failure->what.c_str());
    return 1;
  }
  return 0;
}

// --- server --------------------------------------------------------------------------------------

class PeerServer;

// ServerConnection is one accepted client: the peerbench v1 server state machine over a Socket.
class ServerConnection {
 public:
  ServerConnection(PeerServer& server, std::shared_ptr<Socket> socket);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

 private:
  enum class State { kOp, kBulkHeader, kBulkBody, kEcho, kIdle };

  void onData(ProgressEvent&) { serve(); }
  void onOutputProgress(OutputProgressEvent&);
  void onEnd(Event&);
  void serve();
  bool echo();

  PeerServer& server_;
  std::shared_ptr<Socket> socket_;
  State state_ = State::kOp;
  bool waitingForOutput_ = false;
  std::uint64_t total_ = 0, remaining_ = 0;
};

class PeerServer {
 public:
  PeerServer() = default;

  /// start listens; throws what ServerSocket and SecureServerSocket throw.
  void start(const Transport& transport, const NetOptions& o) {
    server_ = transport.newServer();
    server_->addEventListener(ServerSocketConnectEvent::CONNECT,
                              [this](ServerSocketConnectEvent& e) { accept(e.socket()); });
    server_->bind(o.port < 0 ? 0 : o.port, o.host);
    server_->listen();
  }
  int port() const { return server_->localPort(); }

  /// stop closes the listener and every connection.
  void stop() {
    if (server_ && server_->listening()) server_->close();
    connections_.clear();
  }
  /// drop forgets (and so closes) a connection; called last in its own listener.
  void drop(ServerConnection* connection) { connections_.erase(connection); }
  /// scratch is a buffer the connections share for the bytes they read: one loop thread.
  ByteArray& scratch() { return scratch_; }

 private:
  void accept(const std::shared_ptr<Socket>& socket) {
    Transport::accepted(*socket);
    auto connection = std::make_unique<ServerConnection>(*this, socket);
    ServerConnection* key = connection.get();
    connections_.emplace(key, std::move(connection));
  }

  std::unique_ptr<ServerSocket> server_;  // a SecureServerSocket over TLS
  std::unordered_map<ServerConnection*, std::unique_ptr<ServerConnection>> connections_;
  ByteArray scratch_;
};

ServerConnection::ServerConnection(PeerServer& server, std::shared_ptr<Socket> socket)
    : server_(server), socket_(std::move(socket)) {
  socket_->addEventListener(ProgressEvent::SOCKET_DATA,
                            as3::events::listener(this, &ServerConnection::onData));
  socket_->addEventListener(Event::CLOSE, as3::events::listener(this, &ServerConnection::onEnd));
  socket_->addEventListener(IOErrorEvent::IO_ERROR,
                            as3::events::listener(this, &ServerConnection::onEnd));
}

ServerConnection::~ServerConnection() {
  // Nothing of ours may run once we are gone, even if someone else still holds the socket.
  socket_->removeEventListener(ProgressEvent::SOCKET_DATA,
                               as3::events::listener(this, &ServerConnection::onData));
  socket_->removeEventListener(Event::CLOSE, as3::events::listener(this, &ServerConnection::onEnd));
  socket_->removeEventListener(IOErrorEvent::IO_ERROR,
                               as3::events::listener(this, &ServerConnection::onEnd));
  socket_->removeEventListener(OutputProgressEvent::OUTPUT_PROGRESS,
                               as3::events::listener(this, &ServerConnection::onOutputProgress));
  if (socket_->connected()) socket_->close();
}

void ServerConnection::onEnd(Event&) {
  server_.drop(this);  // destroys *this: nothing after it
}

void ServerConnection::onOutputProgress(OutputProgressEvent&) {
  if (socket_->bytesPending() >= kEchoHighWater / 2) return;
  waitingForOutput_ = false;
  socket_->removeEventListener(OutputProgressEvent::OUTPUT_PROGRESS,
                               as3::events::listener(this, &ServerConnection::onOutputProgress));
  serve();
}

void ServerConnection::serve() {
  Socket& s = *socket_;
  while (s.bytesAvailable() > 0) {
    switch (state_) {
      case State::kOp: {
        std::uint32_t op = s.readUnsignedByte();
        if (op == 'B') {
          state_ = State::kBulkHeader;
        } else if (op == 'E') {
          state_ = State::kEcho;
        } else if (op == 'H') {
          state_ = State::kIdle;
          s.writeByte('h');
          s.flush();
        } else {
          server_.drop(this);  // closes the connection; destroys *this
          return;
        }
        break;
      }
      case State::kBulkHeader: {
        if (s.bytesAvailable() < 8) return;
        std::uint64_t high = s.readUnsignedInt();
        total_ = remaining_ = high << 32 | s.readUnsignedInt();
        state_ = State::kBulkBody;
        break;
      }
      case State::kBulkBody: {
        std::uint32_t available = s.bytesAvailable();
        if (available <= remaining_) {
          s.purge();  // discarding costs nothing: no copy
          remaining_ -= available;
        } else {
          s.readBytes(server_.scratch(), 0, static_cast<std::uint32_t>(remaining_));
          remaining_ = 0;
        }
        break;
      }
      case State::kEcho:
        if (!echo()) return;
        break;
      case State::kIdle:
        s.purge();
        break;
    }
    if (state_ == State::kBulkBody && remaining_ == 0) {
      s.writeUnsignedInt(static_cast<std::uint32_t>(total_ >> 32));
      s.writeUnsignedInt(static_cast<std::uint32_t>(total_));
      s.flush();
      state_ = State::kIdle;
    }
  }
}

// echo writes back what has arrived; false while replies wait for the network to take them.
bool ServerConnection::echo() {
  Socket& s = *socket_;
  if (s.bytesPending() >= kEchoHighWater) {
    if (!waitingForOutput_) {
      waitingForOutput_ = true;
      s.addEventListener(OutputProgressEvent::OUTPUT_PROGRESS,
                         as3::events::listener(this, &ServerConnection::onOutputProgress));
    }
    return false;
  }
  ByteArray& scratch = server_.scratch();
  std::uint32_t n = s.bytesAvailable();
  s.readBytes(scratch, 0, n);
  s.writeBytes(scratch, 0, n);
  s.flush();
  return true;
}

int runServer(const NetOptions& o) {
  raiseDescriptorLimit();
  EventLoop loop;
  PeerServer server;
  std::unique_ptr<Transport> transport;
  try {
    transport = std::make_unique<Transport>(loop, o, Transport::Role::kServer);
    server.start(*transport, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "as3net bench server: %s\n", e.what());
    return 1;
  }
  std::unique_ptr<StopSignals> signals;
  signals = std::make_unique<StopSignals>(loop, [&] {
    server.stop();
    signals->close();
    loop.stop();
  });
  std::printf("LISTENING port=%d impl=as3net transport=%s libuv=%s\n", server.port(),
              transport->name(), uv_version_string());
  std::fflush(stdout);
  return runLoop(loop, "as3net bench server", nullptr);
}

// --- client: bulk --------------------------------------------------------------------------------

int runBulk(const NetOptions& o) {
  EventLoop loop;
  Transport transport(loop, o, Transport::Role::kClient);
  Failure failure{loop, {}};
  std::unique_ptr<Socket> socket = transport.newSocket();
  Socket& s = *socket;

  ByteArray payload;
  std::string filler(o.chunk, 'x');
  payload.writeBytes(filler.data(), filler.size());
  std::uint64_t left = o.bytes;
  double t0 = 0, c0 = 0;
  bool acked = false;

  // Writes chunks (write + flush each) while bytesPending is below the mark; outputProgress
  // brings it back.
  auto pump = [&] {
    while (left > 0 && s.bytesPending() < kBulkHighWater) {
      auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, o.chunk));
      s.writeBytes(payload, 0, n);
      s.flush();
      left -= n;
    }
  };
  Listener onOutput = [&](OutputProgressEvent&) { pump(); };
  s.addEventListener(Event::CONNECT, [&](Event&) {
    t0 = nowSeconds();
    c0 = cpuSeconds();
    s.writeByte('B');
    s.writeUnsignedInt(static_cast<std::uint32_t>(o.bytes >> 32));
    s.writeUnsignedInt(static_cast<std::uint32_t>(o.bytes));
    s.flush();
    s.addEventListener(OutputProgressEvent::OUTPUT_PROGRESS, onOutput);
    pump();
  });
  s.addEventListener(ProgressEvent::SOCKET_DATA, [&](ProgressEvent&) {
    if (s.bytesAvailable() < 8) return;
    std::uint64_t high = s.readUnsignedInt();
    std::uint64_t ack = high << 32 | s.readUnsignedInt();
    double t1 = nowSeconds(), c1 = cpuSeconds();
    if (ack != o.bytes || left != 0) {
      failure("the server acknowledged " + std::to_string(ack) + " bytes");
      return;
    }
    acked = true;
    double seconds = t1 - t0;
    std::printf(
        "RESULT op=bulk bytes=%llu seconds=%.6f MBps=%.2f cpu_s=%.4f%s lib=as3net transport=%s\n",
        static_cast<unsigned long long>(o.bytes), seconds,
        static_cast<double>(o.bytes) / 1e6 / seconds, c1 - c0,
        Transport::tlsFields(s, true).c_str(), transport.name());
    std::fflush(stdout);
    s.close();
  });
  s.addEventListener(IOErrorEvent::IO_ERROR, failure.onIOError());
  s.addEventListener(Event::CLOSE, failure.onClose("before the ack"));
  s.connect(o.host, o.port);
  int status = runLoop(loop, "as3net bench client bulk", &failure);
  if (status == 0 && !acked) {
    std::fprintf(stderr, "as3net bench client bulk: no ack\n");
    status = 1;
  }
  return status;
}

// --- client: echo --------------------------------------------------------------------------------

int runEcho(const NetOptions& o) {
  if (o.conns == 0) {
    std::fprintf(stderr, "as3net bench client echo: --conns must be at least 1\n");
    return 2;
  }
  raiseDescriptorLimit();
  EventLoop loop;
  Transport transport(loop, o, Transport::Role::kClient);
  Failure failure{loop, {}};
  ByteArray message, scratch;
  std::string filler(o.size, 'm');
  message.writeBytes(filler.data(), filler.size());

  std::vector<std::unique_ptr<Socket>> sockets;
  int ready = 0;
  bool timing = false;
  std::uint64_t messages = 0;
  double t0 = 0, c0 = 0;
  std::unique_ptr<Timer> timer;

  auto finish = [&] {
    double t1 = nowSeconds(), c1 = cpuSeconds();
    timing = false;
    double seconds = t1 - t0;
    std::printf(
        "RESULT op=echo conns=%d size=%u msgs=%llu seconds=%.6f msgs_per_s=%.1f cpu_s=%.4f%s "
        "lib=as3net transport=%s\n",
        o.conns, o.size, static_cast<unsigned long long>(messages), seconds,
        static_cast<double>(messages) / seconds, c1 - c0,
        Transport::tlsFields(*sockets.front(), false).c_str(), transport.name());
    std::fflush(stdout);
    for (auto& s : sockets)
      if (s->connected()) s->close();
    loop.stop();
  };
  auto send = [&](Socket& s) {
    s.writeBytes(message);
    s.flush();
  };
  for (int i = 0; i < o.conns; ++i) {
    sockets.push_back(transport.newSocket());
    Socket& s = *sockets.back();
    s.addEventListener(Event::CONNECT, [&](Event&) {
      s.writeByte('E');
      s.flush();
      if (++ready < o.conns) return;
      t0 = nowSeconds();
      c0 = cpuSeconds();
      timing = true;
      timer = std::make_unique<Timer>(loop, finish);
      timer->start(o.seconds);
      for (auto& each : sockets) send(*each);
    });
    s.addEventListener(ProgressEvent::SOCKET_DATA, [&](ProgressEvent&) {
      while (timing && s.bytesAvailable() >= o.size) {
        s.readBytes(scratch, 0, o.size);
        ++messages;
        send(s);
      }
    });
    s.addEventListener(IOErrorEvent::IO_ERROR, failure.onIOError());
    s.addEventListener(Event::CLOSE, failure.onClose("during the run"));
    s.connect(o.host, o.port);
  }
  return runLoop(loop, "as3net bench client echo", &failure);
}

// --- client: handshake ---------------------------------------------------------------------------

int runHandshake(const NetOptions& o) {
  EventLoop loop;
  Transport transport(loop, o, Transport::Role::kClient);
  Failure failure{loop, {}};
  // Without --resume every handshake is a full one, as the kit's clients make them.
  std::unique_ptr<Socket> socket = transport.newSocket(o.resume);
  Socket& s = *socket;
  std::uint64_t handshakes = 0, resumed = 0;
  double t0 = 0, c0 = 0, deadline = 0;

  // One socket, connected again and again, as an AS3 client reconnects. The 'h' comes after
  // the server's session tickets, so the next connect() can resume the session they carry;
  // close() sends close_notify.
  s.addEventListener(Event::CONNECT, [&](Event&) {
    s.writeByte('H');
    s.flush();
  });
  s.addEventListener(ProgressEvent::SOCKET_DATA, [&](ProgressEvent&) {
    if (s.readUnsignedByte() != 'h') {
      failure("the server did not answer 'h'");
      return;
    }
    bool wasResumed = Transport::resumed(s);
    s.close();
    double now = nowSeconds();
    if (t0 == 0) {  // the first round is the untimed warm-up
      t0 = now;
      c0 = cpuSeconds();
      deadline = t0 + o.seconds;
    } else {
      ++handshakes;
      if (wasResumed) ++resumed;
    }
    if (now < deadline) {
      s.connect(o.host, o.port);
      return;
    }
    double c1 = cpuSeconds(), seconds = now - t0;
    std::printf(
        "RESULT op=handshake conns=1 handshakes=%llu resumed=%llu seconds=%.6f hs_per_s=%.1f "
        "cpu_s=%.4f lib=as3net transport=%s\n",
        static_cast<unsigned long long>(handshakes), static_cast<unsigned long long>(resumed),
        seconds, static_cast<double>(handshakes) / seconds, c1 - c0, transport.name());
    std::fflush(stdout);
  });
  s.addEventListener(IOErrorEvent::IO_ERROR, failure.onIOError());
  s.addEventListener(Event::CLOSE, failure.onClose("before answering"));
  s.connect(o.host, o.port);
  return runLoop(loop, "as3net bench client handshake", &failure);
}

// --- client: idle --------------------------------------------------------------------------------

int runIdle(const NetOptions& o) {
  raiseDescriptorLimit();
  EventLoop loop;
  Transport transport(loop, o, Transport::Role::kClient);
  Failure failure{loop, {}};
  std::vector<std::unique_ptr<Socket>> sockets;
  sockets.reserve(static_cast<std::size_t>(o.warm) + static_cast<std::size_t>(o.conns));
  Listener onIOError = failure.onIOError();
  Listener onClose = failure.onClose("while idle");

  // A batch opens `count` connections ('H' -> 'h' each), kIdleConnectWindow at a time, then
  // calls `done`.
  int toStart = 0, toFinish = 0;
  std::function<void()> batchDone;
  auto finishOne = [&] {
    if (--toFinish > 0) return;
    std::function<void()> done = std::move(batchDone);  // it may start the next batch
    done();
  };
  std::function<void()> startOne = [&] {
    --toStart;
    sockets.push_back(transport.newSocket());
    Socket* s = sockets.back().get();
    s->addEventListener(Event::CONNECT, [s](Event&) {
      s->writeByte('H');
      s->flush();
    });
    s->addEventListener(ProgressEvent::SOCKET_DATA, [&, s](ProgressEvent&) {
      if (s->readUnsignedByte() != 'h') {
        failure("the server did not answer 'h'");
        return;
      }
      if (toStart > 0) startOne();
      finishOne();
    });
    s->addEventListener(IOErrorEvent::IO_ERROR, onIOError);
    s->addEventListener(Event::CLOSE, onClose);
    s->connect(o.host, o.port);
  };
  auto open = [&](int count, std::function<void()> done) {
    toStart = toFinish = count;
    batchDone = std::move(done);
    if (count == 0) {
      toFinish = 1;
      loop.post(finishOne);
      return;
    }
    for (int i = 0; i < count && i < kIdleConnectWindow; ++i) startOne();
  };

  enum class Phase { kWarming, kWarm, kOpening, kReady, kDone } phase = Phase::kWarming;
  bool linePending = false, endPending = false;
  auto finish = [&] {
    phase = Phase::kDone;
    for (auto& s : sockets)
      if (s->connected()) s->close();
    loop.stop();
  };
  auto openMore = [&] {
    phase = Phase::kOpening;
    open(o.conns, [&] {
      phase = Phase::kReady;
      std::printf("READY conns=%zu rss_kb=%ld\n", sockets.size(), rssKiB());
      std::fflush(stdout);
      if (endPending) finish();
    });
  };
  StdinLines input(
      loop,
      [&] {
        if (phase == Phase::kWarm)
          openMore();
        else if (phase == Phase::kWarming)
          linePending = true;  // early: taken once WARM is out
      },
      [&] {
        // Without a line there is nothing more to open; with one, READY comes first.
        if (phase == Phase::kOpening || (phase == Phase::kWarming && linePending))
          endPending = true;
        else
          finish();
      });
  open(o.warm, [&] {
    if (phase != Phase::kWarming) return;
    phase = Phase::kWarm;
    std::printf("WARM conns=%zu rss_kb=%ld\n", sockets.size(), rssKiB());
    std::fflush(stdout);
    if (linePending) openMore();
  });
  return runLoop(loop, "as3net bench client idle", &failure);
}

}  // namespace

int benchServer(const Args& args) {
  if (wantsHelp(args)) {
    std::fputs(kServerUsage, stdout);
    return 0;
  }
  NetOptions o;
  if (!parseOptions(args, 0, "as3net bench server", kServerUsage, &o)) return 2;
  if (!Transport::check(o, Transport::Role::kServer, "as3net bench server")) return 2;
  return runServer(o);
}

int benchClient(const Args& args) {
  if (wantsHelp(args)) {
    std::fputs(kClientUsage, stdout);
    return 0;
  }
  // The kit's w2 names no op: `client --port P --bytes N --chunk C` is bulk.
  std::string op = "bulk";
  std::size_t first = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    op = args[0];
    first = 1;
  }
  NetOptions o;
  const char* who = "as3net bench client";
  if (!parseOptions(args, first, who, kClientUsage, &o)) return 2;
  if (!Transport::check(o, Transport::Role::kClient, who)) return 2;
  if (op != "bulk" && op != "echo" && op != "handshake" && op != "idle") {
    std::fprintf(stderr, "%s: unknown op '%s'\n\n%s", who, op.c_str(), kClientUsage);
    return 2;
  }
  if (o.port <= 0) {
    std::fprintf(stderr, "%s: --port P is required\n", who);
    return 2;
  }
  try {
    if (op == "bulk") return runBulk(o);
    if (op == "echo") return runEcho(o);
    if (op == "handshake") return runHandshake(o);
    return runIdle(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s %s: %s\n", who, op.c_str(), e.what());
    return 1;
  }
}

}  // namespace as3net_tool
