//! The session lifecycle, natively: simulated tabs sharing a storage map and a lock table,
//! a simulated clock, and the Rust emulator routed in memory as the server, all driving the
//! real core (`cognito_wasm::engine::Auth`) through its effects. In the spirit of
//! quinn-proto's `tests/util.rs` `Pair`: everything in one test, stepped deterministically.
//!
//! The emulator is reached through `server::route` (no socket). It stamps tokens with the
//! real clock while the simulated one moves ahead; the engine measures that as clock drift
//! (as it would for a browser whose clock is off), so expiry is still judged correctly.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use cognito_emulator::jwt::Signer;
use cognito_emulator::pool::Pool;
use cognito_emulator::server::{route, Incoming};
use cognito_wasm::engine::{
    Auth, Call, Config, Done, Effect, EventKind, Input, Notice, Reply, StorageOp, RANDOM_BYTES,
};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::{Code, Error};

const POOL: &str = "us-east-1_EmuPool01";
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const BASE: &str = "http://127.0.0.1:9229";
const PASSWORD: &str = "Correct-Horse-9";
/// One network round trip in simulated time.
const LATENCY_MS: i64 = 30;
const PREFIX: &str = "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.";

fn real_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

struct Tab {
    auth: Auth,
    completions: Vec<(u32, Result<Done, Error>)>,
    events: Vec<EventKind>,
}

#[derive(Default)]
struct Lock {
    holder: Option<(usize, u32)>,
    queue: VecDeque<(usize, u32)>,
}

struct World {
    pool: Pool,
    now: i64,
    seq: u64,
    rng: u64,
    /// localStorage, shared by every tab of the origin.
    storage: BTreeMap<String, String>,
    storage_throws: bool,
    reads_throw: bool,
    web_locks: bool,
    /// BroadcastChannel messages are lost (a tab learns only from storage).
    drop_notices: bool,
    /// How long a storage batch takes (0: answered in the same instant).
    storage_ms: i64,
    locks: HashMap<String, Lock>,
    tabs: Vec<Tab>,
    /// (deliver at, order, tab, input)
    queue: Vec<(i64, u64, usize, Input)>,
    /// Every request the server saw: (X-Amz-Target operation or path, body).
    requests: Vec<(String, String)>,
    next_call: u32,
    /// `Debug` of every input and effect, to check that none shows a secret.
    debug_log: String,
}

impl World {
    fn new(ttl: u64) -> World {
        World::with_client(ttl, serde_json::json!({ "clientId": CLIENT }))
    }

    /// A world whose app client is `client` (the emulator's fixture shape), e.g. with
    /// Cognito's `RefreshTokenRotation` setting.
    fn with_client(ttl: u64, client: serde_json::Value) -> World {
        let config = serde_json::json!({
            "userPoolId": POOL,
            "clients": [client],
            "users": [
                { "username": "alice", "password": PASSWORD, "attributes": { "email": "alice@example.com" } },
                { "username": "bob", "password": PASSWORD },
            ],
            "tokenTtlSeconds": ttl,
        });
        let pool = Pool::new(serde_json::from_value(config).unwrap(), BASE, Arc::new(Signer::generate())).unwrap();
        World {
            pool,
            now: real_now_ms(),
            seq: 0,
            rng: 0x9e37_79b9_7f4a_7c15,
            storage: BTreeMap::new(),
            storage_throws: false,
            reads_throw: false,
            web_locks: true,
            drop_notices: false,
            storage_ms: 0,
            locks: HashMap::new(),
            tabs: Vec::new(),
            queue: Vec::new(),
            requests: Vec::new(),
            next_call: 1,
            debug_log: String::new(),
        }
    }

    fn random(&mut self) -> [u8; RANDOM_BYTES] {
        let mut out = [0u8; RANDOM_BYTES];
        for chunk in out.chunks_mut(8) {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            chunk.copy_from_slice(&self.rng.to_le_bytes());
        }
        out
    }

    /// Opens a tab with this configuration (extra JSON members merged in).
    fn open(&mut self, extra: serde_json::Value) -> usize {
        let mut cfg = serde_json::json!({ "userPoolId": POOL, "clientId": CLIENT, "endpoint": format!("{BASE}/") });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let auth = Auth::new(Config::parse(&cfg.to_string()).unwrap());
        self.tabs.push(Tab { auth, completions: Vec::new(), events: Vec::new() });
        let t = self.tabs.len() - 1;
        let random = self.random();
        let effects = self.tabs[t].auth.start(true, self.now, &random);
        self.run_effects(t, effects);
        self.run();
        t
    }

    fn push(&mut self, at: i64, tab: usize, input: Input) {
        self.seq += 1;
        self.queue.push((at, self.seq, tab, input));
    }

    fn call(&mut self, tab: usize, op: Call) -> u32 {
        let call = self.next_call;
        self.next_call += 1;
        self.push(self.now, tab, Input::Call { call, op });
        call
    }

    /// Delivers everything due, in time order, until nothing is left before `until`.
    fn run_until(&mut self, until: i64) {
        while let Some(i) = (0..self.queue.len()).min_by_key(|&i| (self.queue[i].0, self.queue[i].1)) {
            if self.queue[i].0 > until {
                break;
            }
            let (at, _, tab, input) = self.queue.swap_remove(i);
            self.now = self.now.max(at);
            let random = self.random();
            self.debug_log.push_str(&format!("{input:?}\n"));
            let effects = self.tabs[tab].auth.handle(input, self.now, &random);
            self.run_effects(tab, effects);
        }
    }

    /// Runs until no input is pending except timers later than 20 s from now.
    fn run(&mut self) {
        let horizon = self.now + 20_000;
        self.run_until(horizon);
    }

    fn advance(&mut self, ms: i64) {
        let to = self.now + ms;
        self.run_until(to);
        self.now = to;
    }

    fn run_effects(&mut self, tab: usize, effects: Vec<Effect>) {
        for e in effects {
            self.debug_log.push_str(&format!("{e:?}\n"));
            match e {
                Effect::Http { id, request } => {
                    let path = request.url.strip_prefix(BASE).unwrap_or("/").to_string();
                    let headers: Vec<(String, String)> =
                        request.headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                    let op = headers
                        .iter()
                        .find(|(k, _)| k == "X-Amz-Target")
                        .map(|(_, v)| v.rsplit('.').next().unwrap().to_string())
                        .unwrap_or_else(|| path.clone());
                    self.requests.push((op, request.body.clone()));
                    let reply = route(
                        &self.pool,
                        &Incoming {
                            method: request.method.as_str(),
                            url: &path,
                            headers,
                            body: request.body.clone().into_bytes(),
                        },
                    );
                    let result = if reply.status == 0 {
                        Err(Error::new(Code::Network, "the connection was dropped"))
                    } else {
                        let error_type = reply
                            .headers
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("x-amzn-errortype"))
                            .map(|(_, v)| v.clone());
                        Ok(HttpResponse {
                            status: reply.status,
                            body: String::from_utf8(reply.body).unwrap(),
                            error_type,
                            date_s: 0,
                        })
                    };
                    self.push(self.now + LATENCY_MS, tab, Input::Reply { id, reply: Reply::Http(result) });
                }
                Effect::Storage { id, ops } => {
                    let mut got = Vec::new();
                    let mut threw = false;
                    for op in ops.iter().cloned() {
                        match op {
                            StorageOp::Get(_) if self.reads_throw => {
                                threw = true;
                                break;
                            }
                            StorageOp::Get(k) => got.push(self.storage.get(&k).cloned()),
                            StorageOp::Set(k, v) => {
                                if self.storage_throws {
                                    // QuotaExceededError: what was written before stays.
                                    threw = true;
                                    break;
                                }
                                self.storage.insert(k, v);
                            }
                            StorageOp::Remove(k) => {
                                self.storage.remove(&k);
                            }
                        }
                    }
                    let reply = Reply::Storage(if threw { Err(()) } else { Ok(got) });
                    self.push(self.now + self.storage_ms, tab, Input::Reply { id, reply });
                }
                Effect::Timer { id, at } => self.push(at.max(self.now), tab, Input::Reply { id, reply: Reply::Fired }),
                Effect::CancelTimer { id } => self.queue.retain(|(_, _, t, i)| {
                    !(*t == tab && matches!(i, Input::Reply { id: x, reply: Reply::Fired } if *x == id))
                }),
                Effect::Lock { id, name } => {
                    if !self.web_locks {
                        self.push(self.now, tab, Input::Reply { id, reply: Reply::Locked(false) });
                        continue;
                    }
                    let l = self.locks.entry(name).or_default();
                    if l.holder.is_none() {
                        l.holder = Some((tab, id));
                        self.push(self.now, tab, Input::Reply { id, reply: Reply::Locked(true) });
                    } else {
                        l.queue.push_back((tab, id));
                    }
                }
                Effect::Unlock { id } => {
                    let mut grant = None;
                    for l in self.locks.values_mut() {
                        if l.holder == Some((tab, id)) {
                            l.holder = l.queue.pop_front();
                            grant = l.holder;
                        }
                    }
                    if let Some((t, i)) = grant {
                        self.push(self.now, t, Input::Reply { id: i, reply: Reply::Locked(true) });
                    }
                }
                Effect::Broadcast { notice } => {
                    for t in 0..self.tabs.len() {
                        if t != tab && !self.drop_notices {
                            self.push(self.now + 1, t, Input::Notice(notice));
                        }
                    }
                }
                Effect::Emit { event } => self.tabs[tab].events.push(event.kind),
                Effect::Complete { call, result } => self.tabs[tab].completions.push((call, result)),
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    fn result(&self, tab: usize, call: u32) -> &Result<Done, Error> {
        &self.tabs[tab]
            .completions
            .iter()
            .find(|(c, _)| *c == call)
            .unwrap_or_else(|| panic!("call {call} in tab {tab} not complete"))
            .1
    }

    fn session(&self, tab: usize, call: u32) -> Option<cognito_wasm::session::Session> {
        match self.result(tab, call) {
            Ok(Done::Session(s)) => s.clone(),
            other => panic!("tab {tab}: {other:?}"),
        }
    }

    fn count(&self, op: &str) -> usize {
        self.requests
            .iter()
            .filter(|(o, b)| {
                o == op || (op == "REFRESH_TOKEN_AUTH" && o == "InitiateAuth" && b.contains("REFRESH_TOKEN_AUTH"))
            })
            .count()
    }

    fn stored(&self, field: &str) -> Option<String> {
        self.storage.get(&format!("{PREFIX}alice.{field}")).cloned()
    }

    fn sign_in(&mut self, tab: usize) -> cognito_wasm::session::Session {
        let call = self.call(tab, Call::SignIn { username: "alice".into(), password: PASSWORD.into() });
        self.run();
        match self.result(tab, call) {
            Ok(Done::SignedIn(s)) => s.clone(),
            other => panic!("sign-in: {other:?}"),
        }
    }

    fn fault(&self, body: serde_json::Value) {
        let r = route(
            &self.pool,
            &Incoming {
                method: "POST",
                url: "/_emulator/faults",
                headers: vec![],
                body: body.to_string().into_bytes(),
            },
        );
        assert_eq!(r.status, 200);
    }

    /// Every tab calls `currentSession()` at the same instant.
    fn all_current(&mut self) -> Vec<u32> {
        (0..self.tabs.len()).map(|t| self.call(t, Call::CurrentSession)).collect()
    }
}

fn five_tabs(w: &mut World, extra: serde_json::Value) -> cognito_wasm::session::Session {
    for _ in 0..5 {
        w.open(extra.clone());
    }
    w.sign_in(0)
}

#[test]
fn sign_in_stores_the_layout_other_clients_read() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    let s = w.sign_in(t);
    assert_eq!(w.count("InitiateAuth"), 1);
    assert_eq!(w.count("RespondToAuthChallenge"), 1);
    let keys: Vec<&str> = w.storage.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.LastAuthUser",
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.accessToken",
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.clockDrift",
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.idToken",
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.refreshToken",
        ]
    );
    assert_eq!(w.stored("accessToken").as_deref(), Some(s.access_token.as_str()));
    assert_eq!(w.storage[&format!("{PREFIX}LastAuthUser")], "alice");
    assert_eq!(w.tabs[t].events, [EventKind::SignedIn]);
    // A wrong password is the server's typed error, not a panic or a generic failure.
    let call = w.call(t, Call::SignIn { username: "alice".into(), password: "wrong".into() });
    w.run();
    let e = w.result(t, call).as_ref().unwrap_err();
    assert_eq!(e.code, Code::Service("NotAuthorizedException".into()));
}

#[test]
fn five_tabs_make_exactly_one_refresh() {
    let mut w = World::new(3600);
    let s0 = five_tabs(&mut w, serde_json::json!({}));
    // Inside the 60 s leeway (tokens still valid).
    w.advance(3_600_000 - 30_000);
    let calls = w.all_current();
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1, "{:?}", w.requests.iter().map(|r| &r.0).collect::<Vec<_>>());
    let stored = w.stored("accessToken").unwrap();
    assert_ne!(stored, s0.access_token);
    for (t, c) in calls.iter().enumerate() {
        assert_eq!(w.session(t, *c).unwrap().access_token, stored, "tab {t} uses the stored tokens");
    }
    // Only the tab that refreshed says so locally; the others hear it from the notice.
    let refreshed: usize =
        w.tabs.iter().map(|t| t.events.iter().filter(|e| **e == EventKind::TokenRefreshed).count()).sum();
    assert_eq!(refreshed, 5);
}

#[test]
fn a_tab_announces_another_tabs_refresh_once_with_the_new_tokens() {
    let mut w = World::new(3600);
    let a = w.open(serde_json::json!({ "autoRefresh": true }));
    let b = w.open(serde_json::json!({ "autoRefresh": true }));
    w.sign_in(a);
    assert_eq!(w.tabs[b].events, [EventKind::SignedIn]);
    // A refresh notice whose tokens this tab cannot read yet (another renderer's localStorage
    // write can land after its BroadcastChannel message): the tokens it has are not news.
    w.push(w.now, b, Input::Notice(Notice::TokenRefreshed));
    w.run();
    assert_eq!(w.tabs[b].events, [EventKind::SignedIn]);
    // Both timers fire inside the leeway: one tab refreshes, the other waits for the lock and
    // finds the new tokens. With no notice at all, it still announces them, once.
    w.drop_notices = true;
    w.advance(3_600_000 - 30_000);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    for t in [a, b] {
        assert_eq!(w.tabs[t].events, [EventKind::SignedIn, EventKind::TokenRefreshed], "tab {t}");
    }
}

#[test]
fn five_tabs_one_refresh_when_the_leeway_is_longer_than_the_lifetime() {
    let mut w = World::new(3600);
    // 2 h of leeway on 1 h tokens: every tab's currentSession() finds them due.
    let _s0 = five_tabs(&mut w, serde_json::json!({ "refreshLeeway": 7200 }));
    let calls = w.all_current();
    w.run();
    // One tab refreshes; the others waited for the lock and use what it stored (for them the
    // leeway is clamped to half the new tokens' lifetime, so those tokens will do).
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1, "exactly one refresh for five tabs");
    let stored = w.stored("accessToken").unwrap();
    let tokens: Vec<String> = calls.iter().enumerate().map(|(t, c)| w.session(t, *c).unwrap().access_token).collect();
    assert!(tokens.iter().all(|a| *a == stored), "one set of tokens for every tab");
    // The app asked for 2 h of leeway: its next call refreshes again — once for all tabs.
    let calls = w.all_current();
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 2);
    let stored = w.stored("accessToken").unwrap();
    assert!(calls.iter().enumerate().all(|(t, c)| w.session(t, *c).unwrap().access_token == stored));
}

#[test]
fn calls_in_one_tab_share_one_refresh() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    w.sign_in(t);
    w.advance(3_590_000);
    let calls: Vec<u32> = (0..3).map(|_| w.call(t, Call::CurrentSession)).collect();
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    let a: Vec<String> = calls.iter().map(|c| w.session(t, *c).unwrap().access_token).collect();
    assert!(a.windows(2).all(|p| p[0] == p[1]));
}

#[test]
fn rotation_stores_the_new_refresh_token_for_every_tab() {
    // A client with rotation on and no grace period: a rotated-out refresh token stops working
    // at once, so a second use would end the session.
    let rotating = serde_json::json!({ "clientId": CLIENT,
        "refreshTokenRotation": { "feature": "ENABLED", "retryGracePeriodSeconds": 0 } });
    let mut w = World::with_client(3600, rotating);
    let s0 = five_tabs(&mut w, serde_json::json!({ "refreshTokenRotation": true }));
    w.advance(3_590_000);
    let calls = w.all_current();
    w.run();
    assert_eq!(w.count("GetTokensFromRefreshToken"), 1);
    let rt1 = w.stored("refreshToken").unwrap();
    assert_ne!(Some(rt1.clone()), s0.refresh_token);
    for (t, c) in calls.iter().enumerate() {
        assert_eq!(w.session(t, *c).unwrap().refresh_token.as_deref(), Some(rt1.as_str()));
    }
    // The next refresh presents the new token (the old one would be refused).
    w.advance(3_590_000);
    let c = w.call(3, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("GetTokensFromRefreshToken"), 2);
    assert!(w.session(3, c).is_some());
    assert_ne!(w.stored("refreshToken").unwrap(), rt1);
}

#[test]
fn server_errors_and_throttling_are_retried_by_the_one_policy() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    w.sign_in(t);
    w.fault(serde_json::json!({ "target": "InitiateAuth", "status": 400, "contentType": "application/x-amz-json-1.1",
        "body": "{\"__type\":\"TooManyRequestsException\",\"message\":\"Rate exceeded\"}", "count": 2 }));
    w.advance(3_590_000);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 3, "throttled twice, then the real reply");
    assert_eq!(w.session(t, c).unwrap().access_token, w.stored("accessToken").unwrap());
    w.fault(serde_json::json!({ "target": "InitiateAuth", "status": 500, "count": 1 }));
    w.advance(3_590_000);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 5, "a 500, then the real reply");
    assert_eq!(w.session(t, c).unwrap().access_token, w.stored("accessToken").unwrap());
}

#[test]
fn a_dropped_connection_keeps_the_session() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    let s0 = w.sign_in(t);
    w.fault(serde_json::json!({ "target": "InitiateAuth", "drop": true, "count": 3 }));
    // Still valid (inside the leeway): the old tokens are handed out, with an event.
    w.advance(3_590_000);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 3);
    assert_eq!(w.session(t, c).unwrap().access_token, s0.access_token);
    assert_eq!(w.tabs[t].events.last(), Some(&EventKind::TokenRefreshFailed));
    // Expired: a typed, retryable error; the session stays stored for the next try.
    w.fault(serde_json::json!({ "target": "InitiateAuth", "drop": true, "count": 3 }));
    w.advance(20_000);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    let e = w.result(t, c).as_ref().unwrap_err();
    assert_eq!(e.code, Code::Network);
    assert!(e.retryable());
    assert_eq!(w.stored("accessToken").as_deref(), Some(s0.access_token.as_str()));
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_ne!(w.session(t, c).unwrap().access_token, s0.access_token, "recovered once the network is back");
}

#[test]
fn storage_that_throws_falls_back_to_memory() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    w.storage_throws = true;
    let s = w.sign_in(t);
    assert!(w.storage.is_empty(), "nothing half-written is left behind: {:?}", w.storage.keys().collect::<Vec<_>>());
    assert!(w.tabs[t].events.contains(&EventKind::StorageFallback));
    assert_eq!(w.tabs[t].auth.storage_kind(), cognito_wasm::engine::StorageKind::Memory);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_eq!(w.session(t, c).unwrap().access_token, s.access_token);
    // Refresh still works, from memory.
    w.advance(3_590_000);
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_ne!(w.session(t, c).unwrap().access_token, s.access_token);
    assert_eq!(w.tabs[t].events.iter().filter(|e| **e == EventKind::StorageFallback).count(), 1);
}

#[test]
fn a_rejected_refresh_token_ends_the_session_in_every_tab() {
    let mut w = World::new(3600);
    let s = five_tabs(&mut w, serde_json::json!({}));
    // Revoked elsewhere (another device signed out).
    let body = serde_json::json!({ "Token": s.refresh_token.unwrap(), "ClientId": CLIENT }).to_string();
    let headers = vec![("X-Amz-Target".to_string(), "AWSCognitoIdentityProviderService.RevokeToken".to_string())];
    assert_eq!(route(&w.pool, &Incoming { method: "POST", url: "/", headers, body: body.into_bytes() }).status, 200);
    w.advance(3_590_000);
    let calls = w.all_current();
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1, "the other tabs see the session gone");
    for (t, c) in calls.iter().enumerate() {
        assert!(w.session(t, *c).is_none(), "tab {t} is signed out");
        let ev = &w.tabs[t].events;
        assert!(ev.contains(&EventKind::SessionExpired) || ev.contains(&EventKind::SignedOut), "tab {t}: {ev:?}");
    }
    assert!(w.storage.is_empty());
}

#[test]
fn without_web_locks_a_storage_lease_keeps_one_refresh() {
    let mut w = World::new(3600);
    w.web_locks = false;
    let s0 = five_tabs(&mut w, serde_json::json!({}));
    w.advance(3_590_000);
    let calls = w.all_current();
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    let stored = w.stored("accessToken").unwrap();
    assert_ne!(stored, s0.access_token);
    for (t, c) in calls.iter().enumerate() {
        assert_eq!(w.session(t, *c).unwrap().access_token, stored, "tab {t}");
    }
    assert!(!w.storage.contains_key(&format!("{PREFIX}refreshLease")), "the winner removes its lease");
}

#[test]
fn sign_out_revokes_and_tells_the_other_tabs() {
    let mut w = World::new(3600);
    let s = five_tabs(&mut w, serde_json::json!({}));
    let c = w.call(2, Call::SignOut { global: false, redirect: false });
    w.run();
    match w.result(2, c) {
        Ok(Done::SignedOut { revoked: true, error: None }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(w.count("RevokeToken"), 1);
    assert!(w.storage.is_empty());
    for t in 0..5 {
        assert_eq!(w.tabs[t].events.last(), Some(&EventKind::SignedOut), "tab {t}");
    }
    // The server no longer accepts the refresh token.
    let body = serde_json::json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT, "AuthParameters": { "REFRESH_TOKEN": s.refresh_token.unwrap() } }).to_string();
    let headers = vec![("X-Amz-Target".to_string(), "AWSCognitoIdentityProviderService.InitiateAuth".to_string())];
    assert_eq!(route(&w.pool, &Incoming { method: "POST", url: "/", headers, body: body.into_bytes() }).status, 400);
    // Global sign-out when signed in again.
    w.sign_in(0);
    let c = w.call(0, Call::SignOut { global: true, redirect: false });
    w.run();
    assert!(matches!(w.result(0, c), Ok(Done::SignedOut { revoked: true, error: None })));
    assert_eq!(w.count("GlobalSignOut"), 1);
}

#[test]
fn background_refresh_waits_for_a_visible_page() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({ "autoRefresh": true }));
    w.sign_in(t);
    w.push(w.now, t, Input::Visibility { hidden: true });
    // The timer is due at expiry − 60 s: it fires while hidden and does nothing.
    w.advance(3_545_000);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 0);
    w.push(w.now, t, Input::Visibility { hidden: false });
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    assert_eq!(w.tabs[t].events.last(), Some(&EventKind::TokenRefreshed));
    // And re-armed for the new tokens: the next one runs by itself while visible.
    w.advance(3_545_000);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 2);
}

#[test]
fn a_background_refresh_with_a_leeway_longer_than_the_lifetime_does_not_loop() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({ "autoRefresh": true, "refreshLeeway": 7200 }));
    w.sign_in(t);
    // Clamped to half the lifetime for the schedule: nothing for 30 minutes, then one refresh.
    w.advance(1_790_000);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 0);
    w.advance(20_000);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    // The new tokens are scheduled the same way, not at once.
    w.advance(1_700_000);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
}

#[test]
fn another_user_replaces_the_session_and_other_tabs_hear_of_sign_ins() {
    let mut w = World::new(3600);
    let a = w.open(serde_json::json!({}));
    let b = w.open(serde_json::json!({}));
    w.sign_in(a);
    assert_eq!(w.tabs[b].events, [EventKind::SignedIn], "tab b heard of the sign-in and read the session");
    // bob signs in in tab b: alice's tokens go, LastAuthUser points to bob.
    let c = w.call(b, Call::SignIn { username: "bob".into(), password: PASSWORD.into() });
    w.run();
    match w.result(b, c) {
        Ok(Done::SignedIn(s)) => assert_eq!(s.username, "bob"),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.storage[&format!("{PREFIX}LastAuthUser")], "bob");
    assert!(w.stored("accessToken").is_none(), "alice's session is gone");
    let c = w.call(a, Call::CurrentSession);
    w.run();
    assert_eq!(w.session(a, c).unwrap().username, "bob");
}

#[test]
fn no_secret_in_any_debug_output() {
    let mut w = World::new(3600);
    let s = five_tabs(&mut w, serde_json::json!({ "refreshTokenRotation": true }));
    w.advance(3_590_000);
    w.all_current();
    w.run();
    let c = w.call(0, Call::SignOut { global: false, redirect: false });
    w.run();
    assert!(matches!(w.result(0, c), Ok(Done::SignedOut { revoked: true, .. })));
    assert!(w.debug_log.len() > 1000);
    let mut secrets =
        vec![PASSWORD.to_string(), s.access_token.clone(), s.id_token.clone(), s.refresh_token.clone().unwrap()];
    secrets.extend(w.requests.iter().map(|(_, body)| body.clone()).filter(|b| b.len() > 40));
    for secret in secrets {
        let probe = if secret.len() > 32 { &secret[secret.len() / 2..secret.len() / 2 + 16] } else { secret.as_str() };
        assert!(!w.debug_log.contains(probe), "a secret shows in Debug output");
    }
}

#[test]
fn signing_out_during_a_refresh_does_not_bring_the_session_back() {
    let mut w = World::new(3600);
    let s = five_tabs(&mut w, serde_json::json!({}));
    w.advance(3_590_000);
    // Tab 1 starts a refresh; tab 2 signs out while the request is on the wire.
    let c = w.call(1, Call::CurrentSession);
    w.run_until(w.now + 5);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    let o = w.call(2, Call::SignOut { global: false, redirect: false });
    w.run();
    assert!(matches!(w.result(2, o), Ok(Done::SignedOut { revoked: true, .. })));
    assert!(w.session(1, c).is_none(), "the refresh that was in flight resolves signed out");
    assert!(w.storage.is_empty(), "and stores nothing: {:?}", w.storage.keys().collect::<Vec<_>>());
    let _ = s;
}

#[test]
fn a_read_that_throws_finds_nothing_and_keeps_the_storage() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    w.sign_in(t);
    w.reads_throw = true;
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert!(w.session(t, c).is_none());
    assert!(!w.tabs[t].events.contains(&EventKind::StorageFallback));
    w.reads_throw = false;
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert!(w.session(t, c).is_some(), "the stored session is still there");
}

#[test]
fn an_abandoned_lease_delays_the_refresh_but_does_not_block_it() {
    let mut w = World::new(3600);
    w.web_locks = false;
    let t = w.open(serde_json::json!({}));
    let s0 = w.sign_in(t);
    w.advance(3_590_000);
    // A tab that crashed holding the lease for another minute.
    let lease = format!("{PREFIX}refreshLease");
    w.storage.insert(lease.clone(), format!("00112233aabbccdd:{}", w.now + 60_000));
    let started = w.now;
    let c = w.call(t, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    assert_ne!(w.session(t, c).unwrap().access_token, s0.access_token);
    let waited = w.now - started;
    // The lease period (10 s), then the grace a tab that waited gives another renderer's
    // storage write (40 polls of 50 ms), then one round trip.
    assert!((12_000..12_200).contains(&waited), "gave up on the lease after its period: {waited} ms");
    assert!(w.storage.contains_key(&lease), "someone else's lease is not removed");
}

// extras: currentSession({ forceRefresh }) and the synchronous getCurrentUser()

fn op(w: &mut World, tab: usize, name: &str, input: serde_json::Value) -> u32 {
    let op = cognito_wasm::engine::ops::Op::parse(name).unwrap();
    w.call(tab, Call::Op { op, input: input.to_string() })
}

fn json_result(w: &World, tab: usize, call: u32) -> serde_json::Value {
    match w.result(tab, call) {
        Ok(Done::Json(Some(j))) => serde_json::from_str(j).unwrap(),
        other => panic!("tab {tab}: {other:?}"),
    }
}

#[test]
fn force_refresh_refreshes_fresh_tokens_once_for_every_tab() {
    let mut w = World::new(3600);
    let s0 = five_tabs(&mut w, serde_json::json!({}));
    w.advance(2_000);
    // Fresh tokens: without the flag (or with false) nothing is sent.
    let plain = op(&mut w, 0, "currentSession", serde_json::json!({ "forceRefresh": false }));
    w.run();
    assert_eq!(w.session(0, plain).unwrap().access_token, s0.access_token);
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 0);
    // Forced in three tabs at once, with a plain call: one refresh, everyone gets its tokens.
    let forced: Vec<u32> =
        (0..3).map(|t| op(&mut w, t, "currentSession", serde_json::json!({ "forceRefresh": true }))).collect();
    let current = w.call(3, Call::CurrentSession);
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1, "one refresh for three forced calls");
    let stored = w.stored("accessToken").unwrap();
    assert_ne!(stored, s0.access_token);
    for (t, c) in forced.iter().enumerate() {
        assert_eq!(w.session(t, *c).unwrap().access_token, stored, "tab {t}");
    }
    // The plain call did not wait for it: the tokens it found were fresh.
    assert_eq!(w.session(3, current).unwrap().access_token, s0.access_token);
    assert!(w.tabs[0].events.contains(&EventKind::TokenRefreshed));
    // Another forced call refreshes again.
    w.advance(2_000);
    let again = op(&mut w, 4, "currentSession", serde_json::json!({ "forceRefresh": true }));
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 2);
    assert_eq!(w.session(4, again).unwrap().access_token, w.stored("accessToken").unwrap());
    // Typed errors and no session.
    let bad = op(&mut w, 0, "currentSession", serde_json::json!({ "forceRefresh": "yes" }));
    w.run();
    assert_eq!(w.result(0, bad).as_ref().unwrap_err().code, Code::InvalidInput);
    let out = w.call(0, Call::SignOut { global: false, redirect: false });
    w.run();
    assert!(w.result(0, out).is_ok());
    let none = op(&mut w, 1, "currentSession", serde_json::json!({ "forceRefresh": true }));
    w.run();
    assert!(w.session(1, none).is_none());
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 2);
}

#[test]
fn a_forced_refresh_with_a_revoked_refresh_token_ends_the_session() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    w.sign_in(t);
    w.fault(serde_json::json!({ "target": "InitiateAuth", "status": 400, "contentType": "application/x-amz-json-1.1",
        "body": "{\"__type\":\"NotAuthorizedException\",\"message\":\"Refresh Token has been revoked\"}", "count": 1 }));
    let c = op(&mut w, t, "currentSession", serde_json::json!({ "forceRefresh": true }));
    w.run();
    assert!(w.session(t, c).is_none(), "a rejected refresh token: signed out, as currentSession()");
    assert!(w.stored("accessToken").is_none());
    assert!(w.tabs[t].events.contains(&EventKind::SessionExpired));
}

#[test]
fn get_current_user_names_the_keys_it_reads_and_sends_nothing() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({}));
    let last = format!("{PREFIX}LastAuthUser");
    // Nothing stored: one read, then null.
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({}));
    w.run();
    assert_eq!(json_result(&w, t, c), serde_json::json!({ "read": [last] }));
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({ "values": { last.clone(): null } }));
    w.run();
    assert_eq!(json_result(&w, t, c), serde_json::Value::Null);
    let s = w.sign_in(t);
    let sent = w.requests.len();
    // Signed in: the runner's loop, as the runner runs it.
    let mut values = serde_json::Map::new();
    let user = loop {
        let c = op(&mut w, t, "getCurrentUser", serde_json::json!({ "values": values }));
        w.run();
        let r = json_result(&w, t, c);
        let Some(keys) = r.get("read") else { break r };
        for k in keys.as_array().unwrap() {
            let k = k.as_str().unwrap();
            values.insert(k.into(), w.storage.get(k).map_or(serde_json::Value::Null, |v| v.clone().into()));
        }
        assert!(values.len() <= 5, "{values:?}");
    };
    let claims: serde_json::Value = serde_json::from_str(&s.id_claims).unwrap();
    assert_eq!(user, serde_json::json!({ "username": "alice", "userId": claims["sub"] }));
    assert_eq!(values.len(), 5, "LastAuthUser and the user's four session keys");
    assert_eq!(w.requests.len(), sent, "no request");
    // Tokens of another client in the same keys are nobody.
    let mut forged = values.clone();
    forged.insert(format!("{PREFIX}alice.idToken"), "x.y.z".into());
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({ "values": forged }));
    w.run();
    assert_eq!(json_result(&w, t, c), serde_json::Value::Null);
    // What the runner reports about its storage.
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({ "async": true }));
    w.run();
    assert_eq!(w.result(t, c).as_ref().unwrap_err().code, Code::InvalidInput);
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({ "failed": true }));
    w.run();
    assert_eq!(w.result(t, c).as_ref().unwrap_err().code, Code::StorageUnavailable);
}

#[test]
fn get_current_user_reads_memory_storage_within_the_call() {
    let mut w = World::new(3600);
    let t = w.open(serde_json::json!({ "storage": "memory" }));
    let c = op(&mut w, t, "getCurrentUser", serde_json::json!({}));
    w.run();
    assert_eq!(json_result(&w, t, c), serde_json::Value::Null);
    w.sign_in(t);
    assert!(w.storage.is_empty());
    // Completed by the input itself (no effect to answer): the runner's opSync needs that.
    let call = w.next_call;
    w.next_call += 1;
    let op = cognito_wasm::engine::ops::Op::parse("getCurrentUser").unwrap();
    let random = w.random();
    let effects = w.tabs[t].auth.handle(Input::Call { call, op: Call::Op { op, input: "{}".into() } }, w.now, &random);
    match effects.as_slice() {
        [Effect::Complete { result: Ok(Done::Json(Some(j))), .. }] => {
            let v: serde_json::Value = serde_json::from_str(j).unwrap();
            assert_eq!(v["username"], "alice");
            assert_eq!(v["userId"].as_str().unwrap().len(), 36);
        }
        other => panic!("{other:?}"),
    }
}

/// A notice whose storage read is issued while this tab signs out (after the sign-out's reads,
/// before its removals) reads the session as it was: it must not announce it again once the
/// tab has said `signedOut` (an app would show the user signed in with nothing stored).
#[test]
fn a_notice_read_during_sign_out_does_not_announce_the_session_again() {
    let mut w = World::new(3600);
    let a = w.open(serde_json::json!({}));
    let b = w.open(serde_json::json!({}));
    w.sign_in(a);
    // Tab a refreshes; its notice to b is late, so b has not announced the new tokens yet.
    w.drop_notices = true;
    let f = op(&mut w, a, "currentSession", serde_json::json!({ "forceRefresh": true }));
    w.run();
    assert_eq!(w.count("REFRESH_TOKEN_AUTH"), 1);
    assert!(w.session(a, f).is_some());
    w.drop_notices = false;
    // b signs out (each storage batch takes 1 ms), and the late notice arrives 2 ms later:
    // its token read happens before the sign-out's removals, its reply comes after them.
    w.storage_ms = 1;
    let o = w.call(b, Call::SignOut { global: false, redirect: false });
    w.push(w.now + 2, b, Input::Notice(Notice::TokenRefreshed));
    w.run();
    assert!(matches!(w.result(b, o), Ok(Done::SignedOut { revoked: true, .. })));
    assert!(w.storage.is_empty());
    assert_eq!(w.tabs[b].events.last(), Some(&EventKind::SignedOut), "tab b: {:?}", w.tabs[b].events);
    assert_eq!(w.tabs[a].events.last(), Some(&EventKind::SignedOut), "tab a: {:?}", w.tabs[a].events);
}
