#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "as3/events/ErrorEvent.h"
#include "as3/events/Event.h"
#include "as3/events/EventPhase.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/events/TextEvent.h"
#include "support/ScoreEvent.h"

using as3::events::ErrorEvent;
using as3::events::Event;
using as3::events::EventPhase;
using as3::events::IOErrorEvent;
using as3::events::OutputProgressEvent;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::events::ServerSocketConnectEvent;
using as3::events::TextEvent;

namespace {

// Socket is only declared in this layer; a shared_ptr that points at an int stands in for one.
// It is never dereferenced as a Socket.
std::shared_ptr<as3::net::Socket> fakeSocket() {
  auto owner = std::make_shared<int>(0);
  return std::shared_ptr<as3::net::Socket>(owner, reinterpret_cast<as3::net::Socket*>(owner.get()));
}

std::string number(double value) {
  return Event::FormatValue(value).text();
}

// clone() must return a new object of the same class; cast it back for the field checks.
template <class T>
std::unique_ptr<T> cloneAs(const T& event) {
  std::unique_ptr<Event> copy = event.clone();
  REQUIRE(copy != nullptr);
  REQUIRE(copy.get() != &event);
  const Event& copied = *copy;
  REQUIRE(typeid(copied) == typeid(T));
  return std::unique_ptr<T>(static_cast<T*>(copy.release()));
}

}  // namespace

TEST_CASE("Event type constants have AS3's values", "[events]") {
  CHECK(Event::ACTIVATE == std::string("activate"));
  CHECK(Event::CHANGE == std::string("change"));
  CHECK(Event::CLOSE == std::string("close"));
  CHECK(Event::COMPLETE == std::string("complete"));
  CHECK(Event::CONNECT == std::string("connect"));
  CHECK(Event::DEACTIVATE == std::string("deactivate"));
  CHECK(Event::OPEN == std::string("open"));
  // string_view constants compare as text even against a literal, as a porter writes it.
  CHECK(Event::CONNECT == "connect");
  CHECK_FALSE(Event::CONNECT == "close");
  Event fromConstant(Event::CONNECT);
  CHECK(fromConstant.type() == Event::CONNECT);
  CHECK(TextEvent::LINK == std::string("link"));
  CHECK(TextEvent::TEXT_INPUT == std::string("textInput"));
  CHECK(ErrorEvent::ERROR == std::string("error"));
  CHECK(IOErrorEvent::IO_ERROR == std::string("ioError"));
  CHECK(IOErrorEvent::NETWORK_ERROR == std::string("networkError"));
  CHECK(IOErrorEvent::DISK_ERROR == std::string("diskError"));
  CHECK(IOErrorEvent::VERIFY_ERROR == std::string("verifyError"));
  CHECK(IOErrorEvent::STANDARD_ERROR_IO_ERROR == std::string("standardErrorIoError"));
  CHECK(IOErrorEvent::STANDARD_INPUT_IO_ERROR == std::string("standardInputIoError"));
  CHECK(IOErrorEvent::STANDARD_OUTPUT_IO_ERROR == std::string("standardOutputIoError"));
  CHECK(SecurityErrorEvent::SECURITY_ERROR == std::string("securityError"));
  CHECK(SecurityErrorEvent::CERTIFICATE_ERROR == std::string("certificateError"));
  CHECK(ProgressEvent::PROGRESS == std::string("progress"));
  CHECK(ProgressEvent::SOCKET_DATA == std::string("socketData"));
  CHECK(ProgressEvent::STANDARD_ERROR_DATA == std::string("standardErrorData"));
  CHECK(ProgressEvent::STANDARD_INPUT_PROGRESS == std::string("standardInputProgress"));
  CHECK(ProgressEvent::STANDARD_OUTPUT_DATA == std::string("standardOutputData"));
  CHECK(OutputProgressEvent::OUTPUT_PROGRESS == std::string("outputProgress"));
  CHECK(ServerSocketConnectEvent::CONNECT == std::string("connect"));
  CHECK(EventPhase::CAPTURING_PHASE == 1);
  CHECK(EventPhase::AT_TARGET == 2);
  CHECK(EventPhase::BUBBLING_PHASE == 3);
}

TEST_CASE("Event starts undispatched with AS3's defaults", "[events]") {
  Event event(Event::CLOSE);
  CHECK(event.type() == "close");
  CHECK_FALSE(event.bubbles());
  CHECK_FALSE(event.cancelable());
  CHECK(event.target() == nullptr);
  CHECK(event.currentTarget() == nullptr);
  CHECK(event.eventPhase() == EventPhase::AT_TARGET);
  CHECK_FALSE(event.isDefaultPrevented());

  Event both("custom", true, true);
  CHECK(both.bubbles());
  CHECK(both.cancelable());
}

TEST_CASE("Event::preventDefault works only on cancelable events", "[events]") {
  Event fixed("x", false, false);
  fixed.preventDefault();
  CHECK_FALSE(fixed.isDefaultPrevented());

  Event cancelable("x", false, true);
  cancelable.preventDefault();
  CHECK(cancelable.isDefaultPrevented());
  cancelable.preventDefault();
  CHECK(cancelable.isDefaultPrevented());
}

TEST_CASE("Event::toString has the player's format", "[events]") {
  CHECK(Event(Event::CLOSE).toString() ==
        "[Event type=\"close\" bubbles=false cancelable=false eventPhase=2]");
  CHECK(Event("x", true, true).toString() ==
        "[Event type=\"x\" bubbles=true cancelable=true eventPhase=2]");
  CHECK(Event("").toString() == "[Event type=\"\" bubbles=false cancelable=false eventPhase=2]");
}

TEST_CASE("Event subclasses print AS3's toString", "[events]") {
  CHECK(TextEvent(TextEvent::LINK, false, false, "a b").toString() ==
        "[TextEvent type=\"link\" bubbles=false cancelable=false eventPhase=2 text=\"a b\"]");
  CHECK(ErrorEvent(ErrorEvent::ERROR).toString() ==
        "[ErrorEvent type=\"error\" bubbles=false cancelable=false eventPhase=2 text=\"\" "
        "errorID=0]");
  CHECK(IOErrorEvent(IOErrorEvent::IO_ERROR, false, false, "Error #2031: Socket Error.", 2031)
            .toString() ==
        "[IOErrorEvent type=\"ioError\" bubbles=false cancelable=false eventPhase=2 "
        "text=\"Error #2031: Socket Error.\" errorID=2031]");
  CHECK(SecurityErrorEvent(SecurityErrorEvent::CERTIFICATE_ERROR, false, true, "bad", -7)
            .toString() ==
        "[SecurityErrorEvent type=\"certificateError\" bubbles=false cancelable=true "
        "eventPhase=2 text=\"bad\" errorID=-7]");
  CHECK(ProgressEvent(ProgressEvent::SOCKET_DATA, false, false, 5).toString() ==
        "[ProgressEvent type=\"socketData\" bubbles=false cancelable=false eventPhase=2 "
        "bytesLoaded=5 bytesTotal=0]");
  CHECK(ProgressEvent(ProgressEvent::PROGRESS, false, false, 1.5, 4294967296.0).toString() ==
        "[ProgressEvent type=\"progress\" bubbles=false cancelable=false eventPhase=2 "
        "bytesLoaded=1.5 bytesTotal=4294967296]");
  CHECK(OutputProgressEvent(OutputProgressEvent::OUTPUT_PROGRESS, false, false, 3, 10).toString() ==
        "[OutputProgressEvent type=\"outputProgress\" bubbles=false cancelable=false "
        "eventPhase=2 bytesPending=3 bytesTotal=10]");
  CHECK(ServerSocketConnectEvent(ServerSocketConnectEvent::CONNECT).toString() ==
        "[ServerSocketConnectEvent type=\"connect\" bubbles=false cancelable=false "
        "eventPhase=2 socket=null]");
  CHECK(ServerSocketConnectEvent(ServerSocketConnectEvent::CONNECT, false, false, fakeSocket())
            .toString() ==
        "[ServerSocketConnectEvent type=\"connect\" bubbles=false cancelable=false "
        "eventPhase=2 socket=[object Socket]]");
}

TEST_CASE("Event::formatToString prints names and values in order", "[events]") {
  Event event("x");
  CHECK(event.formatToString("Empty", {}) == "[Empty]");
  CHECK(event.formatToString("MyEvent", {{"type", event.type()},
                                         {"label", "say \"hi\""},
                                         {"view", std::string_view("v")},
                                         {"ok", true},
                                         {"no", false},
                                         {"count", 42},
                                         {"big", 18446744073709551615ULL},
                                         {"ratio", 0.25},
                                         {"none", nullptr},
                                         {"obj", Event::FormatValue::raw("[object Foo]")}}) ==
        "[MyEvent type=\"x\" label=\"say \"hi\"\" view=\"v\" ok=true no=false count=42 "
        "big=18446744073709551615 ratio=0.25 none=null obj=[object Foo]]");
}

TEST_CASE("Event::FormatValue prints numbers as AS3 prints a Number", "[events]") {
  CHECK(number(0) == "0");
  CHECK(number(-0.0) == "0");
  CHECK(number(5) == "5");
  CHECK(number(-5) == "-5");
  CHECK(number(1.5) == "1.5");
  CHECK(number(-1.5) == "-1.5");
  CHECK(number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(number(0.1) == "0.1");
  CHECK(number(123.456) == "123.456");
  CHECK(number(1e20) == "100000000000000000000");
  CHECK(number(123456789012345680000.0) == "123456789012345680000");
  CHECK(number(1e21) == "1e+21");
  CHECK(number(1.5e300) == "1.5e+300");
  CHECK(number(-2.5e22) == "-2.5e+22");
  CHECK(number(0.000001) == "0.000001");
  CHECK(number(0.0000015) == "0.0000015");
  CHECK(number(1e-7) == "1e-7");
  CHECK(number(1.25e-7) == "1.25e-7");
  CHECK(number(9007199254740992.0) == "9007199254740992");
  CHECK(number(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(number(std::numeric_limits<double>::denorm_min()) == "5e-324");
  CHECK(number(std::nan("")) == "NaN");
  CHECK(number(std::numeric_limits<double>::infinity()) == "Infinity");
  CHECK(number(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("Event::clone copies type, bubbles and cancelable, not the dispatch state", "[events]") {
  Event event("x", true, true);
  event.preventDefault();
  event.stopImmediatePropagation();
  auto copy = cloneAs(event);
  CHECK(copy->type() == "x");
  CHECK(copy->bubbles());
  CHECK(copy->cancelable());
  CHECK_FALSE(copy->isDefaultPrevented());
  CHECK(copy->target() == nullptr);
  CHECK(copy->currentTarget() == nullptr);
  CHECK(copy->eventPhase() == EventPhase::AT_TARGET);
}

TEST_CASE("TextEvent has a read-write text that clone copies", "[events]") {
  TextEvent event(TextEvent::TEXT_INPUT, true, true, "abc");
  CHECK(event.text() == "abc");
  event.text("xyz");
  CHECK(event.text() == "xyz");
  CHECK(TextEvent("t").text().empty());
  auto copy = cloneAs(event);
  CHECK(copy->type() == "textInput");
  CHECK(copy->bubbles());
  CHECK(copy->cancelable());
  CHECK(copy->text() == "xyz");
}

TEST_CASE("ErrorEvent and its subclasses carry text and errorID through clone", "[events]") {
  ErrorEvent error(ErrorEvent::ERROR, true, false, "boom", 12);
  CHECK(error.text() == "boom");
  CHECK(error.errorID() == 12);
  CHECK(ErrorEvent("e").errorID() == 0);
  auto errorCopy = cloneAs(error);
  CHECK(errorCopy->type() == "error");
  CHECK(errorCopy->bubbles());
  CHECK_FALSE(errorCopy->cancelable());
  CHECK(errorCopy->text() == "boom");
  CHECK(errorCopy->errorID() == 12);

  IOErrorEvent io(IOErrorEvent::IO_ERROR, false, true, "Error #2031: Socket Error.", 2031);
  io.text("changed");
  auto ioCopy = cloneAs(io);
  CHECK(ioCopy->type() == "ioError");
  CHECK_FALSE(ioCopy->bubbles());
  CHECK(ioCopy->cancelable());
  CHECK(ioCopy->text() == "changed");
  CHECK(ioCopy->errorID() == 2031);

  SecurityErrorEvent security(SecurityErrorEvent::SECURITY_ERROR, true, true, "denied", 2048);
  auto securityCopy = cloneAs(security);
  CHECK(securityCopy->type() == "securityError");
  CHECK(securityCopy->bubbles());
  CHECK(securityCopy->cancelable());
  CHECK(securityCopy->text() == "denied");
  CHECK(securityCopy->errorID() == 2048);
}

TEST_CASE("ProgressEvent has read-write byte counts that clone copies", "[events]") {
  ProgressEvent event(ProgressEvent::SOCKET_DATA, true, true, 5, 9);
  CHECK(event.bytesLoaded() == 5);
  CHECK(event.bytesTotal() == 9);
  event.bytesLoaded(7.5);
  event.bytesTotal(1e10);
  CHECK(event.bytesLoaded() == 7.5);
  CHECK(event.bytesTotal() == 1e10);
  ProgressEvent defaults("p");
  CHECK(defaults.bytesLoaded() == 0);
  CHECK(defaults.bytesTotal() == 0);
  auto copy = cloneAs(event);
  CHECK(copy->type() == "socketData");
  CHECK(copy->bubbles());
  CHECK(copy->cancelable());
  CHECK(copy->bytesLoaded() == 7.5);
  CHECK(copy->bytesTotal() == 1e10);
}

TEST_CASE("OutputProgressEvent has read-write byte counts that clone copies", "[events]") {
  OutputProgressEvent event(OutputProgressEvent::OUTPUT_PROGRESS, true, true, 3, 10);
  CHECK(event.bytesPending() == 3);
  CHECK(event.bytesTotal() == 10);
  event.bytesPending(1);
  event.bytesTotal(11);
  OutputProgressEvent defaults("o");
  CHECK(defaults.bytesPending() == 0);
  CHECK(defaults.bytesTotal() == 0);
  auto copy = cloneAs(event);
  CHECK(copy->type() == "outputProgress");
  CHECK(copy->bubbles());
  CHECK(copy->cancelable());
  CHECK(copy->bytesPending() == 1);
  CHECK(copy->bytesTotal() == 11);
}

TEST_CASE("ServerSocketConnectEvent shares its socket, and clone shares it too", "[events]") {
  std::shared_ptr<as3::net::Socket> socket = fakeSocket();
  ServerSocketConnectEvent event(ServerSocketConnectEvent::CONNECT, true, true, socket);
  CHECK(event.socket() == socket);
  auto copy = cloneAs(event);
  CHECK(copy->type() == "connect");
  CHECK(copy->bubbles());
  CHECK(copy->cancelable());
  CHECK(copy->socket() == socket);
  CHECK(socket.use_count() == 3);

  event.socket(nullptr);
  CHECK(event.socket() == nullptr);
  CHECK(copy->socket() == socket);
  CHECK(ServerSocketConnectEvent("c").socket() == nullptr);
}

using test::ScoreEvent;

TEST_CASE("A custom Event subclass clones through the protected copy constructor", "[events]") {
  ScoreEvent event("score", 7);
  event.preventDefault();
  auto copy = cloneAs(event);
  CHECK(copy->type() == "score");
  CHECK(copy->score() == 7);
  CHECK(copy->toString() == "[ScoreEvent type=\"score\" score=7]");
}
