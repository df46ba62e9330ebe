//! USER_AUTH and passkeys over HTTP against the real binary and the demo fixture: EMAIL_OTP
//! with the code from the outbox, passkey registration and sign-in with an ES256 software
//! authenticator built here (independent of the unit tests' one), and the passkey controls.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/demo-pool.json");
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const ORIGIN: &str = "http://localhost:43210";

struct Emu(Child, u16);
impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> Emu {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--config", FIXTURE, "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    Emu(child, port)
}

/// (status, JSON body) of one request.
fn http(port: u16, method: &str, path: &str, target: Option<&str>, body: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nOrigin: {ORIGIN}\r\n");
    if let Some(t) = target {
        req.push_str(&format!(
            "Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.{t}\r\n"
        ));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(out.contains(&format!("Access-Control-Allow-Origin: {ORIGIN}")), "CORS for {ORIGIN}");
    let body = out.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn api(port: u16, op: &str, body: Value) -> Result<Value, String> {
    match http(port, "POST", "/", Some(op), &body.to_string()) {
        (200, v) => Ok(v),
        (_, v) => Err(v["__type"].as_str().unwrap_or("?").to_string()),
    }
}

fn user_auth(port: u16, params: Value) -> Result<Value, String> {
    api(port, "InitiateAuth", json!({"ClientId": CLIENT, "AuthFlow": "USER_AUTH", "AuthParameters": params}))
}

fn answer(port: u16, ch: &Value, responses: Value) -> Result<Value, String> {
    api(
        port,
        "RespondToAuthChallenge",
        json!({"ClientId": CLIENT, "ChallengeName": ch["ChallengeName"], "Session": ch["Session"], "ChallengeResponses": responses}),
    )
}

struct Authenticator {
    key: p256::ecdsa::SigningKey,
    id: Vec<u8>,
    count: u32,
}

impl Authenticator {
    fn auth_data(&self, attested: bool) -> Vec<u8> {
        let mut d = Sha256::digest(b"localhost").to_vec();
        d.push(if attested { 0x45 } else { 0x05 });
        d.extend(self.count.to_be_bytes());
        if attested {
            let p = self.key.verifying_key().to_encoded_point(false);
            d.extend([0u8; 16]);
            d.extend((self.id.len() as u16).to_be_bytes());
            d.extend(&self.id);
            // COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y}, hand-encoded CBOR.
            d.extend([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]);
            d.extend(p.x().unwrap());
            d.extend([0x22, 0x58, 0x20]);
            d.extend(p.y().unwrap());
        }
        d
    }

    fn client_data(kind: &str, challenge: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": ORIGIN, "crossOrigin": false}).to_string().into_bytes()
    }

    fn create(&self, options: &Value) -> Value {
        let cd = Self::client_data("webauthn.create", options["challenge"].as_str().unwrap());
        let ad = self.auth_data(true);
        // {"fmt": "none", "attStmt": {}, "authData": h'...'}
        let mut att = vec![0xa3, 0x63];
        att.extend(b"fmt");
        att.push(0x64);
        att.extend(b"none");
        att.push(0x67);
        att.extend(b"attStmt");
        att.extend([0xa0, 0x68]);
        att.extend(b"authData");
        att.extend([0x58, ad.len() as u8]);
        att.extend(ad);
        json!({"id": B64.encode(&self.id), "rawId": B64.encode(&self.id), "type": "public-key",
            "response": {"clientDataJSON": B64.encode(cd), "attestationObject": B64.encode(att), "transports": ["internal"]},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform"})
    }

    fn get(&mut self, options: &Value, user_handle: &str) -> String {
        self.count += 1;
        let cd = Self::client_data("webauthn.get", options["challenge"].as_str().unwrap());
        let ad = self.auth_data(false);
        let sig: p256::ecdsa::Signature = self.key.sign(&[ad.clone(), Sha256::digest(&cd).to_vec()].concat());
        json!({"id": B64.encode(&self.id), "rawId": B64.encode(&self.id), "type": "public-key",
            "response": {"clientDataJSON": B64.encode(cd), "authenticatorData": B64.encode(ad),
                "signature": B64.encode(sig.to_der().as_bytes()), "userHandle": user_handle},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform"})
        .to_string()
    }
}

#[test]
fn email_otp_and_passkeys_over_http() {
    let emu = start();
    let port = emu.1;
    // SELECT_CHALLENGE → EMAIL_OTP → code from the outbox → tokens.
    let sel = user_auth(port, json!({"USERNAME": "passkey"})).unwrap();
    assert_eq!(sel["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]));
    let ch = answer(port, &sel, json!({"USERNAME": "passkey", "ANSWER": "EMAIL_OTP"})).unwrap();
    assert_eq!(ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "p***@e***");
    let (_, outbox) = http(port, "GET", "/_emulator/outbox", None, "");
    let msg = outbox.as_array().unwrap().last().unwrap().clone();
    assert_eq!((msg["purpose"].as_str(), msg["medium"].as_str()), (Some("EMAIL_OTP"), Some("EMAIL")));
    let r = answer(port, &ch, json!({"USERNAME": "passkey", "EMAIL_OTP_CODE": msg["code"]})).unwrap();
    let token = r["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string();

    // Register a passkey.
    let mut auth =
        Authenticator { key: p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng), id: vec![0x5a; 20], count: 0 };
    let o = api(port, "StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap();
    let opts = &o["CredentialCreationOptions"];
    assert_eq!(opts["rp"]["id"], "localhost");
    let user_handle = opts["user"]["id"].as_str().unwrap().to_string();
    api(port, "CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": auth.create(opts)})).unwrap();
    let list = api(port, "ListWebAuthnCredentials", json!({"AccessToken": token})).unwrap();
    assert_eq!(list["Credentials"][0]["CredentialId"], B64.encode(&auth.id));

    // Passkey sign-in, twice; the sign count is visible through the control endpoint.
    for n in 1..=2 {
        let ch = user_auth(port, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
        let ro: Value =
            serde_json::from_str(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()).unwrap();
        assert_eq!(ro["allowCredentials"][0]["id"], B64.encode(&auth.id));
        let r = answer(port, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": auth.get(&ro, &user_handle)})).unwrap();
        assert!(r["AuthenticationResult"]["IdToken"].is_string());
        let (status, keys) = http(port, "GET", "/_emulator/passkeys?username=passkey", None, "");
        assert_eq!((status, keys[0]["signCount"].as_u64()), (200, Some(n)));
    }
    // A replayed counter is refused.
    auth.count = 0;
    let ch = user_auth(port, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
    let ro: Value =
        serde_json::from_str(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()).unwrap();
    let e = answer(port, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": auth.get(&ro, &user_handle)})).unwrap_err();
    assert_eq!(e, "NotAuthorizedException");
    // Delete → sign-in no longer offers WEB_AUTHN; reset clears everything.
    api(port, "DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": B64.encode(&auth.id)})).unwrap();
    let r = user_auth(port, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
    assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(http(port, "POST", "/_emulator/userauth", None, r#"{"otpTtlSeconds":60}"#), (200, json!({"ok": true})));
    assert_eq!(http(port, "POST", "/_emulator/reset", None, "").0, 200);
    assert_eq!(http(port, "GET", "/_emulator/passkeys", None, ""), (200, json!([])));
}
