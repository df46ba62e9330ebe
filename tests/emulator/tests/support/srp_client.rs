//! A tiny, test-only Cognito SRP client (plain num-bigint), written separately from the
//! emulator's server math so that a round trip checks one against the other.
//! Used by the unit tests (via #[path] in lib.rs) and by the integration test.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use rand::RngCore;
use sha2::{Digest, Sha256};

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879",
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B",
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836",
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804",
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6",
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226",
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

fn big_n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
}

/// Java BigInteger.toByteArray as hex, done on strings like the JS clients do.
fn pad_hex_str(n: &BigUint) -> String {
    let mut h = n.to_str_radix(16);
    if h.len() % 2 == 1 {
        h.insert(0, '0');
    } else if "89abcdef".contains(&h[..1]) {
        h.insert_str(0, "00");
    }
    h
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect()
}

fn hash_hex(hex: &str) -> Vec<u8> {
    Sha256::digest(unhex(hex)).to_vec()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

pub struct SrpClient {
    a: BigUint,
    pub a_pub: BigUint,
}

impl SrpClient {
    pub fn new() -> Self {
        let mut buf = [0u8; 128];
        rand::rngs::OsRng.fill_bytes(&mut buf);
        let a = BigUint::from_bytes_be(&buf);
        let a_pub = BigUint::from(2u32).modpow(&a, &big_n());
        SrpClient { a, a_pub }
    }

    pub fn a_hex(&self) -> String {
        self.a_pub.to_str_radix(16)
    }

    /// PASSWORD_CLAIM_SIGNATURE for the challenge parameters.
    #[allow(clippy::too_many_arguments)]
    pub fn signature(
        &self,
        pool_name: &str,
        user_id: &str,
        password: &str,
        salt_hex: &str,
        b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> String {
        let n = big_n();
        let g = BigUint::from(2u32);
        let k = BigUint::from_bytes_be(&hash_hex(&format!("{}{}", pad_hex_str(&n), pad_hex_str(&g))));
        let b_pub = BigUint::parse_bytes(b_hex.as_bytes(), 16).unwrap();
        let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).unwrap();
        let u = BigUint::from_bytes_be(&hash_hex(&format!("{}{}", pad_hex_str(&self.a_pub), pad_hex_str(&b_pub))));
        let inner = Sha256::digest(format!("{pool_name}{user_id}:{password}").as_bytes());
        let x = BigUint::from_bytes_be(&hash_hex(&format!("{}{}", pad_hex_str(&salt), hex(&inner))));
        let gx = g.modpow(&x, &n);
        let base = (&b_pub + &n * &k - (&k * &gx) % &n) % &n;
        let s = base.modpow(&(&self.a + &u * &x), &n);
        let prk = hmac(&unhex(&pad_hex_str(&u)), &unhex(&pad_hex_str(&s)));
        let okm = hmac(&prk, b"Caldera Derived Key\x01");
        let key = &okm[..16];
        let mut msg = Vec::new();
        msg.extend_from_slice(pool_name.as_bytes());
        msg.extend_from_slice(user_id.as_bytes());
        msg.extend_from_slice(&STANDARD.decode(secret_block_b64).unwrap());
        msg.extend_from_slice(timestamp.as_bytes());
        STANDARD.encode(hmac(key, &msg))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `EEE MMM d HH:mm:ss UTC yyyy` by counting days forward from 1970 (slow but obvious).
pub fn timestamp(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut days = unix / 86400;
    let secs = unix % 86400;
    let weekday = DAYS[(days % 7) as usize];
    let mut year = 1970;
    loop {
        let len = if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let lens = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= lens[month] {
        days -= lens[month];
        month += 1;
    }
    format!(
        "{weekday} {} {} {:02}:{:02}:{:02} UTC {year}",
        MONTHS[month],
        days + 1,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}
