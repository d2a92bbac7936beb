#ifndef AS3_SECURITY_CERTIFICATESTATUS_H_
#define AS3_SECURITY_CERTIFICATESTATUS_H_

#include <string_view>

namespace as3::security {

/// CertificateStatus is AIR's flash.security.CertificateStatus: the verdicts a SecureSocket
/// reports as serverCertificateStatus. docs/security.md maps every validation failure to
/// exactly one of them.
class CertificateStatus {
 public:
  static constexpr std::string_view TRUSTED = "trusted";
  static constexpr std::string_view UNKNOWN = "unknown";
  static constexpr std::string_view EXPIRED = "expired";
  static constexpr std::string_view NOT_YET_VALID = "notYetValid";
  static constexpr std::string_view INVALID = "invalid";
  static constexpr std::string_view INVALID_CHAIN = "invalidChain";
  static constexpr std::string_view PRINCIPAL_MISMATCH = "principalMismatch";
  static constexpr std::string_view REVOKED = "revoked";
  static constexpr std::string_view UNTRUSTED_SIGNERS = "untrustedSigners";

  CertificateStatus() = delete;
};

}  // namespace as3::security

#endif  // AS3_SECURITY_CERTIFICATESTATUS_H_
