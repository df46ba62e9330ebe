//! Identity-pool credentials and SigV4 signing on the engine (`engine::identity`), natively:
//! one simulated tab (storage map, Web Locks, clock) driving the real core through its
//! effects, with the Rust emulator (user pool, identity pool, SigV4-verifying
//! `/_protected/` API) routed in memory, as in `tests/lifecycle.rs`.
//!
//! The emulator stamps tokens and credentials with the real clock; the simulated one starts
//! there and moves only by the round trips unless a test advances it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use cognito_emulator::jwt::Signer;
use cognito_emulator::pool::Pool;
use cognito_emulator::server::{route, Incoming};
use cognito_wasm::engine::ops::Op;
use cognito_wasm::engine::{Auth, Call, Config, Done, Effect, EventKind, Input, Reply, StorageOp, RANDOM_BYTES};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::{Code, Error};
use serde_json::{json, Value};

const POOL: &str = "us-east-1_EmuPool01";
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const BASE: &str = "http://127.0.0.1:9229";
const PASSWORD: &str = "Correct-Horse-9";
const IDENTITY_POOL: &str = "us-east-1:0a1b2c3d-0000-4000-8000-00000000e001";
const USER_ID_KEY: &str = "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.identityId";
const GUEST_ID_KEY: &str = "com.amplify.Cognito.us-east-1:0a1b2c3d-0000-4000-8000-00000000e001.identityId";
const LATENCY_MS: i64 = 30;

fn real_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn b64(bytes: &[u8]) -> String {
    cognito_wasm::encoding::base64_encode(bytes)
}

struct World {
    pool: Pool,
    now: i64,
    seq: u64,
    rng: u64,
    storage: BTreeMap<String, String>,
    lock: (Option<u32>, VecDeque<u32>),
    auth: Auth,
    queue: Vec<(i64, u64, Input)>,
    /// Every request the server saw: (X-Amz-Target operation, body).
    requests: Vec<(String, String)>,
    completions: Vec<(u32, Result<Done, Error>)>,
    events: Vec<EventKind>,
    next_call: u32,
    debug_log: String,
    /// How far the tab's clock is ahead of the server's (the engine gets `now + skew_ms`).
    skew_ms: i64,
}

impl World {
    /// A tab configured with `extra` (merged into the user-pool settings).
    fn new(extra: Value) -> World {
        World::skewed(extra, 0)
    }

    /// The same with the tab's clock `skew_ms` ahead of the server's (behind when negative).
    fn skewed(extra: Value, skew_ms: i64) -> World {
        let config = json!({
            "userPoolId": POOL,
            "clients": [{ "clientId": CLIENT }],
            "users": [
                { "username": "alice", "password": PASSWORD },
                { "username": "bob", "password": PASSWORD },
            ],
            "tokenTtlSeconds": 3600,
            "identity": { "identityPoolId": IDENTITY_POOL, "allowUnauthenticated": true },
        });
        let pool = Pool::new(serde_json::from_value(config).unwrap(), BASE, Arc::new(Signer::generate())).unwrap();
        let mut cfg = json!({ "userPoolId": POOL, "clientId": CLIENT, "endpoint": format!("{BASE}/") });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let auth = Auth::new(Config::parse(&cfg.to_string()).unwrap());
        let mut w = World {
            pool,
            now: real_now_ms(),
            seq: 0,
            rng: 0x2545_f491_4f6c_dd1d,
            storage: BTreeMap::new(),
            lock: (None, VecDeque::new()),
            auth,
            queue: Vec::new(),
            requests: Vec::new(),
            completions: Vec::new(),
            events: Vec::new(),
            next_call: 1,
            debug_log: String::new(),
            skew_ms,
        };
        let random = w.random();
        let effects = w.auth.start(true, w.now + w.skew_ms, &random);
        w.run_effects(effects);
        w.run();
        w
    }

    /// With the identity pool configured.
    fn with_pool() -> World {
        World::new(json!({ "identityPoolId": IDENTITY_POOL, "identityEndpoint": format!("{BASE}/") }))
    }

    /// With the identity pool and the emulator's STS endpoint, the classic flow allowed.
    fn with_basic_flow() -> World {
        let w = World::new(json!({
            "identityPoolId": IDENTITY_POOL,
            "identityEndpoint": format!("{BASE}/"),
            "stsEndpoint": format!("{BASE}/"),
        }));
        w.control("/_emulator/identity", json!({ "allowClassicFlow": true }));
        w
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

    fn push(&mut self, at: i64, input: Input) {
        self.seq += 1;
        self.queue.push((at, self.seq, input));
    }

    fn call(&mut self, op: Call) -> u32 {
        let call = self.next_call;
        self.next_call += 1;
        self.push(self.now, Input::Call { call, op });
        call
    }

    fn op(&mut self, name: &str, input: Value) -> u32 {
        let op = Op::parse(name).unwrap_or_else(|| panic!("no operation {name}"));
        self.call(Call::Op { op, input: input.to_string() })
    }

    fn run_until(&mut self, until: i64) {
        while let Some(i) = (0..self.queue.len()).min_by_key(|&i| (self.queue[i].0, self.queue[i].1)) {
            if self.queue[i].0 > until {
                break;
            }
            let (at, _, input) = self.queue.swap_remove(i);
            self.now = self.now.max(at);
            let random = self.random();
            self.debug_log.push_str(&format!("{input:?}\n"));
            let effects = self.auth.handle(input, self.now + self.skew_ms, &random);
            self.run_effects(effects);
        }
    }

    fn run(&mut self) {
        let horizon = self.now + 20_000;
        self.run_until(horizon);
    }

    fn advance(&mut self, ms: i64) {
        let to = self.now + ms;
        self.run_until(to);
        self.now = to;
    }

    fn server(&self, method: &str, path: &str, headers: Vec<(String, String)>, body: &[u8]) -> (u16, Value) {
        let r = route(&self.pool, &Incoming { method, url: path, headers, body: body.to_vec() });
        (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
    }

    fn control(&self, path: &str, body: Value) {
        assert_eq!(self.server("POST", path, vec![], body.to_string().as_bytes()).0, 200);
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
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
                        // STS (the query protocol): its `Action`.
                        .or_else(|| {
                            request.body.strip_prefix("Action=").map(|b| b.split('&').next().unwrap().to_string())
                        })
                        .unwrap_or_else(|| path.clone());
                    let op = if op == "InitiateAuth" && request.body.contains("REFRESH_TOKEN_AUTH") {
                        "REFRESH_TOKEN_AUTH".to_string()
                    } else {
                        op
                    };
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
                    let error_type = reply
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-amzn-errortype"))
                        .map(|(_, v)| v.clone());
                    let result = Ok(HttpResponse {
                        status: reply.status,
                        body: String::from_utf8(reply.body).unwrap(),
                        error_type,
                        date_s: 0,
                    });
                    self.push(self.now + LATENCY_MS, Input::Reply { id, reply: Reply::Http(result) });
                }
                Effect::Storage { id, ops } => {
                    let mut got = Vec::new();
                    for op in ops.iter().cloned() {
                        match op {
                            StorageOp::Get(k) => got.push(self.storage.get(&k).cloned()),
                            StorageOp::Set(k, v) => {
                                self.storage.insert(k, v);
                            }
                            StorageOp::Remove(k) => {
                                self.storage.remove(&k);
                            }
                        }
                    }
                    self.push(self.now, Input::Reply { id, reply: Reply::Storage(Ok(got)) });
                }
                Effect::Timer { id, at } => {
                    self.push((at - self.skew_ms).max(self.now), Input::Reply { id, reply: Reply::Fired })
                }
                Effect::CancelTimer { id } => {
                    self.queue.retain(|(_, _, i)| !matches!(i, Input::Reply { id: x, reply: Reply::Fired } if *x == id))
                }
                Effect::Lock { id, .. } => {
                    if self.lock.0.is_none() {
                        self.lock.0 = Some(id);
                        self.push(self.now, Input::Reply { id, reply: Reply::Locked(true) });
                    } else {
                        self.lock.1.push_back(id);
                    }
                }
                Effect::Unlock { id } => {
                    if self.lock.0 == Some(id) {
                        self.lock.0 = self.lock.1.pop_front();
                        if let Some(next) = self.lock.0 {
                            self.push(self.now, Input::Reply { id: next, reply: Reply::Locked(true) });
                        }
                    }
                }
                Effect::Broadcast { .. } => {}
                Effect::Emit { event } => self.events.push(event.kind),
                Effect::Complete { call, result } => self.completions.push((call, result)),
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    fn result(&self, call: u32) -> &Result<Done, Error> {
        &self.completions.iter().find(|(c, _)| *c == call).unwrap_or_else(|| panic!("call {call} not complete")).1
    }

    fn json(&self, call: u32) -> Value {
        match self.result(call) {
            Ok(Done::Json(Some(text))) => serde_json::from_str(text).unwrap(),
            other => panic!("call {call}: {other:?}"),
        }
    }

    fn error(&self, call: u32) -> &Error {
        match self.result(call) {
            Err(e) => e,
            other => panic!("call {call}: {other:?}"),
        }
    }

    /// The operations the server saw from index `from` on.
    fn ops_since(&self, from: usize) -> Vec<&str> {
        self.requests[from..].iter().map(|(o, _)| o.as_str()).collect()
    }

    fn credentials(&mut self, input: Value) -> Value {
        let c = self.op("getAwsCredentials", input);
        self.run();
        self.json(c)
    }

    fn sign_in(&mut self, user: &str) {
        let call = self.call(Call::SignIn { username: user.into(), password: PASSWORD.into() });
        self.run();
        assert!(matches!(self.result(call), Ok(Done::SignedIn(_))), "{:?}", self.result(call));
    }

    fn sign_out(&mut self) {
        let call = self.call(Call::SignOut { global: false, redirect: false });
        self.run();
        assert!(matches!(self.result(call), Ok(Done::SignedOut { .. })));
    }

    /// Sends a signed `{url, method, headers}` (and `body`) to the emulator as a browser would.
    fn send_signed(&self, signed: &Value, body: &[u8]) -> (u16, Value) {
        let url = signed["url"].as_str().unwrap();
        let path = url.strip_prefix(BASE).unwrap();
        let mut headers: Vec<(String, String)> = signed["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        headers.push(("Host".into(), "127.0.0.1:9229".into()));
        self.server(signed["method"].as_str().unwrap(), path, headers, body)
    }
}

#[test]
fn signed_in_credentials_are_cached_shared_and_sign_what_the_api_accepts() {
    let mut w = World::with_pool();
    w.sign_in("alice");
    let n = w.requests.len();
    let c = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetId", "GetCredentialsForIdentity"]);
    let get_id: Value = serde_json::from_str(&w.requests[n].1).unwrap();
    assert_eq!(get_id["IdentityPoolId"], IDENTITY_POOL);
    assert!(get_id["Logins"]["cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01"].is_string(), "{get_id}");
    let id = c["identityId"].as_str().unwrap().to_string();
    assert!(id.starts_with("us-east-1:") && id.len() == 46, "{id}");
    assert_eq!(w.storage.get(USER_ID_KEY), Some(&id), "the identity id is kept in storage");
    let akid = c["accessKeyId"].as_str().unwrap().to_string();
    assert!(akid.starts_with("ASIA") && akid.len() == 20, "{akid}");
    assert!(c["sessionToken"].as_str().unwrap().starts_with("EmuSessionToken/"));
    let secret = c["secretAccessKey"].as_str().unwrap().to_string();
    let until = c["expiration"].as_i64().unwrap() - real_now_ms();
    assert!((3_590_000..=3_600_000).contains(&until), "an hour ahead: {until}");

    // Cached: no request.
    let n = w.requests.len();
    assert_eq!(w.credentials(json!({}))["accessKeyId"], akid.as_str());
    assert_eq!(w.requests.len(), n);

    // Three concurrent forced refreshes share one request (the stored identity id, no GetId).
    let calls: Vec<u32> = (0..3).map(|_| w.op("getAwsCredentials", json!({ "forceRefresh": true }))).collect();
    w.run();
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity"]);
    let keys: Vec<Value> = calls.iter().map(|c| w.json(*c)["accessKeyId"].clone()).collect();
    assert!(keys.iter().all(|k| *k == keys[0]) && keys[0] != akid.as_str(), "{keys:?}");

    // signRequest with the pool's credentials: the protected API accepts it, not a changed body.
    let n = w.requests.len();
    let body = br#"{"n":1}"#;
    let url = format!("{BASE}/_protected/hello");
    let s = w.op(
        "signRequest",
        json!({
            "request": { "url": url, "href": url, "method": "post",
                         "headers": [["content-type", "application/json"]], "body": b64(body) },
            "options": { "service": "execute-api" },
        }),
    );
    w.run();
    assert_eq!(w.requests.len(), n, "signed with the cached credentials");
    let signed = w.json(s);
    assert_eq!(signed["method"], "POST");
    assert_eq!(signed["headers"]["content-type"], "application/json");
    let auth = signed["headers"]["Authorization"].as_str().unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={}/", keys[0].as_str().unwrap()))
            && auth.contains("/us-east-1/execute-api/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="),
        "{auth}"
    );
    let (status, reply) = w.send_signed(&signed, body);
    assert_eq!((status, reply["identityId"].as_str()), (200, Some(id.as_str())), "{reply}");
    assert_eq!(reply["path"], "/_protected/hello");
    assert_eq!(w.send_signed(&signed, br#"{"n":2}"#).0, 403);

    // presignUrl: a query-signed GET the API accepts.
    let p = w.op("presignUrl", json!({ "request": { "url": url, "href": format!("{url}?x=1") }, "options": { "service": "execute-api", "expiresIn": 60 } }));
    w.run();
    let presigned = w.json(p);
    let presigned = presigned.as_str().unwrap();
    assert!(presigned.contains("?x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA"), "{presigned}");
    assert!(presigned.contains("&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token="));
    let path = presigned.strip_prefix(BASE).unwrap();
    let host = vec![("Host".to_string(), "127.0.0.1:9229".to_string())];
    assert_eq!(w.server("GET", path, host.clone(), b"").0, 200);
    assert_eq!(w.server("GET", &path.replace("x=1", "x=2"), host, b"").0, 403);

    // No secret in any input's or effect's Debug.
    for s in [secret.as_str(), c["sessionToken"].as_str().unwrap()] {
        assert!(!w.debug_log.contains(s), "a secret in the Debug log");
    }
}

/// A page clock an hour off when the user signed in (the session's `clockDrift` measured it):
/// credentials are cached on the service's clock, and SigV4 dates are the service's time, so
/// the protected API (5 minutes of skew allowed, as AWS) accepts what the engine signs.
#[test]
fn a_skewed_page_clock_signs_on_the_services_clock() {
    for skew_s in [3600i64, -3600] {
        let mut w = World::skewed(
            json!({ "identityPoolId": IDENTITY_POOL, "identityEndpoint": format!("{BASE}/") }),
            skew_s * 1000,
        );
        // The emulator refuses an SRP TIMESTAMP more than 5 minutes off, as Cognito does.
        w.control("/_emulator/config", json!({ "timestampSkewSeconds": 7200 }));
        w.sign_in("alice");
        let n = w.requests.len();
        let c = w.credentials(json!({}));
        assert_eq!(w.ops_since(n), ["GetId", "GetCredentialsForIdentity"]);
        let until = c["expiration"].as_i64().unwrap() - real_now_ms();
        assert!((3_590_000..=3_600_000).contains(&until), "the service's Expiration: {until}");
        // Cached although the local clock is an hour off (both ways).
        let n = w.requests.len();
        assert_eq!(w.credentials(json!({}))["accessKeyId"], c["accessKeyId"]);
        assert_eq!(w.requests.len(), n, "skew {skew_s}: cached");

        let url = format!("{BASE}/_protected/hello");
        let s = w.op(
            "signRequest",
            json!({ "request": { "url": url, "href": url, "method": "GET", "headers": [] }, "options": { "service": "execute-api" } }),
        );
        w.run();
        let signed = w.json(s);
        let date = signed["headers"]["x-amz-date"].as_str().or(signed["headers"]["X-Amz-Date"].as_str()).unwrap();
        let iso = format!(
            "{}-{}-{}T{}:{}:{}",
            &date[0..4],
            &date[4..6],
            &date[6..8],
            &date[9..11],
            &date[11..13],
            &date[13..15]
        );
        let off = epoch_secs(&iso) - real_now_ms() / 1000;
        assert!(off.abs() <= 5, "skew {skew_s}: X-Amz-Date {date} is {off} s off the server's clock");
        let (status, reply) = w.send_signed(&signed, b"");
        assert_eq!(status, 200, "skew {skew_s}: {reply}");
    }
}

#[test]
fn a_guest_identity_is_linked_on_sign_in_and_sign_out_forgets_the_users_id() {
    let mut w = World::with_pool();
    let guest = w.credentials(json!({}));
    assert_eq!(w.ops_since(0), ["GetId", "GetCredentialsForIdentity"]);
    assert_eq!(w.requests[0].1, format!(r#"{{"IdentityPoolId":"{IDENTITY_POOL}"}}"#), "a guest sends no Logins");
    let guest_id = guest["identityId"].as_str().unwrap().to_string();
    assert_eq!(w.storage.get(GUEST_ID_KEY), Some(&guest_id), "Amplify's guest key");

    w.sign_in("alice");
    let n = w.requests.len();
    let user = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity"], "linked by GetCredentialsForIdentity");
    assert!(w.requests[n].1.starts_with(&format!(r#"{{"IdentityId":"{guest_id}","Logins":{{"#)));
    assert_eq!(user["identityId"], guest_id.as_str(), "the guest identity became the user's");
    assert_eq!(w.storage.get(USER_ID_KEY), Some(&guest_id));
    assert_eq!(w.storage.get(GUEST_ID_KEY), None, "no longer a guest identity");

    // Signed out: the user's identity id and the credentials are forgotten: a new guest.
    w.sign_out();
    assert_eq!(w.storage.get(USER_ID_KEY), None);
    let n = w.requests.len();
    let guest2 = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetId", "GetCredentialsForIdentity"]);
    let guest2_id = guest2["identityId"].as_str().unwrap().to_string();
    assert_ne!(guest2_id, guest_id);
    assert_eq!(w.storage.get(GUEST_ID_KEY), Some(&guest2_id));

    // Signed in again: the new guest's id is offered with the login, which is linked
    // already: Cognito answers with the user's own identity.
    w.sign_in("alice");
    let n = w.requests.len();
    let again = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity"]);
    assert!(w.requests[n].1.contains(&guest2_id));
    assert_eq!(again["identityId"], guest_id.as_str(), "a linked user keeps their identity");
    assert_eq!(w.storage.get(GUEST_ID_KEY), None, "the guest id is spent either way");
    assert_eq!(w.storage.get(USER_ID_KEY), Some(&guest_id));

    // Another user gets another identity.
    w.sign_out();
    w.sign_in("bob");
    let bob = w.credentials(json!({}));
    assert_ne!(bob["identityId"], guest_id.as_str());
}

#[test]
fn an_expired_id_token_forces_one_refresh_then_the_same_call() {
    let mut w = World::with_pool();
    w.sign_in("alice");
    let id_token = w.storage[&USER_ID_KEY.replace("identityId", "idToken")].clone();
    let expired = r#"{"__type":"NotAuthorizedException","message":"Invalid login token. Token expired: 1700000000 >= 1699999000"}"#;
    w.control(
        "/_emulator/faults",
        json!({ "target": "GetCredentialsForIdentity", "status": 400, "body": expired, "count": 1 }),
    );
    let n = w.requests.len();
    let c = w.credentials(json!({}));
    assert_eq!(
        w.ops_since(n),
        ["GetId", "GetCredentialsForIdentity", "REFRESH_TOKEN_AUTH", "GetCredentialsForIdentity"]
    );
    assert!(c["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_ne!(w.storage[&USER_ID_KEY.replace("identityId", "idToken")], id_token, "new tokens stored");
    assert_eq!(w.events.iter().filter(|e| **e == EventKind::TokenRefreshed).count(), 1);
    let used: Value = serde_json::from_str(&w.requests.last().unwrap().1).unwrap();
    let sent = used["Logins"]["cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01"].as_str().unwrap();
    assert_eq!(sent, w.storage[&USER_ID_KEY.replace("identityId", "idToken")], "the retry carries the new token");

    // Twice in a row: the second expired-token reply is final (no loop).
    w.control(
        "/_emulator/faults",
        json!({ "target": "GetCredentialsForIdentity", "status": 400, "body": expired, "count": 2 }),
    );
    let n = w.requests.len();
    let call = w.op("getAwsCredentials", json!({ "forceRefresh": true }));
    w.run();
    let e = w.error(call);
    assert_eq!((&e.code, e.status), (&Code::Service("NotAuthorizedException".into()), Some(400)));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity", "REFRESH_TOKEN_AUTH", "GetCredentialsForIdentity"]);
}

#[test]
fn a_forgotten_identity_is_dropped_and_fetched_again() {
    let mut w = World::with_pool();
    w.sign_in("alice");
    let id = w.credentials(json!({}))["identityId"].as_str().unwrap().to_string();
    w.control("/_emulator/identity", json!({ "forget": id }));
    let n = w.requests.len();
    let c = w.credentials(json!({ "forceRefresh": 1 }));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity", "GetId", "GetCredentialsForIdentity"]);
    assert_eq!(c["identityId"], id.as_str(), "the user's identity, from GetId");
    assert_eq!(w.storage.get(USER_ID_KEY), Some(&id));

    // A guest identity the pool forgot cannot be linked: refused, then GetId with the login.
    let mut w = World::with_pool();
    let guest = w.credentials(json!({}))["identityId"].as_str().unwrap().to_string();
    w.control("/_emulator/identity", json!({ "forget": guest }));
    w.sign_in("alice");
    let n = w.requests.len();
    let c = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity", "GetId", "GetCredentialsForIdentity"]);
    assert_ne!(c["identityId"], guest.as_str());
    assert_eq!(w.storage.get(USER_ID_KEY).map(String::as_str), c["identityId"].as_str());
    assert_eq!(w.storage.get(GUEST_ID_KEY), None);
}

#[test]
fn credentials_are_renewed_in_their_last_quarter_and_when_the_tokens_change() {
    let mut w = World::with_pool();
    w.control("/_emulator/identity", json!({ "credentialsTtlSeconds": 8 }));
    w.sign_in("alice");
    let first = w.credentials(json!({}))["accessKeyId"].clone();
    let n = w.requests.len();
    w.advance(5_000);
    assert_eq!(w.credentials(json!({}))["accessKeyId"], first, "6 s of 8 not reached: cached");
    assert_eq!(w.requests.len(), n);
    w.advance(1_200);
    let renewed = w.credentials(json!({}))["accessKeyId"].clone();
    assert_ne!(renewed, first);
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity"]);

    // Credentials that are good for two hours, tokens for one: new tokens, new credentials.
    w.control("/_emulator/identity", json!({ "credentialsTtlSeconds": 7200 }));
    let long = w.credentials(json!({ "forceRefresh": true }))["accessKeyId"].clone();
    w.advance(3_590_000);
    let n = w.requests.len();
    let s = w.call(Call::CurrentSession);
    w.run();
    assert!(matches!(w.result(s), Ok(Done::Session(Some(_)))));
    assert_eq!(w.ops_since(n), ["REFRESH_TOKEN_AUTH"]);
    let after = w.credentials(json!({}))["accessKeyId"].clone();
    assert_ne!(after, long);
    assert_eq!(w.ops_since(n), ["REFRESH_TOKEN_AUTH", "GetCredentialsForIdentity"]);
}

#[test]
fn signing_out_while_fetching_answers_the_callers_and_stores_nothing() {
    let mut w = World::with_pool();
    w.sign_in("alice");
    let call = w.op("getAwsCredentials", json!({}));
    let now = w.now;
    w.run_until(now); // the GetId is on the wire
    assert_eq!(w.requests.last().unwrap().0, "GetId");
    w.sign_out();
    let e = w.error(call);
    assert_eq!(e.code, Code::InvalidInput);
    assert_eq!(e.message, "signed out while the credentials were being fetched");
    assert!(w.requests.iter().all(|(o, _)| o != "GetCredentialsForIdentity"), "the run stopped");
    assert_eq!(w.storage.get(USER_ID_KEY), None);
    // The next call is a guest's, in a new run.
    let guest = w.credentials(json!({}));
    assert_eq!(w.storage.get(GUEST_ID_KEY).map(String::as_str), guest["identityId"].as_str());
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`.
fn epoch_secs(t: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| t[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 719_469;
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

/// botocore's vectors (`tests/vectors/sigv4/`) through the operations, with explicit
/// credentials and the clock of the input.
#[test]
fn botocore_vectors_through_sign_request_and_presign_url() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/sigv4/sigv4-vectors.json"))
        .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let creds = &v["provenance"]["credentials"];
    let mut w = World::new(json!({}));
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        let mut credentials = creds.clone();
        if let Some(t) = case["sessionToken"].as_str() {
            credentials["sessionToken"] = json!(t);
        }
        let mut options = json!({ "service": case["service"], "region": case["region"], "credentials": credentials });
        let url = case["url"].as_str().unwrap();
        let mut request = json!({ "url": url, "href": url, "method": case["method"], "headers": case["headers"] });
        let body = case["body"].as_str().unwrap();
        if !body.is_empty() {
            request["body"] = json!(b64(body.as_bytes()));
        }
        let presign = case["kind"] == "presign";
        if presign {
            options["expiresIn"] = case["expiresIn"].clone();
        }
        if case["unsignedPayload"] == true {
            options["unsignedPayload"] = json!(true);
        }
        w.now = epoch_secs(case["time"].as_str().unwrap()) * 1000 + 999;
        let call =
            w.op(if presign { "presignUrl" } else { "signRequest" }, json!({ "request": request, "options": options }));
        w.run_until(w.now);
        let got = w.json(call);
        let id = &case["id"];
        if presign {
            assert_eq!(got, case["expected"]["url"], "{id}");
        } else {
            assert_eq!(got["url"], url, "{id}");
            for pair in case["expected"]["headers"].as_array().unwrap() {
                assert_eq!(got["headers"][pair[0].as_str().unwrap()], pair[1], "{id}");
            }
            // The request's own headers come first, the signature's after.
            let Ok(Done::Json(Some(text))) = w.result(call) else { unreachable!() };
            let at = |name: &str| text.find(&format!("\"{name}\":")).unwrap();
            for pair in case["headers"].as_array().unwrap() {
                assert!(at(pair[0].as_str().unwrap()) < at("Authorization"), "{id}: {text}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 50);
}

#[test]
fn bad_inputs_are_typed_errors_and_nothing_is_sent() {
    let mut w = World::with_pool();
    let url = "https://abc.execute-api.us-east-1.amazonaws.com/prod";
    let creds = json!({ "accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "s" });
    let opts = json!({ "service": "execute-api", "credentials": creds });
    let req = |extra: Value| {
        let mut r = json!({ "url": url, "href": url });
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    for (op, input, code, message) in [
        (
            "signRequest",
            json!({ "request": req(json!({})), "options": {} }),
            Code::InvalidInput,
            "service is required (e.g. 'execute-api')",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({})), "options": { "service": "a/b" } }),
            Code::InvalidInput,
            "service must be a name like 'execute-api' or 'us-east-1'",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "body": false })), "options": opts }),
            Code::InvalidInput,
            "body must be a string, an ArrayBuffer or a typed array to be signed",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "body": "not base64!" })), "options": opts }),
            Code::InvalidInput,
            "body is not valid base64",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "bodyError": "used" })), "options": opts }),
            Code::InvalidInput,
            "the Request's body was already used",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "headers": { "a": 1 } })), "options": opts }),
            Code::InvalidInput,
            "headers must be a Headers, an array of [name, value] or an object of strings",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "headers": [["bad name", "v"]] })), "options": opts }),
            Code::InvalidInput,
            "a header name or value is not valid",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "method": 1 })), "options": opts }),
            Code::InvalidInput,
            "method must be a string",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "method": "GE T" })), "options": opts }),
            Code::InvalidInput,
            "the method to sign must be a word like GET or POST",
        ),
        ("signRequest", json!({ "request": { "href": url }, "options": opts }), Code::InvalidInput, "url is required"),
        (
            "signRequest",
            json!({ "request": { "url": "/relative", "href": null }, "options": opts }),
            Code::InvalidInput,
            "url is not a valid URL",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({ "href": "ftp://x/" })), "options": opts }),
            Code::InvalidInput,
            "the URL to sign must be absolute: http(s)://host/path",
        ),
        (
            "signRequest",
            json!({ "request": "https://x/", "options": opts }),
            Code::InvalidInput,
            "the request must be a Request or { url, method, headers, body }",
        ),
        (
            "signRequest",
            json!({ "request": req(json!({})), "options": { "service": "s3", "credentials": { "accessKeyId": "A" } } }),
            Code::InvalidInput,
            "secretAccessKey is required",
        ),
        (
            "presignUrl",
            json!({ "request": req(json!({})), "options": { "expiresIn": 604_801 } }),
            Code::InvalidInput,
            "expiresIn must be 1 to 604800 seconds",
        ),
        (
            "presignUrl",
            json!({ "request": req(json!({})), "options": { "expiresIn": "60" } }),
            Code::InvalidInput,
            "expiresIn must be 1 to 604800 seconds",
        ),
        (
            "signFailed",
            json!({ "stage": "build" }),
            Code::InvalidInput,
            "cannot build the signed request (method, body or headers not allowed)",
        ),
        (
            "signFailed",
            json!({ "stage": "fetch" }),
            Code::Network,
            "the signed request failed (offline, blocked by CORS, or refused)",
        ),
    ] {
        let call = w.op(op, input.clone());
        w.run();
        let e = w.error(call);
        assert_eq!((&e.code, e.message.as_str()), (&code, message), "{op} {input}");
    }
    assert!(w.requests.is_empty(), "{:?}", w.requests);

    // Without an identity pool: getAwsCredentials, and signing without explicit credentials.
    let mut plain = World::new(json!({}));
    let a = plain.op("getAwsCredentials", json!({}));
    let b = plain
        .op("signRequest", json!({ "request": req(json!({})), "options": { "service": "s3", "region": "us-east-1" } }));
    let c = plain.op("signRequest", json!({ "request": req(json!({})), "options": { "service": "s3" } }));
    plain.run();
    assert_eq!(plain.error(a).message, "identityPoolId is not configured");
    assert_eq!(plain.error(b).message, "identityPoolId is not configured");
    assert_eq!(plain.error(c).message, "region is required");
    // A bad pool id or endpoint is refused by the configuration.
    for extra in [
        json!({ "identityPoolId": "not-a-pool" }),
        json!({ "identityPoolId": IDENTITY_POOL, "identityEndpoint": "http://example.com/" }),
        json!({ "identityPoolId": IDENTITY_POOL, "stsEndpoint": "http://example.com/" }),
        json!({ "identityPoolId": IDENTITY_POOL, "stsEndpoint": 7 }),
        json!({ "identityPoolId": 7 }),
    ] {
        let mut cfg = json!({ "userPoolId": POOL, "clientId": CLIENT });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        assert_eq!(Config::parse(&cfg.to_string()).unwrap_err().code, Code::InvalidInput, "{extra}");
    }
}

const AUTH_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoAuthenticated";
const READ_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoReadOnly";
const GUEST_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoUnauthenticated";

/// Signs a POST to the protected API with `c` (explicit credentials) and sends it.
fn protected_with(w: &mut World, c: &Value) -> (u16, Value) {
    let url = format!("{BASE}/_protected/hello");
    let s = w.op(
        "signRequest",
        json!({
            "request": { "url": url, "href": url, "method": "POST", "body": b64(b"{}") },
            "options": { "service": "execute-api", "credentials": {
                "accessKeyId": c["accessKeyId"], "secretAccessKey": c["secretAccessKey"], "sessionToken": c["sessionToken"] } },
        }),
    );
    w.run();
    let signed = w.json(s);
    w.send_signed(&signed, b"{}")
}

/// `getAwsCredentials({ roleArn })`: GetId, GetOpenIdToken, STS once each; the STS request
/// is the query protocol's form, unsigned; the result is the enhanced flow's shape, cached
/// per role; another role is one STS call; the API accepts both sets, each for its role.
#[test]
fn basic_flow_runs_get_id_get_open_id_token_and_sts_and_caches_per_role() {
    let mut w = World::with_basic_flow();
    w.sign_in("alice");
    let n = w.requests.len();
    let c = w.credentials(json!({ "roleArn": AUTH_ROLE }));
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    let open_id: Value = serde_json::from_str(&w.requests[n + 1].1).unwrap();
    let id = c["identityId"].as_str().unwrap().to_string();
    assert_eq!(open_id["IdentityId"], id.as_str());
    assert!(open_id["Logins"]["cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01"].is_string(), "{open_id}");
    let sts = &w.requests[n + 2].1;
    let want = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2FEmuCognitoAuthenticated&RoleSessionName=cognito-wasm&WebIdentityToken=ey";
    assert!(sts.starts_with(want), "{sts}");
    let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["accessKeyId", "expiration", "identityId", "secretAccessKey", "sessionToken"]);
    assert!(c["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(c["sessionToken"].as_str().unwrap().starts_with("EmuSessionToken/"));
    // STS's Expiration has whole seconds: an hour after the emulator's clock.
    let until = c["expiration"].as_i64().unwrap() - real_now_ms();
    assert!((3_590_000..=3_600_000).contains(&until), "an hour ahead: {until}");
    assert_eq!(c["expiration"].as_i64().unwrap() % 1000, 0);
    assert_eq!(w.storage.get(USER_ID_KEY), Some(&id));

    let n = w.requests.len();
    assert_eq!(w.credentials(json!({ "roleArn": AUTH_ROLE })), c, "cached: the same set");
    assert_eq!(w.requests.len(), n, "cached: no request");
    let r = w.credentials(json!({ "roleArn": READ_ROLE }));
    assert_eq!(
        w.ops_since(n),
        ["GetOpenIdToken", "AssumeRoleWithWebIdentity"],
        "another role: the stored id, one STS call"
    );
    assert_ne!(r["accessKeyId"], c["accessKeyId"]);
    assert_eq!(r["identityId"], id.as_str());
    // Both stay cached, beside the enhanced flow's set; concurrent callers of one role share a run.
    let n = w.requests.len();
    assert_eq!(w.credentials(json!({ "roleArn": AUTH_ROLE }))["accessKeyId"], c["accessKeyId"]);
    assert_eq!(w.credentials(json!({ "roleArn": READ_ROLE }))["accessKeyId"], r["accessKeyId"]);
    let e = w.credentials(json!({}));
    assert_eq!(w.ops_since(n), ["GetCredentialsForIdentity"], "without roleArn: the enhanced flow, unchanged");
    assert_ne!(e["accessKeyId"], c["accessKeyId"]);
    let n = w.requests.len();
    let calls: Vec<u32> =
        (0..3).map(|_| w.op("getAwsCredentials", json!({ "roleArn": READ_ROLE, "forceRefresh": true }))).collect();
    w.run();
    assert_eq!(w.ops_since(n), ["GetOpenIdToken", "AssumeRoleWithWebIdentity"], "single flight per role");
    let fresh: Vec<Value> = calls.iter().map(|c| w.json(*c)["accessKeyId"].clone()).collect();
    assert!(fresh.iter().all(|k| *k == fresh[0]) && fresh[0] != r["accessKeyId"], "{fresh:?}");

    let (status, reply) = protected_with(&mut w, &c);
    assert_eq!(
        (status, reply["roleArn"].as_str(), reply["identityId"].as_str()),
        (200, Some(AUTH_ROLE), Some(id.as_str()))
    );
    let r = w.credentials(json!({ "roleArn": READ_ROLE }));
    let (status, reply) = protected_with(&mut w, &r);
    assert_eq!((status, reply["roleArn"].as_str()), (200, Some(READ_ROLE)), "{reply}");
    // signRequest / presignUrl with `roleArn`: that role's cached set, no request.
    let n = w.requests.len();
    let url = format!("{BASE}/_protected/hello");
    let s = w.op(
        "signRequest",
        json!({ "request": { "url": url, "href": url, "method": "GET" }, "options": { "service": "execute-api", "roleArn": READ_ROLE } }),
    );
    let p = w.op(
        "presignUrl",
        json!({ "request": { "url": url, "href": url }, "options": { "service": "execute-api", "roleArn": AUTH_ROLE } }),
    );
    let bad = w.op(
        "signRequest",
        json!({ "request": { "url": url, "href": url }, "options": { "service": "s3", "roleArn": "x" } }),
    );
    w.run();
    assert_eq!(w.requests.len(), n);
    assert_eq!(w.error(bad).code, Code::InvalidInput);
    let signed = w.json(s);
    assert!(signed["headers"]["Authorization"].as_str().unwrap().contains(r["accessKeyId"].as_str().unwrap()));
    let (status, reply) = w.send_signed(&signed, b"");
    assert_eq!((status, reply["roleArn"].as_str()), (200, Some(READ_ROLE)), "{reply}");
    let presigned = w.json(p);
    let path = presigned.as_str().unwrap().strip_prefix(BASE).unwrap().to_string();
    let host = vec![("Host".to_string(), "127.0.0.1:9229".to_string())];
    let (status, reply) = w.server("GET", &path, host, b"");
    assert_eq!((status, reply["roleArn"].as_str()), (200, Some(AUTH_ROLE)), "{reply}");

    // Signed out: every set is forgotten, and so is the identity id.
    w.sign_out();
    assert_eq!(w.storage.get(USER_ID_KEY), None);
    w.sign_in("alice");
    let n = w.requests.len();
    let again = w.credentials(json!({ "roleArn": AUTH_ROLE }));
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    assert_ne!(again["accessKeyId"], c["accessKeyId"]);
    assert_eq!(again["identityId"], id.as_str(), "the same identity");
    for s in [c["secretAccessKey"].as_str().unwrap(), c["sessionToken"].as_str().unwrap()] {
        assert!(!w.debug_log.contains(s), "a secret in the Debug log");
    }

    // Signed out while two roles' runs wait for STS: both callers are answered, nothing is
    // stored, and the next caller for those roles starts over.
    let n = w.requests.len();
    let (a, b) = (
        w.op("getAwsCredentials", json!({ "roleArn": AUTH_ROLE, "forceRefresh": true })),
        w.op("getAwsCredentials", json!({ "roleArn": READ_ROLE, "forceRefresh": true })),
    );
    let now = w.now;
    w.run_until(now + LATENCY_MS); // both GetOpenIdToken replies in, both STS requests on the wire
    assert_eq!(
        w.ops_since(n),
        ["GetOpenIdToken", "GetOpenIdToken", "AssumeRoleWithWebIdentity", "AssumeRoleWithWebIdentity"]
    );
    w.sign_out();
    for call in [a, b] {
        assert_eq!(w.error(call).message, "signed out while the credentials were being fetched");
    }
    assert_eq!(w.storage.get(USER_ID_KEY), None);
    let n = w.requests.len();
    let guest = w.credentials(json!({ "roleArn": GUEST_ROLE }));
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    assert_ne!(guest["identityId"], id.as_str());
}

/// A guest: GetOpenIdToken without Logins, the pool's unauthenticated role.
#[test]
fn basic_flow_for_a_guest() {
    let mut w = World::with_basic_flow();
    let c = w.credentials(json!({ "roleArn": GUEST_ROLE }));
    assert_eq!(w.ops_since(0), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    let id = c["identityId"].as_str().unwrap().to_string();
    assert_eq!(w.requests[1].1, format!(r#"{{"IdentityId":"{id}"}}"#), "a guest sends no Logins");
    assert_eq!(w.storage.get(GUEST_ID_KEY), Some(&id));
    let (status, reply) = protected_with(&mut w, &c);
    assert_eq!((status, reply["roleArn"].as_str()), (200, Some(GUEST_ROLE)));
    // A guest's token may not assume the authenticated role: STS's AccessDenied.
    let call = w.op("getAwsCredentials", json!({ "roleArn": AUTH_ROLE }));
    w.run();
    let e = w.error(call);
    assert_eq!(e.code, Code::Service("AccessDenied".into()));
    assert_eq!((e.message.as_str(), e.status), ("Not authorized to perform sts:AssumeRoleWithWebIdentity", Some(403)));
}

/// Refusals: the classic flow off (Cognito's error at GetOpenIdToken, no STS call), a role
/// the token may not assume (STS's XML error), a malformed STS reply, a bad roleArn.
#[test]
fn basic_flow_errors_are_typed() {
    let mut w = World::with_basic_flow();
    w.sign_in("alice");
    w.control("/_emulator/identity", json!({ "allowClassicFlow": false }));
    let n = w.requests.len();
    let call = w.op("getAwsCredentials", json!({ "roleArn": AUTH_ROLE }));
    w.run();
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken"]);
    let e = w.error(call);
    assert_eq!(e.code, Code::Service("InvalidParameterException".into()));
    assert_eq!(e.message, "Basic (classic) flow is not enabled, please use enhanced flow.");
    w.control("/_emulator/identity", json!({ "allowClassicFlow": true }));

    let n = w.requests.len();
    let call = w.op("getAwsCredentials", json!({ "roleArn": "arn:aws:iam::000000000000:role/NotTrusted" }));
    w.run();
    // (The identity id is stored with the first credentials, as in the enhanced flow.)
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);
    let e = w.error(call);
    assert_eq!((&e.code, e.status), (&Code::Service("AccessDenied".into()), Some(403)));

    for (status, body) in [
        (200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"),
        (200, "{\"Credentials\":{}}"),
        (400, "<ErrorResponse><Error><Type>Sender</Type></Error></ErrorResponse>"),
    ] {
        w.control(
            "/_emulator/faults",
            json!({ "target": "AssumeRoleWithWebIdentity", "status": status, "body": body, "contentType": "text/xml", "count": 1 }),
        );
        let call = w.op("getAwsCredentials", json!({ "roleArn": AUTH_ROLE }));
        w.run();
        let e = w.error(call);
        assert_eq!((&e.code, e.status), (&Code::InvalidResponse, Some(status)), "{body}");
    }
    // Nothing was cached by the failures; the next call works.
    let n = w.requests.len();
    assert!(w.credentials(json!({ "roleArn": AUTH_ROLE }))["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(w.ops_since(n), ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]);

    let n = w.requests.len();
    for bad in [json!("arn:aws:iam::0:role/x"), json!("EmuCognitoAuthenticated"), json!(7)] {
        let call = w.op("getAwsCredentials", json!({ "roleArn": bad }));
        w.run();
        assert_eq!(w.error(call).code, Code::InvalidInput, "{bad}");
    }
    assert_eq!(w.requests.len(), n);
}
