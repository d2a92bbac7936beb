#include "as3/net/ServerSocket.h"

#include <sys/socket.h>

#include <cstring>
#include <utility>

#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/Socket.h"
#include "errors/detail/Throw.h"
#include "net/detail/Handles.h"
#include "net/detail/LoopCore.h"
#include "net/detail/SocketCore.h"

namespace as3::net {
namespace detail {

using errors::detail::throwErrorWithDetail;

/// ServerCore is a ServerSocket's listening handle and state.
class ServerCore final : public TcpSink, public std::enable_shared_from_this<ServerCore> {
 public:
  enum class State { kNew, kBound, kListening, kClosed };

  ServerCore(EventLoop& loop, ServerSocket* owner) : loopCore_(loop.core()), owner_(owner) {}

  LoopCore& loopCore() const noexcept { return *loopCore_; }
  ~ServerCore() { closeHandle(); }

  void detach() noexcept {
    owner_ = nullptr;
    closeHandle();
  }

  void bind(int port, std::string_view address) {
    if (port < 0 || port > 65535)
      throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                           "(port " + std::to_string(port) + " is outside 0-65535)");
    std::string host(address.substr(0, address.find('\0')));
    sockaddr_storage storage{};
    bool v6 = false;
    if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&storage)) != 0) {
      if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&storage)) != 0 ||
          host.find(':') == std::string::npos)
        throwErrorWithDetail(errors::detail::kInvalidParameter, {},
                             "(\"" + host + "\" is not an IPv4 or IPv6 address)");
      v6 = true;
    }
    if (state_ == State::kClosed) notUsable("the server socket is closed");
    if (state_ != State::kNew)
      notUsable("the server socket is already bound to " + boundAddress_ + ":" +
                std::to_string(boundPort_));
    if (!loopCore_->alive()) notUsable("its EventLoop has been destroyed");
    int status = 0;
    std::shared_ptr<Tcp> tcp = Tcp::create(*loopCore_, this, &status);
    if (!tcp) failed("bind", host, port, status);
    // IPv6 listeners take IPv6 only, as AIR's: "::" and "0.0.0.0" never share connections.
    status =
        uv_tcp_bind(tcp->handle(), reinterpret_cast<sockaddr*>(&storage), v6 ? UV_TCP_IPV6ONLY : 0);
    // libuv may keep a bind error until listen(); getsockname reports it now, as AS3 does.
    sockaddr_storage bound{};
    int length = sizeof bound;
    if (status == 0)
      status = uv_tcp_getsockname(tcp->handle(), reinterpret_cast<sockaddr*>(&bound), &length);
    if (status != 0) {
      tcp->abort();
      failed("bind", host, port, status);
    }
    describeAddress(reinterpret_cast<sockaddr*>(&bound), &boundAddress_, &boundPort_);
    tcp_ = std::move(tcp);
    state_ = State::kBound;
  }

  void listen(int backlog) {
    if (backlog < 0)
      throwErrorWithDetail(errors::detail::kIndexOutOfBounds, {},
                           "(backlog " + std::to_string(backlog) + " is negative)");
    if (state_ == State::kClosed) notUsable("the server socket is closed");
    if (state_ == State::kNew) notUsable("the server socket is not bound; call bind() first");
    if (state_ == State::kListening) return;
    // Before listening, so that every connection inherits it (where connections do).
    if (kAcceptedKeepAliveInherited) SocketCore::keepAlive(*tcp_);
    int status = tcp_->listen(backlog == 0 ? SOMAXCONN : backlog);
    if (status != 0) failed("listen", boundAddress_, boundPort_, status);
    state_ = State::kListening;
  }

  void close() {
    if (state_ == State::kClosed) notUsable("the server socket is already closed");
    closeHandle();
    state_ = State::kClosed;
  }

  State state() const noexcept { return state_; }
  const std::string& address() const noexcept { return boundAddress_; }
  int port() const noexcept { return boundPort_; }

  // A listener never connects, reads or writes.
  void onTcpConnected(Tcp&, int) override {}
  uv_buf_t onTcpAlloc() override { return uv_buf_init(nullptr, 0); }
  void onTcpRead(Tcp&, ssize_t) override {}
  void onTcpWritten(Tcp&, std::size_t, int) override {}

 private:
  [[noreturn]] static void notUsable(const std::string& why) {
    throwErrorWithDetail(errors::detail::kInvalidSocket, {}, "(" + why + ")");
  }
  [[noreturn]] static void failed(const char* what, const std::string& host, int port, int status) {
    throwErrorWithDetail(errors::detail::kInvalidSocket, {},
                         std::string("(") + what + " " + host + ":" + std::to_string(port) +
                             " failed: " + uv_err_name(status) + ": " + uv_strerror(status) + ")");
  }

  void closeHandle() noexcept {
    if (tcp_) tcp_->abort();
    tcp_.reset();
  }

  void onTcpConnection(Tcp&, int status) override {
    // EMFILE and the like refuse this client; the server goes on listening.
    if (status == 0) accept();
  }

  void accept() noexcept {
    auto keep = shared_from_this();
    LoopCore& loop = *loopCore_;
    int status = 0;
    std::shared_ptr<Tcp> client = Tcp::create(loop, nullptr, &status);
    if (!client) return;
    if (uv_accept(tcp_->stream(), client->stream()) != 0) {
      client->abort();
      return;
    }
    if (!owner_) {
      client->abort();
      return;
    }
    ServerSocket* owner = owner_;
    loop.guard([&] { owner->acceptConnection(std::move(client)); });
  }

  std::shared_ptr<LoopCore> loopCore_;
  ServerSocket* owner_;
  std::shared_ptr<Tcp> tcp_;
  State state_ = State::kNew;
  std::string boundAddress_;
  int boundPort_ = 0;
};

}  // namespace detail

ServerSocket::ServerSocket() : ServerSocket(EventLoop::getDefault()) {}

ServerSocket::ServerSocket(EventLoop& loop)
    : loop_(&loop), core_(std::make_shared<detail::ServerCore>(loop, this)) {}

ServerSocket::~ServerSocket() {
  core_->loopCore().checkThread("ServerSocket::~ServerSocket");
  core_->detach();
}

bool ServerSocket::bound() const noexcept {
  auto state = core_->state();
  return (state == detail::ServerCore::State::kBound ||
          state == detail::ServerCore::State::kListening) &&
         core_->loopCore().alive();
}

bool ServerSocket::listening() const noexcept {
  return core_->state() == detail::ServerCore::State::kListening && core_->loopCore().alive();
}

std::string ServerSocket::localAddress() const {
  return bound() ? core_->address() : std::string();
}

int ServerSocket::localPort() const noexcept {
  return bound() ? core_->port() : 0;
}

void ServerSocket::bind(int localPort, std::string_view localAddress) {
  core_->loopCore().checkThread("ServerSocket::bind");
  core_->bind(localPort, localAddress);
}

void ServerSocket::listen(int backlog) {
  core_->loopCore().checkThread("ServerSocket::listen");
  core_->listen(backlog);
}

void ServerSocket::acceptConnection(std::shared_ptr<detail::Tcp> tcp) {
  auto socket = std::make_shared<Socket>(*loop_);
  socket->core().adopt(std::move(tcp));
  announce(std::move(socket));
}

void ServerSocket::announce(std::shared_ptr<Socket> socket) {
  events::ServerSocketConnectEvent event(events::ServerSocketConnectEvent::CONNECT, false, false,
                                         std::move(socket));
  // The event and the listeners hold the socket now; one nobody keeps closes afterwards.
  dispatchEvent(event);
}

void ServerSocket::close() {
  core_->loopCore().checkThread("ServerSocket::close");
  core_->close();
}

}  // namespace as3::net
