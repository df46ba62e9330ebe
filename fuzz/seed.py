#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/corpus/<target>/) from the committed vectors and
fixtures: JSON documents, SigV4 URLs, WebAuthn CBOR, and the reply/storage shapes the
targets read, with tokens built like the targets build theirs. Deterministic; rerun after
changing a vector. Small on purpose: the fuzzer grows its own corpus outside git."""
import base64, hashlib, json, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
POOL, CLIENT = "us-east-1_EmuPool01", "7f3kq2m9emulatorclient0001"
ISS = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
IAT = 1_700_000_100

def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def token(claims): return ".".join([b64u(b'{"alg":"RS256","kid":"k"}'), b64u(claims.encode()), b64u(b"sig")])
def id_claims(user="dave"): return json.dumps({"sub": "s-1", "iss": ISS, "aud": CLIENT, "token_use": "id", "cognito:username": user, "iat": IAT, "exp": IAT + 3600}, separators=(",", ":"))
def access_claims(user="dave"): return json.dumps({"sub": "s-1", "iss": ISS, "client_id": CLIENT, "token_use": "access", "username": user, "iat": IAT, "exp": IAT + 3600}, separators=(",", ":"))
AUTH = {"AuthenticationResult": {"AccessToken": token(access_claims()), "IdToken": token(id_claims()), "RefreshToken": "r-1", "ExpiresIn": 3600, "TokenType": "Bearer"}}

def write(target, items):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    for data in items:
        data = data.encode() if isinstance(data, str) else data
        (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

def load(p): return json.loads((ROOT / p).read_text())

# json: the fixtures and a few vector files, plus edge cases of the grammar.
docs = [(ROOT / p).read_text() for p in ["tests/fixtures/demo-pool.json", "tests/fixtures/mfa-required-pool.json", "tests/fixtures/rs256-vector.json"]]
docs += [json.dumps(AUTH), '{"a":[1,-0.5e+3,true,false,null,"\\u00e9\\ud83d\\ude00\\n"]}', '[[[[]]]]', '{"k":1,"k":2}', ' "x" ', "0", "-1.0E-2"]
write("json", docs)

# jwt: mode 0 whole tokens, mode 1 header\nclaims, mode 2 JWKS.
rs = load("tests/fixtures/rs256-vector.json")
jwt_seeds = [b"\x00" + token(id_claims()).encode(), b"\x01" + b'{"alg":"RS256","kid":"k"}\n' + id_claims().encode()]
for v in rs.values() if isinstance(rs, dict) else []:
    if isinstance(v, str) and v.count(".") == 2:
        jwt_seeds.append(b"\x00" + v.encode())
jwt_seeds.append(b"\x02" + json.dumps({"keys": [{"kty": "RSA", "kid": "k", "n": "sXch", "e": "AQAB", "alg": "RS256", "use": "sig"}]}).encode())
write("jwt", jwt_seeds)

# replies: parser byte, status byte, bodies separated by 0x1e.
def rep(which, st, *bodies): return bytes([which, st]) + "\x1e".join(b if isinstance(b, str) else json.dumps(b) for b in bodies).encode()
challenge = lambda name, params: {"ChallengeName": name, "ChallengeParameters": params, "Session": "sess"}
replies = [
    rep(0, 0, AUTH),
    rep(0, 0, challenge("SOFTWARE_TOKEN_MFA", {"USER_ID_FOR_SRP": "dave"}), AUTH),
    rep(0, 0, challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'}), challenge("SOFTWARE_TOKEN_MFA", {}), AUTH),
    rep(0, 0, challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}), {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s2"}, {"Status": "SUCCESS", "Session": "s3"}, AUTH),
    rep(0, 0, challenge("NEW_PASSWORD_REQUIRED", {"requiredAttributes": '["userAttributes.name"]', "userAttributes": "{}"}), AUTH),
    rep(10, 0, challenge("CUSTOM_CHALLENGE", {"q": "?"}), AUTH),
    rep(20, 0, {"ChallengeName": "SELECT_CHALLENGE", "AvailableChallenges": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"], "Session": "s"}, AUTH),
    rep(0, 4, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}),
    rep(0, 5, "<html>502</html>"),
    rep(2, 0, AUTH), rep(2, 0, {"access_token": token(access_claims()), "id_token": token(id_claims()), "token_type": "Bearer", "expires_in": 3600}),
    rep(3, 0, {"UserConfirmed": False, "UserSub": "s-1", "CodeDeliveryDetails": {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "d***@e.com"}}),
    rep(3, 0, {"Username": "dave", "UserAttributes": [{"Name": "email", "Value": "d@e.com"}], "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]}),
    rep(4, 0, {"Devices": [{"DeviceKey": "us-east-1_k", "DeviceAttributes": [{"Name": "device_name", "Value": "x"}], "DeviceCreateDate": 1.7e9, "DeviceLastModifiedDate": 1700000000.5}]}),
    rep(4, 0, {"UserConfirmationNecessary": True}),
    rep(5, 0, {"CredentialCreationOptions": {"challenge": "Y2g", "rp": {"id": "localhost", "name": "x"}, "user": {"id": "dQ", "name": "dave", "displayName": "dave"}, "pubKeyCredParams": [{"type": "public-key", "alg": -7}], "excludeCredentials": [{"type": "public-key", "id": "aWQ"}]}}),
    rep(5, 0, {"challenge": "Y2g", "rpId": "localhost", "allowCredentials": [{"type": "public-key", "id": "aWQ"}], "userVerification": "preferred"}),
    rep(5, 0, {"Credentials": [{"CredentialId": "aWQ", "FriendlyCredentialName": "k", "RelyingPartyId": "localhost", "CreatedAt": 1.7e9}], "NextToken": "n"}),
    rep(6, 0, {"IdentityId": "us-east-1:abc"}, {"IdentityId": "us-east-1:abc", "Credentials": {"AccessKeyId": "AK", "SecretKey": "SK", "SessionToken": "ST", "Expiration": 1.7000036e9}}),
    rep(6, 4, {"__type": "NotAuthorizedException", "message": "Token expired"}),
    rep(7, 0, {"access_token": token(access_claims()), "id_token": token(id_claims()), "refresh_token": "r", "token_type": "Bearer", "expires_in": 3600}),
    rep(7, 4, {"error": "invalid_grant", "error_description": "bad code"}),
    rep(7, 0, {"sub": "s-1", "email": "d@e.com", "username": "dave"}),
    rep(8, 0, {"keys": [{"kty": "RSA", "kid": "k", "n": "sXch", "e": "AQAB", "alg": "RS256", "use": "sig"}]}),
    rep(9, 0x14, {"__type": "com.amazonaws#ThrottlingException", "message": "Rate exceeded"}),
]
write("replies", replies)

# callback: URLs the hosted UI sends back.
write("callback", [
    "http://localhost:5173/callback?code=abc-123&state=S",
    "http://localhost:5173/callback?state=S&error=access_denied&error_description=User+cancelled",
    "https://app.example/cb#code=x&state=S%2BT",
    "https://app.example/cb?keep=1&code=c&state=S&code=d#frag",
    "https://app.example/cb?state=%2",
])

# storage: username \0 id claims \0 access claims \0 refresh \0 drift \0 device key \0 group \0 password \0 source \0 pending.
pending = json.dumps({"state": "S", "nonce": "n", "verifier": "a" * 43, "redirectUri": "http://localhost:5173/cb", "createdAt": 1700000000000, "appState": "x"})
write("storage", [
    "\0".join(["dave", id_claims(), access_claims(), "r-1", "-12", "us-east-1_dk", "-grp", "pw", "hostedUI", pending]),
    "\0".join(["dave", "=" + token(id_claims()), "=not.a.jwt", "", "9223372036854775807"]),
    "\0".join(["", id_claims(), access_claims()]),
])

# sigv4: the botocore vectors' URLs with their headers (name:value lines joined by \r).
sv = load("tests/vectors/sigv4/sigv4-vectors.json")["cases"]
write("sigv4", [c["url"] + "\n" + "\r".join(f"{n}:{v}" for n, v in c.get("headers", [])) for c in sv[:40]])

# cbor: WebAuthn attestation objects and COSE keys from the vectors.
def unb64u(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
cb = []
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if isinstance(v, str) and k in ("coseKey", "attestationObject"):
                cb.append(unb64u(v))
            else:
                walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(load("tests/vectors/webauthn/webauthn-vectors.json"))
write("cbor", cb + [bytes([0xa1, 0x01, 0x02]), bytes([0x9f, 0xff]), bytes([0xfb]) + b"\x7f\xf8" + b"\0" * 6])
