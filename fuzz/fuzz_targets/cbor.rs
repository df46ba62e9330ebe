//! The emulator's CBOR decoder (WebAuthn attestation objects and COSE keys from the
//! browser): no panic on any input, `decode` and `decode_prefix` agree, and what it decodes
//! re-encodes to bytes that decode to the same encoding.
#![no_main]
#[path = "../../tests/emulator/src/cbor.rs"]
#[allow(dead_code)]
mod cbor;
use cbor::Value;
use libfuzzer_sys::fuzz_target;

/// Shortest-form definite-length encoder (the emulator's own is test-only).
fn encode(v: &Value) -> Vec<u8> {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
            _ => {
                out.push(m | 27);
                out.extend(n.to_be_bytes());
            }
        }
    }
    fn go(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Unsigned(n) => head(out, 0, *n),
            Value::Negative(n) => head(out, 1, *n),
            Value::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend(b);
            }
            Value::Text(s) => {
                head(out, 3, s.len() as u64);
                out.extend(s.as_bytes());
            }
            Value::Array(a) => {
                head(out, 4, a.len() as u64);
                a.iter().for_each(|x| go(out, x));
            }
            Value::Map(m) => {
                head(out, 5, m.len() as u64);
                for (k, x) in m {
                    go(out, k);
                    go(out, x);
                }
            }
            Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
            Value::Null => out.push(0xf6),
            Value::Undefined => out.push(0xf7),
            Value::Simple(n) if *n < 24 => out.push(0xe0 | n),
            Value::Simple(n) => out.extend([0xf8, *n]),
            Value::Float(f) => {
                out.push(0xfb);
                out.extend(f.to_bits().to_be_bytes());
            }
        }
    }
    let mut out = Vec::new();
    go(&mut out, v);
    out
}

fuzz_target!(|data: &[u8]| {
    let whole = cbor::decode(data);
    let prefix = cbor::decode_prefix(data);
    match (&whole, &prefix) {
        (Ok(v), Ok((p, used))) => {
            assert_eq!(*used, data.len());
            assert_eq!(encode(v), encode(p));
        }
        (Ok(_), Err(e)) => panic!("decode accepts what decode_prefix rejects: {e}"),
        (Err(_), Ok((_, used))) => assert!(*used < data.len(), "decode rejects a complete item"),
        (Err(_), Err(_)) => {}
    }
    if let Ok((v, used)) = prefix {
        assert!(used <= data.len());
        let bytes = encode(&v);
        let again = cbor::decode(&bytes).expect("our own encoding does not decode");
        assert_eq!(encode(&again), bytes, "encode(decode(encode(v))) != encode(v)");
        let _ = (v.as_i64(), v.as_bytes(), v.as_text(), v.as_map(), v.get_text_key("fmt"), v.get_int_key(3));
    }
});
