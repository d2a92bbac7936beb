#ifndef AS3_SECURITY_CERTIFICATEVALIDATOR_H_
#define AS3_SECURITY_CERTIFICATEVALIDATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/security/TrustStore.h"
#include "as3/security/X509Certificate.h"

namespace as3::security {

/// ValidationResult is one verdict of CertificateValidator.
struct AS3NET_EXPORT ValidationResult {
  /// status is a CertificateStatus value: "trusted", or the one failure docs/security.md maps.
  std::string status;
  /// reason says what was wrong in words, naming the certificate ("" when trusted), e.g.
  /// "the leaf's RSA key has 1024 bits; at least 2048 are required".
  std::string reason;
  /// chain is the verified path from the leaf to the anchor when one was built (even when a
  /// later check failed), else the certificates as presented.
  std::vector<X509Certificate> chain;

  /// trusted is `status == "trusted"`.
  bool trusted() const noexcept { return status == "trusted"; }
};

/// CertificateValidator applies as3net's one validation policy to a server's certificate
/// chain; SecureSocket uses it for every connection, and the CLI and tests use it offline.
/// The policy (docs/security.md): the chain must reach an anchor; every certificate must be
/// valid at the validation time; the host is matched against DNS subject alternative names
/// (RFC 6125: a wildcard only as the whole left-most label) and IP literals against IP
/// addresses only, never the common name; the leaf must allow server authentication and must
/// not be a CA; basic and name constraints hold; RSA keys have at least 2048 bits, EC keys are
/// on P-256, P-384 or P-521; no signature in the chain below the anchor uses SHA-1 (or MD5);
/// a certificate revoked by a CRL given here is refused; SPKI pins, when given, must match a
/// certificate of the verified chain. Nothing relaxes it. Not in AIR, which asked the OS.
/// Copyable; not thread-safe while being configured, safe to share for validate() afterwards.
class AS3NET_EXPORT CertificateValidator {
 public:
  /// Creates a validator whose anchors are TrustStore::system().
  CertificateValidator();
  /// Creates a validator whose anchors are `anchors` (null: none but those added).
  explicit CertificateValidator(std::shared_ptr<const TrustStore> anchors);
  ~CertificateValidator();
  /// A copy has the same configuration, shared until either is changed (copy on write).
  ///@{
  CertificateValidator(const CertificateValidator&);
  CertificateValidator& operator=(const CertificateValidator&);
  ///@}

  /// addAnchor trusts `certificate` as a root in addition to the store's.
  void addAnchor(const X509Certificate& certificate);
  /// addIntermediate offers `certificate` for chain building without trusting it.
  void addIntermediate(const X509Certificate& certificate);
  /// addCRLs adds every CRL in `data` (DER, or PEM with one or more X509 CRL blocks) and
  /// returns how many. Throws errors::ArgumentError #2004 when there is none or one is
  /// malformed. A CRL is used only when its issuer is in the verified chain and its signature
  /// verifies; with CRLs present, a certificate they cover is checked against them.
  std::size_t addCRLs(std::string_view data);
  /// addPin requires the verified chain to hold a certificate whose SPKI SHA-256 (base64, as
  /// X509Certificate::spkiSha256) is one of the pins added. Several pins are alternatives
  /// (backup pins). A mismatch is "invalidChain". Throws errors::ArgumentError #2004 for text
  /// that is not base64 of 32 bytes.
  void addPin(std::string_view spkiSha256Base64);
  /// time fixes the validation time (seconds since 1970 UTC); 0, the default, means now.
  ///@{
  void time(std::int64_t secondsSinceEpoch) noexcept { time_ = secondsSinceEpoch; }
  std::int64_t time() const noexcept { return time_; }
  ///@}
  /// clock makes validations without a fixed time() ask `now` for the time (seconds since 1970
  /// UTC) instead of the system clock; an empty function restores the system clock. For tests
  /// (as3::testing::TestClock): `now` is called on the thread that validates.
  void clock(std::function<std::int64_t()> now);
  /// sameConfiguration tells whether `other` is a copy of this validator and neither has been
  /// changed since the copy. Not in AIR: lets SecureSocket reuse work done for a configuration.
  bool sameConfiguration(const CertificateValidator& other) const noexcept {
    return state_ == other.state_ && time_ == other.time_ && clock_ == other.clock_;
  }

  /// validate checks `presented` (the leaf first, then what the server sent to help build
  /// the chain, in any order) for a connection to `host` (a DNS name, or an IPv4/IPv6 literal;
  /// "" skips the name check, for offline use only).
  ValidationResult validate(const std::vector<X509Certificate>& presented,
                            std::string_view host) const;

  struct State;  // internal

 private:
  std::shared_ptr<State> state_;  // copied on write
  std::int64_t time_ = 0;
  std::shared_ptr<const std::function<std::int64_t()>> clock_;  // null: the system clock
};

}  // namespace as3::security

#endif  // AS3_SECURITY_CERTIFICATEVALIDATOR_H_
