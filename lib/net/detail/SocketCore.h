// SocketCore is a Socket's connection state: the AS3 state machine, the input and output
// buffers, the connection race, and the libuv handles. The public Socket owns it; a callback in
// flight holds it too, so the Socket may be destroyed inside its own listeners.
//
// The data path has two seams where the TLS engine (SecureSocket) sits: transportReady() is
// where a TCP connection becomes an AS3 connection (TLS handshakes first), and the wire
// functions (onTcpAlloc/onTcpRead in, sendWire out) are where bytes cross between the network
// and the buffers. Plain TCP goes straight through both.
#ifndef AS3NET_LIB_NET_DETAIL_SOCKETCORE_H_
#define AS3NET_LIB_NET_DETAIL_SOCKETCORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/events/Event.h"
#include "as3/net/Socket.h"
#include "as3/utils/Endian.h"
#include "as3/utils/ObjectEncoding.h"
#include "as3/utils/detail/ByteStream.h"
#include "net/detail/Handles.h"
#include "net/detail/LoopCore.h"
#include "net/detail/Tls.h"

namespace as3::net::detail {

/// kAcceptedKeepAliveInherited is true where an accepted connection has its listener's
/// keepalive settings (Linux copies the listening socket's): listeners then get them, once,
/// instead of each connection its four calls.
#ifdef __linux__
inline constexpr bool kAcceptedKeepAliveInherited = true;
#else
inline constexpr bool kAcceptedKeepAliveInherited = false;
#endif

class SocketCore final : public std::enable_shared_from_this<SocketCore>,
                         public TcpSink,
                         public TurnEndWork {
 public:
  /// kIdle: never connected, closed locally, or a connect failed. kEnded: the peer closed or
  /// the connection broke; the bytes received stay readable.
  enum class State { kIdle, kConnecting, kConnected, kEnded };

  /// RFC 8305's Connection Attempt Delay: the next address is tried after this long.
  static constexpr std::uint64_t kAttemptDelayMilliseconds = 250;
  /// TCP keepalive, on for every connection: probes after this idle time (then libuv's, 10 at
  /// 1 s intervals).
  static constexpr unsigned kKeepAliveSeconds = 60;
  /// keepAlive turns keepalive on for `tcp`, a connection or a listener.
  static void keepAlive(Tcp& tcp) noexcept;

  explicit SocketCore(std::shared_ptr<LoopCore> loop);
  ~SocketCore();
  SocketCore(const SocketCore&) = delete;
  SocketCore& operator=(const SocketCore&) = delete;

  /// attach names the Socket that dispatches this core's events; detach is its destructor's.
  void attach(Socket* owner) noexcept { owner_ = owner; }
  void detach() noexcept;

  LoopCore& loop() noexcept { return *loop_; }
  void checkThread(const char* what) const noexcept { loop_->checkThread(what); }
  State state() const noexcept { return state_; }
  bool connected() const noexcept { return state_ == State::kConnected && loop_->alive(); }

  void connect(std::string_view host, int port);
  void close();
  /// endAbruptly ends the connection as a broken peer would: the flushed bytes, then a FIN
  /// without TLS's close_notify, or at once an RST when `reset`. Dispatches nothing. For the
  /// testing kit's misbehaving servers.
  void endAbruptly(bool reset);
  void flush();
  /// adopt makes an accepted connection this socket's (ServerSocket): connected, no event.
  void adopt(std::shared_ptr<Tcp> tcp);

  // TLS. secureClient makes the next connect() handshake with `config` (SecureSocket).
  void secureClient(std::shared_ptr<const TlsClientConfig> config) {
    tlsClient_ = std::move(config);
  }
  /// HandshakeDone tells a SecureServerSocket how an accepted connection's handshake ended.
  using HandshakeDone = std::function<void(bool established)>;
  /// adoptSecure makes an accepted connection this socket's and handshakes as a server; it is
  /// connected (and `done(true)` is called) once the handshake succeeds within `timeoutMs`.
  /// A failure calls `done(false)` and dispatches nothing.
  void adoptSecure(std::shared_ptr<Tcp> tcp, std::shared_ptr<const TlsServerConfig> config,
                   std::uint64_t timeoutMs, HandshakeDone done);
  /// tls is the TLS state of the last secure connection, kept until the next connect().
  const TlsEngine* tls() const noexcept { return tls_.get(); }
  std::string_view certificateStatus() const noexcept { return certificateStatus_; }

  // The buffers, as the Socket's reads and writes use them.
  utils::detail::ByteStream& readable() {
    checkThread("a Socket read");
    if (state_ != State::kConnected && (state_ != State::kEnded || input_.bytesAvailable() == 0))
      throwNotConnected();
    return input_;
  }
  /// consumed follows every read: input paused at the high-water mark resumes below it.
  void consumed() {
    if (inputPaused_) resumeInputIfDrained();
  }
  utils::detail::ByteStream& writable() {
    checkThread("a Socket write");
    if (!connected()) throwNotConnected();
    return output_;
  }
  /// wrote follows every write, with the output length before it: a write that passed the
  /// high-water mark is undone and refused.
  void wrote(std::uint32_t lengthBefore) {
    if (pendingTotal() > outputHighWaterMark_) refuseWrite(lengthBefore);
    if (autoFlush_ && !turnEndScheduled_) scheduleTurnEnd();
  }
  const utils::detail::ByteStream& input() const noexcept { return input_; }
  utils::detail::ByteStream& inputForPurge() noexcept { return input_; }
  /// purgeOutput drops what was written and not flushed; flushed bytes still go.
  void purgeOutput() noexcept {
    const std::uint32_t flushed = tls_ ? 0 : flushedUnsent_;
    output_.setLength(flushed);
    output_.setPosition(flushed);
  }

  std::uint32_t bytesAvailable() const noexcept { return input_.bytesAvailable(); }
  std::uint32_t bytesPending() const noexcept {
    if (!loop_->alive()) return 0;  // the loop closed the connection and dropped its queues
    std::size_t pending = pendingTotal();
    return pending > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(pending);
  }
  /// pendingTotal is bytesPending unclamped, which the high-water mark is checked against. TLS
  /// counts plaintext: a flush's bytes are pending until the records carrying them left.
  std::size_t pendingTotal() const noexcept {
    return output_.length() + (tls_ ? inflightPlain_ + flushedUnsent_ : queuedBytes());
  }

  // Properties kept across connections.
  utils::Endian endian = utils::Endian::bigEndian;
  std::uint32_t objectEncoding = utils::ObjectEncoding::AMF3;
  std::uint32_t timeout = 20000;
  std::uint32_t outputHighWaterMark_ = Socket::kDefaultOutputHighWaterMark;
  std::uint32_t inputHighWaterMark_ = Socket::kDefaultInputHighWaterMark;
  bool autoFlush_ = false;
  bool noDelay() const noexcept { return noDelay_; }
  void noDelay(bool value);

  /// endpoint describes the local or remote end of the connection; false when there is none.
  bool endpoint(bool remote, std::string* address, int* port) const;
  /// describeEnd is endpoint() in any state, while a connection exists.
  bool describeEnd(bool remote, std::string* address, int* port) const;

  // TcpSink
  void onTcpConnected(Tcp& tcp, int status) override;
  uv_buf_t onTcpAlloc() override;
  void onTcpRead(Tcp& tcp, ssize_t n) override;
  void onTcpWritten(Tcp& tcp, std::size_t bytes, int status) override;
  // TurnEndWork
  void runAtTurnEnd() override;

 private:
  struct Attempt;

  [[noreturn]] static void throwNotConnected();
  [[noreturn]] void refuseWrite(std::uint32_t lengthBefore);
  std::size_t queuedBytes() const noexcept { return tcp_ ? tcp_->queuedBytes() : 0; }
  void resumeInputIfDrained();
  void compactInput();
  void scheduleTurnEnd();
  /// sendFlushed hands what flush() released to the network now.
  void sendFlushed();
  /// failSending ends the connection for a failed write, after announcing what the peer sent
  /// before it broke: a reset found by a write must not lose the bytes already received.
  void failSending(std::string reason);

  // Connecting.
  void begin();
  void onResolved(std::uint64_t generation, int status, const addrinfo* result);
  void startNextAttempt();
  void connectFailed(std::string reason);
  void transportReady(std::shared_ptr<Tcp> tcp);
  void useConnection(std::shared_ptr<Tcp> tcp, bool accepted);
  void failLater(std::string reason, bool sending);
  void sendFailedLater(int status);
  void endAttempt() noexcept;

  // TLS.
  void startClientTls();
  void onCiphertext(std::uint32_t count);
  bool handshakeEstablished();
  void tlsFailed();
  void tlsEnded(int status);
  void acceptFailed() noexcept;
  void sendWire(std::uint32_t plainBytes);
  void givePlainBack();  // input_ is empty: its buffer goes back to the loop
  void giveWireBack();   // wireOut_ was sent: its buffer goes back to the loop

  // Connected.
  void afterData();
  void peerFinished();
  int trueEnd(int status) const;
  void ended(int status);
  void fail(std::string reason);
  enum class Drop { kAbort, kGraceful, kReset };
  void dropConnection(bool graceful) noexcept {
    dropConnection(graceful ? Drop::kGraceful : Drop::kAbort);
  }
  void dropConnection(Drop how) noexcept;

  /// dispatch hands `event` to the owner's listeners; false when the owner is gone or the
  /// listeners started another connection, and the caller must stop.
  bool dispatch(events::Event& event);
  bool dispatchIOError(const std::string& reason);
  void dispatchProgress();

  std::shared_ptr<LoopCore> loop_;
  Socket* owner_ = nullptr;
  State state_ = State::kIdle;
  std::uint64_t generation_ = 0;  // advanced by connect() and close(): late work is dropped

  utils::detail::ByteStream input_;   // position = next byte to read
  utils::detail::ByteStream output_;  // written and not yet flushed; position = length
  std::shared_ptr<Tcp> tcp_;
  std::unique_ptr<Attempt> attempt_;  // while connecting
  std::string host_;  // the host of the last connect(), or the peer of an accepted socket

  std::uint64_t flushedTotal_ = 0;  // bytes flushed on this connection, for outputProgress
  bool readIntoSpare_ = false;
  bool inputPaused_ = false;
  bool noDelay_ = false;
  bool turnEndScheduled_ = false;
  bool progressDue_ = false;
  bool wireDue_ = false;  // flushed bytes, and TLS records, go at the end of the turn
  // Bytes flush() released that wait for the end of the turn, to leave with the turn's other
  // flushes in one write: plain, the front of output_; TLS, the plaintext of records in wireOut_.
  // A turn's first flush sends at once, so one flush per turn (a request, a reply) waits for
  // nothing.
  std::uint32_t flushedUnsent_ = 0;
  std::uint32_t sentInTurn_ = 0;  // the loop's turn() at the last send (it is compared only)
  bool beginDue_ = false;
  bool failureIsSend_ = false;  // failureDue_ came from a write
  std::string failureDue_;      // a failure found inside a call, reported at turn end

  // One entry per write handed to libuv: the plaintext bytes it carries, until it completes.
  // A vector, not a deque: an idle socket holds no allocation for it.
  std::vector<std::uint32_t> inflight_;
  std::size_t inflightHead_ = 0;
  std::uint64_t inflightPlain_ = 0;

  std::shared_ptr<const TlsClientConfig> tlsClient_;
  std::unique_ptr<TlsEngine> tls_;
  // While a SecureServerSocket's handshake runs; behind a pointer, as an idle connection
  // has no use for it.
  std::unique_ptr<HandshakeDone> handshakeDone_;
  utils::detail::ByteStream wireOut_;  // records waiting to be handed to libuv
  std::string_view certificateStatus_ = security::CertificateStatus::UNKNOWN;  // a constant
};

}  // namespace as3::net::detail

#endif  // AS3NET_LIB_NET_DETAIL_SOCKETCORE_H_
