#ifndef AS3_ERRORS_REFERENCE_ERROR_H_
#define AS3_ERRORS_REFERENCE_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// ReferenceError is AS3's ReferenceError. Thrown when a name cannot be resolved, such as an
/// unknown class alias (#1014).
class AS3NET_EXPORT ReferenceError : public Error {
 public:
  /// Creates a ReferenceError with `message` and errorID `id`; name() is "ReferenceError".
  explicit ReferenceError(std::string message = "", int id = 0);
  ~ReferenceError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  ReferenceError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
