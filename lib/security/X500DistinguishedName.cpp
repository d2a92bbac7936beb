#include "as3/security/X500DistinguishedName.h"

#include <cstring>

namespace as3::security {
namespace {

// The attribute types RFC 4514 gives short names, with their OIDs.
struct Known {
  const char* shortName;
  const char* oid;
};
constexpr Known kKnown[] = {
    {"CN", "2.5.4.3"},
    {"L", "2.5.4.7"},
    {"ST", "2.5.4.8"},
    {"O", "2.5.4.10"},
    {"OU", "2.5.4.11"},
    {"C", "2.5.4.6"},
    {"STREET", "2.5.4.9"},
    {"DC", "0.9.2342.19200300.100.1.25"},
    {"UID", "0.9.2342.19200300.100.1.1"},
};

bool equalsIgnoringCase(const std::string& a, const char* b) {
  std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

// canonicalType writes a known type by its short name in upper case, whichever way it came.
std::string canonicalType(std::string type) {
  for (const Known& k : kKnown)
    if (equalsIgnoringCase(type, k.shortName) || type == k.oid) return k.shortName;
  return type;
}

// appendEscaped appends `value` escaped as RFC 4514 section 2.4 requires.
void appendEscaped(std::string& out, const std::string& value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    switch (c) {
      case '"':
      case '+':
      case ',':
      case ';':
      case '<':
      case '>':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '\0':
        out += "\\00";
        break;
      case ' ':
        if (i == 0 || i + 1 == value.size()) out += '\\';
        out += c;
        break;
      case '#':
        if (i == 0) out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

X500DistinguishedName::X500DistinguishedName(
    std::vector<std::pair<std::string, std::string>> attributes)
    : attributes_(std::move(attributes)) {
  for (auto& attribute : attributes_) attribute.first = canonicalType(std::move(attribute.first));
}

std::string X500DistinguishedName::first(const char* shortName) const {
  for (const auto& attribute : attributes_)
    if (attribute.first == shortName) return attribute.second;
  return {};
}

std::string X500DistinguishedName::commonName() const {
  return first("CN");
}
std::string X500DistinguishedName::countryName() const {
  return first("C");
}
std::string X500DistinguishedName::localityName() const {
  return first("L");
}
std::string X500DistinguishedName::organizationName() const {
  return first("O");
}
std::string X500DistinguishedName::organizationalUnitName() const {
  return first("OU");
}
std::string X500DistinguishedName::stateOrProvinceName() const {
  return first("ST");
}

std::string X500DistinguishedName::toString() const {
  std::string out;
  for (const auto& attribute : attributes_) {
    if (!out.empty()) out += ", ";
    out += attribute.first;
    out += '=';
    appendEscaped(out, attribute.second);
  }
  return out;
}

}  // namespace as3::security
