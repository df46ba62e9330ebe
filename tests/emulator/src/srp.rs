//! Server side of Cognito's SRP-6a variant (see docs/cognito-protocol.md, "SRP").
//!
//! Written independently of the client library: plain num-bigint, SHA-256, HMAC.

use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use num_traits::{One, Zero};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

type HmacSha256 = Hmac<Sha256>;

/// RFC 3526 3072-bit MODP prime.
pub const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74\
020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576\
625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D\
C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED52907\
7096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28F\
B5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D\
04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D7\
1E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE11757\
7A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

pub fn n() -> &'static BigUint {
    static N: OnceLock<BigUint> = OnceLock::new();
    N.get_or_init(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("valid N"))
}

pub fn g() -> BigUint {
    BigUint::from(2u32)
}

/// k = H(padHex(N) ‖ padHex(g)).
pub fn k() -> &'static BigUint {
    static K: OnceLock<BigUint> = OnceLock::new();
    K.get_or_init(|| hash_to_int(&[&pad_bytes(n()), &pad_bytes(&g())]))
}

/// Java `BigInteger.toByteArray()` of a non-negative number: big-endian, with a leading
/// 0x00 when the top bit would otherwise be set. Zero is `[0]`.
pub fn pad_bytes(x: &BigUint) -> Vec<u8> {
    let mut b = x.to_bytes_be(); // zero -> [0]
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

/// `padHex`: lowercase hex of [`pad_bytes`].
pub fn pad_hex(x: &BigUint) -> String {
    to_hex(&pad_bytes(x))
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parse a hex string (either case, optional odd length) as a non-negative number.
pub fn parse_hex(s: &str) -> Option<BigUint> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    BigUint::parse_bytes(s.as_bytes(), 16)
}

pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&sha256(parts))
}

pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
pub fn compute_x(salt: &BigUint, pool_name: &str, user_id: &str, password: &str) -> BigUint {
    let inner = sha256(&[pool_name.as_bytes(), user_id.as_bytes(), b":", password.as_bytes()]);
    hash_to_int(&[&pad_bytes(salt), &inner])
}

/// v = g^x mod N.
pub fn compute_verifier(salt: &BigUint, pool_name: &str, user_id: &str, password: &str) -> BigUint {
    g().modpow(&compute_x(salt, pool_name, user_id, password), n())
}

/// B = (k·v + g^b) mod N.
pub fn compute_b_pub(v: &BigUint, b: &BigUint) -> BigUint {
    (k() * v + g().modpow(b, n())) % n()
}

/// u = H(padHex(A) ‖ padHex(B)).
pub fn compute_u(a_pub: &BigUint, b_pub: &BigUint) -> BigUint {
    hash_to_int(&[&pad_bytes(a_pub), &pad_bytes(b_pub)])
}

/// Server premaster secret S = (A·v^u)^b mod N.
pub fn server_s(a_pub: &BigUint, v: &BigUint, u: &BigUint, b: &BigUint) -> BigUint {
    let base = (a_pub % n()) * v.modpow(u, n()) % n();
    base.modpow(b, n())
}

/// HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key"), 16 bytes.
pub fn derive_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
    let prk = hmac_sha256(&pad_bytes(u), &[&pad_bytes(s)]);
    let okm = hmac_sha256(&prk, &[b"Caldera Derived Key", &[1u8]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

/// base64(HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp)) as raw bytes.
pub fn signature(key: &[u8], pool_name: &str, user_id: &str, secret_block: &[u8], timestamp: &str) -> [u8; 32] {
    hmac_sha256(key, &[pool_name.as_bytes(), user_id.as_bytes(), secret_block, timestamp.as_bytes()])
}

/// Constant-time byte comparison (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Everything the server needs to check a PASSWORD_CLAIM_SIGNATURE.
pub struct ServerProof<'a> {
    pub a_pub: &'a BigUint,
    pub b_pub: &'a BigUint,
    pub b: &'a BigUint,
    pub v: &'a BigUint,
    pub pool_name: &'a str,
    pub user_id: &'a str,
    pub secret_block: &'a [u8],
    pub timestamp: &'a str,
}

impl ServerProof<'_> {
    /// The expected signature bytes, or None when the exchange is degenerate (A ≡ 0, u = 0).
    pub fn expected_signature(&self) -> Option<[u8; 32]> {
        if (self.a_pub % n()).is_zero() {
            return None;
        }
        let u = compute_u(self.a_pub, self.b_pub);
        if u.is_zero() {
            return None;
        }
        let s = server_s(self.a_pub, self.v, &u, self.b);
        let key = derive_key(&s, &u);
        Some(signature(&key, self.pool_name, self.user_id, self.secret_block, self.timestamp))
    }

    pub fn verify(&self, claimed: &[u8]) -> bool {
        match self.expected_signature() {
            Some(sig) => ct_eq(&sig, claimed),
            None => false,
        }
    }
}

/// A random exponent/number of `len` bytes that is non-zero.
pub fn random_nonzero(len: usize) -> BigUint {
    use rand::RngCore;
    loop {
        let mut buf = vec![0u8; len];
        rand::rngs::OsRng.fill_bytes(&mut buf);
        let x = BigUint::from_bytes_be(&buf);
        if !x.is_zero() && x != BigUint::one() {
            return x;
        }
    }
}

// ---------------------------------------------------------------------------------------
// TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`
// ---------------------------------------------------------------------------------------

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Format unix seconds the way Cognito clients do: `Tue Jan 2 03:04:05 UTC 2024`.
pub fn format_timestamp(unix: i64) -> String {
    let days = unix.div_euclid(86400);
    let secs = unix.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let wd = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        DAYS[wd],
        MONTHS[m as usize - 1],
        d,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        y
    )
}

fn fixed_digits(s: &str, len: usize, max: u32) -> Option<u32> {
    if s.len() != len || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|v| *v <= max)
}

/// Strictly parse `EEE MMM d HH:mm:ss UTC yyyy` into unix seconds. The day must not be
/// zero-padded and the weekday must match the date.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(' ').collect();
    let [wd, mon, day, time, zone, year] = parts.as_slice() else {
        return None;
    };
    if *zone != "UTC" {
        return None;
    }
    let wd = DAYS.iter().position(|d| d == wd)?;
    let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
    if day.is_empty() || day.len() > 2 || day.starts_with('0') || !day.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let d: u32 = day.parse().ok()?;
    let y = fixed_digits(year, 4, 9999)? as i64;
    if d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let hms: Vec<&str> = time.split(':').collect();
    let [hh, mm, ss] = hms.as_slice() else {
        return None;
    };
    let (hh, mm, ss) = (fixed_digits(hh, 2, 23)?, fixed_digits(mm, 2, 59)?, fixed_digits(ss, 2, 59)?);
    let days = days_from_civil(y, m, d);
    if (days + 4).rem_euclid(7) as usize != wd {
        return None;
    }
    Some(days * 86400 + (hh * 3600 + mm * 60 + ss) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_hex_cases() {
        assert_eq!(pad_hex(&BigUint::from(0x80u32)), "0080");
        assert_eq!(pad_hex(&BigUint::from(0x7fu32)), "7f");
        assert_eq!(pad_hex(&BigUint::from(0x100u32)), "0100");
        assert_eq!(pad_hex(&BigUint::from(0x0fu32)), "0f");
        assert_eq!(pad_hex(&BigUint::from(0u32)), "00");
        assert_eq!(pad_hex(&BigUint::from(0x8000u32)), "008000");
        assert!(pad_hex(n()).starts_with("00ffffffffffffffffc90fdaa22168c234"));
        assert_eq!(pad_hex(n()).len(), 2 + 768);
    }

    #[test]
    fn n_is_the_rfc3526_prime() {
        assert_eq!(n().bits(), 3072);
        let hex = format!("{:x}", n());
        assert!(hex.starts_with("ffffffffffffffffc90fdaa22168c234"));
        assert!(hex.ends_with("4b82d120a93ad2caffffffffffffffff"));
        // Fermat test with base 3: a typo in the constant would almost surely fail this.
        let one = BigUint::one();
        assert_eq!(BigUint::from(3u32).modpow(&(n() - &one), n()), one);
    }

    #[test]
    fn k_is_hash_of_00_n_02() {
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&n().to_bytes_be());
        assert_eq!(bytes.len(), 385);
        bytes.push(2);
        let expect = Sha256::digest(&bytes);
        assert_eq!(k().to_bytes_be(), expect.to_vec());
        // Known answer shared by every Cognito SRP implementation.
        assert_eq!(format!("{:064x}", k()), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
    }

    #[test]
    fn timestamp_parser() {
        let t = parse_timestamp("Tue Jan 2 03:04:05 UTC 2024").expect("valid");
        assert_eq!(t, 1704164645);
        assert_eq!(format_timestamp(t), "Tue Jan 2 03:04:05 UTC 2024");
        assert_eq!(parse_timestamp("Tue Jan 02 03:04:05 UTC 2024"), None);
        assert_eq!(parse_timestamp("Wed Jan 2 03:04:05 UTC 2024"), None); // wrong weekday
        assert_eq!(parse_timestamp("Tue Jan  2 03:04:05 UTC 2024"), None);
        assert_eq!(parse_timestamp("Tue Jan 2 3:04:05 UTC 2024"), None);
        assert_eq!(parse_timestamp("Tue Jan 2 03:04:05 GMT 2024"), None);
        assert_eq!(parse_timestamp("Tue jan 2 03:04:05 UTC 2024"), None);
        assert_eq!(parse_timestamp("Tue Jan 2 24:04:05 UTC 2024"), None);
        assert_eq!(
            parse_timestamp("Thu Feb 29 00:00:00 UTC 2024").map(format_timestamp).as_deref(),
            Some("Thu Feb 29 00:00:00 UTC 2024")
        );
        assert_eq!(parse_timestamp("Fri Feb 30 00:00:00 UTC 2024"), None);
        assert_eq!(parse_timestamp(""), None);
        assert_eq!(format_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(format_timestamp(1735689599), "Tue Dec 31 23:59:59 UTC 2024");
        for t in (0..4_000_000_000i64).step_by(7_777_777) {
            assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t));
        }
    }

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
