#include "net/detail/SocketCore.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "errors/detail/Throw.h"

namespace as3::net::detail {

using errors::detail::throwError;
using errors::detail::throwErrorWithDetail;

struct SocketCore::Attempt {
  std::string host;
  int port = 0;
  std::uint32_t timeoutMs = 0;
  std::shared_ptr<Resolver> resolver;
  std::shared_ptr<Timer> deadline;  // the socket's timeout, over resolution and connection
  std::shared_ptr<Timer> delay;     // Happy Eyeballs: when the next address is tried
  std::vector<sockaddr_storage> addresses;
  std::size_t next = 0;
  struct Racer {
    std::shared_ptr<Tcp> tcp;
    std::size_t address;  // index into addresses
  };
  std::vector<Racer> racing;
  int lastStatus = 0;
  std::string lastAddress;

  ~Attempt() {
    if (resolver) resolver->cancel();
    if (deadline) deadline->close();
    if (delay) delay->close();
    for (auto& racer : racing) racer.tcp->abort();
  }
};

namespace {

std::string uvReason(int status) {
  std::string text = uv_err_name(status);
  text += ": ";
  text += uv_strerror(status);
  return text;
}

std::string addressText(const sockaddr* address) {
  std::string text;
  int port = 0;
  if (!describeAddress(address, &text, &port)) return "?";
  if (address->sa_family == AF_INET6) return "[" + text + "]:" + std::to_string(port);
  return text + ":" + std::to_string(port);
}

bool parseLiteral(const std::string& host, int port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return true;
  std::string inner = host;
  if (inner.size() > 2 && inner.front() == '[' && inner.back() == ']')
    inner = inner.substr(1, inner.size() - 2);
  return inner.find(':') != std::string::npos &&
         uv_ip6_addr(inner.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0;
}

}  // namespace

SocketCore::SocketCore(std::shared_ptr<LoopCore> loop) : loop_(std::move(loop)) {}

SocketCore::~SocketCore() {
  dropConnection(true);
}

void SocketCore::detach() noexcept {
  owner_ = nullptr;
  if (tls_ && tcp_ && state_ == State::kConnected) {
    // As close() does: the peer learns the end was meant.
    tls_->shutdown(wireOut_);
    sendWire(0);
  }
  dropConnection(true);
  state_ = State::kIdle;
}

void SocketCore::throwNotConnected() {
  throwError(errors::detail::kInvalidSocket);
}

void SocketCore::refuseWrite(std::uint32_t lengthBefore) {
  output_.setLength(lengthBefore);
  output_.setPosition(lengthBefore);
  throwErrorWithDetail(errors::detail::kOutOfMemory, {},
                       "(the write would take bytesPending past the socket's "
                       "outputHighWaterMark of " +
                           std::to_string(outputHighWaterMark_) +
                           " bytes; wait for outputProgress)");
}

void SocketCore::scheduleTurnEnd() {
  if (turnEndScheduled_) return;
  turnEndScheduled_ = true;
  loop_->schedule(weak_from_this());
}

void SocketCore::noDelay(bool value) {
  // A connection already has noDelay_ (useConnection): only a change needs the call.
  if (tcp_ && value != noDelay_) uv_tcp_nodelay(tcp_->handle(), value ? 1 : 0);
  noDelay_ = value;
}

bool SocketCore::endpoint(bool remote, std::string* address, int* port) const {
  return state_ == State::kConnected && describeEnd(remote, address, port);
}

bool SocketCore::describeEnd(bool remote, std::string* address, int* port) const {
  if (!tcp_) return false;
  sockaddr_storage storage{};
  int length = sizeof storage;
  auto* raw = reinterpret_cast<sockaddr*>(&storage);
  int status = remote ? uv_tcp_getpeername(tcp_->handle(), raw, &length)
                      : uv_tcp_getsockname(tcp_->handle(), raw, &length);
  return status == 0 && describeAddress(raw, address, port);
}

// --- connecting --------------------------------------------------------------------------------

void SocketCore::connect(std::string_view host, int port) {
  if (port < 0 || port > 65535)
    throwErrorWithDetail(errors::detail::kInvalidPort, {},
                         "(" + std::to_string(port) + " is outside 0-65535)");
  // AS3 hands the host to C code: whatever follows a NUL is not part of it.
  host = host.substr(0, host.find('\0'));
  if (host.empty())
    throwErrorWithDetail(errors::detail::kSocketError, {}, "(no host to connect to)");
  if (!loop_->alive())
    throwErrorWithDetail(errors::detail::kIncorrectSequence, {},
                         "(the socket's EventLoop has been destroyed)");
  dropConnection(true);
  input_.clear();
  output_.clear();
  tls_.reset();
  certificateStatus_ = security::CertificateStatus::UNKNOWN;
  state_ = State::kConnecting;
  attempt_ = std::make_unique<Attempt>();
  attempt_->host = host_ = std::string(host);
  attempt_->port = port;
  attempt_->timeoutMs = timeout;
  // Everything, even a failure, is reported from the loop: begin at the end of this turn.
  beginDue_ = true;
  scheduleTurnEnd();
}

void SocketCore::begin() {
  Attempt& attempt = *attempt_;
  if (attempt.timeoutMs > 0) {
    attempt.deadline = Timer::create(*loop_);
    if (attempt.deadline) {
      std::weak_ptr<SocketCore> weak = weak_from_this();
      std::uint64_t generation = generation_;
      attempt.deadline->start(attempt.timeoutMs, [weak, generation] {
        auto self = weak.lock();
        if (!self || self->generation_ != generation || !self->attempt_) return;
        std::string reason = "Timed out: no connection within the timeout of " +
                             std::to_string(self->attempt_->timeoutMs) + " ms";
        if (self->attempt_->resolver)
          reason += " (the DNS lookup had not answered)";
        else if (self->attempt_->lastStatus != 0)
          reason += " (last failure: " + self->attempt_->lastAddress + ", " +
                    uvReason(self->attempt_->lastStatus) + ")";
        self->connectFailed(std::move(reason));
      });
    }
  }
  sockaddr_storage literal;
  if (parseLiteral(attempt.host, attempt.port, &literal)) {
    attempt.addresses.push_back(literal);
    startNextAttempt();
    return;
  }
  std::weak_ptr<SocketCore> weak = weak_from_this();
  std::uint64_t generation = generation_;
  int status = Resolver::start(
      *loop_, attempt.host, attempt.port,
      [weak, generation](int answer, const addrinfo* result) {
        if (auto self = weak.lock()) self->onResolved(generation, answer, result);
      },
      &attempt.resolver);
  if (status != 0) connectFailed("DNS lookup could not start (" + uvReason(status) + ")");
}

void SocketCore::onResolved(std::uint64_t generation, int status, const addrinfo* result) {
  if (generation != generation_ || !attempt_) return;
  attempt_->resolver.reset();
  if (status != 0) {
    connectFailed("DNS lookup of " + attempt_->host + " failed (" + uvReason(status) + ")");
    return;
  }
  // RFC 8305 section 4: keep the resolver's preference order but alternate the families,
  // starting with the family of the first answer.
  std::vector<sockaddr_storage> first, second;
  int firstFamily = 0;
  for (const addrinfo* ai = result; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    if (firstFamily == 0) firstFamily = ai->ai_family;
    sockaddr_storage address{};
    std::memcpy(&address, ai->ai_addr, ai->ai_addrlen);
    (ai->ai_family == firstFamily ? first : second).push_back(address);
  }
  if (first.empty()) {
    connectFailed("DNS lookup of " + attempt_->host + " gave no IPv4 or IPv6 address");
    return;
  }
  for (std::size_t i = 0; i < first.size() || i < second.size(); ++i) {
    if (i < first.size()) attempt_->addresses.push_back(first[i]);
    if (i < second.size()) attempt_->addresses.push_back(second[i]);
  }
  startNextAttempt();
}

void SocketCore::startNextAttempt() {
  Attempt& attempt = *attempt_;
  if (attempt.delay) attempt.delay->stop();
  while (attempt.next < attempt.addresses.size()) {
    std::size_t index = attempt.next++;
    const auto* address = reinterpret_cast<const sockaddr*>(&attempt.addresses[index]);
    int status = 0;
    std::shared_ptr<Tcp> tcp = Tcp::create(*loop_, this, &status);
    if (tcp && (status = tcp->connect(address)) != 0) tcp->abort();
    if (status != 0) {
      attempt.lastStatus = status;
      attempt.lastAddress = addressText(address);
      continue;
    }
    attempt.racing.push_back({std::move(tcp), index});
    if (attempt.next < attempt.addresses.size()) {
      if (!attempt.delay) attempt.delay = Timer::create(*loop_);
      if (attempt.delay) {
        std::weak_ptr<SocketCore> weak = weak_from_this();
        std::uint64_t generation = generation_;
        attempt.delay->start(kAttemptDelayMilliseconds, [weak, generation] {
          auto self = weak.lock();
          if (self && self->generation_ == generation && self->attempt_) self->startNextAttempt();
        });
      }
    }
    return;
  }
  if (attempt.racing.empty()) {
    connectFailed("Could not connect to " + attempt.lastAddress + " (" +
                  uvReason(attempt.lastStatus) + ")");
  }
}

void SocketCore::onTcpConnected(Tcp& tcp, int status) {
  if (!attempt_) return;
  auto& racing = attempt_->racing;
  auto it = racing.begin();
  while (it != racing.end() && it->tcp.get() != &tcp) ++it;
  if (it == racing.end()) return;
  Attempt::Racer racer = std::move(*it);
  racing.erase(it);
  if (status == 0) {
    transportReady(std::move(racer.tcp));
    return;
  }
  racer.tcp->abort();
  Attempt& attempt = *attempt_;
  attempt.lastStatus = status;
  attempt.lastAddress =
      addressText(reinterpret_cast<const sockaddr*>(&attempt.addresses[racer.address]));
  // A failure starts the next address at once instead of waiting out the delay.
  if (attempt.next < attempt.addresses.size()) {
    startNextAttempt();
  } else if (attempt.racing.empty()) {
    connectFailed((status == UV_ECONNREFUSED ? "Connection refused by " : "Could not connect to ") +
                  attempt.lastAddress + " (" + uvReason(status) + ")");
  }
}

void SocketCore::endAttempt() noexcept {
  attempt_.reset();  // cancels the lookup, the timers and the losing attempts
}

void SocketCore::connectFailed(std::string reason) {
  auto keep = shared_from_this();
  if (handshakeDone_) {
    acceptFailed();
    return;
  }
  endAttempt();
  if (tcp_) {
    tcp_->closeGracefully();  // a TLS alert may still be on its way
    tcp_.reset();
  }
  state_ = State::kIdle;
  ++generation_;
  dispatchIOError(reason);
}

void SocketCore::transportReady(std::shared_ptr<Tcp> tcp) {
  auto keep = shared_from_this();
  if (tlsClient_) {
    // The race is won: the other attempts end; the deadline goes on over the handshake.
    for (auto& racer : attempt_->racing) racer.tcp->abort();
    attempt_->racing.clear();
    if (attempt_->delay) attempt_->delay->stop();
  } else {
    endAttempt();
  }
  useConnection(std::move(tcp), false);  // reading started with the connect (Tcp::connect)
  // Keepalive's four calls wait until the first bytes (the ClientHello, or what the connect
  // listener flushed) are on their way, so they overlap the peer's reply instead of delaying it.
  std::shared_ptr<Tcp> connection = tcp_;
  if (tlsClient_) {
    startClientTls();
  } else {
    state_ = State::kConnected;
    events::Event event(events::Event::CONNECT);
    dispatch(event);
  }
  if (tcp_ == connection) keepAlive(*connection);  // unless a listener closed the socket
}

void SocketCore::keepAlive(Tcp& tcp) noexcept {
  uv_tcp_keepalive(tcp.handle(), 1, kKeepAliveSeconds);
}

// useConnection makes `tcp` this socket's connection, with its options and fresh accounting. A
// new socket has Nagle's algorithm on, and so has an accepted one (listeners never turn it
// off): only tcpNoDelay true needs a call.
void SocketCore::useConnection(std::shared_ptr<Tcp> tcp, bool accepted) {
  tcp_ = std::move(tcp);
  tcp_->sink(this);
  if (noDelay_) uv_tcp_nodelay(tcp_->handle(), 1);
  // Connections this side opens get keepalive in transportReady.
  if (accepted && !kAcceptedKeepAliveInherited) keepAlive(*tcp_);
  flushedTotal_ = 0;
}

void SocketCore::adopt(std::shared_ptr<Tcp> tcp) {
  useConnection(std::move(tcp), true);
  int port = 0;
  describeEnd(true, &host_, &port);  // an accepted socket's errors name its peer
  state_ = State::kConnected;
  if (int status = tcp_->startReading(); status != 0) {
    failLater("Could not start reading (" + uvReason(status) + ")", /*sending=*/false);
  }
}

// --- connected ---------------------------------------------------------------------------------

uv_buf_t SocketCore::onTcpAlloc() {
  if (tls_ || input_.bytesAvailable() == 0) {
    // Nothing buffered: read into the loop's spare buffer, which becomes the input if the
    // listeners leave bytes unread. An idle socket so holds no read buffer.
    utils::detail::ByteStream& spare = loop_->readSpare();
    if (spare.capacity() < LoopCore::kReadChunk) spare.reserve(LoopCore::kReadChunk);
    spare.setLength(0);
    readIntoSpare_ = true;
    return uv_buf_init(reinterpret_cast<char*>(spare.data()), spare.capacity());
  }
  readIntoSpare_ = false;
  compactInput();
  if (input_.capacity() - input_.length() < LoopCore::kReadChunk)
    input_.reserve(input_.length() + LoopCore::kReadChunk);
  // One chunk at a time, so the input high-water mark is never passed by more than a chunk.
  return uv_buf_init(reinterpret_cast<char*>(input_.data() + input_.length()),
                     std::min(input_.capacity() - input_.length(), LoopCore::kReadChunk));
}

// Moves the unread bytes to the front once the read ones dominate, rather than grow.
void SocketCore::compactInput() {
  std::uint32_t position = input_.position();
  if (position >= LoopCore::kReadChunk && position >= input_.length() / 2) {
    std::uint32_t unread = input_.length() - position;
    std::memmove(input_.data(), input_.data() + position, unread);
    input_.setLength(unread);
    input_.setPosition(0);
  }
}

void SocketCore::onTcpRead(Tcp& tcp, ssize_t n) {
  if (&tcp != tcp_.get()) return;
  if (state_ != State::kConnected && !(state_ == State::kConnecting && tls_)) return;
  auto keep = shared_from_this();
  if (n < 0) {
    if (tls_)
      tlsEnded(static_cast<int>(n));
    else
      ended(static_cast<int>(n));
    return;
  }
  auto count = static_cast<std::uint32_t>(n);
  if (tls_) {
    onCiphertext(count);
    return;
  }
  utils::detail::ByteStream& spare = loop_->readSpare();
  if (readIntoSpare_) {
    spare.writableRange(0, count);
    spare.setPosition(0);
    swap(input_, spare);
    spare.clear();
  } else {
    input_.writableRange(input_.length(), count);
  }
  events::ProgressEvent event(events::ProgressEvent::SOCKET_DATA, false, false, count, 0);
  if (!dispatch(event)) return;
  afterData();
}

void SocketCore::givePlainBack() {
  input_.setLength(0);
  input_.setPosition(0);
  utils::detail::ByteStream& spare = loop_->plainSpare();
  if (spare.capacity() < input_.capacity() && input_.capacity() <= 4 * LoopCore::kReadChunk)
    swap(spare, input_);
  input_.clear();
}

void SocketCore::giveWireBack() {
  wireOut_.setLength(0);
  utils::detail::ByteStream& spare = loop_->wireSpare();
  if (spare.capacity() < wireOut_.capacity() && wireOut_.capacity() <= 4 * LoopCore::kReadChunk)
    swap(spare, wireOut_);
  wireOut_.clear();
}

void SocketCore::afterData() {
  utils::detail::ByteStream& spare = loop_->readSpare();
  if (tls_ && input_.bytesAvailable() == 0) {
    givePlainBack();
    return;
  }
  if (input_.bytesAvailable() == 0) {
    // All read: the buffer goes back to the loop for the next socket's read.
    if (spare.capacity() < LoopCore::kReadChunk && input_.capacity() >= LoopCore::kReadChunk &&
        input_.capacity() <= 4 * LoopCore::kReadChunk)
      swap(input_, spare);
    input_.clear();
  } else if (input_.bytesAvailable() >= inputHighWaterMark_ && tcp_) {
    tcp_->stopReading();
    inputPaused_ = true;
  }
}

void SocketCore::resumeInputIfDrained() {
  // At or below half the mark; for a mark of 1 that means empty.
  if (input_.bytesAvailable() > inputHighWaterMark_ / 2) return;
  inputPaused_ = false;
  if (tcp_ && state_ == State::kConnected) {
    if (int status = tcp_->startReading(); status != 0) {
      failLater("Could not resume reading (" + uvReason(status) + ")", /*sending=*/false);
    }
  }
}

// libuv reports a hang-up after a short read as end of file, which a reset also causes: the
// socket's pending error, or a send that already failed, tells the two apart.
int SocketCore::trueEnd(int status) const {
  if (status != UV_EOF) return status;
  int pending = 0;
  uv_os_fd_t fd;
  socklen_t length = sizeof pending;
  if (tcp_ && uv_fileno(reinterpret_cast<const uv_handle_t*>(tcp_->handle()), &fd) == 0 &&
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 && pending != 0)
    return uv_translate_sys_error(pending);
  return failureDue_.empty() ? UV_EOF : UV_ECONNRESET;
}

void SocketCore::ended(int status) {
  status = trueEnd(status);
  if (status == UV_EOF) {
    peerFinished();
    return;
  }
  // A failed send can surface here, as the socket's pending error at the end of the stream.
  std::string what = status == UV_ECONNRESET ? "Connection reset by the peer"
                     : status == UV_EPIPE    ? "Sending failed: the peer closed the connection"
                                             : "The connection broke";
  fail(what + " (" + uvReason(status) + ")");
}

// The peer's FIN (or TLS close_notify): every byte before it has been announced. Our flushed
// bytes still go, with our own close_notify after them.
void SocketCore::peerFinished() {
  auto keep = shared_from_this();
  if (tcp_) sendFlushed();  // before output_ goes: plain flushed bytes wait at its front
  state_ = State::kEnded;
  ++generation_;
  failureDue_.clear();
  progressDue_ = false;
  output_.clear();
  if (tls_ && tcp_) {
    tls_->shutdown(wireOut_);
    sendWire(0);
  }
  if (tcp_) tcp_->closeGracefully();
  tcp_.reset();
  events::Event event(events::Event::CLOSE);
  dispatch(event);
}

void SocketCore::fail(std::string reason) {
  auto keep = shared_from_this();
  failureDue_.clear();
  progressDue_ = false;
  state_ = State::kEnded;
  ++generation_;
  output_.clear();
  flushedUnsent_ = 0;  // a broken connection sends nothing more
  wireDue_ = false;
  if (tcp_) tcp_->abort();
  tcp_.reset();
  dispatchIOError(reason);
}

void SocketCore::flush() {
  if (!connected()) throwNotConnected();
  if (tls_) {
    if (std::uint32_t plain = output_.length(); plain > 0) {
      if (wireOut_.capacity() == 0) swap(wireOut_, loop_->wireSpare());
      if (!tls_->send(output_.data(), plain, wireOut_)) {
        output_.clear();
        failLater(tls_->failure(), /*sending=*/false);
        return;
      }
      output_.setLength(0);
      flushedTotal_ += plain;
      flushedUnsent_ += plain;
    }
  } else {
    flushedUnsent_ = output_.length();  // all written so far
  }
  if (flushedUnsent_ == 0) return;
  if (loop_->deferringFlushes()) {
    if (sentInTurn_ == loop_->turn()) {
      // A later flush of this turn: the turn's end sends it with the earlier ones.
      if (!wireDue_) {
        wireDue_ = true;
        scheduleTurnEnd();
      }
      return;
    }
    sentInTurn_ = loop_->turn();
  }
  sendFlushed();  // with a handshake's last flight held for it (onCiphertext), in one write
}

void SocketCore::sendFlushed() {
  wireDue_ = false;
  if (tls_) {
    sendWire(0);  // carries flushedUnsent_
    return;
  }
  const std::uint32_t flushed = flushedUnsent_;
  flushedUnsent_ = 0;
  if (flushed == 0 || !tcp_) return;
  flushedTotal_ += flushed;
  std::uint32_t sent = 0;
  if (tcp_->queuedBytes() == 0) {
    int n = tcp_->tryWrite(output_.data(), flushed);
    if (n < 0) {
      // Reported from the loop, as AS3 reports every failure after the call that met it.
      output_.clear();
      sendFailedLater(n);
      return;
    }
    sent = static_cast<std::uint32_t>(n);
  }
  // What was written after the last flush stays, at the front.
  const std::uint32_t unflushed = output_.length() - flushed;
  auto keepUnflushed = [this, flushed, unflushed] {
    std::memmove(output_.data(), output_.data() + flushed, unflushed);
    output_.setLength(unflushed);
    output_.setPosition(unflushed);
  };
  if (sent == flushed) {
    keepUnflushed();
    if (owner_ && owner_->hasEventListener(events::OutputProgressEvent::OUTPUT_PROGRESS)) {
      progressDue_ = true;
      scheduleTurnEnd();
    }
    return;
  }
  std::uint32_t queued = flushed - sent;
  utils::detail::ByteStream rest;
  if (unflushed == 0) {
    // The usual case: the buffer itself becomes the write request's, without a copy.
    rest = std::move(output_);
    output_ = tcp_->takeSpareBuffer();
  } else {
    rest.write(output_.data() + sent, queued);
    sent = 0;
    keepUnflushed();
  }
  if (int status = tcp_->write(std::move(rest), sent); status != 0) {
    sendFailedLater(status);
    return;
  }
  inflight_.push_back(queued);
  inflightPlain_ += queued;
}

// sendWire hands the records in wireOut_ to the network: what the kernel takes at once, then a
// queued write for the rest, which carries `plainBytes` of the application's for bytesPending.
void SocketCore::sendWire(std::uint32_t plainBytes) {
  plainBytes += flushedUnsent_;  // records sealed by flush() that waited for the turn's end
  flushedUnsent_ = 0;
  if (wireOut_.length() == 0 || !tcp_) return;
  std::uint32_t sent = 0;
  if (tcp_->queuedBytes() == 0) {
    int n = tcp_->tryWrite(wireOut_.data(), wireOut_.length());
    if (n < 0) {
      wireOut_.setLength(0);
      sendFailedLater(n);
      return;
    }
    sent = static_cast<std::uint32_t>(n);
  }
  if (sent == wireOut_.length()) {
    giveWireBack();
    if (plainBytes > 0 && owner_ &&
        owner_->hasEventListener(events::OutputProgressEvent::OUTPUT_PROGRESS)) {
      progressDue_ = true;
      scheduleTurnEnd();
    }
    return;
  }
  utils::detail::ByteStream rest = std::move(wireOut_);
  wireOut_ = tcp_->takeSpareBuffer();
  if (int status = tcp_->write(std::move(rest), sent); status != 0) {
    sendFailedLater(status);
    return;
  }
  inflight_.push_back(plainBytes);
  inflightPlain_ += plainBytes;
}

void SocketCore::failSending(std::string reason) {
  auto keep = shared_from_this();
  const std::uint64_t generation = generation_;
  // The kernel may still hold bytes that arrived before the reset: read them now, as the read
  // callback would have, while the connection lasts and its listeners keep it.
  for (int reads = 0; reads < 64 && !inputPaused_ && tcp_ && generation_ == generation &&
                      state_ == State::kConnected;
       ++reads) {
    ssize_t n = tcp_->readNow(onTcpAlloc());
    if (n <= 0) break;  // nothing more, the FIN, or the error: the write's failure is reported
    onTcpRead(*tcp_, n);
  }
  if (generation_ == generation && state_ == State::kConnected) fail(std::move(reason));
}

void SocketCore::onTcpWritten(Tcp& tcp, std::size_t, int status) {
  if (&tcp != tcp_.get()) return;
  if (inflightHead_ < inflight_.size()) {
    inflightPlain_ -= inflight_[inflightHead_++];
    if (inflightHead_ == inflight_.size()) {
      inflight_.clear();
      inflightHead_ = 0;
    }
  }
  if (state_ != State::kConnected) return;
  if (status != 0) {
    failSending((status == UV_EPIPE || status == UV_ECONNRESET
                     ? "Sending failed: the peer closed the connection ("
                     : "Sending failed (") +
                uvReason(status) + ")");
    return;
  }
  dispatchProgress();
}

// dispatchProgress reports bytesPending and the bytes written so far plus pending, to listeners
// of outputProgress if there are any.
void SocketCore::dispatchProgress() {
  if (!owner_ || !owner_->hasEventListener(events::OutputProgressEvent::OUTPUT_PROGRESS)) return;
  auto keep = shared_from_this();
  events::OutputProgressEvent event(events::OutputProgressEvent::OUTPUT_PROGRESS, false, false,
                                    bytesPending(),
                                    static_cast<double>(flushedTotal_ + output_.length()));
  dispatch(event);
}

// failLater keeps a failure found inside a call for the turn's end, where AS3 reports it;
// `sending` when a write met it.
void SocketCore::failLater(std::string reason, bool sending) {
  failureDue_ = std::move(reason);
  failureIsSend_ = sending;
  scheduleTurnEnd();
}

// sendFailedLater is failLater for a write that libuv refused with `status`.
void SocketCore::sendFailedLater(int status) {
  failLater("Sending failed (" + uvReason(status) + ")", /*sending=*/true);
}

void SocketCore::runAtTurnEnd() {
  turnEndScheduled_ = false;
  auto keep = shared_from_this();
  if (beginDue_) {
    beginDue_ = false;
    if (state_ == State::kConnecting && attempt_) begin();
    return;
  }
  if (!failureDue_.empty()) {
    std::string reason = std::move(failureDue_);
    failureDue_.clear();
    bool sending = std::exchange(failureIsSend_, false);
    progressDue_ = false;
    if (state_ != State::kConnected) return;
    // A failed write may have met a reset with received bytes still unread.
    if (sending)
      failSending(std::move(reason));
    else
      fail(std::move(reason));
    return;
  }
  if (wireDue_) sendFlushed();
  if (autoFlush_ && state_ == State::kConnected && output_.length() > 0) flush();
  if (progressDue_) {
    progressDue_ = false;
    if (state_ == State::kConnected) dispatchProgress();
  }
}

void SocketCore::close() {
  if (!loop_->alive()) {
    // The loop closed every handle as it went: nothing is connected, nothing is sent. An ended
    // connection keeps its unread bytes, as it does with a live loop.
    if (state_ == State::kConnecting || state_ == State::kConnected) {
      dropConnection(false);
      input_.clear();
      output_.clear();
      state_ = State::kIdle;
    }
    throwNotConnected();
  }
  if (state_ == State::kConnecting) {
    // Dropping a pending attempt: nothing is reported for it.
    dropConnection(false);
    state_ = State::kIdle;
    return;
  }
  if (state_ != State::kConnected) throwNotConnected();
  if (tls_ && tcp_) {
    // close_notify goes after the flushed records; unflushed bytes are dropped.
    tls_->shutdown(wireOut_);
    sendWire(0);
  }
  dropConnection(true);  // sends what flush() released first
  input_.clear();
  output_.clear();
  state_ = State::kIdle;
}

void SocketCore::endAbruptly(bool reset) {
  if (state_ != State::kConnected) throwNotConnected();
  if (tcp_ && !reset) sendFlushed();  // records and bytes already flushed leave; no close_notify
  dropConnection(reset ? Drop::kReset : Drop::kGraceful);
  input_.clear();
  output_.clear();
  state_ = State::kIdle;
}

void SocketCore::dropConnection(Drop how) noexcept {
  // Flushed bytes still waiting for the end of the turn leave before a graceful end, as they
  // would have had they gone at once.
  if (how == Drop::kGraceful && tcp_ && state_ == State::kConnected) sendFlushed();
  flushedUnsent_ = 0;
  wireDue_ = false;
  ++generation_;
  endAttempt();
  beginDue_ = false;
  progressDue_ = false;
  failureDue_.clear();
  inputPaused_ = false;
  inflight_.clear();
  inflightHead_ = 0;
  inflightPlain_ = 0;
  wireOut_.clear();
  handshakeDone_ = nullptr;
  if (tcp_) {
    if (how == Drop::kGraceful)
      tcp_->closeGracefully();
    else if (how == Drop::kReset)
      tcp_->reset();
    else
      tcp_->abort();
    tcp_.reset();
  }
}

// --- TLS ---------------------------------------------------------------------------------------

void SocketCore::startClientTls() {
  std::shared_ptr<TlsClientContext>& context = loop_->tlsClientContext();
  if (!context) context = std::make_shared<TlsClientContext>();
  tls_ = TlsEngine::client(context, tlsClient_->serverName.empty() ? host_ : tlsClient_->serverName,
                           tlsClient_);
  TlsEngine::Outcome outcome = tls_->start(wireOut_);
  sendWire(0);
  if (outcome.failed) tlsFailed();
}

void SocketCore::adoptSecure(std::shared_ptr<Tcp> tcp,
                             std::shared_ptr<const TlsServerConfig> config, std::uint64_t timeoutMs,
                             HandshakeDone done) {
  useConnection(std::move(tcp), true);
  int port = 0;
  describeEnd(true, &host_, &port);
  state_ = State::kConnecting;
  handshakeDone_ = std::make_unique<HandshakeDone>(std::move(done));
  tls_ = TlsEngine::server(std::move(config));
  attempt_ = std::make_unique<Attempt>();
  if (timeoutMs > 0 && (attempt_->deadline = Timer::create(*loop_))) {
    std::weak_ptr<SocketCore> weak = weak_from_this();
    attempt_->deadline->start(timeoutMs, [weak] {
      if (auto self = weak.lock()) self->acceptFailed();
    });
  }
  if (tcp_->startReading() != 0) acceptFailed();
}

void SocketCore::acceptFailed() noexcept {
  auto keep = shared_from_this();
  endAttempt();
  if (tcp_) {
    sendWire(0);
    tcp_->closeGracefully();
    tcp_.reset();
  }
  state_ = State::kIdle;
  ++generation_;
  if (std::unique_ptr<HandshakeDone> done = std::move(handshakeDone_)) {
    loop_->guard([&] { (*done)(false); });
  }
}

void SocketCore::onCiphertext(std::uint32_t count) {
  utils::detail::ByteStream& spare = loop_->readSpare();
  if (input_.bytesAvailable() == 0) {
    input_.setLength(0);
    input_.setPosition(0);
    if (input_.capacity() == 0) swap(input_, loop_->plainSpare());
  } else {
    compactInput();
  }
  if (wireOut_.capacity() == 0) swap(wireOut_, loop_->wireSpare());
  TlsEngine::Outcome outcome = tls_->receive(spare.data(), count, input_, wireOut_);
  if (outcome.failed && outcome.plainBytes > 0 && state_ == State::kConnected) {
    // Records that authenticated before the bad one are the peer's data: announced first, then
    // the failure, as bytes before a cut are.
    sendWire(0);
    events::ProgressEvent event(events::ProgressEvent::SOCKET_DATA, false, false,
                                outcome.plainBytes, 0);
    if (!dispatch(event)) return;  // closed, reconnected or destroyed by a listener
    tlsFailed();
    return;
  }
  if (outcome.established && !outcome.failed && wireOut_.length() > 0) {
    // The handshake's last flight (a server's session tickets, a client's Finished) is held to
    // the end of this turn so that the first flush of the connect listener takes it along, in
    // one write and one segment, instead of waiting behind it for the peer's delayed ACK
    // (Nagle).
    wireDue_ = true;
    scheduleTurnEnd();
  } else {
    sendWire(0);  // handshake messages, alerts
  }
  if (input_.bytesAvailable() == 0 && !(outcome.plainBytes > 0)) givePlainBack();
  if (outcome.failed) {
    tlsFailed();
    return;
  }
  if (outcome.established && !handshakeEstablished()) return;
  if (outcome.plainBytes > 0 && state_ == State::kConnected) {
    events::ProgressEvent event(events::ProgressEvent::SOCKET_DATA, false, false,
                                outcome.plainBytes, 0);
    if (!dispatch(event)) return;
    afterData();
  }
  if (outcome.peerClosed && state_ == State::kConnected) peerFinished();
}

bool SocketCore::handshakeEstablished() {
  endAttempt();
  certificateStatus_ = tls_->status();
  state_ = State::kConnected;
  if (handshakeDone_) {
    std::unique_ptr<HandshakeDone> done = std::move(handshakeDone_);
    std::uint64_t generation = generation_;
    loop_->guard([&] { (*done)(true); });
    return owner_ != nullptr && generation_ == generation;
  }
  events::Event event(events::Event::CONNECT);
  return dispatch(event);
}

void SocketCore::tlsFailed() {
  auto keep = shared_from_this();
  if (state_ == State::kConnected) {
    fail(tls_->failure());
    return;
  }
  certificateStatus_ = tls_->status();
  if (handshakeDone_) {
    acceptFailed();
    return;
  }
  if (tls_->certificateRejected() && owner_ &&
      owner_->hasEventListener(events::SecurityErrorEvent::CERTIFICATE_ERROR)) {
    // For logging or showing the chain; preventDefault() cannot turn it into a connection.
    events::SecurityErrorEvent event(events::SecurityErrorEvent::CERTIFICATE_ERROR, false, true,
                                     tls_->failure());
    if (!dispatch(event)) return;
  }
  connectFailed(tls_->failure());
}

void SocketCore::tlsEnded(int status) {
  status = trueEnd(status);
  if (state_ == State::kConnecting) {
    std::string what = status == UV_EOF ? "the peer closed the connection"
                                        : "the connection broke (" + uvReason(status) + ")";
    certificateStatus_ = tls_->status();
    if (handshakeDone_) {
      acceptFailed();
      return;
    }
    connectFailed("TLS handshake failed: " + what + " during the handshake");
    return;
  }
  if (status == UV_EOF) {
    // TLS says where the data ends; a bare FIN may be an attacker's cut.
    fail("TLS connection truncated: the peer closed the TCP connection without close_notify");
    return;
  }
  ended(status);
}

// --- events ------------------------------------------------------------------------------------

bool SocketCore::dispatch(events::Event& event) {
  if (!owner_) return false;
  std::uint64_t generation = generation_;
  Socket* owner = owner_;
  loop_->guard([&] { owner->dispatchEvent(event); });
  return owner_ != nullptr && generation_ == generation;
}

bool SocketCore::dispatchIOError(const std::string& reason) {
  if (!owner_) return false;
  std::string text = errors::detail::formatMessage(errors::detail::kSocketError);
  if (!host_.empty()) text += " URL: " + host_ + ".";
  text += " " + reason + ".";
  if (!owner_->hasEventListener(events::IOErrorEvent::IO_ERROR)) {
    // As in AIR: an error event nobody listens to is an uncaught error.
    loop_->report(errors::detail::makeError(errors::detail::kUnhandledErrorEvent, {"IOErrorEvent"},
                                            "text=" + text));
    return false;
  }
  events::IOErrorEvent event(events::IOErrorEvent::IO_ERROR, false, false, text,
                             errors::detail::kSocketError);
  return dispatch(event);
}

}  // namespace as3::net::detail
