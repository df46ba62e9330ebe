//! UTF-8 validation in a few hundred bytes of wasm: `core::str::from_utf8` carries a
//! word-at-a-time fast path for long ASCII runs (686 bytes of the sign-in journey's engine);
//! what this library validates is tokens, replies and inputs of a few kilobytes.
//!
//! The rules are RFC 3629's (the same as `core::str::from_utf8`; the test below compares
//! the two on every sequence of up to three bytes and on a sample of longer ones): a lead
//! byte and its continuation bytes, no overlong form, no surrogate, nothing above U+10FFFF.

use alloc::string::String;
use alloc::vec::Vec;

/// True when `b` is UTF-8.
pub fn valid(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i += 1;
        if c < 0x80 {
            continue;
        }
        // Continuation bytes that follow, and the least code point that needs them.
        let (n, min) = match c {
            0xc0..=0xdf => (1, 0x80),
            0xe0..=0xef => (2, 0x800),
            0xf0..=0xf7 => (3, 0x1_0000),
            _ => return false,
        };
        let mut cp = u32::from(c) & (0x7f >> (n + 1));
        for _ in 0..n {
            match b.get(i) {
                Some(&d) if d & 0xc0 == 0x80 => cp = (cp << 6) | u32::from(d & 0x3f),
                _ => return false,
            }
            i += 1;
        }
        if cp < min || cp > 0x10_ffff || (0xd800..0xe000).contains(&cp) {
            return false;
        }
    }
    true
}

/// `b` as text, if it is UTF-8.
pub fn str(b: &[u8]) -> Option<&str> {
    // SAFETY: `valid` checked every byte against the UTF-8 rules `str` requires.
    valid(b).then(|| unsafe { core::str::from_utf8_unchecked(b) })
}

/// `b` as a `String`, if it is UTF-8 (no copy).
pub fn string(b: Vec<u8>) -> Option<String> {
    // SAFETY: as in `str`.
    valid(&b).then(|| unsafe { String::from_utf8_unchecked(b) })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn same(b: &[u8]) {
        assert_eq!(valid(b), core::str::from_utf8(b).is_ok(), "{b:02x?}");
    }

    #[test]
    fn agrees_with_core_on_every_short_sequence() {
        same(b"");
        for a in 0..=255u8 {
            same(&[a]);
            for b in 0..=255u8 {
                same(&[a, b]);
                // Three bytes: every lead byte from 0xc0 up with every pair after it; the
                // ASCII/continuation leads are decided on their first byte already.
                if a >= 0xc0 {
                    for c in 0..=255u8 {
                        same(&[a, b, c]);
                    }
                }
            }
        }
    }

    #[test]
    fn agrees_with_core_on_four_byte_and_mixed_sequences() {
        // Every 4-byte lead with continuation bytes at the edges of their ranges.
        let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
        for a in 0xe0..=0xffu8 {
            for b in edges {
                for c in edges {
                    for d in edges {
                        same(&[a, b, c, d]);
                        same(&[b'x', a, b, c, d, b'y']);
                    }
                }
            }
        }
        // A pseudo-random sample of longer mixed text.
        let mut x = 0x2545_f491u32;
        for _ in 0..200_000 {
            let mut buf = Vec::new();
            for _ in 0..(x % 9) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                buf.push(match x % 4 {
                    0 => b'a',
                    1 => 0x80 | (x >> 8) as u8 & 0x3f,
                    _ => (x >> 16) as u8,
                });
            }
            same(&buf);
        }
        assert_eq!(str("añ€😀".as_bytes()), Some("añ€😀"));
        assert_eq!(string(alloc::vec![0xed, 0xa0, 0x80]), None, "a surrogate");
        assert_eq!(string(alloc::vec![0xc0, 0xaf]), None, "an overlong '/'");
    }
}
