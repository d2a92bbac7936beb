// Event and its networking subclasses: AS3's fields, clone() and toString() formats.
#include "as3/events/Event.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

#include "as3/events/ErrorEvent.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/events/TextEvent.h"

namespace as3::events {
namespace {

// numberToString prints a double as AS3's Number.toString() (ECMA-262 Number::toString): the
// shortest digits that read back as the same double, positioned by the exponent.
std::string numberToString(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";  // -0 prints as 0 too
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  std::string out;
  if (value < 0) {
    out += '-';
    value = -value;
  }
  // Shortest round-trip form "d[.ddd]e[+-]xx": the digits and the exponent, nothing else.
  char buffer[64];
  std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  std::size_t e = text.find('e');
  std::string digits(1, text[0]);
  if (e > 1) digits.append(text.substr(2, e - 2));
  std::string_view exponentText = text.substr(e + 1);
  if (!exponentText.empty() && exponentText[0] == '+') exponentText.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exponentText.data(), exponentText.data() + exponentText.size(), exponent);

  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // the decimal point sits after n digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += n - 1 < 0 ? "e-" : "e+";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

void appendFields(std::string& out, std::initializer_list<Event::FormatField> fields) {
  for (const Event::FormatField& field : fields) {
    out += ' ';
    out += field.name;
    out += '=';
    out += field.value.text();
  }
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

}  // namespace

// --- Event::FormatValue --------------------------------------------------------------------

Event::FormatValue::FormatValue(const std::string& text) : text_(quoted(text)) {}
Event::FormatValue::FormatValue(std::string_view text) : text_(quoted(text)) {}
Event::FormatValue::FormatValue(const char* text) : text_(quoted(text)) {}
Event::FormatValue::FormatValue(bool value) : text_(value ? "true" : "false") {}
Event::FormatValue::FormatValue(double value) : text_(numberToString(value)) {}
Event::FormatValue::FormatValue(std::nullptr_t) : text_("null") {}

Event::FormatValue Event::FormatValue::raw(std::string text) {
  return FormatValue(Raw{}, std::move(text));
}

// --- Event ---------------------------------------------------------------------------------

Event::Event(std::string_view type, bool bubbles, bool cancelable)
    : type_(type), bubbles_(bubbles), cancelable_(cancelable) {}

Event::Event(const Event& other)
    : type_(other.type_), bubbles_(other.bubbles_), cancelable_(other.cancelable_) {}

Event::~Event() = default;

std::unique_ptr<Event> Event::clone() const {
  return std::unique_ptr<Event>(new Event(*this));
}

std::string Event::toString() const {
  return formatEvent("Event");
}

std::string Event::formatToString(std::string_view className,
                                  std::initializer_list<FormatField> fields) const {
  std::string out = "[";
  out += className;
  appendFields(out, fields);
  out += ']';
  return out;
}

std::string Event::formatEvent(std::string_view className,
                               std::initializer_list<FormatField> more) const {
  std::string out = "[";
  out += className;
  appendFields(out, {{"type", type()},
                     {"bubbles", bubbles()},
                     {"cancelable", cancelable()},
                     {"eventPhase", eventPhase()}});
  appendFields(out, more);
  out += ']';
  return out;
}

// --- TextEvent -----------------------------------------------------------------------------

TextEvent::TextEvent(std::string_view type, bool bubbles, bool cancelable, std::string text)
    : Event(type, bubbles, cancelable), text_(std::move(text)) {}

TextEvent::~TextEvent() = default;

std::unique_ptr<Event> TextEvent::clone() const {
  return std::unique_ptr<Event>(new TextEvent(*this));
}

std::string TextEvent::toString() const {
  return formatEvent("TextEvent", {{"text", text()}});
}

// --- ErrorEvent ----------------------------------------------------------------------------

ErrorEvent::ErrorEvent(std::string_view type, bool bubbles, bool cancelable, std::string text,
                       int id)
    : TextEvent(type, bubbles, cancelable, std::move(text)), errorID_(id) {}

ErrorEvent::~ErrorEvent() = default;

std::unique_ptr<Event> ErrorEvent::clone() const {
  return std::unique_ptr<Event>(new ErrorEvent(*this));
}

std::string ErrorEvent::toString() const {
  return formatErrorEvent("ErrorEvent");
}

std::string ErrorEvent::formatErrorEvent(std::string_view className) const {
  return formatEvent(className, {{"text", text()}, {"errorID", errorID()}});
}

// --- IOErrorEvent --------------------------------------------------------------------------

IOErrorEvent::IOErrorEvent(std::string_view type, bool bubbles, bool cancelable, std::string text,
                           int id)
    : ErrorEvent(type, bubbles, cancelable, std::move(text), id) {}

IOErrorEvent::~IOErrorEvent() = default;

std::unique_ptr<Event> IOErrorEvent::clone() const {
  return std::unique_ptr<Event>(new IOErrorEvent(*this));
}

std::string IOErrorEvent::toString() const {
  return formatErrorEvent("IOErrorEvent");
}

// --- SecurityErrorEvent --------------------------------------------------------------------

SecurityErrorEvent::SecurityErrorEvent(std::string_view type, bool bubbles, bool cancelable,
                                       std::string text, int id)
    : ErrorEvent(type, bubbles, cancelable, std::move(text), id) {}

SecurityErrorEvent::~SecurityErrorEvent() = default;

std::unique_ptr<Event> SecurityErrorEvent::clone() const {
  return std::unique_ptr<Event>(new SecurityErrorEvent(*this));
}

std::string SecurityErrorEvent::toString() const {
  return formatErrorEvent("SecurityErrorEvent");
}

// --- ProgressEvent -------------------------------------------------------------------------

ProgressEvent::ProgressEvent(std::string_view type, bool bubbles, bool cancelable,
                             double bytesLoaded, double bytesTotal)
    : Event(type, bubbles, cancelable), bytesLoaded_(bytesLoaded), bytesTotal_(bytesTotal) {}

ProgressEvent::~ProgressEvent() = default;

std::unique_ptr<Event> ProgressEvent::clone() const {
  return std::unique_ptr<Event>(new ProgressEvent(*this));
}

std::string ProgressEvent::toString() const {
  return formatEvent("ProgressEvent",
                     {{"bytesLoaded", bytesLoaded()}, {"bytesTotal", bytesTotal()}});
}

// --- OutputProgressEvent -------------------------------------------------------------------

OutputProgressEvent::OutputProgressEvent(std::string_view type, bool bubbles, bool cancelable,
                                         double bytesPending, double bytesTotal)
    : Event(type, bubbles, cancelable), bytesPending_(bytesPending), bytesTotal_(bytesTotal) {}

OutputProgressEvent::~OutputProgressEvent() = default;

std::unique_ptr<Event> OutputProgressEvent::clone() const {
  return std::unique_ptr<Event>(new OutputProgressEvent(*this));
}

std::string OutputProgressEvent::toString() const {
  return formatEvent("OutputProgressEvent",
                     {{"bytesPending", bytesPending()}, {"bytesTotal", bytesTotal()}});
}

// --- ServerSocketConnectEvent --------------------------------------------------------------

ServerSocketConnectEvent::ServerSocketConnectEvent(std::string_view type, bool bubbles,
                                                   bool cancelable,
                                                   std::shared_ptr<net::Socket> socket)
    : Event(type, bubbles, cancelable), socket_(std::move(socket)) {}

ServerSocketConnectEvent::~ServerSocketConnectEvent() = default;

std::unique_ptr<Event> ServerSocketConnectEvent::clone() const {
  return std::unique_ptr<Event>(new ServerSocketConnectEvent(*this));
}

std::string ServerSocketConnectEvent::toString() const {
  // AS3 prints an object through its own toString(), which for a Socket is "[object Socket]".
  return formatEvent(
      "ServerSocketConnectEvent",
      {{"socket", socket_ ? FormatValue::raw("[object Socket]") : FormatValue(nullptr)}});
}

}  // namespace as3::events
