#ifndef AS3_ERRORS_MEMORY_ERROR_H_
#define AS3_ERRORS_MEMORY_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// MemoryError is AS3's flash.errors.MemoryError. `name()` is "Error", as in Flash. Thrown when a
/// ByteArray would exceed 4 GiB or memory runs out (#1000).
class AS3NET_EXPORT MemoryError : public Error {
 public:
  /// Creates a MemoryError with `message` and errorID `id`; name() is "Error".
  explicit MemoryError(std::string message = "", int id = 0);
  ~MemoryError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  MemoryError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
