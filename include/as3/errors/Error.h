#ifndef AS3_ERRORS_ERROR_H_
#define AS3_ERRORS_ERROR_H_

#include <exception>
#include <optional>
#include <string>

#include "as3/Export.h"

/// as3::errors holds AS3's error classes: Error, the base of every exception as3net throws, and
/// its subclasses, each carrying AS3's errorID and message.
namespace as3::errors {

/// Error is AS3's top-level Error and the base of every exception as3net throws. The SDK's own
/// errors carry AS3's errorID and the debugger player's message, "Error #NNNN: text".
///
/// `name()` follows Flash's quirk: the top-level subclasses (ArgumentError, RangeError, ...)
/// report their own name, while the flash.errors classes (IOError, EOFError,
/// IllegalOperationError, MemoryError) report "Error", so an EOFError prints as
/// `Error: Error #2030: End of file was encountered.` Catch by C++ type, branch on `errorID()`.
/// `what()` returns `toString()`.
class AS3NET_EXPORT Error : public std::exception {
 public:
  /// Differs from AS3: `message` and `id` are both optional for every subclass, so the SDK can
  /// throw any class with an errorID (AS3's top-level subclasses take only a message).
  explicit Error(std::string message = "", int id = 0);
  ~Error() override;

  /// errorID is the AS3 error number, such as 2030, or 0 when none was given. Read-only, as in
  /// AS3.
  int errorID() const noexcept { return errorID_; }
  /// message is the text after the name, such as "Error #2030: End of file was encountered.".
  /// Setting it updates toString() and what().
  ///@{
  const std::string& message() const noexcept { return message_; }
  void message(std::string value);
  ///@}
  /// name is the class name AS3 prints, "ArgumentError" or "Error" (see above). Setting it
  /// updates toString() and what().
  ///@{
  const std::string& name() const noexcept { return name_; }
  void name(std::string value);
  ///@}

  /// toString is `name + ": " + message`, or just `name` when the message is empty.
  std::string toString() const;
  /// what returns toString(); the pointer is valid until the next message() or name() setter
  /// call, or the error's destruction.
  const char* what() const noexcept override { return what_.c_str(); }

  /// getStackTrace returns nullopt, as AS3 does in release players.
  std::optional<std::string> getStackTrace() const { return std::nullopt; }

 protected:
  /// Creates the error with name() `name`, for subclasses: each passes the name AS3 prints for it.
  Error(const char* name, std::string message, int id);

 private:
  void refreshWhat();

  std::string name_;
  std::string message_;
  std::string what_;
  int errorID_;
};

}  // namespace as3::errors

#endif  // AS3_ERRORS_ERROR_H_
