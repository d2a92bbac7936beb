#include "as3/utils/Endian.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"
#include "errors/detail/Throw.h"

namespace as3::utils {

IDataInput::~IDataInput() = default;
IDataOutput::~IDataOutput() = default;

Endian parseEndian(std::string_view value) {
  if (value == "bigEndian") return Endian::bigEndian;
  if (value == "littleEndian") return Endian::littleEndian;
  errors::detail::throwError(errors::detail::kBadEnumValue, {"type"});
}

}  // namespace as3::utils
