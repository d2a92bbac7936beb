#ifndef AS3_EVENTS_IOERROREVENT_H_
#define AS3_EVENTS_IOERROREVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/ErrorEvent.h"

namespace as3::events {

/// IOErrorEvent is AS3's flash.events.IOErrorEvent, dispatched when a network or file operation
/// fails, e.g. a Socket's connect failure: `[IOErrorEvent type="ioError" bubbles=false
/// cancelable=false eventPhase=2 text="Error #2031: Socket Error." errorID=2031]` (AIR's form).
class AS3NET_EXPORT IOErrorEvent : public ErrorEvent {
 public:
  /// IO_ERROR is "ioError": a Socket failed to connect or its connection broke (#2031).
  static constexpr std::string_view IO_ERROR = "ioError";
  /// NETWORK_ERROR is "networkError". Not dispatched by the SDK.
  static constexpr std::string_view NETWORK_ERROR = "networkError";
  /// DISK_ERROR is "diskError". Not dispatched by the SDK.
  static constexpr std::string_view DISK_ERROR = "diskError";
  /// VERIFY_ERROR is "verifyError". Not dispatched by the SDK.
  static constexpr std::string_view VERIFY_ERROR = "verifyError";
  /// STANDARD_ERROR_IO_ERROR is "standardErrorIoError". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_ERROR_IO_ERROR = "standardErrorIoError";
  /// STANDARD_INPUT_IO_ERROR is "standardInputIoError". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_INPUT_IO_ERROR = "standardInputIoError";
  /// STANDARD_OUTPUT_IO_ERROR is "standardOutputIoError". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_OUTPUT_IO_ERROR = "standardOutputIoError";

  /// Creates an undispatched event with `text` and errorID `id`.
  explicit IOErrorEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                        std::string text = "", int id = 0);
  ~IOErrorEvent() override;

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  IOErrorEvent(const IOErrorEvent& other) = default;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_IOERROREVENT_H_
