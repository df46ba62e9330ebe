//! Fixed-width 3072-bit arithmetic modulo the SRP group prime, in Montgomery form.
//!
//! Cognito's SRP works in one group only: the RFC 3526 3072-bit MODP prime with g = 2.
//! Fixing the width lets every number live on the stack as `[u32; 96]`, with loops of
//! constant length whose bounds checks the compiler removes — no allocation, no panic
//! path, and a multiply loop tight enough for wasm (where 32×32→64 is one `i64.mul`).
//!
//! The exponentiations take secret exponents (the ephemeral `a`, the password hash `x`):
//! squarings and multiplications run in a fixed pattern, table look-ups touch every
//! entry, and reductions select with masks, so the sequence of operations does not
//! depend on secret bits.
#![forbid(unsafe_code)]
// Fixed-width limb loops read clearer with indices, and their bounds are constants.
#![allow(clippy::needless_range_loop)]

/// Number of 32-bit limbs in a 3072-bit number.
pub const LIMBS: usize = 96;
/// Bytes in a 3072-bit number.
pub const BYTES: usize = LIMBS * 4;

/// A 3072-bit unsigned integer, little-endian limbs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct U3072(pub(crate) [u32; LIMBS]);

/// The RFC 3526 §4 3072-bit MODP prime, big-endian bytes.
pub const N_BYTES: [u8; BYTES] = hex_array(concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
));

#[allow(clippy::panic)] // compile-time only: a bad constant fails the build
const fn hex_nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("bad hex digit in constant"),
    }
}

const fn hex_array(s: &str) -> [u8; BYTES] {
    let s = s.as_bytes();
    assert!(s.len() == BYTES * 2);
    let mut out = [0u8; BYTES];
    let mut i = 0;
    while i < BYTES {
        out[i] = (hex_nibble(s[2 * i]) << 4) | hex_nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

const fn limbs_from_be(bytes: &[u8; BYTES]) -> [u32; LIMBS] {
    let mut out = [0u32; LIMBS];
    let mut i = 0;
    while i < LIMBS {
        let o = BYTES - 4 * (i + 1);
        out[i] = ((bytes[o] as u32) << 24)
            | ((bytes[o + 1] as u32) << 16)
            | ((bytes[o + 2] as u32) << 8)
            | (bytes[o + 3] as u32);
        i += 1;
    }
    out
}

/// N as limbs.
pub const N: U3072 = U3072(limbs_from_be(&N_BYTES));

/// −N⁻¹ mod 2³², the Montgomery constant (N ≡ −1 mod 2³² for this prime, so it is 1;
/// computed rather than assumed).
const N0_INV: u32 = {
    // Newton iteration for the inverse of an odd number modulo 2^32.
    let n0 = N.0[0];
    let mut inv: u32 = 1;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
};

/// R mod N where R = 2³⁰⁷²; since 2³⁰⁷¹ < N < 2³⁰⁷², that is 2³⁰⁷² − N = (−N) mod 2³⁰⁷².
/// Computed when needed rather than stored: a 384-byte table does not compress, and this is
/// one subtraction.
fn r_mod_n() -> U3072 {
    U3072::ZERO.sub_with_borrow(&N).0
}

/// R² mod N: R·2³ mod N by three modular doublings, then ten Montgomery squarings (each
/// maps R·2ᵗ to R·2²ᵗ), R·2^(3·2¹⁰) = R·2³⁰⁷² = R² mod N. About as much work as ten
/// exponent bits, done once per exponentiation instead of storing 384 bytes.
fn r2_mod_n() -> U3072 {
    let mut x = r_mod_n().double_mod().double_mod().double_mod();
    for _ in 0..10 {
        x = mont_sqr(&x);
    }
    x
}

/// N as big-endian bytes (for hashing), from the one stored copy of N.
pub fn n_bytes() -> [u8; BYTES] {
    core::hint::black_box(&N).to_be_bytes()
}

impl U3072 {
    pub const ZERO: U3072 = U3072([0; LIMBS]);

    /// From big-endian bytes, ignoring leading zero bytes. `None` if the value needs more
    /// than 3072 bits.
    pub fn from_be_bytes(bytes: &[u8]) -> Option<U3072> {
        // Every byte is read, whatever its value: the bytes beyond 3072 bits are OR-ed
        // together and must come to zero (the loop's branch is on the index only).
        let mut out = [0u32; LIMBS];
        let mut high = 0u8;
        let n = bytes.len();
        for k in 0..n {
            let b = bytes[n - 1 - k];
            if k < BYTES {
                out[k / 4] |= u32::from(b) << (8 * (k % 4));
            } else {
                high |= b;
            }
        }
        (high == 0).then_some(U3072(out))
    }

    /// Big-endian bytes, exactly 384 of them.
    pub fn to_be_bytes(&self) -> [u8; BYTES] {
        let mut out = [0u8; BYTES];
        for i in 0..LIMBS {
            let k = BYTES - 4 * (i + 1);
            out[k..k + 4].copy_from_slice(&self.0[i].to_be_bytes());
        }
        out
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().fold(0u32, |acc, &l| acc | l) == 0
    }

    /// `self − m` with the final borrow (1 when `self < m`).
    fn sub_with_borrow(&self, m: &U3072) -> (U3072, u32) {
        let mut out = [0u32; LIMBS];
        let mut borrow: u64 = 0;
        for i in 0..LIMBS {
            let t = (self.0[i] as u64).wrapping_sub(m.0[i] as u64).wrapping_sub(borrow);
            out[i] = t as u32;
            borrow = (t >> 63) & 1;
        }
        (U3072(out), borrow as u32)
    }

    fn add_with_carry(&self, m: &U3072) -> (U3072, u32) {
        let mut out = [0u32; LIMBS];
        let mut carry: u64 = 0;
        for i in 0..LIMBS {
            let t = self.0[i] as u64 + m.0[i] as u64 + carry;
            out[i] = t as u32;
            carry = t >> 32;
        }
        (U3072(out), carry as u32)
    }

    /// Picks `a` when `mask` is all ones and `b` when it is zero, without branching.
    fn select(mask: u32, a: &U3072, b: &U3072) -> U3072 {
        let mut out = [0u32; LIMBS];
        for i in 0..LIMBS {
            out[i] = (a.0[i] & mask) | (b.0[i] & !mask);
        }
        U3072(out)
    }

    /// `self mod N` for any 3072-bit value (one conditional subtraction suffices, N > 2³⁰⁷¹).
    pub fn reduce(&self) -> U3072 {
        let (d, borrow) = self.sub_with_borrow(&N);
        U3072::select(borrow.wrapping_sub(1), &d, self)
    }

    /// `(self − other) mod N` for `self, other < N`.
    pub fn sub_mod(&self, other: &U3072) -> U3072 {
        let (d, borrow) = self.sub_with_borrow(other);
        let (fixed, _) = d.add_with_carry(&N);
        U3072::select(0u32.wrapping_sub(borrow), &fixed, &d)
    }

    /// `2·self mod N` for `self < N`.
    fn double_mod(&self) -> U3072 {
        let (d, carry) = self.add_with_carry(self);
        let (s, borrow) = d.sub_with_borrow(&N);
        // Subtract when the doubling carried out, or when the subtraction did not borrow.
        let take_s = carry | (borrow ^ 1);
        U3072::select(0u32.wrapping_sub(take_s), &s, &d)
    }
}

/// Montgomery reduction of a 192-limb product: returns t·R⁻¹ mod N (for t < N·R).
///
/// Every row ends with one addition into the word just above it, and whatever that
/// overflows (one bit) is carried into the next row's top word instead of being chased up
/// the number: the loop bounds and the work are the same for every input.
#[inline(always)]
fn mont_reduce(t: &mut [u32; 2 * LIMBS]) -> U3072 {
    let mut hi: u64 = 0; // the overflow owed to t[i + LIMBS], from the row before
    for i in 0..LIMBS {
        let m = t[i].wrapping_mul(N0_INV) as u64;
        let mut carry: u64 = 0;
        for j in 0..LIMBS {
            let s = t[i + j] as u64 + m * N.0[j] as u64 + carry;
            t[i + j] = s as u32;
            carry = s >> 32;
        }
        let s = t[i + LIMBS] as u64 + carry + hi;
        t[i + LIMBS] = s as u32;
        hi = s >> 32;
    }
    let mut out = [0u32; LIMBS];
    out.copy_from_slice(&t[LIMBS..2 * LIMBS]);
    // The result is hi·2³⁰⁷² + out < 2N: subtract N once when hi is set or out ≥ N.
    let r = U3072(out);
    let (s, borrow) = r.sub_with_borrow(&N);
    let take_s = (hi as u32) | (borrow ^ 1);
    U3072::select(0u32.wrapping_sub(take_s & 1), &s, &r)
}

/// Montgomery product a·b·R⁻¹ mod N.
pub(crate) fn mont_mul(a: &U3072, b: &U3072) -> U3072 {
    let mut t = [0u32; 2 * LIMBS];
    for i in 0..LIMBS {
        let ai = a.0[i] as u64;
        let mut carry: u64 = 0;
        for j in 0..LIMBS {
            let s = t[i + j] as u64 + ai * b.0[j] as u64 + carry;
            t[i + j] = s as u32;
            carry = s >> 32;
        }
        t[i + LIMBS] = carry as u32;
    }
    mont_reduce(&mut t)
}

/// Montgomery square a²·R⁻¹ mod N: the cross products are computed once and doubled.
pub(crate) fn mont_sqr(a: &U3072) -> U3072 {
    let mut t = [0u32; 2 * LIMBS];
    // Cross products a[i]·a[j] for i < j.
    for i in 0..LIMBS {
        let ai = a.0[i] as u64;
        let mut carry: u64 = 0;
        for j in (i + 1)..LIMBS {
            let s = t[i + j] as u64 + ai * a.0[j] as u64 + carry;
            t[i + j] = s as u32;
            carry = s >> 32;
        }
        t[i + LIMBS] = carry as u32;
    }
    // Double them.
    let mut top = 0u32;
    for limb in t.iter_mut().take(2 * LIMBS) {
        let v = *limb;
        *limb = (v << 1) | top;
        top = v >> 31;
    }
    // Add the squares a[i]².
    let mut carry: u64 = 0;
    for i in 0..LIMBS {
        let sq = a.0[i] as u64 * a.0[i] as u64;
        let lo = t[2 * i] as u64 + (sq & 0xffff_ffff) + carry;
        t[2 * i] = lo as u32;
        let hi = t[2 * i + 1] as u64 + (sq >> 32) + (lo >> 32);
        t[2 * i + 1] = hi as u32;
        carry = hi >> 32;
    }
    mont_reduce(&mut t)
}

/// Into Montgomery form: x·R mod N (x < N).
pub(crate) fn to_mont(x: &U3072) -> U3072 {
    mont_mul(x, &r2_mod_n())
}

/// Out of Montgomery form.
pub(crate) fn from_mont(x: &U3072) -> U3072 {
    let mut one = U3072::ZERO;
    one.0[0] = 1;
    mont_mul(x, &one)
}

/// 2^exp mod N (exp big-endian bytes of any length).
///
/// With g = 2 each "multiply by the base" is a modular doubling, so the cost is one
/// squaring per exponent bit and no multiplications at all. The doubling is always
/// computed and selected by mask, so the work does not depend on the exponent's bits.
pub fn pow2_mod(exp: &[u8]) -> U3072 {
    let mut x = r_mod_n(); // 1 in Montgomery form
                           // Bits most significant first; plain counted loops (fixed trip counts, no branch on a bit).
    for &byte in exp {
        for k in 0..8 {
            let bit = u32::from((byte >> (7 - k)) & 1);
            x = mont_sqr(&x);
            let d = x.double_mod();
            x = U3072::select(0u32.wrapping_sub(bit), &d, &x);
        }
    }
    from_mont(&x)
}

/// base^exp mod N for base < N (exp big-endian bytes of any length), with a fixed 4-bit
/// window: 4 squarings and one multiplication per nibble, table read in full each time.
pub fn pow_mod(base: &U3072, exp: &[u8]) -> U3072 {
    let one = r_mod_n(); // 1 in Montgomery form
    let mut table = [one; 16];
    table[1] = to_mont(base);
    for i in 2..16 {
        table[i] = mont_mul(&table[i - 1], &table[1]);
    }
    let mut x = one;
    // Nibbles most significant first, in plain counted loops.
    for &b in exp {
        for half in 0..2 {
            let nib = u32::from((b >> (4 - 4 * half)) & 15);
            for _ in 0..4 {
                x = mont_sqr(&x);
            }
            let mut entry = U3072::ZERO;
            for (i, t) in table.iter().enumerate() {
                let eq = ((i as u32) ^ nib).wrapping_sub(1) >> 31; // 1 when equal
                entry = U3072::select(0u32.wrapping_sub(eq), t, &entry);
            }
            x = mont_mul(&x, &entry);
        }
    }
    from_mont(&x)
}

/// a·b mod N for a, b < N.
pub fn mul_mod(a: &U3072, b: &U3072) -> U3072 {
    mont_mul(&to_mont(a), b)
}

/// Product of two big-endian byte strings as big-endian bytes (schoolbook; used for the
/// 256×256-bit exponent product u·x), and the sum of two such numbers.
pub fn mul_be(a: &[u8], b: &[u8]) -> alloc::vec::Vec<u8> {
    let (la, lb) = (a.len(), b.len());
    let n = la + lb;
    let mut out = alloc::vec![0u8; n];
    for i in 0..la {
        let ai = u32::from(a[la - 1 - i]);
        let mut carry: u32 = 0;
        for j in 0..lb {
            // Position n − 1 − (i + j) ≥ 1: i < la and j < lb.
            let o = &mut out[n - 1 - (i + j)];
            let s = u32::from(*o) + ai * u32::from(b[lb - 1 - j]) + carry;
            *o = s as u8;
            carry = s >> 8;
        }
        // Row i wrote positions i .. i + lb − 1 (from the end); the one above is still zero,
        // so the carry lands there whole (no loop whose length depends on the digits).
        out[n - 1 - i - lb] = carry as u8;
    }
    out
}

pub fn add_be(a: &[u8], b: &[u8]) -> alloc::vec::Vec<u8> {
    let n = a.len().max(b.len()) + 1;
    let mut out = alloc::vec![0u8; n];
    let mut carry = 0u16;
    for k in 0..n {
        let x = if k < a.len() { a[a.len() - 1 - k] as u16 } else { 0 };
        let y = if k < b.len() { b[b.len() - 1 - k] as u16 } else { 0 };
        let s = x + y + carry;
        out[n - 1 - k] = s as u8;
        carry = s >> 8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    fn big(x: &U3072) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes())
    }
    fn from_big(x: &BigUint) -> U3072 {
        U3072::from_be_bytes(&x.to_bytes_be()).unwrap()
    }
    fn n_big() -> BigUint {
        BigUint::from_bytes_be(&N_BYTES)
    }
    /// Deterministic pseudo-random bytes (xorshift) for property checks.
    fn prng_bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed >> 24) as u8
            })
            .collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn prime_constant_matches_rfc3526() {
        let hex: String = N_BYTES.iter().map(|b| format!("{b:02x}")).collect();
        assert!(hex.starts_with("ffffffffffffffffc90fdaa22168c234"));
        assert!(hex.ends_with("4b82d120a93ad2caffffffffffffffff"));
        // The RFC gives N = 2^3072 - 2^3008 - 1 + 2^64 * ( [2^2942 pi] + 1690314 ); check
        // the structure we can check without pi: top and bottom 64 bits set, odd, 3072 bits.
        assert_eq!(n_big().bits(), 3072);
        assert_eq!(N0_INV, 1, "N ≡ -1 mod 2^32, so -N^-1 ≡ 1");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn montgomery_constants() {
        let r = BigUint::from(1u8) << 3072;
        assert_eq!(big(&r_mod_n()), &r % n_big());
        assert_eq!(big(&r2_mod_n()), (&r * &r) % n_big());
        assert_eq!(n_bytes(), N_BYTES);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn mul_sqr_pow_agree_with_num_bigint() {
        let n = n_big();
        let mut seed = 0x1234_5678_9abc_def0u64;
        for round in 0..20 {
            let a = BigUint::from_bytes_be(&prng_bytes(&mut seed, 384)) % &n;
            let b = BigUint::from_bytes_be(&prng_bytes(&mut seed, 384 - round)) % &n;
            let (ua, ub) = (from_big(&a), from_big(&b));
            assert_eq!(big(&mul_mod(&ua, &ub)), (&a * &b) % &n, "mul {round}");
            let am = to_mont(&ua);
            assert_eq!(big(&from_mont(&mont_sqr(&am))), (&a * &a) % &n, "sqr {round}");
            let e = prng_bytes(&mut seed, 1 + round * 7);
            let eb = BigUint::from_bytes_be(&e);
            assert_eq!(big(&pow_mod(&ua, &e)), a.modpow(&eb, &n), "pow {round}");
            assert_eq!(big(&pow2_mod(&e)), BigUint::from(2u8).modpow(&eb, &n), "pow2 {round}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn extreme_operands() {
        let n = n_big();
        let nm1 = &n - 1u8;
        let x = from_big(&nm1);
        // (N-1)^2 = 1 mod N; (N-1)^3 = N-1.
        assert_eq!(big(&pow_mod(&x, &[2])), BigUint::from(1u8));
        assert_eq!(big(&pow_mod(&x, &[3])), nm1);
        assert_eq!(big(&pow_mod(&x, &[])), BigUint::from(1u8));
        assert!(pow_mod(&U3072::ZERO, &[5]).is_zero());
        assert_eq!(big(&pow2_mod(&[0])), BigUint::from(1u8));
        assert_eq!(big(&pow2_mod(&[0x0b])), BigUint::from(2048u32));
        // Fermat: 2^(N-1) = 1.
        assert_eq!(big(&pow2_mod(&nm1.to_bytes_be())), BigUint::from(1u8));
        // reduce and sub_mod
        assert_eq!(big(&x.sub_mod(&from_big(&BigUint::from(5u8)))), &n - 6u8);
        assert_eq!(big(&from_big(&BigUint::from(5u8)).sub_mod(&x)), BigUint::from(6u8));
        let all_ones = U3072([u32::MAX; LIMBS]);
        assert_eq!(big(&all_ones.reduce()), big(&all_ones) - &n);
        assert!(N.reduce().is_zero());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn byte_conversions() {
        assert!(U3072::from_be_bytes(&[1; 385]).is_none());
        let mut long = vec![0u8; 500];
        long[499] = 7;
        assert_eq!(big(&U3072::from_be_bytes(&long).unwrap()), BigUint::from(7u8));
        assert!(U3072::from_be_bytes(&[]).unwrap().is_zero());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn small_products() {
        let mut seed = 99u64;
        for len in [1usize, 2, 17, 32, 48] {
            let a = prng_bytes(&mut seed, len);
            let b = prng_bytes(&mut seed, 32);
            let p = BigUint::from_bytes_be(&mul_be(&a, &b));
            assert_eq!(p, BigUint::from_bytes_be(&a) * BigUint::from_bytes_be(&b));
            let s = BigUint::from_bytes_be(&add_be(&a, &b));
            assert_eq!(s, BigUint::from_bytes_be(&a) + BigUint::from_bytes_be(&b));
        }
        assert_eq!(add_be(&[0xff], &[0x01]), vec![1, 0]);
    }

    /// Operands whose every row carries as far as it can: all-ones byte strings for
    /// `mul_be`, and N − 1, N − 2 and R − 1 mod N (most limbs 0xffffffff) through the
    /// Montgomery product and square, where the reduction's overflow bit is set.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn carry_heavy_operands() {
        for (la, lb) in [(1usize, 1usize), (32, 32), (48, 65), (7, 3)] {
            let (a, b) = (vec![0xffu8; la], vec![0xffu8; lb]);
            let p = BigUint::from_bytes_be(&mul_be(&a, &b));
            assert_eq!(p, BigUint::from_bytes_be(&a) * BigUint::from_bytes_be(&b), "{la}x{lb}");
        }
        assert_eq!(mul_be(&[0xff], &[0xff]), vec![0xfe, 0x01]);
        let n = n_big();
        let r = BigUint::from(1u8) << 3072;
        let cases = [&n - 1u8, &n - 2u8, (&r - 1u8) % &n, BigUint::from(1u8) << 3071];
        for a in &cases {
            for b in &cases {
                let (ua, ub) = (from_big(a), from_big(b));
                assert_eq!(big(&mul_mod(&ua, &ub)), (a * b) % &n);
                // Montgomery form in and out directly: mont_mul(x, y) = x·y·R⁻¹.
                let prod = from_mont(&mont_mul(&to_mont(&ua), &to_mont(&ub)));
                assert_eq!(big(&prod), (a * b) % &n);
            }
            let sq = from_mont(&mont_sqr(&to_mont(&from_big(a))));
            assert_eq!(big(&sq), (a * a) % &n);
        }
    }
}
