//! Sign-in with challenges on the engine (`engine::challenges`), natively: one tab driving the
//! real core through its effects against the emulator routed in memory (as in
//! tests/lifecycle.rs), with the demo pool's users: SMS / TOTP / EMAIL MFA, SELECT_MFA_TYPE,
//! NEW_PASSWORD_REQUIRED, CUSTOM_AUTH, MFA_SETUP, USER_AUTH, the WEB_AUTHN effect, remembered
//! devices, prepareSignIn, and signUp / confirmSignUp with autoSignIn. Codes come from the
//! emulator's outbox.

use std::collections::BTreeMap;
use std::sync::Arc;

use cognito_emulator::jwt::Signer;
use cognito_emulator::pool::Pool;
use cognito_emulator::server::{route, Incoming};
use cognito_wasm::engine::ops::Op;
use cognito_wasm::engine::{Auth, Call, Config, Done, Effect, EventKind, Input, Reply, StorageOp, RANDOM_BYTES};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::{Code, Error};
use serde_json::{json, Value};

const BASE: &str = "http://127.0.0.1:9229";
const DEMO_CLIENT: &str = "7f3kq2m9emulatorclient0001";
const DEVICE_CLIENT: &str = "3devicesclient00emulator01";

fn real_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

struct World {
    pool: Pool,
    auth: Auth,
    client: String,
    now: i64,
    rng: u64,
    /// The random bytes of the last input (prepareSignIn's known answer).
    last_random: [u8; RANDOM_BYTES],
    storage: BTreeMap<String, String>,
    queue: Vec<(i64, u64, Input)>,
    seq: u64,
    next_call: u32,
    done: Vec<(u32, Result<Done, Error>)>,
    events: Vec<EventKind>,
    /// Every request: (operation, body).
    requests: Vec<(String, String)>,
    /// The next replies to send instead of the emulator's (operation, body).
    scripted: Vec<(&'static str, String)>,
    /// WebAuthn effects waiting for the test's answer: (task id, create, options).
    webauthn: Vec<(u32, bool, String)>,
    debug_log: String,
}

impl World {
    /// The pool of `fixture` (tests/fixtures/…), with a tab configured for `client`.
    fn new(fixture: &str, client: &str, extra: Value) -> World {
        let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let config: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let pool_id = config["userPoolId"].as_str().unwrap().to_string();
        let pool = Pool::new(serde_json::from_value(config).unwrap(), BASE, Arc::new(Signer::generate())).unwrap();
        let mut cfg = json!({ "userPoolId": pool_id, "clientId": client, "endpoint": format!("{BASE}/"),
            "userAgent": "TestBrowser/1.0" });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let auth = Auth::new(Config::parse(&cfg.to_string()).unwrap());
        let mut w = World {
            pool,
            auth,
            client: client.to_string(),
            now: real_now_ms(),
            rng: 0x2545_f491_4f6c_dd1d,
            last_random: [0; RANDOM_BYTES],
            storage: BTreeMap::new(),
            queue: Vec::new(),
            seq: 0,
            next_call: 1,
            done: Vec::new(),
            events: Vec::new(),
            requests: Vec::new(),
            scripted: Vec::new(),
            webauthn: Vec::new(),
            debug_log: String::new(),
        };
        let random = w.random();
        let effects = w.auth.start(true, w.now, &random);
        w.effects(effects);
        w.run();
        w
    }

    fn demo() -> World {
        World::new("demo-pool.json", DEMO_CLIENT, json!({}))
    }

    fn random(&mut self) -> [u8; RANDOM_BYTES] {
        let mut out = [0u8; RANDOM_BYTES];
        for chunk in out.chunks_mut(8) {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            chunk.copy_from_slice(&self.rng.to_le_bytes());
        }
        self.last_random = out;
        out
    }

    fn push(&mut self, at: i64, input: Input) {
        self.seq += 1;
        self.queue.push((at, self.seq, input));
    }

    fn run(&mut self) {
        while let Some(i) = (0..self.queue.len()).min_by_key(|&i| (self.queue[i].0, self.queue[i].1)) {
            let (at, _, input) = self.queue.swap_remove(i);
            self.now = self.now.max(at);
            let random = self.random();
            self.debug_log.push_str(&format!("{input:?}\n"));
            let effects = self.auth.handle(input, self.now, &random);
            self.effects(effects);
        }
    }

    fn effects(&mut self, effects: Vec<Effect>) {
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
                    self.requests.push((op.clone(), request.body.clone()));
                    let result = if let Some(i) = self.scripted.iter().position(|(o, _)| *o == op) {
                        let (_, body) = self.scripted.remove(i);
                        Ok(HttpResponse { status: 200, body, error_type: None, date_s: 0 })
                    } else {
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
                        Ok(HttpResponse {
                            status: reply.status,
                            body: String::from_utf8(reply.body).unwrap(),
                            error_type,
                            date_s: 0,
                        })
                    };
                    self.push(self.now + 30, Input::Reply { id, reply: Reply::Http(result) });
                }
                Effect::Storage { id, ops } | Effect::TabStorage { id, ops } => {
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
                Effect::Timer { id, at } => self.push(at.max(self.now), Input::Reply { id, reply: Reply::Fired }),
                Effect::CancelTimer { id } => {
                    self.queue.retain(|(_, _, i)| !matches!(i, Input::Reply { id: x, reply: Reply::Fired } if *x == id))
                }
                Effect::Lock { id, .. } => self.push(self.now, Input::Reply { id, reply: Reply::Locked(true) }),
                Effect::Unlock { .. } | Effect::Broadcast { .. } => {}
                Effect::WebAuthn { id, create, options } => self.webauthn.push((id, create, options)),
                Effect::Emit { event } => self.events.push(event.kind),
                Effect::Complete { call, result } => self.done.push((call, result)),
                other => panic!("unexpected effect {other:?}"),
            }
        }
    }

    /// Calls operation `name` with `input` and runs until nothing is pending; returns the
    /// call's outcome.
    fn op(&mut self, name: &str, input: Value) -> Result<Done, Error> {
        let call = self.next_call;
        self.next_call += 1;
        let op = Op::parse(name).unwrap_or_else(|| panic!("no operation {name}"));
        self.push(self.now, Input::Call { call, op: Call::Op { op, input: input.to_string() } });
        self.run();
        self.outcome(call)
    }

    fn outcome(&mut self, call: u32) -> Result<Done, Error> {
        let i = self.done.iter().position(|(c, _)| *c == call).unwrap_or_else(|| panic!("call {call} not complete"));
        self.done.remove(i).1
    }

    /// The call's JSON result (challenges, `{type: 'confirmed'}`, signUp, a sign-in with a new
    /// device).
    fn json(&mut self, name: &str, input: Value) -> Value {
        match self.op(name, input.clone()) {
            Ok(Done::Json(Some(t))) => serde_json::from_str(&t).unwrap(),
            other => panic!("{name}({input}): {other:?}"),
        }
    }

    /// The call ends signed in (the runner's `{type: 'signedIn', session}`).
    fn signed_in(&mut self, name: &str, input: Value) -> cognito_wasm::session::Session {
        match self.op(name, input.clone()) {
            Ok(Done::SignedIn(s)) => s,
            other => panic!("{name}({input}): {other:?}"),
        }
    }

    fn error(&mut self, name: &str, input: Value) -> Error {
        match self.op(name, input.clone()) {
            Err(e) => e,
            other => panic!("{name}({input}): expected an error, got {other:?}"),
        }
    }

    fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let r =
            route(&self.pool, &Incoming { method, url: path, headers: vec![], body: body.to_string().into_bytes() });
        assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
        serde_json::from_slice(&r.body).unwrap_or(Value::Null)
    }

    /// The last code of `purpose` sent to `username`.
    fn code(&self, username: &str, purpose: &str) -> String {
        let outbox = self.control("GET", "/_emulator/outbox", Value::Null);
        let item =
            outbox.as_array().unwrap().iter().rev().find(|m| m["username"] == username && m["purpose"] == purpose);
        item.unwrap_or_else(|| panic!("no {purpose} code for {username}: {outbox}"))["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn api(&self, operation: &str, body: Value) -> (u16, Value) {
        let headers = vec![("X-Amz-Target".to_string(), format!("AWSCognitoIdentityProviderService.{operation}"))];
        let r = route(&self.pool, &Incoming { method: "POST", url: "/", headers, body: body.to_string().into_bytes() });
        (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
    }

    fn count(&self, op: &str) -> usize {
        self.requests.iter().filter(|(o, _)| o == op).count()
    }

    fn sent(&self, op: &str) -> Value {
        let (_, b) = self.requests.iter().rev().find(|(o, _)| o == op).unwrap_or_else(|| panic!("no {op} sent"));
        serde_json::from_str(b).unwrap()
    }

    fn key(&self, user: &str, field: &str) -> String {
        format!("CognitoIdentityServiceProvider.{}.{user}.{field}", self.client)
    }
}

fn base32(s: &str) -> Vec<u8> {
    let (mut bits, mut value, mut out) = (0u32, 0u32, Vec::new());
    for c in s.trim_end_matches('=').bytes() {
        value = (value << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".bytes().position(|x| x == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
        }
    }
    out
}

/// The authenticator app's current code (the emulator checks TOTP against the real clock).
fn totp(secret: &str) -> String {
    cognito_emulator::challenges::hotp(&base32(secret), (real_now_ms() / 30_000) as u64, 6)
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

#[test]
fn sms_mfa_after_the_password_a_wrong_code_keeps_the_challenge() {
    let mut w = World::demo();
    let c = w.json("signIn", json!({ "username": "smsuser", "password": "Sms-Passw0rd!" }));
    assert_eq!(c["type"], "challenge");
    assert_eq!(c["name"], "SMS_MFA");
    assert_eq!(c["username"], "smsuser");
    assert_eq!(c["codeDelivery"]["medium"], "SMS");
    assert!(c["codeDelivery"]["destination"].as_str().unwrap().ends_with("0123"), "{c}");
    assert!(c["parameters"].get("SRP_B").is_none(), "SRP values are not shown");
    assert_eq!(
        (w.count("InitiateAuth"), w.count("RespondToAuthChallenge")),
        (1, 1),
        "SRP: InitiateAuth, PASSWORD_VERIFIER"
    );
    assert!(w.storage.is_empty(), "nothing stored before the last factor");
    let code = w.code("smsuser", "SMS_MFA");
    let e = w.error("respondToChallenge", json!({ "code": wrong(&code) }));
    assert_eq!(e.code, Code::Service("CodeMismatchException".into()));
    let e = w.error("respondToChallenge", json!({ "mfaType": "SMS_MFA" }));
    assert_eq!(e.code, Code::InvalidInput, "the answer must fit the challenge");
    let s = w.signed_in("respondToChallenge", json!({ "code": code }));
    assert_eq!(s.username, "smsuser");
    assert_eq!(w.sent("RespondToAuthChallenge")["ChallengeResponses"]["SMS_MFA_CODE"], code);
    assert_eq!(w.storage[&format!("CognitoIdentityServiceProvider.{DEMO_CLIENT}.LastAuthUser")], "smsuser");
    assert_eq!(w.storage[&w.key("smsuser", "accessToken")], s.access_token);
    assert_eq!(w.events, [EventKind::SignedIn]);
    // Answered: nothing is pending any more.
    let e = w.error("respondToChallenge", json!({ "code": code }));
    assert_eq!((e.code, e.message.as_str()), (Code::InvalidInput, "no challenge is waiting for an answer"));
}

#[test]
fn totp_mfa_and_the_choice_of_mfa_type() {
    let mut w = World::demo();
    let c = w.json("signIn", json!({ "username": "totpuser", "password": "Totp-Passw0rd!" }));
    assert_eq!(c["name"], "SOFTWARE_TOKEN_MFA");
    let s = w.signed_in("respondToChallenge", json!({ "code": totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") }));
    assert_eq!(s.username, "totpuser");

    // SMS and email MFA enabled, none preferred: Cognito asks which.
    let c = w.json("signIn", json!({ "username": "twofactor", "password": "Two-Passw0rd!" }));
    assert_eq!(c["name"], "SELECT_MFA_TYPE");
    let mut allowed: Vec<&str> = c["allowedMfaTypes"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    allowed.sort();
    assert_eq!(allowed, ["EMAIL_OTP", "SMS_MFA"]);
    let e = w.error("respondToChallenge", json!({ "mfaType": "SOFTWARE_TOKEN_MFA" }));
    assert_eq!(e.code, Code::InvalidInput, "only an offered type");
    let c = w.json("respondToChallenge", json!({ "mfaType": "EMAIL_OTP" }));
    assert_eq!((c["name"].as_str(), c["codeDelivery"]["medium"].as_str()), (Some("EMAIL_OTP"), Some("EMAIL")));
    let s = w.signed_in("respondToChallenge", json!({ "code": w.code("twofactor", "EMAIL_OTP") }));
    assert_eq!(s.username, "twofactor");
}

#[test]
fn new_password_required_then_the_new_password_signs_in() {
    let mut w = World::demo();
    let c = w.json("signIn", json!({ "username": "forced", "password": "Temp-Passw0rd!" }));
    assert_eq!(c["name"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(c["requiredAttributes"], json!(["name"]), "without the userAttributes. prefix");
    assert_eq!(c["userAttributes"]["email"], "forced@example.com");
    assert!(c["userAttributes"].get("email_verified").is_none(), "cannot be sent back");
    let e = w.error("respondToChallenge", json!({ "newPassword": "" }));
    assert_eq!(e.code, Code::InvalidInput);
    let e = w.error("respondToChallenge", json!({ "newPassword": "Brand-New-Passw0rd!" }));
    assert_eq!(e.code, Code::Service("InvalidParameterException".into()), "the required attribute is missing");
    let s = w.signed_in(
        "respondToChallenge",
        json!({ "newPassword": "Brand-New-Passw0rd!", "attributes": { "name": "Forced User" } }),
    );
    assert_eq!(w.sent("RespondToAuthChallenge")["ChallengeResponses"]["userAttributes.name"], "Forced User");
    assert_eq!(s.username, "forced");
    w.signed_in("signIn", json!({ "username": "forced", "password": "Brand-New-Passw0rd!" }));
}

#[test]
fn custom_auth_with_and_without_the_password() {
    let mut w = World::demo();
    for input in [
        json!({ "username": "demo", "authFlow": "CUSTOM_AUTH" }),
        json!({ "username": "demo", "password": "Demo-Passw0rd!", "authFlow": "CUSTOM_AUTH" }),
    ] {
        let c = w.json("signIn", input.clone());
        assert_eq!(c["name"], "CUSTOM_CHALLENGE", "{input}");
        assert_eq!(c["parameters"]["question"], "What is 6 times 7?");
        let again = w.json("respondToChallenge", json!({ "answer": "41" }));
        assert_eq!(again["name"], "CUSTOM_CHALLENGE", "a wrong answer: the question again");
        let s = w.signed_in("respondToChallenge", json!({ "answer": "42", "clientMetadata": { "app": "test" } }));
        assert_eq!(s.username, "demo");
        assert_eq!(w.sent("RespondToAuthChallenge")["ClientMetadata"], json!({ "app": "test" }));
    }
    let init = w.sent("InitiateAuth");
    assert_eq!(init["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(init["AuthParameters"]["CHALLENGE_NAME"], "SRP_A", "the password is checked by SRP first");
}

#[test]
fn mfa_setup_shows_the_totp_secret_and_verifies_the_first_code() {
    let mut w = World::new("mfa-required-pool.json", "7f3kq2m9emulatormfaclient1", json!({ "totpIssuer": "My App" }));
    let c = w.json("signIn", json!({ "username": "newmfa", "password": "Newmfa-Passw0rd!" }));
    assert_eq!(c["name"], "MFA_SETUP");
    let secret = "MNXWO3TJORXS253BONWS2ZDSN5YC22LO";
    assert_eq!(c["secretCode"], secret);
    assert_eq!(c["totpUri"], format!("otpauth://totp/My%20App:newmfa?secret={secret}&issuer=My%20App"));
    assert_eq!(w.count("AssociateSoftwareToken"), 1, "associated before the app sees the challenge");
    let e = w.error("respondToChallenge", json!({ "code": wrong(&totp(secret)) }));
    assert_eq!(e.code, Code::Service("EnableSoftwareTokenMFAException".into()));
    let s = w.signed_in("respondToChallenge", json!({ "code": totp(secret), "deviceName": "phone" }));
    assert_eq!(s.username, "newmfa");
    assert_eq!(w.sent("VerifySoftwareToken")["FriendlyDeviceName"], "phone");
    let c = w.json("signIn", json!({ "username": "newmfa", "password": "Newmfa-Passw0rd!" }));
    assert_eq!(c["name"], "SOFTWARE_TOKEN_MFA", "set up: asked for the code next time");
}

#[test]
fn user_auth_offers_the_factors_and_each_one_signs_in() {
    let mut w = World::demo();
    let c = w.json("signIn", json!({ "username": "passkey" }));
    assert_eq!(c["name"], "SELECT_CHALLENGE");
    let mut offered: Vec<&str> =
        c["availableChallenges"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    offered.sort();
    assert_eq!(offered, ["EMAIL_OTP", "PASSWORD", "PASSWORD_SRP", "SMS_OTP"], "no passkey registered");
    for (bad, why) in [
        (json!({ "answer": "PASSWORD" }), "PASSWORD needs a password"),
        (json!({ "answer": "TOTP" }), "not a factor"),
        (json!({ "code": "1" }), "not an answer to SELECT_CHALLENGE"),
    ] {
        assert_eq!(w.error("respondToChallenge", bad).code, Code::InvalidInput, "{why}");
    }
    // `{ password }` alone: PASSWORD_SRP (offered), so the password itself is never sent.
    w.signed_in("respondToChallenge", json!({ "password": "Passkey-Passw0rd!" }));
    let select = w.sent("RespondToAuthChallenge");
    assert_eq!(select["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(!w.requests.iter().any(|(_, b)| b.contains("Passkey-Passw0rd!")));

    let c = w.json("signIn", json!({ "username": "passkey", "preferredChallenge": "EMAIL_OTP" }));
    assert_eq!((c["name"].as_str(), c["codeDelivery"]["medium"].as_str()), (Some("EMAIL_OTP"), Some("EMAIL")));
    assert_eq!(w.sent("InitiateAuth")["AuthParameters"]["PREFERRED_CHALLENGE"], "EMAIL_OTP");
    w.signed_in("respondToChallenge", json!({ "code": w.code("passkey", "EMAIL_OTP") }));

    // PASSWORD after SELECT_CHALLENGE, then SMS MFA.
    let c = w.json("signIn", json!({ "username": "smsuser" }));
    assert_eq!(c["name"], "SELECT_CHALLENGE");
    let c = w.json("respondToChallenge", json!({ "answer": "PASSWORD", "password": "Sms-Passw0rd!" }));
    assert_eq!(c["name"], "SMS_MFA");
    w.signed_in("respondToChallenge", json!({ "code": w.code("smsuser", "SMS_MFA") }));
    // A wrong password ends Cognito's session: the challenge is dropped.
    w.json("signIn", json!({ "username": "passkey" }));
    let e = w.error("respondToChallenge", json!({ "answer": "PASSWORD_SRP", "password": "Wrong-Passw0rd!" }));
    assert_eq!(e.code, Code::Service("NotAuthorizedException".into()));
    assert_eq!(w.error("respondToChallenge", json!({ "password": "x" })).code, Code::InvalidInput);
    // A password without authFlow/preferredChallenge stays USER_SRP_AUTH.
    w.signed_in("signIn", json!({ "username": "passkey", "password": "Passkey-Passw0rd!" }));
    assert_eq!(w.sent("InitiateAuth")["AuthFlow"], "USER_SRP_AUTH");
    w.signed_in("signIn", json!({ "username": "passkey", "password": "Passkey-Passw0rd!", "authFlow": "USER_AUTH" }));
    assert_eq!(w.sent("InitiateAuth")["AuthParameters"]["PREFERRED_CHALLENGE"], "PASSWORD_SRP");
}

#[test]
fn the_passkey_ceremony_is_an_effect_and_a_failed_one_can_be_retried() {
    let mut w = World::demo();
    let options = r#"{"challenge":"AQIDBA","rpId":"localhost","userVerification":"required","allowCredentials":[{"type":"public-key","id":"CgsM"}]}"#;
    let challenge = json!({ "ChallengeName": "WEB_AUTHN", "Session": "w1",
        "ChallengeParameters": { "USERNAME": "passkey", "CREDENTIAL_REQUEST_OPTIONS": options } })
    .to_string();
    w.scripted.push(("InitiateAuth", challenge.clone()));
    let call = w.next_call;
    w.next_call += 1;
    w.push(
        w.now,
        Input::Call {
            call,
            op: Call::Op {
                op: Op::parse("signIn").unwrap(),
                input: json!({ "username": "passkey", "preferredChallenge": "WEB_AUTHN" }).to_string(),
            },
        },
    );
    w.run();
    assert!(w.done.is_empty(), "the call waits for the browser");
    let (id, create, sent_options) = w.webauthn.pop().expect("navigator.credentials.get asked for");
    assert!(!create);
    assert_eq!(serde_json::from_str::<Value>(&sent_options).unwrap(), serde_json::from_str::<Value>(options).unwrap());
    // The user cancels: a typed error, nothing sent, and the challenge stays for a retry.
    w.push(w.now, Input::Reply { id, reply: Reply::WebAuthn(Err("NotAllowedError".into())) });
    w.run();
    assert_eq!(w.outcome(call).unwrap_err().code, Code::PasskeyCancelled);
    assert_eq!(w.count("RespondToAuthChallenge"), 0);
    assert_eq!(w.error("respondToChallenge", json!({ "code": "123456" })).code, Code::InvalidInput);
    let call = w.next_call;
    w.next_call += 1;
    w.push(
        w.now,
        Input::Call {
            call,
            op: Call::Op {
                op: Op::parse("respondToChallenge").unwrap(),
                input: json!({ "answer": "WEB_AUTHN" }).to_string(),
            },
        },
    );
    w.run();
    let (id, _, again) = w.webauthn.pop().expect("the ceremony again");
    assert_eq!(again, sent_options);
    // A credential without the fields WebAuthn defines is refused before anything is sent.
    w.push(w.now, Input::Reply { id, reply: Reply::WebAuthn(Ok(r#"{"id":"AQ"}"#.into())) });
    w.run();
    assert_eq!(w.outcome(call).unwrap_err().code, Code::PasskeyFailed);
    // WebAuthn's JSON form (as the runner sends it): CREDENTIAL is rebuilt from its decoded fields only.
    let call = w.next_call;
    w.next_call += 1;
    w.push(
        w.now,
        Input::Call {
            call,
            op: Call::Op {
                op: Op::parse("respondToChallenge").unwrap(),
                input: json!({ "answer": "WEB_AUTHN" }).to_string(),
            },
        },
    );
    w.run();
    let (id, _, _) = w.webauthn.pop().unwrap();
    let cred = json!({ "id": "CgsM", "rawId": "CgsM", "type": "public-key", "authenticatorAttachment": "platform",
        "response": { "clientDataJSON": "eyJ9", "authenticatorData": "AAEC", "signature": "MEUC", "userHandle": "dXNlcg", "extra": "x" },
        "clientExtensionResults": { "credProps": { "rk": true } } });
    w.push(w.now, Input::Reply { id, reply: Reply::WebAuthn(Ok(cred.to_string())) });
    w.run();
    // The emulator knows no such credential (nor the scripted session).
    assert!(matches!(w.outcome(call), Err(Error { code: Code::Service(_), .. })));
    let sent = w.sent("RespondToAuthChallenge");
    assert_eq!((sent["ChallengeName"].as_str(), sent["Session"].as_str()), (Some("WEB_AUTHN"), Some("w1")));
    let credential: Value = serde_json::from_str(sent["ChallengeResponses"]["CREDENTIAL"].as_str().unwrap()).unwrap();
    assert_eq!(
        credential,
        json!({ "id": "CgsM", "rawId": "CgsM", "type": "public-key",
            "response": { "clientDataJSON": "eyJ9", "authenticatorData": "AAEC", "signature": "MEUC", "userHandle": "dXNlcg" },
            "clientExtensionResults": {}, "authenticatorAttachment": "platform" })
    );
}

#[test]
fn a_new_device_is_confirmed_remembered_devices_skip_mfa_and_unknown_ones_are_forgotten() {
    let mut w = World::new("demo-pool.json", DEVICE_CLIENT, json!({}));
    let c = w.json("signIn", json!({ "username": "smsuser", "password": "Sms-Passw0rd!" }));
    assert_eq!(c["name"], "SMS_MFA");
    let r = w.json("respondToChallenge", json!({ "code": w.code("smsuser", "SMS_MFA") }));
    assert_eq!(r["type"], "signedIn");
    assert_eq!(r["session"]["username"], "smsuser");
    assert_eq!(r["session"]["idTokenClaims"]["cognito:username"], "smsuser");
    assert!(r["session"]["expiresAt"].as_i64().unwrap() > w.now);
    let key = r["newDevice"]["deviceKey"].as_str().unwrap().to_string();
    assert_eq!(r["newDevice"]["remembered"], false, "OPT_IN: remembered only when asked");
    assert_eq!(w.storage[&w.key("smsuser", "deviceKey")], key);
    assert!(w.storage.contains_key(&w.key("smsuser", "deviceGroupKey")));
    assert_eq!(w.sent("ConfirmDevice")["DeviceName"], "TestBrowser/1.0", "named after the user agent");
    assert_eq!(w.events, [EventKind::SignedIn]);
    assert_eq!(w.storage[&w.key("smsuser", "accessToken")], r["session"]["accessToken"].as_str().unwrap());
    // The user asks to remember it (account.rs's rememberDevice: UpdateDeviceStatus).
    let token = r["session"]["accessToken"].as_str().unwrap();
    let (status, _) = w.api(
        "UpdateDeviceStatus",
        json!({ "AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered" }),
    );
    assert_eq!(status, 200);
    let call = w.next_call;
    w.next_call += 1;
    w.push(w.now, Input::Call { call, op: Call::SignOut { global: false, redirect: false } });
    w.run();
    assert!(matches!(w.outcome(call), Ok(Done::SignedOut { revoked: true, .. })));
    assert_eq!(w.storage[&w.key("smsuser", "deviceKey")], key, "device keys outlive sign-out");

    // Remembered: DEVICE_KEY sent, the device's SRP proof replaces MFA.
    let s = w.signed_in("signIn", json!({ "username": "smsuser", "password": "Sms-Passw0rd!" }));
    assert_eq!(s.username, "smsuser");
    assert_eq!(w.sent("InitiateAuth")["AuthParameters"]["DEVICE_KEY"], key);
    let names: Vec<String> = w
        .requests
        .iter()
        .filter(|(o, _)| o == "RespondToAuthChallenge")
        .map(|(_, b)| serde_json::from_str::<Value>(b).unwrap()["ChallengeName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(&names[names.len() - 3..], ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]);
    let device_a = w.sent("RespondToAuthChallenge");
    assert_eq!(device_a["ChallengeResponses"]["DEVICE_KEY"], key);

    // Cognito forgot the device (another browser, an admin): forgotten here, sign-in retried.
    w.control("POST", "/_emulator/reset", json!({}));
    let before = w.count("InitiateAuth");
    let c = w.json("signIn", json!({ "username": "smsuser", "password": "Sms-Passw0rd!" }));
    assert_eq!(c["name"], "SMS_MFA", "without the device: MFA again");
    assert_eq!(w.count("InitiateAuth"), before + 2, "tried with the device, then without");
    assert!(w.sent("InitiateAuth")["AuthParameters"].get("DEVICE_KEY").is_none());
    assert!(!w.storage.contains_key(&w.key("smsuser", "deviceKey")), "the unknown device is forgotten");
    // …and a wrong password is still just a wrong password.
    let e = w.error("signIn", json!({ "username": "smsuser", "password": "wrong" }));
    assert_eq!(e.code, Code::Service("NotAuthorizedException".into()));
}

#[test]
fn prepare_sign_in_is_synchronous_and_its_ephemeral_is_used_once() {
    let mut w = World::demo();
    let call = w.next_call;
    w.next_call += 1;
    let random = w.random();
    let effects = w.auth.handle(
        Input::Call { call, op: Call::Op { op: Op::parse("prepareSignIn").unwrap(), input: String::new() } },
        w.now,
        &random,
    );
    assert!(
        matches!(effects.as_slice(), [Effect::Complete { call: c, result: Ok(Done::Json(None)) }] if *c == call),
        "completed within the call: {effects:?}"
    );
    let prepared =
        cognito_wasm::srp::SrpClient::new(&random[..cognito_wasm::srp::EPHEMERAL_BYTES]).unwrap().public_hex();
    w.signed_in("signIn", json!({ "username": "demo", "password": "Demo-Passw0rd!" }));
    let a1 = w.sent("InitiateAuth")["AuthParameters"]["SRP_A"].as_str().unwrap().to_string();
    assert_eq!(a1.trim_start_matches('0'), prepared.trim_start_matches('0'), "the prepared A is sent");
    w.signed_in("signIn", json!({ "username": "demo", "password": "Demo-Passw0rd!" }));
    let a2 = w.sent("InitiateAuth")["AuthParameters"]["SRP_A"].as_str().unwrap().to_string();
    assert_ne!(a1, a2, "a prepared pair serves one sign-in");
}

#[test]
fn sign_up_then_confirm_signs_in_with_the_session_or_the_password() {
    let mut w = World::demo();
    let r = w.json(
        "signUp",
        json!({ "username": "newbie", "password": "Newbie-Passw0rd!",
        "attributes": { "email": "newbie@example.com" }, "autoSignIn": true }),
    );
    assert_eq!(r["userConfirmed"], false);
    assert!(r["userSub"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(r["codeDelivery"]["medium"], "EMAIL");
    let code = w.code("newbie", "SIGN_UP");
    let s = w.signed_in("confirmSignUp", json!({ "username": "newbie", "code": code }));
    assert_eq!(s.username, "newbie");
    let init = w.sent("InitiateAuth");
    assert_eq!(init["AuthFlow"], "USER_AUTH");
    assert!(init["Session"].as_str().is_some(), "ConfirmSignUp's Session, no password");

    // 'password': USER_SRP_AUTH after the confirmation.
    w.json(
        "signUp",
        json!({ "username": "second", "password": "Second-Passw0rd!", "attributes": { "email": "s@example.com" },
        "autoSignIn": "password" }),
    );
    let s = w.signed_in("confirmSignUp", json!({ "username": "second", "code": w.code("second", "SIGN_UP") }));
    assert_eq!(s.username, "second");
    assert_eq!(w.sent("InitiateAuth")["AuthFlow"], "USER_SRP_AUTH");

    // Without autoSignIn (or for another username): just confirmed.
    w.json(
        "signUp",
        json!({ "username": "third", "password": "Third-Passw0rd!", "attributes": { "email": "t@example.com" } }),
    );
    let r = w.json("confirmSignUp", json!({ "username": "third", "code": w.code("third", "SIGN_UP") }));
    assert_eq!(r, json!({ "type": "confirmed" }));
    let e = w.error("signUp", json!({ "username": "x", "password": "X-Passw0rd!", "autoSignIn": "yes" }));
    assert_eq!(e.code, Code::InvalidInput);

    // An app client without ALLOW_USER_AUTH: confirmed, not signed in, and why (an error
    // record the runner turns into an `Error`).
    let mut w = World::new("demo-pool.json", DEVICE_CLIENT, json!({}));
    w.json(
        "signUp",
        json!({ "username": "fourth", "password": "Fourth-Passw0rd!", "attributes": { "email": "f@example.com" },
        "autoSignIn": true }),
    );
    let r = w.json("confirmSignUp", json!({ "username": "fourth", "code": w.code("fourth", "SIGN_UP") }));
    assert_eq!(r["type"], "confirmed");
    let record = r["autoSignInError"]["$error"].as_array().unwrap();
    assert_eq!(record[..3], [json!("InvalidParameterException"), json!("400"), json!("0")], "{r}");
    assert!(w.storage.keys().all(|k| !k.contains("fourth")), "not signed in");
}

#[test]
fn bad_input_is_a_typed_error_and_no_secret_shows_in_debug_output() {
    let mut w = World::demo();
    for (input, message) in [
        (json!({}), "username is required"),
        (json!({ "username": 7 }), "username must be a string"),
        (json!({ "username": "demo", "password": "p", "authFlow": "NOPE" }), "authFlow must be"),
        (
            json!({ "username": "demo", "password": "p", "clientMetadata": { "a": "b" } }),
            "clientMetadata needs authFlow",
        ),
        (json!({ "username": "demo", "authFlow": "USER_PASSWORD_AUTH" }), "password is required"),
        (json!({ "username": "demo", "preferredChallenge": "PASSWORD" }), "password is required for PASSWORD"),
        (json!({ "username": "demo", "preferredChallenge": "TOTP" }), "the challenge must be"),
    ] {
        let e = w.error("signIn", input.clone());
        assert_eq!(e.code, Code::InvalidInput, "{input}");
        assert!(e.message.starts_with(message), "{input}: {}", e.message);
    }
    assert_eq!(w.error("respondToChallenge", json!({})).code, Code::InvalidInput);
    assert!(w.requests.is_empty(), "nothing was sent");
    let c = w.json("signIn", json!({ "username": "smsuser", "password": "Sms-Passw0rd!" }));
    assert_eq!(c["name"], "SMS_MFA");
    let code = w.code("smsuser", "SMS_MFA");
    let s = w.signed_in("respondToChallenge", json!({ "code": code }));
    let quoted = format!("\"{code}\"");
    for secret in ["Sms-Passw0rd!", quoted.as_str(), &s.access_token[20..40], &s.refresh_token.unwrap()[10..30]] {
        assert!(!w.debug_log.contains(secret), "a secret shows in Debug output");
    }
}
