//! A small JSON reader and writer for Cognito's request and response bodies.
//!
//! The wasm build avoids serde_json (it costs tens of kilobytes); the user-pool API only
//! needs objects of strings, integers and nested objects. Numbers are kept as their text
//! and read back as integers on demand, so no float parser is linked. Nesting is limited
//! to 64 levels and invalid input is `None`, never a panic.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text as it appeared (validated against the JSON grammar).
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    /// Members in document order; on duplicate keys the last one wins in `get`.
    Obj(Vec<(String, Json)>),
}

const MAX_DEPTH: usize = 64;

/// Integer text (`-`? digits, no fraction or exponent) that fits in i64, read as
/// [`Json::as_i64`] reads a number: one reader for JSON numbers and stored or header values.
pub fn int(t: &str) -> Option<i64> {
    let neg = t.as_bytes().first() == Some(&b'-');
    let digits = t.as_bytes().get(usize::from(neg)..).unwrap_or(&[]);
    // In u64 with at most 19 significant digits (< 10^19 < 2^64: nothing can overflow), then
    // checked into i64 (−2^63 included, as serde_json reads it): no overflow-checked multiply,
    // which wasm32 makes a 128-bit one.
    if digits.is_empty() {
        return None;
    }
    let (mut v, mut significant) = (0u64, 0u32);
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        if v != 0 || c != b'0' {
            significant += 1;
        }
        if significant > 19 {
            return None;
        }
        v = v.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
    }
    // Up to 2^63 − 1, or 2^63 when negative (i64::MIN, whose wrapping negation is itself).
    if v > (1u64 << 63) - u64::from(!neg) {
        return None;
    }
    Some(if neg { (v as i64).wrapping_neg() } else { v as i64 })
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_obj(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }
    /// An integer value: a JSON number with no fraction or exponent that fits in i64.
    pub fn as_i64(&self) -> Option<i64> {
        let Json::Num(t) = self else { return None };
        int(t)
    }
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// Serializes compactly.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(t) => out.push_str(t),
            Json::Str(s) => write_str(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

/// Builds `{"k": "v", ...}` from string pairs.
pub fn str_object(pairs: &[(&str, &str)]) -> Json {
    let mut members = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        members.push((String::from(*k), Json::Str(String::from(*v))));
    }
    Json::Obj(members)
}

/// The strings of a JSON array (its other items left out).
pub fn strings_of(items: &[Json]) -> Vec<String> {
    let mut v = Vec::new();
    for i in items {
        if let Json::Str(s) = i {
            v.push(s.clone());
        }
    }
    v
}

/// An array of these strings.
pub fn string_array(v: Vec<String>) -> Json {
    let mut items = Vec::with_capacity(v.len());
    for s in v {
        items.push(Json::Str(s));
    }
    Json::Arr(items)
}

/// Writes a JSON string literal with the escapes RFC 8259 requires.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 15) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON object written member by member: the bytes `Json::to_text` gives for the same
/// members, without building the tree (no owned key or value per member).
pub struct Body(String);

impl Body {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Body {
        Body(String::from("{"))
    }

    fn key(&mut self, k: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_str(&mut self.0, k);
        self.0.push(':');
        &mut self.0
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Body {
        write_str(self.key(k), v);
        self
    }

    /// A member whose value is JSON text already (`true`, `60`, `{…}`).
    pub fn raw(&mut self, k: &str, v: &str) -> &mut Body {
        self.key(k).push_str(v);
        self
    }

    /// `{"a":"b",…}` (ClientMetadata).
    pub fn pairs<A: AsRef<str>, B: AsRef<str>>(&mut self, k: &str, pairs: &[(A, B)]) -> &mut Body {
        let o = self.key(k);
        o.push('{');
        for (i, (a, b)) in pairs.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            write_str(o, a.as_ref());
            o.push(':');
            write_str(o, b.as_ref());
        }
        o.push('}');
        self
    }

    /// A string member, or `null` without one.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Body {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// `[{"Name":n,"Value":v},…]` (UserAttributes, ValidationData).
    pub fn attributes(&mut self, k: &str, attrs: &[(String, String)]) -> &mut Body {
        let o = self.key(k);
        o.push('[');
        for (i, (n, v)) in attrs.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"Name\":");
            write_str(o, n);
            o.push_str(",\"Value\":");
            write_str(o, v);
            o.push('}');
        }
        o.push(']');
        self
    }

    /// `["a",…]`.
    pub fn list<A: AsRef<str>>(&mut self, k: &str, items: &[A]) -> &mut Body {
        let o = self.key(k);
        o.push('[');
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            write_str(o, v.as_ref());
        }
        o.push(']');
        self
    }

    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// Parses a complete JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Option<Json> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i == p.s.len() {
        Some(v)
    } else {
        None
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        if self.s.get(self.i..self.i + lit.len())? == lit {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }
    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b'}' => return Some(Json::Obj(members)),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(Json::Arr(items)),
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(Json::Str),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'n' => self.eat(b"null").map(|_| Json::Null),
            _ => self.number(),
        }
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }
    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = crate::utf8::str(self.s.get(start..self.i)?)?;
        Some(Json::Num(String::from(text)))
    }
    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0u32;
        for _ in 0..4 {
            let c = self.bump()?;
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return None,
            };
            n = (n << 4) | d as u32;
        }
        Some(n)
    }
    fn string(&mut self) -> Option<String> {
        if self.bump()? != b'"' {
            return None;
        }
        let mut out = Vec::new();
        loop {
            let c = self.bump()?;
            match c {
                b'"' => return crate::utf8::string(out),
                b'\\' => {
                    let ch = match self.bump()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1f => return None,
                _ => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn parses_cognito_reply() {
        let body = r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"c0"},"Session":null,"ExpiresIn":3600,"x":[1,-2.5e3,true,false]}"#;
        let v = parse(body).unwrap();
        assert_eq!(v.str_field("ChallengeName"), Some("PASSWORD_VERIFIER"));
        assert_eq!(v.get("ChallengeParameters").unwrap().str_field("SRP_B"), Some("c0"));
        assert_eq!(v.get("Session"), Some(&Json::Null));
        assert_eq!(v.get("ExpiresIn").unwrap().as_i64(), Some(3600));
        assert_eq!(
            v.get("x").unwrap(),
            &Json::Arr(vec![Json::Num("1".into()), Json::Num("-2.5e3".into()), Json::Bool(true), Json::Bool(false)])
        );
        assert_eq!(Json::Num("-2.5e3".into()).as_i64(), None);
        assert_eq!(Json::Num("-42".into()).as_i64(), Some(-42));
        assert_eq!(Json::Num("99999999999999999999".into()).as_i64(), None);
        // The edges of i64, 19 and 20 digits, leading zeros (stored values), and what is no integer.
        for (text, want) in [
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775807", Some(-i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("-9223372036854775809", None),
            ("9999999999999999999", None),
            ("18446744073709551615", None),
            ("18446744073709551616", None),
            ("00000000000000000000000042", Some(42)),
            ("0", Some(0)),
            ("-0", Some(0)),
            ("1e3", None),
            ("+1", None),
            ("", None),
            ("-", None),
        ] {
            assert_eq!(int(text), want, "{text}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn escapes_round_trip() {
        let v = parse(r#""a\"b\\c\/d\n\u00e9\ud83d\udd11\u0001""#).unwrap();
        assert_eq!(v, Json::Str("a\"b\\c/d\né🔑\u{1}".into()));
        assert_eq!(v.to_text(), r#""a\"b\\c/d\né🔑\u0001""#);
        assert_eq!(parse(&v.to_text()).unwrap(), v);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rejects_malformed() {
        for bad in [
            "",
            "{",
            "{\"a\":}",
            "{\"a\" 1}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "1e",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "tru",
            "nul",
            "{} x",
            "<html>500</html>",
            "\"a\u{1}\"",
            "[1 2]",
            "{1:2}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep), None);
        let ok_deep = "[".repeat(60) + &"]".repeat(60);
        assert!(parse(&ok_deep).is_some());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn agrees_with_serde_json_on_samples() {
        let samples = [
            r#"{"a":[1,2,{"b":null}],"c":"\u00fc","d":-0.5,"e":1E+2}"#,
            r#"  [ "x" , { } , [ ] ]  "#,
            r#"{"__type":"com.amazonaws#NotAuthorizedException","message":"Incorrect username or password."}"#,
        ];
        for s in samples {
            let ours = parse(s).unwrap().to_text();
            let a: serde_json::Value = serde_json::from_str(&ours).unwrap();
            let b: serde_json::Value = serde_json::from_str(s).unwrap();
            assert_eq!(a, b);
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn builds_objects() {
        let o = str_object(&[("USERNAME", "ä\"x"), ("SRP_A", "ff")]);
        assert_eq!(o.to_text(), r#"{"USERNAME":"ä\"x","SRP_A":"ff"}"#);
    }
}
