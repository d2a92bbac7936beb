#ifndef AS3_EVENTS_TEXTEVENT_H_
#define AS3_EVENTS_TEXTEVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/Event.h"

namespace as3::events {

/// TextEvent is AS3's flash.events.TextEvent: an event that carries a text, and the base of
/// ErrorEvent. toString() is
/// `[TextEvent type="link" bubbles=false cancelable=false eventPhase=2 text="..."]`.
class AS3NET_EXPORT TextEvent : public Event {
 public:
  /// LINK is "link". Not dispatched by the SDK.
  static constexpr std::string_view LINK = "link";
  /// TEXT_INPUT is "textInput". Not dispatched by the SDK.
  static constexpr std::string_view TEXT_INPUT = "textInput";

  /// Creates an undispatched event that carries `text`.
  explicit TextEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                     std::string text = "");
  ~TextEvent() override;

  /// text is the event's text: for an error event, its message.
  ///@{
  const std::string& text() const noexcept { return text_; }
  void text(std::string value) { text_ = std::move(value); }
  ///@}

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields but none of the dispatch state, for clone(), as Event(const Event&).
  TextEvent(const TextEvent& other) = default;

 private:
  std::string text_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_TEXTEVENT_H_
