#ifndef AS3_SECURITY_TRUSTSTORE_H_
#define AS3_SECURITY_TRUSTSTORE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "as3/Export.h"
#include "as3/security/X509Certificate.h"

namespace as3::security {

/// TrustStore is a set of trust anchors (root certificates). Not in AIR, which used the
/// operating system's store without showing it. Thread-safe once filled: validators share it.
class AS3NET_EXPORT TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  /// system is the platform's anchors, loaded once on first use. On Linux: the PEM bundle named
  /// by SSL_CERT_FILE and the hashed directory named by SSL_CERT_DIR when either is set, else the
  /// first distribution bundle that exists (Debian/Ubuntu, RHEL/Fedora, openSUSE, Alpine, Arch;
  /// docs/security.md lists them). Other platforms are planned behind this same interface.
  static std::shared_ptr<const TrustStore> system();

  /// add adds one anchor.
  void add(const X509Certificate& anchor);
  /// loadFile adds every certificate of a PEM (or DER) file; returns how many. Throws
  /// errors::IOError #2038 naming the file when it cannot be read, errors::ArgumentError #2004
  /// when it holds no certificate or a malformed one.
  std::size_t loadFile(const std::string& path);
  /// loadDirectory adds every certificate file of an OpenSSL-style hashed directory (`*.0`,
  /// `*.1`, ... and `*.pem`, `*.crt`); unreadable files are skipped. Returns how many.
  std::size_t loadDirectory(const std::string& path);

  /// size is the number of anchors.
  std::size_t size() const noexcept;
  /// anchors are the trust anchors in the order they were added, each once.
  const std::vector<X509Certificate>& anchors() const noexcept { return anchors_; }
  /// source says where the anchors came from (paths), for diagnostics.
  const std::string& source() const noexcept { return source_; }

 private:
  std::vector<X509Certificate> anchors_;
  std::string source_;
};

}  // namespace as3::security

#endif  // AS3_SECURITY_TRUSTSTORE_H_
