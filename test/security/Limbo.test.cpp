// x509-limbo (C2SP, ../shared/testdata/x509-limbo): every SERVER testcase through
// CertificateValidator, compared with the expected result. The cases still judged wrongly are
// listed, each with its reason, in limbo-expectations.txt beside this file; the test fails when
// any case changes in either direction, so progress gets recorded and regressions get caught.
#include <catch2/catch.hpp>
#include "support/Files.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "Json.h"
#include "as3/errors/Error.h"
#include "as3/security/CertificateStatus.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/TrustStore.h"
#include "as3/security/X509Certificate.h"

namespace fs = std::filesystem;
using as3::security::CertificateValidator;
using as3::security::TrustStore;
using as3::security::ValidationResult;
using as3::security::X509Certificate;

namespace {

using Json = as3net_tool::json::Value;

// text is the member `key` when it is a string, else "".
std::string text(const Json& object, std::string_view key) {
  const Json* member = object.find(key);
  return member && member->isString() ? member->asString() : std::string();
}

// limboTime reads limbo's RFC 3339 validation_time ("2024-03-01T00:00:00.999+00:00") as whole
// seconds since 1970, rounding down: fractions are below X.509's granularity.
std::int64_t limboTime(const std::string& text) {
  std::tm tm{};
  int offsetSign = 0, offsetHours = 0, offsetMinutes = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    throw std::runtime_error("bad validation_time " + text);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::size_t zone = text.find_first_of("Z+-", 19);
  if (zone != std::string::npos && text[zone] != 'Z') {
    offsetSign = text[zone] == '+' ? 1 : -1;
    std::sscanf(text.c_str() + zone + 1, "%d:%d", &offsetHours, &offsetMinutes);
  }
  return static_cast<std::int64_t>(timegm(&tm)) -
         offsetSign * (offsetHours * 3600 + offsetMinutes * 60);
}

struct Outcome {
  bool accepted = false;
  std::string status;
  std::string reason;
};

// run puts one testcase through the validator the way an application would: the trusted
// certificates as the only anchors, the untrusted intermediates as the server would send them
// after its leaf, the CRLs, the time and the peer's name. Features the validator cannot express
// (max_chain_depth, key_usage and extended_key_usage beyond serverAuth, signature_algorithms)
// are not expressed: the case still runs and counts as right or wrong.
Outcome run(const Json& testcase) {
  Outcome outcome;
  auto store = std::make_shared<TrustStore>();
  for (const std::string& pem : test::jsonStrings(testcase, "trusted_certs")) {
    try {
      for (const X509Certificate& c : X509Certificate::fromPEM(pem)) store->add(c);
    } catch (const as3::errors::Error&) {
      // An anchor that does not parse cannot be trusted; the chain may still reach another.
    }
  }
  CertificateValidator validator(store);
  std::vector<X509Certificate> presented;
  try {
    presented = X509Certificate::fromPEM(text(testcase, "peer_certificate"));
  } catch (const as3::errors::Error& e) {
    outcome.status = "(refused)";
    outcome.reason = std::string("the peer certificate does not parse: ") + e.what();
    return outcome;
  }
  for (const std::string& pem : test::jsonStrings(testcase, "untrusted_intermediates")) {
    try {
      for (const X509Certificate& c : X509Certificate::fromPEM(pem)) presented.push_back(c);
    } catch (const as3::errors::Error&) {
      // A server's certificate that does not parse cannot help build the chain.
    }
  }
  for (const std::string& pem : test::jsonStrings(testcase, "crls")) {
    try {
      validator.addCRLs(pem);
    } catch (const as3::errors::Error& e) {
      outcome.status = "(refused)";
      outcome.reason = std::string("a CRL does not parse: ") + e.what();
      return outcome;
    }
  }
  if (const Json* time = testcase.find("validation_time"); time && time->isString())
    validator.time(limboTime(time->asString()));
  std::string host;
  if (const Json* peer = testcase.find("expected_peer_name"); peer && peer->isObject())
    host = text(*peer, "value");
  ValidationResult result = validator.validate(presented, host);
  outcome.accepted = result.trusted();
  outcome.status = result.status;
  outcome.reason = result.reason;
  return outcome;
}

struct Expectation {
  std::string kind;  // "wrongly-accepted" or "wrongly-rejected"
  std::string reason;
};

// readExpectations reads `<id> <kind> <reason in words>` lines; '#' starts a comment line.
std::map<std::string, Expectation> readExpectations(const fs::path& path) {
  std::map<std::string, Expectation> out;
  std::istringstream in(test::readFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string id, kind;
    fields >> id >> kind;
    std::string reason;
    std::getline(fields, reason);
    if (!id.empty()) out[id] = {kind, reason};
  }
  return out;
}

}  // namespace

TEST_CASE("x509-limbo: every SERVER testcase is judged as recorded", "[security][limbo]") {
  const fs::path here = fs::path(__FILE__).parent_path();  // <repo>/test/security
  const fs::path repo = here.parent_path().parent_path();
  const fs::path limbo = repo.parent_path() / "shared" / "testdata" / "x509-limbo" / "limbo.json";
  if (!fs::exists(limbo)) {
    WARN("x509-limbo is not at " << limbo.string() << " (../shared beside the checkout): skipped");
    return;
  }
  const Json document = as3net_tool::json::parse(test::readFile(limbo));
  const std::map<std::string, Expectation> expected =
      readExpectations(here / "limbo-expectations.txt");

  int total = 0, passed = 0, wronglyAccepted = 0, wronglyRejected = 0;
  std::vector<std::string> changes, importantWrong, suggestions;
  std::set<std::string> seen;
  for (const Json& testcase : document.find("testcases")->asArray()) {
    if (text(testcase, "validation_kind") != "SERVER") continue;
    ++total;
    const std::string id = text(testcase, "id");
    seen.insert(id);
    const bool shouldAccept = text(testcase, "expected_result") == "SUCCESS";
    Outcome outcome = run(testcase);
    // AS3NET_LIMBO_VERBOSE=1 prints every verdict, right or wrong.
    if (std::getenv("AS3NET_LIMBO_VERBOSE"))
      std::printf("%s %s %s: %s\n", id.c_str(), shouldAccept ? "SUCCESS" : "FAILURE",
                  outcome.status.c_str(), outcome.reason.c_str());
    std::string wrong;
    if (outcome.accepted == shouldAccept) {
      ++passed;
    } else if (outcome.accepted) {
      ++wronglyAccepted;
      wrong = "wrongly-accepted";
    } else {
      ++wronglyRejected;
      wrong = "wrongly-rejected";
    }
    const std::string importance = text(testcase, "importance");
    if (!wrong.empty() && (importance == "critical" || importance == "high"))
      importantWrong.push_back(id + " (" + importance + ", " + wrong + ")");
    auto it = expected.find(id);
    if (!wrong.empty()) {
      std::string line = id + " " + wrong + " " + outcome.status + ": " + outcome.reason;
      suggestions.push_back(line);
      if (it == expected.end())
        changes.push_back("newly wrong: " + line);
      else if (it->second.kind != wrong)
        changes.push_back("changed: " + id + " was " + it->second.kind + ", now " + wrong);
    } else if (it != expected.end()) {
      changes.push_back("newly right: " + id + " (listed as " + it->second.kind + "; verdict now " +
                        outcome.status + ")");
    }
  }
  for (const auto& [id, expectation] : expected)
    if (!seen.count(id)) changes.push_back("listed but not in limbo.json: " + id);

  WARN("x509-limbo SERVER cases: " << total << " run, " << passed << " passed, " << wronglyAccepted
                                   << " wrongly accepted, " << wronglyRejected
                                   << " wrongly rejected");
  if (!changes.empty()) {
    std::ostringstream report;
    report << changes.size() << " change(s) against test/security/limbo-expectations.txt:\n";
    for (const std::string& c : changes) report << "  " << c << "\n";
    report << "every case judged wrongly now (for the expectations file):\n";
    for (const std::string& s : suggestions) report << "  " << s << "\n";
    FAIL(report.str());
  }
  INFO("critical or high-importance cases judged wrongly: " << importantWrong.size());
  for (const std::string& s : importantWrong) UNSCOPED_INFO(s);
  CHECK(importantWrong.empty());
  CHECK(total == 198);
  CHECK(passed >= 152);
  CHECK(wronglyAccepted <= 37);
}
