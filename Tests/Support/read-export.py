#!/usr/bin/env python3
"""Reads a CreditPress export back with Python's own parsers and prints it as JSON, so that
the tests compare what an independent reader sees with what went in.

    read-export.py pars-xml FILE        the PARS learner-report document
    read-export.py csv FILE             a CSV file (CE Broker roster, CPE Monitor file)
    read-export.py jwt FILE CERT.pem    a VC-JWT: header, payload and whether its signature
                                        checks with the certificate's public key (PyJWT);
                                        jwt-any-time: the same without nbf/exp
    read-export.py status-list FILE CERT.pem INDEX...
                                        a BitstringStatusListCredential (VC-JWT): the bits
"""
import base64
import csv
import gzip
import json
import sys
import xml.etree.ElementTree as ElementTree


def pars_xml(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag == "ACCMELearnerReports", root.tag
    reports = root.find("ActivityReports")
    out = {"created": reports.findtext("DateTimeCreated"), "reports": []}
    for report in reports.findall("ActivityReport"):
        module = report.find("Activity/Module/ModuleName")
        credits = []
        for credit in report.findall("CreditCertificate"):
            unique, received = credit.find("UniqueID"), credit.find("CreditReceived")
            credits.append({"boardID": unique.get("value"), "domain": unique.get("domain"),
                            "certification": received.get("activityCertification"),
                            "unit": received.get("creditUnit"), "credits": received.get("numberOfCredits"),
                            "creditID": credit.findtext("CreditID")})
        out["reports"].append({
            "action": report.findtext("LearnerRecordAction"),
            "given": report.findtext("Member/Name/GivenName"),
            "family": report.findtext("Member/Name/FamilyName"),
            "birth": report.findtext("Member/PersonalInfo/BirthDate"),
            "provider": report.findtext("Activity/ProviderOrganization"),
            "moduleID": module.get("moduleID"), "title": module.text,
            "status": report.findtext("Status"), "completed": report.findtext("CompletedDateTime"),
            "credits": credits})
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def decoded_jwt(path, certificate, time_checks=True):
    import jwt
    from cryptography import x509
    token = open(path, encoding="ascii").read().strip()
    header = jwt.get_unverified_header(token)
    key = x509.load_pem_x509_certificate(open(certificate, "rb").read()).public_key()
    try:
        payload = jwt.decode(token, key=key, algorithms=["RS256", "ES256"],
                             options={"verify_aud": False, "verify_exp": time_checks, "verify_nbf": time_checks})
        verified = True
    except jwt.PyJWTError as error:
        payload, verified = jwt.decode(token, options={"verify_signature": False}), "%s: %s" % (type(error).__name__, error)
    return {"header": header, "payload": payload, "verified": verified}


def status_list(path, certificate, indexes):
    read = decoded_jwt(path, certificate)
    encoded = read["payload"]["credentialSubject"]["encodedList"]
    assert encoded.startswith("u"), "multibase base64url starts with u"
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    read["length"] = len(bits) * 8
    read["bits"] = {index: (bits[int(index) // 8] >> (7 - int(index) % 8)) & 1 for index in indexes}
    return read


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "pars-xml":
        result = pars_xml(path)
    elif kind == "csv":
        result = read_csv(path)
    elif kind == "jwt":
        result = decoded_jwt(path, sys.argv[3])
    elif kind == "jwt-any-time":
        # A token made on a test clock set in the future: nbf is not checked.
        result = decoded_jwt(path, sys.argv[3], time_checks=False)
    elif kind == "status-list":
        result = status_list(path, sys.argv[3], sys.argv[4:])
    else:
        sys.exit("unknown kind " + kind)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
