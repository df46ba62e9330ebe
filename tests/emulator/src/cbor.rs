//! A minimal CBOR (RFC 8949) decoder for WebAuthn attestation objects and COSE keys.
//!
//! It parses untrusted input, so it never panics and never allocates more than the input
//! could describe: major types 0–5 and 7 (simple values and floats), definite lengths only.
//! Rejected: indefinite lengths, tags (major type 6), reserved additional-information values
//! (28–30), invalid UTF-8 in text strings, duplicate map keys, nesting deeper than
//! [`MAX_DEPTH`], and (for [`decode`]) trailing bytes after the item.

/// Deepest nesting of arrays/maps accepted (an attestation object needs 3).
pub const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    /// Map entries in encoded order (keys are unique).
    Map(Vec<(Value, Value)>),
    Bool(bool),
    Null,
    Undefined,
    /// Other simple values (0–19, 32–255).
    Simple(u8),
    Float(f64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CborError {
    /// The input ended inside an item.
    Truncated,
    /// Bytes left after the top-level item.
    TrailingBytes,
    /// Indefinite-length string, array or map.
    IndefiniteLength,
    /// Major type 6.
    TagNotSupported,
    /// Additional information 28–30, or a two-byte simple value below 32.
    Malformed,
    InvalidUtf8,
    DuplicateKey,
    TooDeep,
}

impl std::fmt::Display for CborError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            CborError::Truncated => "truncated CBOR",
            CborError::TrailingBytes => "trailing bytes after the CBOR item",
            CborError::IndefiniteLength => "indefinite-length CBOR items are not supported",
            CborError::TagNotSupported => "CBOR tags are not supported",
            CborError::Malformed => "malformed CBOR",
            CborError::InvalidUtf8 => "CBOR text string is not UTF-8",
            CborError::DuplicateKey => "duplicate CBOR map key",
            CborError::TooDeep => "CBOR nesting too deep",
        };
        f.write_str(s)
    }
}

impl Value {
    /// The integer value of major types 0 and 1, if it fits in an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Unsigned(n) => i64::try_from(*n).ok(),
            Value::Negative(n) => i64::try_from(*n).ok().map(|n| -1 - n),
            _ => None,
        }
    }
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// Map lookup by text key.
    pub fn get_text_key(&self, key: &str) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
    }
    /// Map lookup by integer key (COSE labels).
    pub fn get_int_key(&self, key: i64) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| k.as_i64() == Some(key)).map(|(_, v)| v)
    }
}

/// Decodes exactly one item that spans all of `input`.
pub fn decode(input: &[u8]) -> Result<Value, CborError> {
    let (v, used) = decode_prefix(input)?;
    if used != input.len() {
        return Err(CborError::TrailingBytes);
    }
    Ok(v)
}

/// Decodes one item at the start of `input`: (item, bytes used). For a COSE key inside
/// authenticator data, where extensions may follow.
pub fn decode_prefix(input: &[u8]) -> Result<(Value, usize), CborError> {
    let mut r = Reader { buf: input, pos: 0 };
    let v = r.item(0)?;
    Ok((v, r.pos))
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], CborError> {
        let end = self.pos.checked_add(n).ok_or(CborError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(CborError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }

    /// The argument of an initial byte with additional information `info` (< 28).
    fn argument(&mut self, info: u8) -> Result<u64, CborError> {
        let n = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Err(CborError::IndefiniteLength),
            _ => return Err(CborError::Malformed),
        };
        Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A length that must fit in what is left of the input (`unit` bytes per element at least).
    fn length(&mut self, info: u8, unit: usize) -> Result<usize, CborError> {
        let n = self.argument(info)?;
        let n = usize::try_from(n).map_err(|_| CborError::Truncated)?;
        if n.checked_mul(unit).is_none_or(|bytes| bytes > self.remaining()) {
            return Err(CborError::Truncated);
        }
        Ok(n)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        match major {
            0 => Ok(Value::Unsigned(self.argument(info)?)),
            1 => Ok(Value::Negative(self.argument(info)?)),
            2 => {
                let n = self.length(info, 1)?;
                Ok(Value::Bytes(self.take(n)?.to_vec()))
            }
            3 => {
                let n = self.length(info, 1)?;
                let s = std::str::from_utf8(self.take(n)?).map_err(|_| CborError::InvalidUtf8)?;
                Ok(Value::Text(s.to_string()))
            }
            4 => {
                let n = self.length(info, 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                let n = self.length(info, 2)?;
                let mut entries: Vec<(Value, Value)> = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.item(depth + 1)?;
                    if entries.iter().any(|(existing, _)| *existing == k) {
                        return Err(CborError::DuplicateKey);
                    }
                    let v = self.item(depth + 1)?;
                    entries.push((k, v));
                }
                Ok(Value::Map(entries))
            }
            6 => Err(CborError::TagNotSupported),
            _ => self.simple(info),
        }
    }

    fn simple(&mut self, info: u8) -> Result<Value, CborError> {
        match info {
            20 => Ok(Value::Bool(false)),
            21 => Ok(Value::Bool(true)),
            22 => Ok(Value::Null),
            23 => Ok(Value::Undefined),
            0..=19 => Ok(Value::Simple(info)),
            24 => match self.byte()? {
                n @ 32..=255 => Ok(Value::Simple(n)),
                _ => Err(CborError::Malformed),
            },
            25 => {
                let h = self.argument(25)? as u16;
                Ok(Value::Float(half_to_f64(h)))
            }
            26 => Ok(Value::Float(f64::from(f32::from_bits(self.argument(26)? as u32)))),
            27 => Ok(Value::Float(f64::from_bits(self.argument(27)?))),
            31 => Err(CborError::IndefiniteLength), // a "break" outside an indefinite item
            _ => Err(CborError::Malformed),
        }
    }
}

/// IEEE 754 binary16 → f64 (RFC 8949 Appendix D).
fn half_to_f64(h: u16) -> f64 {
    let exp = (h >> 10) & 0x1f;
    let mant = f64::from(h & 0x3ff);
    let val = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (mant + 1024.0) * 2f64.powi(i32::from(e) - 25),
    };
    if h & 0x8000 != 0 {
        -val
    } else {
        val
    }
}

/// Encoder (definite lengths, shortest arguments) for building fixtures; also the fuzz
/// target's re-encoder (`fuzz/fuzz_targets/cbor.rs`). Always compiled, so that a plain
/// `cargo check` of the fuzz workspace (no `--cfg fuzzing`) builds that target too; the
/// emulator itself never calls it.
#[cfg_attr(not(test), allow(dead_code))]
pub fn encode(v: &Value) -> Vec<u8> {
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

/// Integer value (positive or negative) for test fixtures.
#[cfg(test)]
pub fn int(n: i64) -> Value {
    if n >= 0 {
        Value::Unsigned(n as u64)
    } else {
        Value::Negative((-1 - n) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn d(s: &str) -> Value {
        decode(&hex(s)).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// RFC 8949 Appendix A, every example with definite lengths and no tags.
    #[test]
    fn rfc8949_appendix_a_integers() {
        use Value::{Negative as N, Unsigned as U};
        let cases = [
            ("00", U(0)),
            ("01", U(1)),
            ("0a", U(10)),
            ("17", U(23)),
            ("1818", U(24)),
            ("1819", U(25)),
            ("1864", U(100)),
            ("1903e8", U(1000)),
            ("1a000f4240", U(1_000_000)),
            ("1b000000e8d4a51000", U(1_000_000_000_000)),
            ("1bffffffffffffffff", U(18_446_744_073_709_551_615)),
            ("3bffffffffffffffff", N(18_446_744_073_709_551_615)),
            ("20", N(0)),
            ("29", N(9)),
            ("3863", N(99)),
            ("3903e7", N(999)),
        ];
        for (h, want) in cases {
            assert_eq!(d(h), want, "{h}");
        }
        assert_eq!(d("20").as_i64(), Some(-1));
        assert_eq!(d("3903e7").as_i64(), Some(-1000));
        assert_eq!(d("3bffffffffffffffff").as_i64(), None); // -18446744073709551616
        assert_eq!(d("1bffffffffffffffff").as_i64(), None);
    }

    #[test]
    fn rfc8949_appendix_a_floats() {
        let cases: [(&str, f64); 20] = [
            ("f90000", 0.0),
            ("f98000", -0.0),
            ("f93c00", 1.0),
            ("fb3ff199999999999a", 1.1),
            ("f93e00", 1.5),
            ("f97bff", 65504.0),
            ("fa47c35000", 100000.0),
            ("fa7f7fffff", 3.4028234663852886e+38),
            ("fb7e37e43c8800759c", 1.0e+300),
            ("f90001", 5.960464477539063e-8),
            ("f90400", 0.00006103515625),
            ("f9c400", -4.0),
            ("fbc010666666666666", -4.1),
            ("f97c00", f64::INFINITY),
            ("f9fc00", f64::NEG_INFINITY),
            ("fa7f800000", f64::INFINITY),
            ("faff800000", f64::NEG_INFINITY),
            ("fb7ff0000000000000", f64::INFINITY),
            ("fbfff0000000000000", f64::NEG_INFINITY),
            ("f93c00", 1.0),
        ];
        for (h, want) in cases {
            match d(h) {
                Value::Float(f) => assert!(f == want && f.is_sign_negative() == want.is_sign_negative(), "{h}: {f}"),
                other => panic!("{h}: {other:?}"),
            }
        }
        for h in ["f97e00", "fa7fc00000", "fb7ff8000000000000"] {
            assert!(matches!(d(h), Value::Float(f) if f.is_nan()), "{h}");
        }
    }

    #[test]
    fn rfc8949_appendix_a_simple_strings_and_containers() {
        assert_eq!(d("f4"), Value::Bool(false));
        assert_eq!(d("f5"), Value::Bool(true));
        assert_eq!(d("f6"), Value::Null);
        assert_eq!(d("f7"), Value::Undefined);
        assert_eq!(d("f0"), Value::Simple(16));
        assert_eq!(d("f8ff"), Value::Simple(255));
        assert_eq!(d("40"), Value::Bytes(vec![]));
        assert_eq!(d("4401020304"), Value::Bytes(vec![1, 2, 3, 4]));
        assert_eq!(d("60"), text(""));
        assert_eq!(d("6161"), text("a"));
        assert_eq!(d("6449455446"), text("IETF"));
        assert_eq!(d("62225c"), text("\"\\"));
        assert_eq!(d("62c3bc"), text("\u{00fc}"));
        assert_eq!(d("63e6b0b4"), text("\u{6c34}"));
        assert_eq!(d("64f0908591"), text("\u{10151}"));
        assert_eq!(d("80"), Value::Array(vec![]));
        let one_two_three = Value::Array(vec![Value::Unsigned(1), Value::Unsigned(2), Value::Unsigned(3)]);
        assert_eq!(d("83010203"), one_two_three);
        assert_eq!(
            d("8301820203820405"),
            Value::Array(vec![
                Value::Unsigned(1),
                Value::Array(vec![Value::Unsigned(2), Value::Unsigned(3)]),
                Value::Array(vec![Value::Unsigned(4), Value::Unsigned(5)]),
            ])
        );
        let long = d("98190102030405060708090a0b0c0d0e0f101112131415161718181819");
        assert_eq!(long, Value::Array((1..=25).map(Value::Unsigned).collect()));
        assert_eq!(d("a0"), Value::Map(vec![]));
        assert_eq!(
            d("a201020304"),
            Value::Map(vec![(Value::Unsigned(1), Value::Unsigned(2)), (Value::Unsigned(3), Value::Unsigned(4))])
        );
        let m = d("a26161016162820203");
        assert_eq!(m.get_text_key("a"), Some(&Value::Unsigned(1)));
        assert_eq!(m.get_text_key("b"), Some(&Value::Array(vec![Value::Unsigned(2), Value::Unsigned(3)])));
        assert_eq!(d("826161a161626163"), Value::Array(vec![text("a"), Value::Map(vec![(text("b"), text("c"))])]));
        let m = d("a56161614161626142616361436164614461656145");
        assert_eq!(m.as_map().unwrap().len(), 5);
        assert_eq!(m.get_text_key("e"), Some(&text("E")));
    }

    /// Appendix A examples we deliberately reject: tags and indefinite lengths.
    #[test]
    fn rfc8949_appendix_a_rejected_forms() {
        let tags = [
            "c074323031332d30332d32315432303a30343a30305a",
            "c11a514b67b0",
            "c1fb41d452d9ec200000",
            "d74401020304",
            "d818456449455446",
            "d82076687474703a2f2f7777772e6578616d706c652e636f6d",
            "c249010000000000000000",
            "c349010000000000000000",
        ];
        for h in tags {
            assert_eq!(decode(&hex(h)), Err(CborError::TagNotSupported), "{h}");
        }
        let indefinite = [
            "5f42010243030405ff",
            "7f657374726561646d696e67ff",
            "9fff",
            "9f018202039f0405ffff",
            "9f01820203820405ff",
            "83018202039f0405ff",
            "83019f0203ff820405",
            "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
            "bf61610161629f0203ffff",
            "826161bf61626163ff",
            "bf6346756ef563416d7421ff",
        ];
        for h in indefinite {
            assert_eq!(decode(&hex(h)), Err(CborError::IndefiniteLength), "{h}");
        }
    }

    #[test]
    fn garbage_never_panics_and_is_rejected() {
        let cases: [(&str, CborError); 14] = [
            ("", CborError::Truncated),
            ("18", CborError::Truncated),
            ("1b0000", CborError::Truncated),
            ("45010203", CborError::Truncated),
            ("7b7fffffffffffffff41", CborError::Truncated),
            ("9bffffffffffffffff", CborError::Truncated),
            ("bb4000000000000000", CborError::Truncated),
            ("a1", CborError::Truncated),
            ("62c328", CborError::InvalidUtf8),
            ("a201020103", CborError::DuplicateKey),
            ("1c", CborError::Malformed),
            ("f818", CborError::Malformed),
            ("0000", CborError::TrailingBytes),
            ("ff", CborError::IndefiniteLength),
        ];
        for (h, want) in cases {
            assert_eq!(decode(&hex(h)), Err(want), "{h:?}");
        }
        let deep = vec![0x81u8; MAX_DEPTH + 2].into_iter().chain([0x00]).collect::<Vec<_>>();
        assert_eq!(decode(&deep), Err(CborError::TooDeep));
        let ok_depth = vec![0x81u8; MAX_DEPTH].into_iter().chain([0x00]).collect::<Vec<_>>();
        assert!(decode(&ok_depth).is_ok());
        // Every prefix of a valid attestation-shaped item fails cleanly.
        let item = hex("a363666d74646e6f6e656761747453746d74a068617574684461746145010203040a");
        for n in 0..item.len() {
            assert!(decode(&item[..n]).is_err(), "prefix {n}");
        }
        assert!(decode(&item).is_ok());
        let mut longer = item.clone();
        longer.push(0x00);
        assert_eq!(decode(&longer), Err(CborError::TrailingBytes));
        assert_eq!(decode_prefix(&longer).unwrap().1, item.len());
        // Pseudo-random bytes: only Ok or Err, never a panic or a huge allocation.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..20_000 {
            let buf: Vec<u8> = (0..(x % 40) as usize)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            let _ = decode(&buf);
        }
    }
}
