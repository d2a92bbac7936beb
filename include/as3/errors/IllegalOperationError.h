#ifndef AS3_ERRORS_ILLEGAL_OPERATION_ERROR_H_
#define AS3_ERRORS_ILLEGAL_OPERATION_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// IllegalOperationError is AS3's flash.errors.IllegalOperationError. `name()` is "Error", as in
/// Flash.
class AS3NET_EXPORT IllegalOperationError : public Error {
 public:
  /// Creates an IllegalOperationError with `message` and errorID `id`; name() is "Error".
  explicit IllegalOperationError(std::string message = "", int id = 0);
  ~IllegalOperationError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  IllegalOperationError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
