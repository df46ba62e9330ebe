//! Hex and base64 (standard and URL-safe), written out to keep the wasm small and free
//! of panicking paths. Decoders return `None` on any malformed input.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The index of the first byte of `s` for which `f` holds. Byte searches go through this
/// one loop (and [`all_bytes`]): every closure handed to `Iterator::position`/`all`/`any`
/// is its own copy of the iterator machinery in the wasm.
#[inline(never)]
pub fn find_byte(s: &str, f: fn(u8) -> bool) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if f(b[i]) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the last byte of `s` for which `f` holds.
#[inline(never)]
pub fn rfind_byte(s: &str, f: fn(u8) -> bool) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        if f(b[i]) {
            return Some(i);
        }
    }
    None
}

/// True when `f` holds for every byte of `s` (true for `""`).
#[inline(never)]
pub fn all_bytes(s: &str, f: fn(u8) -> bool) -> bool {
    s.bytes().all(f)
}

/// `s` cut at the first `c` (an ASCII byte, so both sides are `str`s): `split_once` without
/// the `str` searcher, one copy for every caller.
pub fn cut(s: &str, c: u8) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] != c {
        i += 1;
    }
    if i == b.len() {
        return None;
    }
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s` without its trailing `b`s (an ASCII byte): `trim_end_matches` for one byte, without
/// the `char` searcher.
pub fn trim_end_byte(s: &str, b: u8) -> &str {
    let mut n = s.len();
    while n > 0 && s.as_bytes()[n - 1] == b {
        n -= 1;
    }
    s.get(..n).unwrap_or(s)
}

/// The pieces of `s` between its `sep`s (an ASCII byte), as `str::split` gives them.
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

pub fn split_byte(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let r = self.rest?;
        match cut(r, self.sep) {
            Some((piece, rest)) => {
                self.rest = Some(rest);
                Some(piece)
            }
            None => self.rest.take(),
        }
    }
}

/// Lowercase hex of `bytes`.
pub fn hex_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The value of one hex digit (either case).
pub fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 unreserved characters: `A-Z a-z 0-9 - . _ ~`.
pub fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

/// Appends `%XX` (upper-case hex) for one byte.
pub fn push_pct(out: &mut String, c: u8) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(UPPER[(c >> 4) as usize] as char);
    out.push(UPPER[(c & 15) as usize] as char);
}

/// Appends `s` percent-encoded: everything but RFC 3986 unreserved characters is escaped
/// (valid in a query string, an `otpauth:` URI and an `application/x-www-form-urlencoded`
/// body alike).
pub fn percent_encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            push_pct(out, b);
        }
    }
}

/// Parses hex as a big-endian number: odd lengths are allowed (a leading `0` is implied),
/// as Cognito's SALT and SRP_B are printed numbers, not byte strings. Empty → `None`.
pub fn hex_decode_number(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 2 + 1);
    let (head, rest) = if s.len() % 2 == 1 { s.split_at(1) } else { s.split_at(0) };
    if let Some(&c) = head.first() {
        out.push(hex_digit(c)?);
    }
    for pair in rest.chunks_exact(2) {
        out.push((hex_digit(pair[0])? << 4) | hex_digit(pair[1])?);
    }
    Some(out)
}

/// The bytes Java's `BigInteger.toByteArray()` gives for a non-negative number: minimal
/// big-endian, plus a leading `00` when the top bit is set; zero is a single `00`.
/// This is Cognito's `padHex`, as bytes.
pub fn pad_bytes(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    let digits = be.get(start..).unwrap_or(&[]);
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|&b| b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// Minimal big-endian bytes → lowercase hex without leading zeros (`"0"` for zero),
/// the way Cognito prints SRP_A.
pub fn number_hex(be: &[u8]) -> String {
    let h = hex_encode(be);
    let zeros = find_byte(&h, |c| c != b'0').unwrap_or(h.len());
    match h.get(zeros..) {
        Some(t) if !t.is_empty() => String::from(t),
        _ => String::from("0"),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                s.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                s.push('=');
            }
        }
    }
    s
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64_encode(bytes: &[u8]) -> String {
    encode_with(bytes, B64, true)
}

/// URL-safe base64 without padding (RFC 4648 §5), as used in JWTs and PKCE.
pub fn base64url_encode(bytes: &[u8]) -> String {
    encode_with(bytes, B64URL, false)
}

fn b64_val(c: u8, url: bool) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' if !url => 62,
        b'/' if !url => 63,
        b'-' if url => 62,
        b'_' if url => 63,
        _ => return None,
    } as u32)
}

fn decode_with(s: &str, url: bool) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    // Padding is required for standard base64 when the length is not a multiple of 4, and
    // accepted (but not required) for the URL-safe form.
    let trimmed = match bytes.iter().position(|&c| c == b'=') {
        Some(p) => {
            let pad = bytes.get(p..)?;
            if pad.len() > 2 || pad.iter().any(|&c| c != b'=') || bytes.len() % 4 != 0 {
                return None;
            }
            bytes.get(..p)?
        }
        None => {
            if !url && bytes.len() % 4 != 0 {
                return None;
            }
            bytes
        }
    };
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= b64_val(c, url)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        // Reject non-canonical encodings whose unused low bits are not zero.
        let unused_bits = match produced {
            1 => n & 0xffff,
            2 => n & 0xff,
            _ => 0,
        };
        if unused_bits != 0 {
            return None;
        }
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// Standard base64 (padding required).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    decode_with(s, false)
}

/// URL-safe base64, padding optional.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    decode_with(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_is_split_once_at_an_ascii_byte() {
        for s in ["", "_", "a_b", "us-east-1_Ab_c", "é_ü", "no", "__", "x_"] {
            assert_eq!(cut(s, b'_'), s.split_once('_'), "{s}");
            assert_eq!(find_byte(s, |b| b == b'_'), s.find('_'), "{s}");
            assert_eq!(rfind_byte(s, |b| b == b'_'), s.rfind('_'), "{s}");
            assert_eq!(all_bytes(s, |b| b != b'_'), !s.contains('_'), "{s}");
            assert_eq!(split_byte(s, b'_').collect::<Vec<_>>(), s.split('_').collect::<Vec<_>>(), "{s}");
            assert_eq!(trim_end_byte(s, b'_'), s.trim_end_matches('_'), "{s}");
        }
        assert_eq!(number_hex(&[0, 0, 0, 0]), "0");
        assert_eq!(number_hex(&[0x10, 0]), "1000");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), plain.as_bytes());
            assert_eq!(base64url_encode(plain.as_bytes()), enc.trim_end_matches('='));
            assert_eq!(base64url_decode(enc.trim_end_matches('=')).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn malformed_base64_is_rejected() {
        for bad in ["Zg", "Zg=", "Z===", "Zm9v!", "Zh==", "Zm8=Zm8=", "A", "====", "Zm-v"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
        assert_eq!(base64url_decode("Zm+v"), None);
        assert_eq!(base64url_decode("A"), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn hex_numbers() {
        assert_eq!(hex_decode_number("abc").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(hex_decode_number("00ff").unwrap(), vec![0x00, 0xff]);
        assert_eq!(hex_decode_number(""), None);
        assert_eq!(hex_decode_number("0g"), None);
        assert_eq!(hex_decode_number("é1"), None);
        assert_eq!(hex_encode(&[0, 1, 0xab]), "0001ab");
        assert_eq!(number_hex(&[0, 0, 0x0a, 0xbc]), "abc");
        assert_eq!(number_hex(&[0]), "0");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn pad_hex_like_java_to_byte_array() {
        assert_eq!(pad_bytes(&[0x80]), vec![0x00, 0x80]);
        assert_eq!(pad_bytes(&[0x7f]), vec![0x7f]);
        assert_eq!(pad_bytes(&[0x01, 0x00]), vec![0x01, 0x00]);
        assert_eq!(pad_bytes(&[0x00, 0x00, 0x7f]), vec![0x7f]);
        assert_eq!(pad_bytes(&[0x00, 0xff]), vec![0x00, 0xff]);
        assert_eq!(pad_bytes(&[]), vec![0x00]);
        assert_eq!(pad_bytes(&[0, 0]), vec![0x00]);
    }
}
