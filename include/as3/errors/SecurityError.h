#ifndef AS3_ERRORS_SECURITY_ERROR_H_
#define AS3_ERRORS_SECURITY_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// SecurityError is AS3's SecurityError. Thrown for a refused operation, such as an invalid socket
/// port (#2003).
class AS3NET_EXPORT SecurityError : public Error {
 public:
  /// Creates a SecurityError with `message` and errorID `id`; name() is "SecurityError".
  explicit SecurityError(std::string message = "", int id = 0);
  ~SecurityError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  SecurityError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
