//! The client as one synchronous state machine: sign-in (SRP), `currentSession()` with
//! single-flight refresh in the tab and across tabs, the storage lease when there are no
//! Web Locks, cross-tab notices, background refresh, visibility and sign-out.
//!
//! [`Auth::handle`] takes one [`Input`], the local time and fresh random bytes, and returns
//! the effects to run. Nothing here reads a clock, draws randomness or does I/O.
//!
//! Storage layout: the keys and values amazon-cognito-identity-js uses
//! (`CognitoIdentityServiceProvider.{clientId}.{username}.{idToken|accessToken|…}`,
//! `….LastAuthUser`), written in `Session::to_entries` order, plus this library's
//! `….tokenSource` and `….refreshLease`, byte for byte as the previous releases wrote them.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::config::{Config, StorageKind};
use super::effect::{Call, Done, Effect, Event, EventKind, Input, Notice, Reply, StorageOp};
use super::http::{self, Outgoing, Wire};
use super::ops;
#[cfg(not(feature = "challenges"))]
use super::srp_sign_in::{Next, SrpSignIn};
use crate::encoding::hex_encode;
use crate::error::{Code, Error};
#[cfg(not(feature = "challenges"))]
use crate::flow::Password;
use crate::json::{self, Json};
use crate::protocol::HttpResponse;
use crate::refresh::{self, Decision, RefreshOptions, TokenSource};
use crate::session::{self, user_key, Session};
use crate::srp::EPHEMERAL_BYTES;
use crate::timestamp::decimal;

/// Why a hosted-UI session cannot be refreshed or revoked by a build without the hosted-UI
/// module (the `hosted-ui` feature).
#[cfg(not(feature = "hosted-ui"))]
const NO_HOSTED_UI: &str = "this session came from the hosted UI, and this build has no hosted-UI module";

/// The per-user keys a session is stored under (`session::session_keys`' order); a load
/// reads the first four.
const SESSION_FIELDS: [&str; 5] = ["idToken", "accessToken", "refreshToken", "clockDrift", "tokenSource"];

/// Random bytes each input must carry: an SRP ephemeral plus jitter and lease nonces.
pub const RANDOM_BYTES: usize = 64;
/// How long a storage lease (no Web Locks) is held at most, and tried for at most.
pub const LEASE_MS: i64 = 10_000;
/// A background refresh that failed on a fault is tried again after this long.
pub const BACKGROUND_RETRY_MS: i64 = 30_000;
/// A tab that waited for the lock re-reads storage this often, this many times, before it
/// refreshes itself: another renderer's localStorage write reaches it asynchronously.
const POLL_MS: i64 = 50;
const POLLS: u32 = 40;

/// The leeway for the background refresh's schedule: the configured one, unless it is at
/// least the tokens' whole lifetime, then half that lifetime (otherwise every new token would
/// be due at once and the background refresh would loop). An app's own `currentSession()`
/// uses the configured leeway as it is (2 h on 1 h tokens: each call refreshes, as asked); a
/// tab that waited for the lock uses the tokens another tab stored meanwhile whenever they
/// are unexpired, whatever the leeway, so five tabs still make one request.
pub fn leeway_for(s: &Session, configured_s: i64) -> i64 {
    let iat = json::parse(&s.access_claims).and_then(|c| c.get("iat").and_then(Json::as_i64));
    match iat {
        Some(iat) if s.access_exp.min(s.id_exp) > iat && configured_s >= s.access_exp.min(s.id_exp) - iat => {
            (s.access_exp.min(s.id_exp) - iat) / 2
        }
        _ => configured_s,
    }
}

/// Who asked: an API call (completed with `Complete`) or the background refresh.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Caller {
    App(u32),
    Background,
    /// An operation of `engine::ops` (call id) that needs the session first; its state
    /// waits in `Auth::pending`.
    #[cfg(feature = "ops")]
    Op(u32),
}

/// What to do with a loaded session.
enum Then {
    Current(Caller),
    /// The stored session as it is (no refresh) for an operation waiting in `pending`.
    #[cfg(feature = "ops")]
    Stored(u32),
    UnderLock,
    Notice(Notice, u32),
    Schedule,
    SignOut {
        call: u32,
        global: bool,
    },
}

enum HttpThen {
    Refresh,
    #[cfg(not(feature = "challenges"))]
    SignIn {
        call: u32,
        flow: Box<SrpSignIn>,
    },
    Revoke {
        call: u32,
        oauth: bool,
    },
    #[cfg(feature = "ops")]
    Op {
        call: u32,
        state: Box<ops::State>,
    },
}

/// What follows a session's save. It runs once the batch is written (or, if the storage threw,
/// once the session is in memory and `storageFallback` emitted): nobody hears of new tokens
/// before they are where the next read finds them.
enum Saved {
    /// The new session, and the one it replaces (restored if the write fails half-way).
    Refreshed(Session, Session),
    SignedIn {
        call: u32,
        session: Session,
        result: Answer,
    },
}

/// What a sign-in's call resolves to once its session is stored.
pub(crate) enum Answer {
    /// The session (`Done::SignedIn`).
    Session,
    /// A JSON result that carries the session (the challenge flow's `newDevice`).
    #[cfg(feature = "challenges")]
    Json(String),
    /// The session and the app's `state` (the hosted UI's callback).
    #[cfg(feature = "hosted-ui")]
    State(Option<String>),
}

/// What a task id is waiting for.
enum Wait {
    Saved(Box<Saved>),
    #[cfg(feature = "ops")]
    TabStore {
        ops: Rc<Vec<StorageOp>>,
        then: Box<Wait>,
    },
    Store {
        ops: Rc<Vec<StorageOp>>,
        then: Box<Wait>,
    },
    Ignore,
    /// A session load, with the sign-out count when it was asked for (`Auth::signed_outs`).
    LoadUser(Then, u32),
    LoadTokens(Then, String, u32),
    Lock,
    LeaseRead,
    LeaseVerify(String),
    LeaseCheck(String),
    LeaseRetry,
    LeaseRelease(String),
    Poll,
    Source,
    Http {
        out: Outgoing,
        attempt: u32,
        then: HttpThen,
    },
    HttpRetry {
        out: Outgoing,
        attempt: u32,
        then: HttpThen,
    },
    StartedPrev {
        call: u32,
        session: Box<Session>,
        source: TokenSource,
        result: Answer,
    },
    /// Any reply for an operation of `engine::ops`.
    #[cfg(feature = "ops")]
    Op {
        call: u32,
        state: Box<ops::State>,
    },
    SignOutSource {
        call: u32,
        global: bool,
        session: Box<Session>,
    },
    Background,
    NoticePoll(Notice, u32),
}

enum Held {
    Nothing,
    Web(u32),
    Lease(String),
}

struct Waiter {
    caller: Caller,
    usable: bool,
    session: Session,
}

/// The refresh in progress in this tab (at most one).
struct Flight {
    waiters: Vec<Waiter>,
    /// The access token the refresh was decided on.
    seen: String,
    held: Held,
    asked_at: i64,
    lease_started: i64,
    polls: u32,
    cur: Option<Session>,
    source: TokenSource,
    /// Signed out meanwhile (here or in another tab): the refresh's tokens are not stored.
    cancelled: bool,
    /// Refresh even if the local clock says the tokens are fresh (`Auth::refresh_op`).
    forced: bool,
}

pub struct Auth {
    cfg: Config,
    next: u32,
    out: Vec<Effect>,
    waits: Vec<(u32, Wait)>,
    /// The sessions in memory: configured so, or after the storage threw.
    memory: Option<Vec<(String, String)>>,
    fell_back: bool,
    flight: Option<Flight>,
    /// The access token of the session this tab last announced (signedIn / tokenRefreshed):
    /// a notice read before the other tab's write is visible here, and a refresh another tab
    /// made that this tab finds under the lock, are then announced once, with the new tokens.
    told: Option<String>,
    timer: Option<u32>,
    due: bool,
    hidden: bool,
    now: i64,
    rand: Zeroizing<[u8; RANDOM_BYTES]>,
    rand_at: usize,
    /// Operations waiting for `currentSession()`'s answer (`Caller::Op`), by call id.
    #[cfg(feature = "ops")]
    pending: Vec<(u32, ops::State)>,
    /// This tab's own state (hosted-UI attempts) after its storage threw.
    #[cfg(feature = "ops")]
    tab_memory: Option<Vec<(String, String)>>,
    /// Sign-outs so far (here, in another tab, or an ended session): a load asked for before
    /// one finds no session, even if it read storage before the removals.
    signed_outs: u32,
    /// Per-feature state that lives as long as the client (`engine::ops::Features`).
    #[allow(dead_code)]
    pub(crate) features: ops::Features,
}

/// The batch that stores `s`: its token source, then `Session::to_entries` in that order
/// (refresh token, drift, ID token, access token, `LastAuthUser`), built straight into
/// the batch.
fn save_ops(cid: &str, s: &Session, source: TokenSource) -> Vec<StorageOp> {
    let u = &s.username;
    let tk = user_key(cid, u, "tokenSource");
    let mut ops = Vec::with_capacity(6);
    ops.push(if source == TokenSource::HostedUi {
        StorageOp::Set(tk, String::from(source.as_str()))
    } else {
        StorageOp::Remove(tk)
    });
    if let Some(r) = &s.refresh_token {
        ops.push(StorageOp::Set(user_key(cid, u, "refreshToken"), r.clone()));
    }
    let mut drift = String::new();
    if s.clock_drift < 0 {
        drift.push('-');
    }
    drift.push_str(&decimal(s.clock_drift.unsigned_abs()));
    ops.push(StorageOp::Set(user_key(cid, u, "clockDrift"), drift));
    ops.push(StorageOp::Set(user_key(cid, u, "idToken"), s.id_token.clone()));
    ops.push(StorageOp::Set(user_key(cid, u, "accessToken"), s.access_token.clone()));
    ops.push(StorageOp::Set(session::last_user_key(cid), u.clone()));
    ops
}

/// The `i`th value a batch read (`None` when it read nothing there).
fn take(got: &mut [Option<String>], i: usize) -> Option<String> {
    got.get_mut(i).and_then(Option::take)
}

/// Removes every key `ops` sets.
fn removals(ops: &[StorageOp]) -> Vec<StorageOp> {
    let mut out = Vec::new();
    for o in ops {
        if let StorageOp::Set(k, _) = o {
            out.push(StorageOp::Remove(k.clone()));
        }
    }
    out
}

/// Runs a batch on the in-memory storage (keys are unique there, so order does not matter).
fn apply(mem: &mut Vec<(String, String)>, ops: &[StorageOp]) -> Vec<Option<String>> {
    let mut got = Vec::new();
    for op in ops {
        let (StorageOp::Get(k) | StorageOp::Set(k, _) | StorageOp::Remove(k)) = op;
        let at = mem.iter().position(|(n, _)| n == k);
        match op {
            StorageOp::Get(_) => got.push(at.map(|i| mem[i].1.clone())),
            _ => {
                if let Some(i) = at {
                    mem.swap_remove(i);
                }
                if let StorageOp::Set(k, v) = op {
                    mem.push((k.clone(), v.clone()));
                }
            }
        }
    }
    got
}

impl Auth {
    pub fn new(cfg: Config) -> Auth {
        let memory = (cfg.storage == StorageKind::Memory).then(Vec::new);
        Auth {
            cfg,
            next: 1,
            out: Vec::new(),
            waits: Vec::new(),
            memory,
            fell_back: false,
            flight: None,
            told: None,
            timer: None,
            due: false,
            hidden: false,
            now: 0,
            rand: Zeroizing::new([0; RANDOM_BYTES]),
            rand_at: EPHEMERAL_BYTES,
            #[cfg(feature = "ops")]
            pending: Vec::new(),
            #[cfg(feature = "ops")]
            tab_memory: None,
            signed_outs: 0,
            features: ops::Features::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The storage in use (`memory` after a fallback).
    pub fn storage_kind(&self) -> StorageKind {
        if self.memory.is_some() {
            StorageKind::Memory
        } else {
            self.cfg.storage
        }
    }

    /// The BroadcastChannel name for notices.
    pub fn channel_name(&self) -> String {
        let mut n = String::from("cognito-wasm.");
        n.push_str(self.cfg.client.client_id());
        n
    }

    /// Start-up: `storage_ok` is the runner's probe of the configured storage (false when it
    /// is blocked or absent: memory is used and `storageFallback` emitted).
    pub fn start(&mut self, storage_ok: bool, now: i64, random: &[u8]) -> Vec<Effect> {
        self.begin(now, random);
        if !storage_ok && self.memory.is_none() {
            self.fall_back();
        }
        self.load(Then::Schedule);
        core::mem::take(&mut self.out)
    }

    pub fn handle(&mut self, input: Input, now: i64, random: &[u8]) -> Vec<Effect> {
        self.begin(now, random);
        match input {
            Input::Call { call, op } => self.call(call, op),
            Input::Reply { id, reply } => {
                if let Some(i) = self.waits.iter().position(|(t, _)| *t == id) {
                    let (_, wait) = self.waits.swap_remove(i);
                    self.resume(id, wait, reply);
                }
            }
            Input::Notice(n) => self.notice(n),
            Input::Visibility { hidden } => {
                self.hidden = hidden;
                if !hidden
                    && self.cfg.auto_refresh
                    && (core::mem::replace(&mut self.due, false) || self.timer.is_none())
                {
                    self.load(Then::Current(Caller::Background));
                }
            }
        }
        // The SRP ephemeral must not outlive the input it came with.
        zeroize::Zeroize::zeroize(&mut self.rand[..]);
        core::mem::take(&mut self.out)
    }

    fn begin(&mut self, now: i64, random: &[u8]) {
        self.now = now;
        let n = random.len().min(RANDOM_BYTES);
        self.rand[..n].copy_from_slice(&random[..n]);
        self.rand_at = EPHEMERAL_BYTES;
    }

    fn rand_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        for x in &mut b {
            *x = self.rand[self.rand_at];
            self.rand_at = if self.rand_at + 1 < RANDOM_BYTES { self.rand_at + 1 } else { EPHEMERAL_BYTES };
        }
        u32::from_le_bytes(b)
    }

    fn task(&mut self, wait: Wait) -> u32 {
        let id = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        self.waits.push((id, wait));
        id
    }

    fn emit(&mut self, kind: EventKind, session: Option<&Session>, error: Option<&Error>) {
        if session.is_some() || matches!(kind, EventKind::SignedOut | EventKind::SessionExpired) {
            self.told = session.map(|s| s.access_token.clone());
        }
        self.out.push(Effect::Emit { event: Event { kind, session: session.cloned(), error: error.cloned() } });
    }

    fn complete(&mut self, call: u32, result: Result<Done, Error>) {
        #[cfg(feature = "hosted-ui")]
        let signed_out = matches!(result, Ok(Done::SignedOut { .. }));
        self.out.push(Effect::Complete { call, result });
        // `signOut({ redirect: true })`: then to the hosted UI's `/logout`.
        #[cfg(feature = "hosted-ui")]
        if signed_out {
            super::hosted::signed_out_done(self, call);
        }
    }

    fn timer(&mut self, at: i64, wait: Wait) -> u32 {
        let id = self.task(wait);
        self.out.push(Effect::Timer { id, at });
        id
    }

    // ---- storage -------------------------------------------------------------------

    fn storage(&mut self, ops: Vec<StorageOp>, then: Wait) {
        if let Some(mem) = &mut self.memory {
            let got = apply(mem, &ops);
            self.stored(then, got);
            return;
        }
        let ops = Rc::new(ops);
        let id = self.task(Wait::Store { ops: ops.clone(), then: Box::new(then) });
        self.out.push(Effect::Storage { id, ops });
    }

    /// The storage threw (or was never usable): sessions live in memory from now on.
    fn fall_back(&mut self) {
        self.memory = Some(Vec::new());
        if !self.fell_back {
            self.fell_back = true;
            self.emit(EventKind::StorageFallback, None, None);
        }
    }

    fn key(&self, user: &str, field: &str) -> String {
        user_key(self.cfg.client.client_id(), user, field)
    }

    /// A `Get` (or `Remove`) of each of `user`'s `fields`, in order.
    fn user_ops(&self, user: &str, fields: &[&str], get: bool) -> Vec<StorageOp> {
        let mut ops = Vec::with_capacity(fields.len() + 1);
        for f in fields {
            let k = self.key(user, f);
            ops.push(if get { StorageOp::Get(k) } else { StorageOp::Remove(k) });
        }
        ops
    }

    fn lease_key(&self) -> String {
        let mut k = session::key_prefix(self.cfg.client.client_id());
        k.push_str(".refreshLease");
        k
    }

    fn load(&mut self, then: Then) {
        let k = session::last_user_key(self.cfg.client.client_id());
        self.storage(alloc::vec![StorageOp::Get(k)], Wait::LoadUser(then, self.signed_outs));
    }

    fn clear(&mut self, user: &str) {
        // `session::session_keys`, built straight into the batch.
        let mut ops = self.user_ops(user, &SESSION_FIELDS, false);
        ops.push(StorageOp::Remove(session::last_user_key(self.cfg.client.client_id())));
        self.storage(ops, Wait::Ignore);
    }

    fn cancel_timer(&mut self) {
        if let Some(id) = self.timer.take() {
            if let Some(i) = self.waits.iter().position(|(t, _)| *t == id) {
                self.waits.swap_remove(i);
            }
            self.out.push(Effect::CancelTimer { id });
        }
    }

    /// (Re)arms the background refresh for `s` (`autoRefresh: true`).
    fn schedule_for(&mut self, s: &Session) {
        if !self.cfg.auto_refresh {
            return;
        }
        self.cancel_timer();
        let at = refresh::refresh_at_ms(s, self.now, leeway_for(s, self.cfg.leeway_s));
        self.timer = Some(self.timer(at, Wait::Background));
    }

    fn end_session(&mut self, user: &str) {
        self.signed_outs = self.signed_outs.wrapping_add(1);
        self.clear(user);
        self.cancel_timer();
        ops::signed_out(self, Some(user));
        self.emit(EventKind::SessionExpired, None, None);
        self.out.push(Effect::Broadcast { notice: Notice::SignedOut });
    }

    // ---- inputs --------------------------------------------------------------------

    fn call(&mut self, call: u32, op: Call) {
        match op {
            Call::CurrentSession => self.load(Then::Current(Caller::App(call))),
            Call::SignOut { global, redirect } => {
                // `{ redirect: true }` is checked before anything is done.
                #[cfg(feature = "hosted-ui")]
                if redirect && !super::hosted::sign_out_redirect(self, call) {
                    return;
                }
                #[cfg(not(feature = "hosted-ui"))]
                if redirect {
                    return self.complete(call, Err(Error::invalid_input(NO_HOSTED_UI)));
                }
                self.load(Then::SignOut { call, global })
            }
            // The argument may hold a password or a code: wiped once handled.
            Call::Op { op, input } => ops::start(self, call, op, &Zeroizing::new(input)),
            // The table-driven SRP path in a build without the challenges module; with it, the
            // challenges module's sign-in (so a build carries one SRP sign-in, not two).
            #[cfg(all(not(feature = "challenges"), not(target_arch = "wasm32")))]
            Call::SignIn { username, password } => self.srp_sign_in(call, &username, &Zeroizing::new(password)),
            #[cfg(all(feature = "challenges", not(target_arch = "wasm32")))]
            Call::SignIn { username, password } => {
                let member = |k: &str, v| (String::from(k), Json::Str(v));
                let input = Json::Obj(alloc::vec![member("username", username), member("password", password)]);
                // Wipes the password once handled.
                super::challenges::start(self, call, ops::Op::SignIn, input)
            }
        }
    }

    /// USER_SRP_AUTH to tokens on the table-driven path (`srp_sign_in.rs`), the sign-in
    /// journey's; any other challenge completes the call with its name.
    #[cfg(not(feature = "challenges"))]
    pub(crate) fn srp_sign_in(&mut self, call: u32, username: &str, password: &str) {
        let a = Zeroizing::new(self.rand[..EPHEMERAL_BYTES].to_vec());
        match SrpSignIn::start(&self.cfg.client, self.cfg.secret.as_ref(), username, Password::new(password), &a) {
            Ok((flow, req)) => self.send(http::api(req), HttpThen::SignIn { call, flow: Box::new(flow) }),
            Err(e) => self.complete(call, Err(e)),
        }
    }

    fn notice(&mut self, n: Notice) {
        match n {
            Notice::SignedOut => {
                self.signed_outs = self.signed_outs.wrapping_add(1);
                ops::signed_out(self, None);
                self.emit(EventKind::SignedOut, None, None);
                self.cancel_timer();
                if let Some(f) = &mut self.flight {
                    f.cancelled = true;
                }
            }
            // The notice can overtake the other tab's localStorage write.
            Notice::SignedIn | Notice::TokenRefreshed => self.load(Then::Notice(n, POLLS)),
        }
    }

    fn send(&mut self, out: Outgoing, then: HttpThen) {
        self.send_try(out, 1, then);
    }

    /// Try `attempt` of a request; with `logLevel: 'debug'` a `Log` effect first (its
    /// operation and retry count; the runner times it and prints one line on the response).
    fn send_try(&mut self, out: Outgoing, attempt: u32, then: HttpThen) {
        let request = out.http.clone();
        let operation = out.operation;
        let id = self.task(Wait::Http { out, attempt, then });
        if self.cfg.debug {
            self.out.push(Effect::Log { id, operation, retries: attempt - 1 });
        }
        self.out.push(Effect::Http { id, request });
    }

    fn resume(&mut self, id: u32, wait: Wait, reply: Reply) {
        // A reply of the wrong kind for what the task waits for is a runner bug: dropped.
        match reply {
            Reply::Storage(Ok(got)) => self.stored(wait, got),
            Reply::Storage(Err(())) => self.store_failed(wait),
            Reply::Fired => self.fired(wait),
            Reply::Locked(granted) => self.locked(id, wait, granted),
            Reply::Http(result) => self.http_reply(wait, result),
            #[cfg(feature = "ops")]
            r @ (Reply::WebAuthn(_) | Reply::Verified(_)) => {
                if let Wait::Op { call, state } = wait {
                    ops::resume(self, call, *state, r);
                }
            }
            #[cfg(not(feature = "ops"))]
            Reply::WebAuthn(_) | Reply::Verified(_) => {}
        }
    }

    #[inline(never)]
    fn stored(&mut self, wait: Wait, mut got: Vec<Option<String>>) {
        match wait {
            Wait::Store { then, .. } => self.stored(*then, got),
            #[cfg(feature = "ops")]
            Wait::TabStore { then, .. } => self.stored(*then, got),
            Wait::LoadUser(then, asked) => match take(&mut got, 0).filter(|u| !u.is_empty()) {
                Some(user) => {
                    let ops = self.user_ops(&user, &SESSION_FIELDS[..4], true);
                    self.storage(ops, Wait::LoadTokens(then, user, asked));
                }
                None => self.loaded(then, None),
            },
            Wait::LoadTokens(then, user, asked) => {
                // The values of the four keys `LoadUser` asked for, in order.
                let (id, access, refresh, drift) =
                    (take(&mut got, 0), take(&mut got, 1), take(&mut got, 2), take(&mut got, 3));
                let s = match (id, access) {
                    // Signed out since this load was asked for: what it read is gone (a
                    // sign-out's own load goes on, to revoke what it read).
                    _ if asked != self.signed_outs && !matches!(then, Then::SignOut { .. }) => None,
                    (Some(id), Some(access)) => {
                        Session::from_stored(&self.cfg.client, user, id, access, refresh, drift.as_deref())
                    }
                    _ => None,
                };
                self.loaded(then, s);
            }
            Wait::LeaseRead => {
                let now = self.now;
                let held = take(&mut got, 0)
                    .and_then(|v| v.bytes().rposition(|c| c == b':').and_then(|i| v.get(i + 1..)).and_then(json::int));
                if held.is_none_or(|exp| exp < now) {
                    let (a, b) = (self.rand_u32(), self.rand_u32());
                    let mut nonce = [0u8; 8];
                    nonce[..4].copy_from_slice(&a.to_le_bytes());
                    nonce[4..].copy_from_slice(&b.to_le_bytes());
                    let mut mine = hex_encode(&nonce);
                    mine.push(':');
                    mine.push_str(&decimal((now + LEASE_MS) as u64));
                    let k = self.lease_key();
                    self.storage(alloc::vec![StorageOp::Set(k, mine.clone())], Wait::Ignore);
                    self.timer(now + 40, Wait::LeaseVerify(mine));
                } else {
                    self.timer(now + 60, Wait::LeaseRetry);
                }
            }
            Wait::LeaseCheck(mine) => {
                if got.first().and_then(|v| v.as_deref()) == Some(mine.as_str()) {
                    if let Some(f) = &mut self.flight {
                        f.held = Held::Lease(mine);
                    }
                    self.under_lock();
                } else {
                    self.timer(self.now + 60, Wait::LeaseRetry);
                }
            }
            Wait::LeaseRelease(mine) if got.first().and_then(|v| v.as_deref()) == Some(mine.as_str()) => {
                let k = self.lease_key();
                self.storage(alloc::vec![StorageOp::Remove(k)], Wait::Ignore);
            }
            Wait::Source => self.refresh_request(got),
            Wait::StartedPrev { call, session: s, source, result } => {
                if let Some(prev) = take(&mut got, 0).filter(|p| *p != s.username) {
                    // A different user signing in replaces the previous user's session.
                    self.clear(&prev);
                }
                let ops = save_ops(self.cfg.client.client_id(), &s, source);
                self.storage(ops, Wait::Saved(Box::new(Saved::SignedIn { call, session: *s, result })));
            }
            Wait::Saved(then) => match *then {
                Saved::SignedIn { call, session: s, result } => {
                    self.emit(EventKind::SignedIn, Some(&s), None);
                    self.out.push(Effect::Broadcast { notice: Notice::SignedIn });
                    self.schedule_for(&s);
                    let done = match result {
                        Answer::Session => Done::SignedIn(s),
                        #[cfg(feature = "challenges")]
                        Answer::Json(json) => Done::Json(Some(json)),
                        #[cfg(feature = "hosted-ui")]
                        Answer::State(state) => Done::Redirected(s, state),
                    };
                    self.complete(call, Ok(done));
                }
                Saved::Refreshed(new, _) => {
                    self.emit(EventKind::TokenRefreshed, Some(&new), None);
                    self.out.push(Effect::Broadcast { notice: Notice::TokenRefreshed });
                    self.schedule_for(&new);
                    self.finish(Ok(Some(new)));
                }
            },
            #[cfg(feature = "ops")]
            Wait::Op { call, state } => ops::resume(self, call, *state, Reply::Storage(Ok(got))),
            Wait::SignOutSource { call, global, session: s } => {
                let source = TokenSource::parse(got.first().and_then(|v| v.as_deref()));
                self.signed_out_locally(Some(&s.username));
                self.revoke(call, global, &s, source);
            }
            _ => {}
        }
    }

    #[inline(never)]
    fn store_failed(&mut self, wait: Wait) {
        match wait {
            Wait::Store { ops, then } => {
                let removed = removals(&ops);
                if removed.is_empty() {
                    // A read that throws finds nothing (the session is then simply not found).
                    let mut got = Vec::new();
                    for o in ops.iter() {
                        if matches!(o, StorageOp::Get(_)) {
                            got.push(None);
                        }
                    }
                    return self.stored(*then, got);
                }
                // Undo what the batch may have written there, then go on in memory: a refresh
                // puts the previous tokens back (a write that threw at once changed nothing,
                // one that failed half-way is repaired), anything else is removed.
                let undo = match &*then {
                    Wait::Saved(saved) => match &**saved {
                        Saved::Refreshed(_, prev) => {
                            let source = self.flight.as_ref().map_or(TokenSource::UserPool, |f| f.source);
                            save_ops(self.cfg.client.client_id(), prev, source)
                        }
                        Saved::SignedIn { .. } => removed,
                    },
                    _ => removed,
                };
                let id = self.task(Wait::Ignore);
                self.out.push(Effect::Storage { id, ops: Rc::new(undo) });
                self.fall_back();
                let got = self.memory.as_mut().map(|m| apply(m, &ops)).unwrap_or_default();
                self.stored(*then, got);
            }
            #[cfg(feature = "ops")]
            Wait::TabStore { ops, then } => {
                let got = apply(self.tab_memory.get_or_insert_with(Vec::new), &ops);
                self.stored(*then, got);
            }
            _ => {}
        }
    }

    #[inline(never)]
    fn fired(&mut self, wait: Wait) {
        match wait {
            Wait::LeaseVerify(mine) => {
                let k = self.lease_key();
                self.storage(alloc::vec![StorageOp::Get(k)], Wait::LeaseCheck(mine));
            }
            Wait::LeaseRetry => {
                let started = self.flight.as_ref().map_or(0, |f| f.lease_started);
                if self.now - started < LEASE_MS {
                    self.lease_read();
                } else {
                    // A stale lease must not block refresh forever.
                    self.under_lock();
                }
            }
            Wait::Poll => self.load(Then::UnderLock),
            Wait::HttpRetry { out, attempt, then } => self.send_try(out, attempt, then),
            Wait::Background => {
                self.timer = None;
                if self.hidden {
                    // Caught up on `visibilitychange`.
                    self.due = true;
                } else {
                    self.load(Then::Current(Caller::Background));
                }
            }
            Wait::NoticePoll(n, polls) => self.load(Then::Notice(n, polls)),
            #[cfg(feature = "ops")]
            Wait::Op { call, state } => ops::resume(self, call, *state, Reply::Fired),
            _ => {}
        }
    }

    #[inline(never)]
    fn locked(&mut self, id: u32, wait: Wait, granted: bool) {
        if !matches!(wait, Wait::Lock) {
            return;
        }
        if granted {
            if let Some(f) = &mut self.flight {
                f.held = Held::Web(id);
            }
            self.under_lock();
        } else if self.storage_kind().shared() {
            if let Some(f) = &mut self.flight {
                f.lease_started = self.now;
            }
            self.lease_read();
        } else {
            self.under_lock();
        }
    }

    #[inline(never)]
    fn http_reply(&mut self, wait: Wait, result: Result<HttpResponse, Error>) {
        let Wait::Http { out, attempt, then } = wait else { return };
        let random = self.rand_u32();
        match http::retry_after(&out, attempt, &result, random) {
            Some(ms) => {
                let at = self.now + i64::from(ms);
                self.timer(at, Wait::HttpRetry { out, attempt: attempt + 1, then });
            }
            None => self.http_done(then, result),
        }
    }

    fn loaded(&mut self, then: Then, s: Option<Session>) {
        match then {
            Then::Current(caller) => {
                let Some(s) = s else { return self.answer(caller, Ok(None)) };
                match refresh::decide(&s, self.now, self.cfg.leeway_s) {
                    Decision::Use => self.answer(caller, Ok(Some(s))),
                    Decision::Expired => {
                        self.end_session(&s.username);
                        self.answer(caller, Ok(None));
                    }
                    Decision::Refresh { usable } => self.join(caller, usable, s),
                }
            }
            Then::UnderLock => self.checked_under_lock(s),
            #[cfg(feature = "ops")]
            Then::Stored(call) => {
                if let Some(i) = self.pending.iter().position(|(c, _)| *c == call) {
                    let (_, state) = self.pending.swap_remove(i);
                    ops::with_session(self, call, state, Ok(s));
                }
            }
            Then::Schedule => {
                if let Some(s) = s {
                    self.schedule_for(&s);
                }
            }
            Then::Notice(n, polls) => match s {
                // Not what this tab announced already (else the other tab's write is not visible yet).
                Some(s) if self.told.as_deref() != Some(s.access_token.as_str()) => {
                    let kind = if n == Notice::SignedIn { EventKind::SignedIn } else { EventKind::TokenRefreshed };
                    self.emit(kind, Some(&s), None);
                    self.schedule_for(&s);
                }
                _ if polls > 0 => {
                    self.timer(self.now + POLL_MS, Wait::NoticePoll(n, polls - 1));
                }
                _ => {}
            },
            Then::SignOut { call, global } => match s {
                Some(s) => {
                    let k = TokenSource::key(self.cfg.client.client_id(), &s.username);
                    self.storage(
                        alloc::vec![StorageOp::Get(k)],
                        Wait::SignOutSource { call, global, session: Box::new(s) },
                    );
                }
                None => {
                    self.signed_out_locally(None);
                    self.complete(call, Ok(Done::SignedOut { revoked: false, error: None }));
                }
            },
        }
    }

    /// Delivers a `currentSession()` answer.
    fn answer(&mut self, caller: Caller, r: Result<Option<Session>, Error>) {
        match caller {
            Caller::App(call) => self.complete(call, r.map(Done::Session)),
            Caller::Background => match r {
                Ok(Some(s)) if self.timer.is_none() => self.schedule_for(&s),
                Ok(_) => {}
                // A fault: try again in a while (the session is kept).
                Err(_) => {
                    self.cancel_timer();
                    self.timer = Some(self.timer(self.now + BACKGROUND_RETRY_MS, Wait::Background));
                }
            },
            #[cfg(feature = "ops")]
            Caller::Op(call) => {
                if let Some(i) = self.pending.iter().position(|(c, _)| *c == call) {
                    let (_, state) = self.pending.swap_remove(i);
                    ops::with_session(self, call, state, r);
                }
            }
        }
    }

    // ---- refresh -------------------------------------------------------------------

    /// Joins the refresh in progress in this tab, or starts one (asking for the lock).
    fn join(&mut self, caller: Caller, usable: bool, s: Session) {
        if let Some(f) = &mut self.flight {
            f.waiters.push(Waiter { caller, usable, session: s });
            return;
        }
        let seen = s.access_token.clone();
        self.flight = Some(Flight {
            waiters: alloc::vec![Waiter { caller, usable, session: s }],
            seen,
            held: Held::Nothing,
            asked_at: self.now,
            lease_started: self.now,
            polls: 0,
            cur: None,
            source: TokenSource::UserPool,
            cancelled: false,
            forced: false,
        });
        let mut name = String::from("cognito-wasm.refresh.");
        name.push_str(self.cfg.client.client_id());
        let id = self.task(Wait::Lock);
        self.out.push(Effect::Lock { id, name });
    }

    fn lease_read(&mut self) {
        let k = self.lease_key();
        self.storage(alloc::vec![StorageOp::Get(k)], Wait::LeaseRead);
    }

    /// Holding the lock (or the lease, or neither when there is no other tab): re-read
    /// storage first.
    fn under_lock(&mut self) {
        let shared = self.storage_kind().shared();
        let now = self.now;
        if let Some(f) = &mut self.flight {
            // Waiting means another tab probably refreshed.
            f.polls = if shared && now - f.asked_at > 20 { POLLS } else { 0 };
        }
        self.load(Then::UnderLock);
    }

    fn checked_under_lock(&mut self, cur: Option<Session>) {
        let Some(cur) = cur else { return self.finish(Ok(None)) };
        let Some(f) = &self.flight else { return };
        let fresh = refresh::decide(&cur, self.now, self.cfg.leeway_s) == Decision::Use;
        let changed = cur.access_token != f.seen;
        if (fresh && !f.forced) || (changed && self.now < refresh::expiry_ms(&cur)) {
            // Another tab refreshed while this one waited: use its tokens (and say so, unless
            // its notice already did).
            if changed && self.told.as_deref() != Some(cur.access_token.as_str()) {
                self.emit(EventKind::TokenRefreshed, Some(&cur), None);
            }
            return self.finish(Ok(Some(cur)));
        }
        if f.polls > 0 && !changed {
            if let Some(f) = &mut self.flight {
                f.polls -= 1;
            }
            self.timer(self.now + POLL_MS, Wait::Poll);
            return;
        }
        let ops = alloc::vec![
            StorageOp::Get(self.key(&cur.username, "tokenSource")),
            StorageOp::Get(self.key(&cur.username, "deviceKey"))
        ];
        if let Some(f) = &mut self.flight {
            f.cur = Some(cur);
        }
        self.storage(ops, Wait::Source);
    }

    fn refresh_request(&mut self, mut got: Vec<Option<String>>) {
        let Some(cur) = self.flight.as_ref().and_then(|f| f.cur.clone()) else { return };
        let source = TokenSource::parse(got.first().and_then(|v| v.as_deref()));
        let device = take(&mut got, 1);
        if let Some(f) = &mut self.flight {
            f.source = source;
        }
        let secret = self.cfg.secret.as_ref();
        let out = if source == TokenSource::HostedUi {
            #[cfg(feature = "hosted-ui")]
            let out = match self.cfg.domain.as_deref() {
                Some(d) => {
                    refresh::oauth_request(d, &self.cfg.client, &cur, secret).map(|r| http::form(r, "/oauth2/token"))
                }
                None => Err(Error::invalid_input("this session came from the hosted UI: set `domain` to refresh it")),
            };
            #[cfg(not(feature = "hosted-ui"))]
            let out = Err(Error::invalid_input(NO_HOSTED_UI));
            out
        } else {
            let opts = RefreshOptions { device_key: device.as_deref(), secret, rotation: self.cfg.rotation };
            super::requests::refresh(&self.cfg.client, &cur, &opts).map(http::api)
        };
        match out {
            Ok(out) => self.send(out, HttpThen::Refresh),
            Err(e) => self.refreshed(Err(e)),
        }
    }

    fn refreshed(&mut self, r: Result<Session, Error>) {
        let Some((cur, source)) = self.flight.as_ref().and_then(|f| f.cur.clone().map(|c| (c, f.source))) else {
            return;
        };
        if self.flight.as_ref().is_some_and(|f| f.cancelled) {
            return self.finish(Ok(None));
        }
        match r {
            Ok(new) => {
                let ops = save_ops(self.cfg.client.client_id(), &new, source);
                self.storage(ops, Wait::Saved(Box::new(Saved::Refreshed(new, cur))));
            }
            Err(e) if refresh::ends_session(&e) => {
                self.end_session(&cur.username);
                self.finish(Err(e));
            }
            Err(e) => {
                self.emit(EventKind::TokenRefreshFailed, Some(&cur), Some(&e));
                self.finish(Err(e));
            }
        }
    }

    /// Ends the flight: releases the lock and answers everyone who joined it.
    fn finish(&mut self, r: Result<Option<Session>, Error>) {
        let Some(f) = self.flight.take() else { return };
        match f.held {
            Held::Web(id) => self.out.push(Effect::Unlock { id }),
            Held::Lease(mine) => {
                let k = self.lease_key();
                self.storage(alloc::vec![StorageOp::Get(k)], Wait::LeaseRelease(mine));
            }
            Held::Nothing => {}
        }
        for w in f.waiters {
            let answer = match &r {
                Ok(s) => Ok(s.clone()),
                // A rejected refresh token ends the session: signed out, not an error.
                Err(e) if refresh::ends_session(e) => Ok(None),
                Err(e) if w.caller == Caller::Background => Err(e.clone()),
                Err(_) if w.usable => Ok(Some(w.session)),
                Err(e) => Err(e.clone()),
            };
            self.answer(w.caller, answer);
        }
    }

    // ---- HTTP replies ----------------------------------------------------------------

    fn http_done(&mut self, then: HttpThen, result: Result<HttpResponse, Error>) {
        match then {
            HttpThen::Refresh => {
                let Some((cur, source)) = self.flight.as_ref().and_then(|f| f.cur.clone().map(|c| (c, f.source)))
                else {
                    return;
                };
                let r = result.and_then(|resp| match source {
                    #[cfg(feature = "hosted-ui")]
                    TokenSource::HostedUi => refresh::parse_oauth_reply(&self.cfg.client, &cur, &resp, self.now),
                    // Without the hosted-UI module only user-pool refreshes are ever sent.
                    _ => refresh::parse_user_pool_reply(&self.cfg.client, &cur, &resp, self.now),
                });
                self.refreshed(r);
            }
            #[cfg(not(feature = "challenges"))]
            HttpThen::SignIn { call, flow } => match result
                .and_then(|resp| flow.handle(&self.cfg.client, self.cfg.secret.as_ref(), &resp, self.now))
            {
                Ok(Next::Send(flow, req)) => self.send(http::api(req), HttpThen::SignIn { call, flow: Box::new(flow) }),
                Ok(Next::SignedIn(s)) => self.signed_in(call, s, TokenSource::UserPool, Answer::Session),
                Ok(Next::Challenge(name)) => self.complete(call, Ok(Done::Challenge(name))),
                Err(e) => self.complete(call, Err(e)),
            },
            HttpThen::Revoke { call, oauth } => {
                let r = result.and_then(|resp| refresh::parse_empty_reply(&resp, oauth));
                let (revoked, error) = match r {
                    Ok(()) => (true, None),
                    Err(e) => (false, Some(e)),
                };
                self.complete(call, Ok(Done::SignedOut { revoked, error }));
            }
            #[cfg(feature = "ops")]
            HttpThen::Op { call, state } => ops::resume(self, call, *state, Reply::Http(result)),
        }
    }
}

// What `engine::ops` builds on (unused in a build without any of its features).
#[allow(dead_code)]
impl Auth {
    /// The local time of the input being handled.
    pub(crate) fn now(&self) -> i64 {
        self.now
    }

    /// The input's 32 SRP ephemeral bytes (zeroed after the input).
    pub(crate) fn ephemeral(&self) -> &[u8] {
        &self.rand[..EPHEMERAL_BYTES]
    }

    /// Four fresh random bytes (jitter, nonces); never the ephemeral's.
    pub(crate) fn random_u32(&mut self) -> u32 {
        self.rand_u32()
    }

    pub(crate) fn effect(&mut self, e: Effect) {
        self.out.push(e);
    }

    pub(crate) fn done(&mut self, call: u32, result: Result<Done, Error>) {
        self.complete(call, result);
    }

    pub(crate) fn event(&mut self, kind: EventKind, session: Option<&Session>, error: Option<&Error>) {
        self.emit(kind, session, error);
    }

    #[cfg(feature = "ops")]
    /// Sends `out` under the one retry policy; its final reply goes to `ops::resume`.
    pub(crate) fn send_op(&mut self, out: Outgoing, call: u32, state: ops::State) {
        self.send(out, HttpThen::Op { call, state: Box::new(state) });
    }

    #[cfg(feature = "ops")]
    /// Runs a storage batch (memory fallback included); the values go to `ops::resume`.
    pub(crate) fn storage_op(&mut self, ops: Vec<StorageOp>, call: u32, state: ops::State) {
        self.storage(ops, Wait::Op { call, state: Box::new(state) });
    }

    #[cfg(feature = "ops")]
    /// A batch on this tab's own storage (`Effect::TabStorage`); the values go to
    /// `ops::resume` (`Err(())` when even the runner's fallback failed).
    /// Once a batch there has thrown, this tab's state lives in memory (as for the shared
    /// storage): an in-page sign-in (authorizeUrl + a popup) still completes.
    pub(crate) fn tab_storage_op(&mut self, ops: Vec<StorageOp>, call: u32, state: ops::State) {
        if let Some(mem) = &mut self.tab_memory {
            let got = apply(mem, &ops);
            return ops::resume(self, call, state, Reply::Storage(Ok(got)));
        }
        let then = Box::new(Wait::Op { call, state: Box::new(state) });
        let ops = Rc::new(ops);
        let id = self.task(Wait::TabStore { ops: ops.clone(), then });
        self.out.push(Effect::TabStorage { id, ops });
    }

    /// A storage batch whose outcome nobody waits for.
    pub(crate) fn storage_fire(&mut self, ops: Vec<StorageOp>) {
        self.storage(ops, Wait::Ignore);
    }

    #[cfg(feature = "ops")]
    /// A task id for an effect built by the operation itself (`WebAuthn`, `VerifyRs256`,
    /// `Timer`); its reply goes to `ops::resume`.
    pub(crate) fn task_op(&mut self, call: u32, state: ops::State) -> u32 {
        self.task(Wait::Op { call, state: Box::new(state) })
    }

    #[cfg(feature = "ops")]
    /// `currentSession()` (refreshing when due, single flight), then
    /// `ops::with_session(call, state, answer)`.
    pub(crate) fn with_current_session(&mut self, call: u32, state: ops::State) {
        self.pending.push((call, state));
        self.load(Then::Current(Caller::Op(call)));
    }

    #[cfg(feature = "ops")]
    /// A refresh although the local clock says `used`'s tokens are fresh (a server said
    /// they expired): joins the refresh in progress, or starts one that refreshes unless the
    /// stored tokens are no longer `used`'s (another tab refreshed); then
    /// `ops::with_session(call, state, answer)` (an error when the refresh failed).
    pub(crate) fn refresh_op(&mut self, call: u32, state: ops::State, used: Session) {
        self.pending.push((call, state));
        let started = self.flight.is_none();
        self.join(Caller::Op(call), false, used);
        if let Some(f) = self.flight.as_mut().filter(|_| started) {
            f.forced = true;
        }
    }

    #[cfg(feature = "ops")]
    /// The stored session as it is, without refreshing it (`getUserInfo` uses the stored
    /// access token, as before), then `ops::with_session(call, state, answer)`.
    pub(crate) fn with_stored_session(&mut self, call: u32, state: ops::State) {
        self.pending.push((call, state));
        self.load(Then::Stored(call));
    }

    /// A sign-in reached tokens: replaces another user's session, stores this one (with its
    /// source), emits `signedIn`, tells the other tabs, arms the background refresh and
    /// completes `call` with the session (or with `result`, JSON text, when given).
    pub(crate) fn signed_in(&mut self, call: u32, s: Session, source: TokenSource, result: Answer) {
        let k = session::last_user_key(self.cfg.client.client_id());
        self.storage(alloc::vec![StorageOp::Get(k)], Wait::StartedPrev { call, session: Box::new(s), source, result });
    }

    /// The storage key `CognitoIdentityServiceProvider.{clientId}.{user}.{field}`.
    pub(crate) fn user_key(&self, user: &str, field: &str) -> String {
        self.key(user, field)
    }

    // ---- sign-out --------------------------------------------------------------------

    /// Local state goes first: a revocation that fails must not leave the user signed in.
    pub(crate) fn signed_out_locally(&mut self, user: Option<&str>) {
        self.signed_outs = self.signed_outs.wrapping_add(1);
        if let Some(f) = &mut self.flight {
            f.cancelled = true;
        }
        match user {
            Some(u) => self.clear(u),
            None => {
                let k = session::last_user_key(self.cfg.client.client_id());
                self.storage(alloc::vec![StorageOp::Remove(k)], Wait::Ignore);
            }
        }
        self.cancel_timer();
        ops::signed_out(self, user);
        self.emit(EventKind::SignedOut, None, None);
        self.out.push(Effect::Broadcast { notice: Notice::SignedOut });
    }

    /// Which revocation sign-out uses: GlobalSignOut for `{ global: true }`, otherwise the
    /// refresh token is revoked where it came from (RevokeToken, or `/oauth2/revoke` for
    /// hosted-UI sessions).
    fn revoke(&mut self, call: u32, global: bool, s: &Session, source: TokenSource) {
        let secret = self.cfg.secret.as_ref();
        let out = if global {
            Ok(http::api(super::requests::global_sign_out(&self.cfg.client, &s.access_token)))
        } else if let Some(rt) = s.refresh_token.as_deref().filter(|t| !t.is_empty()) {
            match (source, self.cfg.domain.as_deref()) {
                #[cfg(feature = "hosted-ui")]
                (TokenSource::HostedUi, Some(d)) => {
                    Ok(http::form(refresh::oauth_revoke_request(d, &self.cfg.client, rt, secret), "/oauth2/revoke"))
                }
                #[cfg(feature = "hosted-ui")]
                (TokenSource::HostedUi, None) => Err(Error::invalid_input("set `domain` to revoke hosted-UI sessions")),
                #[cfg(not(feature = "hosted-ui"))]
                (TokenSource::HostedUi, _) => Err(Error::invalid_input(NO_HOSTED_UI)),
                (TokenSource::UserPool, _) => Ok(http::api(super::requests::revoke(&self.cfg.client, rt, secret))),
            }
        } else {
            Err(Error::new(Code::InvalidInput, "the session had no refresh token to revoke"))
        };
        match out {
            Ok(out) => {
                let oauth = out.wire == Wire::OAuth;
                self.send(out, HttpThen::Revoke { call, oauth });
            }
            Err(e) => self.complete(call, Ok(Done::SignedOut { revoked: false, error: Some(e) })),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_keys_cleared_are_session_keys() {
        let mut keys: Vec<String> = SESSION_FIELDS.iter().map(|f| user_key("client1", "alice", f)).collect();
        keys.push(session::last_user_key("client1"));
        assert_eq!(keys, session::session_keys("client1", "alice"));
        assert_eq!(keys[5], "CognitoIdentityServiceProvider.client1.LastAuthUser");
    }

    #[test]
    fn a_save_writes_to_entries_in_order() {
        for (refresh, drift, source) in [(Some("r"), -3, TokenSource::UserPool), (None, 12, TokenSource::HostedUi)] {
            let s = Session {
                username: "alice".into(),
                id_token: "i".into(),
                access_token: "a".into(),
                refresh_token: refresh.map(String::from),
                clock_drift: drift,
                access_exp: 0,
                id_exp: 0,
                id_claims: "{}".into(),
                access_claims: "{}".into(),
            };
            let mut want = alloc::vec![match source {
                TokenSource::HostedUi => StorageOp::Set(user_key("c", "alice", "tokenSource"), "hostedUI".into()),
                TokenSource::UserPool => StorageOp::Remove(user_key("c", "alice", "tokenSource")),
            }];
            want.extend(s.to_entries("c").into_iter().map(|(k, v)| StorageOp::Set(k, v)));
            assert_eq!(save_ops("c", &s, source), want);
        }
    }
}
