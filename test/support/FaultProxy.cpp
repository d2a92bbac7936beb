#include "support/FaultProxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "support/Net.h"

namespace test {

namespace {

void noDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

FaultProxy::FaultProxy(int serverPort, Plan plan) : serverPort_(serverPort), plan_(plan) {
  listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listenFd_, 4) != 0)
    throw std::runtime_error("the proxy could not listen");
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  stop();
}

void FaultProxy::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listenFd_ >= 0) ::close(listenFd_);
  listenFd_ = -1;
}

void FaultProxy::run() {
  pollfd waiting{listenFd_, POLLIN, 0};
  while (!stop_ && ::poll(&waiting, 1, 20) == 0) {
  }
  if (stop_) return;
  int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
  int server = connectTo("127.0.0.1", serverPort_);
  if (client < 0 || server < 0) {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
    return;
  }
  noDelay(client);
  noDelay(server);
  char buffer[65536];
  bool clientOpen = true, serverOpen = true;
  auto endClient = [&] {
    if (plan_.reset) {
      resetConnection(client);
    } else {
      ::shutdown(client, SHUT_WR);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ::close(client);
      client = -1;
    }
  };
  auto forward = [&](int from, int to, bool fromServer) -> bool {
    ssize_t n = ::recv(from, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) return false;
    std::size_t limit = static_cast<std::size_t>(n);
    long long end = fromServer ? plan_.cutAfter : -1;
    if (end >= 0)
      limit = static_cast<std::size_t>(std::max<long long>(
          0, std::min<long long>(static_cast<long long>(limit), end - serverBytes_)));
    std::size_t step = plan_.segment ? plan_.segment : std::max<std::size_t>(limit, 1);
    for (std::size_t sent = 0; sent < limit; sent += step) {
      std::size_t chunk = std::min(step, limit - sent);
      if (!sendAll(to, buffer + sent, chunk)) return false;
      if (fromServer) serverBytes_ += static_cast<long long>(chunk);
      if (plan_.pause.count() > 0) std::this_thread::sleep_for(plan_.pause);
    }
    if (end >= 0 && serverBytes_ >= end) {
      endClient();
      return false;
    }
    return true;
  };
  auto quietSince = std::chrono::steady_clock::now();
  while (!stop_ && clientOpen && serverOpen && client >= 0) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 5) <= 0) {
      if (plan_.cutWhenQuiet.count() > 0 && serverBytes_ > 0 &&
          std::chrono::steady_clock::now() - quietSince >= plan_.cutWhenQuiet) {
        endClient();
        break;
      }
      continue;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) clientOpen = forward(client, server, false);
    if (client < 0) break;
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      serverOpen = forward(server, client, true);
      quietSince = std::chrono::steady_clock::now();
    }
  }
  // Pass a clean end on, then wait to be stopped.
  if (client >= 0) ::shutdown(client, SHUT_WR);
  ::shutdown(server, SHUT_WR);
  while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (client >= 0) ::close(client);
  ::close(server);
}

}  // namespace test
