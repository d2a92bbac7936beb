#include <catch2/catch.hpp>

#include <climits>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/errors/TypeError.h"
#include "as3/events/ErrorEvent.h"
#include "as3/events/Event.h"
#include "as3/events/EventDispatcher.h"
#include "as3/events/EventPhase.h"
#include "as3/events/IEventDispatcher.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "support/ScoreEvent.h"

using as3::events::ErrorEvent;
using as3::events::Event;
using as3::events::EventDispatcher;
using as3::events::EventPhase;
using as3::events::IEventDispatcher;
using as3::events::IOErrorEvent;
using as3::events::Listener;
using as3::events::listener;
using as3::events::ProgressEvent;
using test::ScoreEvent;

namespace {

int freeCalls = 0;
void onFree(Event&) {
  ++freeCalls;
}

int progressCalls = 0;
double lastBytesLoaded = 0;
void onProgress(ProgressEvent& event) {
  ++progressCalls;
  lastBytesLoaded = event.bytesLoaded();
}

// A porter's class with handler methods, used through raw and shared pointers.
struct Handler {
  explicit Handler(bool* destroyed = nullptr) : destroyed_(destroyed) {}
  ~Handler() {
    if (destroyed_) *destroyed_ = true;
  }
  void onEvent(Event&) { ++calls; }
  void onOther(Event&) { ++others; }
  void onData(ProgressEvent& event) { bytes += event.bytesLoaded(); }
  void onConst(Event&) const { ++constCalls; }

  int calls = 0;
  int others = 0;
  double bytes = 0;
  mutable int constCalls = 0;
  bool* destroyed_;
};

// AS3's aggregation: a class that implements IEventDispatcher by delegating.
class Aggregate : public IEventDispatcher {
 public:
  void addEventListener(std::string_view type, Listener l, bool useCapture = false,
                        int priority = 0, bool useWeakReference = false) override {
    dispatcher_.addEventListener(type, std::move(l), useCapture, priority, useWeakReference);
  }
  void removeEventListener(std::string_view type, const Listener& l,
                           bool useCapture = false) override {
    dispatcher_.removeEventListener(type, l, useCapture);
  }
  using IEventDispatcher::dispatchEvent;
  bool dispatchEvent(Event& event) override { return dispatcher_.dispatchEvent(event); }
  bool hasEventListener(std::string_view type) const override {
    return dispatcher_.hasEventListener(type);
  }
  bool willTrigger(std::string_view type) const override { return dispatcher_.willTrigger(type); }

 private:
  EventDispatcher dispatcher_{this};
};

Listener recorder(std::vector<std::string>& log, std::string name) {
  return [&log, name](Event&) { log.push_back(name); };
}

}  // namespace

// --- registration and order -------------------------------------------------------------

TEST_CASE("EventDispatcher calls listeners by priority, then in insertion order", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  d.addEventListener("t", recorder(log, "a0"));
  d.addEventListener("t", recorder(log, "b5"), false, 5);
  d.addEventListener("t", recorder(log, "c-3"), false, -3);
  d.addEventListener("t", recorder(log, "d5"), false, 5);
  d.addEventListener("t", recorder(log, "e0"));
  d.addEventListener("t", recorder(log, "max"), false, INT_MAX);
  d.addEventListener("t", recorder(log, "min"), false, INT_MIN);
  d.addEventListener("other", recorder(log, "other"));
  CHECK(d.dispatchEvent(Event("t")));
  CHECK(log == std::vector<std::string>{"max", "b5", "d5", "a0", "e0", "c-3", "min"});
}

TEST_CASE("Adding a registration again is ignored and keeps its first priority", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  Listener l = recorder(log, "l");
  d.addEventListener("t", l, false, 1);
  d.addEventListener("t", recorder(log, "m"), false, 5);
  d.addEventListener("t", l, false, 10);  // duplicate: neither added nor moved
  Listener copy = l;
  d.addEventListener("t", copy, false, 20);  // a copy is the same listener
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"m", "l"});

  log.clear();
  d.removeEventListener("t", l);
  d.addEventListener("t", l, false, 10);  // remove and re-add changes the priority
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"l", "m"});
}

TEST_CASE("Each conversion of a lambda is a new listener, a kept Listener removes", "[events]") {
  EventDispatcher d;
  int calls = 0;
  auto lambda = [&calls](Event&) { ++calls; };
  d.addEventListener("t", lambda);
  d.addEventListener("t", lambda);  // two Function objects, as two AS3 closures
  d.dispatchEvent(Event("t"));
  CHECK(calls == 2);

  d.removeEventListener("t", lambda);  // a third, new identity: removes nothing
  calls = 0;
  d.dispatchEvent(Event("t"));
  CHECK(calls == 2);

  EventDispatcher e;
  Listener kept = lambda;
  e.addEventListener("t", kept);
  CHECK(e.hasEventListener("t"));
  e.removeEventListener("t", kept);
  CHECK_FALSE(e.hasEventListener("t"));
}

TEST_CASE("A free function is its own identity", "[events]") {
  EventDispatcher d;
  freeCalls = 0;
  d.addEventListener("t", onFree);
  d.addEventListener("t", &onFree);
  d.dispatchEvent(Event("t"));
  CHECK(freeCalls == 1);
  d.removeEventListener("t", onFree);
  CHECK_FALSE(d.hasEventListener("t"));
  d.dispatchEvent(Event("t"));
  CHECK(freeCalls == 1);
}

TEST_CASE("A member listener made again later has the same identity", "[events]") {
  EventDispatcher d;
  Handler h, other;
  d.addEventListener("t", listener(&h, &Handler::onEvent));
  d.addEventListener("t", listener(&h, &Handler::onEvent));      // duplicate
  d.addEventListener("t", listener(&h, &Handler::onOther));      // another method
  d.addEventListener("t", listener(&other, &Handler::onEvent));  // another object
  d.addEventListener("t", listener(&h, &Handler::onConst));      // a const method
  d.dispatchEvent(Event("t"));
  CHECK(h.calls == 1);
  CHECK(h.others == 1);
  CHECK(other.calls == 1);
  CHECK(h.constCalls == 1);

  CHECK(listener(&h, &Handler::onEvent).sameAs(listener(&h, &Handler::onEvent)));
  CHECK_FALSE(listener(&h, &Handler::onEvent).sameAs(listener(&other, &Handler::onEvent)));
  d.removeEventListener("t", listener(&h, &Handler::onEvent));
  d.removeEventListener("t", listener(&h, &Handler::onConst));
  d.dispatchEvent(Event("t"));
  CHECK(h.calls == 1);
  CHECK(h.constCalls == 1);
  CHECK(h.others == 2);
  CHECK(other.calls == 2);
}

TEST_CASE("useCapture makes a separate registration that never fires here", "[events]") {
  EventDispatcher d;
  int calls = 0;
  Listener l = [&calls](Event&) { ++calls; };
  d.addEventListener("t", l, true);
  CHECK(d.hasEventListener("t"));
  CHECK(d.willTrigger("t"));
  d.dispatchEvent(Event("t"));
  CHECK(calls == 0);

  d.addEventListener("t", l, false);  // not a duplicate of the capture one
  d.dispatchEvent(Event("t"));
  CHECK(calls == 1);

  d.removeEventListener("t", l);  // removes the non-capture one only
  CHECK(d.hasEventListener("t"));
  d.dispatchEvent(Event("t"));
  CHECK(calls == 1);
  d.removeEventListener("t", l, true);
  CHECK_FALSE(d.hasEventListener("t"));
}

TEST_CASE("hasEventListener and willTrigger follow add and remove", "[events]") {
  EventDispatcher d;
  Listener l = [](Event&) {};
  CHECK_FALSE(d.hasEventListener("t"));
  CHECK_FALSE(d.willTrigger("t"));
  d.addEventListener("t", l);
  CHECK(d.hasEventListener("t"));
  CHECK(d.willTrigger("t"));
  CHECK_FALSE(d.hasEventListener("T"));  // types are case-sensitive
  CHECK_FALSE(d.willTrigger("u"));
  d.removeEventListener("u", l);  // no match: no effect
  d.removeEventListener("t", [](Event&) {});
  CHECK(d.hasEventListener("t"));
  d.removeEventListener("t", l);
  CHECK_FALSE(d.hasEventListener("t"));
  CHECK_FALSE(d.willTrigger("t"));
  d.removeEventListener("t", l);  // already gone: no effect
}

TEST_CASE("The empty string is an ordinary event type", "[events]") {
  EventDispatcher d;
  int calls = 0;
  d.addEventListener("", [&calls](Event&) { ++calls; });
  CHECK(d.hasEventListener(""));
  CHECK(d.dispatchEvent(Event("")));
  CHECK(calls == 1);
}

TEST_CASE("Empty listeners are AS3's null listener, TypeError #2007", "[events]") {
  void (*none)(Event&) = nullptr;
  std::function<void(Event&)> empty;
  Handler* nobody = nullptr;
  std::shared_ptr<Handler> nobodyShared;
  std::function<void(ProgressEvent&)> emptyTyped;  // wrapped for the cast: checked before that
  for (int i = 0; i < 5; ++i) {
    try {
      if (i == 0) Listener l = none;
      if (i == 1) Listener l = empty;
      if (i == 2) listener(nobody, &Handler::onEvent);
      if (i == 3) listener(nobodyShared, &Handler::onEvent);
      if (i == 4) Listener l = emptyTyped;
      FAIL("no exception for case " << i);
    } catch (const as3::errors::TypeError& e) {
      CHECK(e.errorID() == 2007);
      CHECK(e.message() == "Error #2007: Parameter listener must be non-null.");
    }
  }
}

TEST_CASE("Listener exposes its function, lifetime and identity", "[events]") {
  int calls = 0;
  Listener lambda = [&calls](Event&) { ++calls; };
  Event event("t");
  lambda(event);
  CHECK(calls == 1);
  REQUIRE(lambda.function() != nullptr);
  (*lambda.function())(event);
  CHECK(calls == 2);
  CHECK(lambda.lifetime() != nullptr);  // the closure is its own lifetime
  CHECK(lambda.sameAs(Listener(lambda)));
  CHECK(lambda.identity() == Listener(lambda).identity());
  CHECK_FALSE(lambda.sameAs(Listener([](Event&) {})));
  CHECK(lambda.identity() != Listener([](Event&) {}).identity());

  Listener free = onFree;
  CHECK(free.lifetime() == nullptr);  // a function never dies
  CHECK(free.sameAs(Listener(onFree)));
  CHECK_FALSE(free.sameAs(Listener(onProgress)));

  Handler h;
  CHECK(listener(&h, &Handler::onEvent).lifetime() == nullptr);
  auto shared = std::make_shared<Handler>();
  Listener bound = listener(shared, &Handler::onEvent);
  CHECK(bound.lifetime() == shared);
  // The raw and shared forms of one bound method are one listener, as in AS3.
  CHECK(bound.sameAs(listener(shared.get(), &Handler::onEvent)));
  bound(event);
  CHECK(shared->calls == 1);
}

// --- dispatch -----------------------------------------------------------------------------

TEST_CASE("dispatchEvent sets target, currentTarget and eventPhase, which stay set", "[events]") {
  EventDispatcher d;
  Event event("t");
  IEventDispatcher* seenTarget = nullptr;
  IEventDispatcher* seenCurrent = nullptr;
  std::uint32_t seenPhase = 0;
  d.addEventListener("t", [&](Event& e) {
    seenTarget = e.target();
    seenCurrent = e.currentTarget();
    seenPhase = e.eventPhase();
    CHECK(&e == &event);  // the first dispatch passes the caller's object
  });
  CHECK(d.dispatchEvent(event));
  CHECK(seenTarget == &d);
  CHECK(seenCurrent == &d);
  CHECK(seenPhase == EventPhase::AT_TARGET);
  CHECK(event.target() == &d);
  CHECK(event.currentTarget() == &d);

  Event unheard("nobody listens");
  CHECK(d.dispatchEvent(unheard));
  CHECK(unheard.target() == &d);
}

TEST_CASE("EventDispatcher(target) reports the aggregating object as target", "[events]") {
  Aggregate aggregate;
  IEventDispatcher* seenTarget = nullptr;
  IEventDispatcher* seenCurrent = nullptr;
  aggregate.addEventListener("t", [&](Event& e) {
    seenTarget = e.target();
    seenCurrent = e.currentTarget();
  });
  CHECK(aggregate.hasEventListener("t"));
  CHECK(aggregate.willTrigger("t"));
  CHECK(aggregate.dispatchEvent(Event("t")));
  CHECK(seenTarget == &aggregate);
  CHECK(seenCurrent == &aggregate);

  EventDispatcher self(nullptr);  // null means the dispatcher itself
  Event event("t");
  self.dispatchEvent(event);
  CHECK(event.target() == &self);
}

TEST_CASE("dispatchEvent returns false only when a cancelable event was prevented", "[events]") {
  EventDispatcher d;
  d.addEventListener("t", [](Event& e) { e.preventDefault(); });
  Event cancelable("t", false, true);
  CHECK_FALSE(d.dispatchEvent(cancelable));
  CHECK(cancelable.isDefaultPrevented());

  Event fixed("t", false, false);
  CHECK(d.dispatchEvent(fixed));
  CHECK_FALSE(fixed.isDefaultPrevented());

  CHECK(d.dispatchEvent(Event("none", false, true)));  // no listeners
  Event preventedBefore("none", false, true);
  preventedBefore.preventDefault();
  CHECK_FALSE(d.dispatchEvent(preventedBefore));
  CHECK(EventDispatcher().dispatchEvent(Event("t")));  // no listeners at all
}

TEST_CASE("stopImmediatePropagation skips the rest, stopPropagation does not", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  d.addEventListener("immediate", [&log](Event& e) {
    log.push_back("first");
    e.stopImmediatePropagation();
  });
  d.addEventListener("immediate", recorder(log, "second"));
  d.addEventListener("plain", [&log](Event& e) {
    log.push_back("first");
    e.stopPropagation();
  });
  d.addEventListener("plain", recorder(log, "second"));

  d.dispatchEvent(Event("immediate"));
  CHECK(log == std::vector<std::string>{"first"});
  log.clear();
  d.dispatchEvent(Event("plain"));
  CHECK(log == std::vector<std::string>{"first", "second"});
}

TEST_CASE("Re-dispatching a dispatched event dispatches its clone", "[events]") {
  EventDispatcher d, other;
  std::vector<Event*> seen;
  Listener record = [&seen](Event& e) { seen.push_back(&e); };
  d.addEventListener("t", record);
  other.addEventListener("t", record);
  other.addEventListener("t", [](Event& e) { e.preventDefault(); });

  Event event("t", false, true);
  CHECK(d.dispatchEvent(event));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == &event);

  // The clone is prevented, not the original: the result comes from the clone.
  CHECK_FALSE(other.dispatchEvent(event));
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] != &event);
  CHECK_FALSE(event.isDefaultPrevented());
  CHECK(event.target() == &d);  // the original keeps its first target
}

namespace {

// A custom event that forgets to override clone(): re-dispatched, it becomes a plain Event.
class ForgetfulEvent : public Event {
 public:
  explicit ForgetfulEvent(std::string type) : Event(std::move(type)) {}
};

}  // namespace

TEST_CASE("A re-dispatched custom event arrives as its clone, with its fields", "[events]") {
  EventDispatcher d;
  std::vector<const ScoreEvent*> seen;
  std::vector<int> scores;
  d.addEventListener("score", [&](ScoreEvent& e) {
    seen.push_back(&e);
    scores.push_back(e.score());
  });
  ScoreEvent event("score", 42);
  d.dispatchEvent(event);
  d.dispatchEvent(event);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == &event);
  CHECK(seen[1] != &event);
  CHECK(scores == std::vector<int>{42, 42});
}

TEST_CASE("A re-dispatched event without clone() fails typed listeners with #1034", "[events]") {
  EventDispatcher d;
  int calls = 0;
  d.addEventListener("f", [&calls](ForgetfulEvent&) { ++calls; });
  ForgetfulEvent event("f");
  d.dispatchEvent(event);
  CHECK(calls == 1);
  CHECK_THROWS_AS(d.dispatchEvent(event), as3::errors::TypeError);
  CHECK(calls == 1);
}

TEST_CASE("Typed listeners take their class and throw TypeError #1034 for others", "[events]") {
  EventDispatcher d;
  progressCalls = 0;
  d.addEventListener(ProgressEvent::SOCKET_DATA, onProgress);
  d.dispatchEvent(ProgressEvent(ProgressEvent::SOCKET_DATA, false, false, 5));
  CHECK(progressCalls == 1);
  CHECK(lastBytesLoaded == 5);

  Event plain(ProgressEvent::SOCKET_DATA);
  try {
    d.dispatchEvent(plain);
    FAIL("no TypeError");
  } catch (const as3::errors::TypeError& e) {
    CHECK(e.errorID() == 1034);
    CHECK_THAT(e.message(), Catch::StartsWith("Error #1034: Type Coercion failed: cannot convert "
                                              "flash.events::Event@") &&
                                Catch::EndsWith(" to flash.events.ProgressEvent."));
  }
  CHECK(progressCalls == 1);

  // Typed lambdas and members coerce the same way; subclasses pass.
  EventDispatcher e;
  int errors = 0;
  auto h = std::make_shared<Handler>();
  e.addEventListener("x", [&errors](ErrorEvent& error) { errors += error.errorID(); });
  e.dispatchEvent(IOErrorEvent("x", false, false, "", 3));  // an IOErrorEvent is an ErrorEvent
  CHECK(errors == 3);
  e.addEventListener("x", listener(h, &Handler::onData), false, -1);
  try {
    e.dispatchEvent(ErrorEvent("x", false, false, "", 4));  // reaches onData(ProgressEvent&)
    FAIL("no TypeError");
  } catch (const as3::errors::TypeError& error) {
    CHECK(error.errorID() == 1034);
    CHECK_THAT(error.message(), Catch::Contains("flash.events::ErrorEvent@") &&
                                    Catch::EndsWith(" to flash.events.ProgressEvent."));
  }
  CHECK(errors == 7);
  e.dispatchEvent(ProgressEvent("y", false, false, 2));  // no listener for "y" yet
  e.addEventListener("p", listener(h, &Handler::onData));
  e.dispatchEvent(ProgressEvent("p", false, false, 2));
  CHECK(h->bytes == 2);
  e.removeEventListener("x", listener(h, &Handler::onData));
  e.addEventListener("y", [](ScoreEvent&) {});
  try {
    e.dispatchEvent(Event("y"));
    FAIL("no TypeError");
  } catch (const as3::errors::TypeError& error) {
    // Classes of the application are named by their C++ names.
    CHECK_THAT(error.message(), Catch::EndsWith("ScoreEvent."));
  }
}

// --- changes during dispatch ----------------------------------------------------------------

TEST_CASE("A listener added during a dispatch waits for the next event", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  Listener late = recorder(log, "late");
  d.addEventListener("t", [&](Event&) {
    log.push_back("adder");
    d.addEventListener("t", late, false, 100);  // even with a higher priority
  });
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"adder"});
  log.clear();
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"late", "adder"});
}

TEST_CASE("A listener removed during a dispatch runs that once, never afterwards", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  // The only strong handle to the removed closure is the registration: after removal, the
  // dispatch's snapshot must keep it alive while it runs (checked by ASan).
  auto victim = std::make_unique<Listener>(
      [&log, tag = std::string("victim")](Event&) { log.push_back(tag); });
  d.addEventListener("t", [&](Event&) {
    log.push_back("remover");
    if (victim) {
      d.removeEventListener("t", *victim);
      victim.reset();
    }
  });
  d.addEventListener("t", *victim);
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"remover", "victim"});
  log.clear();
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"remover"});
}

TEST_CASE("A listener may remove itself", "[events]") {
  EventDispatcher d;
  int calls = 0;
  std::optional<Listener> self;
  self.emplace([&, tag = std::string("kept alive while it runs")](Event&) {
    d.removeEventListener("t", *self);
    self.reset();  // drops the last handle but the running dispatch's
    ++calls;
    CHECK(tag == "kept alive while it runs");
  });
  d.addEventListener("t", *self);
  d.dispatchEvent(Event("t"));
  d.dispatchEvent(Event("t"));
  CHECK(calls == 1);
  CHECK_FALSE(d.hasEventListener("t"));
}

namespace {

// An object owned only by its strong registration, which removes itself.
struct SelfRemover {
  SelfRemover(EventDispatcher& d, bool* destroyed) : d_(d), destroyed_(destroyed) {}
  ~SelfRemover() { *destroyed_ = true; }
  void onEvent(Event&) {
    d_.removeEventListener("t", listener(this, &SelfRemover::onEvent));
    ++calls_;  // still alive: the running dispatch holds the object
    CHECK_FALSE(*destroyed_);
  }
  EventDispatcher& d_;
  bool* destroyed_;
  int calls_ = 0;
};

}  // namespace

TEST_CASE("A shared member listener that removes itself lives until the dispatch ends",
          "[events]") {
  EventDispatcher d;
  bool destroyed = false;
  d.addEventListener("t",
                     listener(std::make_shared<SelfRemover>(d, &destroyed), &SelfRemover::onEvent));
  CHECK_FALSE(destroyed);  // the strong registration keeps it alive
  d.dispatchEvent(Event("t"));
  CHECK(destroyed);
  CHECK_FALSE(d.hasEventListener("t"));
}

namespace {

struct Counted {
  Counted(int* calls, bool* destroyed) : calls_(calls), destroyed_(destroyed) {}
  ~Counted() { *destroyed_ = true; }
  void onEvent(Event&) { ++*calls_; }
  int* calls_;
  bool* destroyed_;
};

}  // namespace

TEST_CASE("A shared member removed during a dispatch runs once even if removal freed it",
          "[events]") {
  EventDispatcher d;
  int calls = 0;
  bool destroyed = false;
  auto owned = std::make_shared<Counted>(&calls, &destroyed);
  Counted* raw = owned.get();
  d.addEventListener(
      "t",
      [&](Event&) {
        d.removeEventListener("t", listener(raw, &Counted::onEvent));
        CHECK_FALSE(destroyed);  // the running dispatch still holds it
      },
      false, 1);
  d.addEventListener("t", listener(std::move(owned), &Counted::onEvent));
  d.dispatchEvent(Event("t"));
  CHECK(calls == 1);
  CHECK(destroyed);
}

TEST_CASE("A listener may remove others and add new ones", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  Listener b = recorder(log, "b");
  Listener c = recorder(log, "c");
  Listener added = recorder(log, "added");
  d.addEventListener("t", [&](Event&) {
    log.push_back("a");
    d.removeEventListener("t", b);
    d.removeEventListener("t", c);
    d.addEventListener("t", added);
  });
  d.addEventListener("t", b);
  d.addEventListener("t", c);
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"a", "b", "c"});
  log.clear();
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"a", "added"});
}

TEST_CASE("A listener may dispatch again, nested", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  int depth = 0;
  d.addEventListener("t", [&](Event&) {
    log.push_back("t" + std::to_string(depth));
    if (depth++ == 0) {
      d.dispatchEvent(Event("u"));
      d.dispatchEvent(Event("t"));
    }
  });
  d.addEventListener("t", recorder(log, "t-second"));
  d.addEventListener("u", recorder(log, "u"));
  d.dispatchEvent(Event("t"));
  CHECK(log == std::vector<std::string>{"t0", "u", "t1", "t-second", "t-second"});
}

TEST_CASE("A listener may destroy the dispatcher, the rest of the snapshot still runs",
          "[events]") {
  auto* d = new EventDispatcher;
  std::vector<std::string> log;
  d->addEventListener("t", recorder(log, "before"), false, 1);
  d->addEventListener("t", [&d, &log](Event& e) {
    log.push_back("destroyer");
    CHECK(e.currentTarget() == d);
    delete d;
    d = nullptr;
  });
  // Owned only by the registration that the delete just freed: the snapshot keeps it.
  d->addEventListener("t", [&log, tag = std::string("after")](Event&) { log.push_back(tag); });
  d->addEventListener("t", [](Event& e) { e.preventDefault(); });
  Event event("t", false, true);
  CHECK_FALSE(d->dispatchEvent(event));
  CHECK(d == nullptr);
  CHECK(log == std::vector<std::string>{"before", "destroyer", "after"});
}

TEST_CASE("A listener may destroy the dispatcher during a nested dispatch", "[events]") {
  auto* d = new EventDispatcher;
  int outer = 0, inner = 0;
  d->addEventListener("outer", [&](Event&) {
    ++outer;
    d->dispatchEvent(Event("inner"));
  });
  d->addEventListener("outer", [&outer](Event&) { ++outer; });
  d->addEventListener("inner", [&](Event&) {
    ++inner;
    delete d;
  });
  d->dispatchEvent(Event("outer"));
  CHECK(outer == 2);
  CHECK(inner == 1);
}

// --- exceptions and limits ------------------------------------------------------------------

TEST_CASE("An exception from a listener propagates and leaves the dispatcher usable", "[events]") {
  EventDispatcher d;
  std::vector<std::string> log;
  bool fail = true;
  d.addEventListener("t", recorder(log, "first"), false, 1);
  d.addEventListener("t", [&](Event&) {
    log.push_back("thrower");
    if (fail) throw std::runtime_error("listener failed");
  });
  d.addEventListener("t", recorder(log, "skipped"), false, -1);
  CHECK_THROWS_WITH(d.dispatchEvent(Event("t")), "listener failed");
  CHECK(log == std::vector<std::string>{"first", "thrower"});

  fail = false;
  log.clear();
  CHECK(d.dispatchEvent(Event("t")));
  CHECK(log == std::vector<std::string>{"first", "thrower", "skipped"});
  CHECK(d.hasEventListener("t"));
}

TEST_CASE("Dispatches nested more than 512 deep throw Error #1023", "[events]") {
  EventDispatcher d;
  int calls = 0;
  Listener recurse = [&](Event&) {
    ++calls;
    d.dispatchEvent(Event("t"));
  };
  d.addEventListener("t", recurse);
  try {
    d.dispatchEvent(Event("t"));
    FAIL("no Error #1023");
  } catch (const as3::errors::Error& e) {
    CHECK(e.errorID() == 1023);
    CHECK(e.message() == "Error #1023: Stack overflow occurred.");
  }
  CHECK(calls == 512);

  // The depth count unwound with the exception: the same limit applies again.
  calls = 0;
  CHECK_THROWS_AS(d.dispatchEvent(Event("t")), as3::errors::Error);
  CHECK(calls == 512);

  // An exception from deep inside unwinds the count too.
  calls = 0;
  d.removeEventListener("t", recurse);
  d.addEventListener("t", [&](Event&) {
    if (++calls == 100) throw std::runtime_error("deep");
    d.dispatchEvent(Event("t"));
  });
  CHECK_THROWS_WITH(d.dispatchEvent(Event("t")), "deep");
  int fine = 0;
  EventDispatcher other;
  other.addEventListener("t", [&](Event&) {
    if (++fine < 512) other.dispatchEvent(Event("t"));
  });
  CHECK_NOTHROW(other.dispatchEvent(Event("t")));
  CHECK(fine == 512);
}

// --- weak references ---------------------------------------------------------------------

TEST_CASE("A weak lambda stops firing once every copy of its Listener is gone", "[events]") {
  EventDispatcher d;
  int calls = 0;
  auto l = std::make_unique<Listener>([&calls](Event&) { ++calls; });
  Listener copy = *l;
  d.addEventListener("t", *l, false, 0, true);
  d.dispatchEvent(Event("t"));
  CHECK(calls == 1);
  l.reset();
  d.dispatchEvent(Event("t"));  // `copy` still holds it
  CHECK(calls == 2);
  CHECK(d.hasEventListener("t"));
  { Listener gone = std::move(copy); }
  d.dispatchEvent(Event("t"));
  CHECK(calls == 2);
  CHECK_FALSE(d.hasEventListener("t"));

  d.addEventListener(
      "u", [&calls](Event&) { ++calls; }, false, 0, true);  // a temporary
  d.dispatchEvent(Event("u"));
  CHECK(calls == 2);
}

TEST_CASE("A strong lambda registration keeps the closure alive", "[events]") {
  EventDispatcher d;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  d.addEventListener("t", [token](Event&) { ++*token; });
  token.reset();
  REQUIRE_FALSE(watch.expired());
  d.dispatchEvent(Event("t"));
  CHECK(*watch.lock() == 1);
}

TEST_CASE("A weak shared member stops when its object dies and does not keep it", "[events]") {
  EventDispatcher d;
  bool destroyed = false;
  auto h = std::make_shared<Handler>(&destroyed);
  d.addEventListener("t", listener(h, &Handler::onEvent), false, 0, true);
  d.dispatchEvent(Event("t"));
  CHECK(h->calls == 1);
  h.reset();
  CHECK(destroyed);  // the weak registration did not keep it
  CHECK_FALSE(d.hasEventListener("t"));
  CHECK_NOTHROW(d.dispatchEvent(Event("t")));
}

TEST_CASE("A strong shared member keeps its object alive until removed", "[events]") {
  EventDispatcher d;
  bool destroyed = false;
  auto h = std::make_shared<Handler>(&destroyed);
  Handler* raw = h.get();
  d.addEventListener("t", listener(h, &Handler::onEvent));
  h.reset();
  CHECK_FALSE(destroyed);
  d.dispatchEvent(Event("t"));
  CHECK(raw->calls == 1);
  d.removeEventListener("t", listener(raw, &Handler::onEvent));
  CHECK(destroyed);
}

TEST_CASE("Weak registrations of immortal listeners keep firing", "[events]") {
  EventDispatcher d;
  Handler h;
  freeCalls = 0;
  d.addEventListener("t", onFree, false, 0, true);
  d.addEventListener("t", listener(&h, &Handler::onEvent), false, 0, true);
  d.dispatchEvent(Event("t"));
  d.dispatchEvent(Event("t"));
  CHECK(freeCalls == 2);
  CHECK(h.calls == 2);
}

TEST_CASE("Weak and strong registrations of several types keep their order and lifetimes",
          "[events]") {
  // All types share one table, and inserting by priority moves the registrations behind the
  // new one: each must keep its type, its order and what it holds.
  EventDispatcher d;
  std::vector<std::string> log;
  bool destroyed = false;
  auto weakHandler = std::make_shared<Handler>(&destroyed);
  auto strongToken = std::make_shared<int>(0);
  std::weak_ptr<int> strongWatch = strongToken;
  d.addEventListener("a", listener(weakHandler, &Handler::onEvent), false, 0, true);
  d.addEventListener("b", [&log, strongToken](Event&) { log.push_back("b0"); });
  strongToken.reset();
  for (int priority = 1; priority <= 12; ++priority) {
    const std::string type = priority % 2 == 0 ? "a" : "b";
    d.addEventListener(type, recorder(log, type + std::to_string(priority)), false, priority);
  }
  d.dispatchEvent(Event("a"));
  CHECK(log == std::vector<std::string>{"a12", "a10", "a8", "a6", "a4", "a2"});
  CHECK(weakHandler->calls == 1);
  log.clear();
  d.dispatchEvent(Event("b"));
  CHECK(log == std::vector<std::string>{"b11", "b9", "b7", "b5", "b3", "b1", "b0"});
  CHECK_FALSE(strongWatch.expired());  // the strong registration still holds its closure

  weakHandler.reset();
  CHECK(destroyed);  // the moved weak registration still held only a watch
  log.clear();
  d.dispatchEvent(Event("a"));
  CHECK(log.size() == 6);
  CHECK(d.hasEventListener("a"));
  CHECK_FALSE(d.hasEventListener("c"));
}

TEST_CASE("A dead weak registration never matches a later listener", "[events]") {
  EventDispatcher d;
  for (int round = 0; round < 50; ++round) {
    int calls = 0;
    {
      Listener dead = [&calls](Event&) { ++calls; };
      d.addEventListener("t", dead, false, 0, true);
    }
    // New closures may reuse the dead one's memory; none may be taken for a duplicate.
    Listener fresh = [&calls](Event&) { calls += 10; };
    d.addEventListener("t", fresh, false, 0, true);
    d.dispatchEvent(Event("t"));
    CHECK(calls == 10);
    d.removeEventListener("t", fresh);
    CHECK_FALSE(d.hasEventListener("t"));
  }
}

TEST_CASE("A weak shared member whose object died never matches one at its address", "[events]") {
  EventDispatcher d;
  // The second object is built where the first one was, as an allocator may do; the dead weak
  // registration must not be taken for its duplicate.
  alignas(Handler) unsigned char storage[sizeof(Handler)];
  auto destroyOnly = [](Handler* h) { h->~Handler(); };
  bool destroyed = false;
  std::shared_ptr<Handler> old(new (storage) Handler(&destroyed), destroyOnly);
  d.addEventListener("t", listener(old, &Handler::onEvent), false, 0, true);
  old.reset();
  REQUIRE(destroyed);
  std::shared_ptr<Handler> now(new (storage) Handler(), destroyOnly);
  d.addEventListener("t", listener(now, &Handler::onEvent), false, 0, true);
  d.dispatchEvent(Event("t"));
  CHECK(now->calls == 1);
  d.removeEventListener("t", listener(now, &Handler::onEvent));
  CHECK_FALSE(d.hasEventListener("t"));
}
