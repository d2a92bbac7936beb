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
  /// OUTPUT_PROGRESS is "outputProgress": flushed bytes of a Socket left for the network.
  static constexpr std::string_view OUTPUT_PROGRESS = "outputProgress";

  /// Creates an undispatched event with the given byte counts.
  explicit OutputProgressEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                               double bytesPending = 0, double bytesTotal = 0);
  ~OutputProgressEvent() override;

  /// bytesPending is the number of bytes not yet written.
  ///@{
  double bytesPending() const noexcept { return bytesPending_; }
  void bytesPending(double value) noexcept { bytesPending_ = value; }
  ///@}
  /// bytesTotal is the number of bytes written so far plus bytesPending().
  ///@{
  double bytesTotal() const noexcept { return bytesTotal_; }
  void bytesTotal(double value) noexcept { bytesTotal_ = value; }
  ///@}

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  OutputProgressEvent(const OutputProgressEvent& other) = default;

 private:
  double bytesPending_;
  double bytesTotal_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_OUTPUTPROGRESSEVENT_H_
