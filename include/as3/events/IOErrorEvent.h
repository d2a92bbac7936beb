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
  static constexpr std::string_view IO_ERROR = "ioError";
  static constexpr std::string_view NETWORK_ERROR = "networkError";
  static constexpr std::string_view DISK_ERROR = "diskError";
  static constexpr std::string_view VERIFY_ERROR = "verifyError";
  static constexpr std::string_view STANDARD_ERROR_IO_ERROR = "standardErrorIoError";
  static constexpr std::string_view STANDARD_INPUT_IO_ERROR = "standardInputIoError";
  static constexpr std::string_view STANDARD_OUTPUT_IO_ERROR = "standardOutputIoError";

  explicit IOErrorEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                        std::string text = "", int id = 0);
  ~IOErrorEvent() override;

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  IOErrorEvent(const IOErrorEvent& other) = default;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_IOERROREVENT_H_
