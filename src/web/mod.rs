//! The only code that touches Web APIs: fetch, storage, randomness, the clock and WebAuthn.
//! Each module binds exactly what it needs; nothing here panics when an API is missing
//! or throws (blocked storage, offline network): it returns an [`Error`](crate::Error).

pub mod fetch;
pub mod hosted;
pub mod lifecycle;
pub mod request;
pub mod retry;
pub mod storage;
pub mod webauthn;

use crate::error::{Code, Error};

/// Fills `buf` from `crypto.getRandomValues` (window or worker).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| Error::new(Code::RandomUnavailable, "crypto.getRandomValues is not available"))
}

/// Milliseconds since the epoch, from `Date.now()`.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(test)]
mod tests;
