#ifndef AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_
#define AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "as3/Export.h"
#include "as3/security/X509Certificate.h"
#include "as3/utils/ByteArray.h"

namespace as3::testing {

/// KeyType is the kind of key a test certificate gets. The weak ones exist to be refused.
enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa2048, kRsa1024, kEcdsaP224 };

/// CertificateOptions describe one certificate to issue. The defaults give a valid ECDSA P-256
/// TLS server certificate for "localhost" and 127.0.0.1, valid from an hour ago for 30 days.
struct CertificateOptions {
  std::string commonName = "localhost";
  std::vector<std::string> dnsNames = {"localhost"};
  std::vector<std::string> ipAddresses = {"127.0.0.1"};
  KeyType keyType = KeyType::kEcdsaP256;
  /// The validity window, relative to the authority's clock (now() unless set).
  std::chrono::seconds notBeforeOffset = std::chrono::hours(-1);
  std::chrono::seconds lifetime = std::chrono::hours(24 * 30);
  /// Defects and variations, for tests of the validation policy.
  bool isCA = false;                  ///< basicConstraints CA:TRUE (a CA used as a leaf)
  bool serverAuth = true;             ///< extendedKeyUsage serverAuth (false: clientAuth only)
  bool clientAuth = false;            ///< also clientAuth, for mutual TLS
  bool sha1Signature = false;         ///< signed with SHA-1
  bool includeSubjectAltName = true;  ///< false: the name only in the common name
};

/// IssuedCertificate is a certificate with its private key and the intermediates between it and
/// the root (nearest first), as a server would present them.
struct AS3NET_EXPORT IssuedCertificate {
  security::X509Certificate certificate;
  std::string privateKeyPem;  ///< PKCS#8 PEM
  std::vector<security::X509Certificate> intermediates;
  std::uint64_t serial = 0;

  /// chainPem is the certificate then its intermediates, as a server's certificate file.
  std::string chainPem() const;
  /// writeFiles writes chainPem() to `certPath` and the key to `keyPath`.
  void writeFiles(const std::string& certPath, const std::string& keyPath) const;
};

/// TestCertificateAuthority makes throwaway certificate hierarchies in memory with BoringSSL,
/// for tests: a root, intermediates, leaves for chosen names and addresses, and every defect the
/// validation policy refuses, plus CRLs. No openssl command is needed. Not in AIR.
class AS3NET_EXPORT TestCertificateAuthority {
 public:
  /// Creates a self-signed root named `name`.
  explicit TestCertificateAuthority(std::string name = "as3net test root",
                                    KeyType keyType = KeyType::kEcdsaP256);
  ~TestCertificateAuthority();
  TestCertificateAuthority(const TestCertificateAuthority&);
  TestCertificateAuthority& operator=(const TestCertificateAuthority&);

  /// intermediate makes a CA signed by this one; leaves it issues carry it in their chain.
  TestCertificateAuthority intermediate(std::string name,
                                        KeyType keyType = KeyType::kEcdsaP256) const;
  /// issue makes a certificate signed by this authority.
  IssuedCertificate issue(const CertificateOptions& options = {}) const;
  /// crl makes a CRL signed by this authority revoking `serials`, valid now for a week.
  std::string crlPem(const std::vector<std::uint64_t>& serials) const;

  /// certificate is this authority's own certificate (the root's is self-signed).
  const security::X509Certificate& certificate() const;
  std::string certificatePem() const;
  utils::ByteArray certificateDer() const;

  /// clock sets "now" for the validity windows of what it issues afterwards (seconds since
  /// 1970 UTC); 0 means the real clock.
  void clock(std::int64_t secondsSinceEpoch) noexcept;

  struct State;  // internal

 private:
  std::shared_ptr<State> state_;
};

}  // namespace as3::testing

#endif  // AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_
