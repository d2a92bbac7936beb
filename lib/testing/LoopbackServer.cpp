#include "as3/testing/LoopbackServer.h"

#include <cstdio>
#include <utility>

#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "net/detail/TestingHooks.h"

namespace as3::testing {

using Step = Script::Step;
using Kind = Script::Step::Kind;

// --- Script ------------------------------------------------------------------------------------

namespace {

std::string wholeOf(const utils::ByteArray& bytes) {
  const std::uint8_t* data = bytes.data();
  return std::string(reinterpret_cast<const char*>(data), bytes.length());
}

// printable shows bytes in a failure message: text as it is, the rest as \xNN, long runs cut.
std::string printable(std::string_view bytes) {
  constexpr std::size_t kShown = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size() && i < kShown; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  out += '"';
  if (bytes.size() > kShown) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string describe(const Step& step) {
  switch (step.kind) {
    case Kind::kSend:
      return "send(" + printable(step.bytes) + ")";
    case Kind::kExpect:
      return "expect(" + printable(step.bytes) + ")";
    case Kind::kReceive:
      return "receive(" + std::to_string(step.count) + ")";
    case Kind::kPause:
      return "pause(" + std::to_string(step.pause.count()) + " ms)";
    case Kind::kEcho:
      return "echo()";
    case Kind::kDiscard:
      return "discard()";
    case Kind::kAwaitClose:
      return "awaitClose()";
    case Kind::kClose:
      return "close()";
    case Kind::kCloseWithoutNotify:
      return "closeWithoutNotify()";
    case Kind::kReset:
      return "reset()";
  }
  return "?";
}

// waitsForTheClientToEnd: steps during which the client's end is the expected outcome.
bool waitsForTheClientToEnd(Kind kind) {
  return kind == Kind::kEcho || kind == Kind::kDiscard || kind == Kind::kAwaitClose;
}

}  // namespace

Script& Script::add(Step step) {
  steps_.push_back(std::move(step));
  return *this;
}

Script& Script::send(std::string_view bytes) {
  return add({Kind::kSend, std::string(bytes)});
}

Script& Script::send(const utils::ByteArray& bytes) {
  return add({Kind::kSend, wholeOf(bytes)});
}

Script& Script::expect(std::string_view bytes) {
  return add({Kind::kExpect, std::string(bytes)});
}

Script& Script::expect(const utils::ByteArray& bytes) {
  return add({Kind::kExpect, wholeOf(bytes)});
}

Script& Script::receive(std::size_t count) {
  Step step{Kind::kReceive, {}};
  step.count = count;
  return add(std::move(step));
}

Script& Script::pause(std::chrono::milliseconds duration) {
  Step step{Kind::kPause, {}};
  step.pause = duration;
  return add(std::move(step));
}

Script& Script::echo() {
  return add({Kind::kEcho, {}});
}

Script& Script::discard() {
  return add({Kind::kDiscard, {}});
}

Script& Script::awaitClose() {
  return add({Kind::kAwaitClose, {}});
}

Script& Script::close() {
  return add({Kind::kClose, {}});
}

Script& Script::closeWithoutNotify() {
  return add({Kind::kCloseWithoutNotify, {}});
}

Script& Script::reset() {
  return add({Kind::kReset, {}});
}

// --- LoopbackServer ----------------------------------------------------------------------------

namespace {

struct Connection {
  int number = 0;  // 1-based, in order of acceptance
  std::shared_ptr<net::Socket> socket;
  std::size_t step = 0;
  std::string inbox;                 // received, not yet consumed by a step
  std::shared_ptr<void> pauseTimer;  // set while a pause() step waits
  std::chrono::steady_clock::time_point pauseEnd;
  bool open = true;
  bool finished = false;
};

}  // namespace

struct LoopbackServer::State {
  net::EventLoop& loop;
  Script script;
  LoopbackOptions options;
  std::unique_ptr<net::ServerSocket> server;
  bool secure = false;
  std::vector<std::shared_ptr<Connection>> connections;
  int finishedCount = 0;
  std::string received;
  std::vector<std::string> failures;

  State(net::EventLoop& eventLoop, Script steps, LoopbackOptions settings)
      : loop(eventLoop), script(std::move(steps)), options(std::move(settings)) {}

  void start(const IssuedCertificate* identity);
  void accept(std::shared_ptr<net::Socket> socket);
  void advance(const std::shared_ptr<Connection>& connection);
  void clientEnded(Connection& connection, const std::string& how, bool clean);
  void fail(Connection& connection, const std::string& what);
  void finish(Connection& connection);
  void end(Connection& connection, Kind how);
};

void LoopbackServer::State::start(const IssuedCertificate* identity) {
  if (identity) {
    auto tls = std::make_unique<net::SecureServerSocket>(loop);
    tls->certificate(identity->chainPem(), identity->privateKeyPem);
    tls->handshakeTimeout(options.handshakeTimeout);
    if (!options.alpnProtocols.empty()) tls->alpnProtocols(options.alpnProtocols);
    if (!options.clientCertificateAuthoritiesPem.empty())
      tls->requireClientCertificates(options.clientCertificateAuthoritiesPem);
    tls->minimumVersion(options.minimumVersion);
    tls->maximumVersion(options.maximumVersion);
    server = std::move(tls);
    secure = true;
  } else {
    server = std::make_unique<net::ServerSocket>(loop);
  }
  server->bind(0, options.address);
  server->addEventListener(
      events::ServerSocketConnectEvent::CONNECT,
      [this](events::ServerSocketConnectEvent& event) { accept(event.socket()); });
  server->listen();
}

void LoopbackServer::State::accept(std::shared_ptr<net::Socket> socket) {
  auto connection = std::make_shared<Connection>();
  connection->number = static_cast<int>(connections.size()) + 1;
  connection->socket = std::move(socket);
  connections.push_back(connection);
  // The State owns the connections and their sockets, so the listeners cannot outlive it.
  Connection* raw = connection.get();
  std::weak_ptr<Connection> weak = connection;
  net::Socket& s = *raw->socket;
  s.addEventListener(events::ProgressEvent::SOCKET_DATA, [this, weak](events::Event&) {
    std::shared_ptr<Connection> c = weak.lock();
    if (!c) return;
    std::string bytes = c->socket->readAll();
    received += bytes;
    c->inbox += bytes;
    advance(c);
  });
  s.addEventListener(events::Event::CLOSE, [this, raw](events::Event&) {
    clientEnded(*raw, "closed the connection", true);
  });
  s.addEventListener(events::IOErrorEvent::IO_ERROR, [this, raw](events::IOErrorEvent& event) {
    clientEnded(*raw, "ended with an ioError (" + event.text() + ")", false);
  });
  advance(connection);
}

void LoopbackServer::State::advance(const std::shared_ptr<Connection>& connection) {
  Connection& c = *connection;
  const std::vector<Step>& steps = script.steps();
  while (c.open && c.step < steps.size()) {
    const Step& step = steps[c.step];
    switch (step.kind) {
      case Kind::kSend:
        c.socket->writeBytes(step.bytes.data(), step.bytes.size());
        c.socket->flush();
        break;
      case Kind::kExpect: {
        std::size_t compared = std::min(c.inbox.size(), step.bytes.size());
        if (c.inbox.compare(0, compared, step.bytes, 0, compared) != 0) {
          fail(c, "step " + std::to_string(c.step + 1) + " " + describe(step) + " received " +
                      printable(c.inbox.substr(0, step.bytes.size())));
          end(c, Kind::kClose);
          return;
        }
        if (compared < step.bytes.size()) return;  // the rest is still on its way
        c.inbox.erase(0, compared);
        break;
      }
      case Kind::kReceive:
        if (c.inbox.size() < step.count) return;
        c.inbox.erase(0, step.count);
        break;
      case Kind::kPause:
        if (!c.pauseTimer) c.pauseEnd = std::chrono::steady_clock::now() + step.pause;
        if (std::chrono::steady_clock::now() < c.pauseEnd) {
          // libuv's timers run on a coarse clock and may fire a little early: wait again then.
          auto left = std::chrono::ceil<std::chrono::milliseconds>(
              c.pauseEnd - std::chrono::steady_clock::now());
          std::weak_ptr<Connection> weak = connection;
          c.pauseTimer =
              net::detail::startTimer(loop, static_cast<std::uint64_t>(left.count()), [this, weak] {
                if (std::shared_ptr<Connection> waiting = weak.lock()) advance(waiting);
              });
          return;
        }
        c.pauseTimer.reset();
        break;
      case Kind::kEcho:
        if (!c.inbox.empty()) {
          c.socket->writeBytes(c.inbox.data(), c.inbox.size());
          c.socket->flush();
          c.inbox.clear();
        }
        return;
      case Kind::kDiscard:
        c.inbox.clear();
        return;
      case Kind::kAwaitClose:
        return;
      case Kind::kClose:
      case Kind::kCloseWithoutNotify:
      case Kind::kReset:
        finish(c);
        end(c, step.kind);
        return;
    }
    ++c.step;
  }
  if (c.open && c.step == steps.size()) finish(c);
}

void LoopbackServer::State::clientEnded(Connection& c, const std::string& how, bool clean) {
  if (!c.open) return;
  c.open = false;
  c.pauseTimer.reset();
  const std::vector<Step>& steps = script.steps();
  // Only a clean close (TLS: close_notify, then FIN) is the end a script waits for; a reset or
  // a truncation is recorded, so a test can require that its client closes properly.
  if (!clean) {
    fail(c, "the client " + how +
                (c.step < steps.size()
                     ? " during step " + std::to_string(c.step + 1) + " " + describe(steps[c.step])
                     : " after the script's last step"));
    return;
  }
  if (c.step < steps.size() && !waitsForTheClientToEnd(steps[c.step].kind)) {
    fail(c, "the client " + how + " while step " + std::to_string(c.step + 1) + " " +
                describe(steps[c.step]) + " waited");
    return;
  }
  finish(c);
}

void LoopbackServer::State::fail(Connection& c, const std::string& what) {
  failures.push_back("connection " + std::to_string(c.number) + ": " + what);
}

void LoopbackServer::State::finish(Connection& c) {
  if (c.finished) return;
  c.finished = true;
  ++finishedCount;
}

void LoopbackServer::State::end(Connection& c, Kind how) {
  if (!c.open) return;
  c.open = false;
  c.pauseTimer.reset();
  if (!c.socket->connected()) return;
  if (how == Kind::kClose)
    c.socket->close();
  else
    net::detail::endAbruptly(*c.socket, how == Kind::kReset);
}

namespace {

IssuedCertificate loopbackIdentity(const TestCertificateAuthority& authority) {
  CertificateOptions options;
  options.dnsNames = {"localhost"};
  options.ipAddresses = {"127.0.0.1", "::1"};
  return authority.issue(options);
}

}  // namespace

LoopbackServer::LoopbackServer(net::EventLoop& loop, Script script, LoopbackOptions options)
    : state_(std::make_shared<State>(loop, std::move(script), std::move(options))) {
  state_->start(nullptr);
}

LoopbackServer::LoopbackServer(net::EventLoop& loop, const TestCertificateAuthority& authority,
                               Script script, LoopbackOptions options)
    : LoopbackServer(loop, loopbackIdentity(authority), std::move(script), std::move(options)) {}

LoopbackServer::LoopbackServer(net::EventLoop& loop, const IssuedCertificate& identity,
                               Script script, LoopbackOptions options)
    : state_(std::make_shared<State>(loop, std::move(script), std::move(options))) {
  state_->start(&identity);
}

LoopbackServer::~LoopbackServer() {
  close();
}

const std::string& LoopbackServer::host() const noexcept {
  return state_->options.address;
}

int LoopbackServer::port() const noexcept {
  return state_->server->localPort();
}

bool LoopbackServer::secure() const noexcept {
  return state_->secure;
}

int LoopbackServer::connections() const noexcept {
  return static_cast<int>(state_->connections.size());
}

int LoopbackServer::finished() const noexcept {
  return state_->finishedCount;
}

int LoopbackServer::open() const noexcept {
  int count = 0;
  for (const auto& connection : state_->connections) count += connection->open ? 1 : 0;
  return count;
}

std::string LoopbackServer::received() const {
  return state_->received;
}

std::vector<std::string> LoopbackServer::failures() const {
  return state_->failures;
}

void LoopbackServer::close() {
  State& state = *state_;
  if (state.server && state.server->listening()) state.server->close();
  for (const auto& connection : state.connections) state.end(*connection, Kind::kClose);
}

}  // namespace as3::testing
