#ifndef AS3_ERRORS_IOERROR_H_
#define AS3_ERRORS_IOERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// IOError is AS3's flash.errors.IOError. `name()` is "Error", as in Flash. Thrown for socket use
/// while not connected and server socket failures (#2002), bad compressed data (#2058), a
/// connect() without a host (#2031) and files that cannot be read (#2038).
class AS3NET_EXPORT IOError : public Error {
 public:
  /// Creates an IOError with `message` and errorID `id`; name() is "Error".
  explicit IOError(std::string message = "", int id = 0);
  ~IOError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  IOError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
