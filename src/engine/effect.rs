//! The effect vocabulary: everything the core asks its runner to do, and everything the
//! runner reports back. The runner (a small JS module in the browser, the simulated tabs of
//! `tests/lifecycle.rs` natively) executes effects and makes no decision of its own.
//!
//! Every effect that has a result carries a task `id`; the runner reports that result with
//! [`Input::Reply`] and the same id, in any order. Effects without a result (`Unlock`,
//! `CancelTimer`, `Broadcast`, `Emit`, `Navigate`, `ReplaceUrl`, `Complete`) are executed
//! in the order they were returned.
#![forbid(unsafe_code)]

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::protocol::HttpResponse;
use crate::session::Session;

/// HTTP method of an [`Http`] effect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// The one request type: every endpoint (user-pool JSON API, `/oauth2/*`, JWKS, identity
/// pool) is sent as one of these. The runner sends it with `credentials: 'omit'`,
/// `cache: 'no-store'` and aborts it after `timeout_ms` (reported as a network failure).
#[derive(Clone, PartialEq, Eq)]
pub struct Http {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub timeout_ms: u32,
}

impl core::fmt::Debug for Http {
    // Bodies and headers carry tokens, SRP values and secrets: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Http").field("method", &self.method).field("url", &self.url).finish_non_exhaustive()
    }
}

/// One storage operation; a [`Effect::Storage`] batch runs them in order.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageOp {
    Get(String),
    Set(String, String),
    Remove(String),
}

impl StorageOp {
    /// A `Get` (or, with `get` false, a `Remove`) of each key, in order: one loop for every
    /// batch built from a key list.
    pub fn batch(keys: &[String], get: bool) -> Vec<StorageOp> {
        let mut ops = Vec::with_capacity(keys.len() + 1);
        for k in keys {
            ops.push(if get { StorageOp::Get(k.clone()) } else { StorageOp::Remove(k.clone()) });
        }
        ops
    }
}

impl core::fmt::Debug for StorageOp {
    // Values are tokens: only keys are printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StorageOp::Get(k) => write!(f, "Get({k})"),
            StorageOp::Set(k, _) => write!(f, "Set({k}, …)"),
            StorageOp::Remove(k) => write!(f, "Remove({k})"),
        }
    }
}

/// Tab-to-tab notices (BroadcastChannel `cognito-wasm.{clientId}`); the message text is
/// the same as the previous releases', so tabs running either version understand each other.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Notice {
    SignedIn,
    SignedOut,
    TokenRefreshed,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::SignedIn => "signedIn",
            Notice::SignedOut => "signedOut",
            Notice::TokenRefreshed => "tokenRefreshed",
        }
    }
    pub fn parse(s: &str) -> Option<Notice> {
        match s {
            "signedIn" => Some(Notice::SignedIn),
            "signedOut" => Some(Notice::SignedOut),
            "tokenRefreshed" => Some(Notice::TokenRefreshed),
            _ => None,
        }
    }
}

/// `onAuthStateChange` event kinds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EventKind {
    SignedIn,
    SignedOut,
    TokenRefreshed,
    TokenRefreshFailed,
    SessionExpired,
    StorageFallback,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignedIn => "signedIn",
            EventKind::SignedOut => "signedOut",
            EventKind::TokenRefreshed => "tokenRefreshed",
            EventKind::TokenRefreshFailed => "tokenRefreshFailed",
            EventKind::SessionExpired => "sessionExpired",
            EventKind::StorageFallback => "storageFallback",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub session: Option<Session>,
    pub error: Option<Error>,
}

/// What a finished API call resolves to. `Debug` shows no operation result (it can hold
/// secrets: AWS credentials, a TOTP secret).
#[derive(Clone)]
pub enum Done {
    /// `currentSession()`: the session, or none when signed out.
    Session(Option<Session>),
    /// `signIn()` reached tokens.
    SignedIn(Session),
    /// `handleRedirectCallback()` reached tokens: the session and the app's `state`.
    Redirected(Session, Option<String>),
    /// `signIn()` needs an answer to a challenge (by Cognito's name).
    Challenge(String),
    /// `signOut()`: local state is gone; whether the server revoked the tokens.
    SignedOut { revoked: bool, error: Option<Error> },
    /// Any other operation (`engine::ops`): its result as JSON text (`JSON.parse`d by the
    /// runner), or `None` for a call that resolves to `undefined`.
    Json(Option<String>),
}

impl core::fmt::Debug for Done {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Done::Session(s) => f.debug_tuple("Session").field(s).finish(),
            Done::SignedIn(s) => f.debug_tuple("SignedIn").field(s).finish(),
            Done::Redirected(s, _) => f.debug_tuple("Redirected").field(s).finish_non_exhaustive(),
            Done::Challenge(n) => f.debug_tuple("Challenge").field(n).finish(),
            Done::SignedOut { revoked, error } => {
                f.debug_struct("SignedOut").field("revoked", revoked).field("error", error).finish()
            }
            Done::Json(j) => f.write_str(if j.is_some() { "Json(…)" } else { "Json(None)" }),
        }
    }
}

/// Everything the core asks of its runner. `Debug` shows no token, body or secret.
#[derive(Debug)]
pub enum Effect {
    Http {
        id: u32,
        /// Shared with the task that may send it again (no copy of its body and headers).
        request: Rc<Http>,
    },
    /// `logLevel: 'debug'`: the `Http` effect right after this one (same `id`) is `operation`'s try after
    /// `retries` retries. The runner times it and logs the operation, the status, the time
    /// and the retries when its response arrives (never a URL, header or body).
    Log {
        id: u32,
        operation: &'static str,
        retries: u32,
    },
    /// Run the operations in order on the configured storage; reply with one value per
    /// `Get`, or a failure if any operation threw.
    Storage {
        id: u32,
        /// Shared with the task that redoes it in memory if the storage throws.
        ops: Rc<Vec<StorageOp>>,
    },
    /// The same on this tab's own storage (sessionStorage, or the runner's memory where it
    /// is unusable): hosted-UI attempts and other per-tab state.
    TabStorage {
        id: u32,
        ops: Rc<Vec<StorageOp>>,
    },
    /// Wake the core at local time `at` (ms since the epoch), with `Reply::Fired`.
    Timer {
        id: u32,
        at: i64,
    },
    CancelTimer {
        id: u32,
    },
    /// Ask for the exclusive Web Lock `name`; reply `Locked(true)` when held, `Locked(false)`
    /// when the browser has no Web Locks (the core then uses a storage lease).
    Lock {
        id: u32,
        name: String,
    },
    /// Release the lock obtained by task `id`.
    Unlock {
        id: u32,
    },
    Broadcast {
        notice: Notice,
    },
    /// `navigator.credentials.get|create` with these options (JSON text).
    WebAuthn {
        id: u32,
        create: bool,
        options: String,
    },
    /// `crypto.subtle.verify` RSASSA-PKCS1-v1_5/SHA-256 with the key's `n`, `e` (base64url).
    VerifyRs256 {
        id: u32,
        n: String,
        e: String,
        data: Vec<u8>,
        signature: Vec<u8>,
    },
    Navigate {
        url: String,
    },
    ReplaceUrl {
        url: String,
    },
    Emit {
        event: Event,
    },
    /// API call `call` is finished.
    Complete {
        call: u32,
        result: Result<Done, Error>,
    },
}

/// The result of one effect, by task id.
pub enum Reply {
    /// Any HTTP status is a response; `Err` only when there was none (offline, CORS,
    /// dropped, timed out).
    Http(Result<HttpResponse, Error>),
    /// One value per `Get`, in order; `Err(())` when the storage threw.
    Storage(Result<Vec<Option<String>>, ()>),
    Fired,
    Locked(bool),
    /// A WebAuthn credential as JSON text, or the DOMException name.
    WebAuthn(Result<String, String>),
    Verified(bool),
}

impl core::fmt::Debug for Reply {
    // Stored values, credentials and reply bodies are tokens and secrets: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Reply::Http(r) => write!(f, "Http({r:?})"),
            Reply::Storage(Ok(v)) => write!(f, "Storage(Ok({} values))", v.len()),
            Reply::Storage(Err(())) => f.write_str("Storage(Err)"),
            Reply::Fired => f.write_str("Fired"),
            Reply::Locked(b) => write!(f, "Locked({b})"),
            Reply::WebAuthn(Ok(_)) => f.write_str("WebAuthn(Ok(…))"),
            Reply::WebAuthn(Err(e)) => write!(f, "WebAuthn(Err({e}))"),
            Reply::Verified(b) => write!(f, "Verified({b})"),
        }
    }
}

/// API calls into the core.
pub enum Call {
    CurrentSession,
    /// A password sign-in for a native caller (the runner sends `Op::SignIn` with JSON):
    /// USER_SRP_AUTH on the table-driven path without the challenges module, that module's
    /// sign-in with it. Native only: the wasm boundary has no input for it.
    #[cfg(not(target_arch = "wasm32"))]
    SignIn {
        username: String,
        password: String,
    },
    SignOut {
        global: bool,
        /// `{ redirect: true }` (hosted UI): to `/logout` afterwards.
        redirect: bool,
    },
    /// Every other operation (`engine::ops::Op`), with the app's argument as JSON text
    /// (validated in Rust; `{}` when the app passed none).
    Op {
        op: super::ops::Op,
        input: String,
    },
}

impl core::fmt::Debug for Call {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Call::CurrentSession => f.write_str("CurrentSession"),
            #[cfg(not(target_arch = "wasm32"))]
            Call::SignIn { username, .. } => write!(f, "SignIn({username}, …)"),
            Call::SignOut { global, redirect } => write!(f, "SignOut(global: {global}, redirect: {redirect})"),
            // The input may hold passwords and codes: only the operation is printed.
            Call::Op { op, .. } => write!(f, "Op({op:?}, …)"),
        }
    }
}

/// Everything the runner reports to the core.
#[derive(Debug)]
pub enum Input {
    Call {
        call: u32,
        op: Call,
    },
    Reply {
        id: u32,
        reply: Reply,
    },
    /// A BroadcastChannel message from another tab.
    Notice(Notice),
    /// `visibilitychange` (and the state at start-up).
    Visibility {
        hidden: bool,
    },
}
