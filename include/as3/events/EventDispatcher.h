#ifndef AS3_EVENTS_EVENTDISPATCHER_H_
#define AS3_EVENTS_EVENTDISPATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/events/Event.h"
#include "as3/events/IEventDispatcher.h"
#include "as3/events/Listener.h"

namespace as3::events {

/// EventDispatcher is AS3's flash.events.EventDispatcher, the base of Socket, ServerSocket and
/// the other classes that dispatch events, with AS3's rules:
///
/// - A registration is (type, listener identity, useCapture); adding it again is ignored and
///   keeps its first priority. Listeners run by priority, highest first, then in the order
///   they were added.
/// - The list is fixed when a dispatch starts: a listener added meanwhile waits for the next
///   event, one removed meanwhile still runs this once and never afterwards.
/// - A listener may add and remove listeners (itself included), dispatch again, and destroy
///   this dispatcher; the listeners already due still run, and nothing touches the dispatcher
///   after that.
/// - Capture listeners are registered (hasEventListener() sees them) but never run: only the
///   display list has a capture phase.
/// - A weak registration does not keep the listener's lifetime() alive, and is dropped once it
///   is gone.
///
/// Not thread-safe: use a dispatcher on one thread at a time, as the event loop does.
/// Differs from AS3: an exception thrown by a listener propagates out of dispatchEvent() and
/// skips the remaining listeners (AS3 reports it as uncaught); the dispatcher stays usable.
/// Differs from AS3: "" is an ordinary type (AS3's null type is TypeError #2007; C++ strings are
/// never null). Not copyable or movable: listeners and aggregated targets hold its address.
class AS3NET_EXPORT EventDispatcher : public IEventDispatcher {
 public:
  /// Creates a dispatcher whose events report it as target.
  EventDispatcher();
  /// Creates a dispatcher for aggregation: its events report `target` (not owned) as target and
  /// currentTarget, as AS3's EventDispatcher(target). Null means this dispatcher.
  explicit EventDispatcher(IEventDispatcher* target);
  ~EventDispatcher() override;
  EventDispatcher(const EventDispatcher&) = delete;
  EventDispatcher& operator=(const EventDispatcher&) = delete;

  /// addEventListener registers `listener` for events of `type`. A strong registration
  /// (useWeakReference false) keeps `listener.lifetime()` alive until it is removed or this
  /// dispatcher is destroyed.
  void addEventListener(std::string_view type, Listener listener, bool useCapture = false,
                        int priority = 0, bool useWeakReference = false) override;

  /// removeEventListener removes the registration of (type, listener's identity, useCapture),
  /// if any. A capture registration is removed only with useCapture true.
  void removeEventListener(std::string_view type, const Listener& listener,
                           bool useCapture = false) override;

  /// dispatchEvent sets the event's target, currentTarget and eventPhase (AT_TARGET), calls the
  /// listeners for its type, and returns `!event.isDefaultPrevented()`. An event whose target
  /// is already set (it was dispatched before) is cloned and the clone dispatched instead, its
  /// result returned (a clone() that returns null throws errors::TypeError #1009). Throws
  /// errors::Error #1023 when dispatches nest more than 512 deep on a thread, and whatever a
  /// listener throws.
  bool dispatchEvent(Event& event) override;
  using IEventDispatcher::dispatchEvent;

  /// hasEventListener is true while a registration for `type` exists, capture ones included.
  bool hasEventListener(std::string_view type) const override;
  /// willTrigger is hasEventListener(): there are no display-list ancestors.
  bool willTrigger(std::string_view type) const override;

 private:
  struct Registration;
  // Every type's registrations in one vector, by descending priority and then in the order
  // added: a socket's few listeners take one small allocation.
  std::vector<Registration> registrations_;
  IEventDispatcher* target_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_EVENTDISPATCHER_H_
