"""Generates SigV4 test vectors with botocore (pinned in requirements.txt).

Every case is signed by botocore at a fixed time: SigV4Auth (non-S3 services), S3SigV4Auth
(service "s3": no path normalisation, no double encoding, X-Amz-Content-SHA256) and
S3SigV4QueryAuth (presigned S3 GET URLs with X-Amz-Expires). The output lists, per case,
the input (method, url, headers, body, credentials, service, region, time) and botocore's
result (the headers it added, or the presigned URL), plus the canonical request and string
to sign for debugging. Writes JSON to stdout.
"""
import datetime
import hashlib
import json
import sys
from unittest import mock

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token/with+slash=="
TIMES = ["2026-01-02T03:04:05Z", "2015-08-30T12:36:00Z", "2024-02-29T23:59:59Z"]

# Paths as a browser's URL parser leaves them (percent-encoded where it must, reserved
# characters as typed).
NON_S3_PATHS = [
    "/", "/prod/items", "/prod/items/", "/a%20b/c", "/%E2%82%AC/caf%C3%A9",
    "/reserved/!$&'()*+,;=:@", "/dots/./x/../y", "//double//slash//", "/tilde~/under_score-dash.dot",
    "/pct%2Fslash", "/%7Euser/%7e", "/2015-03-31/functions/my-fn/invocations",
]
# S3 keys as botocore's serializer puts them in the URL: quote(key, safe='/~').
S3_PATHS = [
    "/", "/bucket/key", "/bucket/a%20b.txt", "/bucket/%E2%82%AC/caf%C3%A9.jpg",
    "/bucket/reserved%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40", "/bucket/dir/./x/../y",
    "/bucket//double//slash", "/bucket/tilde~/under_score-dash.dot", "/bucket/a%2Fb",
    "/photos/2024/IMG%201.jpg",
]
# Queries already in AWS's canonical encoding (quote(s, safe='-_.~')).
QUERIES = [
    "", "a=1", "b=2&a=1", "a=2&a=1&a=10", "empty=&flag", "a-b=1&a=2&a_b=3&A=4&a.b=5",
    "q=hello%20world&path=%2Fx%2Fy", "euro=%E2%82%AC&tilde=~&star=%2A&plus=%2B", "x=&x=b&x=a",
    "list-type=2&prefix=photos%2F2024&max-keys=10", "Action=ListUsers&Version=2010-05-08",
]
PRESIGN_QUERIES = ["", "versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY", "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&x-id=GetObject", "empty="]

SERVICES = [("execute-api", "us-east-1"), ("lambda", "eu-west-1"), ("appsync", "us-west-2"), ("sts", "us-east-1")]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
BODIES = [b"", b'{"hello":"world"}', "caf\u00e9 \u20ac\n".encode(), b"Action=ListUsers&Version=2010-05-08"]


def at(ts):
    return mock.patch.object(
        botocore.auth, "get_current_datetime",
        return_value=datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def sign(case):
    creds = Credentials(KEY_ID, SECRET, case["sessionToken"])
    req = AWSRequest(method=case["method"], url=case["url"], headers=dict(case["headers"]),
                     data=case["body"].encode())
    if case.get("unsignedPayload"):
        if case["service"] == "s3":
            req.context["client_config"] = botocore.config.Config(s3={"payload_signing_enabled": False})
        else:
            req.context["payload_signing_enabled"] = False
    cls = botocore.auth.S3SigV4Auth if case["service"] == "s3" else botocore.auth.SigV4Auth
    signer = cls(creds, case["service"], case["region"])
    seen = {}
    orig_cr, orig_sts = signer.canonical_request, signer.string_to_sign
    signer.canonical_request = lambda r: seen.setdefault("cr", orig_cr(r))
    signer.string_to_sign = lambda r, cr: seen.setdefault("sts", orig_sts(r, cr))
    with at(case["time"]):
        signer.add_auth(req)
    canonical, sts = seen["cr"], seen["sts"]
    given = {k.lower(): v for k, v in case["headers"]}
    added = [[k, v] for k, v in req.headers.items() if given.get(k.lower()) != v]
    added.sort(key=lambda kv: kv[0].lower())
    return {"headers": added, "canonicalRequest": canonical, "stringToSign": sts}


def presign(case):
    creds = Credentials(KEY_ID, SECRET, case["sessionToken"])
    req = AWSRequest(method="GET", url=case["url"])
    signer = botocore.auth.S3SigV4QueryAuth(creds, "s3", case["region"], expires=case["expiresIn"])
    with at(case["time"]):
        signer.add_auth(req)
    return {"url": req.url}


def cases():
    out = []
    n = 0

    def add(c):
        nonlocal n
        n += 1
        c["id"] = "%03d-%s" % (n, c.pop("name"))
        out.append(c)

    # Non-S3: every path, rotating services, methods, queries, bodies, tokens and times.
    for i, path in enumerate(NON_S3_PATHS):
        svc, region = SERVICES[i % len(SERVICES)]
        method = METHODS[i % len(METHODS)]
        q = QUERIES[i % len(QUERIES)]
        body = BODIES[i % len(BODIES)] if method not in ("GET", "HEAD") else b""
        headers = [["Content-Type", "application/json"]] if body else []
        add({"name": "path", "kind": "headers", "service": svc, "region": region, "method": method,
             "url": "https://abc123.%s.%s.amazonaws.com%s%s" % (svc, region, path, "?" + q if q else ""),
             "headers": headers, "body": body.decode(), "sessionToken": TOKEN if i % 3 else None,
             "time": TIMES[i % len(TIMES)]})
    # Non-S3: every query shape.
    for i, q in enumerate(QUERIES):
        svc, region = SERVICES[(i + 1) % len(SERVICES)]
        add({"name": "query", "kind": "headers", "service": svc, "region": region, "method": "GET",
             "url": "https://api.example.com/v1/search" + ("?" + q if q else ""), "headers": [],
             "body": "", "sessionToken": TOKEN, "time": TIMES[0]})
    # Headers: whitespace trimming, case, ports, extra x-amz headers, ignored headers.
    header_sets = [
        [["X-Custom", "  a   b  c "], ["Content-Type", "text/plain"]],
        [["x-amz-meta-Thing", "Value"], ["Accept", "application/json"], ["User-Agent", "ignored/1.0"]],
        [["My-Header1", "value1"], ["My-Header2", "\"a   b   c\""]],
        [["Content-Type", "application/x-amz-json-1.1"], ["X-Amz-Target", "DynamoDB_20120810.ListTables"]],
    ]
    hosts = ["https://api.example.com", "https://api.example.com:443", "https://api.example.com:8443",
             "http://127.0.0.1:9229", "http://localhost:80"]
    for i, hs in enumerate(header_sets + header_sets[:1]):
        body = BODIES[(i + 1) % len(BODIES)]
        add({"name": "headers", "kind": "headers", "service": "execute-api", "region": "ap-southeast-2",
             "method": "POST", "url": hosts[i % len(hosts)] + "/prod/echo?x=1", "headers": hs,
             "body": body.decode(), "sessionToken": TOKEN if i % 2 else None, "time": TIMES[(i + 1) % 3]})
    # Unsigned payloads over https (X-Amz-Content-SHA256: UNSIGNED-PAYLOAD).
    for i, svc in enumerate(["execute-api", "s3"]):
        add({"name": "unsigned", "kind": "headers", "service": svc, "region": "us-east-1", "method": "PUT",
             "url": "https://bucket.s3.us-east-1.amazonaws.com/big%20file.bin" if svc == "s3" else "https://api.example.com/upload",
             "headers": [["Content-Type", "application/octet-stream"]], "body": "0123456789",
             "sessionToken": TOKEN, "time": TIMES[0], "unsignedPayload": True})
    # S3 requests: every path, with and without bodies and queries.
    for i, path in enumerate(S3_PATHS):
        method = ["GET", "PUT", "DELETE", "HEAD", "POST"][i % 5]
        body = BODIES[i % len(BODIES)] if method in ("PUT", "POST") else b""
        q = ["", "list-type=2&prefix=photos%2F2024&max-keys=10", "uploads", "x=&x=b&x=a"][i % 4]
        add({"name": "s3", "kind": "headers", "service": "s3", "region": "us-east-1", "method": method,
             "url": "https://s3.us-east-1.amazonaws.com%s%s" % (path, "?" + q if q else ""),
             "headers": [["Content-Type", "text/plain"]] if body else [], "body": body.decode(),
             "sessionToken": TOKEN if i % 2 == 0 else None, "time": TIMES[i % 3]})
    # Presigned S3 GETs.
    for i, path in enumerate(S3_PATHS):
        q = PRESIGN_QUERIES[i % len(PRESIGN_QUERIES)]
        add({"name": "presign", "kind": "presign", "service": "s3", "region": ["us-east-1", "eu-central-1"][i % 2],
             "method": "GET", "url": "https://examplebucket.s3.amazonaws.com%s%s" % (path, "?" + q if q else ""),
             "headers": [], "body": "", "sessionToken": TOKEN if i % 2 else None, "time": TIMES[i % 3],
             "expiresIn": [3600, 86400, 60, 604800][i % 4]})
    return out


def main():
    result = []
    for c in cases():
        c["expected"] = presign(c) if c["kind"] == "presign" else sign(c)
        result.append(c)
    doc = {
        "provenance": {
            "generator": "tests/vectors/sigv4/gen_sigv4.py (run by generate.sh)",
            "botocore": botocore.__version__,
            "python": sys.version.split()[0],
            "signers": "botocore.auth.SigV4Auth, S3SigV4Auth, S3SigV4QueryAuth; clock patched via botocore.auth.get_current_datetime",
            "credentials": {"accessKeyId": KEY_ID, "secretAccessKey": SECRET},
            "sha256OfEmptyBody": hashlib.sha256(b"").hexdigest(),
        },
        "cases": result,
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
