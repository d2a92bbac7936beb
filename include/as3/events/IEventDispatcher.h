#ifndef AS3_EVENTS_IEVENTDISPATCHER_H_
#define AS3_EVENTS_IEVENTDISPATCHER_H_

#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/Event.h"
#include "as3/events/Listener.h"

namespace as3::events {

/// IEventDispatcher is AS3's flash.events.IEventDispatcher: the listener interface that
/// EventDispatcher implements, and that a class can implement by delegating to an
/// EventDispatcher it aggregates. See EventDispatcher for the rules.
class AS3NET_EXPORT IEventDispatcher {
 public:
  virtual ~IEventDispatcher();

  /// addEventListener registers `listener` for events of `type`, as
  /// EventDispatcher::addEventListener().
  virtual void addEventListener(std::string_view type, Listener listener, bool useCapture = false,
                                int priority = 0, bool useWeakReference = false) = 0;
  /// removeEventListener removes the registration of (type, listener's identity, useCapture), as
  /// EventDispatcher::removeEventListener().
  virtual void removeEventListener(std::string_view type, const Listener& listener,
                                   bool useCapture = false) = 0;
  /// dispatchEvent calls the listeners for the event's type and returns
  /// `!event.isDefaultPrevented()`, as EventDispatcher::dispatchEvent().
  virtual bool dispatchEvent(Event& event) = 0;
  /// dispatchEvent of a temporary, for AS3's `dispatchEvent(new Event(Event.CLOSE))`.
  bool dispatchEvent(Event&& event) { return dispatchEvent(event); }
  /// hasEventListener is true while a registration for `type` exists.
  virtual bool hasEventListener(std::string_view type) const = 0;
  /// willTrigger is true when a listener for `type` is registered on this object or, in a
  /// display list, on an ancestor.
  virtual bool willTrigger(std::string_view type) const = 0;

 protected:
  /// The interface has no state; only implementations create, copy or assign it.
  ///@{
  IEventDispatcher() = default;
  IEventDispatcher(const IEventDispatcher&) = default;
  IEventDispatcher& operator=(const IEventDispatcher&) = default;
  ///@}
};

}  // namespace as3::events

#endif  // AS3_EVENTS_IEVENTDISPATCHER_H_
