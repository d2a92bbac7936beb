#include "as3/security/TrustStore.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "errors/detail/Throw.h"

namespace as3::security {

namespace {

using errors::detail::kFileIO;
using errors::detail::kInvalidParameter;
using errors::detail::throwErrorWithDetail;

// The distribution bundles, in the order they are tried when neither SSL_CERT_FILE nor
// SSL_CERT_DIR is set (docs/security.md).
constexpr const char* kBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Arch, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",                   // RHEL, Fedora, CentOS
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL, Fedora (the extracted form)
    "/etc/ssl/ca-bundle.pem",                             // openSUSE
    "/etc/ssl/cert.pem",                                  // Alpine, also macOS and BSDs
};

bool isRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool endsWith(const std::string& s, const char* suffix) {
  std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// isHashedName says whether `name` is an OpenSSL hashed link: 8 hex digits, a dot, a number.
bool isHashedName(const std::string& name) {
  if (name.size() < 10 || name[8] != '.') return false;
  for (std::size_t i = 0; i < 8; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  for (std::size_t i = 9; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

// readFile is the bytes of `path`. Throws errors::IOError #2038 naming it when it cannot be read.
std::string readFile(const std::string& path) {
  std::string data;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    throwErrorWithDetail(kFileIO, {}, "(cannot open " + path + ": " + std::strerror(errno) + ")");
  char buffer[16384];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) data.append(buffer, n);
  bool failed = std::ferror(file) != 0;
  int error = errno;
  std::fclose(file);
  if (failed)
    throwErrorWithDetail(kFileIO, {}, "(cannot read " + path + ": " + std::strerror(error) + ")");
  return data;
}

// bundleCertificates reads a platform bundle block by block, skipping any certificate that does
// not parse: one odd root must not cost every other anchor. Throws IOError as readFile does.
std::vector<X509Certificate> bundleCertificates(const std::string& path) {
  const std::string data = readFile(path);
  std::vector<X509Certificate> out;
  constexpr std::string_view kBegin = "-----BEGIN ", kEnd = "-----END ";
  std::size_t at = 0;
  while ((at = data.find(kBegin, at)) != std::string::npos) {
    std::size_t end = data.find(kEnd, at + kBegin.size());
    if (end == std::string::npos) break;
    std::size_t close = data.find("-----", end + kEnd.size());
    if (close == std::string::npos) break;
    close += 5;
    try {
      for (X509Certificate& c :
           X509Certificate::fromPEM(std::string_view(data).substr(at, close - at)))
        out.push_back(std::move(c));
    } catch (const errors::Error&) {
      // Not a certificate, or one BoringSSL cannot parse: left out.
    }
    at = close;
  }
  if (out.empty() && data.find(kBegin) == std::string::npos) {
    try {
      out.push_back(X509Certificate::fromDER(reinterpret_cast<const std::uint8_t*>(data.data()),
                                             data.size()));
    } catch (const errors::Error&) {
    }
  }
  return out;
}

void appendSource(std::string& source, const std::string& path) {
  if (!source.empty()) source += ':';
  source += path;
}

}  // namespace

TrustStore::TrustStore() = default;
TrustStore::~TrustStore() = default;

std::shared_ptr<const TrustStore> TrustStore::system() {
  static const std::shared_ptr<const TrustStore> instance = [] {
    auto store = std::make_shared<TrustStore>();
    const char* file = std::getenv("SSL_CERT_FILE");
    const char* dir = std::getenv("SSL_CERT_DIR");
    bool fromEnvironment = (file && *file) || (dir && *dir);
    // load adds a bundle's anchors; false when it cannot be read or holds none.
    auto load = [&store](const std::string& path) {
      std::vector<X509Certificate> certificates;
      try {
        certificates = bundleCertificates(path);
      } catch (const errors::Error&) {
        return false;
      }
      for (const X509Certificate& c : certificates) store->add(c);
      if (!certificates.empty()) appendSource(store->source_, path);
      return !certificates.empty();
    };
    if (file && *file && !load(file))
      appendSource(store->source_, std::string(file) + " (unusable)");
    if (dir && *dir) {
      // Several directories may be given, separated by colons, as OpenSSL reads the variable.
      std::string list(dir);
      std::size_t start = 0;
      while (start <= list.size()) {
        std::size_t end = list.find(':', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) store->loadDirectory(list.substr(start, end - start));
        start = end + 1;
      }
    }
    if (!fromEnvironment) {
      // The first that exists and holds anchors: an unreadable or empty one is passed over.
      for (const char* bundle : kBundles)
        if (isRegularFile(bundle) && load(bundle)) break;
    }
    return std::shared_ptr<const TrustStore>(std::move(store));
  }();
  return instance;
}

void TrustStore::add(const X509Certificate& anchor) {
  for (const X509Certificate& existing : anchors_)
    if (existing == anchor) return;
  anchors_.push_back(anchor);
}

std::size_t TrustStore::loadFile(const std::string& path) {
  const std::string data = readFile(path);
  std::vector<X509Certificate> certificates;
  try {
    if (data.find("-----BEGIN ") != std::string::npos)
      certificates = X509Certificate::fromPEM(data);
    else
      certificates.push_back(X509Certificate::fromDER(
          reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  } catch (const errors::ArgumentError&) {
    throwErrorWithDetail(kInvalidParameter, {},
                         "(" + path + " holds no certificate, or a malformed one)");
  }
  for (const X509Certificate& c : certificates) add(c);
  appendSource(source_, path);
  return certificates.size();
}

std::size_t TrustStore::loadDirectory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return 0;
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (isHashedName(name) || endsWith(name, ".pem") || endsWith(name, ".crt"))
      names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());  // a stable order, whatever readdir gives
  std::size_t before = anchors_.size();
  std::string source = source_;
  for (const std::string& name : names) {
    std::string file = path + "/" + name;
    if (!isRegularFile(file)) continue;
    try {
      loadFile(file);
    } catch (const errors::Error&) {
      // Unreadable or not a certificate: skipped, as documented.
    }
  }
  // One entry for the directory rather than one per file. The count is of anchors new to this
  // store: a hashed link and the file it names hold the same certificate.
  source_ = std::move(source);
  appendSource(source_, path);
  return anchors_.size() - before;
}

std::size_t TrustStore::size() const noexcept {
  return anchors_.size();
}

}  // namespace as3::security
