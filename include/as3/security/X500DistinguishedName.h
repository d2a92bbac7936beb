#ifndef AS3_SECURITY_X500DISTINGUISHEDNAME_H_
#define AS3_SECURITY_X500DISTINGUISHEDNAME_H_

#include <string>
#include <utility>
#include <vector>

#include "as3/Export.h"

namespace as3::security {

/// X500DistinguishedName is AIR's flash.security.X500DistinguishedName: a certificate's subject
/// or issuer. Each property is the first attribute of its type as UTF-8, or "" when the name has
/// none. A value type.
class AS3NET_EXPORT X500DistinguishedName {
 public:
  X500DistinguishedName() = default;
  /// Creates a name from its attributes in certificate order: (short name, value) pairs such as
  /// ("CN", "example.com"); short names are those of RFC 4514 ("CN", "O", ...) or dotted OIDs.
  explicit X500DistinguishedName(std::vector<std::pair<std::string, std::string>> attributes);

  std::string commonName() const;              ///< The first CN attribute.
  std::string countryName() const;             ///< The first C attribute.
  std::string localityName() const;            ///< The first L attribute.
  std::string organizationName() const;        ///< The first O attribute.
  std::string organizationalUnitName() const;  ///< The first OU attribute.
  std::string stateOrProvinceName() const;     ///< The first ST attribute.

  /// toString is every attribute as RFC 4514 text in certificate order with ", " between them,
  /// such as `CN=example.com, O=Example, C=US`; special characters are escaped as RFC 4514 says.
  /// AIR left the format undocumented.
  std::string toString() const;

  /// attributes are all the (short name, value) pairs, in certificate order. Not in AIR.
  const std::vector<std::pair<std::string, std::string>>& attributes() const noexcept {
    return attributes_;
  }

 private:
  std::string first(const char* shortName) const;
  std::vector<std::pair<std::string, std::string>> attributes_;
};

}  // namespace as3::security

#endif  // AS3_SECURITY_X500DISTINGUISHEDNAME_H_
