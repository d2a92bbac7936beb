#include "as3/net/EventLoop.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "as3/errors/Error.h"
#include "errors/detail/Throw.h"
#include "net/detail/LoopCore.h"

namespace as3::net {
namespace detail {

namespace {

// A write to a connection the peer has closed raises SIGPIPE, whose default kills the process;
// libuv writes with write(), which has no MSG_NOSIGNAL. Like Node, ignore it unless the
// application chose a disposition of its own; the write then fails with EPIPE.
void ignoreSigpipeOnce() {
  static const bool done = [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL &&
        !(current.sa_flags & SA_SIGINFO)) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      sigaction(SIGPIPE, &ignore, nullptr);
    }
    return true;
  }();
  (void)done;
}

void failHard(const char* what, int status) {
  std::fprintf(stderr, "as3net: %s failed: %s\n", what, uv_strerror(status));
  std::abort();
}

}  // namespace

std::shared_ptr<LoopCore> LoopCore::create(uv_loop_t* external) {
  ignoreSigpipeOnce();
  std::shared_ptr<LoopCore> core(new LoopCore(external));
  if (!core->owned_) core->selfUntilClosed_ = core;
  return core;
}

LoopCore::LoopCore(uv_loop_t* external)
    : loop_(external ? external : &ownLoop_),
      owned_(external == nullptr),
      thread_(std::this_thread::get_id()) {
  // Failing here means the process is out of file descriptors or memory before it started.
  if (owned_) {
    if (int status = uv_loop_init(&ownLoop_); status != 0) failHard("uv_loop_init", status);
  }
  if (int status = uv_async_init(loop_, &async_, &LoopCore::onAsync); status != 0)
    failHard("uv_async_init", status);
  uv_check_init(loop_, &check_);
  uv_idle_init(loop_, &idle_);
  async_.data = check_.data = idle_.data = this;
  internalOpen_ = 3;
  uv_check_start(&check_, &LoopCore::onCheck);
  // The loop's own handles never keep run() going; sockets and scheduled work do.
  uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
}

LoopCore::~LoopCore() = default;

void LoopCore::wrongThread(const char* what) noexcept {
  std::fprintf(stderr,
               "as3net: %s was called on a thread that is not its EventLoop's thread; a loop "
               "and its sockets belong to one thread (use EventLoop::post from others)\n",
               what);
  std::abort();
}

int LoopCore::run(uv_run_mode mode) {
  if (running_ > 0)
    errors::detail::throwErrorWithDetail(errors::detail::kIncorrectSequence, {},
                                         "(the EventLoop is already running on this thread: "
                                         "run, runOnce and poll cannot be nested)");
  if (!alive_)
    errors::detail::throwErrorWithDetail(errors::detail::kIncorrectSequence, {},
                                         "(the EventLoop has been destroyed)");
  thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  if (!uncaught_.empty()) {
    std::exception_ptr first = std::move(uncaught_.front());
    uncaught_.pop_front();
    std::rethrow_exception(first);
  }
  {
    std::lock_guard<std::mutex> lock(postedMutex_);
    holdForPosts(!posted_.empty());
  }
  ++running_;
  int more = uv_run(loop_, mode);
  --running_;
  if (!uncaught_.empty()) {
    std::exception_ptr first = std::move(uncaught_.front());
    uncaught_.pop_front();
    std::rethrow_exception(first);
  }
  return more;
}

void LoopCore::stop() noexcept {
  // libuv keeps a stop request made between runs and ends the next run at once; outside a run
  // of ours there is nothing to stop, unless the application runs a wrapped loop itself.
  if (alive_ && (running_ > 0 || !owned_)) uv_stop(loop_);
}

void LoopCore::report(std::exception_ptr error) noexcept {
  if (handler_) {
    try {
      handler_(error);
      return;
    } catch (...) {
      error = std::current_exception();  // the handler's own failure takes the usual way
    }
  }
  uncaught_.push_back(std::move(error));
  if (running_ > 0) {
    uv_stop(loop_);
  } else {
    // The application runs the loop itself: say so now, and rethrow from our next run call.
    try {
      std::rethrow_exception(uncaught_.back());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "as3net: uncaught exception in a listener: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "as3net: uncaught exception in a listener\n");
    }
  }
}

void LoopCore::keepAlive(bool value) noexcept {
  if (!alive_) return;
  keepAlive_ = value;
  std::lock_guard<std::mutex> lock(postedMutex_);
  holdForPosts(!posted_.empty());
}

void LoopCore::holdForPosts(bool pending) noexcept {
  bool hold = alive_ && (keepAlive_ || pending);
  if (hold == asyncHeld_) return;
  asyncHeld_ = hold;
  if (hold)
    uv_ref(reinterpret_cast<uv_handle_t*>(&async_));
  else
    uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
}

void LoopCore::uncaughtErrorHandler(EventLoop::UncaughtErrorHandler handler) {
  handler_ = std::move(handler);
}

void LoopCore::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(postedMutex_);
    if (!alive_) return;
    posted_.push_back(std::move(task));
    // From the loop's own thread the task must keep the next run() going; another thread's
    // task is picked up by a run under way, or by the next one (run() checks the queue).
    if (inLoopThread()) holdForPosts(true);
  }
  uv_async_send(&async_);
}

void LoopCore::onAsync(uv_async_t* async) noexcept {
  auto* self = static_cast<LoopCore*>(async->data);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(self->postedMutex_);
    tasks.swap(self->posted_);
  }
  auto keep = self->shared_from_this();
  for (auto& task : tasks) self->guard(task);
  std::lock_guard<std::mutex> lock(self->postedMutex_);
  self->holdForPosts(!self->posted_.empty());
}

void LoopCore::schedule(std::weak_ptr<TurnEndWork> owner) {
  if (!alive_) return;  // nothing runs any more
  turnEnd_.push_back(std::move(owner));
  if (!idleActive_) {
    uv_idle_start(&idle_, [](uv_idle_t*) {});
    idleActive_ = true;
  }
}

void LoopCore::onCheck(uv_check_t* check) noexcept {
  static_cast<LoopCore*>(check->data)->runTurnEnd();
}

void LoopCore::runTurnEnd() noexcept {
  ++turn_;
  if (turnEnd_.empty()) {
    if (idleActive_) {
      uv_idle_stop(&idle_);
      idleActive_ = false;
    }
    return;
  }
  auto keep = shared_from_this();
  // Work that this work schedules (a listener's flush, say) runs in a few more rounds here, so
  // that poll(), which runs one turn, does not leave it for the next frame. Past the rounds it
  // waits for the next turn, which the idle handle keeps from waiting, so I/O is not starved.
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds && !turnEnd_.empty(); ++round) {
    std::vector<std::weak_ptr<TurnEndWork>> due;
    due.swap(turnEnd_);
    for (auto& weak : due) {
      if (std::shared_ptr<TurnEndWork> work = weak.lock()) guard([&] { work->runAtTurnEnd(); });
    }
  }
  if (turnEnd_.empty() && idleActive_) {
    uv_idle_stop(&idle_);
    idleActive_ = false;
  }
}

void LoopCore::add(HandleBase* handle) noexcept {
  handle->next_ = handles_;
  handle->prev_ = nullptr;
  if (handles_) handles_->prev_ = handle;
  handles_ = handle;
}

void LoopCore::remove(HandleBase* handle) noexcept {
  if (handle->prev_) handle->prev_->next_ = handle->next_;
  if (handle->next_) handle->next_->prev_ = handle->prev_;
  if (handles_ == handle) handles_ = handle->next_;
  handle->prev_ = handle->next_ = nullptr;
}

void LoopCore::onInternalClose(uv_handle_t* handle) noexcept {
  auto* self = static_cast<LoopCore*>(handle->data);
  if (--self->internalOpen_ == 0) {
    auto last = std::move(self->selfUntilClosed_);  // may free *self, and only here
  }
}

void LoopCore::shutdown() noexcept {
  if (!alive_) return;
  {
    std::lock_guard<std::mutex> lock(postedMutex_);
    alive_ = false;
    posted_.clear();
  }
  turnEnd_.clear();
  auto keep = shared_from_this();
  // Each forceClose unlinks its handle; take them from the head until none is left.
  while (handles_) {
    HandleBase* handle = handles_;
    remove(handle);
    handle->forceClose();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), &LoopCore::onInternalClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), &LoopCore::onInternalClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), &LoopCore::onInternalClose);
  if (owned_) {
    // Until every close callback and cancelled lookup of as3net's has come back; handles the
    // application added to uvLoop() must not make this wait for ever.
    while (live_ > 0 || internalOpen_ > 0) uv_run(loop_, UV_RUN_ONCE);
    if (uv_loop_close(loop_) == UV_EBUSY) {
      std::fprintf(stderr,
                   "as3net: ~EventLoop: the application's own handles on uvLoop() are still "
                   "open; close them before the EventLoop goes (the uv loop is left open)\n");
    }
  }
}

}  // namespace detail

EventLoop::EventLoop() : core_(detail::LoopCore::create(nullptr)) {}

EventLoop::EventLoop(uv_loop_s* loop) : core_(detail::LoopCore::create(loop)) {}

EventLoop::~EventLoop() {
  core_->checkThread("EventLoop::~EventLoop");
  core_->shutdown();
}

EventLoop& EventLoop::getDefault() {
  // Never destroyed: sockets with static storage may still use it while the process exits.
  static EventLoop* loop = new EventLoop();
  return *loop;
}

void EventLoop::run() {
  core_->run(UV_RUN_DEFAULT);
}

bool EventLoop::runOnce() {
  return core_->run(UV_RUN_ONCE) != 0;
}

bool EventLoop::poll() {
  return core_->run(UV_RUN_NOWAIT) != 0;
}

void EventLoop::stop() {
  core_->checkThread("EventLoop::stop");
  core_->stop();
}

void EventLoop::post(std::function<void()> task) {
  core_->post(std::move(task));
}

void EventLoop::uncaughtErrorHandler(UncaughtErrorHandler handler) {
  core_->checkThread("EventLoop::uncaughtErrorHandler");
  core_->uncaughtErrorHandler(std::move(handler));
}

uv_loop_s* EventLoop::uvLoop() const noexcept {
  return core_->uv();
}

void EventLoop::keepAlive(bool value) {
  core_->checkThread("EventLoop::keepAlive");
  core_->keepAlive(value);
}

bool EventLoop::inLoopThread() const noexcept {
  return core_->inLoopThread();
}

}  // namespace as3::net
