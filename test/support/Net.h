// Blocking POSIX peers for tests over real loopback sockets, on threads of their own, which the
// tests join: peers written without as3net, which the testing kit (as3/testing/) does not offer.
// The loop is run with as3::testing::runUntil and runFor (as3/testing/Run.h).
#ifndef AS3NET_TEST_SUPPORT_NET_H_
#define AS3NET_TEST_SUPPORT_NET_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace test {

/// Listener is a blocking POSIX listening socket on a loopback address, port 0.
class Listener {
 public:
  explicit Listener(const char* address = "127.0.0.1", int backlog = 16);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int port() const noexcept { return port_; }
  int fd() const noexcept { return fd_; }
  /// accept waits up to `limit` for a client; -1 when none came.
  int accept(std::chrono::milliseconds limit = std::chrono::seconds(10));

 private:
  int fd_ = -1;
  int port_ = 0;
};

/// Peer runs `script` on a thread of its own with the fd of a client accepted by `listener`
/// (or -1 when none came in time), closing the fd afterwards unless the script set it to -1.
class Peer {
 public:
  Peer(Listener& listener, std::function<void(int& fd)> script);
  ~Peer();  // joins
  void join();
  bool done() const noexcept { return done_; }

 private:
  std::thread thread_;
  std::atomic<bool> done_{false};
};

/// Blocking helpers for peer scripts; each gives up after `limit`.
bool sendAll(int fd, const void* data, std::size_t length);
bool sendAll(int fd, const std::string& data);
/// receiveExactly reads `length` bytes; false on EOF, error or time limit.
bool receiveExactly(int fd, std::string* out, std::size_t length,
                    std::chrono::milliseconds limit = std::chrono::seconds(10));
/// receiveUntilEof reads until the peer's FIN; false on error or time limit.
bool receiveUntilEof(int fd, std::string* out,
                     std::chrono::milliseconds limit = std::chrono::seconds(10));
/// resetConnection closes `fd` with an RST (SO_LINGER 0) and sets it to -1.
void resetConnection(int& fd);
/// connectTo opens a client connection to `address`:`port`; -1 on failure. A non-blocking one
/// returns at once with the handshake under way.
int connectTo(const char* address, int port, bool blocking = true);
/// unusedPort is a port that was free on 127.0.0.1 a moment ago: nobody listens there, so a
/// connection to it is refused, and a program that cannot report the port it chose may take it.
int unusedPort();

/// TcpOptions are the options of a connected socket that as3net sets.
struct TcpOptions {
  bool keepAlive = false;
  int keepIdle = 0, keepInterval = 0, keepCount = 0;  // seconds, seconds, probes
  bool noDelay = false;
};
/// connectionOptions reads the options of this process's TCP connection from `localPort` to
/// `remotePort` (as3net gives no file descriptors; this looks through /proc/self/fd). False when
/// there is no such connection.
bool connectionOptions(int localPort, int remotePort, TcpOptions* out);

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_NET_H_
