#!/usr/bin/env python3
"""Step 3 of generate.sh: the same values computed with pycognito's aws_srp.

- AWSSRP with small_a_value overridden and large_a_value recomputed via calculate_a();
- key from AWSSRP.get_password_authentication_key(user_id_for_srp, password, B, SALT-hex);
  (process_challenge passes the SALT hex string as given; so do we)
- TIMESTAMP and PASSWORD_CLAIM_SIGNATURE from AWSSRP.process_challenge() itself, with
  aws_srp.datetime monkeypatched so utcnow() returns the fixed time;
- timestamps also through process_device_challenge() (pycognito's strftime-based code);
- SECRET_HASH from AWSSRP.get_secret_hash(username, client_id, client_secret).

Usage: python gen_pycognito.py inputs.json > pycognito.json   (run with LC_ALL=C)
"""
import datetime as real_datetime
import json
import sys
import types
from importlib.metadata import version

from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP

EPOCH = real_datetime.datetime(1970, 1, 1)


def naive_utc(epoch_ms):
    return EPOCH + real_datetime.timedelta(milliseconds=epoch_ms)


class _FixedClock:
    now = EPOCH


class FakeDatetime(real_datetime.datetime):
    @classmethod
    def utcnow(cls):
        return _FixedClock.now

    @classmethod
    def now(cls, tz=None):
        if tz is None:
            return _FixedClock.now
        return _FixedClock.now.replace(tzinfo=real_datetime.timezone.utc).astimezone(tz)


# pycognito does `import datetime` and calls datetime.datetime.utcnow()
aws_srp.datetime = types.SimpleNamespace(
    datetime=FakeDatetime, timezone=real_datetime.timezone, timedelta=real_datetime.timedelta
)


def make_srp(pool_name, username, password, a_hex, **kw):
    # client=object(): never touched, avoids creating a boto3 client
    srp = AWSSRP(username=username, password=password, pool_id=f"us-east-1_{pool_name}",
                 client_id="vectorsclientid", client=object(), **kw)
    srp.small_a_value = int(a_hex, 16)
    srp.large_a_value = srp.calculate_a()
    return srp


def run_vector(v):
    inp = v["input"]
    srp = make_srp(inp["poolName"], inp["userIdForSrp"], inp["password"], inp["a"])
    b_val = aws_srp.hex_to_long(inp["B"])
    key = srp.get_password_authentication_key(inp["userIdForSrp"], inp["password"], b_val, inp["salt"])
    u_val = aws_srp.calculate_u(srp.large_a_value, b_val)

    _FixedClock.now = naive_utc(inp["timestampEpochMs"])
    challenge = {
        "USER_ID_FOR_SRP": inp["userIdForSrp"],
        "SALT": inp["salt"],
        "SRP_B": inp["B"],
        "SECRET_BLOCK": inp["secretBlock"],
    }
    resp = srp.process_challenge(challenge, srp.get_auth_params())
    return {
        "id": v["id"],
        "A": srp.get_auth_params()["SRP_A"],
        "u": aws_srp.long_to_hex(u_val),
        "key": key.hex(),
        "timestamp": resp["TIMESTAMP"],
        "signature": resp["PASSWORD_CLAIM_SIGNATURE"],
    }


def run_timestamp(t, device_srp):
    dt = naive_utc(t["epochMs"])
    direct = AWSSRP.get_cognito_formatted_timestamp(dt)
    _FixedClock.now = dt
    dev = device_srp.process_device_challenge(
        {"USERNAME": "u", "SALT": "ab", "SRP_B": "5", "SECRET_BLOCK": "AAAA"}
    )["TIMESTAMP"]
    return {"epochMs": t["epochMs"], "timestamp": direct, "deviceTimestamp": dev}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        inputs = json.load(f)
    device_srp = make_srp("Pool", "u", "p", "5", device_key="us-east-1_dk",
                          device_group_key="dgk", device_password="dp")
    out = {
        "implementation": "pycognito",
        "version": version("pycognito"),
        "constants": {"k": aws_srp.long_to_hex(device_srp.val_k)},
        "vectors": [run_vector(v) for v in inputs["vectors"]],
        "timestamps": [run_timestamp(t, device_srp) for t in inputs["timestamps"]],
        "secretHash": [
            dict(s, secretHash=AWSSRP.get_secret_hash(s["username"], s["clientId"], s["clientSecret"]))
            for s in inputs["secretHash"]
        ],
    }
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
