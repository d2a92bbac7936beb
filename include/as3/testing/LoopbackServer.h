#ifndef AS3_TESTING_LOOPBACKSERVER_H_
#define AS3_TESTING_LOOPBACKSERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/ServerSocket.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"

namespace as3::net {
class EventLoop;
}

namespace as3::testing {

/// Script is what a LoopbackServer does on every connection it accepts, step after step: a
/// transcript of sends, expectations and ends, built by chaining. Not in AIR.
///
///     Script().expect("HELLO\n").send("WELCOME\n").echo()      // greet, then echo
///     Script().send(frame).closeWithoutNotify()                // a truncating server
///
/// A script that runs out of steps leaves the connection open and idle. The client is expected to
/// close cleanly (a FIN; with TLS, close_notify first): a client that resets or truncates the
/// connection is recorded in LoopbackServer::failures(), whatever the step.
class AS3NET_EXPORT Script {
 public:
  /// Step is one step of a script; read them through steps().
  struct Step {
    /// Kind is which method added the step.
    enum class Kind {
      kSend,
      kExpect,
      kReceive,
      kPause,
      kEcho,
      kDiscard,
      kAwaitClose,
      kClose,
      kCloseWithoutNotify,
      kReset
    };
    Kind kind;                          ///< what the step does
    std::string bytes;                  ///< kSend, kExpect
    std::size_t count = 0;              ///< kReceive
    std::chrono::milliseconds pause{};  ///< kPause
  };

  /// send writes `bytes` and flushes.
  Script& send(std::string_view bytes);
  /// send writes the whole of `bytes` (from 0 to its length, whatever its position).
  Script& send(const utils::ByteArray& bytes);
  /// expect waits for the next bytes from the client and requires them to be exactly `bytes`.
  /// A difference, or the client ending first, is recorded in LoopbackServer::failures() and
  /// the connection is closed.
  Script& expect(std::string_view bytes);
  /// expect requires the whole of `bytes`, as above.
  Script& expect(const utils::ByteArray& bytes);
  /// receive waits for the next `count` bytes, whatever they are.
  Script& receive(std::size_t count);
  /// pause waits `duration` before the next step.
  Script& pause(std::chrono::milliseconds duration);
  /// echo sends back everything the client sends, until the client closes. Always the last step.
  Script& echo();
  /// discard reads and drops everything the client sends, until the client closes. Always last.
  Script& discard();
  /// awaitClose waits for the client to close the connection. Bytes it sends meanwhile are kept
  /// in received().
  Script& awaitClose();
  /// close ends the connection as a well-behaved server does: Socket::close(), so TLS sends
  /// close_notify before the FIN.
  Script& close();
  /// closeWithoutNotify sends the flushed bytes, then a FIN without TLS's close_notify: the
  /// client must report a truncation. On plain TCP it is the same as close().
  Script& closeWithoutNotify();
  /// reset ends the connection at once with a TCP RST.
  Script& reset();

  /// steps are the steps added so far, in order.
  const std::vector<Step>& steps() const noexcept { return steps_; }

 private:
  Script& add(Step step);
  std::vector<Step> steps_;
};

/// LoopbackOptions adjust a LoopbackServer.
struct LoopbackOptions {
  /// The loopback address to listen on: "127.0.0.1" or "::1". The port is always one the OS
  /// chooses.
  std::string address = "127.0.0.1";
  /// TLS only: the handshake time limit, in milliseconds (0: none).
  std::uint32_t handshakeTimeout = net::SecureServerSocket::kDefaultHandshakeTimeout;
  /// TLS only: the ALPN protocols accepted, in order of preference (empty: no ALPN).
  std::vector<std::string> alpnProtocols;
  /// TLS only: when not empty, clients must present a certificate chaining to one of these
  /// PEM certificates (mutual TLS), e.g. TestCertificateAuthority::certificatePem().
  std::string clientCertificateAuthoritiesPem;
  /// TLS only: the oldest protocol version allowed.
  net::TlsVersion minimumVersion = net::TlsVersion::TLSv1_2;
  /// TLS only: the newest protocol version allowed.
  net::TlsVersion maximumVersion = net::TlsVersion::TLSv1_3;
};

/// LoopbackServer is a server for tests: a ServerSocket (plain TCP) or SecureServerSocket (TLS
/// with a certificate from a TestCertificateAuthority) listening on a loopback address and a
/// port the OS chooses, running a Script on every connection it accepts, on `loop`. It
/// records what arrived and what went wrong, for the test to check after the loop has run.
/// Listening starts in the constructor; the destructor closes the server and its connections
/// without any event. Not in AIR.
class AS3NET_EXPORT LoopbackServer {
 public:
  /// Creates a plain TCP server.
  explicit LoopbackServer(net::EventLoop& loop, Script script = Script().echo(),
                          LoopbackOptions options = {});
  /// Creates a TLS server presenting a fresh certificate from `authority` for "localhost",
  /// 127.0.0.1 and ::1.
  LoopbackServer(net::EventLoop& loop, const TestCertificateAuthority& authority,
                 Script script = Script().echo(), LoopbackOptions options = {});
  /// Creates a TLS server presenting `identity` (and its intermediates), which may be any
  /// certificate the authority made, defects included.
  LoopbackServer(net::EventLoop& loop, const IssuedCertificate& identity,
                 Script script = Script().echo(), LoopbackOptions options = {});
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  /// host is the address to connect to: the listening address, "127.0.0.1" or "::1".
  const std::string& host() const noexcept;
  /// port is the port the OS chose.
  int port() const noexcept;
  /// secure tells whether this is a TLS server.
  bool secure() const noexcept;

  /// connections counts the connections accepted (for TLS: those whose handshake succeeded).
  int connections() const noexcept;
  /// finished counts the connections whose script has run to its end, or to the client's end
  /// during echo(), discard() or awaitClose().
  int finished() const noexcept;
  /// open counts the accepted connections still open.
  int open() const noexcept;
  /// received is every byte that clients sent, connection after connection in arrival order.
  std::string received() const;
  /// failures describe each unmet expectation, each connection the client ended while a step
  /// still waited, and each connection the client reset or truncated (no close_notify), naming
  /// the connection and the step; empty when all went as scripted.
  std::vector<std::string> failures() const;

  /// close stops listening and ends every open connection as Script::close() does. Dispatches
  /// nothing.
  void close();

  struct State;  // internal

 private:
  std::shared_ptr<State> state_;
};

}  // namespace as3::testing

#endif  // AS3_TESTING_LOOPBACKSERVER_H_
