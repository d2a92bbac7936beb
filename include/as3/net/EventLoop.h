#ifndef AS3_NET_EVENTLOOP_H_
#define AS3_NET_EVENTLOOP_H_

#include <exception>
#include <functional>
#include <memory>

#include "as3/Export.h"

struct uv_loop_s;  // libuv's uv_loop_t; uv.h stays out of the public headers

namespace as3::net {

namespace detail {
class LoopCore;
}

/// EventLoop is where every socket's I/O happens and every event is dispatched: the part of the
/// Flash runtime that AS3 code never saw. Not in AS3.
///
/// Drive it in one of three ways: run() on a thread of its own, poll() once per frame from a
/// game's loop (Xojo's Poll), or wrap a `uv_loop_t` the application already runs. Events are
/// always dispatched from the loop, never from inside the call that caused them.
///
/// Everything but post() belongs to the loop's thread: the thread that created it, or the one
/// that last called run(), runOnce() or poll(). Debug builds abort with a message when another
/// thread touches the loop or one of its sockets.
///
/// An exception that escapes a listener (or a posted task) is caught at the loop's boundary,
/// never unwinding through libuv. With an uncaughtErrorHandler set, the handler receives it at
/// once; otherwise the loop stops after the current callback and run(), runOnce() or poll()
/// rethrows it once the callback stack has unwound. Events still due are kept for the next
/// call. As in AIR, an `ioError` that no listener hears is reported the same way, as
/// errors::Error #2044 ("Unhandled IOErrorEvent:. text=...").
class AS3NET_EXPORT EventLoop {
 public:
  /// UncaughtErrorHandler is called with each exception that escapes a listener or a posted
  /// task, and with the errors::Error #2044 of each ioError no listener hears.
  using UncaughtErrorHandler = std::function<void(std::exception_ptr)>;

  /// Creates a loop that owns its own `uv_loop_t`.
  EventLoop();
  /// Wraps `loop`, which the application owns and may run itself (uv_run); as3net's handles
  /// on it are closed by the destructor and freed by libuv's next turn of that loop.
  explicit EventLoop(uv_loop_s* loop);
  /// Closes every socket and server socket still open on this loop (dispatching nothing) and,
  /// for an owned loop, runs it until libuv has released them and closes it. Handles the
  /// application added to uvLoop() are its own to close first; if some are still open, the
  /// destructor says so on stderr and leaves the uv loop open rather than wait for them. Sockets
  /// that outlive the loop throw errors::IllegalOperationError #2037 from connect() afterwards.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// getDefault is the process's loop, created on first use, used by sockets made without one.
  static EventLoop& getDefault();

  /// run processes events until stop() is called or nothing is left to do. Throws what a
  /// listener threw (see above), and errors::IllegalOperationError #2037 when called from
  /// inside one of this loop's callbacks.
  void run();
  /// runOnce waits for at least one event, processes what is ready, and returns whether
  /// anything is left to do.
  bool runOnce();
  /// poll processes whatever is ready without waiting, and returns whether anything is left to
  /// do. A game calls it once per frame.
  bool poll();
  /// stop makes run() return after the current callback. Outside run(), runOnce() and poll() it
  /// does nothing (on a wrapped loop, it stops the application's own uv_run()).
  void stop();

  /// post runs `task` on the loop's thread during a later turn. Safe from any thread (not from
  /// a signal handler); the EventLoop must outlive the threads that post to it. Tasks run in
  /// the order posted. A pending task does not keep run() going by itself: a loop with nothing
  /// else to do returns from run(), and runs the task on its next run(), runOnce() or poll().
  /// Use keepAlive(true) for a loop that serves other threads.
  void post(std::function<void()> task);
  /// keepAlive(true) makes run() wait (for posted tasks, among others) until stop() even when
  /// nothing else is left to do; false, the default, lets it return then.
  void keepAlive(bool value);

  /// uncaughtErrorHandler receives exceptions that escape listeners and tasks (AIR's
  /// UncaughtErrorEvent idea). An empty handler restores rethrowing from run() and poll().
  void uncaughtErrorHandler(UncaughtErrorHandler handler);

  /// uvLoop is the underlying `uv_loop_t`, for applications that add their own handles.
  uv_loop_s* uvLoop() const noexcept;
  /// inLoopThread tells whether the calling thread is the loop's thread.
  bool inLoopThread() const noexcept;

  /// core is the state sockets share with the loop; it outlives the EventLoop while they do.
  const std::shared_ptr<detail::LoopCore>& core() const noexcept { return core_; }

 private:
  std::shared_ptr<detail::LoopCore> core_;
};

}  // namespace as3::net

#endif  // AS3_NET_EVENTLOOP_H_
