#ifndef AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_
#define AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "as3/Export.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestClock.h"
#include "as3/utils/ByteArray.h"

namespace as3::net {
class SecureSocket;
}

/// as3::testing is the testing kit (target as3net::testing, docs/testing.md): certificate
/// authorities, loopback servers, a run loop with time limits and a clock, for the tests of
/// applications that use as3net. Not in AIR.
namespace as3::testing {

/// KeyType is the kind of key a test certificate gets. The weak ones exist to be refused.
enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa2048, kRsa1024, kEcdsaP224 };

/// CertificateOptions describe one certificate to issue. The defaults give a valid ECDSA P-256
/// TLS server certificate for "localhost" and 127.0.0.1, valid from an hour ago for 30 days.
struct CertificateOptions {
  std::string commonName = "localhost";  ///< the subject's CN ("": a subject without one)
  std::vector<std::string> dnsNames = {"localhost"};     ///< DNS subjectAltNames
  std::vector<std::string> ipAddresses = {"127.0.0.1"};  ///< IP subjectAltNames, IPv4 or IPv6
  KeyType keyType = KeyType::kEcdsaP256;                 ///< the certificate's key
  /// notBeforeOffset is where the validity window starts, relative to the authority's clock
  /// (the real time unless clock() was set): negative is in the past.
  std::chrono::seconds notBeforeOffset = std::chrono::hours(-1);
  /// lifetime is the window's length; it must be positive.
  std::chrono::seconds lifetime = std::chrono::hours(24 * 30);
  /// Defects and variations, for tests of the validation policy.
  bool isCA = false;                  ///< basicConstraints CA:TRUE (a CA used as a leaf)
  bool serverAuth = true;             ///< extendedKeyUsage serverAuth (false: clientAuth only)
  bool clientAuth = false;            ///< also clientAuth, for mutual TLS
  bool sha1Signature = false;         ///< signed with SHA-1
  bool includeSubjectAltName = true;  ///< false: the name only in the common name
  bool selfSigned = false;            ///< signed with its own key, not by the authority
};

/// IssuedCertificate is a certificate with its private key and the intermediates between it and
/// the root (nearest first), as a server would present them.
struct AS3NET_EXPORT IssuedCertificate {
  security::X509Certificate certificate;  ///< the leaf
  std::string privateKeyPem;              ///< its private key, PKCS#8 PEM
  /// intermediates are the CAs between the leaf and the root, nearest first (none for a leaf
  /// of the root itself, or a self-signed one); clear them to serve a chain that lacks them.
  std::vector<security::X509Certificate> intermediates;
  std::uint64_t serial = 0;  ///< the leaf's serial number, for crlPem()

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
  /// Copies share the keys and certificate, each with its own clock setting.
  TestCertificateAuthority(const TestCertificateAuthority&);
  /// Makes this a copy of `other`, as the copy constructor does.
  TestCertificateAuthority& operator=(const TestCertificateAuthority&);

  /// intermediate makes a CA signed by this one; leaves it issues carry it in their chain.
  TestCertificateAuthority intermediate(std::string name,
                                        KeyType keyType = KeyType::kEcdsaP256) const;
  /// issue makes a certificate signed by this authority (unless `options.selfSigned`). Throws
  /// errors::ArgumentError #2004 for options it cannot encode: an empty DNS name, an address
  /// that is not IPv4 or IPv6, a lifetime that is not positive.
  IssuedCertificate issue(const CertificateOptions& options = {}) const;
  /// crl makes a CRL signed by this authority revoking `serials`, valid now for a week.
  std::string crlPem(const std::vector<std::uint64_t>& serials) const;

  /// certificate is this authority's own certificate (the root's is self-signed).
  const security::X509Certificate& certificate() const;
  /// certificatePem is certificate() as PEM.
  std::string certificatePem() const;
  /// certificateDer is certificate() as DER, what addBinaryChainBuildingCertificate takes.
  utils::ByteArray certificateDer() const;
  /// trustIn makes `socket` trust this authority's root as an anchor, for that socket only
  /// (its validator()). For a root authority, AIR's process-wide way is
  /// `socket.addBinaryChainBuildingCertificate(authority.certificateDer(), true)`.
  void trustIn(net::SecureSocket& socket) const;

  /// clock sets "now" for the validity windows of what it issues afterwards (seconds since
  /// 1970 UTC); 0 means the real clock (or the TestClock followed).
  void clock(std::int64_t secondsSinceEpoch) noexcept;
  /// clock makes what it issues afterwards take their validity windows from `clock`'s time at
  /// the moment of issue. Authorities made from this one (intermediate()) follow it too.
  void clock(const TestClock& clock);

  struct State;  // internal

 private:
  std::shared_ptr<State> state_;
};

}  // namespace as3::testing

#endif  // AS3_TESTING_TESTCERTIFICATEAUTHORITY_H_
