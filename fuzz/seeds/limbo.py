#!/usr/bin/env python3
"""Writes fuzz seeds taken from x509-limbo (C2SP, Apache-2.0) into fuzz/corpus/.

    python3 fuzz/seeds/limbo.py [path/to/limbo.json]

The default path is ../shared/testdata/x509-limbo/limbo.json beside the repository. The seeds
are limbo's certificates, CRLs and keys re-framed as the targets read them (fuzz/README.md);
their bytes are upstream's, re-encoded (PEM to DER for some), which Apache-2.0 section 4 allows
with this notice: the files named limbo-* under fuzz/corpus/ were derived from limbo.json of
x509-limbo; fuzz/corpus/LICENSE.x509-limbo is its licence.
"""
import base64
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")
DEFAULT = os.path.join(HERE, "..", "..", "..", "shared", "testdata", "x509-limbo", "limbo.json")

# Cases chosen to cover what the validator judges: CRLs, name constraints, path lengths, SANs,
# wildcards, keys, validity edges, profile defects; each seed stays small.
CASES = [
    "crl::revoked-certificate-with-crl",
    "crl::crlnumber-missing",
    "crl::crlnumber-critical",
    "crl::issuer-missing-crlsign",
    "crl::certificate-serial-on-crl-different-issuer",
    "cve::cve-2025-61727",
    "invalid::invalid-issuer-key",
    "pathlen::intermediate-violates-pathlen-0",
    "pathlen::self-issued-certs-pathlen",
    "pathological::intermediate-cycle-distinct-cas",
    "rfc5280::aki::critical-aki",
    "rfc5280::eku::ee-eku-empty",
    "rfc5280::nc::excluded-dns-match",
    "rfc5280::nc::permitted-ipv6-match",
    "rfc5280::nc::excluded-dn-match",
    "rfc5280::nc::invalid-ipv4-address",
    "rfc5280::nc::nc-permits-email-domain",
    "rfc5280::nc::nc-forbids-othername",
    "rfc5280::nc::intermediate-with-san-rejected-by-root-nc",
    "rfc5280::pc::ica-noncritical-pc",
    "rfc5280::san::malformed",
    "rfc5280::san::noncritical-with-empty-subject",
    "rfc5280::serial::negative",
    "rfc5280::serial::too-long",
    "rfc5280::validity::notbefore-exact",
    "rfc5280::validity::notafter-fractional",
    "rfc5280::ee-empty-issuer",
    "rfc5280::unknown-critical-extension-intermediate",
    "rfc5280::duplicate-extensions",
    "rfc5280::mismatching-signature-algorithm",
    "rfc5280::ca-as-leaf",
    "rfc5280::ee-critical-aia-invalid",
    "webpki::aki::root-with-aki-all-fields",
    "webpki::cn::utf8-vs-punycode-mismatch",
    "webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences",
    "webpki::san::wildcard-embedded-ulabel-san",
    "webpki::san::unicode-emoji-san",
    "webpki::san::public-suffix-wildcard-san",
    "webpki::explicit-curve",
    "webpki::forbidden-dsa-leaf",
    "webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf",
    "webpki::v1-cert",
]
# Re-framed as DER elements back to back (flags 0x01), and re-signed by the target's CA (0x02).
DER_CASES = {"rfc5280::serial::negative", "webpki::explicit-curve", "crl::crlnumber-critical",
             "rfc5280::nc::permitted-ipv6-match"}
RESIGN_CASES = {"crl::revoked-certificate-with-crl", "rfc5280::san::malformed",
                "webpki::san::wildcard-embedded-ulabel-san", "rfc5280::serial::too-long"}
IDENTITY_CASES = ["webpki::explicit-curve", "rfc5280::serial::negative",
                  "webpki::forbidden-weak-rsa-in-leaf", "webpki::san::exact-dns-san"]
MAX_SEED = 16 * 1024


def der_of(pem):
    body = re.sub(r"-----[^-]+-----", "", pem)
    return base64.b64decode("".join(body.split()))


def slug(case_id):
    return re.sub(r"[^a-z0-9]+", "-", case_id.lower()).strip("-")


def host_of(case):
    peer = case.get("expected_peer_name") or {}
    return (peer.get("value") or "").encode()


def write(target, name, data):
    if len(data) > MAX_SEED:
        print(f"skipped {target}/{name}: {len(data)} bytes")
        return
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def certificate_seed(case, flags, der):
    host = host_of(case)[:255]
    pems = [case["peer_certificate"], *case["untrusted_intermediates"], *case["trusted_certs"][:1]]
    crls = case.get("crls") or []
    if der:
        payload = b"".join(der_of(p) for p in pems + crls)
    else:
        payload = "".join(pems + crls).encode()
    return bytes([flags, len(host)]) + host + payload


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    with open(path, encoding="utf-8") as f:
        cases = {c["id"]: c for c in json.load(f)["testcases"]}
    for case_id in CASES:
        case = cases[case_id]
        write("certificate", f"limbo-{slug(case_id)}.pem", certificate_seed(case, 0x01, False))
        if case_id in DER_CASES:
            write("certificate", f"limbo-{slug(case_id)}.der", certificate_seed(case, 0x01, True))
        if case_id in RESIGN_CASES:
            write("certificate", f"limbo-{slug(case_id)}-resigned.pem",
                  certificate_seed(case, 0x02, False))
    for case_id in IDENTITY_CASES:
        case = cases[case_id]
        key = case.get("peer_certificate_key")
        if not key:
            continue
        chain = "".join([case["peer_certificate"], *case["untrusted_intermediates"]])
        write("identity", f"limbo-{slug(case_id)}.pem",
              b"\x00" + chain.encode() + b"\x00" + key.encode())


if __name__ == "__main__":
    main()
