// LoopCore is the state an EventLoop shares with the sockets on it: the uv loop, the queues of
// work for the end of the current turn and from other threads, the uncaught exceptions, and the
// list of as3net's handles, which the EventLoop's destructor closes.
#ifndef AS3NET_LIB_NET_DETAIL_LOOPCORE_H_
#define AS3NET_LIB_NET_DETAIL_LOOPCORE_H_

#include <uv.h>

#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "as3/net/EventLoop.h"
#include "as3/utils/detail/ByteStream.h"

namespace as3::net::detail {

class TlsClientContext;

/// HandleBase is an as3net libuv handle or request that the loop can close when it goes away.
class HandleBase {
 public:
  /// forceClose stops reporting to the handle's owner and closes it; libuv frees it later.
  virtual void forceClose() noexcept = 0;

 protected:
  HandleBase() = default;
  virtual ~HandleBase() = default;

 private:
  friend class LoopCore;
  HandleBase* prev_ = nullptr;
  HandleBase* next_ = nullptr;
};

/// TurnEndWork is something that runs once at the end of the loop turn it was scheduled in:
/// deferred events, automatic flushes.
class TurnEndWork {
 public:
  virtual void runAtTurnEnd() = 0;

 protected:
  virtual ~TurnEndWork() = default;
};

class LoopCore : public std::enable_shared_from_this<LoopCore> {
 public:
  /// The size of one read from the network, and of the loop's spare read buffer.
  static constexpr std::uint32_t kReadChunk = 64 * 1024;

  /// create makes the core of an owned loop (`external` null) or of a wrapped one.
  static std::shared_ptr<LoopCore> create(uv_loop_t* external);
  ~LoopCore();
  LoopCore(const LoopCore&) = delete;
  LoopCore& operator=(const LoopCore&) = delete;

  uv_loop_t* uv() noexcept { return loop_; }
  /// alive is false once the EventLoop is gone; nothing new may start then.
  bool alive() const noexcept { return alive_; }

  // Running, for EventLoop.
  int run(uv_run_mode mode);
  void stop() noexcept;
  void shutdown() noexcept;
  void post(std::function<void()> task);
  void uncaughtErrorHandler(EventLoop::UncaughtErrorHandler handler);

  /// schedule runs `work` at the end of this turn (or the next, when called between turns);
  /// `owner` keeps it alive until then, and a work item whose owner is gone is skipped.
  void schedule(std::weak_ptr<TurnEndWork> owner);
  /// deferringFlushes is true while run(), runOnce() or poll() is inside libuv: a socket's
  /// second and later flushes of a turn may then leave their bytes for the end of the turn,
  /// which comes before the loop next waits, so that they go out in one write. Outside a run (a
  /// game's frame code, a loop the application drives itself) every flush sends at once.
  bool deferringFlushes() const noexcept { return running_ > 0; }
  /// turn numbers the loop's turns (it wraps): a socket compares it with the turn of its last
  /// send.
  std::uint32_t turn() const noexcept { return turn_; }
  /// report hands an exception caught at the loop boundary to the application.
  void report(std::exception_ptr error) noexcept;
  /// guard calls `fn`, reporting whatever it throws; for every call into user code.
  template <class F>
  void guard(F&& fn) noexcept {
    try {
      fn();
    } catch (...) {
      report(std::current_exception());
    }
  }

  void add(HandleBase* handle) noexcept;
  void remove(HandleBase* handle) noexcept;
  /// retain and release count as3net's handles and requests from init to libuv's last
  /// callback, so the destructor knows when libuv is done with them.
  void retain() noexcept { ++live_; }
  void release() noexcept { --live_; }
  /// keepAlive makes run() wait for post()ed work until stop() instead of returning when
  /// nothing else is left to do.
  void keepAlive(bool value) noexcept;

  /// readSpare is the buffer a socket with nothing buffered reads into; the socket swaps it
  /// with its empty input buffer, so an idle socket holds no read buffer.
  utils::detail::ByteStream& readSpare() noexcept { return readSpare_; }
  /// plainSpare and wireSpare are what a TLS socket decrypts into and seals into while it has
  /// nothing buffered: borrowed for the call, given back once empty, so an idle TLS socket
  /// holds neither.
  utils::detail::ByteStream& plainSpare() noexcept { return plainSpare_; }
  utils::detail::ByteStream& wireSpare() noexcept { return wireSpare_; }
  /// tlsClientContext is the loop's client TLS context and session cache, made on first use.
  std::shared_ptr<TlsClientContext>& tlsClientContext() noexcept { return tlsClient_; }

  /// checkThread aborts with a message naming `what` when called off the loop's thread. Debug
  /// builds only.
  void checkThread(const char* what) const noexcept {
#ifndef NDEBUG
    if (std::this_thread::get_id() != thread_.load(std::memory_order_relaxed)) wrongThread(what);
#else
    (void)what;
#endif
  }
  bool inLoopThread() const noexcept {
    return std::this_thread::get_id() == thread_.load(std::memory_order_relaxed);
  }

 private:
  explicit LoopCore(uv_loop_t* external);
  [[noreturn]] static void wrongThread(const char* what) noexcept;
  static void onAsync(uv_async_t* async) noexcept;
  static void onCheck(uv_check_t* check) noexcept;
  static void onInternalClose(uv_handle_t* handle) noexcept;
  void runTurnEnd() noexcept;
  // holdForPosts refs the async handle while posted work waits or keepAlive asks, so that
  // run() does not return with a task still queued. Loop thread only.
  void holdForPosts(bool pending) noexcept;

  uv_loop_t ownLoop_{};
  uv_loop_t* loop_;
  bool owned_;
  bool alive_ = true;
  std::uint32_t turn_ = 1;  // advanced as each turn's end-of-turn work starts
  int running_ = 0;         // nesting of run() on this thread: more than one is refused
  bool keepAlive_ = false;
  bool asyncHeld_ = false;  // the async handle is ref'd
  int internalOpen_ = 0;
  std::size_t live_ = 0;                       // as3net handles libuv has not finished with
  std::shared_ptr<LoopCore> selfUntilClosed_;  // for a wrapped loop: until libuv lets go
  std::atomic<std::thread::id> thread_;

  uv_async_t async_{};
  uv_check_t check_{};
  uv_idle_t idle_{};  // active while work is scheduled, so the next poll does not block
  bool idleActive_ = false;

  std::mutex postedMutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::weak_ptr<TurnEndWork>> turnEnd_;

  std::deque<std::exception_ptr> uncaught_;
  EventLoop::UncaughtErrorHandler handler_;

  HandleBase* handles_ = nullptr;
  utils::detail::ByteStream readSpare_;
  utils::detail::ByteStream plainSpare_;
  utils::detail::ByteStream wireSpare_;
  std::shared_ptr<TlsClientContext> tlsClient_;

  friend class as3::net::EventLoop;
};

}  // namespace as3::net::detail

#endif  // AS3NET_LIB_NET_DETAIL_LOOPCORE_H_
