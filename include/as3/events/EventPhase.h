#ifndef AS3_EVENTS_EVENTPHASE_H_
#define AS3_EVENTS_EVENTPHASE_H_

#include <cstdint>

namespace as3::events {

/// EventPhase is AS3's flash.events.EventPhase: the values of Event::eventPhase(). Only the
/// display list has capture and bubbling phases, so every event dispatched by this SDK reports
/// AT_TARGET.
struct EventPhase {
  static constexpr std::uint32_t CAPTURING_PHASE = 1;  ///< The capture phase; never reported.
  static constexpr std::uint32_t AT_TARGET = 2;        ///< At the target: every SDK dispatch.
  static constexpr std::uint32_t BUBBLING_PHASE = 3;   ///< The bubbling phase; never reported.
};

}  // namespace as3::events

#endif  // AS3_EVENTS_EVENTPHASE_H_
