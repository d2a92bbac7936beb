#include "errors/detail/Throw.h"

#include <string>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/errors/IOError.h"
#include "as3/errors/IllegalOperationError.h"
#include "as3/errors/MemoryError.h"
#include "as3/errors/RangeError.h"
#include "as3/errors/ReferenceError.h"
#include "as3/errors/SecurityError.h"
#include "as3/errors/TypeError.h"

namespace as3::errors::detail {
namespace {

enum class Kind {
  kError,
  kArgument,
  kRange,
  kType,
  kSecurity,
  kReference,
  kIO,
  kEOF,
  kIllegalOperation,
  kMemory
};

struct Entry {
  int id;
  Kind kind;
  const char* text;
};

// Texts are Flash's, verbatim (spec section 1.2).
constexpr Entry kTable[] = {
    {kOutOfMemory, Kind::kMemory, "The system is out of memory."},
    {kNullObject, Kind::kType, "Cannot access a property or method of a null object reference."},
    {kClassNotFound, Kind::kReference, "Class %1 could not be found."},
    {kStackOverflow, Kind::kError, "Stack overflow occurred."},
    {kTypeCoercion, Kind::kType, "Type Coercion failed: cannot convert %1 to %2."},
    {kCannotCreateProperty, Kind::kReference, "Cannot create property %1 on %2."},
    {kPropertyNotFound, Kind::kReference,
     "Property %1 not found on %2 and there is no default value."},
    {kVectorIndexOutOfRange, Kind::kRange, "The index %1 is out of range %2."},
    {kArgumentCount, Kind::kArgument, "Argument count mismatch on %1. Expected %2, got %3."},
    {kInvalidRange, Kind::kRange, "The specified range is invalid."},
    {kInvalidSocket, Kind::kIO, "Operation attempted on invalid socket."},
    {kInvalidPort, Kind::kSecurity, "Invalid socket port number specified."},
    {kInvalidParameter, Kind::kArgument, "One of the parameters is invalid."},
    {kIndexOutOfBounds, Kind::kRange, "The supplied index is out of bounds."},
    {kNullParameter, Kind::kType, "Parameter %1 must be non-null."},
    {kBadEnumValue, Kind::kArgument, "Parameter %1 must be one of the accepted values."},
    {kEndOfFile, Kind::kEOF, "End of file was encountered."},
    {kSocketError, Kind::kIO, "Socket Error."},
    {kIncorrectSequence, Kind::kIllegalOperation,
     "Functions called in incorrect sequence, or earlier call was unsuccessful."},
    {kFileIO, Kind::kIO, "File I/O Error."},
    {kUnhandledErrorEvent, Kind::kError, "Unhandled %1:."},
    {kDecompression, Kind::kIO, "There was an error decompressing the data."},
    {kEmptyString, Kind::kArgument, "Parameter %1 must be non-empty string."},
    {kNotExternalizable, Kind::kArgument,
     "Unable to read object in stream.  The class %1 does not implement "
     "flash.utils.IExternalizable but is aliased to an externalizable class."},
    {kSharedByteArray, Kind::kArgument, "This API cannot accept shared ByteArrays."},
};

const Entry* find(int id) {
  for (const Entry& e : kTable)
    if (e.id == id) return &e;
  return nullptr;
}

}  // namespace

std::string formatMessage(int id, std::initializer_list<std::string_view> args) {
  std::string out = "Error #" + std::to_string(id);
  const Entry* entry = find(id);
  if (!entry) return out;
  out += ": ";
  for (const char* p = entry->text; *p; ++p) {
    if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
      std::size_t index = static_cast<std::size_t>(p[1] - '1');
      if (index < args.size()) out += *(args.begin() + index);
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

namespace {
[[noreturn]] void throwMessage(int id, std::string message);
}  // namespace

void throwError(int id, std::initializer_list<std::string_view> args) {
  throwMessage(id, formatMessage(id, args));
}

void throwErrorWithDetail(int id, std::initializer_list<std::string_view> args,
                          std::string_view detail) {
  std::string message = formatMessage(id, args);
  message += ' ';
  message += detail;
  throwMessage(id, std::move(message));
}

std::exception_ptr makeError(int id, std::initializer_list<std::string_view> args,
                             std::string_view detail) {
  try {
    if (detail.empty()) throwError(id, args);
    throwErrorWithDetail(id, args, detail);
  } catch (...) {
    return std::current_exception();
  }
}

namespace {
void throwMessage(int id, std::string message) {
  const Entry* entry = find(id);
  switch (entry ? entry->kind : Kind::kError) {
    case Kind::kArgument:
      throw ArgumentError(std::move(message), id);
    case Kind::kRange:
      throw RangeError(std::move(message), id);
    case Kind::kType:
      throw TypeError(std::move(message), id);
    case Kind::kSecurity:
      throw SecurityError(std::move(message), id);
    case Kind::kReference:
      throw ReferenceError(std::move(message), id);
    case Kind::kIO:
      throw IOError(std::move(message), id);
    case Kind::kEOF:
      throw EOFError(std::move(message), id);
    case Kind::kIllegalOperation:
      throw IllegalOperationError(std::move(message), id);
    case Kind::kMemory:
      throw MemoryError(std::move(message), id);
    case Kind::kError:
      break;
  }
  throw Error(std::move(message), id);
}

}  // namespace

}  // namespace as3::errors::detail
