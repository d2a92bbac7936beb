#include "support/Net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace test {

namespace {

using Clock = std::chrono::steady_clock;

int waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

}  // namespace

Listener::Listener(const char* address, int backlog) {
  bool v6 = std::strchr(address, ':') != nullptr;
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &in->sin_addr);
    length = sizeof *in;
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(fd_, backlog) != 0) {
    ::close(fd_);
    throw std::runtime_error(std::string("bind/listen failed: ") + std::strerror(errno));
  }
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
  port_ = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port)
             : ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

int Listener::accept(std::chrono::milliseconds limit) {
  if (waitFor(fd_, POLLIN, Clock::now() + limit) <= 0) return -1;
  return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

Peer::Peer(Listener& listener, std::function<void(int& fd)> script)
    : thread_([this, &listener, script = std::move(script)] {
        int fd = listener.accept();
        script(fd);
        if (fd >= 0) ::close(fd);
        done_ = true;
      }) {}

Peer::~Peer() {
  join();
}

void Peer::join() {
  if (thread_.joinable()) thread_.join();
}

bool sendAll(int fd, const void* data, std::size_t length) {
  const char* p = static_cast<const char*>(data);
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (length > 0) {
    ssize_t n = ::send(fd, p, length, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (waitFor(fd, POLLOUT, deadline) <= 0) return false;
      continue;
    }
    if (n <= 0) return false;
    p += n;
    length -= static_cast<std::size_t>(n);
  }
  return true;
}

bool sendAll(int fd, const std::string& data) {
  return sendAll(fd, data.data(), data.size());
}

bool receiveExactly(int fd, std::string* out, std::size_t length, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  char buffer[65536];
  while (out->size() < length) {
    if (waitFor(fd, POLLIN, deadline) <= 0) return false;
    std::size_t want = std::min(sizeof buffer, length - out->size());
    ssize_t n = ::recv(fd, buffer, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    out->append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

bool receiveUntilEof(int fd, std::string* out, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  char buffer[65536];
  for (;;) {
    if (waitFor(fd, POLLIN, deadline) <= 0) return false;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buffer, static_cast<std::size_t>(n));
  }
}

void resetConnection(int& fd) {
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
  fd = -1;
}

int connectTo(const char* address, int port, bool blocking) {
  bool v6 = std::strchr(address, ':') != nullptr;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET,
                    SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  sockaddr_storage storage{};
  socklen_t length;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &in->sin_addr);
    length = sizeof *in;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
      (blocking || errno != EINPROGRESS)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int unusedPort() {
  Listener gone;
  return gone.port();
}

namespace {

int portOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return -1;
}

int intOption(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) != 0) return -1;
  return value;
}

}  // namespace

bool connectionOptions(int localPort, int remotePort, TcpOptions* out) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_storage local{}, remote{};
    socklen_t localLength = sizeof local, remoteLength = sizeof remote;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remoteLength) != 0 ||
        portOf(local) != localPort || portOf(remote) != remotePort)
      continue;
    out->keepAlive = intOption(fd, SOL_SOCKET, SO_KEEPALIVE) == 1;
    out->keepIdle = intOption(fd, IPPROTO_TCP, TCP_KEEPIDLE);
    out->keepInterval = intOption(fd, IPPROTO_TCP, TCP_KEEPINTVL);
    out->keepCount = intOption(fd, IPPROTO_TCP, TCP_KEEPCNT);
    out->noDelay = intOption(fd, IPPROTO_TCP, TCP_NODELAY) == 1;
    return true;
  }
  return false;
}

}  // namespace test
