// What lies under an X509Certificate, for the TLS code and the validator: the DER in a
// CRYPTO_BUFFER (the form BoringSSL's TLS stack hands out and takes) and its X509, parsed once.
#ifndef AS3NET_LIB_SECURITY_DETAIL_CERTIFICATE_H_
#define AS3NET_LIB_SECURITY_DETAIL_CERTIFICATE_H_

#include <openssl/pool.h>
#include <openssl/x509.h>

#include <optional>

#include "as3/security/X509Certificate.h"

namespace as3::security {

/// X509Certificate::Parsed is the immutable state copies of a certificate share. Both members
/// are set once, before any copy exists, and never change: reading them from any thread is
/// safe, and BoringSSL locks the caches it keeps inside the X509.
struct X509Certificate::Parsed {
  bssl::UniquePtr<CRYPTO_BUFFER> buffer;  // exactly the certificate's DER
  bssl::UniquePtr<X509> x509;             // parsed from `buffer`, sharing its bytes
  double notBefore = 0;                   // the validity, in ms since 1970 UTC
  double notAfter = 0;

  /// parse checks that `buffer` holds exactly one well-formed certificate, taking a reference
  /// to it. Returns nullptr, with BoringSSL's error queue cleared, when it does not.
  static std::shared_ptr<const Parsed> parse(CRYPTO_BUFFER* buffer);
  static X509Certificate wrap(std::shared_ptr<const Parsed> parsed) {
    return X509Certificate(std::move(parsed));
  }
  static const Parsed& of(const X509Certificate& certificate) noexcept {
    return *certificate.parsed_;
  }
};

namespace detail {

/// certificateFromBuffer makes a certificate of `buffer`, taking a reference of its own (the
/// caller keeps its own). Throws errors::ArgumentError #2004 when `buffer` is not exactly one
/// well-formed certificate, as X509Certificate::fromDER does.
X509Certificate certificateFromBuffer(CRYPTO_BUFFER* buffer);

/// tryCertificateFromBuffer is certificateFromBuffer returning std::nullopt instead of
/// throwing, for code that reports failures as status (a peer's malformed certificate).
std::optional<X509Certificate> tryCertificateFromBuffer(CRYPTO_BUFFER* buffer);

/// bufferOf borrows the certificate's CRYPTO_BUFFER, valid while a copy of `certificate` lives.
/// Take a reference (CRYPTO_BUFFER_up_ref) to keep it longer, as SSL_CTX_set_chain_and_key does.
inline CRYPTO_BUFFER* bufferOf(const X509Certificate& certificate) noexcept {
  return X509Certificate::Parsed::of(certificate).buffer.get();
}

/// x509Of borrows the certificate's parsed X509, valid while a copy of `certificate` lives
/// (X509_up_ref to keep it longer). It is parsed when the certificate is made, so this is a
/// plain read, safe from any thread. Treat it as const: do not modify it.
inline X509* x509Of(const X509Certificate& certificate) noexcept {
  return X509Certificate::Parsed::of(certificate).x509.get();
}

}  // namespace detail
}  // namespace as3::security

#endif  // AS3NET_LIB_SECURITY_DETAIL_CERTIFICATE_H_
