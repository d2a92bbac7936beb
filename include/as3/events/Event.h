#ifndef AS3_EVENTS_EVENT_H_
#define AS3_EVENTS_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "as3/Export.h"
#include "as3/events/EventPhase.h"

/// as3::events is AS3's event model: Event and its subclasses, EventDispatcher, and Listener,
/// the C++ form of the Function objects AS3 registers.
namespace as3::events {

class IEventDispatcher;

/// Event is AS3's flash.events.Event, the base of every event the SDK dispatches. It is created
/// by the code that dispatches it and lent to listeners as `Event&` for the duration of the call.
/// `target()` and `currentTarget()` are non-owning pointers: null until the event is dispatched,
/// then the dispatcher (or the object it aggregates), and they stay set afterwards.
///
/// Subclasses override clone(), which dispatchEvent() uses to re-dispatch an event that was
/// already dispatched, and toString(), usually through formatToString().
/// Type constants are `std::string_view`, so `Event::CONNECT == "connect"` and
/// `event.type() == Event::CONNECT` compare text. Differs from AS3: properties are getters `p()`
/// and, where AS3 has setters, `p(v)`.
class AS3NET_EXPORT Event {
 public:
  /// ACTIVATE is "activate". Not dispatched by the SDK.
  static constexpr std::string_view ACTIVATE = "activate";
  /// CHANGE is "change". Not dispatched by the SDK.
  static constexpr std::string_view CHANGE = "change";
  /// CLOSE is "close": a Socket's peer closed the connection.
  static constexpr std::string_view CLOSE = "close";
  /// COMPLETE is "complete". Not dispatched by the SDK.
  static constexpr std::string_view COMPLETE = "complete";
  /// CONNECT is "connect": a Socket connected.
  static constexpr std::string_view CONNECT = "connect";
  /// DEACTIVATE is "deactivate". Not dispatched by the SDK.
  static constexpr std::string_view DEACTIVATE = "deactivate";
  /// OPEN is "open". Not dispatched by the SDK.
  static constexpr std::string_view OPEN = "open";

  /// FormatValue is one value for formatToString(), converted to text the way AS3 prints it:
  /// strings in double quotes (not escaped), bools as true/false, numbers as AS3 prints a Number
  /// (`5`, `1.5`, `0.30000000000000004`, `1e+21`, `NaN`, `-Infinity`), nullptr as null, and
  /// raw() text as is, for objects (`[object Socket]`).
  class AS3NET_EXPORT FormatValue {
   public:
    // Implicit, so that a field's value is written as is: {"bytesLoaded", bytesLoaded()}.
    /// Creates the value of a string, bool, Number, integer or nullptr, printed as described
    /// above; an integer in decimal.
    ///@{
    FormatValue(const std::string& text);  // NOLINT(google-explicit-constructor)
    FormatValue(std::string_view text);    // NOLINT(google-explicit-constructor)
    FormatValue(const char* text);         // NOLINT(google-explicit-constructor)
    FormatValue(bool value);               // NOLINT(google-explicit-constructor)
    FormatValue(double value);             // NOLINT(google-explicit-constructor)
    FormatValue(std::nullptr_t);           // NOLINT(google-explicit-constructor)
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    FormatValue(T value) : text_(std::to_string(value)) {}  // NOLINT(google-explicit-constructor)
    ///@}

    /// raw prints `text` without quotes.
    static FormatValue raw(std::string text);

    /// text is the printed form.
    const std::string& text() const noexcept { return text_; }

   private:
    struct Raw {};
    FormatValue(Raw, std::string text) : text_(std::move(text)) {}
    std::string text_;
  };

  /// FormatField is one `name=value` pair of formatToString().
  struct FormatField {
    std::string_view name;  ///< The field's name, printed as is.
    FormatValue value;      ///< The field's value.
  };

  /// Creates an event that has not been dispatched: no target, eventPhase() AT_TARGET.
  explicit Event(std::string_view type, bool bubbles = false, bool cancelable = false);
  virtual ~Event();
  Event& operator=(const Event&) = delete;

  /// type is the event's type, such as Event::CONNECT; the event owns the text.
  std::string_view type() const noexcept { return type_; }
  /// bubbles is the constructor's flag. Nothing bubbles in the SDK: there is no display list.
  bool bubbles() const noexcept { return bubbles_; }
  /// cancelable is true when preventDefault() can cancel the event's default behaviour.
  bool cancelable() const noexcept { return cancelable_; }
  /// target is the object the event was dispatched to, or null before its first dispatch.
  IEventDispatcher* target() const noexcept { return target_; }
  /// currentTarget is the object whose listeners are running: the same as target() here.
  IEventDispatcher* currentTarget() const noexcept { return currentTarget_; }
  /// eventPhase is always EventPhase::AT_TARGET: there is no display list to capture or bubble.
  std::uint32_t eventPhase() const noexcept { return eventPhase_; }

  /// clone returns a new, undispatched event with the same type, bubbles, cancelable and (in
  /// subclasses) every extra field. A subclass that does not override it is re-dispatched as a
  /// plain Event, and typed listeners for it then throw errors::TypeError #1034, as in AS3.
  virtual std::unique_ptr<Event> clone() const;

  /// toString is `[Event type="close" bubbles=false cancelable=false eventPhase=2]`.
  virtual std::string toString() const;

  /// formatToString builds `[className name=value ...]` from `fields`, in the given order.
  /// Differs from AS3: C++ has no reflection, so callers pass the values with the names, e.g.
  /// `formatToString("MyEvent", {{"type", type()}, {"count", count_}})`.
  std::string formatToString(std::string_view className,
                             std::initializer_list<FormatField> fields) const;

  /// preventDefault cancels the default behaviour, only if cancelable(); else it does nothing.
  void preventDefault() noexcept {
    if (cancelable_) defaultPrevented_ = true;
  }
  /// isDefaultPrevented is true once preventDefault() was called on a cancelable event.
  bool isDefaultPrevented() const noexcept { return defaultPrevented_; }

  /// stopPropagation stops the event from reaching further nodes of the display list; with no
  /// display list, the remaining listeners on the dispatcher still run.
  void stopPropagation() noexcept {
    if (propagation_ == Propagation::kAllow) propagation_ = Propagation::kStop;
  }
  /// stopImmediatePropagation skips every listener that has not run yet for this dispatch.
  void stopImmediatePropagation() noexcept { propagation_ = Propagation::kStopImmediate; }

 protected:
  /// Copies type, bubbles and cancelable but none of the dispatch state (target, phase, flags),
  /// so that a subclass's clone() can be `std::make_unique<MyEvent>(*this)`.
  Event(const Event& other);

  /// formatEvent is formatToString() with the fields every AS3 event prints first (type,
  /// bubbles, cancelable, eventPhase), then `more`: the form of each SDK event's toString().
  std::string formatEvent(std::string_view className,
                          std::initializer_list<FormatField> more = {}) const;

 private:
  friend class EventDispatcher;
  enum class Propagation : unsigned char { kAllow, kStop, kStopImmediate };

  std::string type_;
  IEventDispatcher* target_ = nullptr;
  IEventDispatcher* currentTarget_ = nullptr;
  std::uint32_t eventPhase_ = EventPhase::AT_TARGET;
  bool bubbles_;
  bool cancelable_;
  bool defaultPrevented_ = false;
  Propagation propagation_ = Propagation::kAllow;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_EVENT_H_
