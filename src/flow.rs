//! The sign-in flow as a sans-IO state machine.
//!
//! ```text
//! SignIn::start(config, username, password, a)  ──► InitiateAuth USER_SRP_AUTH
//! flow.handle(reply, now)  ── PASSWORD_VERIFIER ──► RespondToAuthChallenge (claim signed)
//! flow.handle(reply, now)  ── tokens ──► Step::SignedIn(session)
//!                          └─ other challenge ──► Step::Challenge(..)  (answered by the app)
//! ```
//!
//! The flow never reads a clock, draws randomness or does I/O: the caller passes the random
//! ephemeral `a`, the time, and each reply; each step consumes the flow, so a step cannot be
//! replayed.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::encoding::base64_decode;
use crate::error::Error;
use crate::json::{self, Json};
use crate::protocol::{self, AuthReply, ChallengeReply, ClientConfig, HttpRequest, HttpResponse};
use crate::session::Session;
use crate::srp::{self, SrpClient};
use crate::timestamp::cognito_timestamp;

/// A password. Wiped from wasm memory on drop; `Debug` is redacted. (The JavaScript string
/// the app passed in stays in the JS heap until it is garbage-collected; nothing here can
/// clear it.)
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(p: &str) -> Password {
        Password(Zeroizing::new(String::from(p)))
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for Password {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A client secret (confidential app clients; never in a browser build's config).
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn new(s: &str) -> ClientSecret {
        ClientSecret(Zeroizing::new(String::from(s)))
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

enum Stage {
    /// InitiateAuth sent; expecting PASSWORD_VERIFIER.
    AwaitVerifier { srp: SrpClient, password: Password },
    /// The claim was sent; expecting tokens or a further challenge.
    AwaitTokens { user_id: String },
}

/// A sign-in in progress.
pub struct SignIn {
    config: ClientConfig,
    secret: Option<ClientSecret>,
    stage: Stage,
}

impl core::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let stage = match self.stage {
            Stage::AwaitVerifier { .. } => "AwaitVerifier",
            Stage::AwaitTokens { .. } => "AwaitTokens",
        };
        f.debug_struct("SignIn").field("stage", &stage).finish_non_exhaustive()
    }
}

/// A challenge the app must answer (MFA, new password, …). Answering is added with the
/// challenge kinds; the `session` string continues the conversation with Cognito.
pub struct Challenge {
    pub name: String,
    /// Parameters as Cognito sent them.
    pub parameters: Vec<(String, String)>,
    pub session: Option<String>,
    /// The user id Cognito uses from here on (USER_ID_FOR_SRP).
    pub username: String,
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Challenge").field("name", &self.name).field("username", &self.username).finish_non_exhaustive()
    }
}

/// What to do next.
#[derive(Debug)]
pub enum Step {
    /// Send this request and pass its reply to the returned flow.
    Send(SignIn, HttpRequest),
    /// Ask the user.
    Challenge(Challenge),
    /// Signed in.
    SignedIn(Session),
}

fn missing(name: &str) -> Error {
    let mut m = String::from("PASSWORD_VERIFIER challenge lacks ");
    m.push_str(name);
    Error::invalid_response(&m)
}

impl SignIn {
    /// Starts USER_SRP_AUTH. `a` is the ephemeral secret: [`srp::EPHEMERAL_BYTES`] random
    /// bytes from a CSPRNG.
    pub fn start(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        a: &[u8],
    ) -> Result<(SignIn, HttpRequest), Error> {
        let srp = SrpClient::new(a).map_err(|e| Error::invalid_input(e.message()))?;
        SignIn::start_with(config, secret, username, password, srp)
    }

    /// Like [`SignIn::start`], with an ephemeral pair computed ahead of time (A is the
    /// expensive half of the client's work and needs no user input). A pair must not be
    /// used for two sign-ins; this takes it by value.
    pub fn start_with(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        srp: SrpClient,
    ) -> Result<(SignIn, HttpRequest), Error> {
        if username.is_empty() {
            return Err(Error::invalid_input("username is required"));
        }
        if password.expose().is_empty() {
            return Err(Error::invalid_input("password is required"));
        }
        let mut params = alloc::vec![
            (String::from("USERNAME"), Json::Str(String::from(username))),
            (String::from("SRP_A"), Json::Str(srp.public_hex())),
        ];
        if let Some(s) = &secret {
            params.push((
                String::from("SECRET_HASH"),
                Json::Str(srp::secret_hash(&s.0, username, config.client_id())),
            ));
        }
        let body = Json::Obj(alloc::vec![
            (String::from("AuthFlow"), Json::Str(String::from("USER_SRP_AUTH"))),
            (String::from("ClientId"), Json::Str(String::from(config.client_id()))),
            (String::from("AuthParameters"), Json::Obj(params)),
        ]);
        let req = protocol::request(config, "InitiateAuth", &body);
        Ok((SignIn { config: config.clone(), secret, stage: Stage::AwaitVerifier { srp, password } }, req))
    }

    /// Feeds the reply to the last request. `now_ms` is the local clock (milliseconds since
    /// the epoch): it dates the claim and measures clock drift.
    pub fn handle(self, resp: &HttpResponse, now_ms: i64) -> Result<Step, Error> {
        let body = protocol::parse_success(resp)?;
        let reply = protocol::parse_auth_reply(&body)?;
        match self.stage {
            Stage::AwaitVerifier { srp, password } => match reply {
                AuthReply::Challenge(c) if c.name == "PASSWORD_VERIFIER" => {
                    let config = self.config;
                    let secret = self.secret;
                    let req = answer_verifier(&config, secret.as_ref(), &srp, &password, &c, now_ms)?;
                    let user_id = String::from(c.param("USER_ID_FOR_SRP").unwrap_or_default());
                    Ok(Step::Send(SignIn { config, secret, stage: Stage::AwaitTokens { user_id } }, req))
                }
                AuthReply::Challenge(c) => Ok(Step::Challenge(into_challenge(c, ""))),
                AuthReply::Authenticated(_) => {
                    Err(Error::invalid_response("Cognito returned tokens before the password was verified"))
                }
            },
            Stage::AwaitTokens { user_id } => match reply {
                AuthReply::Authenticated(r) => Ok(Step::SignedIn(Session::from_tokens(&self.config, r, None, now_ms)?)),
                AuthReply::Challenge(c) => Ok(Step::Challenge(into_challenge(c, &user_id))),
            },
        }
    }
}

fn into_challenge(c: ChallengeReply, user_id: &str) -> Challenge {
    let username = c
        .param("USER_ID_FOR_SRP")
        .or_else(|| c.param("USERNAME"))
        .map(String::from)
        .unwrap_or_else(|| String::from(user_id));
    Challenge { name: c.name, parameters: c.parameters, session: c.session, username }
}

fn answer_verifier(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    srp: &SrpClient,
    password: &Password,
    c: &ChallengeReply,
    now_ms: i64,
) -> Result<HttpRequest, Error> {
    let b = c.param("SRP_B").ok_or_else(|| missing("SRP_B"))?;
    let salt = c.param("SALT").ok_or_else(|| missing("SALT"))?;
    let block_b64 = c.param("SECRET_BLOCK").ok_or_else(|| missing("SECRET_BLOCK"))?;
    let user_id = c.param("USER_ID_FOR_SRP").filter(|u| !u.is_empty()).ok_or_else(|| missing("USER_ID_FOR_SRP"))?;
    let block = base64_decode(block_b64).ok_or_else(|| Error::invalid_response("SECRET_BLOCK is not base64"))?;
    let key = srp
        .password_key(config.pool_name(), user_id, password.expose(), salt, b)
        .map_err(|e| Error::invalid_response(e.message()))?;
    let timestamp = cognito_timestamp(now_ms.div_euclid(1000));
    let signature = srp::claim_signature(&key, config.pool_name(), user_id, &block, &timestamp);
    let mut responses = alloc::vec![
        ("USERNAME", user_id),
        ("PASSWORD_CLAIM_SECRET_BLOCK", block_b64),
        ("TIMESTAMP", timestamp.as_str()),
        ("PASSWORD_CLAIM_SIGNATURE", signature.as_str()),
    ];
    let hash;
    if let Some(s) = secret {
        hash = srp::secret_hash(&s.0, user_id, config.client_id());
        responses.push(("SECRET_HASH", hash.as_str()));
    }
    let mut body = alloc::vec![
        (String::from("ChallengeName"), Json::Str(String::from("PASSWORD_VERIFIER"))),
        (String::from("ClientId"), Json::Str(String::from(config.client_id()))),
        (String::from("ChallengeResponses"), json::str_object(responses)),
    ];
    if let Some(session) = &c.session {
        body.push((String::from("Session"), Json::Str(session.clone())));
    }
    Ok(protocol::request(config, "RespondToAuthChallenge", &Json::Obj(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{base64_encode, hex_encode, pad_bytes};
    use crate::error::Code;
    use crate::session::tests::{tokens, CLIENT, POOL};
    use crate::srp::sha256;
    use num_bigint::BigUint;

    const NOW_MS: i64 = 1_704_164_645_000; // Tue Jan 2 03:04:05 UTC 2024

    fn config() -> ClientConfig {
        ClientConfig::new(POOL, CLIENT, Some("http://127.0.0.1:9229/")).unwrap()
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse { status: 200, body: body.into(), error_type: None }
    }

    /// A minimal server side in num-bigint, to check the claim end to end.
    struct Server {
        v: BigUint,
        b: BigUint,
        big_b: BigUint,
        salt: Vec<u8>,
    }

    impl Server {
        fn new(user_id: &str, password: &str) -> Server {
            let n = BigUint::from_bytes_be(&crate::bigint::N_BYTES);
            let g = BigUint::from(2u8);
            let salt = vec![0xa1, 0x05, 0x33, 0x44];
            let inner = sha256(&[b"EmuPool01", user_id.as_bytes(), b":", password.as_bytes()]);
            let x = BigUint::from_bytes_be(&sha256(&[&pad_bytes(&salt), &inner]));
            let v = g.modpow(&x, &n);
            let b = BigUint::from_bytes_be(&[0x77; 32]);
            let k = BigUint::from_bytes_be(&srp::multiplier_k());
            let big_b = (&k * &v + g.modpow(&b, &n)) % &n;
            Server { v, b, big_b, salt }
        }
        fn challenge(&self, user_id: &str) -> String {
            format!(
                r#"{{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{{"SALT":"{}","SECRET_BLOCK":"{}","SRP_B":"{}","USERNAME":"{user_id}","USER_ID_FOR_SRP":"{user_id}"}},"Session":"sess-1"}}"#,
                hex_encode(&self.salt),
                base64_encode(b"opaque secret block"),
                self.big_b.to_str_radix(16)
            )
        }
        fn expected_signature(&self, a_hex: &str, user_id: &str, timestamp: &str) -> String {
            let n = BigUint::from_bytes_be(&crate::bigint::N_BYTES);
            let big_a = BigUint::parse_bytes(a_hex.as_bytes(), 16).unwrap();
            let u = BigUint::from_bytes_be(&sha256(&[
                &pad_bytes(&big_a.to_bytes_be()),
                &pad_bytes(&self.big_b.to_bytes_be()),
            ]));
            let s = (&big_a * self.v.modpow(&u, &n)).modpow(&self.b, &n);
            let prk = srp::hmac_sha256(&pad_bytes(&u.to_bytes_be()), &[&pad_bytes(&s.to_bytes_be())]);
            let okm = srp::hmac_sha256(&prk, &[b"Caldera Derived Key", &[1]]);
            let sig = srp::hmac_sha256(&okm[..16], &[b"EmuPool01", user_id.as_bytes(), b"opaque secret block", timestamp.as_bytes()]);
            base64_encode(&sig)
        }
    }

    fn field(body: &str, path: &[&str]) -> Option<String> {
        let v = json::parse(body).unwrap();
        let mut cur = &v;
        for p in path {
            cur = cur.get(p)?;
        }
        cur.as_str().map(String::from)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn full_sign_in_with_alias_username() {
        // The user types an email; Cognito answers with USER_ID_FOR_SRP = "alice".
        let server = Server::new("alice", "Alice-Passw0rd!");
        let (flow, req) = SignIn::start(&config(), None, "alice@example.com", Password::new("Alice-Passw0rd!"), &[0x11; 48]).unwrap();
        assert_eq!(req.operation, "InitiateAuth");
        assert_eq!(req.url, "http://127.0.0.1:9229/");
        assert_eq!(field(&req.body, &["AuthFlow"]).as_deref(), Some("USER_SRP_AUTH"));
        assert_eq!(field(&req.body, &["ClientId"]).as_deref(), Some(CLIENT));
        assert_eq!(field(&req.body, &["AuthParameters", "USERNAME"]).as_deref(), Some("alice@example.com"));
        let a_hex = field(&req.body, &["AuthParameters", "SRP_A"]).unwrap();
        assert!(!req.body.contains("Alice-Passw0rd!"));

        let Step::Send(flow, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!("expected a request") };
        assert_eq!(req.operation, "RespondToAuthChallenge");
        assert_eq!(field(&req.body, &["ChallengeName"]).as_deref(), Some("PASSWORD_VERIFIER"));
        assert_eq!(field(&req.body, &["Session"]).as_deref(), Some("sess-1"));
        assert_eq!(field(&req.body, &["ChallengeResponses", "USERNAME"]).as_deref(), Some("alice"));
        assert_eq!(field(&req.body, &["ChallengeResponses", "TIMESTAMP"]).as_deref(), Some("Tue Jan 2 03:04:05 UTC 2024"));
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SECRET_BLOCK"]).as_deref(),
            Some(base64_encode(b"opaque secret block").as_str())
        );
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE"]).unwrap(),
            server.expected_signature(&a_hex, "alice", "Tue Jan 2 03:04:05 UTC 2024")
        );
        assert_eq!(field(&req.body, &["ChallengeResponses", "SECRET_HASH"]), None);

        let t = tokens(NOW_MS / 1000 - 3, "alice");
        let reply = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","RefreshToken":"r","ExpiresIn":3600,"TokenType":"Bearer"}},"ChallengeParameters":{{}}}}"#,
            t.access_token, t.id_token
        );
        let Step::SignedIn(s) = flow.handle(&ok(&reply), NOW_MS).unwrap() else { panic!("expected a session") };
        assert_eq!(s.username, "alice");
        assert_eq!(s.clock_drift, 3);
        assert_eq!(s.refresh_token.as_deref(), Some("r"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn secret_hash_uses_typed_name_then_user_id() {
        let server = Server::new("alice", "pw");
        let secret = ClientSecret::new("s3cr3t");
        let (flow, req) = SignIn::start(&config(), Some(secret), "alice@example.com", Password::new("pw"), &[9; 48]).unwrap();
        assert_eq!(
            field(&req.body, &["AuthParameters", "SECRET_HASH"]).unwrap(),
            srp::secret_hash("s3cr3t", "alice@example.com", CLIENT)
        );
        let Step::Send(_, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "SECRET_HASH"]).unwrap(),
            srp::secret_hash("s3cr3t", "alice", CLIENT)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn other_challenges_are_handed_to_the_app() {
        let server = Server::new("bob", "pw");
        let (flow, _) = SignIn::start(&config(), None, "bob", Password::new("pw"), &[5; 48]).unwrap();
        let Step::Send(flow, _) = flow.handle(&ok(&server.challenge("bob")), NOW_MS).unwrap() else { panic!() };
        let reply = r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{},"Session":"s2"}"#;
        let Step::Challenge(c) = flow.handle(&ok(reply), NOW_MS).unwrap() else { panic!() };
        assert_eq!(c.name, "SOFTWARE_TOKEN_MFA");
        assert_eq!(c.username, "bob");
        assert_eq!(c.session.as_deref(), Some("s2"));
    }

    fn start() -> SignIn {
        SignIn::start(&config(), None, "bob", Password::new("pw"), &[5; 48]).unwrap().0
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn bad_challenges_are_typed_errors() {
        let server = Server::new("bob", "pw");
        let good = server.challenge("bob");
        let n_hex = BigUint::from_bytes_be(&crate::bigint::N_BYTES).to_str_radix(16);
        let cases = [
            good.replace(&server.big_b.to_str_radix(16), "0"),
            good.replace(&server.big_b.to_str_radix(16), &n_hex),
            good.replace(&server.big_b.to_str_radix(16), "not-hex"),
            good.replace(&base64_encode(b"opaque secret block"), "%%%not base64%%%"),
            good.replace(r#""SALT""#, r#""XSALT""#),
            good.replace(r#""SRP_B""#, r#""XSRP_B""#),
            good.replace(r#""SECRET_BLOCK""#, r#""XSECRET_BLOCK""#),
            good.replace(r#""USER_ID_FOR_SRP""#, r#""XUSER_ID""#),
            good.replace("PASSWORD_VERIFIER", "PASSWORD_VERIFIER").replace(r#""ChallengeParameters":{"#, r#""ChallengeParameters":{"X":1,"#),
            "{".into(),
            "<html>oops</html>".into(),
            r#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"b"}}"#.into(),
        ];
        for body in cases {
            let e = start().handle(&ok(&body), NOW_MS).unwrap_err();
            assert_eq!(e.code, Code::InvalidResponse, "{body}");
            assert!(!e.message.contains("pw"));
        }
    }


    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn service_errors_pass_through() {
        let resp = HttpResponse {
            status: 400,
            body: r#"{"__type":"UserNotConfirmedException","message":"User is not confirmed."}"#.into(),
            error_type: Some("UserNotConfirmedException:".into()),
        };
        let e = start().handle(&resp, NOW_MS).unwrap_err();
        assert_eq!(e.code, Code::Service("UserNotConfirmedException".into()));
        assert_eq!(e.status, Some(400));
        let html = HttpResponse { status: 500, body: "<html>Internal error</html>".into(), error_type: None };
        let e = start().handle(&html, NOW_MS).unwrap_err();
        assert_eq!(e.code, Code::InvalidResponse);
        assert!(e.retryable());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn input_validation() {
        assert_eq!(SignIn::start(&config(), None, "", Password::new("x"), &[1; 48]).unwrap_err().code, Code::InvalidInput);
        assert_eq!(SignIn::start(&config(), None, "u", Password::new(""), &[1; 48]).unwrap_err().code, Code::InvalidInput);
        assert_eq!(SignIn::start(&config(), None, "u", Password::new("x"), &[0; 48]).unwrap_err().code, Code::InvalidInput);
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(<redacted>)");
        let (flow, _) = SignIn::start(&config(), None, "u", Password::new("hunter2"), &[1; 48]).unwrap();
        assert!(!format!("{flow:?}").contains("hunter2"));
    }
}
