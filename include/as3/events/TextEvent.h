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
  static constexpr std::string_view LINK = "link";
  static constexpr std::string_view TEXT_INPUT = "textInput";

  explicit TextEvent(std::string_view type, bool bubbles = false, bool cancelable = false,
                     std::string text = "");
  ~TextEvent() override;

  const std::string& text() const noexcept { return text_; }
  void text(std::string value) { text_ = std::move(value); }

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  TextEvent(const TextEvent& other) = default;

 private:
  std::string text_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_TEXTEVENT_H_
