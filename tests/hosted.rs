//! The hosted UI on the engine, natively: one tab (localStorage and sessionStorage maps), the
//! Rust emulator routed in memory as the user-pool domain and API, and RS256 checked with the
//! emulator's rsa-crate verifier where the browser runner uses WebCrypto. The login page is
//! submitted the way a browser would (GET /oauth2/authorize, POST /login), so the callback
//! URLs are the emulator's own.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use cognito_emulator::jwt::{verify_rs256, Signer};
use cognito_emulator::pool::Pool;
use cognito_emulator::server::{route, Incoming, Reply as ServerReply};
use cognito_wasm::engine::ops::Op;
use cognito_wasm::engine::{Auth, Call, Config, Done, Effect, Input, Reply, StorageOp, RANDOM_BYTES};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::{Code, Error};
use serde_json::{json, Value};

const POOL: &str = "us-east-1_EmuPool01";
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const BASE: &str = "http://127.0.0.1:9229";
const APP: &str = "http://localhost:8080/";
const PASSWORD: &str = "Correct-Horse-9";
const PENDING: &str = "cognito-wasm.hostedUI.7f3kq2m9emulatorclient0001";
const PREFIX: &str = "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.";

fn b64(s: &str) -> Vec<u8> {
    cognito_wasm::encoding::base64url_decode(s).unwrap()
}

struct World {
    pool: Pool,
    auth: Auth,
    rng: u64,
    next_call: u32,
    storage: BTreeMap<String, String>,
    tab: BTreeMap<String, String>,
    inputs: VecDeque<Input>,
    done: Vec<(u32, Result<Done, Error>)>,
    /// Paths the engine requested, in order.
    requests: Vec<String>,
    navigated: Vec<String>,
    replaced: Vec<String>,
    /// Flips a bit of the ID token's signature in `/oauth2/token` replies (a forged token).
    forge_signature: bool,
    /// Added to the engine's clock (ms), to step past its waits.
    later_ms: i64,
}

impl World {
    fn new(extra: Value) -> World {
        let config = json!({
            "userPoolId": POOL,
            "clients": [{ "clientId": CLIENT, "callbackUrls": [APP], "logoutUrls": [APP] }],
            "users": [{ "username": "alice", "password": PASSWORD, "attributes": { "email": "alice@example.com" } }],
        });
        let pool = Pool::new(serde_json::from_value(config).unwrap(), BASE, Arc::new(Signer::generate())).unwrap();
        let mut cfg = json!({ "userPoolId": POOL, "clientId": CLIENT, "endpoint": format!("{BASE}/"),
            "domain": BASE, "redirectSignIn": APP, "redirectSignOut": APP });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let auth = Auth::new(Config::parse(&cfg.to_string()).unwrap());
        let mut w = World {
            pool,
            auth,
            rng: 0x2545_f491_4f6c_dd1d,
            next_call: 1,
            storage: BTreeMap::new(),
            tab: BTreeMap::new(),
            inputs: VecDeque::new(),
            done: Vec::new(),
            requests: Vec::new(),
            navigated: Vec::new(),
            replaced: Vec::new(),
            forge_signature: false,
            later_ms: 0,
        };
        let random = w.random();
        let effects = w.auth.start(true, now(), &random);
        w.run_effects(effects);
        w.run();
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

    /// Feeds one input; returns the effects it produced (already executed).
    fn feed(&mut self, input: Input) -> usize {
        let random = self.random();
        let effects = self.auth.handle(input, now() + self.later_ms, &random);
        let n = effects.len();
        self.run_effects(effects);
        n
    }

    fn run(&mut self) {
        while let Some(i) = self.inputs.pop_front() {
            self.feed(i);
        }
    }

    /// Calls an operation and runs everything it leads to; returns its result.
    fn op(&mut self, op: Op, input: Value) -> Result<Done, Error> {
        self.call(Call::Op { op, input: input.to_string() })
    }

    fn call(&mut self, op: Call) -> Result<Done, Error> {
        let call = self.next_call;
        self.next_call += 1;
        self.feed(Input::Call { call, op });
        self.run();
        self.result(call).unwrap_or_else(|| panic!("call {call} not complete"))
    }

    fn result(&self, call: u32) -> Option<Result<Done, Error>> {
        self.done.iter().find(|(c, _)| *c == call).map(|(_, r)| r.clone())
    }

    fn json(r: Result<Done, Error>) -> Value {
        match r {
            Ok(Done::Json(Some(t))) => serde_json::from_str(&t).unwrap(),
            // handleRedirectCallback's result as the runner builds it (core.mjs `complete`).
            Ok(Done::Redirected(s, state)) => json!({
                "type": "signedIn",
                "session": {
                    "username": s.username, "idToken": s.id_token, "accessToken": s.access_token,
                    "refreshToken": s.refresh_token, "expiresAt": s.expires_at_ms(), "clockDrift": s.clock_drift,
                    "idTokenClaims": serde_json::from_str::<Value>(&s.id_claims).unwrap(),
                    "accessTokenClaims": serde_json::from_str::<Value>(&s.access_claims).unwrap(),
                },
                "state": state,
            }),
            other => panic!("{other:?}"),
        }
    }

    fn server(&self, method: &str, url: &str, body: &str) -> ServerReply {
        let headers = vec![("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string())];
        route(&self.pool, &Incoming { method, url, headers, body: body.as_bytes().to_vec() })
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Http { id, request } => {
                    let path = request.url.strip_prefix(BASE).unwrap().to_string();
                    self.requests.push(path.split('?').next().unwrap().to_string());
                    let headers = request.headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                    let r = route(
                        &self.pool,
                        &Incoming {
                            method: request.method.as_str(),
                            url: &path,
                            headers,
                            body: request.body.clone().into_bytes(),
                        },
                    );
                    let mut body = String::from_utf8(r.body).unwrap();
                    if self.forge_signature && path == "/oauth2/token" && r.status == 200 {
                        let mut v: Value = serde_json::from_str(&body).unwrap();
                        let t = v["id_token"].as_str().unwrap().to_string();
                        let (input, sig) = t.rsplit_once('.').unwrap();
                        let mut s = b64(sig);
                        s[10] ^= 1;
                        v["id_token"] = json!(format!("{input}.{}", cognito_wasm::encoding::base64url_encode(&s)));
                        body = v.to_string();
                    }
                    let reply = Reply::Http(Ok(HttpResponse { status: r.status, body, error_type: None, date_s: 0 }));
                    self.inputs.push_back(Input::Reply { id, reply });
                }
                Effect::Storage { id, ops } => {
                    let got = apply(&mut self.storage, ops.to_vec());
                    self.inputs.push_back(Input::Reply { id, reply: Reply::Storage(Ok(got)) });
                }
                Effect::TabStorage { id, ops } => {
                    let got = apply(&mut self.tab, ops.to_vec());
                    self.inputs.push_back(Input::Reply { id, reply: Reply::Storage(Ok(got)) });
                }
                Effect::VerifyRs256 { id, n, e, data, signature } => {
                    let ok = verify_rs256(&b64(&n), &b64(&e), &data, &signature);
                    self.inputs.push_back(Input::Reply { id, reply: Reply::Verified(ok) });
                }
                Effect::Timer { id, .. } => self.inputs.push_back(Input::Reply { id, reply: Reply::Fired }),
                Effect::Lock { id, .. } => self.inputs.push_back(Input::Reply { id, reply: Reply::Locked(true) }),
                Effect::Navigate { url } => self.navigated.push(url),
                Effect::ReplaceUrl { url } => self.replaced.push(url),
                Effect::Complete { call, result } => self.done.push((call, result)),
                Effect::WebAuthn { .. } => panic!("unexpected WebAuthn"),
                Effect::CancelTimer { .. }
                | Effect::Unlock { .. }
                | Effect::Broadcast { .. }
                | Effect::Emit { .. }
                | Effect::Log { .. } => {}
            }
        }
    }

    /// `authorizeUrl`: answered within the one input that asked (the runner's `opSync`).
    fn authorize_url(&mut self) -> String {
        let call = self.next_call;
        self.next_call += 1;
        self.feed(Input::Call { call, op: Call::Op { op: Op::AuthorizeUrl, input: r#"{"state":"to-home"}"#.into() } });
        let url = Self::json(self.result(call).expect("authorizeUrl completes in the same input"));
        self.run();
        url.as_str().unwrap().to_string()
    }

    /// The user signs in on the emulator's login page; returns the callback URL.
    fn login(&self, authorize: &str) -> String {
        let page = self.server("GET", authorize.strip_prefix(BASE).unwrap(), "");
        assert_eq!(page.status, 200);
        let html = String::from_utf8(page.body).unwrap();
        let txn = html.split(r#"name="txn" value=""#).nth(1).unwrap().split('"').next().unwrap();
        let r = self.server("POST", "/login", &format!("txn={txn}&username=alice&password={PASSWORD}&action=signin"));
        assert_eq!(r.status, 302);
        r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("location")).unwrap().1.clone()
    }

    fn callback(&mut self, url: &str) -> Result<Done, Error> {
        self.op(Op::HandleRedirectCallback, json!({ "url": url, "here": url }))
    }

    fn count(&self, path: &str) -> usize {
        self.requests.iter().filter(|p| p.as_str() == path).count()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn apply(m: &mut BTreeMap<String, String>, ops: Vec<StorageOp>) -> Vec<Option<String>> {
    let mut got = Vec::new();
    for op in ops {
        match op {
            StorageOp::Get(k) => got.push(m.get(&k).cloned()),
            StorageOp::Set(k, v) => {
                m.insert(k, v);
            }
            StorageOp::Remove(k) => {
                m.remove(&k);
            }
        }
    }
    got
}

fn code(r: Result<Done, Error>) -> (Code, String) {
    match r {
        Err(e) => (e.code, e.message),
        Ok(d) => panic!("expected an error, got {d:?}"),
    }
}

const JWKS: &str = "/us-east-1_EmuPool01/.well-known/jwks.json";

#[test]
fn a_callback_signs_in_with_a_verified_id_token_and_a_clean_url() {
    let mut w = World::new(json!({}));
    let authorize = w.authorize_url();
    let q: BTreeMap<String, String> = url_query(&authorize);
    assert_eq!(q["redirect_uri"], APP);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!((q["state"].len(), q["nonce"].len(), q["code_challenge"].len()), (22, 22, 43));
    assert_ne!(q["state"], q["nonce"], "state and nonce come from different random bytes");
    assert!(w.tab.contains_key(PENDING), "the attempt waits in this tab's storage");
    assert!(w.storage.is_empty(), "nothing of the attempt in the shared storage");

    let cb = w.login(&authorize);
    let r = World::json(w.callback(&cb));
    assert_eq!(w.replaced, [APP], "code and state leave the address bar");
    assert_eq!((r["type"].as_str(), r["state"].as_str()), (Some("signedIn"), Some("to-home")));
    assert_eq!(r["session"]["username"], "alice");
    assert_eq!(r["session"]["idTokenClaims"]["nonce"], q["nonce"].as_str());
    assert_eq!(r["session"]["idTokenClaims"]["aud"], CLIENT);
    assert_eq!(w.storage.get(&format!("{PREFIX}alice.tokenSource")).map(String::as_str), Some("hostedUI"));
    assert_eq!(
        w.storage.get(&format!("{PREFIX}alice.idToken")),
        r["session"]["idToken"].as_str().map(String::from).as_ref()
    );
    assert!(!w.tab.contains_key(PENDING), "the attempt is used up");
    assert_eq!((w.count("/oauth2/token"), w.count(JWKS)), (1, 1));

    // The JWKS is cached per client: verifyIdToken and userInfo need no further fetch.
    let id_token = r["session"]["idToken"].as_str().unwrap().to_string();
    let claims = World::json(w.op(Op::VerifyIdToken, json!({ "token": id_token })));
    assert_eq!(claims["cognito:username"], "alice");
    assert_eq!(w.count(JWKS), 1);
    let info = World::json(w.op(Op::GetUserInfo, json!({})));
    assert_eq!(info["email"], "alice@example.com");
}

fn url_query(url: &str) -> BTreeMap<String, String> {
    cognito_wasm::oauth::form_decode(url.split_once('?').unwrap().1).unwrap().into_iter().collect()
}

#[test]
fn a_tampered_state_is_refused_without_an_exchange_and_the_real_callback_still_works() {
    let mut w = World::new(json!({}));
    let a = w.authorize_url();
    let cb = w.login(&a);
    let forged = cb.replace("state=", "state=x");
    let (c, m) = code(w.callback(&forged));
    assert_eq!(c, Code::InvalidState, "{m}");
    assert_eq!(w.count("/oauth2/token"), 0, "no token request for a forged state");
    assert!(w.tab.contains_key(PENDING), "a foreign callback leaves the attempt in place");
    assert!(w.storage.is_empty());
    // A callback without any state is refused the same way.
    let (c, _) = code(w.callback(&format!("{APP}?code=abc")));
    assert_eq!(c, Code::InvalidState);
    assert!(matches!(w.callback(&cb), Ok(Done::Redirected(..))));
    assert_eq!(w.count("/oauth2/token"), 1);
}

#[test]
fn a_replayed_callback_fails_cleanly_without_a_second_exchange() {
    let mut w = World::new(json!({}));
    let a = w.authorize_url();
    let cb = w.login(&a);
    assert!(matches!(w.callback(&cb), Ok(Done::Redirected(..))));
    let session = w.storage.clone();
    let (c, m) = code(w.callback(&cb));
    assert_eq!(c, Code::InvalidState, "{m}");
    assert!(m.contains("already handled"), "{m}");
    assert_eq!(w.count("/oauth2/token"), 1, "the code is never presented twice");
    assert_eq!(w.storage, session, "the first sign-in's session is untouched");
    assert_eq!(w.replaced.len(), 2, "the replayed code leaves the address bar too");

    // Two callbacks racing in one tab: the attempt is taken by the first one only.
    let a = w.authorize_url();
    let cb = w.login(&a);
    let (c1, c2) = (w.next_call, w.next_call + 1);
    w.next_call += 2;
    for call in [c1, c2] {
        let input = json!({ "url": cb }).to_string();
        w.feed(Input::Call { call, op: Call::Op { op: Op::HandleRedirectCallback, input } });
    }
    w.run();
    assert!(matches!(w.result(c1), Some(Ok(Done::Redirected(..)))));
    assert_eq!(code(w.result(c2).unwrap()).0, Code::InvalidState);
    assert_eq!(w.count("/oauth2/token"), 2);
    assert_eq!(w.replaced.len(), 2, "a URL that is not the page's own is not replaced");
}

#[test]
fn a_bad_signature_is_refused_and_nothing_is_stored() {
    let mut w = World::new(json!({}));
    let a = w.authorize_url();
    let cb = w.login(&a);
    w.forge_signature = true;
    let (c, m) = code(w.callback(&cb));
    assert_eq!(c, Code::InvalidIdToken);
    assert!(m.contains("signature"), "{m}");
    assert!(w.storage.is_empty(), "no session from a forged ID token");
    assert!(!w.tab.contains_key(PENDING), "the attempt was used up by its one exchange");
    assert_eq!((w.count("/oauth2/token"), w.count(JWKS)), (1, 1));
}

#[test]
fn an_unknown_kid_refetches_the_jwks_once() {
    let mut w = World::new(json!({}));
    // A password sign-in's ID token: verified with the first JWKS.
    let t1 = match w.call(Call::SignIn { username: "alice".into(), password: PASSWORD.into() }) {
        Ok(Done::SignedIn(s)) => s.id_token,
        other => panic!("{other:?}"),
    };
    assert_eq!(World::json(w.op(Op::VerifyIdToken, json!({ "token": t1 })))["aud"], CLIENT);
    assert_eq!(w.count(JWKS), 1);
    // The pool rotates its key; the hosted-UI sign-in's token names the new kid.
    assert_eq!(w.server("POST", "/_emulator/rotate-keys", "").status, 200);
    let a = w.authorize_url();
    let cb = w.login(&a);
    let r = World::json(w.callback(&cb));
    assert_eq!(r["session"]["username"], "alice");
    assert_eq!(w.count(JWKS), 2, "one refetch for the rotated key");
    // Still cached for both keys.
    World::json(w.op(Op::VerifyIdToken, json!({ "token": t1.clone() })));
    assert_eq!(w.count(JWKS), 2);
    // A kid nobody published: one refetch, then refused.
    let (h, rest) = t1.split_once('.').unwrap();
    let mut header: Value = serde_json::from_slice(&b64(h)).unwrap();
    header["kid"] = json!("no-such-kid");
    let forged = format!("{}.{rest}", cognito_wasm::encoding::base64url_encode(header.to_string().as_bytes()));
    let (c, m) = code(w.op(Op::VerifyIdToken, json!({ "token": forged })));
    assert_eq!(c, Code::InvalidIdToken);
    assert!(m.contains("kid"), "{m}");
    assert_eq!(w.count(JWKS), 3);
    assert_eq!(code(w.op(Op::VerifyIdToken, json!({ "token": 5 }))).0, Code::InvalidInput);
    assert_eq!(code(w.op(Op::VerifyIdToken, json!({ "token": "not-a-jwt" }))).0, Code::InvalidIdToken);
}

#[test]
fn the_issuer_option_accepts_that_iss_only() {
    let mut w = World::new(json!({ "issuer": "https://idp.example.com/pool" }));
    let t = match w.call(Call::SignIn { username: "alice".into(), password: PASSWORD.into() }) {
        Ok(Done::SignedIn(s)) => s.id_token,
        other => panic!("{other:?}"),
    };
    let (c, m) = code(w.op(Op::VerifyIdToken, json!({ "token": t })));
    assert_eq!(c, Code::InvalidIdToken);
    assert!(m.contains("(iss)"), "{m}");
    let bad = json!({ "userPoolId": POOL, "clientId": CLIENT, "issuer": "http://idp.example.com/p" });
    assert_eq!(Config::parse(&bad.to_string()).unwrap_err().code, Code::InvalidInput);
}

#[test]
fn sign_out_with_redirect_is_checked_first_then_goes_to_logout() {
    // Without redirectSignOut: refused before anything is done.
    let mut w = World::new(json!({ "redirectSignOut": null }));
    w.call(Call::SignIn { username: "alice".into(), password: PASSWORD.into() }).unwrap();
    let (stored, sent) = (w.storage.clone(), w.requests.len());
    assert_eq!(code(w.call(Call::SignOut { global: false, redirect: true })).0, Code::InvalidInput);
    assert_eq!(w.storage, stored, "still signed in");
    assert_eq!(w.requests.len(), sent, "nothing revoked");
    assert!(w.navigated.is_empty());

    let mut w = World::new(json!({}));
    let a = w.authorize_url();
    let cb = w.login(&a);
    w.callback(&cb).unwrap();
    match w.call(Call::SignOut { global: false, redirect: true }) {
        Ok(Done::SignedOut { revoked: true, error: None }) => {}
        other => panic!("{other:?}"),
    }
    assert!(w.storage.is_empty());
    assert_eq!(w.count("/oauth2/revoke"), 1, "a hosted-UI session is revoked at the domain");
    assert_eq!(w.navigated.len(), 1);
    assert!(w.navigated[0].starts_with(&format!("{BASE}/logout?")), "{}", w.navigated[0]);
    let q = url_query(&w.navigated[0]);
    assert_eq!((q["client_id"].as_str(), q["logout_uri"].as_str()), (CLIENT, APP));
    // A plain sign-out navigates nowhere.
    w.call(Call::SignOut { global: false, redirect: false }).unwrap();
    assert_eq!(w.navigated.len(), 1);
}

/// A server's verification (`verifyToken`, Node's `cognito-wasm/server`): access and ID
/// tokens, one error code per reason, `iss` checked before any key is fetched, the JWKS
/// fetched once for all of them (and once more for an unknown kid).
#[test]
fn a_servers_verification_has_one_code_per_reason_and_fetches_the_jwks_once() {
    let mut w = World::new(json!({}));
    let s = match w.call(Call::SignIn { username: "alice".into(), password: PASSWORD.into() }) {
        Ok(Done::SignedIn(s)) => s,
        other => panic!("{other:?}"),
    };
    let verify = |w: &mut World, token: &str, token_use: &str, extra: Value| {
        let mut input = json!({ "token": token, "tokenUse": token_use });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        w.op(Op::VerifyToken, input)
    };
    let claims = World::json(verify(&mut w, &s.access_token, "access", json!({})));
    assert_eq!((claims["username"].as_str(), claims["client_id"].as_str()), (Some("alice"), Some(CLIENT)));
    assert_eq!(World::json(verify(&mut w, &s.id_token, "id", json!({})))["aud"], CLIENT);
    assert_eq!(w.count(JWKS), 1);

    let payload = |t: &str| -> Value { serde_json::from_slice(&b64(t.split('.').nth(1).unwrap())).unwrap() };
    let (access, id) = (payload(&s.access_token), payload(&s.id_token));
    let with = |mut c: Value, k: &str, v: Value| {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v;
        }
        c
    };
    let now_s = now() / 1000;
    let sign = |w: &World, c: Value| w.pool.signer.sign(&c);
    let (tampered_input, sig) = s.access_token.rsplit_once('.').unwrap();
    let mut bad_sig = b64(sig);
    bad_sig[7] ^= 1;
    let tampered = format!("{tampered_input}.{}", cognito_wasm::encoding::base64url_encode(&bad_sig));
    let other_pool = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool";
    let cases: Vec<(String, &str, Value, &str, &str)> = vec![
        (s.id_token.clone(), "access", json!({}), "TokenWrongUse", "not an access token"),
        (s.access_token.clone(), "id", json!({}), "TokenWrongUse", "not an ID token"),
        (
            sign(&w, with(access.clone(), "client_id", json!("otherclient"))),
            "access",
            json!({}),
            "TokenWrongClient",
            "(client_id)",
        ),
        (sign(&w, with(id.clone(), "aud", json!("otherclient"))), "id", json!({}), "TokenWrongClient", "(aud)"),
        (sign(&w, with(access.clone(), "iss", json!(other_pool))), "access", json!({}), "TokenWrongIssuer", "(iss)"),
        (sign(&w, with(access.clone(), "exp", json!(now_s - 10))), "access", json!({}), "TokenExpired", "(exp)"),
        (sign(&w, with(access.clone(), "exp", Value::Null)), "access", json!({}), "TokenExpired", "no exp"),
        (
            sign(&w, with(access.clone(), "exp", json!(now_s - 400))),
            "access",
            json!({ "leewaySeconds": 300 }),
            "TokenExpired",
            "(exp)",
        ),
        (sign(&w, with(access.clone(), "nbf", json!(now_s + 120))), "access", json!({}), "TokenNotYetValid", "(nbf)"),
        (sign(&w, with(access.clone(), "nbf", json!("soon"))), "access", json!({}), "TokenNotYetValid", "(nbf)"),
        (tampered, "access", json!({}), "TokenBadSignature", "the token's signature is not valid"),
        ("a.b.c".into(), "access", json!({}), "TokenMalformed", "the token is not a well-formed JWT"),
        (s.access_token.replacen('.', ".x", 1), "access", json!({}), "TokenMalformed", "not a well-formed JWT"),
    ];
    for (token, token_use, extra, want, message) in cases {
        let (c, m) = code(verify(&mut w, &token, token_use, extra));
        assert_eq!((c.as_str(), m.contains(message)), (want, true), "{want}: {m}");
    }
    assert_eq!(w.count(JWKS), 1, "every refusal above used the cached keys (or none)");
    // Within the leeway: accepted.
    let late = sign(&w, with(access.clone(), "exp", json!(now_s - 10)));
    assert_eq!(World::json(verify(&mut w, &late, "access", json!({ "leewaySeconds": 60 })))["username"], "alice");
    let early = sign(&w, with(access.clone(), "nbf", json!(now_s + 30)));
    assert!(verify(&mut w, &early, "access", json!({ "leewaySeconds": 60 })).is_ok());
    // A rotated key is found with one refetch, then cached.
    assert_eq!(w.server("POST", "/_emulator/rotate-keys", "").status, 200);
    let rotated = sign(&w, access.clone());
    assert!(verify(&mut w, &rotated, "access", json!({})).is_ok());
    assert!(verify(&mut w, &rotated, "access", json!({})).is_ok());
    assert_eq!(w.count(JWKS), 2);
    // An unknown kid: one refetch, then `TokenUnknownKid`; for 10 s after that miss, other
    // unknown kids are refused without a fetch (forged tokens cannot make one per request).
    let (h, rest) = s.access_token.split_once('.').unwrap();
    let mut header: Value = serde_json::from_slice(&b64(h)).unwrap();
    let forge = |header: &mut Value, kid: &str| {
        header["kid"] = json!(kid);
        format!("{}.{rest}", cognito_wasm::encoding::base64url_encode(header.to_string().as_bytes()))
    };
    let unknown = "the token's kid is not in the user pool's JWKS";
    let (c, m) = code(verify(&mut w, &forge(&mut header, "no-such-kid"), "access", json!({})));
    assert_eq!((c.as_str(), m.as_str(), w.count(JWKS)), ("TokenUnknownKid", unknown, 3));
    for kid in ["no-such-kid", "another-kid"] {
        let (c, m) = code(verify(&mut w, &forge(&mut header, kid), "access", json!({})));
        assert_eq!((c.as_str(), m.as_str(), w.count(JWKS)), ("TokenUnknownKid", unknown, 3), "{kid}: no fetch");
    }
    assert!(verify(&mut w, &rotated, "access", json!({})).is_ok(), "known kids still verify");
    w.later_ms = cognito_wasm::engine::hosted::JWKS_MISS_WAIT_MS - 1_000;
    assert_eq!(code(verify(&mut w, &forge(&mut header, "k3"), "access", json!({}))).0.as_str(), "TokenUnknownKid");
    assert_eq!(w.count(JWKS), 3, "still within the wait");
    w.later_ms = cognito_wasm::engine::hosted::JWKS_MISS_WAIT_MS + 1_000;
    assert_eq!(code(verify(&mut w, &forge(&mut header, "k4"), "access", json!({}))).0.as_str(), "TokenUnknownKid");
    assert_eq!(w.count(JWKS), 4, "after the wait, one fetch again");
    // A key rotated in during the wait is found once it is over.
    assert_eq!(w.server("POST", "/_emulator/rotate-keys", "").status, 200);
    let rotated2 = sign(&w, access.clone());
    assert_eq!(code(verify(&mut w, &rotated2, "access", json!({}))).0.as_str(), "TokenUnknownKid");
    w.later_ms += cognito_wasm::engine::hosted::JWKS_MISS_WAIT_MS;
    assert!(verify(&mut w, &rotated2, "access", json!({})).is_ok());
    assert_eq!(w.count(JWKS), 5);
    // Bad input is `InvalidInput`, before anything is fetched.
    for (token, token_use, extra) in [
        (json!(5), json!("access"), json!(null)),
        (json!(s.access_token), json!("refresh"), json!(null)),
        (json!(s.access_token), json!(null), json!(null)),
        (json!(s.access_token), json!("access"), json!(301)),
        (json!(s.access_token), json!("access"), json!(-1)),
        (json!(s.access_token), json!("access"), json!("60")),
    ] {
        let input = json!({ "token": token, "tokenUse": token_use, "leewaySeconds": extra });
        assert_eq!(code(w.op(Op::VerifyToken, input)).0, Code::InvalidInput);
    }
    // The browser's verifyIdToken keeps its one code for the same refusals, and its refetch
    // for an unknown kid (the wait is a server's).
    let (c, m) = code(w.op(Op::VerifyIdToken, json!({ "token": rotated2 })));
    assert_eq!((c, m.contains("(aud)"), w.count(JWKS)), (Code::InvalidIdToken, true, 5), "{m}");
    let (c, m) = code(w.op(Op::VerifyIdToken, json!({ "token": forge(&mut header, "k5") })));
    assert_eq!((c, m.contains("kid"), w.count(JWKS)), (Code::InvalidIdToken, true, 6));
}
