// A TCP proxy on loopback that stands between a client and a server and misbehaves on purpose:
// it splits traffic into small segments, or ends the connection toward the client with a FIN
// or a reset at an exact byte offset. It runs on a thread of its own, serves one connection, and
// is joined by its destructor.
#ifndef AS3NET_TEST_SUPPORT_FAULTPROXY_H_
#define AS3NET_TEST_SUPPORT_FAULTPROXY_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

namespace test {

class FaultProxy {
 public:
  struct Plan {
    /// Forward at most this many bytes per send, in both directions (0: as they come).
    std::size_t segment = 0;
    /// Wait this long between segments.
    std::chrono::microseconds pause{0};
    /// After this many bytes from the server, end the client's side (-1: never).
    long long cutAfter = -1;
    /// Or end it once the server has sent something and then been quiet this long: a cut at the
    /// boundary after its last write.
    std::chrono::milliseconds cutWhenQuiet{0};
    /// End with a reset (SO_LINGER 0) instead of a FIN.
    bool reset = false;
  };

  FaultProxy(int serverPort, Plan plan);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const noexcept { return port_; }
  /// serverBytes counts what the server sent and the proxy forwarded so far.
  long long serverBytes() const noexcept { return serverBytes_; }
  /// stop ends the proxy's connection and its thread.
  void stop();

 private:
  void run();

  int listenFd_ = -1;
  int port_ = 0;
  int serverPort_;
  Plan plan_;
  std::atomic<long long> serverBytes_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_FAULTPROXY_H_
