//! The emulator's CBOR decoder (WebAuthn attestation objects and COSE keys from the
//! browser): no panic on any input, `decode` and `decode_prefix` agree, and what it decodes
//! re-encodes to bytes that decode to the same encoding.
#![no_main]
#[path = "../../tests/emulator/src/cbor.rs"]
#[allow(dead_code)]
mod cbor;
use cbor::encode;
use libfuzzer_sys::fuzz_target;

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
