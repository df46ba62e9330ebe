//! Account self-service, devices and passkey management on the engine, natively: one
//! simulated tab (a storage map, a simulated clock, a software authenticator for WebAuthn)
//! driving `cognito_wasm::engine::Auth` through its effects, with the emulator (the demo
//! pool of tests/fixtures) routed in memory as the server. Known answers throughout: the
//! JSON each call resolves with, the requests sent (and how often), what is left in storage.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock};

use cognito_emulator::challenges::{base32_decode, hotp};
use cognito_emulator::jwt::Signer;
use cognito_emulator::pool::Pool;
use cognito_emulator::server::{route, Incoming};
use cognito_wasm::encoding::{base64url_decode, base64url_encode};
use cognito_wasm::engine::ops::Op;
use cognito_wasm::engine::{
    Auth, Call, Config, Done, Effect, EventKind, Input, Notice, Reply, StorageOp, RANDOM_BYTES,
};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::{Code, Error};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const POOL: &str = "us-east-1_EmuPool01";
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const DEVICES_CLIENT: &str = "3devicesclient00emulator01";
const BASE: &str = "http://127.0.0.1:9229";
const ORIGIN: &str = "http://localhost:8080";

fn signer() -> Arc<Signer> {
    static S: OnceLock<Arc<Signer>> = OnceLock::new();
    S.get_or_init(|| Arc::new(Signer::generate())).clone()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// What the simulated browser's `navigator.credentials.create` does.
enum Authenticator {
    /// Creates an ES256 credential with this id (attestation "none", UP+UV).
    Creates(Vec<u8>),
    /// Rejects with this DOMException name.
    Throws(&'static str),
    /// Answers this credential JSON as is.
    Answers(String),
}

struct Tab {
    pool: Pool,
    auth: Auth,
    client_id: String,
    now: i64,
    rng: u64,
    storage: BTreeMap<String, String>,
    queue: VecDeque<Input>,
    completions: Vec<(u32, Result<Done, Error>)>,
    events: Vec<EventKind>,
    broadcasts: Vec<Notice>,
    /// (operation, request body, reply body) of every request.
    requests: Vec<(String, String, String)>,
    authenticator: Authenticator,
    /// The options of each WebAuthn ceremony (create?, JSON).
    ceremonies: Vec<(bool, String)>,
    /// The server's page size for ListWebAuthnCredentials without MaxResults (the emulator's
    /// is 20, Cognito's is not documented).
    passkey_page: Option<u32>,
    next_call: u32,
    /// `Debug` of every input and effect, to check that none shows a secret.
    debug_log: String,
    /// `Effect::Log` (logLevel 'debug'): (operation, retries), each checked to announce the
    /// `Http` effect right after it.
    logs: Vec<(String, u32)>,
}

impl Tab {
    fn open(client_id: &str, extra: Value) -> Tab {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-pool.json");
        let config = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let pool = Pool::new(config, BASE, signer()).unwrap();
        let mut cfg = json!({ "userPoolId": POOL, "clientId": client_id, "endpoint": format!("{BASE}/") });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let auth = Auth::new(Config::parse(&cfg.to_string()).unwrap());
        let mut t = Tab {
            pool,
            auth,
            client_id: client_id.into(),
            now: now_ms(),
            rng: 0x2545_f491_4f6c_dd1d,
            storage: BTreeMap::new(),
            queue: VecDeque::new(),
            completions: Vec::new(),
            events: Vec::new(),
            broadcasts: Vec::new(),
            requests: Vec::new(),
            authenticator: Authenticator::Throws("NotAllowedError"),
            ceremonies: Vec::new(),
            passkey_page: None,
            next_call: 1,
            debug_log: String::new(),
            logs: Vec::new(),
        };
        let random = t.random();
        let effects = t.auth.start(true, t.now, &random);
        t.run_effects(effects);
        t.run();
        t
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

    fn run(&mut self) {
        while let Some(input) = self.queue.pop_front() {
            self.debug_log.push_str(&format!("{input:?}\n"));
            let random = self.random();
            let effects = self.auth.handle(input, self.now, &random);
            self.run_effects(effects);
        }
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        let mut announced = None;
        for e in effects {
            if let Some(id) = announced.take() {
                assert!(matches!(&e, Effect::Http { id: i, .. } if *i == id), "a Log is followed by its Http: {e:?}");
            }
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
                    let mut body: Vec<u8> = request.body.clone().into_bytes();
                    if let (Some(n), "ListWebAuthnCredentials") = (self.passkey_page, op.as_str()) {
                        let mut b: Value = serde_json::from_slice(&body).unwrap();
                        b.as_object_mut().unwrap().entry("MaxResults").or_insert(json!(n));
                        body = b.to_string().into_bytes();
                    }
                    let incoming = Incoming { method: request.method.as_str(), url: &path, headers, body };
                    let reply = route(&self.pool, &incoming);
                    let body = String::from_utf8(reply.body).unwrap();
                    self.requests.push((op, request.body.clone(), body.clone()));
                    let error_type = reply
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-amzn-errortype"))
                        .map(|(_, v)| v.clone());
                    let result = if reply.status == 0 {
                        Err(Error::new(Code::Network, "dropped"))
                    } else {
                        Ok(HttpResponse { status: reply.status, body, error_type, date_s: 0 })
                    };
                    self.queue.push_back(Input::Reply { id, reply: Reply::Http(result) });
                }
                Effect::Storage { id, ops } => {
                    let mut got = Vec::new();
                    for op in ops.iter().cloned() {
                        match op {
                            StorageOp::Get(k) => got.push(self.storage.get(&k).cloned()),
                            StorageOp::Set(k, v) => drop(self.storage.insert(k, v)),
                            StorageOp::Remove(k) => drop(self.storage.remove(&k)),
                        }
                    }
                    self.queue.push_back(Input::Reply { id, reply: Reply::Storage(Ok(got)) });
                }
                // The retry policy's backoff: the clock jumps to the timer.
                Effect::Timer { id, at } => {
                    self.now = self.now.max(at);
                    self.queue.push_back(Input::Reply { id, reply: Reply::Fired });
                }
                Effect::CancelTimer { .. } | Effect::Unlock { .. } => {}
                Effect::Log { id, operation, retries } => {
                    self.logs.push((operation.to_string(), retries));
                    announced = Some(id);
                }
                Effect::Lock { id, .. } => self.queue.push_back(Input::Reply { id, reply: Reply::Locked(true) }),
                Effect::Broadcast { notice } => self.broadcasts.push(notice),
                Effect::Emit { event } => self.events.push(event.kind),
                Effect::Complete { call, result } => self.completions.push((call, result)),
                Effect::WebAuthn { id, create, options } => {
                    self.ceremonies.push((create, options.clone()));
                    let reply = match &self.authenticator {
                        Authenticator::Creates(cred_id) => Ok(registration(cred_id, &options)),
                        Authenticator::Throws(name) => Err(name.to_string()),
                        Authenticator::Answers(text) => Ok(text.clone()),
                    };
                    self.queue.push_back(Input::Reply { id, reply: Reply::WebAuthn(reply) });
                }
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    fn call(&mut self, op: Call) -> Result<Done, Error> {
        let call = self.next_call;
        self.next_call += 1;
        self.queue.push_back(Input::Call { call, op });
        self.run();
        let i = self.completions.iter().position(|(c, _)| *c == call).expect("the call completed");
        self.completions.remove(i).1
    }

    /// An operation of `engine::ops` by the runner's name, with its JSON argument.
    fn op(&mut self, name: &str, input: Value) -> Result<Option<Value>, Error> {
        let op = Op::parse(name).unwrap_or_else(|| panic!("{name} is an operation"));
        let input = if input.is_null() { String::new() } else { input.to_string() };
        match self.call(Call::Op { op, input })? {
            Done::Json(j) => Ok(j.map(|t| serde_json::from_str(&t).unwrap())),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn ok(&mut self, name: &str, input: Value) -> Option<Value> {
        self.op(name, input).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    fn err(&mut self, name: &str, input: Value) -> Error {
        self.op(name, input).expect_err(name)
    }

    fn sign_in(&mut self, username: &str, password: &str) {
        match self.call(Call::SignIn { username: username.into(), password: password.into() }) {
            Ok(Done::SignedIn(s)) => assert_eq!(s.username, username),
            // A pool that tracks devices: signed in, and this browser's device confirmed.
            Ok(Done::Json(Some(j))) => {
                let v: Value = serde_json::from_str(&j).unwrap();
                assert_eq!((v["type"].as_str(), v["session"]["username"].as_str()), (Some("signedIn"), Some(username)));
            }
            other => panic!("sign-in: {other:?}"),
        }
    }

    fn count(&self, op: &str) -> usize {
        self.requests.iter().filter(|(o, _, _)| o == op).count()
    }

    fn last_request(&self, op: &str) -> Value {
        let (_, body, _) = self.requests.iter().rev().find(|(o, _, _)| o == op).expect(op);
        serde_json::from_str(body).unwrap()
    }

    fn key(&self, user: &str, field: &str) -> String {
        format!("CognitoIdentityServiceProvider.{}.{user}.{field}", self.client_id)
    }

    fn last_code(&self, username: &str, purpose: &str) -> String {
        let r = route(&self.pool, &Incoming { method: "GET", url: "/_emulator/outbox", headers: vec![], body: vec![] });
        let outbox: Value = serde_json::from_slice(&r.body).unwrap();
        let m = outbox.as_array().unwrap().iter().rev().find(|m| m["username"] == username && m["purpose"] == purpose);
        m.unwrap_or_else(|| panic!("a {purpose} code for {username}"))["code"].as_str().unwrap().to_string()
    }

    fn throttle(&self, target: &str, count: u32) {
        let body = json!({
            "target": target, "status": 400, "count": count, "contentType": "application/x-amz-json-1.1",
            "body": json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"}).to_string(),
        });
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
}

/// RFC 6238 with the emulator's HOTP (checked against the RFC there).
fn totp(secret: &str, now_ms: i64) -> String {
    hotp(&base32_decode(secret).unwrap(), (now_ms / 30_000) as u64, 6)
}

/// The CBOR an authenticator writes (RFC 8949 definite lengths): enough for an attestation
/// object and a COSE key.
enum C {
    Int(i64),
    Bytes(Vec<u8>),
    Text(String),
    Map(Vec<(C, C)>),
}

fn int(n: i64) -> C {
    C::Int(n)
}

fn encode(v: &C) -> Vec<u8> {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        match n {
            0..=23 => out.push(major << 5 | n as u8),
            24..=0xff => out.extend([major << 5 | 24, n as u8]),
            0x100..=0xffff => {
                out.push(major << 5 | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(major << 5 | 26);
                out.extend((n as u32).to_be_bytes());
            }
        }
    }
    let mut out = Vec::new();
    match v {
        C::Int(n) if *n >= 0 => head(&mut out, 0, *n as u64),
        C::Int(n) => head(&mut out, 1, (-1 - *n) as u64),
        C::Bytes(b) => {
            head(&mut out, 2, b.len() as u64);
            out.extend(b);
        }
        C::Text(t) => {
            head(&mut out, 3, t.len() as u64);
            out.extend(t.as_bytes());
        }
        C::Map(m) => {
            head(&mut out, 5, m.len() as u64);
            for (k, v) in m {
                out.extend(encode(k));
                out.extend(encode(v));
            }
        }
    }
    out
}

#[test]
fn the_test_cbor_encoder_is_rfc_8949() {
    // RFC 8949 Appendix A.
    assert_eq!(encode(&int(0)), [0x00]);
    assert_eq!(encode(&int(24)), [0x18, 0x18]);
    assert_eq!(encode(&int(1000)), [0x19, 0x03, 0xe8]);
    assert_eq!(encode(&int(-1)), [0x20]);
    assert_eq!(encode(&int(-1000)), [0x39, 0x03, 0xe7]);
    assert_eq!(encode(&C::Bytes(vec![1, 2, 3, 4])), [0x44, 1, 2, 3, 4]);
    assert_eq!(encode(&C::Text("IETF".into())), [0x64, 0x49, 0x45, 0x54, 0x46]);
    assert_eq!(encode(&C::Map(vec![(int(1), int(2)), (int(3), int(4))])), [0xa2, 1, 2, 3, 4]);
}

/// The RegistrationResponseJSON a browser with an ES256 authenticator returns for `options`
/// (attestation "none"; the key is P-256's generator point, a valid public key).
fn registration(cred_id: &[u8], options: &str) -> String {
    let o: Value = serde_json::from_str(options).unwrap();
    let client_data = json!({
        "type": "webauthn.create", "challenge": o["challenge"], "origin": ORIGIN, "crossOrigin": false,
    })
    .to_string();
    let hex = |s: &str| (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
    let x: Vec<u8> = hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    let y: Vec<u8> = hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    let cose = encode(&C::Map(vec![
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), C::Bytes(x)),
        (int(-3), C::Bytes(y)),
    ]));
    let mut auth_data = Sha256::digest(o["rp"]["id"].as_str().unwrap().as_bytes()).to_vec();
    auth_data.push(0x45); // UP | UV | AT
    auth_data.extend([0, 0, 0, 0]);
    auth_data.extend([0u8; 16]);
    auth_data.extend((cred_id.len() as u16).to_be_bytes());
    auth_data.extend(cred_id);
    auth_data.extend(&cose);
    let att = encode(&C::Map(vec![
        (C::Text("fmt".into()), C::Text("none".into())),
        (C::Text("attStmt".into()), C::Map(vec![])),
        (C::Text("authData".into()), C::Bytes(auth_data.clone())),
    ]));
    let id = base64url_encode(cred_id);
    json!({
        "id": id, "rawId": id, "type": "public-key",
        "response": {
            "clientDataJSON": base64url_encode(client_data.as_bytes()),
            "attestationObject": base64url_encode(&att),
            "transports": ["internal", "hybrid"],
            "authenticatorData": base64url_encode(&auth_data),
            "publicKeyAlgorithm": -7,
        },
        "authenticatorAttachment": "platform",
        "clientExtensionResults": { "credProps": { "rk": true } },
    })
    .to_string()
}

#[test]
fn forgot_password_and_resend_code_by_username() {
    let mut t = Tab::open(CLIENT, json!({}));
    let sent = t.ok("forgotPassword", json!({ "username": "demo", "clientMetadata": { "app": "e2e" } }));
    assert_eq!(
        sent,
        Some(json!({ "codeDelivery": { "medium": "EMAIL", "destination": "d***@e***", "attributeName": "email" } }))
    );
    assert_eq!(
        t.last_request("ForgotPassword"),
        json!({ "ClientId": CLIENT, "Username": "demo", "ClientMetadata": { "app": "e2e" } })
    );
    let code = t.last_code("demo", "FORGOT_PASSWORD");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e =
        t.err("confirmForgotPassword", json!({ "username": "demo", "code": wrong, "newPassword": "Reset-Passw0rd!" }));
    assert_eq!(code_of(&e), ("CodeMismatchException", Some(400)));
    assert_eq!(
        t.ok("confirmForgotPassword", json!({ "username": "demo", "code": code, "newPassword": "Reset-Passw0rd!" })),
        None
    );
    t.sign_in("demo", "Reset-Passw0rd!");

    // An unconfirmed user gets the sign-up code again.
    let again = t.ok("resendSignUpCode", json!({ "username": "pending" })).unwrap();
    assert_eq!(again["codeDelivery"]["destination"], "p***@e***");
    assert_eq!(t.last_code("pending", "SIGN_UP").len(), 6);

    // Bad input: typed, nothing sent.
    let before = t.requests.len();
    for (name, input, message) in [
        ("forgotPassword", json!({}), "username is required"),
        ("forgotPassword", json!({ "username": 7 }), "username must be a string"),
        (
            "forgotPassword",
            json!({ "username": "demo", "clientMetadata": { "a": 1 } }),
            "clientMetadata must be an object of strings",
        ),
        ("confirmForgotPassword", json!({ "username": "demo", "code": "1" }), "newPassword is required"),
        ("confirmForgotPassword", json!({ "username": "demo", "newPassword": "x" }), "code is required"),
        ("resendSignUpCode", json!({ "username": "" }), "username is required"),
    ] {
        let e = t.err(name, input);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", message), "{name}");
    }
    let e = t.op("forgotPassword", json!("demo")).unwrap_err();
    assert_eq!(e.code, Code::InvalidInput);
    assert_eq!(t.requests.len(), before);
}

fn code_of(e: &Error) -> (&str, Option<u16>) {
    (e.code.as_str(), e.status)
}

#[test]
fn calls_on_the_token_need_a_session() {
    let mut t = Tab::open(CLIENT, json!({}));
    for (name, input) in [
        ("getUser", Value::Null),
        ("setUpTotp", Value::Null),
        ("changePassword", json!({ "oldPassword": "a", "newPassword": "b" })),
        ("deleteUser", Value::Null),
        ("listDevices", Value::Null),
        ("forgetDevice", Value::Null),
        ("registerPasskey", Value::Null),
        ("listPasskeys", Value::Null),
        ("deletePasskey", json!({ "credentialId": "AQID" })),
    ] {
        let e = t.err(name, input);
        assert_eq!(e.code, Code::NotSignedIn, "{name}");
    }
    assert!(t.requests.is_empty(), "nothing sent");
}

#[test]
fn get_user_change_password_attributes_and_their_verification() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("alice", "Alice-Passw0rd!");
    let user = t.ok("getUser", Value::Null).unwrap();
    let sub = user["attributes"]["sub"].as_str().unwrap().to_string();
    assert_eq!(sub.len(), 36);
    assert_eq!(
        user,
        json!({
            "username": "alice",
            "attributes": { "sub": sub, "email": "alice@example.com", "email_verified": "true", "name": "Alice Example" },
            "preferredMfa": null,
            "mfaMethods": [],
        })
    );

    let e = t.err("changePassword", json!({ "oldPassword": "wrong", "newPassword": "Alice-N3w-Passw0rd!" }));
    assert_eq!(e.code.as_str(), "NotAuthorizedException");
    assert_eq!(
        t.ok("changePassword", json!({ "oldPassword": "Alice-Passw0rd!", "newPassword": "Alice-N3w-Passw0rd!" })),
        None
    );
    let sent = t.last_request("ChangePassword");
    assert_eq!(sent["PreviousPassword"], "Alice-Passw0rd!");
    assert_eq!(sent["ProposedPassword"], "Alice-N3w-Passw0rd!");

    let changed = t.ok("updateUserAttributes", json!({ "attributes": { "email": "alice.new@example.com" } })).unwrap();
    assert_eq!(
        changed,
        json!({ "codeDeliveries": [{ "medium": "EMAIL", "destination": "a***@e***", "attributeName": "email" }] })
    );
    let resent = t.ok("sendUserAttributeVerificationCode", json!({ "name": "email" })).unwrap();
    assert_eq!(
        resent,
        json!({ "codeDelivery": { "medium": "EMAIL", "destination": "a***@e***", "attributeName": "email" } })
    );
    let code = t.last_code("alice", "VERIFY_email");
    assert_eq!(t.ok("verifyUserAttribute", json!({ "name": "email", "code": code })), None);
    assert_eq!(t.ok("deleteUserAttributes", json!({ "names": ["name"] })), None);
    let user = t.ok("getUser", Value::Null).unwrap();
    assert_eq!(user["attributes"], json!({ "sub": sub, "email": "alice.new@example.com", "email_verified": "true" }));

    let before = t.requests.len();
    for (name, input, message) in [
        ("changePassword", json!({ "oldPassword": "x" }), "newPassword is required"),
        ("updateUserAttributes", json!({}), "attributes must name at least one attribute"),
        ("updateUserAttributes", json!({ "attributes": ["email"] }), "attributes must be an object of strings"),
        ("sendUserAttributeVerificationCode", json!({}), "name is required"),
        ("verifyUserAttribute", json!({ "name": "email" }), "code is required"),
        ("deleteUserAttributes", json!({}), "names must be an array of strings"),
        ("deleteUserAttributes", json!({ "names": ["a", 1] }), "names must be an array of strings"),
        ("deleteUserAttributes", json!({ "names": [] }), "names must list at least one attribute name"),
        ("setMfaPreference", json!({ "totp": "maybe" }), "totp must be 'disabled', 'enabled' or 'preferred'"),
        ("setMfaPreference", json!({}), "give at least one of sms, totp, email"),
        ("verifyTotp", json!({ "code": "123456", "deviceName": 1 }), "deviceName must be a string"),
    ] {
        let e = t.err(name, input);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", message), "{name}");
    }
    assert_eq!(t.requests.len(), before, "bad input sends nothing");
    t.sign_in("alice", "Alice-N3w-Passw0rd!");
    let token = t.storage[&t.key("alice", "accessToken")].clone();
    for secret in ["Alice-N3w-Passw0rd!", "Alice-Passw0rd!", token.as_str()] {
        assert!(!t.debug_log.contains(secret), "{secret} in Debug output");
    }
    assert!(t.debug_log.contains("Op(Account(ChangePassword), …)"), "the operation is shown");
}

#[test]
fn only_safe_to_repeat_calls_are_retried() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("demo", "Demo-Passw0rd!");
    t.throttle("GetUser", 2);
    assert_eq!(t.ok("getUser", Value::Null).unwrap()["username"], "demo");
    assert_eq!(t.count("GetUser"), 3, "two throttled tries, then the answer");
    t.throttle("GetUser", 3);
    let e = t.err("getUser", Value::Null);
    assert_eq!((e.code.as_str(), e.retryable()), ("TooManyRequestsException", true));
    assert_eq!(t.count("GetUser"), 6, "three tries at most");
    // SetUserMFAPreference may be repeated; VerifySoftwareToken and ChangePassword not.
    t.throttle("SetUserMFAPreference", 1);
    assert_eq!(t.ok("setMfaPreference", json!({ "email": "enabled" })), None);
    assert_eq!(t.count("SetUserMFAPreference"), 2);
    t.throttle("ChangePassword", 1);
    let e = t.err("changePassword", json!({ "oldPassword": "Demo-Passw0rd!", "newPassword": "Demo-N3w-Passw0rd!" }));
    assert_eq!(e.code.as_str(), "TooManyRequestsException");
    assert_eq!(t.count("ChangePassword"), 1);
    t.throttle("ForgotPassword", 1);
    assert_eq!(t.err("forgotPassword", json!({ "username": "demo" })).code.as_str(), "TooManyRequestsException");
    assert_eq!(t.count("ForgotPassword"), 1, "a code is not sent twice behind the app's back");
}

#[test]
fn totp_setup_with_the_configured_issuer_then_mfa_preference() {
    let mut t = Tab::open(CLIENT, json!({ "totpIssuer": "My App" }));
    t.sign_in("demo", "Demo-Passw0rd!");
    let setup = t.ok("setUpTotp", Value::Null).unwrap();
    let secret = setup["secretCode"].as_str().unwrap().to_string();
    assert!(
        secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
        "{secret}"
    );
    assert_eq!(
        setup,
        json!({ "secretCode": secret, "totpUri": format!("otpauth://totp/My%20App:demo?secret={secret}&issuer=My%20App") })
    );
    let good = totp(&secret, now_ms());
    let wrong = if good == "000000" { "111111" } else { "000000" };
    // Cognito's (and the emulator's) answer to a wrong first code.
    let e = t.err("verifyTotp", json!({ "code": wrong }));
    assert_eq!(code_of(&e), ("EnableSoftwareTokenMFAException", Some(400)));
    assert_eq!(t.count("VerifySoftwareToken"), 1);
    assert_eq!(t.ok("verifyTotp", json!({ "code": good, "deviceName": "phone" })), None);
    assert_eq!(t.last_request("VerifySoftwareToken")["FriendlyDeviceName"], "phone");
    assert_eq!(t.ok("setMfaPreference", json!({ "totp": "preferred", "sms": "disabled" })), None);
    assert_eq!(
        t.last_request("SetUserMFAPreference"),
        json!({
            "AccessToken": t.storage[&t.key("demo", "accessToken")],
            "SMSMfaSettings": { "Enabled": false, "PreferredMfa": false },
            "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true },
        })
    );
    let user = t.ok("getUser", Value::Null).unwrap();
    assert_eq!(
        (&user["preferredMfa"], &user["mfaMethods"]),
        (&json!("SOFTWARE_TOKEN_MFA"), &json!(["SOFTWARE_TOKEN_MFA"]))
    );

    // The default issuer is Amplify's.
    let mut d = Tab::open(CLIENT, json!({}));
    d.sign_in("alice", "Alice-Passw0rd!");
    let s = d.ok("setUpTotp", Value::Null).unwrap();
    assert_eq!(
        s["totpUri"],
        format!("otpauth://totp/AWSCognito:alice?secret={}&issuer=AWSCognito", s["secretCode"].as_str().unwrap())
    );
}

#[test]
fn delete_user_forgets_the_session_and_the_device() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("demo", "Demo-Passw0rd!");
    for (f, v) in [("deviceKey", "us-east-1_d"), ("deviceGroupKey", "-g"), ("randomPasswordKey", "cA==")] {
        let k = t.key("demo", f);
        t.storage.insert(k, v.into());
    }
    let other = t.key("alice", "deviceKey");
    t.storage.insert(other.clone(), "us-east-1_a".into());
    t.events.clear();
    t.broadcasts.clear();
    assert_eq!(t.ok("deleteUser", Value::Null), None);
    assert_eq!(t.count("DeleteUser"), 1);
    assert_eq!(t.storage.keys().collect::<Vec<_>>(), [&other], "only another user's device is left");
    assert_eq!(t.events, [EventKind::SignedOut]);
    assert_eq!(t.broadcasts, [Notice::SignedOut]);
    assert!(matches!(t.call(Call::CurrentSession), Ok(Done::Session(None))));
    match t.call(Call::SignIn { username: "demo".into(), password: "Demo-Passw0rd!".into() }) {
        Err(e) => assert_eq!(e.code.as_str(), "NotAuthorizedException"),
        other => panic!("{other:?}"),
    }
}

/// Signs `user` in on the devices client and confirms the device Cognito issued, storing its
/// keys where the sign-in flow keeps them; returns the device key.
/// One of the pool's own calls, made directly (not through the engine).
fn pool_call(t: &Tab, target: &str, body: &Value) {
    let headers = vec![
        ("Content-Type".to_string(), "application/x-amz-json-1.1".to_string()),
        ("X-Amz-Target".to_string(), format!("AWSCognitoIdentityProviderService.{target}")),
    ];
    let r = route(&t.pool, &Incoming { method: "POST", url: "/", headers, body: body.to_string().into_bytes() });
    assert_eq!(r.status, 200, "{target}: {}", String::from_utf8_lossy(&r.body));
}

/// A sign-in that leaves this browser without a device: the engine's sign-in confirms the
/// device the pool hands out (as the package does); these tests start without one, so it is
/// forgotten at the pool and here.
fn sign_in_without_device(t: &mut Tab, user: &str, password: &str) {
    t.sign_in(user, password);
    let key = t.storage.remove(&t.key(user, "deviceKey")).expect("the sign-in confirmed a device");
    for f in ["deviceGroupKey", "randomPasswordKey"] {
        let k = t.key(user, f);
        t.storage.remove(&k);
    }
    let access = t.storage[&t.key(user, "accessToken")].clone();
    pool_call(t, "ForgetDevice", &json!({ "AccessToken": access, "DeviceKey": key }));
}

/// Signs in, and the engine confirms this browser's device (named by the `userAgent` these
/// tests configure); its key.
fn with_device(t: &mut Tab, user: &str, password: &str) -> String {
    t.sign_in(user, password);
    t.storage[&t.key(user, "deviceKey")].clone()
}

#[test]
fn remember_list_and_forget_this_browsers_device() {
    let mut t = Tab::open(DEVICES_CLIENT, json!({ "userAgent": "test browser" }));
    sign_in_without_device(&mut t, "demo", "Demo-Passw0rd!");
    let e = t.err("rememberDevice", Value::Null);
    assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", "this browser has no device key for the user"));
    let e = t.err("forgetDevice", Value::Null);
    assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", "no deviceKey given and none stored"));
    assert_eq!(t.err("forgetDevice", json!({ "deviceKey": 5 })).message, "deviceKey must be a string");
    assert_eq!(t.ok("listDevices", Value::Null), Some(json!([])));

    let key = with_device(&mut t, "demo", "Demo-Passw0rd!");
    assert_eq!(t.ok("rememberDevice", Value::Null), None);
    assert_eq!(
        t.last_request("UpdateDeviceStatus"),
        json!({ "AccessToken": t.storage[&t.key("demo", "accessToken")], "DeviceKey": key, "DeviceRememberedStatus": "remembered" })
    );
    let list = t.ok("listDevices", Value::Null).unwrap();
    assert_eq!(t.last_request("ListDevices")["Limit"], 60);
    let d = &list[0];
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!((&d["deviceKey"], &d["name"], &d["remembered"]), (&json!(key), &json!("test browser"), &json!(true)));
    assert!(d["createdAt"].as_u64().unwrap() > 1_700_000_000_000, "ms since the epoch");
    assert_eq!(t.ok("doNotRememberDevice", Value::Null), None);
    assert_eq!(t.ok("listDevices", Value::Null).unwrap()[0]["remembered"], false);

    // Another key: forgotten in Cognito only.
    let e = t.err("forgetDevice", json!({ "deviceKey": "us-east-1_00000000-0000-4000-8000-000000000000" }));
    assert_eq!(e.code.as_str(), "ResourceNotFoundException");
    assert!(t.storage.contains_key(&t.key("demo", "deviceKey")));
    // This browser's device: forgotten there and here.
    t.throttle("ForgetDevice", 1);
    assert_eq!(t.ok("forgetDevice", Value::Null), None);
    assert_eq!(t.count("ForgetDevice"), 3, "ForgetDevice is repeated after a throttle");
    assert_eq!(t.last_request("ForgetDevice")["DeviceKey"], key);
    for f in ["deviceKey", "deviceGroupKey", "randomPasswordKey"] {
        assert!(!t.storage.contains_key(&t.key("demo", f)), "{f} removed");
    }
    assert!(t.storage.contains_key(&t.key("demo", "refreshToken")), "still signed in");
    assert_eq!(t.ok("listDevices", Value::Null), Some(json!([])));
}

#[test]
fn register_list_and_delete_passkeys() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("passkey", "Passkey-Passw0rd!");
    assert_eq!(t.ok("listPasskeys", Value::Null), Some(json!({ "passkeys": [], "nextToken": null })));

    // The user does not verify: typed, nothing completed.
    t.authenticator = Authenticator::Throws("NotAllowedError");
    assert_eq!(t.err("registerPasskey", Value::Null).code, Code::PasskeyCancelled);
    assert_eq!((t.count("StartWebAuthnRegistration"), t.count("CompleteWebAuthnRegistration")), (1, 0));
    let (create, options) = t.ceremonies.last().unwrap().clone();
    assert!(create);
    let options: Value = serde_json::from_str(&options).unwrap();
    let (_, _, start_reply) = t.requests.iter().find(|(o, _, _)| o == "StartWebAuthnRegistration").unwrap();
    let start_reply: Value = serde_json::from_str(start_reply).unwrap();
    assert_eq!(options, start_reply["CredentialCreationOptions"], "Cognito's options reach the browser as sent");
    assert_eq!(options["rp"]["id"], "localhost");

    let first = vec![0xa1; 16];
    t.authenticator = Authenticator::Creates(first.clone());
    let r = t.ok("registerPasskey", Value::Null).unwrap();
    assert_eq!(r, json!({ "credentialId": base64url_encode(&first) }));
    // The credential as the pure core writes it: the browser's extension results are not
    // passed on.
    let sent = t.last_request("CompleteWebAuthnRegistration")["Credential"].clone();
    let keys: Vec<&String> = sent.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["authenticatorAttachment", "clientExtensionResults", "id", "rawId", "response", "type"]);
    assert_eq!(sent["clientExtensionResults"], json!({}));
    assert_eq!(sent["response"]["transports"], json!(["internal", "hybrid"]));
    assert_eq!(sent["response"]["publicKeyAlgorithm"], -7);
    let cd = base64url_decode(sent["response"]["clientDataJSON"].as_str().unwrap()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&cd).unwrap()["type"], "webauthn.create");

    // The same authenticator again: the browser refuses (excludeCredentials lists it).
    t.authenticator = Authenticator::Throws("InvalidStateError");
    assert_eq!(t.err("registerPasskey", Value::Null).code, Code::PasskeyAlreadyRegistered);
    let (_, options) = t.ceremonies.last().unwrap();
    let options: Value = serde_json::from_str(options).unwrap();
    assert_eq!(options["excludeCredentials"][0]["id"], base64url_encode(&first));
    for (name, code) in [
        ("SecurityError", Code::PasskeyRpMismatch),
        ("NotSupportedError", Code::PasskeyNotSupported),
        ("AbortError", Code::PasskeyAborted),
        ("TypeError", Code::PasskeyFailed),
    ] {
        t.authenticator = Authenticator::Throws(name);
        assert_eq!(t.err("registerPasskey", Value::Null).code, code, "{name}");
    }
    // A credential without its attestation: refused here, nothing sent.
    t.authenticator = Authenticator::Answers(
        json!({ "id": "AQ", "rawId": "AQ", "type": "public-key", "response": { "clientDataJSON": "AQ" } }).to_string(),
    );
    let e = t.err("registerPasskey", Value::Null);
    assert_eq!((e.code.clone(), e.message.as_str()), (Code::PasskeyFailed, "the credential lacks attestationObject"));
    t.authenticator = Authenticator::Answers("not json".into());
    assert_eq!(t.err("registerPasskey", Value::Null).code, Code::PasskeyFailed);
    assert_eq!(t.count("CompleteWebAuthnRegistration"), 1);

    let second = vec![0xb2; 20];
    t.authenticator = Authenticator::Creates(second.clone());
    t.ok("registerPasskey", Value::Null);
    let third = vec![0xc3; 32];
    t.authenticator = Authenticator::Creates(third.clone());
    t.ok("registerPasskey", Value::Null);
    let ids = |v: &Value| -> Vec<String> {
        v["passkeys"].as_array().unwrap().iter().map(|p| p["credentialId"].as_str().unwrap().to_string()).collect()
    };
    let all = [&first, &second, &third].map(|c| base64url_encode(c));

    let lists = t.count("ListWebAuthnCredentials");
    let listed = t.ok("listPasskeys", Value::Null).unwrap();
    assert_eq!(ids(&listed), all);
    assert_eq!(listed["nextToken"], Value::Null);
    let p = &listed["passkeys"][0];
    assert_eq!(
        (&p["relyingPartyId"], &p["authenticatorAttachment"], &p["transports"]),
        (&json!("localhost"), &json!("platform"), &json!(["internal", "hybrid"]))
    );
    assert!((p["createdAt"].as_i64().unwrap() - now_ms()).abs() < 120_000, "ms since the epoch");
    assert_eq!(t.count("ListWebAuthnCredentials"), lists + 1);

    // One page, then the next from its token.
    let page1 = t.ok("listPasskeys", json!({ "maxResults": 2 })).unwrap();
    assert_eq!(ids(&page1), all[..2]);
    let token = page1["nextToken"].as_str().unwrap().to_string();
    let page2 = t.ok("listPasskeys", json!({ "maxResults": 2, "nextToken": token })).unwrap();
    assert_eq!((ids(&page2), &page2["nextToken"]), (all[2..].to_vec(), &Value::Null));
    assert_eq!(t.last_request("ListWebAuthnCredentials")["MaxResults"], 2);
    for (input, message) in [
        (json!({ "maxResults": 21 }), "maxResults must be from 1 to 20"),
        (json!({ "maxResults": 1.5 }), "maxResults must be from 1 to 20"),
        (json!({ "maxResults": "2" }), "maxResults must be a number"),
        (json!({ "nextToken": 3 }), "nextToken must be a string"),
    ] {
        let e = t.err("listPasskeys", input);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", message));
    }

    assert_eq!(t.ok("deletePasskey", json!({ "credentialId": all[1] })), None);
    assert_eq!(t.last_request("DeleteWebAuthnCredential")["CredentialId"], all[1]);
    assert_eq!(t.err("deletePasskey", json!({ "credentialId": all[1] })).code.as_str(), "ResourceNotFoundException");
    assert_eq!(t.err("deletePasskey", json!({})).message, "credentialId is required");
    assert_eq!(ids(&t.ok("listPasskeys", Value::Null).unwrap()), [all[0].clone(), all[2].clone()]);
}

#[test]
fn list_passkeys_without_arguments_reads_every_page() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("passkey", "Passkey-Passw0rd!");
    let mut all = Vec::new();
    for b in [1u8, 2, 3] {
        t.authenticator = Authenticator::Creates(vec![b; 16]);
        all.push(t.ok("registerPasskey", Value::Null).unwrap()["credentialId"].clone());
    }
    // A server that answers one passkey per page: three requests, every item, no token.
    t.passkey_page = Some(1);
    let before = t.count("ListWebAuthnCredentials");
    let listed = t.ok("listPasskeys", Value::Null).unwrap();
    let ids: Vec<Value> = listed["passkeys"].as_array().unwrap().iter().map(|p| p["credentialId"].clone()).collect();
    assert_eq!((ids, &listed["nextToken"]), (all, &Value::Null));
    assert_eq!(t.count("ListWebAuthnCredentials"), before + 3);
    let pages: Vec<Value> = t.requests[t.requests.len() - 3..]
        .iter()
        .map(|(_, b, _)| serde_json::from_str::<Value>(b).unwrap().get("NextToken").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(pages[0], Value::Null);
    assert!(
        pages[1].is_string() && pages[2].is_string() && pages[1] != pages[2],
        "each page after the last one's token"
    );
    // With an argument, one page only.
    let one = t.ok("listPasskeys", json!({ "nextToken": pages[1] })).unwrap();
    assert_eq!(one["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(one["nextToken"], pages[2]);
    assert_eq!(t.count("ListWebAuthnCredentials"), before + 4);
}

/// `count` more devices for `user` on the devices client, made as other browsers would
/// (USER_PASSWORD_AUTH, ConfirmDevice with the device it was given), straight at the
/// emulator; returns their keys in creation order.
fn other_browsers(t: &Tab, user: &str, password: &str, count: usize) -> Vec<String> {
    let api = |op: &str, body: Value| -> Value {
        let headers = vec![
            ("Content-Type".to_string(), "application/x-amz-json-1.1".to_string()),
            ("X-Amz-Target".to_string(), format!("AWSCognitoIdentityProviderService.{op}")),
        ];
        let r = route(&t.pool, &Incoming { method: "POST", url: "/", headers, body: body.to_string().into_bytes() });
        assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
        serde_json::from_slice(&r.body).unwrap()
    };
    (0..count)
        .map(|i| {
            let r = api(
                "InitiateAuth",
                json!({ "ClientId": DEVICES_CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": { "USERNAME": user, "PASSWORD": password } }),
            );
            let ar = &r["AuthenticationResult"];
            let key = ar["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap().to_string();
            api(
                "ConfirmDevice",
                json!({ "AccessToken": ar["AccessToken"], "DeviceKey": key, "DeviceName": format!("browser {i}"),
                    "DeviceSecretVerifierConfig": { "PasswordVerifier": "AQ==", "Salt": "Ag==" } }),
            );
            key
        })
        .collect()
}

#[test]
fn list_devices_reads_every_page_and_get_device_reads_one() {
    let mut t = Tab::open(DEVICES_CLIENT, json!({ "userAgent": "test browser" }));
    // 125 devices elsewhere + this browser's: three ListDevices pages of at most 60.
    let mut keys = other_browsers(&t, "demo", "Demo-Passw0rd!", 125);
    sign_in_without_device(&mut t, "demo", "Demo-Passw0rd!");
    let e = t.err("getDevice", Value::Null);
    assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidInput", "no deviceKey given and none stored"));
    assert_eq!(t.count("GetDevice"), 0);
    keys.push(with_device(&mut t, "demo", "Demo-Passw0rd!"));
    let before = t.count("ListDevices");
    let list = t.ok("listDevices", Value::Null).unwrap();
    let got: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["deviceKey"].as_str().unwrap()).collect();
    assert_eq!(got, keys.iter().map(String::as_str).collect::<Vec<_>>(), "every device once, in order");
    assert_eq!(list[7]["name"], "browser 7");
    let pages: Vec<Value> = t.requests.iter().filter(|(o, _, _)| o == "ListDevices").skip(before).map(|(_, b, r)| {
        let reply: Value = serde_json::from_str(r).unwrap();
        json!({ "sent": serde_json::from_str::<Value>(b).unwrap(), "devices": reply["Devices"].as_array().unwrap().len(), "next": reply.get("PaginationToken") })
    }).collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().map(|p| p["devices"].as_u64().unwrap()).collect::<Vec<_>>(), [60, 60, 6]);
    assert!(pages[0]["sent"].get("PaginationToken").is_none());
    for i in 1..3 {
        assert_eq!(pages[i]["sent"]["PaginationToken"], pages[i - 1]["next"], "page {i} asks for the one after");
        assert_eq!(pages[i]["sent"]["Limit"], 60);
    }
    assert!(pages[2]["next"].is_null());

    // getDevice: this browser's by default, another by key, the same object as listDevices'.
    let mine = t.ok("getDevice", Value::Null).unwrap();
    assert_eq!(t.last_request("GetDevice")["DeviceKey"], keys[125]);
    assert_eq!(mine, list[125]);
    assert_eq!(mine["name"], "test browser");
    assert_eq!(t.ok("getDevice", json!({ "deviceKey": keys[3] })).unwrap(), list[3]);
    let e = t.err("getDevice", json!({ "deviceKey": "us-east-1_00000000-0000-4000-8000-000000000000" }));
    assert_eq!((e.code.as_str(), e.status), ("ResourceNotFoundException", Some(400)));
    assert_eq!(t.err("getDevice", json!({ "deviceKey": 5 })).message, "deviceKey must be a string");
    // A failed page fails the call (a throttle is retried: ListDevices is safe to repeat).
    t.throttle("ListDevices", 1);
    assert_eq!(t.ok("listDevices", Value::Null).unwrap().as_array().unwrap().len(), 126);
    let unauthorized = json!({
        "target": "ListDevices", "status": 400, "count": 1, "contentType": "application/x-amz-json-1.1",
        "body": json!({"__type": "NotAuthorizedException", "message": "Access Token has been revoked"}).to_string(),
    });
    let r = route(
        &t.pool,
        &Incoming {
            method: "POST",
            url: "/_emulator/faults",
            headers: vec![],
            body: unauthorized.to_string().into_bytes(),
        },
    );
    assert_eq!(r.status, 200);
    assert_eq!(t.err("listDevices", Value::Null).code.as_str(), "NotAuthorizedException");
}

#[test]
fn log_level_debug_announces_every_try_of_every_request() {
    let mut t = Tab::open(CLIENT, json!({}));
    t.sign_in("demo", "Demo-Passw0rd!");
    assert!(t.ok("getUser", Value::Null).is_some());
    assert_eq!(t.logs, [], "no logging by default");

    let mut t = Tab::open(CLIENT, json!({ "logLevel": "debug" }));
    t.sign_in("demo", "Demo-Passw0rd!");
    let log = |t: &Tab| t.logs.iter().map(|(o, r)| format!("{o} {r}")).collect::<Vec<_>>();
    assert_eq!(log(&t), ["InitiateAuth 0", "RespondToAuthChallenge 0"]);
    t.logs.clear();
    t.throttle("GetUser", 2);
    assert!(t.ok("getUser", Value::Null).is_some());
    assert_eq!(log(&t), ["GetUser 0", "GetUser 1", "GetUser 2"], "every try, with its retry count");
    assert_eq!(t.count("GetUser"), 3);
    t.logs.clear();
    assert!(matches!(t.call(Call::SignOut { global: false, redirect: false }), Ok(Done::SignedOut { .. })));
    assert_eq!(log(&t), ["RevokeToken 0"]);
    // The effect's Debug (like every effect's) shows no token.
    let token = t.requests.iter().find(|(o, _, _)| o == "RevokeToken").map(|(_, b, _)| b.clone()).unwrap();
    let token: Value = serde_json::from_str(&token).unwrap();
    assert!(!t.debug_log.contains(token["Token"].as_str().unwrap()));
    assert!(t.debug_log.contains(r#"Log { id: "#), "{}", t.debug_log);
    let e = Config::parse(&json!({ "userPoolId": POOL, "clientId": CLIENT, "logLevel": "verbose" }).to_string())
        .unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (Code::InvalidInput, "logLevel must be 'debug' or 'none'"));
}
