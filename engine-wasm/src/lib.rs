//! The engine behind a raw, synchronous wasm boundary: no wasm-bindgen, no imports.
//!
//! JS writes one input into the buffer returned by `buf(len)` — 64 random bytes, then the
//! input as UTF-8 text — calls `configure`/`start`/`input`, and reads the effects back from
//! `out_ptr()`/the returned length. Records are separated by RS (0x1e), fields by US (0x1f);
//! a missing value is NUL (0x00). The format is described in `runner.mjs` next to its parser.
//! Errors cross as codes (`InvalidInput`, `NotAuthorizedException`, …), never panics.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use cognito_wasm::engine::{Auth, Config, RANDOM_BYTES};

pub mod wire;

struct State {
    /// One engine per `CognitoAuth`, by handle (freed slots are `None`).
    clients: Vec<Option<Auth>>,
    input: Vec<u8>,
    out: String,
}

struct Global(UnsafeCell<State>);
// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread, and every
// export below takes the state once for its whole (synchronous, non-reentrant) call.
unsafe impl Sync for Global {}

static STATE: Global = Global(UnsafeCell::new(State { clients: Vec::new(), input: Vec::new(), out: String::new() }));

fn state() -> &'static mut State {
    // SAFETY: see `Global`; JS never calls back into wasm from inside an export.
    unsafe { &mut *STATE.0.get() }
}

/// A buffer of `len` bytes for the next input; returns its address.
#[no_mangle]
pub extern "C" fn buf(len: usize) -> *mut u8 {
    let s = state();
    s.input.clear();
    s.input.resize(len, 0);
    s.input.as_mut_ptr()
}

#[no_mangle]
pub extern "C" fn out_ptr() -> *const u8 {
    state().out.as_ptr()
}

fn split_input(s: &State) -> (&[u8], &str) {
    let n = RANDOM_BYTES.min(s.input.len());
    let text = cognito_wasm::utf8::str(&s.input[n..]).unwrap_or("");
    (&s.input[..n], text)
}

/// Parses the configuration (JSON text after the random bytes) into a new client. Returns the
/// output length: one `K` record on success, else one `E` record.
#[no_mangle]
pub extern "C" fn configure() -> usize {
    let s = state();
    s.out.clear();
    let parsed = Config::parse(split_input(s).1);
    match parsed {
        Ok(c) => {
            // What the runner must open: `K kind cookieAttributes|␀ channelName handle`.
            let a = Auth::new(c);
            s.out.push('K');
            for v in [
                a.config().storage.as_str(),
                a.config().cookie_attributes.as_deref().unwrap_or("\0"),
                &a.channel_name(),
                &cognito_wasm::timestamp::decimal(s.clients.len() as u64),
            ] {
                s.out.push('\u{1f}');
                s.out.push_str(v);
            }
            s.clients.push(Some(a));
        }
        Err(e) => {
            s.out.push('E');
            wire::error(&mut s.out, &e);
        }
    }
    s.out.len()
}

/// `CognitoAuth.fromAmplifyConfig`: `{"config": …, "origin": …}` (after the random bytes) to
/// this library's configuration. Returns the output length: `J json` or one `E` record.
#[cfg(feature = "full")]
#[no_mangle]
pub extern "C" fn amplify() -> usize {
    let s = state();
    s.out.clear();
    match cognito_wasm::engine::amplify::from_amplify(split_input(s).1) {
        Ok(j) => {
            s.out.push('J');
            s.out.push('\u{1f}');
            s.out.push_str(&j);
        }
        Err(e) => {
            s.out.push('E');
            wire::error(&mut s.out, &e);
        }
    }
    s.out.len()
}

/// Start-up (`storage_ok`: the runner's storage probe). Returns the output length.
#[no_mangle]
pub extern "C" fn start(handle: usize, storage_ok: u32, now: f64) -> usize {
    let s = state();
    let State { clients, input, out } = s;
    out.clear();
    if let Some(Some(a)) = clients.get_mut(handle) {
        let effects = a.start(storage_ok != 0, now as i64, &input[..RANDOM_BYTES.min(input.len())]);
        wire::effects(out, &effects);
    }
    zero(input);
    out.len()
}

fn zero(v: &mut [u8]) {
    for b in v.iter_mut() {
        // Volatile so the password and SRP ephemeral are really gone from linear memory.
        unsafe { core::ptr::write_volatile(b, 0) };
    }
}

/// One input (see `wire::parse_input`). Returns the output length.
#[no_mangle]
pub extern "C" fn input(handle: usize, now: f64) -> usize {
    let s = state();
    s.out.clear();
    let (random, text) = split_input(s);
    let parsed = wire::parse_input(text);
    let random: [u8; RANDOM_BYTES] = {
        let mut r = [0u8; RANDOM_BYTES];
        r[..random.len()].copy_from_slice(random);
        r
    };
    zero(&mut s.input);
    if let (Some(Some(a)), Some(i)) = (s.clients.get_mut(handle), parsed) {
        let effects = a.handle(i, now as i64, &random);
        wire::effects(&mut s.out, &effects);
    }
    s.out.len()
}

/// `free()`: drops the client (its memory is zeroed where it held secrets).
#[no_mangle]
pub extern "C" fn free(handle: usize) {
    if let Some(slot) = state().clients.get_mut(handle) {
        *slot = None;
    }
}
