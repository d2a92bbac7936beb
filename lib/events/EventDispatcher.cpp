// EventDispatcher: AS3's registration rules over a per-type list kept sorted by priority, and
// dispatch through a snapshot of shared handles, so that listeners may change the list or
// destroy the dispatcher while it runs (STYLE.md, "Events: snapshot, then call").
#include "as3/events/EventDispatcher.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#if defined(__GNUG__)
#include <cxxabi.h>
#endif

#include "as3/events/ErrorEvent.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/events/TextEvent.h"
#include "errors/detail/Throw.h"

namespace as3::events {
namespace {

using Function = Listener::Function;

// AS3 reports error #1023 well before the native stack runs out; 512 nested dispatches keep
// far below a default 8 MiB stack even with sanitizers.
constexpr int kMaxDispatchDepth = 512;
thread_local int dispatchDepth = 0;

class DepthGuard {
 public:
  DepthGuard() {
    if (dispatchDepth >= kMaxDispatchDepth)
      errors::detail::throwError(errors::detail::kStackOverflow);
    ++dispatchDepth;
  }
  ~DepthGuard() { --dispatchDepth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

// What a dispatch holds for each listener due to run: the callable and whatever keeps the
// listener alive, so removing or destroying anything meanwhile frees nothing it still calls.
struct Due {
  std::shared_ptr<const Function> fn;
  std::shared_ptr<const void> keep;
};

// Snapshot avoids allocating for the usual handful of listeners per type.
class Snapshot {
 public:
  void push(Due due) {
    if (size_ < kInline)
      inline_[size_] = std::move(due);
    else
      more_.push_back(std::move(due));
    ++size_;
  }
  std::size_t size() const noexcept { return size_; }
  const Due& operator[](std::size_t i) const noexcept {
    return i < kInline ? inline_[i] : more_[i - kInline];
  }

 private:
  static constexpr std::size_t kInline = 4;
  Due inline_[kInline];
  std::vector<Due> more_;
  std::size_t size_ = 0;
};

// AS3's qualified names for the SDK's event classes; anything else gets its C++ name.
const char* as3ClassName(const std::type_info& type) {
  if (type == typeid(Event)) return "Event";
  if (type == typeid(TextEvent)) return "TextEvent";
  if (type == typeid(ErrorEvent)) return "ErrorEvent";
  if (type == typeid(IOErrorEvent)) return "IOErrorEvent";
  if (type == typeid(SecurityErrorEvent)) return "SecurityErrorEvent";
  if (type == typeid(ProgressEvent)) return "ProgressEvent";
  if (type == typeid(OutputProgressEvent)) return "OutputProgressEvent";
  if (type == typeid(ServerSocketConnectEvent)) return "ServerSocketConnectEvent";
  return nullptr;
}

std::string cxxClassName(const std::type_info& type) {
#if defined(__GNUG__)
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) {
    std::string name(demangled);
    std::free(demangled);
    return name;
  }
#endif
  return type.name();
}

// className is "flash.events.ProgressEvent" for a class, "flash.events::ProgressEvent" as the
// start of a value's description, as Flash prints them in #1034.
std::string className(const std::type_info& type, bool ofValue) {
  if (const char* name = as3ClassName(type))
    return std::string(ofValue ? "flash.events::" : "flash.events.") + name;
  return cxxClassName(type);
}

}  // namespace

namespace detail {

void throwCoercion(const Event& from, const std::type_info& to) {
  char address[2 * sizeof(std::uintptr_t)];
  std::to_chars_result end =
      std::to_chars(address, address + sizeof address, reinterpret_cast<std::uintptr_t>(&from), 16);
  std::string value = className(typeid(from), true) + "@" +
                      std::string(address, static_cast<std::size_t>(end.ptr - address));
  errors::detail::throwError(errors::detail::kTypeCoercion, {value, className(to, false)});
}

void throwNullListener() {
  errors::detail::throwError(errors::detail::kNullParameter, {"listener"});
}

}  // namespace detail

// A registration holds its listener strongly, or, when weak, only watches its lifetime; one slot
// serves either, as every connection of a busy server carries a few of these. A weak callable is
// its own lifetime, so then even the callable is held weakly.
struct EventDispatcher::Registration {
  Registration(std::string_view eventType, const Listener::Identity& id, int order, bool capture)
      : type(eventType), identity(id), priority(order), useCapture(capture) {
    new (&strong) std::shared_ptr<const void>();
  }
  Registration(Registration&& other) noexcept
      : type(std::move(other.type)),
        identity(other.identity),
        fn(std::move(other.fn)),
        priority(other.priority),
        useCapture(other.useCapture),
        weak(other.weak) {
    if (weak)
      new (&watched) std::weak_ptr<const void>(std::move(other.watched));
    else
      new (&strong) std::shared_ptr<const void>(std::move(other.strong));
  }
  Registration& operator=(Registration&& other) noexcept {
    if (this == &other) return *this;
    releaseHold();
    type = std::move(other.type);
    identity = other.identity;
    fn = std::move(other.fn);
    priority = other.priority;
    useCapture = other.useCapture;
    weak = other.weak;
    if (weak)
      new (&watched) std::weak_ptr<const void>(std::move(other.watched));
    else
      new (&strong) std::shared_ptr<const void>(std::move(other.strong));
    return *this;
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() { releaseHold(); }

  void holdStrongly(std::shared_ptr<const void> lifetime) noexcept {
    releaseHold();
    new (&strong) std::shared_ptr<const void>(std::move(lifetime));
    weak = false;
  }
  void holdWeakly(const std::shared_ptr<const void>& lifetime) noexcept {
    releaseHold();
    new (&watched) std::weak_ptr<const void>(lifetime);
    weak = true;
  }
  bool alive() const noexcept { return !weak || !watched.expired(); }

  std::string type;
  Listener::Identity identity;
  std::shared_ptr<const Function> fn;  // null for a weak callable: `watched` is the callable
  union {
    std::shared_ptr<const void> strong;  // strong registrations
    std::weak_ptr<const void> watched;   // weak registrations of mortal listeners
  };
  int priority;
  bool useCapture;
  bool weak = false;

 private:
  void releaseHold() noexcept {
    if (weak)
      watched.~weak_ptr();
    else
      strong.~shared_ptr();
  }
};

namespace {

// dropDead removes dead weak registrations, so that no later listener can match their identity
// (a freed closure's address may be reused).
template <class Registrations>
void dropDead(Registrations& registrations) {
  registrations.erase(std::remove_if(registrations.begin(), registrations.end(),
                                     [](const auto& r) { return !r.alive(); }),
                      registrations.end());
}

}  // namespace

IEventDispatcher::~IEventDispatcher() = default;

EventDispatcher::EventDispatcher() : target_(this) {}

EventDispatcher::EventDispatcher(IEventDispatcher* target)
    : target_(target != nullptr ? target : this) {}

EventDispatcher::~EventDispatcher() = default;

void EventDispatcher::addEventListener(std::string_view type, Listener listener, bool useCapture,
                                       int priority, bool useWeakReference) {
  dropDead(registrations_);
  for (const Registration& r : registrations_)
    if (r.type == type && r.useCapture == useCapture && r.identity == listener.identity()) return;

  Registration reg(type, listener.identity(), priority, useCapture);
  const std::shared_ptr<const Function>& fn = listener.function();
  const std::shared_ptr<const void>& lifetime = listener.lifetime();
  if (useWeakReference && lifetime) {
    // A weak callable is its own lifetime: then `watched` points at the callable itself (an
    // alias sharing the lifetime's ownership), and locking it yields the function to call.
    const bool fnIsLifetime = !fn.owner_before(lifetime) && !lifetime.owner_before(fn);
    if (fnIsLifetime) {
      reg.holdWeakly(std::shared_ptr<const void>(lifetime, fn.get()));
    } else {
      reg.holdWeakly(lifetime);
      reg.fn = fn;
    }
  } else {
    reg.fn = fn;
    reg.holdStrongly(lifetime);
  }
  // A handful of registrations grow one at a time, so that an idle socket's vector holds no
  // spare slots; past that, the usual doubling.
  if (registrations_.size() == registrations_.capacity()) {
    const std::size_t n = registrations_.size();
    registrations_.reserve(n < 8 ? n + 1 : 2 * n);
  }
  auto position = std::find_if(registrations_.begin(), registrations_.end(),
                               [priority](const Registration& r) { return r.priority < priority; });
  registrations_.insert(position, std::move(reg));
}

void EventDispatcher::removeEventListener(std::string_view type, const Listener& listener,
                                          bool useCapture) {
  dropDead(registrations_);
  auto match =
      std::find_if(registrations_.begin(), registrations_.end(), [&](const Registration& r) {
        return r.type == type && r.useCapture == useCapture && r.identity == listener.identity();
      });
  if (match != registrations_.end()) registrations_.erase(match);
  if (registrations_.empty()) registrations_.shrink_to_fit();
}

bool EventDispatcher::dispatchEvent(Event& original) {
  std::unique_ptr<Event> clone;  // lives until every listener has returned
  Event* event = &original;
  if (original.target_ != nullptr) {
    clone = original.clone();
    if (!clone) errors::detail::throwError(errors::detail::kNullObject);
    event = clone.get();
  }
  event->target_ = target_;
  event->currentTarget_ = target_;
  event->eventPhase_ = EventPhase::AT_TARGET;

  if (registrations_.empty()) return !event->isDefaultPrevented();

  DepthGuard depth;
  Snapshot snapshot;
  dropDead(registrations_);
  const std::string_view type = event->type();
  for (const Registration& r : registrations_) {
    if (r.useCapture || r.type != type) continue;  // no capture phase without a display list
    Due due;
    if (r.weak) {
      due.keep = r.watched.lock();
      if (!due.keep) continue;
      due.fn = r.fn ? r.fn : std::static_pointer_cast<const Function>(due.keep);
    } else {
      due.fn = r.fn;
      due.keep = r.strong;
    }
    if (due.fn) snapshot.push(std::move(due));
  }

  // From here on *this may be destroyed by a listener: use only locals and the event.
  for (std::size_t i = 0; i < snapshot.size(); ++i) {
    (*snapshot[i].fn)(*event);
    if (event->propagation_ == Event::Propagation::kStopImmediate) break;
  }
  return !event->isDefaultPrevented();
}

bool EventDispatcher::hasEventListener(std::string_view type) const {
  return std::any_of(registrations_.begin(), registrations_.end(),
                     [type](const Registration& r) { return r.type == type && r.alive(); });
}

bool EventDispatcher::willTrigger(std::string_view type) const {
  return hasEventListener(type);
}

}  // namespace as3::events
