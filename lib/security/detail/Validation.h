// The validator's internals that other parts of the library share: CRL parsing, IP literal
// parsing (SNI is never sent for one), X.509 times, and validation of a chain as BoringSSL's TLS
// stack hands it out. The policy itself lives in lib/security/CertificateValidator.cpp.
#ifndef AS3NET_LIB_SECURITY_DETAIL_VALIDATION_H_
#define AS3NET_LIB_SECURITY_DETAIL_VALIDATION_H_

#include <openssl/pool.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "as3/security/CertificateValidator.h"

namespace as3::security::detail {

/// IpAddress is an IPv4 (4 bytes) or IPv6 (16 bytes) address in network order.
struct IpAddress {
  std::uint8_t bytes[16] = {};
  std::size_t length = 0;  // 4 or 16
};

/// parseIpLiteral reads `text` as an IPv4 dotted quad or an IPv6 address (optionally in
/// brackets, without a zone). False for anything else, which is then a DNS name.
bool parseIpLiteral(std::string_view text, IpAddress* out);

/// ipText is RFC 5952 text for IPv6 (lower case, longest zero run compressed) and dotted
/// decimal for IPv4.
std::string ipText(const IpAddress& address);

/// parseCRLs reads every CRL of `data`: one DER CRL, or PEM holding one or more `X509 CRL`
/// blocks. Throws errors::ArgumentError #2004 when there is none or one is malformed.
std::vector<bssl::UniquePtr<X509_CRL>> parseCRLs(std::string_view data);

/// x509TimeToSeconds converts an X.509 UTCTime or GeneralizedTime in its DER form (seconds
/// present, `Z`, no fraction) to seconds since 1970 UTC. False for any other form.
bool x509TimeToSeconds(const ASN1_TIME* time, std::int64_t* out);

/// validatePeerChain is CertificateValidator::validate for a chain as SSL_get0_peer_certificates
/// gives it (leaf first). A certificate that does not parse makes the verdict "invalid".
ValidationResult validatePeerChain(const CertificateValidator& validator,
                                   const STACK_OF(CRYPTO_BUFFER) * presented,
                                   std::string_view host);

}  // namespace as3::security::detail

#endif  // AS3NET_LIB_SECURITY_DETAIL_VALIDATION_H_
