#ifndef AS3_SECURITY_CERTIFICATESTATUS_H_
#define AS3_SECURITY_CERTIFICATESTATUS_H_

#include <string_view>

namespace as3::security {

/// CertificateStatus is AIR's flash.security.CertificateStatus: the verdicts a SecureSocket
/// reports as serverCertificateStatus. docs/security.md maps every validation failure to
/// exactly one of them.
class CertificateStatus {
 public:
  /// TRUSTED is "trusted": the chain passed every check of the policy.
  static constexpr std::string_view TRUSTED = "trusted";
  /// UNKNOWN is "unknown": nothing validated yet. Never a verdict.
  static constexpr std::string_view UNKNOWN = "unknown";
  /// EXPIRED is "expired": a certificate of the path is past its notAfter.
  static constexpr std::string_view EXPIRED = "expired";
  /// NOT_YET_VALID is "notYetValid": a certificate of the path is before its notBefore.
  static constexpr std::string_view NOT_YET_VALID = "notYetValid";
  /// INVALID is "invalid": the leaf, or a CRL about the path, fails a check.
  static constexpr std::string_view INVALID = "invalid";
  /// INVALID_CHAIN is "invalidChain": a CA certificate, a signature, a constraint or the pins
  /// of the path fail a check.
  static constexpr std::string_view INVALID_CHAIN = "invalidChain";
  /// PRINCIPAL_MISMATCH is "principalMismatch": the leaf does not name the host.
  static constexpr std::string_view PRINCIPAL_MISMATCH = "principalMismatch";
  /// REVOKED is "revoked": a CRL given to the validator revokes a certificate of the path.
  static constexpr std::string_view REVOKED = "revoked";
  /// UNTRUSTED_SIGNERS is "untrustedSigners": no path leads from the leaf to a trust anchor.
  static constexpr std::string_view UNTRUSTED_SIGNERS = "untrustedSigners";

  CertificateStatus() = delete;
};

}  // namespace as3::security

#endif  // AS3_SECURITY_CERTIFICATESTATUS_H_
