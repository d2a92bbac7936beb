#ifndef AS3_ERRORS_TYPE_ERROR_H_
#define AS3_ERRORS_TYPE_ERROR_H_

#include "as3/errors/Error.h"

namespace as3::errors {

/// TypeError is AS3's TypeError. Thrown for a missing value or a failed type coercion (#2007,
/// #1034).
class AS3NET_EXPORT TypeError : public Error {
 public:
  /// Creates a TypeError with `message` and errorID `id`; name() is "TypeError".
  explicit TypeError(std::string message = "", int id = 0);
  ~TypeError() override;

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  TypeError(const char* name, std::string message, int id);
};

}  // namespace as3::errors

#endif
