#include "as3/errors/Error.h"

#include <utility>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/IOError.h"
#include "as3/errors/IllegalOperationError.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/errors/ReferenceError.h"
#include "as3/errors/SecurityError.h"
#include "as3/errors/TypeError.h"

namespace as3::errors {

Error::Error(std::string message, int id) : Error("Error", std::move(message), id) {}

Error::Error(const char* name, std::string message, int id)
    : name_(name), message_(std::move(message)), errorID_(id) {
  refreshWhat();
}

Error::~Error() = default;

void Error::message(std::string value) {
  message_ = std::move(value);
  refreshWhat();
}

void Error::name(std::string value) {
  name_ = std::move(value);
  refreshWhat();
}

std::string Error::toString() const {
  return what_;
}

void Error::refreshWhat() {
  what_ = message_.empty() ? name_ : name_ + ": " + message_;
}

// Top-level classes name themselves; the flash.errors classes keep the base name "Error", which is
// what Flash prints for them.
#define AS3NET_DEFINE_ERROR(Class, Base, Name)                                      \
  Class::Class(std::string message, int id) : Base(Name, std::move(message), id) {} \
  Class::Class(const char* name, std::string message, int id)                       \
      : Base(name, std::move(message), id) {}                                       \
  Class::~Class() = default;

AS3NET_DEFINE_ERROR(ArgumentError, Error, "ArgumentError")
AS3NET_DEFINE_ERROR(RangeError, Error, "RangeError")
AS3NET_DEFINE_ERROR(TypeError, Error, "TypeError")
AS3NET_DEFINE_ERROR(SecurityError, Error, "SecurityError")
AS3NET_DEFINE_ERROR(ReferenceError, Error, "ReferenceError")
AS3NET_DEFINE_ERROR(IOError, Error, "Error")
AS3NET_DEFINE_ERROR(EOFError, IOError, "Error")
AS3NET_DEFINE_ERROR(IllegalOperationError, Error, "Error")
AS3NET_DEFINE_ERROR(MemoryError, Error, "Error")

#undef AS3NET_DEFINE_ERROR

}  // namespace as3::errors
