#ifndef AS3_ERRORS_RANGE_ERROR_H_
#define AS3_ERRORS_RANGE_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// RangeError is AS3's RangeError. Thrown for an index or size out of range (#2006, #1506).
class AS3NET_EXPORT RangeError : public Error {
 public:
  /// Creates a RangeError with `message` and errorID `id`; name() is "RangeError".
  explicit RangeError(std::string message = "", int id = 0);
  ~RangeError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  RangeError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
