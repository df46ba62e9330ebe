#!/usr/bin/env python3
"""Remembered-device vectors computed with pycognito (see gen-devices.mjs).

- aws_srp.generate_hash_device(group_key, device_key) with os.urandom fed the fixed
  password (40 bytes) and salt (16 bytes) of each vector;
- AWSSRP(device_key=..., device_group_key=..., device_password=...) with small_a_value
  fixed, and process_device_challenge() (TIMESTAMP + PASSWORD_CLAIM_SIGNATURE) with the
  clock monkeypatched; the key from get_device_authentication_key().

Usage: python gen_devices_pycognito.py inputs.json > pycognito.json   (run with LC_ALL=C)
"""
import base64
import datetime as real_datetime
import json
import sys
import types
from importlib.metadata import version

from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP

EPOCH = real_datetime.datetime(1970, 1, 1)


class _Clock:
    now = EPOCH


class FakeDatetime(real_datetime.datetime):
    @classmethod
    def utcnow(cls):
        return _Clock.now

    @classmethod
    def now(cls, tz=None):
        if tz is None:
            return _Clock.now
        return _Clock.now.replace(tzinfo=real_datetime.timezone.utc).astimezone(tz)


aws_srp.datetime = types.SimpleNamespace(
    datetime=FakeDatetime, timezone=real_datetime.timezone, timedelta=real_datetime.timedelta
)

_queue = []
_real_os = aws_srp.os


def fake_urandom(n):
    # Armed (non-empty queue) only around generate_hash_device.
    if not _queue:
        return _real_os.urandom(n)
    if len(_queue[0]) != n:
        raise RuntimeError(f"unexpected os.urandom({n})")
    return _queue.pop(0)


aws_srp.os = types.SimpleNamespace(urandom=fake_urandom)


def run(v):
    inp = v["input"]
    _queue.extend([bytes.fromhex(inp["passwordRandom"]), bytes.fromhex(inp["saltRandom"])])
    password, config = aws_srp.generate_hash_device(inp["deviceGroupKey"], inp["deviceKey"])
    if _queue:
        raise RuntimeError("pycognito used fewer random bytes than expected")
    salt_hex = base64.standard_b64decode(config["Salt"]).hex()
    verifier_hex = base64.standard_b64decode(config["PasswordVerifier"]).hex()

    srp = AWSSRP(username="u", password="p", pool_id="us-east-1_Pool", client_id="vectorsclientid",
                 client=object(), device_key=inp["deviceKey"], device_group_key=inp["deviceGroupKey"],
                 device_password=password)
    srp.small_a_value = int(inp["a"], 16)
    srp.large_a_value = srp.calculate_a()
    b_hex = v["reference"]["B"]
    key = srp.get_device_authentication_key(inp["deviceGroupKey"], inp["deviceKey"], password,
                                            aws_srp.hex_to_long(b_hex), salt_hex)
    _Clock.now = EPOCH + real_datetime.timedelta(milliseconds=inp["timestampEpochMs"])
    resp = srp.process_device_challenge(
        {"USERNAME": "u", "SALT": salt_hex, "SRP_B": b_hex, "SECRET_BLOCK": inp["secretBlock"]}
    )
    return {
        "id": v["id"],
        "devicePassword": password,
        "salt": salt_hex,
        "verifier": verifier_hex,
        "Salt": config["Salt"],
        "PasswordVerifier": config["PasswordVerifier"],
        "A": aws_srp.long_to_hex(srp.large_a_value),
        "key": key.hex(),
        "timestamp": resp["TIMESTAMP"],
        "signature": resp["PASSWORD_CLAIM_SIGNATURE"],
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        inputs = json.load(f)
    out = {"implementation": "pycognito", "version": version("pycognito"), "vectors": [run(v) for v in inputs["vectors"]]}
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
