//! The JSON reader against serde_json: the same documents accepted and rejected, the same
//! values, and the writer's output read back to the same value by both.
#![no_main]
use cognito_wasm::json::{self, Json};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Our reader's nesting limit (json.rs `MAX_DEPTH` = 64: 65 levels of containers); serde_json
/// allows 128, so a deeper document is the one accepted difference.
const OUR_LEVELS: usize = 65;

fn levels(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(levels).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(levels).max().unwrap_or(0),
        _ => 0,
    }
}

/// Same value: numbers as i64 where they are integers and as f64 otherwise (serde_json's
/// `arbitrary_precision` keeps their text, so no float parser decides what is read), objects
/// by serde_json's rule that the last of duplicate keys wins (our `get` does the same).
fn same(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Num(a), Value::Number(b)) => {
            // serde_json normalises the text a little (`E` → `e`); the value must agree.
            let t = b.to_string();
            ours.as_i64() == b.as_i64() && a.parse::<f64>().ok() == t.parse::<f64>().ok()
        }
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Arr(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Obj(a), Value::Object(b)) => {
            let mut keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == b.len()
                && keys.iter().all(|k| matches!((ours.get(k), b.get(*k)), (Some(x), Some(y)) if same(x, y)))
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let theirs = serde_json::from_slice::<Value>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(theirs.is_err(), "serde_json accepted invalid UTF-8");
        return;
    };
    let ours = json::parse(text);
    match (&ours, &theirs) {
        (Some(o), Ok(t)) => {
            assert!(same(o, t), "different values for {text:?}");
            // Writer round trip: our text reads back to the same value, in both readers.
            let written = o.to_text();
            assert!(json::parse(&written).as_ref() == Some(o), "round trip of {text:?}");
            let back: Value = serde_json::from_str(&written).expect("serde_json rejects our output");
            assert!(same(o, &back), "serde_json reads our output differently");
            // Accessors never panic.
            let _ = o.as_i64();
            if let Some(m) = o.as_obj() {
                for (k, v) in m {
                    let _ = (o.str_field(k), v.as_i64());
                }
            }
        }
        (None, Err(_)) => {}
        (None, Ok(t)) => assert!(levels(t) > OUR_LEVELS, "we reject what serde_json accepts: {text:?}"),
        (Some(_), Err(e)) => panic!("we accept what serde_json rejects ({e}): {text:?}"),
    }
});
