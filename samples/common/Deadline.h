// Deadline: stops an EventLoop after a time limit, so a sample ends by itself even when its peer
// never answers. Shared by the samples (include "common/Deadline.h").
#ifndef SAMPLES_COMMON_DEADLINE_H_
#define SAMPLES_COMMON_DEADLINE_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "as3/net/EventLoop.h"

// Deadline calls loop.stop() on the loop's thread once `limit` has passed, unless it is destroyed
// first; expired() then tells run()'s caller why run() returned. as3net has no flash.utils.Timer,
// so a thread of its own waits and hands the stop to the loop with post(), the one EventLoop call
// that is safe from another thread. Destroy it on the loop's thread, before the loop.
class Deadline {
 public:
  Deadline(as3::net::EventLoop& loop, std::chrono::milliseconds limit)
      : state_(std::make_shared<State>()) {
    thread_ = std::thread([&loop, limit, state = state_] {
      std::unique_lock<std::mutex> lock(state->mutex);
      if (state->wake.wait_for(lock, limit, [&] { return state->cancelled; })) return;
      // The task may run after this Deadline is gone (in a later run() of the same loop), so it
      // holds the shared state and checks `cancelled` rather than touching the Deadline.
      loop.post([&loop, state] {
        std::lock_guard<std::mutex> guard(state->mutex);
        if (state->cancelled) return;
        state->expired = true;
        loop.stop();
      });
    });
  }

  ~Deadline() {
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      state_->cancelled = true;
    }
    state_->wake.notify_all();
    thread_.join();
  }

  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool expired() const {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->expired;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable wake;
    bool cancelled = false;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
  std::thread thread_;
};

#endif  // SAMPLES_COMMON_DEADLINE_H_
