#ifndef AS3_UTILS_IEXTERNALIZABLE_H_
#define AS3_UTILS_IEXTERNALIZABLE_H_

#include "as3/Export.h"

namespace as3::utils {

class IDataInput;
class IDataOutput;

/// IExternalizable is AS3's flash.utils.IExternalizable: a class that writes and reads its own
/// AMF3 body. The stream given to both methods is big-endian until the method sets `endian`, and
/// its readObject/writeObject continue the enclosing value's reference tables. The class needs
/// an alias (amf::registerClassAlias) to be written: ArgumentError #2004 otherwise.
/// Differs from AS3: writeExternal is const.
class AS3NET_EXPORT IExternalizable {
 public:
  virtual ~IExternalizable();
  /// writeExternal writes this object's state to `output` when writeObject() encodes it.
  virtual void writeExternal(IDataOutput& output) const = 0;
  /// readExternal reads back, from `input`, what writeExternal() wrote. readObject() calls it on
  /// an instance the class alias created; what it throws propagates out of readObject().
  virtual void readExternal(IDataInput& input) = 0;

 protected:
  /// The interface has no state; only implementations create, copy or assign it.
  ///@{
  IExternalizable() = default;
  IExternalizable(const IExternalizable&) = default;
  IExternalizable& operator=(const IExternalizable&) = default;
  ///@}
};

}  // namespace as3::utils

#endif  // AS3_UTILS_IEXTERNALIZABLE_H_
