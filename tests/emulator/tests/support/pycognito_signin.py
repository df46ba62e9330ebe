"""Signs in against the emulator with pycognito's AWSSRP (which sends no Session, so the
emulator must run with --session-optional true).
usage: python pycognito_signin.py EMULATOR_URL
Prints one line per case: "<case> OK <cognito:username>" or "<case> ERR <code>"."""
import base64, json, sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

client = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=sys.argv[1],
                      config=Config(signature_version=UNSIGNED))
for label, user, password in [("demo", "demo", "Demo-Passw0rd!"),
                              ("alias", "alice@example.com", "Alice-Passw0rd!"),
                              ("wrong-password", "demo", "Demo-Passw0rd?")]:
    try:
        r = AWSSRP(username=user, password=password, pool_id="us-east-1_EmuPool01",
                   client_id="7f3kq2m9emulatorclient0001", client=client).authenticate_user()
        payload = r["AuthenticationResult"]["IdToken"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        print(label, "OK", claims["cognito:username"])
    except ClientError as e:
        print(label, "ERR", e.response["Error"]["Code"])
