// as3net load: the SDK under load over loopback, with its own sockets on both sides. The client
// side runs in this process on one EventLoop; the server side is this program started again as
// a child (`as3net load _server`) with an EventLoop of its own, so that each side's memory and
// descriptors are measured alone and each process needs only one descriptor per connection. The
// parent talks to the child over its stdin and stdout, one line each way: STAT asks for the
// server's counters, memory and descriptors; QUIT (or the end of stdin) makes it close
// everything and let its loop run out.
//
//   load        connect N TLS 1.3 connections, hold them idle (memory per connection on each
//               side), echo K checksummed messages on each, close them all, and check that
//               every descriptor and handle is gone again
//   slowloris   M clients dribble a real ClientHello at a SecureServerSocket with a handshake
//               timeout while a legitimate client keeps handshaking; its latency is compared
//               with a baseline taken without the attack
//
// Certificates come from the testing kit (a throwaway authority in memory, the leaf written to a
// temporary directory for the child) unless --cert/--key/--ca name files.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
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
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "Command.h"
#include "UvHandles.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"

extern char** environ;

namespace as3net_tool {
namespace {

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::ServerSocket;
using as3::net::Socket;
using as3::net::TlsVersion;
using as3::utils::ByteArray;

constexpr const char* kUsage =
    "usage: as3net load [options]\n"
    "       as3net load slowloris [options]\n"
    "\n"
    "load: N concurrent connections over loopback between a client loop (this process) and a\n"
    "server loop (a child process): (1) connect all, (2) idle: RSS per connection on each side,\n"
    "(3) echo: K length-prefixed, checksummed messages of random sizes per connection, every\n"
    "byte verified, (4) close all: both loops must run out by themselves, and the open\n"
    "descriptors and the heap in use return to their baseline (the heap within 256 KiB plus\n"
    "16 bytes per connection). Passes (status 0) with every handshake complete, no error, no\n"
    "mismatch, the descriptors and the heap back; prints RESULT lines and PASS or FAIL.\n"
    "\n"
    "  --connections N        concurrent connections, default 10000\n"
    "  --messages K           messages per connection, default 10\n"
    "  --max-size B           largest message payload in bytes, default 8192\n"
    "  --window W             connections being opened at a time, default 256\n"
    "  --plain                plain TCP instead of TLS 1.3\n"
    "  --strict-memory        also fail when RSS per idle connection misses the goal\n"
    "                         (5 KiB server, 10 KiB client)\n"
    "\n"
    "slowloris: M clients each send one byte of a real ClientHello every --interval seconds to\n"
    "a SecureServerSocket with a handshake timeout, reconnecting whenever they are cut, while a\n"
    "legitimate client handshakes (full handshakes, one at a time). Passes when every slow\n"
    "connection is cut by the timeout (not before it, not later than --grace after it), no\n"
    "legitimate handshake fails, and p99 latency under attack is at most --max-ratio times the\n"
    "baseline's p99 (taken first, without the attack).\n"
    "\n"
    "  --slow M               slow clients, default 1000\n"
    "  --interval S           seconds between a slow client's bytes, default 1\n"
    "  --handshake-timeout MS the server's handshake timeout, default 2000\n"
    "  --grace S              how late after the timeout a cut may come, default 1\n"
    "  --baseline-seconds S   legitimate handshakes without the attack, default 5\n"
    "  --attack-seconds S     legitimate handshakes under attack, default 10\n"
    "  --pace S               pause between legitimate handshakes, default 0.02\n"
    "  --max-ratio R          allowed p99 ratio, default 2\n"
    "  --latency-floor-ms F   also pass while the attack p99 is under F ms, default 0 (off)\n"
    "\n"
    "Both:\n"
    "  --cert F --key F       the server's PEM chain and key (default: a testing-kit leaf)\n"
    "  --ca F                 the PEM anchor clients trust (needed with --cert)\n"
    "  --seconds T            whole-run time limit; the run stops and fails after it,\n"
    "                         default 600\n"
    "  --seed S               seed of the message sizes and contents, default 1\n"
    "\n"
    "Descriptors: each process raises RLIMIT_NOFILE towards its hard limit and refuses to start\n"
    "when the hard limit is below what the run needs.\n";

// --- measurements --------------------------------------------------------------------------------

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// statusKiB is a "Vm...:" field of /proc/self/status in KiB, -1 when missing.
long statusKiB(const char* field) {
  FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return -1;
  char line[256];
  long kib = -1;
  std::size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, status))
    if (std::strncmp(line, field, n) == 0) kib = std::atol(line + n);
  std::fclose(status);
  return kib;
}

// residentKiB is the process's RSS after giving freed heap memory back to the system, so that
// what a handshake allocated and freed is not counted as an idle connection's.
long residentKiB() {
  malloc_trim(0);
  return statusKiB("VmRSS:");
}

long peakKiB() {
  return statusKiB("VmHWM:");
}

// heapKiB is what the allocator has handed out and not had back (glibc's mallinfo2): the
// memory that live objects take, without the pages' granularity and the allocator's slack.
long heapKiB() {
  struct mallinfo2 info = mallinfo2();
  return static_cast<long>((info.uordblks + info.hblkhd) / 1024);
}

// openDescriptors counts the entries of /proc/self/fd, less the one that reading it opens.
int openDescriptors() {
  uv_fs_t request;
  int n = uv_fs_scandir(nullptr, &request, "/proc/self/fd", 0, nullptr);
  uv_fs_req_cleanup(&request);
  return n < 0 ? -1 : n - 1;
}

// descriptorLimit raises the soft RLIMIT_NOFILE to `need` (or more, up to the hard limit) and
// returns the soft limit in force; *hard gets the hard limit.
std::uint64_t descriptorLimit(std::uint64_t need, std::uint64_t* hard) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  *hard = limit.rlim_max;
  if (limit.rlim_cur < need) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, std::max<rlim_t>(need, limit.rlim_cur));
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// ensureDescriptors makes room for `need` descriptors or says why it cannot.
bool ensureDescriptors(std::uint64_t need, const char* who) {
  std::uint64_t hard = 0;
  std::uint64_t soft = descriptorLimit(need, &hard);
  if (soft >= need) return true;
  std::fprintf(stderr,
               "%s: this run needs about %llu open descriptors per process, but the hard limit "
               "(RLIMIT_NOFILE) is %llu; raise it (ulimit -Hn, limits.conf, systemd LimitNOFILE) "
               "or lower --connections/--slow\n",
               who, static_cast<unsigned long long>(need), static_cast<unsigned long long>(hard));
  return false;
}

// percentile is the nearest-rank percentile `p` (0-100) of `values`, which it sorts.
double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size()) + 0.999999);
  rank = std::min(std::max<std::size_t>(rank, 1), values.size());
  return values[rank - 1];
}

// --- messages: length, CRC-32 and sequence before a payload made from the seed -------------------

constexpr std::uint32_t kHeaderBytes = 12;

// Frame waits for one whole message on a socket: its header, then its body.
struct Frame {
  bool haveHeader = false;
  std::uint32_t length = 0, crc = 0, seq = 0;

  // next returns true once a whole message was there, its body read into `body`.
  bool next(Socket& s, ByteArray& body) {
    if (!haveHeader) {
      if (s.bytesAvailable() < kHeaderBytes) return false;
      length = s.readUnsignedInt();
      crc = s.readUnsignedInt();
      seq = s.readUnsignedInt();
      haveHeader = true;
    }
    if (s.bytesAvailable() < length) return false;
    haveHeader = false;
    if (length > 0) s.readBytes(body, 0, length);
    return true;
  }
};

// Clients dial 127.0.0.1 and check the server's certificate for this name, sent as SNI: the
// testing kit's leaves carry it, as do the bench kit's.
constexpr const char* kServerName = "localhost";

std::uint32_t crc32(const std::uint8_t* data, std::size_t n) {
  static const auto table = [] {
    std::vector<std::uint32_t> t(256);
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// SplitMix64: a small generator whose stream is fixed by its seed.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// makePayload fills `out` with message `seq` of connection `connection`: its size (1 to
// maxSize) and bytes depend only on these and the seed, so the client regenerates instead of
// keeping what it sent.
void makePayload(std::uint64_t seed, std::uint32_t connection, std::uint32_t seq,
                 std::uint32_t maxSize, std::vector<std::uint8_t>* out) {
  Rng rng{seed * 0x100000001B3ull ^ (static_cast<std::uint64_t>(connection) << 24) ^ seq};
  rng.next();
  auto size = static_cast<std::uint32_t>(1 + rng.next() % maxSize);
  out->resize(size);
  for (std::uint32_t i = 0; i < size; i += 8) {
    std::uint64_t word = rng.next();
    for (std::uint32_t k = 0; k < 8 && i + k < size; ++k)
      (*out)[i + k] = static_cast<std::uint8_t>(word >> (8 * k));
  }
}

// --- options -------------------------------------------------------------------------------------

struct LoadOptions {
  std::string mode;  // "" (load), "slowloris", or "_server" (the child)
  std::uint64_t connections = 10000;
  std::uint32_t messages = 10;
  std::uint32_t maxSize = 8192;
  std::uint32_t window = 256;
  bool plain = false;
  bool strictMemory = false;
  std::string cert, key, ca;
  double seconds = 600;
  std::uint64_t seed = 1;
  // slowloris
  std::uint64_t slow = 1000;
  double interval = 1.0;
  long handshakeTimeout = -1;  // -1: the mode's default
  double grace = 1.0;
  double baselineSeconds = 5;
  double attackSeconds = 10;
  double pace = 0.02;
  double maxRatio = 2;
  double latencyFloorMs = 0;
};

bool parseOptions(const Args& args, LoadOptions* o) {
  const char* who = "as3net load";
  std::size_t first = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    o->mode = args[0];
    first = 1;
    if (o->mode != "slowloris" && o->mode != "_server") {
      std::fprintf(stderr, "%s: unknown mode '%s'\n\n%s", who, o->mode.c_str(), kUsage);
      return false;
    }
  }
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--plain") {
      o->plain = true;
      continue;
    }
    if (a == "--strict-memory") {
      o->strictMemory = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "%s: unknown or incomplete option '%s'\n\n%s", who, a.c_str(), kUsage);
      return false;
    }
    const std::string& v = args[++i];
    char* end = nullptr;
    bool numeric = true;
    if (a == "--connections") {
      o->connections = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--messages") {
      o->messages = static_cast<std::uint32_t>(std::strtoul(v.c_str(), &end, 10));
    } else if (a == "--max-size") {
      o->maxSize = static_cast<std::uint32_t>(std::strtoul(v.c_str(), &end, 10));
    } else if (a == "--window") {
      o->window = static_cast<std::uint32_t>(std::strtoul(v.c_str(), &end, 10));
    } else if (a == "--seconds") {
      o->seconds = std::strtod(v.c_str(), &end);
    } else if (a == "--seed") {
      o->seed = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--slow") {
      o->slow = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--interval") {
      o->interval = std::strtod(v.c_str(), &end);
    } else if (a == "--handshake-timeout") {
      o->handshakeTimeout = std::strtol(v.c_str(), &end, 10);
    } else if (a == "--grace") {
      o->grace = std::strtod(v.c_str(), &end);
    } else if (a == "--baseline-seconds") {
      o->baselineSeconds = std::strtod(v.c_str(), &end);
    } else if (a == "--attack-seconds") {
      o->attackSeconds = std::strtod(v.c_str(), &end);
    } else if (a == "--pace") {
      o->pace = std::strtod(v.c_str(), &end);
    } else if (a == "--max-ratio") {
      o->maxRatio = std::strtod(v.c_str(), &end);
    } else if (a == "--latency-floor-ms") {
      o->latencyFloorMs = std::strtod(v.c_str(), &end);
    } else {
      numeric = false;
      if (a == "--cert") {
        o->cert = v;
      } else if (a == "--key") {
        o->key = v;
      } else if (a == "--ca") {
        o->ca = v;
      } else {
        std::fprintf(stderr, "%s: unknown option '%s'\n\n%s", who, a.c_str(), kUsage);
        return false;
      }
    }
    if (numeric && (v.empty() || *end != '\0')) {
      std::fprintf(stderr, "%s: %s wants a number, not '%s'\n", who, a.c_str(), v.c_str());
      return false;
    }
  }
  if (o->connections == 0 || o->connections > 1000000 || o->maxSize == 0 ||
      o->maxSize > (16u << 20) || o->window == 0 || !(o->seconds > 0) || o->slow > 100000 ||
      !(o->interval > 0) || o->handshakeTimeout < -1 || !(o->grace >= 0) ||
      !(o->baselineSeconds > 0) || !(o->attackSeconds > 0) || !(o->pace >= 0) ||
      !(o->maxRatio > 0) || !(o->latencyFloorMs >= 0)) {
    std::fprintf(stderr, "%s: an option is out of range\n", who);
    return false;
  }
  if (o->mode != "_server" && o->cert.empty() != o->ca.empty() && !o->plain) {
    std::fprintf(stderr, "%s: --cert and --ca go together (the clients must trust the server)\n",
                 who);
    return false;
  }
  if (!o->key.empty() && o->cert.empty()) {
    std::fprintf(stderr, "%s: --key needs --cert\n", who);
    return false;
  }
  if (o->mode == "slowloris" && o->plain) {
    std::fprintf(stderr, "%s: slowloris attacks the TLS handshake; --plain does not apply\n", who);
    return false;
  }
  return true;
}

// fields splits "WORD a=1 b=2" into {"a": "1", "b": "2"}.
std::map<std::string, std::string> fields(const std::string& line) {
  std::map<std::string, std::string> out;
  std::size_t i = line.find(' ');
  while (i != std::string::npos) {
    std::size_t start = i + 1;
    i = line.find(' ', start);
    std::string item = line.substr(start, i == std::string::npos ? std::string::npos : i - start);
    std::size_t eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

long number(const std::map<std::string, std::string>& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() ? -1 : std::atol(it->second.c_str());
}

// --- the server child ----------------------------------------------------------------------------

// ControlInput reads the parent's command lines from stdin on the loop (a libuv pipe), and
// reports the end of stdin. close() stops reading and closes fd 0; safe inside `line`.
class ControlInput {
 public:
  ControlInput(EventLoop& loop, std::function<void(const std::string&)> line,
               std::function<void()> end)
      : pipe_(new uv_pipe_t), line_(std::move(line)), end_(std::move(end)) {
    uv_pipe_init(loop.uvLoop(), pipe_, 0);
    pipe_->data = this;
    if (uv_pipe_open(pipe_, 0) != 0 ||
        uv_read_start(reinterpret_cast<uv_stream_t*>(pipe_), &ControlInput::onAlloc,
                      &ControlInput::onRead) != 0) {
      std::fprintf(stderr, "as3net load _server: stdin is not a pipe\n");
      close();
    }
  }
  ~ControlInput() { close(); }
  ControlInput(const ControlInput&) = delete;
  ControlInput& operator=(const ControlInput&) = delete;

  void close() {
    if (pipe_) closeHandle(pipe_);
    pipe_ = nullptr;
  }

 private:
  static void onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* self = static_cast<ControlInput*>(handle->data);
    buf->base = self->chunk_;
    buf->len = sizeof self->chunk_;
  }
  static void onRead(uv_stream_t* stream, ssize_t n, const uv_buf_t*) {
    auto* self = static_cast<ControlInput*>(stream->data);
    if (n < 0) {
      self->close();
      self->end_();
      return;
    }
    self->buffer_.append(self->chunk_, static_cast<std::size_t>(n));
    std::size_t eol;
    while (self->pipe_ && (eol = self->buffer_.find('\n')) != std::string::npos) {
      std::string line = self->buffer_.substr(0, eol);
      self->buffer_.erase(0, eol + 1);
      self->line_(line);
    }
  }

  uv_pipe_t* pipe_;
  std::function<void(const std::string&)> line_;
  std::function<void()> end_;
  std::string buffer_;
  char chunk_[4096];
};

class EchoServer;

// EchoConnection is one accepted connection: it reads whole messages, checks each payload's
// CRC-32 against its header, and sends the message back unchanged.
class EchoConnection {
 public:
  EchoConnection(EchoServer& server, std::shared_ptr<Socket> socket);
  EchoConnection(const EchoConnection&) = delete;
  EchoConnection& operator=(const EchoConnection&) = delete;

 private:
  void onData(ProgressEvent&);
  void onClose(Event&);
  void onIOError(IOErrorEvent&);

  EchoServer& server_;
  std::shared_ptr<Socket> socket_;
  Frame frame_;
};

class EchoServer {
 public:
  EchoServer(EventLoop& loop, const LoadOptions& o) {
    if (o.plain) {
      server_ = std::make_unique<ServerSocket>(loop);
    } else {
      auto secure = std::make_unique<SecureServerSocket>(loop);
      secure->certificateFile(o.cert, o.key);
      secure->minimumVersion(TlsVersion::TLSv1_3);
      secure->handshakeTimeout(o.handshakeTimeout < 0
                                   ? SecureServerSocket::kDefaultHandshakeTimeout
                                   : static_cast<std::uint32_t>(o.handshakeTimeout));
      server_ = std::move(secure);
    }
    server_->addEventListener(ServerSocketConnectEvent::CONNECT,
                              [this](ServerSocketConnectEvent& e) {
                                ++accepted;
                                auto c = std::make_unique<EchoConnection>(*this, e.socket());
                                EchoConnection* key = c.get();
                                connections_.emplace(key, std::move(c));
                              });
    server_->bind(0, "127.0.0.1");
    server_->listen();
  }

  int port() const { return server_->localPort(); }
  std::size_t open() const { return connections_.size(); }
  /// drop forgets a connection, closing it; the last thing its listener does.
  void drop(EchoConnection* c) { connections_.erase(c); }
  /// close stops listening and closes every connection, dispatching nothing.
  void close() {
    if (server_->listening()) server_->close();
    // Swapped rather than cleared, so that the bucket array goes too and the heap can be
    // compared with the baseline.
    std::unordered_map<EchoConnection*, std::unique_ptr<EchoConnection>>().swap(connections_);
  }
  void error(const std::string& text) {
    if (++errors <= 5) std::fprintf(stderr, "as3net load _server: %s\n", text.c_str());
  }
  ByteArray& scratch() { return scratch_; }

  std::uint64_t accepted = 0, errors = 0, mismatches = 0, messages = 0, bytes = 0;

 private:
  std::unique_ptr<ServerSocket> server_;
  std::unordered_map<EchoConnection*, std::unique_ptr<EchoConnection>> connections_;
  ByteArray scratch_;
};

EchoConnection::EchoConnection(EchoServer& server, std::shared_ptr<Socket> socket)
    : server_(server), socket_(std::move(socket)) {
  socket_->addEventListener(ProgressEvent::SOCKET_DATA,
                            as3::events::listener(this, &EchoConnection::onData));
  socket_->addEventListener(Event::CLOSE, as3::events::listener(this, &EchoConnection::onClose));
  socket_->addEventListener(IOErrorEvent::IO_ERROR,
                            as3::events::listener(this, &EchoConnection::onIOError));
}

void EchoConnection::onData(ProgressEvent&) {
  Socket& s = *socket_;
  ByteArray& scratch = server_.scratch();
  while (frame_.next(s, scratch)) {
    const std::uint32_t length = frame_.length, crc = frame_.crc, seq = frame_.seq;
    if (crc32(scratch.data(), length) != crc) ++server_.mismatches;
    ++server_.messages;
    server_.bytes += length;
    s.writeUnsignedInt(length);
    s.writeUnsignedInt(crc);
    s.writeUnsignedInt(seq);
    if (length > 0) s.writeBytes(scratch.data(), length);
    s.flush();
  }
}

void EchoConnection::onClose(Event&) {
  server_.drop(this);  // destroys *this
}

void EchoConnection::onIOError(IOErrorEvent& e) {
  server_.error(e.text());
  server_.drop(this);  // destroys *this
}

// runServerChild is `as3net load _server`: the server side, driven by the parent's lines.
int runServerChild(const LoadOptions& o) {
  const char* who = "as3net load _server";
  if (!ensureDescriptors(o.connections + o.slow + 64, who)) return 1;
  EventLoop loop;
  std::unique_ptr<EchoServer> server;
  try {
    server = std::make_unique<EchoServer>(loop, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who, e.what());
    return 1;
  }
  // A backstop: a child whose parent stopped talking still ends.
  Timer deadline(
      loop,
      [who] {
        std::fprintf(stderr, "%s: time limit reached\n", who);
        std::_Exit(3);
      },
      false);
  deadline.start(o.seconds + 30);
  std::unique_ptr<ControlInput> control;
  auto quit = [&] {
    server->close();
    control->close();
    deadline.close();
  };
  control = std::make_unique<ControlInput>(
      loop,
      [&](const std::string& line) {
        if (line == "STAT") {
          long rss = residentKiB();
          std::printf(
              "STAT accepted=%llu open=%zu errors=%llu mismatches=%llu messages=%llu bytes=%llu "
              "rss_kib=%ld heap_kib=%ld peak_kib=%ld fds=%d\n",
              static_cast<unsigned long long>(server->accepted), server->open(),
              static_cast<unsigned long long>(server->errors),
              static_cast<unsigned long long>(server->mismatches),
              static_cast<unsigned long long>(server->messages),
              static_cast<unsigned long long>(server->bytes), rss, heapKiB(), peakKiB(),
              openDescriptors());
          std::fflush(stdout);
        } else if (line == "QUIT") {
          quit();
        }
      },
      quit);
  std::printf("READY port=%d pid=%d\n", server->port(), static_cast<int>(getpid()));
  std::fflush(stdout);
  try {
    loop.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who, e.what());
    return 1;
  }
  // run() returns by itself only once no handle is left: every connection has been freed.
  bool alive = uv_loop_alive(loop.uvLoop()) != 0;
  std::printf("FINAL loop_exited=%d errors=%llu rss_kib=%ld heap_kib=%ld fds=%d\n", alive ? 0 : 1,
              static_cast<unsigned long long>(server->errors), residentKiB(), heapKiB(),
              openDescriptors());
  std::fflush(stdout);
  return alive ? 1 : 0;
}

// --- the parent's side of the child --------------------------------------------------------------

// ServerProcess is the child: started from this executable, spoken to over pipes, and ended by
// its pid if it does not end by itself.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess() { kill(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// start runs `as3net load _server` with `args`; false after a message.
  bool start(const std::vector<std::string>& args) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
      std::perror("as3net load: /proc/self/exe");
      return false;
    }
    self[n] = '\0';
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) != 0) return false;
    if (pipe2(fromChild, O_CLOEXEC) != 0) {
      ::close(toChild[0]);
      ::close(toChild[1]);
      return false;
    }
    std::vector<std::string> argv = {"as3net", "load", "_server"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (std::string& a : argv) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0);
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1);
    int status = posix_spawn(&pid_, self, &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(toChild[0]);
    ::close(fromChild[1]);
    in_ = toChild[1];
    out_ = fromChild[0];
    if (status != 0) {
      pid_ = -1;
      std::fprintf(stderr, "as3net load: cannot start the server process: %s\n",
                   std::strerror(status));
      return false;
    }
    return true;
  }

  bool send(const std::string& line) {
    std::string data = line + "\n";
    return ::write(in_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  }

  /// readLine waits up to `seconds` for the child's next line; false at its end or the limit.
  bool readLine(std::string* line, double seconds) {
    double deadline = nowSeconds() + seconds;
    for (;;) {
      std::size_t eol = buffer_.find('\n');
      if (eol != std::string::npos) {
        *line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        return true;
      }
      double left = deadline - nowSeconds();
      if (left <= 0) return false;
      pollfd p{out_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char chunk[4096];
      ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// ask sends `command` and returns the fields of the reply line that starts with `word`.
  std::map<std::string, std::string> ask(const std::string& command, const std::string& word,
                                         double seconds = 10) {
    std::string line;
    if (!send(command)) return {};
    while (readLine(&line, seconds))
      if (line.rfind(word + " ", 0) == 0) return fields(line);
    return {};
  }

  /// wait waits up to `seconds` for the child to exit and returns its status (-1: killed).
  int wait(double seconds) {
    if (pid_ < 0) return -1;
    double deadline = nowSeconds() + seconds;
    int status = 0;
    while (nowSeconds() < deadline) {
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(10000);
    }
    kill();
    return -1;
  }

  /// kill ends the child by its pid, if it still runs, and reaps it.
  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    in_ = out_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
};

// --- certificates --------------------------------------------------------------------------------

// Credentials are the server's files and the clients' anchor: the user's, or a testing-kit
// authority's written to a temporary directory that the destructor removes.
class Credentials {
 public:
  explicit Credentials(const LoadOptions& o) {
    if (o.plain) return;
    if (!o.cert.empty()) {
      cert_ = o.cert;
      key_ = o.key;
      caPem_ = readFile(o.ca);
      return;
    }
    char pattern[] = "/tmp/as3net-load-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    as3::testing::TestCertificateAuthority authority("as3net load root");
    cert_ = dir_ + "/server.pem";
    key_ = dir_ + "/server.key";
    authority.issue().writeFiles(cert_, key_);
    caPem_ = authority.certificatePem();
  }
  ~Credentials() {
    if (dir_.empty()) return;
    std::remove(cert_.c_str());
    std::remove(key_.c_str());
    ::rmdir(dir_.c_str());
  }
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;

  /// trust adds the anchor to the process's chain-building set, as AIR's
  /// addBinaryChainBuildingCertificate does: every SecureSocket keeps the default policy and
  /// shares the loop's session cache.
  void trust(EventLoop& loop) const {
    std::vector<as3::security::X509Certificate> anchors =
        as3::security::X509Certificate::fromPEM(caPem_);
    if (anchors.empty()) throw std::runtime_error("the --ca file holds no certificate");
    SecureSocket socket(loop);
    for (const auto& anchor : anchors)
      socket.addBinaryChainBuildingCertificate(anchor.encoded(), true);
  }

  /// serverArgs are the child's options for these files.
  std::vector<std::string> serverArgs() const {
    if (cert_.empty()) return {"--plain"};
    std::vector<std::string> args = {"--cert", cert_};
    if (!key_.empty()) args.insert(args.end(), {"--key", key_});
    return args;
  }

 private:
  static std::string readFile(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
    std::string data;
    char buffer[1 << 14];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.append(buffer, n);
    std::fclose(f);
    return data;
  }

  std::string dir_, cert_, key_, caPem_;
};

// --- shared by the modes -------------------------------------------------------------------------

// Run is what both modes share: the time limit, the failures, and the printing.
struct Run {
  explicit Run(const LoadOptions& options) : o(options) {}

  const LoadOptions& o;
  double start = nowSeconds();
  std::vector<std::string> failures;

  double left() const { return std::max(0.0, start + o.seconds - nowSeconds()); }
  std::chrono::milliseconds leftMs(double atMost) const {
    return std::chrono::milliseconds(static_cast<long long>(std::min(left(), atMost) * 1000));
  }
  bool expired() const { return left() <= 0; }
  void fail(const std::string& what) { failures.push_back(what); }
  bool check(bool ok, const std::string& what) {
    if (!ok) fail(what);
    return ok;
  }
};

// settleLoop runs `loop` until nothing is left in it (every handle freed) or `limit` passes;
// true when it ran out by itself.
bool settleLoop(EventLoop& loop, double limit) {
  bool timedOut = false;
  Timer stop(
      loop,
      [&] {
        timedOut = true;
        loop.stop();
      },
      false);
  stop.start(limit);
  loop.run();
  stop.close();
  loop.poll();  // frees the timer
  return !timedOut && uv_loop_alive(loop.uvLoop()) == 0;
}

// waitServer asks the child for STAT until `done` holds for its fields, for at most `seconds`,
// running the client loop in between; returns the last fields.
std::map<std::string, std::string> waitServer(
    EventLoop& loop, ServerProcess& child, double seconds,
    const std::function<bool(const std::map<std::string, std::string>&)>& done) {
  double deadline = nowSeconds() + seconds;
  std::map<std::string, std::string> stat;
  for (;;) {
    stat = child.ask("STAT", "STAT");
    if (stat.empty() || done(stat) || nowSeconds() >= deadline) return stat;
    as3::testing::runFor(loop, std::chrono::milliseconds(50));
  }
}

double kibPerConnection(long after, long before, std::uint64_t n) {
  return n == 0 ? 0 : static_cast<double>(after - before) / static_cast<double>(n);
}

// --- load: the client side -----------------------------------------------------------------------

struct LoadClient;

// ClientConnection is one of the run's connections: it opens, then plays K messages ping-pong
// with the server, verifying every byte of each echo.
class ClientConnection {
 public:
  ClientConnection(LoadClient& client, std::uint32_t index);
  void connect();
  void startEcho();
  void close();
  bool connected() const { return socket_ && socket_->connected(); }
  bool resumed() const;

 private:
  void send();
  void onConnect(Event&);
  void onData(ProgressEvent&);
  void onClose(Event&);
  void onIOError(IOErrorEvent&);

  LoadClient& client_;
  std::uint32_t index_;
  std::unique_ptr<Socket> socket_;
  enum class State : std::uint8_t {
    kNew,
    kConnecting,
    kOpen,
    kEchoing,
    kDone,
    kDead
  } state_ = State::kNew;
  Frame frame_;
  std::uint32_t sent_ = 0;
  double connectStarted_ = 0;
};

struct LoadClient {
  LoadClient(EventLoop& l, const LoadOptions& options, int serverPort)
      : loop(l), o(options), port(serverPort) {}

  EventLoop& loop;
  const LoadOptions& o;
  int port;
  std::vector<std::unique_ptr<ClientConnection>> connections;
  std::uint64_t started = 0, pending = 0, connected = 0, connectFailures = 0, wrongProtocol = 0;
  std::uint64_t echoed = 0, done = 0, dead = 0, errors = 0, mismatchedMessages = 0,
                mismatchedBytes = 0, bytes = 0;
  std::vector<double> handshakeSeconds;
  std::vector<std::uint8_t> expected;
  ByteArray scratch;

  void error(const std::string& text) {
    if (++errors <= 5) std::fprintf(stderr, "as3net load: %s\n", text.c_str());
  }
  /// openMore keeps `window` connections opening until all are started.
  void openMore() {
    while (started < connections.size() && pending < o.window) {
      ++pending;
      connections[started++]->connect();
    }
  }
};

ClientConnection::ClientConnection(LoadClient& client, std::uint32_t index)
    : client_(client), index_(index) {}

void ClientConnection::connect() {
  if (client_.o.plain) {
    socket_ = std::make_unique<Socket>(client_.loop);
  } else {
    auto secure = std::make_unique<SecureSocket>(client_.loop);
    secure->minimumVersion(TlsVersion::TLSv1_3);
    secure->serverName(kServerName);
    socket_ = std::move(secure);
  }
  socket_->addEventListener(Event::CONNECT,
                            as3::events::listener(this, &ClientConnection::onConnect));
  socket_->addEventListener(ProgressEvent::SOCKET_DATA,
                            as3::events::listener(this, &ClientConnection::onData));
  socket_->addEventListener(Event::CLOSE, as3::events::listener(this, &ClientConnection::onClose));
  socket_->addEventListener(IOErrorEvent::IO_ERROR,
                            as3::events::listener(this, &ClientConnection::onIOError));
  state_ = State::kConnecting;
  connectStarted_ = nowSeconds();
  socket_->connect("127.0.0.1", client_.port);
}

bool ClientConnection::resumed() const {
  const auto* secure = dynamic_cast<const SecureSocket*>(socket_.get());
  return secure && secure->resumed();
}

void ClientConnection::onConnect(Event&) {
  state_ = State::kOpen;
  --client_.pending;
  ++client_.connected;
  client_.handshakeSeconds.push_back(nowSeconds() - connectStarted_);
  if (const auto* secure = dynamic_cast<const SecureSocket*>(socket_.get())) {
    if (secure->protocol() != "TLSv1.3") ++client_.wrongProtocol;
  }
  client_.openMore();
}

void ClientConnection::startEcho() {
  if (state_ != State::kOpen) return;
  state_ = State::kEchoing;
  if (client_.o.messages == 0) {
    state_ = State::kDone;
    ++client_.done;
    return;
  }
  send();
}

void ClientConnection::send() {
  std::vector<std::uint8_t>& payload = client_.expected;
  makePayload(client_.o.seed, index_, sent_, client_.o.maxSize, &payload);
  auto n = static_cast<std::uint32_t>(payload.size());
  socket_->writeUnsignedInt(n);
  socket_->writeUnsignedInt(crc32(payload.data(), n));
  socket_->writeUnsignedInt(sent_);
  socket_->writeBytes(payload.data(), n);
  socket_->flush();
  ++sent_;
}

void ClientConnection::onData(ProgressEvent&) {
  Socket& s = *socket_;
  ByteArray& got = client_.scratch;
  while (state_ == State::kEchoing && frame_.next(s, got)) {
    const std::uint32_t length = frame_.length, crc = frame_.crc, seq = frame_.seq;
    std::vector<std::uint8_t>& want = client_.expected;
    makePayload(client_.o.seed, index_, sent_ - 1, client_.o.maxSize, &want);
    std::uint64_t wrong = 0;
    std::size_t common = std::min<std::size_t>(want.size(), length);
    for (std::size_t i = 0; i < common; ++i) wrong += got.data()[i] != want[i];
    wrong += std::max(want.size(), static_cast<std::size_t>(length)) - common;
    if (wrong > 0 || seq != sent_ - 1 || crc != crc32(want.data(), want.size())) {
      ++client_.mismatchedMessages;
      client_.mismatchedBytes += wrong;
    }
    ++client_.echoed;
    client_.bytes += length;
    if (sent_ < client_.o.messages) {
      send();
    } else {
      state_ = State::kDone;
      ++client_.done;
    }
  }
  if (s.bytesAvailable() > 0) {
    client_.error("connection " + std::to_string(index_) + ": bytes after the last message");
    s.purge();
  }
}

void ClientConnection::onClose(Event&) {
  client_.error("connection " + std::to_string(index_) + ": closed by the server");
  if (state_ == State::kConnecting) --client_.pending;
  state_ = State::kDead;
  ++client_.dead;
}

void ClientConnection::onIOError(IOErrorEvent& e) {
  client_.error("connection " + std::to_string(index_) + ": " + e.text());
  if (state_ == State::kConnecting) {
    --client_.pending;
    ++client_.connectFailures;
    state_ = State::kDead;
    ++client_.dead;
    client_.openMore();
    return;
  }
  state_ = State::kDead;
  ++client_.dead;
}

void ClientConnection::close() {
  if (socket_ && socket_->connected()) socket_->close();
  socket_.reset();
}

// printServer prints a STAT reply's memory and descriptors, for the summary.
void printPhase(const char* phase, double seconds, long clientRss, int clientFds,
                const std::map<std::string, std::string>& server) {
  std::printf("  %-9s %8.2f s   client rss %8ld KiB fds %6d   server rss %8ld KiB fds %6ld\n",
              phase, seconds, clientRss, clientFds, number(server, "rss_kib"),
              number(server, "fds"));
}

int runLoad(const LoadOptions& o) {
  const char* who = "as3net load";
  const std::uint64_t n = o.connections;
  const std::uint64_t need = n + o.window + 64;
  if (!ensureDescriptors(need, who)) {
    std::printf("FAIL load: RLIMIT_NOFILE hard limit too low for %llu connections\n",
                static_cast<unsigned long long>(n));
    return 1;
  }
  Run run(o);
  EventLoop loop;
  Credentials credentials(o);
  if (!o.plain) credentials.trust(loop);
  ServerProcess child;
  std::vector<std::string> args = credentials.serverArgs();
  args.insert(args.end(), {"--connections", std::to_string(n), "--slow", "0", "--seconds",
                           std::to_string(o.seconds)});
  if (!child.start(args)) return 1;
  std::string line;
  if (!child.readLine(&line, 30) || line.rfind("READY ", 0) != 0) {
    std::fprintf(stderr, "%s: the server process did not start\n", who);
    return 1;
  }
  const int port = static_cast<int>(number(fields(line), "port"));
  const char* transport = o.plain ? "tcp" : "tls";
  std::printf("as3net load: %llu %s connections, %u messages each (1-%u bytes), server pid %ld\n",
              static_cast<unsigned long long>(n), o.plain ? "TCP" : "TLS 1.3", o.messages,
              o.maxSize, number(fields(line), "pid"));
  std::fflush(stdout);

  // Warm-up: one connection through every phase, so that what the first connection of a loop
  // allocates once (TLS contexts, the validator's store, the loop's spare buffers) is in the
  // baseline, not in the figures per connection.
  {
    LoadOptions warmOptions = o;
    warmOptions.messages = std::min<std::uint32_t>(o.messages, 2);
    LoadClient warm(loop, warmOptions, port);
    warm.connections.push_back(std::make_unique<ClientConnection>(warm, 0));
    warm.openMore();
    as3::testing::runUntil(
        loop, [&] { return warm.connected + warm.dead == 1; }, run.leftMs(30));
    warm.connections[0]->startEcho();
    as3::testing::runUntil(
        loop, [&] { return warm.done + warm.dead == 1; }, run.leftMs(30));
    bool ok = warm.done == 1 && warm.errors == 0 && warm.mismatchedMessages == 0;
    warm.connections[0]->close();
    warm.connections.clear();
    settleLoop(loop, std::min(run.left(), 30.0));
    if (!ok) {
      std::printf("FAIL load: the warm-up connection failed\n");
      return 1;
    }
  }
  // The run's own bookkeeping (one small object per connection) exists before the baseline,
  // so the figures per connection are the SDK's: its sockets are made by connect().
  LoadClient client(loop, o, port);
  client.connections.reserve(n);
  client.handshakeSeconds.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i)
    client.connections.push_back(
        std::make_unique<ClientConnection>(client, static_cast<std::uint32_t>(i)));
  std::map<std::string, std::string> base =
      waitServer(loop, child, std::min(run.left(), 10.0),
                 [](const auto& s) { return number(s, "open") == 0; });
  const long baseRss = residentKiB();
  const long baseHeap = heapKiB();
  const int baseFds = openDescriptors();
  const long serverBaseRss = number(base, "rss_kib");
  const long serverBaseFds = number(base, "fds");
  const long serverBaseMessages = number(base, "messages");
  const long serverBaseAccepted = number(base, "accepted");
  std::printf("baseline: client rss %ld KiB, %d fds; server rss %ld KiB, %ld fds\n", baseRss,
              baseFds, serverBaseRss, serverBaseFds);
  std::fflush(stdout);

  // (1) connect all.
  double t0 = nowSeconds();
  client.openMore();
  as3::testing::runUntil(
      loop, [&] { return client.connected + client.connectFailures == n; }, run.leftMs(1e9));
  double connectSeconds = nowSeconds() - t0;
  std::map<std::string, std::string> acceptedStat =
      waitServer(loop, child, std::min(run.left(), 30.0), [&](const auto& s) {
        return number(s, "accepted") - serverBaseAccepted >= static_cast<long>(client.connected);
      });
  std::uint64_t resumed = 0;
  for (auto& c : client.connections) resumed += c->resumed();
  double hsP50 = percentile(client.handshakeSeconds, 50) * 1000;
  double hsP99 = percentile(client.handshakeSeconds, 99) * 1000;
  long serverAccepted = number(acceptedStat, "accepted") - serverBaseAccepted;
  std::printf(
      "RESULT op=load phase=connect transport=%s connections=%llu connected=%llu failed=%llu "
      "server_accepted=%ld resumed=%llu wrong_protocol=%llu seconds=%.3f conns_per_s=%.1f "
      "handshake_p50_ms=%.2f handshake_p99_ms=%.2f\n",
      transport, static_cast<unsigned long long>(n),
      static_cast<unsigned long long>(client.connected),
      static_cast<unsigned long long>(client.connectFailures), serverAccepted,
      static_cast<unsigned long long>(resumed),
      static_cast<unsigned long long>(client.wrongProtocol), connectSeconds,
      static_cast<double>(client.connected) / connectSeconds, hsP50, hsP99);
  std::fflush(stdout);

  // (2) idle: the loops hold every connection; late TLS messages (session tickets) settle.
  as3::testing::runFor(loop, run.leftMs(1.0));
  const long idleRss = residentKiB();
  const long idleHeap = heapKiB();
  const int idleFds = openDescriptors();
  std::map<std::string, std::string> idle = child.ask("STAT", "STAT");
  const long serverIdleRss = number(idle, "rss_kib");
  double clientPerConn = kibPerConnection(idleRss, baseRss, client.connected);
  double serverPerConn = kibPerConnection(serverIdleRss, serverBaseRss, client.connected);
  double clientHeapPerConn = kibPerConnection(idleHeap, baseHeap, client.connected);
  double serverHeapPerConn =
      kibPerConnection(number(idle, "heap_kib"), number(base, "heap_kib"), client.connected);
  std::printf(
      "RESULT op=load phase=idle transport=%s connections=%llu client_rss_kib=%ld "
      "client_kib_per_conn=%.2f client_heap_kib_per_conn=%.2f server_rss_kib=%ld "
      "server_kib_per_conn=%.2f server_heap_kib_per_conn=%.2f client_fds=%d server_fds=%ld\n",
      transport, static_cast<unsigned long long>(client.connected), idleRss, clientPerConn,
      clientHeapPerConn, serverIdleRss, serverPerConn, serverHeapPerConn, idleFds,
      number(idle, "fds"));
  std::fflush(stdout);

  // (3) echo.
  t0 = nowSeconds();
  for (auto& c : client.connections) c->startEcho();
  as3::testing::runUntil(
      loop, [&] { return client.done + client.dead >= n; }, run.leftMs(1e9));
  double echoSeconds = nowSeconds() - t0;
  std::map<std::string, std::string> echoStat = child.ask("STAT", "STAT");
  const long echoRss = residentKiB();
  const long clientPeak = peakKiB();
  const int echoFds = openDescriptors();
  std::printf(
      "RESULT op=load phase=echo transport=%s connections=%llu messages=%llu bytes=%llu "
      "mismatched_messages=%llu mismatched_bytes=%llu server_messages=%ld server_mismatches=%ld "
      "seconds=%.3f msgs_per_s=%.1f MBps=%.2f client_rss_kib=%ld client_peak_kib=%ld "
      "server_rss_kib=%ld server_peak_kib=%ld\n",
      transport, static_cast<unsigned long long>(n), static_cast<unsigned long long>(client.echoed),
      static_cast<unsigned long long>(client.bytes),
      static_cast<unsigned long long>(client.mismatchedMessages),
      static_cast<unsigned long long>(client.mismatchedBytes),
      number(echoStat, "messages") - serverBaseMessages, number(echoStat, "mismatches"),
      echoSeconds, static_cast<double>(client.echoed) / echoSeconds,
      2.0 * static_cast<double>(client.bytes) / 1e6 / echoSeconds, echoRss, clientPeak,
      number(echoStat, "rss_kib"), number(echoStat, "peak_kib"));
  std::fflush(stdout);

  // (4) mass close: every socket closed and destroyed; the loop must then run out by itself.
  t0 = nowSeconds();
  for (auto& c : client.connections) c->close();
  client.connections.clear();
  client.connections.shrink_to_fit();
  bool clientLoopExited = settleLoop(loop, std::min(run.left(), 60.0));
  double clientCloseSeconds = nowSeconds() - t0;
  const long closedRss = residentKiB();
  const long closedHeap = heapKiB();
  const int closedFds = openDescriptors();
  std::map<std::string, std::string> closedStat = waitServer(
      loop, child, std::min(run.left(), 30.0),
      [&](const auto& s) { return number(s, "open") == 0 && number(s, "fds") <= serverBaseFds; });
  double closeSeconds = nowSeconds() - t0;
  std::map<std::string, std::string> final =
      child.ask("QUIT", "FINAL", std::min(30.0, run.left() + 5));
  int childStatus = child.wait(10);
  bool serverLoopExited = number(final, "loop_exited") == 1 && childStatus == 0;
  long serverErrors = number(closedStat, "errors");
  // The server's memory once its loop has run out: handles are freed in libuv's close
  // callbacks, a turn or more after their descriptors were closed.
  std::map<std::string, std::string> afterClose = closedStat;
  afterClose["rss_kib"] = std::to_string(number(final, "rss_kib"));
  afterClose["heap_kib"] = std::to_string(number(final, "heap_kib"));
  const long serverBaseHeap = number(base, "heap_kib");
  std::printf(
      "RESULT op=load phase=close transport=%s connections=%llu seconds=%.3f "
      "client_close_seconds=%.3f client_loop_exited=%d server_loop_exited=%d client_fds=%d "
      "client_base_fds=%d server_fds=%ld server_base_fds=%ld client_rss_kib=%ld "
      "client_base_rss_kib=%ld server_rss_kib=%ld server_rss_kib_fds_back=%ld "
      "server_base_rss_kib=%ld server_open=%ld client_heap_kib=%ld client_base_heap_kib=%ld "
      "server_heap_kib=%ld server_base_heap_kib=%ld\n",
      transport, static_cast<unsigned long long>(n), closeSeconds, clientCloseSeconds,
      clientLoopExited ? 1 : 0, serverLoopExited ? 1 : 0, closedFds, baseFds,
      number(closedStat, "fds"), serverBaseFds, closedRss, baseRss, number(afterClose, "rss_kib"),
      number(closedStat, "rss_kib"), serverBaseRss, number(closedStat, "open"), closedHeap,
      baseHeap, number(afterClose, "heap_kib"), serverBaseHeap);

  // The verdict.
  run.check(!run.expired(), "the time limit (--seconds) ran out");
  run.check(client.connected == n, std::to_string(n - client.connected) + " handshakes failed");
  run.check(serverAccepted == static_cast<long>(n),
            "the server accepted " + std::to_string(serverAccepted) + " connections");
  run.check(client.wrongProtocol == 0,
            std::to_string(client.wrongProtocol) + " connections were not TLS 1.3");
  run.check(client.errors == 0, std::to_string(client.errors) + " client errors");
  run.check(serverErrors == 0, std::to_string(serverErrors) + " server errors");
  run.check(
      client.echoed == n * o.messages,
      std::to_string(client.echoed) + " of " + std::to_string(n * o.messages) + " messages echoed");
  run.check(client.mismatchedMessages == 0 && number(echoStat, "mismatches") == 0,
            std::to_string(client.mismatchedMessages) + " mismatched echoes, " +
                std::to_string(number(echoStat, "mismatches")) + " bad checksums at the server");
  run.check(clientLoopExited, "the client loop did not run out after closing (handles alive)");
  run.check(serverLoopExited, "the server loop did not run out after closing (handles alive)");
  run.check(closedFds == baseFds, "client descriptors " + std::to_string(closedFds) +
                                      " after closing, " + std::to_string(baseFds) + " before");
  run.check(number(closedStat, "fds") == serverBaseFds,
            "server descriptors " + std::to_string(number(closedStat, "fds")) + " after closing, " +
                std::to_string(serverBaseFds) + " before");
  // Memory back to the baseline: the heap in use, which counts live objects. The RSS is
  // reported beside it but not judged, as the allocator keeps some freed pages mapped. The
  // slack is what outlives the connections by design: the loop's 64 KiB read buffer, the TLS
  // session cache, and libuv's descriptor table (8 bytes per descriptor, up to the next power
  // of two, never shrunk); a leak of even one small object per connection exceeds it.
  const long heapSlackKiB = 256 + static_cast<long>(n * 16 / 1024);
  run.check(closedHeap <= baseHeap + heapSlackKiB, "client heap " + std::to_string(closedHeap) +
                                                       " KiB after closing, " +
                                                       std::to_string(baseHeap) + " KiB before");
  run.check(number(afterClose, "heap_kib") <= serverBaseHeap + heapSlackKiB,
            "server heap " + std::to_string(number(afterClose, "heap_kib")) +
                " KiB after closing, " + std::to_string(serverBaseHeap) + " KiB before");
  bool clientGoal = clientPerConn <= 10.0, serverGoal = serverPerConn <= 5.0;
  if (o.strictMemory) {
    run.check(clientGoal, "client RSS per idle connection above 10 KiB");
    run.check(serverGoal, "server RSS per idle connection above 5 KiB");
  }

  std::printf("\nsummary (%s, %llu connections, %u messages each):\n", transport,
              static_cast<unsigned long long>(n), o.messages);
  std::printf("  handshakes    %llu/%llu complete (%llu resumed), server accepted %ld\n",
              static_cast<unsigned long long>(client.connected), static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(resumed), serverAccepted);
  printPhase("baseline", 0, baseRss, baseFds, base);
  printPhase("connect", connectSeconds, idleRss, idleFds, idle);
  printPhase("echo", echoSeconds, echoRss, echoFds, echoStat);
  printPhase("close", closeSeconds, closedRss, closedFds, afterClose);
  std::printf(
      "  idle memory   client %.2f KiB/conn (goal 10: %s), server %.2f KiB/conn (goal 5: "
      "%s)\n",
      clientPerConn, clientGoal ? "met" : "missed", serverPerConn, serverGoal ? "met" : "missed");
  std::printf("                heap in use: client %.2f KiB/conn, server %.2f KiB/conn\n",
              clientHeapPerConn, serverHeapPerConn);
  std::printf("  echo          %llu messages, %llu mismatched (%llu bytes), %.1f msgs/s\n",
              static_cast<unsigned long long>(client.echoed),
              static_cast<unsigned long long>(client.mismatchedMessages),
              static_cast<unsigned long long>(client.mismatchedBytes),
              static_cast<double>(client.echoed) / echoSeconds);
  std::printf("  errors        client %llu, server %ld\n",
              static_cast<unsigned long long>(client.errors), serverErrors);
  std::printf(
      "  after close   client fds %d (baseline %d), heap %ld KiB (baseline %ld), rss %ld KiB "
      "(baseline %ld)\n"
      "                server fds %ld (baseline %ld), heap %ld KiB (baseline %ld), rss %ld KiB "
      "(baseline %ld)\n"
      "                loops ran out: client %s, server %s\n",
      closedFds, baseFds, closedHeap, baseHeap, closedRss, baseRss, number(closedStat, "fds"),
      serverBaseFds, number(afterClose, "heap_kib"), serverBaseHeap, number(afterClose, "rss_kib"),
      serverBaseRss, clientLoopExited ? "yes" : "no", serverLoopExited ? "yes" : "no");
  bool pass = run.failures.empty();
  std::printf("RESULT op=load phase=summary transport=%s pass=%d seconds=%.3f\n", transport,
              pass ? 1 : 0, nowSeconds() - run.start);
  if (pass) {
    std::printf(
        "PASS load: %llu/%llu handshakes, 0 errors, 0 mismatches, descriptors and heap back\n",
        static_cast<unsigned long long>(n), static_cast<unsigned long long>(n));
  } else {
    std::printf("FAIL load:");
    for (const std::string& f : run.failures) std::printf(" %s;", f.c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
  return pass ? 0 : 1;
}

// --- slowloris -----------------------------------------------------------------------------------

// captureClientHello returns the ClientHello a SecureSocket sends, caught by a plain
// ServerSocket on the same loop; the slow clients dribble these bytes.
std::string captureClientHello(EventLoop& loop) {
  std::string hello;
  ServerSocket catcher(loop);
  std::shared_ptr<Socket> accepted;
  catcher.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    accepted = e.socket();
    accepted->addEventListener(ProgressEvent::SOCKET_DATA,
                               [&](ProgressEvent&) { hello += accepted->readAll(); });
  });
  catcher.bind(0, "127.0.0.1");
  catcher.listen();
  SecureSocket client(loop);
  client.minimumVersion(TlsVersion::TLSv1_3);
  client.serverName(kServerName);
  client.addEventListener(IOErrorEvent::IO_ERROR, [](Event&) {});
  client.connect("127.0.0.1", catcher.localPort());
  as3::testing::runUntil(
      loop,
      [&] {
        // A record header says how long the first record is.
        if (hello.size() < 5) return false;
        std::size_t record =
            static_cast<std::uint8_t>(hello[3]) << 8 | static_cast<std::uint8_t>(hello[4]);
        return hello.size() >= 5 + record;
      },
      std::chrono::seconds(10));
  client.close();
  if (accepted && accepted->connected()) accepted->close();
  accepted.reset();
  catcher.close();
  settleLoop(loop, 10);
  return hello;
}

// Prober is the legitimate client: full handshakes one at a time, each timed from connect()
// to Event::CONNECT, then closed.
class Prober {
 public:
  Prober(EventLoop& loop, int port, double pace)
      : loop_(loop), port_(port), pace_(pace), timer_(loop, [this] { next(); }) {
    socket_.minimumVersion(TlsVersion::TLSv1_3);
    socket_.serverName(kServerName);
    socket_.validator();  // a policy of its own: shares no sessions, so no handshake resumes
    socket_.addEventListener(Event::CONNECT, [this](Event&) {
      samples_.push_back(nowSeconds() - started_);
      if (socket_.resumed()) ++resumed_;
      socket_.close();
      busy_ = false;
      if (running_) timer_.start(pace_);
    });
    socket_.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) {
      if (++errors_ <= 5)
        std::fprintf(stderr, "as3net load slowloris: legitimate: %s\n", e.text().c_str());
      busy_ = false;
      if (running_) timer_.start(pace_);
    });
  }
  void start(std::vector<double>* into) {
    samples_.clear();
    running_ = true;
    into_ = into;
    next();
  }
  /// stop lets the handshake under way finish; idle() tells when it has.
  void stop() {
    running_ = false;
    timer_.stop();
  }
  bool idle() const { return !busy_; }
  void collect() { *into_ = samples_; }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t resumed() const { return resumed_; }
  void close() { timer_.close(); }

 private:
  void next() {
    if (!running_) return;
    busy_ = true;
    started_ = nowSeconds();
    socket_.connect("127.0.0.1", port_);
  }

  EventLoop& loop_;
  int port_;
  double pace_;
  Timer timer_;
  SecureSocket socket_{loop_};
  std::vector<double> samples_;
  std::vector<double>* into_ = nullptr;
  double started_ = 0;
  bool running_ = false, busy_ = false;
  std::uint64_t errors_ = 0, resumed_ = 0;
};

// SlowClient is one attacker: a plain Socket that sends the ClientHello one byte at a time and
// reconnects at once whenever the server cuts it, while the attack lasts.
struct SlowClient {
  std::unique_ptr<Socket> socket;
  double startAt = 0, connectedAt = 0, nextByte = 0;
  std::size_t sent = 0;
  bool everConnected = false;
  enum class State { kIdle, kConnecting, kOpen } state = State::kIdle;
};

// Attack runs the slow clients. Their first connections are spread over one handshake timeout,
// so that the cuts, and the reconnections after them, are spread too and about M connections
// stay open all the time.
class Attack {
 public:
  Attack(EventLoop& loop, const LoadOptions& o, int port, std::string hello)
      : loop_(loop),
        o_(o),
        port_(port),
        hello_(std::move(hello)),
        timeout_(static_cast<double>(o.handshakeTimeout) / 1000.0),
        ticker_(loop, [this] { tick(); }),
        clients_(o.slow) {}

  void start() {
    attacking_ = true;
    double now = nowSeconds();
    for (std::size_t i = 0; i < clients_.size(); ++i)
      clients_[i].startAt =
          now + timeout_ * static_cast<double>(i) / static_cast<double>(clients_.size());
    tick();
  }
  /// sample(true) starts recording how many slow connections are open at each tick.
  void sample(bool on) { sampling_ = on; }
  /// stop ends the attack: no more reconnects, every slow connection closed.
  void stop() {
    attacking_ = false;
    ticker_.close();
    for (SlowClient& c : clients_) {
      if (c.socket && c.socket->connected()) c.socket->close();
      c.socket.reset();
      c.state = SlowClient::State::kIdle;
    }
  }

  std::uint64_t open() const { return open_; }
  std::uint64_t connections() const { return connections_; }
  /// ramped tells whether every slow client has connected at least once.
  bool ramped() const { return connected_ >= clients_.size(); }
  double meanOpen() const {
    return samples_ == 0 ? 0 : static_cast<double>(openSum_) / static_cast<double>(samples_);
  }
  std::uint64_t minOpen() const { return samples_ == 0 ? 0 : minOpen_; }

  std::uint64_t cut = 0, early = 0, late = 0, uncut = 0, connectFailures = 0, bytes = 0;
  std::vector<double> cutAfter;

 private:
  void tick() {
    double now = nowSeconds();
    for (SlowClient& c : clients_) {
      if (c.state == SlowClient::State::kIdle && attacking_ && now >= c.startAt) {
        connect(c);
        continue;
      }
      if (c.state != SlowClient::State::kOpen) continue;
      if (now - c.connectedAt > timeout_ + o_.grace) {
        // Still open well after the server's deadline: the timeout did not cut it.
        ++uncut;
        c.socket->close();
        --open_;
        c.state = SlowClient::State::kIdle;
        continue;
      }
      if (now >= c.nextByte && c.sent < hello_.size()) sendByte(c);
    }
    if (sampling_) {
      ++samples_;
      openSum_ += open_;
      minOpen_ = std::min(minOpen_, open_);
    }
    if (attacking_) ticker_.start(0.05);
  }

  void sendByte(SlowClient& c) {
    c.socket->writeBytes(hello_.data() + c.sent, 1);
    c.socket->flush();
    ++c.sent;
    ++bytes;
    c.nextByte += o_.interval;
  }

  void connect(SlowClient& c) {
    if (!c.socket) {
      c.socket = std::make_unique<Socket>(loop_);
      Socket* s = c.socket.get();
      s->addEventListener(Event::CONNECT, [this, &c](Event&) {
        c.state = SlowClient::State::kOpen;
        if (!c.everConnected) {
          c.everConnected = true;
          ++connected_;
        }
        ++open_;
        ++connections_;
        c.connectedAt = c.nextByte = nowSeconds();
        c.sent = 0;
        sendByte(c);
      });
      auto cutListener = [this, &c](Event&) { onCut(c); };
      s->addEventListener(Event::CLOSE, cutListener);
      s->addEventListener(IOErrorEvent::IO_ERROR, cutListener);
    }
    c.state = SlowClient::State::kConnecting;
    c.socket->connect("127.0.0.1", port_);
  }

  // onCut runs in the socket's own close or ioError listener, and reconnects from there, as an
  // AS3 client may.
  void onCut(SlowClient& c) {
    if (c.state == SlowClient::State::kConnecting) {
      ++connectFailures;
      c.state = SlowClient::State::kIdle;  // the next tick tries again
      return;
    }
    double after = nowSeconds() - c.connectedAt;
    cutAfter.push_back(after);
    ++cut;
    // libuv timers have millisecond resolution: a cut sooner than the timeout less 100 ms is
    // the server's doing for some other reason.
    if (after < timeout_ - 0.1) ++early;
    if (after > timeout_ + o_.grace) ++late;
    --open_;
    c.state = SlowClient::State::kIdle;
    if (attacking_) connect(c);
  }

  EventLoop& loop_;
  const LoadOptions& o_;
  int port_;
  std::string hello_;
  double timeout_;
  Timer ticker_;
  std::vector<SlowClient> clients_;
  bool attacking_ = false, sampling_ = false;
  std::uint64_t open_ = 0, connections_ = 0, connected_ = 0;
  std::uint64_t samples_ = 0, openSum_ = 0, minOpen_ = ~0ull;
};

// Latency is a sample of handshake times, in milliseconds.
struct Latency {
  std::size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  explicit Latency(std::vector<double> seconds) : count(seconds.size()) {
    p50 = percentile(seconds, 50) * 1000;
    p90 = percentile(seconds, 90) * 1000;
    p99 = percentile(seconds, 99) * 1000;
    max = percentile(seconds, 100) * 1000;
  }
};

int runSlowloris(LoadOptions o) {
  const char* who = "as3net load slowloris";
  if (o.handshakeTimeout < 0) o.handshakeTimeout = 2000;
  if (o.handshakeTimeout == 0) {
    std::fprintf(stderr, "%s: --handshake-timeout 0 means no timeout; nothing would cut\n", who);
    return 2;
  }
  if (!ensureDescriptors(o.slow + 64, who)) {
    std::printf("FAIL slowloris: RLIMIT_NOFILE hard limit too low for %llu slow clients\n",
                static_cast<unsigned long long>(o.slow));
    return 1;
  }
  Run run(o);
  EventLoop loop;
  Credentials credentials(o);
  credentials.trust(loop);
  ServerProcess child;
  std::vector<std::string> args = credentials.serverArgs();
  args.insert(args.end(),
              {"--connections", "16", "--slow", std::to_string(o.slow), "--handshake-timeout",
               std::to_string(o.handshakeTimeout), "--seconds", std::to_string(o.seconds)});
  if (!child.start(args)) return 1;
  std::string line;
  if (!child.readLine(&line, 30) || line.rfind("READY ", 0) != 0) {
    std::fprintf(stderr, "%s: the server process did not start\n", who);
    return 1;
  }
  const int port = static_cast<int>(number(fields(line), "port"));
  std::string hello = captureClientHello(loop);
  if (hello.size() < 5 || hello[0] != 0x16) {
    std::printf("FAIL slowloris: could not capture a ClientHello\n");
    return 1;
  }
  std::printf(
      "as3net load slowloris: %llu slow clients, one byte every %.2f s of a %zu-byte "
      "ClientHello; server handshake timeout %ld ms, server pid %ld\n",
      static_cast<unsigned long long>(o.slow), o.interval, hello.size(), o.handshakeTimeout,
      number(fields(line), "pid"));
  std::fflush(stdout);

  Prober prober(loop, port, o.pace);
  auto measure = [&](double seconds, std::vector<double>* into) {
    prober.start(into);
    as3::testing::runFor(loop, run.leftMs(seconds));
    prober.stop();
    as3::testing::runUntil(
        loop, [&] { return prober.idle(); }, run.leftMs(10));
    prober.collect();
  };
  // A first handshake outside the figures makes the client's one-time state.
  std::vector<double> warm, baseline, underAttack;
  measure(0.001, &warm);
  std::map<std::string, std::string> base =
      waitServer(loop, child, 5, [](const auto& s) { return number(s, "open") == 0; });
  const long serverBaseFds = number(base, "fds");
  const long serverBaseRss = number(base, "rss_kib");
  const int baseFds = openDescriptors();

  // Baseline: no attack.
  std::uint64_t errorsBefore = prober.errors();
  measure(o.baselineSeconds, &baseline);
  std::uint64_t baselineErrors = prober.errors() - errorsBefore;

  // The attack: every slow client connected once, then the legitimate handshakes beside it.
  Attack attack(loop, o, port, hello);
  double attackStart = nowSeconds();
  attack.start();
  as3::testing::runUntil(
      loop, [&] { return attack.ramped(); }, run.leftMs(o.handshakeTimeout / 1000.0 + 30));
  double rampSeconds = nowSeconds() - attackStart;
  errorsBefore = prober.errors();
  attack.sample(true);
  measure(o.attackSeconds, &underAttack);
  attack.sample(false);
  std::uint64_t attackErrors = prober.errors() - errorsBefore;
  std::map<std::string, std::string> during = child.ask("STAT", "STAT");
  std::uint64_t openAtEnd = attack.open();
  attack.stop();
  prober.close();
  bool clientLoopExited = settleLoop(loop, std::min(run.left(), 60.0));
  const int closedFds = openDescriptors();
  std::map<std::string, std::string> after = waitServer(
      loop, child, std::min(run.left(), 30.0),
      [&](const auto& s) { return number(s, "open") == 0 && number(s, "fds") <= serverBaseFds; });
  std::map<std::string, std::string> final =
      child.ask("QUIT", "FINAL", std::min(30.0, run.left() + 5));
  int childStatus = child.wait(10);
  bool serverLoopExited = number(final, "loop_exited") == 1 && childStatus == 0;

  Latency b(baseline), a(underAttack);
  double cutMin = percentile(attack.cutAfter, 0) * 1000;
  double cutP50 = percentile(attack.cutAfter, 50) * 1000;
  double cutMax = percentile(attack.cutAfter, 100) * 1000;
  double ratio = b.p99 > 0 ? a.p99 / b.p99 : 0;
  std::printf(
      "RESULT op=slowloris phase=attack slow=%llu interval_s=%.3f handshake_timeout_ms=%ld "
      "hello_bytes=%zu ramp_seconds=%.3f slow_connections=%llu cut=%llu cut_early=%llu "
      "cut_late=%llu uncut=%llu slow_connect_failures=%llu slow_bytes=%llu slow_open_min=%llu "
      "slow_open_mean=%.1f slow_open_at_end=%llu cut_min_ms=%.1f cut_p50_ms=%.1f "
      "cut_max_ms=%.1f\n",
      static_cast<unsigned long long>(o.slow), o.interval, o.handshakeTimeout, hello.size(),
      rampSeconds, static_cast<unsigned long long>(attack.connections()),
      static_cast<unsigned long long>(attack.cut), static_cast<unsigned long long>(attack.early),
      static_cast<unsigned long long>(attack.late), static_cast<unsigned long long>(attack.uncut),
      static_cast<unsigned long long>(attack.connectFailures),
      static_cast<unsigned long long>(attack.bytes),
      static_cast<unsigned long long>(attack.minOpen()), attack.meanOpen(),
      static_cast<unsigned long long>(openAtEnd), cutMin, cutP50, cutMax);
  std::printf(
      "RESULT op=slowloris phase=latency baseline_handshakes=%zu baseline_p50_ms=%.2f "
      "baseline_p90_ms=%.2f baseline_p99_ms=%.2f baseline_max_ms=%.2f attack_handshakes=%zu "
      "attack_p50_ms=%.2f attack_p90_ms=%.2f attack_p99_ms=%.2f attack_max_ms=%.2f "
      "p99_ratio=%.2f legit_errors=%llu resumed=%llu\n",
      b.count, b.p50, b.p90, b.p99, b.max, a.count, a.p50, a.p90, a.p99, a.max, ratio,
      static_cast<unsigned long long>(baselineErrors + attackErrors),
      static_cast<unsigned long long>(prober.resumed()));
  std::printf(
      "RESULT op=slowloris phase=close client_loop_exited=%d server_loop_exited=%d "
      "client_fds=%d client_base_fds=%d server_fds=%ld server_base_fds=%ld "
      "server_rss_kib_base=%ld server_rss_kib_attack=%ld server_peak_kib=%ld\n",
      clientLoopExited ? 1 : 0, serverLoopExited ? 1 : 0, closedFds, baseFds, number(after, "fds"),
      serverBaseFds, serverBaseRss, number(during, "rss_kib"), number(during, "peak_kib"));

  run.check(!run.expired(), "the time limit (--seconds) ran out");
  run.check(attack.ramped(), "not every slow client could connect");
  run.check(attack.cut > 0, "no slow connection was cut");
  run.check(attack.uncut == 0 && attack.late == 0,
            std::to_string(attack.uncut + attack.late) +
                " slow connections outlived the handshake timeout by more than --grace");
  run.check(attack.early == 0,
            std::to_string(attack.early) + " slow connections were cut before the timeout");
  run.check(baselineErrors + attackErrors == 0,
            std::to_string(baselineErrors + attackErrors) + " legitimate handshakes failed");
  run.check(b.count > 0 && a.count > 0, "no legitimate handshake was timed");
  char text[200];
  std::snprintf(text, sizeof text,
                "p99 under attack %.2f ms is more than %.2f x the baseline's %.2f ms", a.p99,
                o.maxRatio, b.p99);
  run.check(a.p99 <= o.maxRatio * b.p99 || a.p99 <= o.latencyFloorMs, text);
  run.check(clientLoopExited, "the client loop did not run out after the attack");
  run.check(serverLoopExited, "the server loop did not run out after closing");
  run.check(closedFds == baseFds, "client descriptors " + std::to_string(closedFds) +
                                      " after the attack, " + std::to_string(baseFds) + " before");
  run.check(number(after, "fds") == serverBaseFds,
            "server descriptors " + std::to_string(number(after, "fds")) + " after the attack, " +
                std::to_string(serverBaseFds) + " before");

  std::printf("\nsummary:\n");
  std::printf(
      "  slow clients   %llu connections made, %llu cut after %.0f-%.0f ms (median %.0f; "
      "timeout %ld), %llu early, %llu late or never; %.0f open on average (min %llu)\n",
      static_cast<unsigned long long>(attack.connections()),
      static_cast<unsigned long long>(attack.cut), cutMin, cutMax, cutP50, o.handshakeTimeout,
      static_cast<unsigned long long>(attack.early),
      static_cast<unsigned long long>(attack.late + attack.uncut), attack.meanOpen(),
      static_cast<unsigned long long>(attack.minOpen()));
  std::printf("  legitimate     baseline  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms (%zu)\n", b.p50,
              b.p90, b.p99, b.max, b.count);
  std::printf("                 attack    p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms (%zu)\n", a.p50,
              a.p90, a.p99, a.max, a.count);
  std::printf("                 p99 ratio %.2f (allowed %.2f%s)\n", ratio, o.maxRatio,
              o.latencyFloorMs > 0 ? ", or under the floor" : "");
  std::printf("  server memory  %ld KiB before, %ld KiB under attack\n", serverBaseRss,
              number(during, "rss_kib"));
  bool pass = run.failures.empty();
  std::printf("RESULT op=slowloris phase=summary pass=%d seconds=%.3f\n", pass ? 1 : 0,
              nowSeconds() - run.start);
  if (pass) {
    std::printf("PASS slowloris: every slow client cut by the timeout, p99 %.2f ms vs %.2f ms\n",
                a.p99, b.p99);
  } else {
    std::printf("FAIL slowloris:");
    for (const std::string& f : run.failures) std::printf(" %s;", f.c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
  return pass ? 0 : 1;
}

}  // namespace

int load(const Args& args) {
  if (wantsHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  LoadOptions o;
  if (!parseOptions(args, &o)) return 2;
  try {
    if (o.mode == "_server") return runServerChild(o);
    if (o.mode == "slowloris") return runSlowloris(o);
    return runLoad(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "as3net load: %s\n", e.what());
    std::printf("FAIL load: %s\n", e.what());
    return 1;
  }
}

}  // namespace as3net_tool
