// The libuv handles and requests as3net uses, each owning itself from init until libuv's last
// callback, reporting to an owner that can detach at any time: after detach() or forceClose()
// nothing reaches the owner again, and the memory is freed only in the close callback.
#ifndef AS3NET_LIB_NET_DETAIL_HANDLES_H_
#define AS3NET_LIB_NET_DETAIL_HANDLES_H_

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "as3/utils/detail/ByteStream.h"
#include "net/detail/LoopCore.h"

namespace as3::net::detail {

/// Timer is a one-shot uv_timer_t whose callback is dropped once it is closed.
class Timer final : public HandleBase {
 public:
  /// create returns null when libuv refuses (the loop is gone).
  static std::shared_ptr<Timer> create(LoopCore& loop);
  void start(std::uint64_t milliseconds, std::function<void()> fire);
  void stop() noexcept;
  void close() noexcept;
  void forceClose() noexcept override { close(); }

 private:
  explicit Timer(LoopCore& loop) : loop_(loop.shared_from_this()) {}
  static void onFire(uv_timer_t* timer) noexcept;
  static void onClose(uv_handle_t* handle) noexcept;

  uv_timer_t timer_{};
  std::shared_ptr<LoopCore> loop_;
  std::shared_ptr<Timer> self_;
  std::function<void()> fire_;
  bool open_ = false;
};

/// Resolver is one uv_getaddrinfo request, cancelled (its answer dropped) by cancel().
class Resolver final : public HandleBase {
 public:
  using Done = std::function<void(int status, const addrinfo* result)>;
  /// start begins resolving `host` for TCP on `port`; returns a libuv error when it cannot.
  static int start(LoopCore& loop, const std::string& host, int port, Done done,
                   std::shared_ptr<Resolver>* out);
  void cancel() noexcept;
  void forceClose() noexcept override { cancel(); }

 private:
  explicit Resolver(LoopCore& loop) : loop_(loop.shared_from_this()) {}
  static void onDone(uv_getaddrinfo_t* req, int status, addrinfo* result) noexcept;

  uv_getaddrinfo_t req_{};
  std::shared_ptr<LoopCore> loop_;
  std::shared_ptr<Resolver> self_;
  Done done_;
};

/// TcpSink receives what happens on a Tcp. Calls come from libuv callbacks, never from inside
/// a call on the Tcp.
class TcpSink {
 public:
  virtual void onTcpConnected(class Tcp& tcp, int status) = 0;
  /// onTcpAlloc gives the buffer the next read goes into.
  virtual uv_buf_t onTcpAlloc() = 0;
  /// onTcpRead reports `n` bytes read into the last buffer, or an error (UV_EOF: the peer's FIN).
  virtual void onTcpRead(Tcp& tcp, ssize_t n) = 0;
  /// onTcpWritten reports that `bytes` queued bytes were written, or that writing failed.
  virtual void onTcpWritten(class Tcp& tcp, std::size_t bytes, int status) = 0;
  /// onTcpConnection reports a client waiting to be accepted on a listening Tcp.
  virtual void onTcpConnection(Tcp& tcp, int status) {
    (void)tcp;
    (void)status;
  }

 protected:
  virtual ~TcpSink() = default;
};

/// Tcp is one uv_tcp_t: a connection attempt, a connection, or a listener.
class Tcp final : public HandleBase {
 public:
  /// The longest a closing connection waits for its flushed bytes to leave before it is reset.
  static constexpr std::uint64_t kLingerMilliseconds = 30000;

  /// create returns null and sets `*status` when libuv refuses.
  static std::shared_ptr<Tcp> create(LoopCore& loop, TcpSink* sink, int* status);

 private:
  struct CreateKey {
    explicit CreateKey() = default;
  };

 public:
  /// Only create() can name the key; the constructor is public for make_shared, which puts
  /// the Tcp and its reference count in one allocation.
  Tcp(CreateKey, LoopCore& loop, TcpSink* sink) : loop_(loop.shared_from_this()), sink_(sink) {}

  uv_tcp_t* handle() noexcept { return &tcp_; }
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  bool open() const noexcept { return state_ == State::kOpen; }
  void sink(TcpSink* sink) noexcept { sink_ = sink; }

  /// connect starts connecting to `address`, and reading: the sink hears of bytes only after
  /// onTcpConnected reported success.
  int connect(const sockaddr* address);
  int listen(int backlog);
  int startReading();
  void stopReading() noexcept;
  /// write sends `data[offset, length)`, taking the stream (no copy); the sink hears of it.
  /// Returns a libuv error when the write cannot even be queued.
  int write(utils::detail::ByteStream&& data, std::uint32_t offset);
  /// tryWrite writes what the kernel takes at once; returns how much, or a libuv error.
  int tryWrite(const std::uint8_t* data, std::uint32_t length) noexcept;
  /// readNow reads what the kernel holds into `buffer` without waiting: the byte count, 0 when
  /// nothing is there, UV_EOF at the peer's FIN, or another libuv error.
  ssize_t readNow(uv_buf_t buffer) noexcept;
  /// queuedBytes is what write() queued and the kernel has not taken yet.
  std::size_t queuedBytes() const noexcept { return tcp_.write_queue_size; }

  /// closeGracefully detaches the sink, lets queued writes finish (for at most
  /// kLingerMilliseconds), sends FIN, then closes.
  void closeGracefully() noexcept;
  /// abort detaches the sink and closes at once: queued writes are dropped.
  void abort() noexcept;
  /// reset closes at once with an RST instead of a FIN: queued writes are dropped.
  void reset() noexcept;
  void forceClose() noexcept override { abort(); }

  /// takeSpareBuffer hands over the buffer of a completed write (kept only when small), so the
  /// next writes need no allocation.
  utils::detail::ByteStream takeSpareBuffer() noexcept;

 private:
  enum class State { kOpen, kShuttingDown, kClosing };
  struct WriteRequest;

  void closeHandle(bool reset = false) noexcept;
  static void onConnect(uv_connect_t* req, int status) noexcept;
  static void onConnection(uv_stream_t* server, int status) noexcept;
  static void onAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void onRead(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) noexcept;
  static void onWrite(uv_write_t* req, int status) noexcept;
  static void onShutdown(uv_shutdown_t* req, int status) noexcept;
  static void onClose(uv_handle_t* handle) noexcept;

  uv_tcp_t tcp_{};
  std::unique_ptr<uv_connect_t> connect_;  // while an outgoing connect is under way
  std::shared_ptr<LoopCore> loop_;
  std::shared_ptr<Tcp> self_;  // libuv's reference, from init to the close callback
  TcpSink* sink_;
  State state_ = State::kOpen;
  std::shared_ptr<Timer> linger_;
  utils::detail::ByteStream spare_;
};

/// describeAddress writes a sockaddr as numeric text without brackets and its port.
bool describeAddress(const sockaddr* address, std::string* text, int* port);

}  // namespace as3::net::detail

#endif  // AS3NET_LIB_NET_DETAIL_HANDLES_H_
