//! The sans-IO core: every decision of the client as a synchronous state machine.
//!
//! ```text
//!   app ──call──►  runner (JS: fetch, storage, timers, locks, BroadcastChannel)
//!                    │  Input { Call | Reply{id} | Notice | Visibility }, now, random
//!                    ▼
//!                  Auth::handle  ──►  Vec<Effect>  (Http, Storage, Timer, Lock, Broadcast,
//!                                                   Emit, Complete, …)
//! ```
//!
//! - [`effect`]: the vocabulary (one request type, batched storage, timers, locks, …).
//! - [`http`]: the one request builder and the one retry/backoff policy.
//! - [`config`]: the configuration, parsed once from one JSON value.
//! - [`srp_sign_in`]: USER_SRP_AUTH to tokens with table-built bodies (the journey's path).
//! - `challenges` (feature `challenges`): `signIn` in every form with every challenge on
//!   `flow::SignIn`, `respondToChallenge`, `prepareSignIn`, `signUp` / `confirmSignUp`
//!   (tests/challenges.rs drives it against the emulator).
//! - [`life`]: sign-in, `currentSession()` with single-flight refresh (tab and cross-tab,
//!   Web Locks or a storage lease), notices, background refresh, sign-out.
//! - [`ops`]: every other operation; [`hosted`] (feature `hosted-ui`): the hosted UI's
//!   authorize URL, callback (PKCE, state, JWKS, RS256, claims), `verifyIdToken`,
//!   `getUserInfo` and the `/logout` navigation of `signOut({ redirect: true })`.
//! - `account`, `devices`, `passkeys` (features of the same names): account self-service,
//!   remembered devices and passkey management (tests/account_ops.rs).
//!
//! Natively, `tests/lifecycle.rs` drives [`life::Auth`] with simulated tabs, a simulated
//! clock and the emulator in memory. See docs/architecture.md.

#[cfg(feature = "account")]
pub mod account;
#[cfg(feature = "migrate")]
pub mod amplify;
#[cfg(feature = "challenges")]
pub mod challenges;
pub mod config;
#[cfg(feature = "devices")]
pub mod devices;
pub mod effect;
#[cfg(feature = "extras")]
pub mod extras;
#[cfg(feature = "hosted-ui")]
pub mod hosted;
pub mod http;
#[cfg(feature = "identity")]
pub mod identity;
pub mod life;
pub mod ops;
#[cfg(feature = "passkeys")]
pub mod passkeys;
pub mod requests;
#[cfg(any(feature = "account", feature = "devices", feature = "passkeys"))]
pub mod results;
pub mod srp_sign_in;

pub use config::{Config, StorageKind};
pub use effect::{Call, Done, Effect, Event, EventKind, Http, Input, Method, Notice, Reply, StorageOp};
pub use life::{Auth, RANDOM_BYTES};
