// as3net verify | connect | serve: the SDK's validation policy offline, a client that connects
// exactly like a SecureSocket, and a SecureServerSocket to test it against. Everything goes
// through the public API (CertificateValidator, SecureSocket, SecureServerSocket); the only
// libuv handles of the tool's own are timers and signal watchers on EventLoop::uvLoop().
#include "CommandSecurity.h"
#include "UvHandles.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/TrustStore.h"
#include "as3/security/X509Certificate.h"

namespace as3net_tool {
namespace {

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::OutputProgressEvent;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::security::CertificateValidator;
using as3::security::TrustStore;
using as3::security::ValidationResult;
using as3::security::X509Certificate;

constexpr const char* kVerifyUsage =
    "usage: as3net verify [--host NAME|IP] [--ca FILE]... [--untrusted FILE]... [--crl FILE]...\n"
    "                     [--time UNIX] [--system-roots] LEAF\n"
    "\n"
    "Validates the certificate in LEAF with as3net's policy (docs/security.md), as a\n"
    "SecureSocket would for a server presenting it. LEAF may hold PEM (one or more\n"
    "certificates: the first is the leaf, the others are presented after it, as a server's\n"
    "chain file) or one DER certificate; - reads stdin.\n"
    "\n"
    "  --host NAME|IP     the host the client connected to; without it the name is not checked\n"
    "  --ca FILE          trust the certificates of FILE (PEM or DER) as anchors; repeatable\n"
    "  --system-roots     with --ca, trust the platform's anchors too (without --ca they are\n"
    "                     the only anchors)\n"
    "  --untrusted FILE   offer the certificates of FILE as intermediates; repeatable\n"
    "  --crl FILE         check revocation against the CRLs of FILE (PEM or DER); repeatable\n"
    "  --time UNIX        validate at this time (seconds since 1970 UTC) instead of now\n"
    "\n"
    "Output: the CertificateStatus (trusted, expired, notYetValid, invalid, invalidChain,\n"
    "principalMismatch, revoked, untrustedSigners) alone on the first line, then\n"
    "'reason=<why>' when not trusted, then one 'chain[i] subject=\"DN\" issuer=\"DN\"' line per\n"
    "certificate of the verified path (or of the certificates given when none was built).\n"
    "Exit status: 0 trusted, 1 any other verdict, 2 usage or input error.\n";

constexpr const char* kConnectUsage =
    "usage: as3net connect HOST PORT [--servername NAME] [--ca FILE]... [--chain FILE]...\n"
    "                      [--crl FILE]... [--pin SHA256]... [--linger SECONDS]\n"
    "\n"
    "Connects to HOST:PORT exactly as a SecureSocket does (TLS 1.2 or 1.3, SNI for a host\n"
    "name, as3net's validation policy), prints what happened, then copies stdin to the\n"
    "server and the server's bytes to stdout.\n"
    "\n"
    "  --servername NAME  validate the certificate for NAME and send it as SNI, while still\n"
    "                     connecting to HOST (SecureSocket::serverName)\n"
    "  --ca FILE          trust the certificates of FILE (PEM or DER) as anchors besides the\n"
    "                     platform's; repeatable\n"
    "  --chain FILE       offer the certificates of FILE as intermediates; repeatable\n"
    "  --crl FILE         check revocation against the CRLs of FILE (PEM or DER); repeatable\n"
    "  --pin SHA256       require a certificate of the verified chain to have this SPKI\n"
    "                     SHA-256 (base64; a 'sha256//' prefix is allowed); repeatable,\n"
    "                     several pins are alternatives\n"
    "  --linger SECONDS   once stdin has ended and everything was sent, keep reading until\n"
    "                     the server closes or SECONDS pass without data (default 1), then\n"
    "                     close with close_notify\n"
    "\n"
    "Output on stdout, before any data: 'status=<CertificateStatus>', then\n"
    "'event=<type> text=<text>' for each of certificateError, ioError or connect, one\n"
    "'chain[i] subject=\"DN\" issuer=\"DN\"' line per certificate the server presented,\n"
    "'protocol=', 'cipher=' and 'remote=ADDRESS:PORT' once connected. Later failures go to\n"
    "stderr.\n"
    "Exit status: 0 connected and ended cleanly, 1 the connection failed or broke, 2 usage or\n"
    "input error.\n";

constexpr const char* kServeUsage =
    "usage: as3net serve PORT --cert FILE [--key FILE] [--mode echo|discard] [--host ADDRESS]\n"
    "\n"
    "Runs a SecureServerSocket on ADDRESS:PORT (PORT 0: one the system chooses) and prints\n"
    "'LISTENING port=<port>' once it accepts connections. Each client that completes the\n"
    "handshake is served until it closes; SIGINT or SIGTERM stops the server (exit 0).\n"
    "\n"
    "  --cert FILE     the server's certificate chain, PEM, leaf first\n"
    "  --key FILE      its private key, PEM (default: the key in the --cert file)\n"
    "  --mode MODE     echo: send back every byte received (default); discard: drop them\n"
    "  --host ADDRESS  the IP address to bind (default 127.0.0.1; 0.0.0.0 for every IPv4\n"
    "                  interface, :: for every IPv6 one)\n"
    "Exit status: 0 stopped by a signal, 2 usage error or a failure to start.\n";

// UsageError is a command line the command cannot run: printed with the usage, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// InputError is input the command cannot use (an unreadable file): printed as
// `as3net: <message>`, exit 2, as the SDK's errors are.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// runCommand prints the usage for --help, and turns the errors `body` throws into exit statuses.
int runCommand(const char* name, const char* usage, const Args& args,
               const std::function<int()>& body) {
  if (wantsHelp(args)) {
    std::fputs(usage, stdout);
    return 0;
  }
  try {
    return body();
  } catch (const UsageError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "as3net %s: %s\n\n%s", name, e.what(), usage);
  } catch (const as3::errors::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "as3net: %s\n", e.message().c_str());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "as3net: %s\n", e.what());
  }
  return 2;
}

// matchOption tells whether args[i] is the option `name`, written "--name VALUE" or
// "--name=VALUE"; it then stores the value and leaves i on the last word it used.
bool matchOption(const Args& args, std::size_t& i, std::string_view name, std::string& value) {
  const std::string& a = args[i];
  if (a == name) {
    if (i + 1 == args.size()) throw UsageError(std::string(name) + " needs a value");
    value = args[++i];
    return true;
  }
  if (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=') {
    value = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

bool isOption(const std::string& a) {
  return a.size() > 1 && a[0] == '-';
}

// parseInteger accepts decimal digits only, within [low, high].
std::int64_t parseInteger(const std::string& text, std::int64_t low, std::int64_t high,
                          const char* what) {
  bool digits = !text.empty() && text.size() <= 18 &&
                text.find_first_not_of("0123456789") == std::string::npos;
  std::int64_t value = digits ? std::strtoll(text.c_str(), nullptr, 10) : -1;
  if (!digits || value < low || value > high)
    throw UsageError(std::string(what) + " must be a whole number from " + std::to_string(low) +
                     " to " + std::to_string(high) + ", not '" + text + "'");
  return value;
}

int parsePort(const std::string& text) {
  return static_cast<int>(parseInteger(text, 0, 65535, "PORT"));
}

std::string readFile(const std::string& path) {
  bool useStdin = path == "-";
  std::FILE* f = useStdin ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) throw InputError("cannot open '" + path + "': " + std::strerror(errno));
  std::string data;
  char buffer[1 << 14];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.append(buffer, n);
  bool failed = std::ferror(f) != 0;
  int error = errno;
  if (!useStdin) std::fclose(f);
  if (failed) throw InputError("cannot read '" + path + "': " + std::strerror(error));
  return data;
}

// loadCertificates reads every certificate of a PEM file, or the one of a DER file.
std::vector<X509Certificate> loadCertificates(const std::string& path) {
  std::string data = readFile(path);
  try {
    return X509Certificate::fromPEM(data);
  } catch (const as3::errors::Error& e) {
    throw InputError(e.message() + " ('" + path + "' holds no usable certificate)");
  }
}

std::string loadCRLs(const std::string& path, CertificateValidator& validator) {
  std::string data = readFile(path);
  try {
    validator.addCRLs(data);
  } catch (const as3::errors::Error& e) {
    throw InputError(e.message() + " ('" + path + "' holds no usable CRL)");
  }
  return data;
}

// chainLine is `chain[i] subject="DN" issuer="DN"`; RFC 4514 text escapes '"' and '\', so
// the quotes are unambiguous.
std::string chainLine(std::size_t index, const X509Certificate& certificate) {
  return "chain[" + std::to_string(index) + "] subject=\"" + certificate.subject().toString() +
         "\" issuer=\"" + certificate.issuer().toString() + "\"";
}

// oneLine keeps a text on one output line.
std::string oneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

// --- verify ---------------------------------------------------------------------------------

int verifyCommand(const Args& args) {
  std::string host, leaf, value;
  std::vector<std::string> cas, untrusted, crls;
  std::int64_t time = 0;
  bool systemRoots = false, haveLeaf = false, optionsEnded = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (optionsEnded || !isOption(a) || a == "-") {
      if (haveLeaf) throw UsageError("more than one LEAF ('" + leaf + "', '" + a + "')");
      leaf = a;
      haveLeaf = true;
    } else if (a == "--") {
      optionsEnded = true;
    } else if (matchOption(args, i, "--host", value)) {
      host = value;
    } else if (matchOption(args, i, "--ca", value)) {
      cas.push_back(value);
    } else if (matchOption(args, i, "--untrusted", value)) {
      untrusted.push_back(value);
    } else if (matchOption(args, i, "--crl", value)) {
      crls.push_back(value);
    } else if (matchOption(args, i, "--time", value)) {
      // 0 is the validator's "now", so the epoch itself cannot be asked for.
      time = parseInteger(value, 1, 253402300799, "--time");  // up to 9999-12-31
    } else if (a == "--system-roots") {
      systemRoots = true;
    } else {
      throw UsageError("unknown option '" + a + "'");
    }
  }
  if (!haveLeaf) throw UsageError("no LEAF certificate file");

  std::shared_ptr<const TrustStore> anchors;
  if (cas.empty()) {
    anchors = TrustStore::system();
  } else {
    auto store = std::make_shared<TrustStore>();
    if (systemRoots)
      for (const X509Certificate& anchor : TrustStore::system()->anchors()) store->add(anchor);
    for (const std::string& path : cas) store->loadFile(path);
    anchors = std::move(store);
  }
  if (anchors->size() == 0)
    std::fprintf(stderr, "as3net verify: warning: no trust anchors (platform store: %s)\n",
                 TrustStore::system()->source().empty() ? "none found"
                                                        : TrustStore::system()->source().c_str());
  CertificateValidator validator(anchors);
  for (const std::string& path : untrusted)
    for (const X509Certificate& certificate : loadCertificates(path))
      validator.addIntermediate(certificate);
  for (const std::string& path : crls) loadCRLs(path, validator);
  validator.time(time);
  std::vector<X509Certificate> presented = loadCertificates(leaf);

  ValidationResult result = validator.validate(presented, host);
  std::printf("%s\n", result.status.c_str());
  if (!result.reason.empty()) std::printf("reason=%s\n", oneLine(result.reason).c_str());
  for (std::size_t i = 0; i < result.chain.size(); ++i)
    std::printf("%s\n", chainLine(i, result.chain[i]).c_str());
  std::fflush(stdout);
  return result.trusted() ? 0 : 1;
}

// --- connect --------------------------------------------------------------------------------

// StdinReader reads stdin on a thread of its own and hands each chunk to the loop with
// EventLoop::post, one chunk at a time: the next read waits for resume(), so a server that
// reads slowly slows the reading down instead of filling memory. The thread is detached (a
// read of stdin cannot be interrupted portably); it touches nothing but the shared state,
// and stops posting once detach() has run.
class StdinReader {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;

  StdinReader(EventLoop& loop, std::function<void(std::string)> onChunk,
              std::function<void(int error)> onEnd)
      : shared_(std::make_shared<Shared>()) {
    shared_->loop = &loop;
    shared_->onChunk = std::move(onChunk);
    shared_->onEnd = std::move(onEnd);
  }
  ~StdinReader() { detach(); }
  StdinReader(const StdinReader&) = delete;
  StdinReader& operator=(const StdinReader&) = delete;

  void start() {
    if (started_) return;
    started_ = true;
    std::thread(&StdinReader::run, shared_).detach();
  }
  /// resume lets the thread read the next chunk. Called on the loop's thread.
  void resume() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->mayRead = true;
    }
    shared_->wake.notify_one();
  }
  /// detach stops the thread from posting; the callbacks are not called afterwards.
  void detach() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->loop = nullptr;
    }
    shared_->wake.notify_one();
    shared_->onChunk = nullptr;  // the loop's thread is the only one that reads them
    shared_->onEnd = nullptr;
  }

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable wake;
    EventLoop* loop = nullptr;  // null once detached
    bool mayRead = true;
    std::function<void(std::string)> onChunk;  // loop thread only
    std::function<void(int)> onEnd;            // loop thread only
  };

  static void run(std::shared_ptr<Shared> shared) {
    std::vector<char> buffer(kChunk);
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(shared->mutex);
        shared->wake.wait(lock, [&] { return shared->mayRead || !shared->loop; });
        if (!shared->loop) return;
        shared->mayRead = false;
      }
      ssize_t n;
      do {
        n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      } while (n < 0 && errno == EINTR);
      int error = n < 0 ? errno : 0;
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (!shared->loop) return;
      if (n > 0) {
        shared->loop->post(
            [shared, data = std::string(buffer.data(), static_cast<std::size_t>(n))]() mutable {
              if (shared->onChunk) shared->onChunk(std::move(data));
            });
      } else {
        shared->loop->post([shared, error] {
          if (shared->onEnd) shared->onEnd(error);
        });
        return;
      }
    }
  }

  std::shared_ptr<Shared> shared_;
  bool started_ = false;
};

int connectCommand(const Args& args) {
  std::vector<std::string> positional, cas, chains, crls, pins;
  std::string serverName, value;
  bool haveServerName = false, optionsEnded = false;
  double linger = 1.0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (optionsEnded || !isOption(a)) {
      positional.push_back(a);
    } else if (a == "--") {
      optionsEnded = true;
    } else if (matchOption(args, i, "--servername", value)) {
      serverName = value;
      haveServerName = true;
    } else if (matchOption(args, i, "--ca", value)) {
      cas.push_back(value);
    } else if (matchOption(args, i, "--chain", value)) {
      chains.push_back(value);
    } else if (matchOption(args, i, "--crl", value)) {
      crls.push_back(value);
    } else if (matchOption(args, i, "--pin", value)) {
      pins.push_back(value.rfind("sha256//", 0) == 0 ? value.substr(8) : value);
    } else if (matchOption(args, i, "--linger", value)) {
      char* end = nullptr;
      linger = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(linger >= 0 && linger <= 86400))
        throw UsageError("--linger takes seconds from 0 to 86400, not '" + value + "'");
    } else {
      throw UsageError("unknown option '" + a + "'");
    }
  }
  if (positional.size() != 2) throw UsageError("expected HOST and PORT");
  const std::string& host = positional[0];
  int port = parsePort(positional[1]);
  if (haveServerName && serverName.empty()) throw UsageError("--servername needs a name");

  EventLoop loop;
  SecureSocket socket(loop);
  if (haveServerName) socket.serverName(serverName);
  for (const std::string& path : cas)
    for (const X509Certificate& certificate : loadCertificates(path))
      socket.validator().addAnchor(certificate);
  for (const std::string& path : chains)
    for (const X509Certificate& certificate : loadCertificates(path))
      socket.validator().addIntermediate(certificate);
  for (const std::string& path : crls) loadCRLs(path, socket.validator());
  for (const std::string& pin : pins) socket.validator().addPin(pin);

  constexpr std::uint32_t kLowWater = 1u << 20;  // read stdin again below this many pending
  int status = -1;
  bool statusPrinted = false, established = false, waitingForDrain = false, stdinEnded = false,
       lingering = false;
  std::unique_ptr<StdinReader> reader;
  std::unique_ptr<Timer> lingerTimer, lastResort;

  auto printStatus = [&] {
    if (statusPrinted) return;
    statusPrinted = true;
    std::printf("status=%s\n", socket.serverCertificateStatus().c_str());
  };
  auto printChain = [&] {
    std::vector<X509Certificate> chain = socket.serverCertificateChain();
    for (std::size_t i = 0; i < chain.size(); ++i)
      std::printf("%s\n", chainLine(i, chain[i]).c_str());
  };
  // finish ends the session: `graceful` closes with close_notify after the flushed bytes and
  // lets the loop run out, so that they leave; otherwise the loop stops now.
  auto finish = [&](int exitStatus, bool graceful) {
    if (status >= 0) return;
    status = exitStatus;
    std::fflush(stdout);
    if (reader) reader->detach();
    if (lingerTimer) lingerTimer->close();
    if (graceful && socket.connected()) {
      socket.close();
      // Should the close take long, do not wait for it beyond a few seconds.
      lastResort = std::make_unique<Timer>(
          loop, [&] { loop.stop(); }, false);
      lastResort->start(5);
    } else {
      loop.stop();
    }
  };
  auto writeStdout = [&](const std::string& data) {
    if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() ||
        std::fflush(stdout) != 0) {
      std::fprintf(stderr, "as3net connect: cannot write to stdout: %s\n", std::strerror(errno));
      finish(1, true);
    }
  };
  auto startLinger = [&] {
    lingering = true;
    lingerTimer->start(linger);
  };

  lingerTimer = std::make_unique<Timer>(loop, [&] { finish(0, true); });
  reader = std::make_unique<StdinReader>(
      loop,
      [&](std::string data) {
        if (status >= 0 || !socket.connected()) return;
        socket.writeBytes(data.data(), data.size());
        socket.flush();
        if (socket.bytesPending() <= kLowWater)
          reader->resume();
        else
          waitingForDrain = true;
      },
      [&](int error) {
        if (status >= 0) return;
        if (error != 0) {
          std::fprintf(stderr, "as3net connect: cannot read stdin: %s\n", std::strerror(error));
          finish(1, true);
          return;
        }
        stdinEnded = true;
        if (socket.bytesPending() == 0) startLinger();
      });

  socket.addEventListener(SecurityErrorEvent::CERTIFICATE_ERROR, [&](SecurityErrorEvent& e) {
    printStatus();
    std::printf("event=%s text=%s\n", std::string(e.type()).c_str(), oneLine(e.text()).c_str());
  });
  socket.addEventListener(IOErrorEvent::IO_ERROR, [&](IOErrorEvent& e) {
    if (status >= 0) return;
    if (established) {
      std::fflush(stdout);
      std::fprintf(stderr, "as3net connect: %s\n", oneLine(e.text()).c_str());
      finish(1, false);
      return;
    }
    printStatus();
    std::printf("event=%s text=%s\n", std::string(e.type()).c_str(), oneLine(e.text()).c_str());
    printChain();
    std::string protocol = socket.protocol();
    if (!protocol.empty()) std::printf("protocol=%s\n", protocol.c_str());
    finish(1, false);
  });
  socket.addEventListener(Event::CONNECT, [&](Event& e) {
    printStatus();
    std::printf("event=%s\n", std::string(e.type()).c_str());
    printChain();
    std::printf("protocol=%s\n", socket.protocol().c_str());
    std::printf("cipher=%s\n", socket.cipher().c_str());
    std::string remote = socket.remoteAddress();
    bool v6 = remote.find(':') != std::string::npos;
    std::printf("remote=%s%s%s:%d\n", v6 ? "[" : "", remote.c_str(), v6 ? "]" : "",
                socket.remotePort());
    std::fflush(stdout);
    established = true;  // later ioErrors are breaks of the stream, reported on stderr
    reader->start();
  });
  socket.addEventListener(ProgressEvent::SOCKET_DATA, [&](Event&) {
    if (status >= 0) return;
    writeStdout(socket.readAll());
    if (status < 0 && stdinEnded && socket.bytesPending() == 0) startLinger();
  });
  socket.addEventListener(OutputProgressEvent::OUTPUT_PROGRESS, [&](Event&) {
    if (status >= 0) return;
    if (waitingForDrain && socket.bytesPending() <= kLowWater) {
      waitingForDrain = false;
      reader->resume();
    }
    if (stdinEnded && !lingering && socket.bytesPending() == 0) startLinger();
  });
  socket.addEventListener(Event::CLOSE, [&](Event&) {
    if (status >= 0) return;
    if (socket.bytesAvailable() > 0) writeStdout(socket.readAll());  // none are left unread
    if (status < 0) finish(0, false);
  });

  socket.connect(host, port);
  loop.run();
  std::fflush(stdout);
  reader->detach();
  return status < 0 ? 1 : status;
}

// --- serve ----------------------------------------------------------------------------------

int serveCommand(const Args& args) {
  std::string cert, key, mode = "echo", bindHost = "127.0.0.1", value, portText;
  bool havePort = false, optionsEnded = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (optionsEnded || !isOption(a)) {
      if (havePort) throw UsageError("more than one PORT ('" + portText + "', '" + a + "')");
      portText = a;
      havePort = true;
    } else if (a == "--") {
      optionsEnded = true;
    } else if (matchOption(args, i, "--cert", value)) {
      cert = value;
    } else if (matchOption(args, i, "--key", value)) {
      key = value;
    } else if (matchOption(args, i, "--mode", value)) {
      if (value != "echo" && value != "discard")
        throw UsageError("--mode is echo or discard, not '" + value + "'");
      mode = value;
    } else if (matchOption(args, i, "--host", value)) {
      bindHost = value;
    } else {
      throw UsageError("unknown option '" + a + "'");
    }
  }
  if (!havePort) throw UsageError("no PORT");
  int port = parsePort(portText);
  if (cert.empty()) throw UsageError("--cert is required");
  bool echo = mode == "echo";

  constexpr std::uint32_t kHighWater = 1u << 20;  // per connection, each way
  EventLoop loop;
  SecureServerSocket server(loop);
  server.certificateFile(cert, key);
  server.bind(port, bindHost);
  server.listen();
  std::printf("LISTENING port=%d\n", server.localPort());
  std::fflush(stdout);

  // The connections being served; a socket leaves when it closes or fails, even from inside
  // its own listener (which the SDK allows).
  std::unordered_map<Socket*, std::shared_ptr<Socket>> connections;
  auto drop = [&](Socket* socket) { connections.erase(socket); };
  auto pump = [&](Socket* socket) {
    try {
      if (!echo) {
        socket->purge();
        return;
      }
      // Take no more while the client is not reading what was sent back: the unread input
      // then stops the socket from reading (inputHighWaterMark), and TCP slows the client.
      if (socket->bytesAvailable() == 0 || socket->bytesPending() > kHighWater) return;
      std::string data = socket->readAll();
      socket->writeBytes(data.data(), data.size());
      socket->flush();
    } catch (const as3::errors::Error& e) {
      std::fprintf(stderr, "as3net serve: %s:%d: %s\n", socket->remoteAddress().c_str(),
                   socket->remotePort(), e.message().c_str());
      drop(socket);
    }
  };
  server.addEventListener(ServerSocketConnectEvent::CONNECT, [&](ServerSocketConnectEvent& e) {
    std::shared_ptr<Socket> socket = e.socket();
    if (!socket) return;
    Socket* raw = socket.get();
    raw->inputHighWaterMark(kHighWater);
    raw->addEventListener(ProgressEvent::SOCKET_DATA, [&, raw](Event&) { pump(raw); });
    raw->addEventListener(OutputProgressEvent::OUTPUT_PROGRESS, [&, raw](Event&) { pump(raw); });
    raw->addEventListener(Event::CLOSE, [&, raw](Event&) { drop(raw); });
    raw->addEventListener(IOErrorEvent::IO_ERROR, [&, raw](Event&) { drop(raw); });
    connections.emplace(raw, std::move(socket));
    pump(raw);  // bytes that came with the handshake
  });

  std::unique_ptr<StopSignals> signals;
  signals = std::make_unique<StopSignals>(loop, [&] {
    signals->close();
    server.close();
    connections.clear();  // each closes with close_notify
    loop.stop();
  });
  loop.run();
  return 0;
}

}  // namespace

int verify(const Args& args) {
  return runCommand("verify", kVerifyUsage, args, [&] { return verifyCommand(args); });
}

int connect(const Args& args) {
  return runCommand("connect", kConnectUsage, args, [&] { return connectCommand(args); });
}

int serve(const Args& args) {
  return runCommand("serve", kServeUsage, args, [&] { return serveCommand(args); });
}

}  // namespace as3net_tool
