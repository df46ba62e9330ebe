"""botocore (pinned in tests/vectors/sigv4/requirements.txt) against the emulator's basic
(classic) flow: cognito-idp InitiateAuth, cognito-identity GetId + GetOpenIdToken, STS
AssumeRoleWithWebIdentity, each parsed by botocore from its own service model; then a
request signed by botocore's SigV4Auth with the STS credentials to the emulator's
SigV4-verifying /_protected/ API. Input: one JSON object on stdin; output: one on stdout.
Used by tests/e2e/botocore-sts.test.mjs."""
import base64
import datetime
import json
import sys
import urllib.error
import urllib.request

import botocore
import botocore.session
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

a = json.load(sys.stdin)
endpoint, region = a["endpoint"], "us-east-1"
session = botocore.session.get_session()
cfg = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})
client = lambda name: session.create_client(name, region_name=region, endpoint_url=endpoint, config=cfg)
idp, identity, sts = client("cognito-idp"), client("cognito-identity"), client("sts")


def error(call):
    try:
        call()
        return "succeeded"
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}


out = {"botocore": botocore.__version__}
auth = idp.initiate_auth(ClientId=a["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": a["username"], "PASSWORD": a["password"]})
id_token = auth["AuthenticationResult"]["IdToken"]
claims = json.loads(base64.urlsafe_b64decode(id_token.split(".")[1] + "=="))
logins = {claims["iss"].split("://", 1)[1]: id_token}
identity_id = identity.get_id(IdentityPoolId=a["identityPoolId"], Logins=logins)["IdentityId"]
out["identityId"] = identity_id

out["classicOff"] = error(lambda: identity.get_open_id_token(IdentityId=identity_id, Logins=logins))
urllib.request.urlopen(urllib.request.Request(endpoint + "_emulator/identity", method="POST",
                                              data=json.dumps({"allowClassicFlow": True}).encode()))
token = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)
out["openIdIdentityId"] = token["IdentityId"]
claims = json.loads(base64.urlsafe_b64decode(token["Token"].split(".")[1] + "=="))
out["openIdClaims"] = {k: claims[k] for k in ("iss", "aud", "sub", "amr")}
out["openIdLifetime"] = claims["exp"] - claims["iat"]

out["roles"] = []
for role in a["roles"]:
    r = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="botocore-peer", WebIdentityToken=token["Token"])
    c = r["Credentials"]
    exp = c["Expiration"]
    # The /_protected/ API checks the signature and answers with what it verified.
    req = AWSRequest(method="POST", url=endpoint + "_protected/hello", data=b'{"n":1}',
                     headers={"content-type": "application/json"})
    SigV4Auth(Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), "execute-api", region).add_auth(req)
    prepared = req.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                                           headers=dict(prepared.headers.items()))) as resp:
            api = {"status": resp.status, "body": json.loads(resp.read())}
    except urllib.error.HTTPError as e:
        api = {"status": e.code, "body": json.loads(e.read() or b"null")}
    out["roles"].append({
        "accessKeyId": c["AccessKeyId"],
        "expirationIsAware": exp.tzinfo is not None,
        "expiresInSeconds": round((exp - datetime.datetime.now(datetime.timezone.utc)).total_seconds()),
        "subject": r["SubjectFromWebIdentityToken"],
        "audience": r["Audience"],
        "provider": r["Provider"],
        "assumedRoleArn": r["AssumedRoleUser"]["Arn"],
        "api": api,
    })

out["untrusted"] = error(lambda: sts.assume_role_with_web_identity(
    RoleArn=a["untrustedRole"], RoleSessionName="botocore-peer", WebIdentityToken=token["Token"]))
out["forged"] = error(lambda: sts.assume_role_with_web_identity(
    RoleArn=a["roles"][0], RoleSessionName="botocore-peer", WebIdentityToken=id_token))
json.dump(out, sys.stdout)
