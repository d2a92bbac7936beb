#ifndef AS3_SECURITY_X509CERTIFICATE_H_
#define AS3_SECURITY_X509CERTIFICATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/security/X500DistinguishedName.h"
#include "as3/utils/ByteArray.h"

/// as3::security holds certificates and distinguished names, trust stores, and the one
/// certificate validation policy SecureSocket applies.
namespace as3::security {

/// X509Certificate is AIR's flash.security.X509Certificate: a parsed certificate, read-only.
/// A value type sharing its immutable parsed form; copies are cheap.
/// Differs from AIR: dates are milliseconds since 1970 UTC (AS3's Date.time), and
/// signatureAlgorithmParams is std::nullopt where AIR gives null.
class AS3NET_EXPORT X509Certificate {
 public:
  /// fromDER parses one DER certificate. Throws errors::ArgumentError #2004 when `der` is not
  /// exactly one well-formed certificate (nothing may follow it).
  ///@{
  static X509Certificate fromDER(const std::uint8_t* der, std::size_t length);
  static X509Certificate fromDER(const utils::ByteArray& der);
  ///@}
  /// fromPEM parses every CERTIFICATE block of `pem` (DER when it holds no PEM armour), in order.
  /// Throws errors::ArgumentError #2004 when none is found or one is malformed.
  static std::vector<X509Certificate> fromPEM(std::string_view pem);

  /// version is AIR's: 2 for X.509 v3, 1 for v2, 0 for v1.
  std::uint32_t version() const;
  /// serialNumber is upper-case hexadecimal without separators or leading zero bytes.
  std::string serialNumber() const;
  /// signatureAlgorithmOID is dotted text, such as "1.2.840.10045.4.3.2" (ecdsa-with-SHA256).
  std::string signatureAlgorithmOID() const;
  /// signatureAlgorithmParams is the DER of the algorithm's parameters, when present.
  std::optional<utils::ByteArray> signatureAlgorithmParams() const;
  /// issuer is the name of the certificate's issuer.
  X500DistinguishedName issuer() const;
  /// issuerUniqueID and subjectUniqueID are hexadecimal, "" when absent (they always are in
  /// certificates made since the 1990s).
  std::string issuerUniqueID() const;
  /// subject is the name of the certificate's subject.
  X500DistinguishedName subject() const;
  /// subjectUniqueID is hexadecimal, "" when absent, as issuerUniqueID().
  std::string subjectUniqueID() const;
  /// subjectPublicKeyAlgorithmOID is dotted text, such as "1.2.840.10045.2.1" (EC public key).
  std::string subjectPublicKeyAlgorithmOID() const;
  /// subjectPublicKey is the subjectPublicKey BIT STRING's bytes as lower-case hexadecimal.
  std::string subjectPublicKey() const;
  /// validNotBefore and validNotAfter are milliseconds since 1970 UTC.
  ///@{
  double validNotBefore() const;
  double validNotAfter() const;
  ///@}
  /// encoded is the whole certificate in DER, the way to reach its extensions.
  utils::ByteArray encoded() const;

  // Not in AIR.
  /// der views the certificate's DER; valid as long as a copy of this certificate lives.
  std::basic_string_view<std::uint8_t> der() const noexcept;
  /// spkiSha256 is the SHA-256 of the DER SubjectPublicKeyInfo, base64 (as HPKP pins are written).
  std::string spkiSha256() const;
  /// dnsNames and ipAddresses are the subject alternative names (IP addresses as text).
  ///@{
  std::vector<std::string> dnsNames() const;
  std::vector<std::string> ipAddresses() const;
  ///@}
  /// toPEM is the certificate as one PEM block.
  std::string toPEM() const;

  friend bool operator==(const X509Certificate& a, const X509Certificate& b) noexcept {
    return a.der() == b.der();
  }
  friend bool operator!=(const X509Certificate& a, const X509Certificate& b) noexcept {
    return !(a == b);
  }

  struct Parsed;  // internal

 private:
  explicit X509Certificate(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
  std::shared_ptr<const Parsed> parsed_;
};

}  // namespace as3::security

#endif  // AS3_SECURITY_X509CERTIFICATE_H_
