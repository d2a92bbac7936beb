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

  virtual void addEventListener(std::string_view type, Listener listener, bool useCapture = false,
                                int priority = 0, bool useWeakReference = false) = 0;
  virtual void removeEventListener(std::string_view type, const Listener& listener,
                                   bool useCapture = false) = 0;
  virtual bool dispatchEvent(Event& event) = 0;
  /// dispatchEvent of a temporary, for AS3's `dispatchEvent(new Event(Event.CLOSE))`.
  bool dispatchEvent(Event&& event) { return dispatchEvent(event); }
  virtual bool hasEventListener(std::string_view type) const = 0;
  virtual bool willTrigger(std::string_view type) const = 0;

 protected:
  IEventDispatcher() = default;
  IEventDispatcher(const IEventDispatcher&) = default;
  IEventDispatcher& operator=(const IEventDispatcher&) = default;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_IEVENTDISPATCHER_H_
