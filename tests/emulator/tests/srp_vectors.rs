//! Known-answer check of the emulator's server-side SRP math against
//! tests/vectors/srp-vectors.json (generated from amazon-cognito-identity-js and pycognito by
//! tests/vectors/generate.sh). Skips, with a note, when that file does not exist.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cognito_emulator::srp;
use num_bigint::BigUint;
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/srp-vectors.json");

fn load() -> Option<Value> {
    match std::fs::read_to_string(VECTORS) {
        Ok(text) => Some(serde_json::from_str(&text).expect("srp-vectors.json is valid JSON")),
        Err(_) => {
            eprintln!("note: {VECTORS} not found; skipping the SRP known-answer vectors");
            None
        }
    }
}

fn hex(v: &Value, field: &str) -> BigUint {
    let s = v[field].as_str().unwrap_or_else(|| panic!("{field} missing"));
    srp::parse_hex(s).unwrap_or_else(|| panic!("{field} is not hex"))
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("{field} missing"))
}

#[test]
fn constants_match() {
    let Some(doc) = load() else { return };
    let c = &doc["srpConstants"];
    assert_eq!(&hex(c, "N"), srp::n());
    assert_eq!(hex(c, "g"), srp::g());
    assert_eq!(&hex(c, "k"), srp::k());
}

#[test]
fn server_math_reproduces_vectors() {
    let Some(doc) = load() else { return };
    let vectors = doc["srpVectors"].as_array().expect("srpVectors array");
    assert!(!vectors.is_empty());
    for v in vectors {
        let id = s(v, "id");
        let (pool, user, password) = (s(v, "poolName"), s(v, "userIdForSrp"), s(v, "password"));
        // The emulator parses SALT as a number (CIJ semantics), as it does for its own users.
        let salt = hex(v, "salt");
        assert_eq!(srp::compute_x(&salt, pool, user, password), hex(v, "x"), "{id}: x");
        let verifier = srp::compute_verifier(&salt, pool, user, password);
        assert_eq!(verifier, hex(v, "v"), "{id}: v");
        let (b, a_pub) = (hex(v, "b"), hex(v, "A"));
        let b_pub = srp::compute_b_pub(&verifier, &b);
        assert_eq!(b_pub, hex(v, "B"), "{id}: B");
        let u = srp::compute_u(&a_pub, &b_pub);
        assert_eq!(u, hex(v, "u"), "{id}: u");
        let premaster = srp::server_s(&a_pub, &verifier, &u, &b);
        assert_eq!(premaster, hex(v, "S"), "{id}: S");
        let key = srp::derive_key(&premaster, &u);
        assert_eq!(srp::to_hex(&key), s(v, "key"), "{id}: key");
        let block = STANDARD.decode(s(v, "secretBlock")).expect("secretBlock base64");
        let ts = s(v, "timestamp");
        let sig = srp::signature(&key, pool, user, &block, ts);
        assert_eq!(STANDARD.encode(sig), s(v, "signature"), "{id}: signature");
        let proof = srp::ServerProof {
            a_pub: &a_pub,
            b_pub: &b_pub,
            b: &b,
            v: &verifier,
            pool_name: pool,
            user_id: user,
            secret_block: &block,
            timestamp: ts,
        };
        let claimed = STANDARD.decode(s(v, "signature")).expect("signature base64");
        assert!(proof.verify(&claimed), "{id}: ServerProof::verify");
        if let Some(py_sig) = v.get("pycognitoSignature").and_then(Value::as_str) {
            // The documented redundant-leading-00 salt case: pycognito's answer must NOT pass.
            let py = STANDARD.decode(py_sig).expect("pycognitoSignature base64");
            assert!(!proof.verify(&py), "{id}: pycognito's divergent signature must be rejected");
        }
        // The vector's TIMESTAMP must round-trip through the strict parser.
        let epoch = v["timestampEpochMs"].as_i64().expect("timestampEpochMs") / 1000;
        assert_eq!(srp::parse_timestamp(ts), Some(epoch), "{id}: timestamp parse");
    }
}

#[test]
fn timestamps_match() {
    let Some(doc) = load() else { return };
    let Some(list) = doc["timestamps"].as_array() else { return };
    for t in list {
        let secs = t["epochMs"].as_i64().expect("epochMs").div_euclid(1000);
        let text = s(t, "timestamp");
        assert_eq!(srp::format_timestamp(secs), text);
        assert_eq!(srp::parse_timestamp(text), Some(secs));
    }
}
