// A porter's custom event, as AS3 code defines them: one extra field, clone() and toString().
// The protected copy constructor of Event makes clone() one line.
#ifndef AS3NET_TEST_SUPPORT_SCOREEVENT_H_
#define AS3NET_TEST_SUPPORT_SCOREEVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/events/Event.h"

namespace test {

class ScoreEvent : public as3::events::Event {
 public:
  ScoreEvent(std::string_view type, int score) : Event(type), score_(score) {}
  int score() const { return score_; }
  std::unique_ptr<Event> clone() const override { return std::make_unique<ScoreEvent>(*this); }
  std::string toString() const override {
    return formatToString("ScoreEvent", {{"type", type()}, {"score", score_}});
  }

 private:
  int score_;
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_SCOREEVENT_H_
