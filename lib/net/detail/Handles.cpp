#include "net/detail/Handles.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace as3::net::detail {

// --- Timer -------------------------------------------------------------------------------------

std::shared_ptr<Timer> Timer::create(LoopCore& loop) {
  if (!loop.alive()) return nullptr;
  std::shared_ptr<Timer> timer(new Timer(loop));
  if (uv_timer_init(loop.uv(), &timer->timer_) != 0) return nullptr;
  timer->timer_.data = timer.get();
  timer->self_ = timer;
  timer->open_ = true;
  loop.add(timer.get());
  loop.retain();
  return timer;
}

void Timer::start(std::uint64_t milliseconds, std::function<void()> fire) {
  if (!open_) return;
  fire_ = std::move(fire);
  uv_timer_start(&timer_, &Timer::onFire, milliseconds, 0);
}

void Timer::stop() noexcept {
  if (open_) uv_timer_stop(&timer_);
  fire_ = nullptr;
}

void Timer::close() noexcept {
  if (!open_) return;
  open_ = false;
  fire_ = nullptr;
  loop_->remove(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &Timer::onClose);
}

void Timer::onFire(uv_timer_t* handle) noexcept {
  auto* self = static_cast<Timer*>(handle->data);
  auto keep = self->self_;
  // Moved out first: the callback may start this timer again, or close it.
  std::function<void()> fire = std::move(self->fire_);
  self->fire_ = nullptr;
  if (fire) self->loop_->guard(fire);
}

void Timer::onClose(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Timer*>(handle->data);
  self->loop_->release();
  auto last = std::move(self->self_);  // may free *self here, and only here
}

// --- Resolver ----------------------------------------------------------------------------------

int Resolver::start(LoopCore& loop, const std::string& host, int port, Done done,
                    std::shared_ptr<Resolver>* out) {
  if (!loop.alive()) return UV_ECANCELED;
  std::shared_ptr<Resolver> resolver(new Resolver(loop));
  resolver->req_.data = resolver.get();
  resolver->done_ = std::move(done);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // Only families this host can reach at all: no AAAA attempts on an IPv4-only machine.
  hints.ai_flags = AI_ADDRCONFIG;
  std::string service = std::to_string(port);
  int status = uv_getaddrinfo(loop.uv(), &resolver->req_, &Resolver::onDone, host.c_str(),
                              service.c_str(), &hints);
  if (status != 0) return status;
  resolver->self_ = resolver;
  loop.add(resolver.get());
  loop.retain();
  *out = resolver;
  return 0;
}

void Resolver::cancel() noexcept {
  if (!done_) return;
  done_ = nullptr;
  loop_->remove(this);
  // Succeeds only while the lookup is still queued; otherwise its answer is dropped on arrival.
  uv_cancel(reinterpret_cast<uv_req_t*>(&req_));
}

void Resolver::onDone(uv_getaddrinfo_t* req, int status, addrinfo* result) noexcept {
  auto* self = static_cast<Resolver*>(req->data);
  auto keep = std::move(self->self_);
  self->loop_->release();
  Done done = std::move(self->done_);
  self->done_ = nullptr;
  if (done) {
    self->loop_->remove(self);
    self->loop_->guard([&] { done(status, result); });
  }
  uv_freeaddrinfo(result);
}

// --- Tcp ---------------------------------------------------------------------------------------

struct Tcp::WriteRequest {
  uv_write_t req{};
  utils::detail::ByteStream data;
  std::uint32_t length = 0;
  Tcp* tcp = nullptr;
};

std::shared_ptr<Tcp> Tcp::create(LoopCore& loop, TcpSink* sink, int* status) {
  if (!loop.alive()) {
    *status = UV_ECANCELED;
    return nullptr;
  }
  auto tcp = std::make_shared<Tcp>(CreateKey(), loop, sink);
  if ((*status = uv_tcp_init(loop.uv(), &tcp->tcp_)) != 0) return nullptr;
  tcp->tcp_.data = tcp.get();
  tcp->self_ = tcp;
  loop.add(tcp.get());
  loop.retain();
  return tcp;
}

int Tcp::connect(const sockaddr* address) {
  // Only outgoing connections need the request, and only until it completes: an accepted or
  // established connection does not carry it.
  connect_ = std::make_unique<uv_connect_t>();
  connect_->data = this;
  if (int status = uv_tcp_connect(connect_.get(), &tcp_, address, &Tcp::onConnect); status != 0) {
    connect_.reset();
    return status;
  }
  // Reading starts with the connect, so that the first poll registers the socket with epoll for
  // both: started after it, libuv would add the socket again (EEXIST) and then modify it. The
  // sink hears of no byte before onTcpConnected, as libuv handles a pending connect first. On
  // failure the caller aborts, which cancels the connect.
  return startReading();
}

void Tcp::onConnect(uv_connect_t* req, int status) noexcept {
  auto* self = static_cast<Tcp*>(req->data);
  // libuv is done with the request; the close callback, if any, comes after this one.
  std::unique_ptr<uv_connect_t> done = std::move(self->connect_);
  if (status == UV_ECANCELED || !self->sink_) return;
  auto keep = self->self_;
  self->sink_->onTcpConnected(*self, status);
}

int Tcp::listen(int backlog) {
  return uv_listen(stream(), backlog, &Tcp::onConnection);
}

void Tcp::onConnection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<Tcp*>(server->data);
  if (!self->sink_) return;
  auto keep = self->self_;
  self->sink_->onTcpConnection(*self, status);
}

int Tcp::startReading() {
  return uv_read_start(stream(), &Tcp::onAlloc, &Tcp::onRead);
}

void Tcp::stopReading() noexcept {
  if (state_ == State::kOpen) uv_read_stop(stream());
}

void Tcp::onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<Tcp*>(handle->data);
  if (!self->sink_) {
    *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS; the handle is closing anyway
    return;
  }
  *buf = self->sink_->onTcpAlloc();
}

void Tcp::onRead(uv_stream_t* stream, ssize_t n, const uv_buf_t*) noexcept {
  auto* self = static_cast<Tcp*>(stream->data);
  if (n == 0 || !self->sink_) return;  // 0: nothing this time (EAGAIN)
  auto keep = self->self_;
  self->sink_->onTcpRead(*self, n);
}

int Tcp::tryWrite(const std::uint8_t* data, std::uint32_t length) noexcept {
  uv_buf_t buf = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(data)), length);
  int n = uv_try_write(stream(), &buf, 1);
  return n == UV_EAGAIN ? 0 : n;
}

ssize_t Tcp::readNow(uv_buf_t buffer) noexcept {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) != 0) return UV_EBADF;
  ssize_t n;
  do {
    n = ::recv(fd, buffer.base, buffer.len, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) return n;
  if (n == 0) return UV_EOF;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;  // libuv's codes on Unix
}

int Tcp::write(utils::detail::ByteStream&& data, std::uint32_t offset) {
  auto* request = new WriteRequest;
  request->length = data.length() - offset;
  request->data = std::move(data);
  request->tcp = this;
  request->req.data = request;
  uv_buf_t buf =
      uv_buf_init(reinterpret_cast<char*>(request->data.data() + offset), request->length);
  int status = uv_write(&request->req, stream(), &buf, 1, &Tcp::onWrite);
  if (status != 0) {
    data = std::move(request->data);
    delete request;
  }
  return status;
}

void Tcp::onWrite(uv_write_t* req, int status) noexcept {
  std::unique_ptr<WriteRequest> request(static_cast<WriteRequest*>(req->data));
  Tcp* self = request->tcp;
  std::uint32_t length = request->length;
  // Keep one modest buffer for the next write: an echo or game loop flushes small ones often.
  if (self->spare_.capacity() == 0 && request->data.capacity() <= LoopCore::kReadChunk) {
    request->data.setLength(0);
    self->spare_ = std::move(request->data);
  }
  if (status == UV_ECANCELED || !self->sink_) return;
  auto keep = self->self_;
  self->sink_->onTcpWritten(*self, length, status);
}

utils::detail::ByteStream Tcp::takeSpareBuffer() noexcept {
  return std::move(spare_);
}

void Tcp::closeGracefully() noexcept {
  sink_ = nullptr;
  if (state_ != State::kOpen) return;
  uv_read_stop(stream());
  if (tcp_.write_queue_size == 0 || !loop_->alive()) {
    closeHandle();
    return;
  }
  auto* req = new uv_shutdown_t{};
  req->data = this;
  if (uv_shutdown(req, stream(), &Tcp::onShutdown) != 0) {
    delete req;
    closeHandle();
    return;
  }
  state_ = State::kShuttingDown;
  // A peer that never reads would keep the connection forever.
  linger_ = Timer::create(*loop_);
  if (linger_) {
    linger_->start(kLingerMilliseconds, [self = self_] { self->closeHandle(); });
  }
}

void Tcp::onShutdown(uv_shutdown_t* req, int) noexcept {
  std::unique_ptr<uv_shutdown_t> owned(req);
  static_cast<Tcp*>(req->data)->closeHandle();
}

void Tcp::abort() noexcept {
  sink_ = nullptr;
  if (state_ == State::kClosing) return;
  closeHandle();
}

void Tcp::reset() noexcept {
  sink_ = nullptr;
  if (state_ == State::kClosing) return;
  closeHandle(true);
}

void Tcp::closeHandle(bool reset) noexcept {
  if (state_ == State::kClosing) return;
  // libuv refuses a reset once a shutdown is under way; the FIN is on its way then anyway.
  reset = reset && state_ == State::kOpen;
  state_ = State::kClosing;
  if (linger_) {
    linger_->close();
    linger_.reset();
  }
  loop_->remove(this);
  if (reset && uv_tcp_close_reset(&tcp_, &Tcp::onClose) == 0) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Tcp::onClose);
}

void Tcp::onClose(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Tcp*>(handle->data);
  self->loop_->release();
  auto last = std::move(self->self_);  // may free *self here, and only here
}

bool describeAddress(const sockaddr* address, std::string* text, int* port) {
  char buffer[INET6_ADDRSTRLEN + 1] = {};
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    uv_ip4_name(in, buffer, sizeof buffer);
    *port = ntohs(in->sin_port);
  } else if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(in6, buffer, sizeof buffer);
    *port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  *text = buffer;
  return true;
}

}  // namespace as3::net::detail
