//! # cognito-wasm
//!
//! AWS Cognito user-pool sign-in for browser apps, in Rust compiled to WebAssembly.
//!
//! ## Contents
//! - Pure core (no I/O, no clock, no randomness; tested natively):
//!   [`bigint`] (3072-bit Montgomery arithmetic), [`srp`] (Cognito's SRP variant),
//!   [`timestamp`], [`encoding`], [`json`], [`jwt`], [`protocol`] (the user-pool JSON
//!   API), [`flow`] (sign-in as a state machine, with every challenge), [`account`]
//!   (self-service requests and replies), [`device`] (remembered devices), [`retry`]
//!   (which calls may be repeated, backoff), [`session`] (tokens and their storage
//!   layout), [`refresh`] (refresh policy, refresh/revoke requests), [`sigv4`] (AWS
//!   Signature Version 4), [`identity`] (identity-pool credentials as a state machine, and
//!   their cache policy), [`oauth`] (hosted UI: PKCE, authorize URL, callback, token
//!   exchange), [`idtoken`] (ID-token signature and claim checks), [`passkey`] (WebAuthn
//!   options and credentials, passkey management calls), [`error`].
//! - [`engine`]: every decision of the client as one synchronous state machine over effects
//!   (HTTP, storage, timers, locks, broadcasts, WebAuthn, RS256 checks, navigation), driven by
//!   the JS runner through engine-wasm/'s raw boundary (see docs/architecture.md).
//!
//! ## Example: a sign-in driven by hand
//! ```
//! use cognito_wasm::flow::{Password, SignIn, Step};
//! use cognito_wasm::protocol::{ClientConfig, HttpResponse};
//!
//! let config = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
//! let a = [0x5a; cognito_wasm::srp::EPHEMERAL_BYTES]; // use a CSPRNG in real code
//! let (flow, request) = SignIn::start(&config, None, "alice", Password::new("pw"), &a).unwrap();
//! assert_eq!(request.operation, "InitiateAuth");
//! // Send `request`, then feed the reply back:
//! let reply = HttpResponse {
//!     status: 400,
//!     body: r#"{"__type":"UserNotFoundException","message":"User does not exist."}"#.into(),
//!     error_type: None,
//!     date_s: 0,
//! };
//! let err = flow.handle(&reply, 1_700_000_000_000).unwrap_err();
//! assert_eq!(err.code.as_str(), "UserNotFoundException");
//! ```
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
// The wasm build is `no_std`: std's panic machinery (message formatting, payloads, hooks)
// would be most of the binary. A panic there is a bug and traps (`unreachable`); the code
// is written to have no panicking paths on input.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// A small free-list allocator: sign-in allocates a few kilobytes, so dlmalloc's speed is not
// needed and its size is.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without the atomics feature has a single thread.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub mod account;
pub mod bigint;
pub mod device;
pub mod encoding;
pub mod engine;
pub mod error;
pub mod flow;
// Identity pools: only in builds with the `identity` feature (the package's full engine).
#[cfg(feature = "identity")]
pub mod identity;
pub mod idtoken;
pub mod json;
pub mod jwt;
pub mod oauth;
pub mod passkey;
pub mod protocol;
pub mod refresh;
pub mod retry;
pub mod session;
pub mod sigv4;
pub mod srp;
pub mod timestamp;
pub mod utf8;

pub use error::{Code, Error};
