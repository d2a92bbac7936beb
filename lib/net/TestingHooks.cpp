#include "net/detail/TestingHooks.h"

#include <uv.h>

#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "net/detail/Handles.h"
#include "net/detail/LoopCore.h"
#include "net/detail/SocketCore.h"

namespace as3::net::detail {

void endAbruptly(Socket& socket, bool reset) {
  socket.core().checkThread("endAbruptly");
  socket.core().endAbruptly(reset);
}

bool runUntil(EventLoop& loop, const std::function<bool()>& done, std::chrono::milliseconds limit) {
  using Clock = std::chrono::steady_clock;
  // The tick bounds each runOnce() wait, so the limit holds and a condition set by another
  // thread is noticed without an event on this loop.
  auto* tick = new uv_timer_t;
  uv_timer_init(loop.uvLoop(), tick);
  uv_timer_start(
      tick, [](uv_timer_t*) {}, 5, 5);
  auto closeTick = [tick] {
    uv_close(reinterpret_cast<uv_handle_t*>(tick),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  };
  const auto deadline = Clock::now() + limit;
  bool finished = false;
  try {
    while (!(finished = done()) && Clock::now() < deadline) loop.runOnce();
  } catch (...) {
    closeTick();
    throw;
  }
  closeTick();
  loop.poll();  // runs the tick's close callback
  return finished;
}

std::shared_ptr<void> startTimer(EventLoop& loop, std::uint64_t milliseconds,
                                 std::function<void()> fire) {
  std::shared_ptr<Timer> timer = Timer::create(*loop.core());
  if (!timer) return nullptr;
  // libuv counts from the time cached at the start of this turn; a script's pause must not end
  // early by however long the turn has run.
  uv_update_time(loop.uvLoop());
  timer->start(milliseconds, std::move(fire));
  // Releasing the handle closes the timer, which drops the callback unfired.
  return std::shared_ptr<void>(timer.get(), [timer](void*) { timer->close(); });
}

}  // namespace as3::net::detail
