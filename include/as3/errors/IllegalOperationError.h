#ifndef AS3_ERRORS_ILLEGAL_OPERATION_ERROR_H_
#define AS3_ERRORS_ILLEGAL_OPERATION_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// IllegalOperationError is AS3's flash.errors.IllegalOperationError. `name()` is "Error", as in
/// Flash.
class AS3NET_EXPORT IllegalOperationError : public Error {
 public:
  explicit IllegalOperationError(std::string message = "", int id = 0);
  ~IllegalOperationError() override;

 protected:
  IllegalOperationError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
