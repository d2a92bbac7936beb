#ifndef AS3_EVENTS_SECURITYERROREVENT_H_
#define AS3_EVENTS_SECURITYERROREVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/ErrorEvent.h"

namespace as3::events {

/// SecurityErrorEvent is AS3's flash.events.SecurityErrorEvent, dispatched when a security check
/// fails, e.g. a SecureSocket's server certificate is not trusted. CERTIFICATE_ERROR (AIR 51) is
/// the one cancelable network event. toString():
/// `[SecurityErrorEvent type="securityError" bubbles=false cancelable=false eventPhase=2 text=""
/// errorID=0]` (AIR's form).
class AS3NET_EXPORT SecurityErrorEvent : public ErrorEvent {
 public:
  /// SECURITY_ERROR is "securityError". Not dispatched by the SDK.
  static constexpr std::string_view SECURITY_ERROR = "securityError";
  /// CERTIFICATE_ERROR is "certificateError": a SecureSocket rejected the server's certificate.
  static constexpr std::string_view CERTIFICATE_ERROR = "certificateError";

  /// Creates an undispatched event with `text` and errorID `id`.
  explicit SecurityErrorEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                              std::string text = "", int id = 0);
  ~SecurityErrorEvent() override;

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  SecurityErrorEvent(const SecurityErrorEvent& other) = default;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_SECURITYERROREVENT_H_
