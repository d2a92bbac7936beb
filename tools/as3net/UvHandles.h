// Small owners of libuv handles the tool adds to an EventLoop's uv loop (timers, signal
// watchers) for the commands that run one: each handle is freed in libuv's close callback, so
// its owner may go away inside its own callback.
#ifndef AS3NET_TOOLS_AS3NET_UVHANDLES_H_
#define AS3NET_TOOLS_AS3NET_UVHANDLES_H_

#include <uv.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <utility>

#include "as3/net/EventLoop.h"

namespace as3net_tool {

// closeHandle closes a handle made with `new` and frees it in libuv's close callback.
template <class H>
void closeHandle(H* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<H*>(h); });
}

// Timer calls `fire` on the loop after a delay. Its handle is freed by libuv once closed, so it
// may be destroyed inside `fire`. An unreferenced timer does not keep the loop running.
class Timer {
 public:
  Timer(as3::net::EventLoop& loop, std::function<void()> fire, bool referenced = true)
      : timer_(new uv_timer_t), fire_(std::move(fire)) {
    uv_timer_init(loop.uvLoop(), timer_);
    timer_->data = this;
    if (!referenced) uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
  }
  ~Timer() { close(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void start(double seconds) {
    if (!timer_) return;
    auto ms = static_cast<std::uint64_t>(seconds * 1000 + 0.5);
    uv_timer_start(
        timer_, [](uv_timer_t* t) { static_cast<Timer*>(t->data)->fire_(); }, ms, 0);
  }
  void stop() {
    if (timer_) uv_timer_stop(timer_);
  }
  void close() {
    if (timer_) closeHandle(timer_);
    timer_ = nullptr;
  }

 private:
  uv_timer_t* timer_;
  std::function<void()> fire_;
};

// StopSignals runs `stop` on the loop when SIGINT or SIGTERM arrives.
class StopSignals {
 public:
  StopSignals(as3::net::EventLoop& loop, std::function<void()> stop) : stop_(std::move(stop)) {
    const int numbers[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; ++i) {
      signals_[i] = new uv_signal_t;
      uv_signal_init(loop.uvLoop(), signals_[i]);
      signals_[i]->data = this;
      uv_signal_start(
          signals_[i], [](uv_signal_t* s, int) { static_cast<StopSignals*>(s->data)->stop_(); },
          numbers[i]);
    }
  }
  ~StopSignals() { close(); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// close stops watching; safe inside `stop`, which it does not destroy.
  void close() {
    for (uv_signal_t*& s : signals_) {
      if (s) closeHandle(s);
      s = nullptr;
    }
  }

 private:
  uv_signal_t* signals_[2];
  std::function<void()> stop_;
};

}  // namespace as3net_tool

#endif  // AS3NET_TOOLS_AS3NET_UVHANDLES_H_
