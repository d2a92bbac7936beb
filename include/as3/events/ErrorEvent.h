#ifndef AS3_EVENTS_ERROREVENT_H_
#define AS3_EVENTS_ERROREVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/TextEvent.h"

namespace as3::events {

/// ErrorEvent is AS3's flash.events.ErrorEvent: an asynchronous failure, with a text and the
/// errorID of the matching AS3 error. toString() has AIR's form, which appends errorID:
/// `[ErrorEvent type="error" bubbles=false cancelable=false eventPhase=2 text="" errorID=0]`.
class AS3NET_EXPORT ErrorEvent : public TextEvent {
 public:
  /// ERROR is "error". Not dispatched by the SDK.
  static constexpr std::string_view ERROR = "error";

  /// Creates an undispatched event with `text` and errorID `id`.
  explicit ErrorEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                      std::string text = "", int id = 0);
  ~ErrorEvent() override;

  /// errorID is read-only, as in AS3.
  int errorID() const noexcept { return errorID_; }

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  ErrorEvent(const ErrorEvent& other) = default;

  /// formatErrorEvent is toString() for subclasses, which differ only in the class name.
  std::string formatErrorEvent(std::string_view className) const;

 private:
  int errorID_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_ERROREVENT_H_
