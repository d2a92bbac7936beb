#ifndef AS3_ERRORS_EOFERROR_H_
#define AS3_ERRORS_EOFERROR_H_

#include "as3/errors/IOError.h"

namespace as3::errors {

/// EOFError is AS3's flash.errors.EOFError. `name()` is "Error", as in Flash. Thrown by every read
/// that needs more bytes than are available (#2030).
class AS3NET_EXPORT EOFError : public IOError {
 public:
  /// Creates an EOFError with `message` and errorID `id`; name() is "Error".
  explicit EOFError(std::string message = "", int id = 0);
  ~EOFError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  EOFError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
