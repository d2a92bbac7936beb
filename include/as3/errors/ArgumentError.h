#ifndef AS3_ERRORS_ARGUMENT_ERROR_H_
#define AS3_ERRORS_ARGUMENT_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// ArgumentError is AS3's ArgumentError. Thrown for an argument that is not one of the accepted
/// values (#2004, #2008, #2085, ...).
class AS3NET_EXPORT ArgumentError : public Error {
 public:
  /// Creates an ArgumentError with `message` and errorID `id`; name() is "ArgumentError".
  explicit ArgumentError(std::string message = "", int id = 0);
  ~ArgumentError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  ArgumentError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
