#ifndef AS3_EVENTS_PROGRESSEVENT_H_
#define AS3_EVENTS_PROGRESSEVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/Event.h"

namespace as3::events {

/// ProgressEvent is AS3's flash.events.ProgressEvent. A Socket dispatches SOCKET_DATA with
/// bytesLoaded() = the bytes that just arrived and bytesTotal() = 0. toString():
/// `[ProgressEvent type="socketData" bubbles=false cancelable=false eventPhase=2 bytesLoaded=5
/// bytesTotal=0]`.
class AS3NET_EXPORT ProgressEvent : public Event {
 public:
  /// PROGRESS is "progress". Not dispatched by the SDK.
  static constexpr std::string_view PROGRESS = "progress";
  /// SOCKET_DATA is "socketData": bytes arrived on a Socket.
  static constexpr std::string_view SOCKET_DATA = "socketData";
  /// STANDARD_ERROR_DATA is "standardErrorData". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_ERROR_DATA = "standardErrorData";
  /// STANDARD_INPUT_PROGRESS is "standardInputProgress". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_INPUT_PROGRESS = "standardInputProgress";
  /// STANDARD_OUTPUT_DATA is "standardOutputData". Not dispatched by the SDK.
  static constexpr std::string_view STANDARD_OUTPUT_DATA = "standardOutputData";

  /// Creates an undispatched event with the given byte counts.
  explicit ProgressEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                         double bytesLoaded = 0, double bytesTotal = 0);
  ~ProgressEvent() override;

  /// bytesLoaded is the number of bytes loaded; for SOCKET_DATA, the bytes that just arrived.
  ///@{
  double bytesLoaded() const noexcept { return bytesLoaded_; }
  void bytesLoaded(double value) noexcept { bytesLoaded_ = value; }
  ///@}
  /// bytesTotal is the number of bytes expected in all; 0 for SOCKET_DATA.
  ///@{
  double bytesTotal() const noexcept { return bytesTotal_; }
  void bytesTotal(double value) noexcept { bytesTotal_ = value; }
  ///@}

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  ProgressEvent(const ProgressEvent& other) = default;

 private:
  double bytesLoaded_;
  double bytesTotal_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_PROGRESSEVENT_H_
