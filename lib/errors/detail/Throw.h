// The AS3 error table: every errorID the SDK throws, with its class and Flash's message text, so
// that an id alone decides what is thrown and what it says.
#ifndef AS3NET_LIB_ERRORS_DETAIL_THROW_H_
#define AS3NET_LIB_ERRORS_DETAIL_THROW_H_

#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

namespace as3::errors::detail {

/// formatMessage returns "Error #<id>: <text>" with %1, %2, ... replaced by `args`.
std::string formatMessage(int id, std::initializer_list<std::string_view> args = {});

/// throwError throws the class the table gives for `id`, carrying formatMessage(id, args).
[[noreturn]] __attribute__((cold, noinline)) void throwError(
    int id, std::initializer_list<std::string_view> args = {});

/// throwErrorWithDetail is throwError with `detail` appended to the message after a space: what
/// was wrong, where (AMF uses it for the byte offset).
[[noreturn]] __attribute__((cold, noinline)) void throwErrorWithDetail(
    int id, std::initializer_list<std::string_view> args, std::string_view detail);

/// makeError is the exception throwErrorWithDetail would throw (an empty `detail` adds nothing),
/// for code that reports an error instead of throwing it (the event loop's uncaught errors).
std::exception_ptr makeError(int id, std::initializer_list<std::string_view> args,
                             std::string_view detail = {});

/// The ids used across the library, named for reading.
enum : int {
  kOutOfMemory = 1000,
  kNullObject = 1009,
  kClassNotFound = 1014,
  kStackOverflow = 1023,
  kTypeCoercion = 1034,
  kCannotCreateProperty = 1056,
  kPropertyNotFound = 1069,
  kVectorIndexOutOfRange = 1125,
  kArgumentCount = 1063,
  kInvalidRange = 1506,
  kInvalidSocket = 2002,
  kInvalidPort = 2003,
  kInvalidParameter = 2004,
  kIndexOutOfBounds = 2006,
  kNullParameter = 2007,
  kBadEnumValue = 2008,
  kEndOfFile = 2030,
  kSocketError = 2031,
  kIncorrectSequence = 2037,
  kFileIO = 2038,
  kUnhandledErrorEvent = 2044,
  kDecompression = 2058,
  kEmptyString = 2085,
  kNotExternalizable = 2173,
  kSharedByteArray = 3735,
};

}  // namespace as3::errors::detail

#endif  // AS3NET_LIB_ERRORS_DETAIL_THROW_H_
