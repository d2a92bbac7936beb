#ifndef AS3_ERRORS_IOERROR_H_
#define AS3_ERRORS_IOERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// IOError is AS3's flash.errors.IOError. `name()` is "Error", as in Flash. Thrown for socket use
/// while not connected (#2002) and bad compressed data (#2058).
class AS3NET_EXPORT IOError : public Error {
 public:
  explicit IOError(std::string message = "", int id = 0);
  ~IOError() override;

 protected:
  IOError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
