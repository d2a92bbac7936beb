#ifndef AS3_EVENTS_OUTPUTPROGRESSEVENT_H_
#define AS3_EVENTS_OUTPUTPROGRESSEVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/Event.h"

namespace as3::events {

/// OutputProgressEvent is AS3's flash.events.OutputProgressEvent, dispatched as a Socket's
/// written bytes leave: bytesPending() not yet written, bytesTotal() written so far plus pending.
/// toString(): `[OutputProgressEvent type="outputProgress" bubbles=false cancelable=false
/// eventPhase=2 bytesPending=0 bytesTotal=10]`.
class AS3NET_EXPORT OutputProgressEvent : public Event {
 public:
  static constexpr std::string_view OUTPUT_PROGRESS = "outputProgress";

  explicit OutputProgressEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                               double bytesPending = 0, double bytesTotal = 0);
  ~OutputProgressEvent() override;

  double bytesPending() const noexcept { return bytesPending_; }
  void bytesPending(double value) noexcept { bytesPending_ = value; }
  double bytesTotal() const noexcept { return bytesTotal_; }
  void bytesTotal(double value) noexcept { bytesTotal_ = value; }

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  OutputProgressEvent(const OutputProgressEvent& other) = default;

 private:
  double bytesPending_;
  double bytesTotal_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_OUTPUTPROGRESSEVENT_H_
