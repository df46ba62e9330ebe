//! Starts the real binary with `--port 0`, parses the printed URL and talks HTTP to it.

#[path = "support/srp_client.rs"]
mod srp_client;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use srp_client::{timestamp, SrpClient};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/demo-pool.json");
const POOL: &str = "us-east-1_EmuPool01";
const CLIENT: &str = "7f3kq2m9emulatorclient0001";
const PREFIX: &str = "AWSCognitoIdentityProviderService.";

struct Emulator {
    child: Child,
    url: String,
    port: u16,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--config", FIXTURE])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cognito-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .trim_end()
        .strip_prefix("cognito-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let port = url.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    Emulator { child, url, port }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

fn raw(port: u16, request: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line).unwrap();
    let status = status_line.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status line");
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').expect("header line");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).unwrap();
    Resp { status, headers, body }
}

fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    raw(port, req.as_bytes())
}

fn api(port: u16, op: &str, body: &Value) -> Resp {
    let target = format!("{PREFIX}{op}");
    http(
        port,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &target),
            ("Origin", "http://localhost:8080"),
        ],
        &body.to_string(),
    )
}

#[test]
fn preflight_cors() {
    let emu = start(&[]);
    let r = http(
        emu.port,
        "OPTIONS",
        "/",
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent,authorization"),
        ],
        "",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("http://localhost:5173"));
    assert_eq!(r.header("Vary"), Some("Origin"));
    assert_eq!(r.header("Access-Control-Max-Age"), Some("600"));
    let methods = r.header("Access-Control-Allow-Methods").unwrap();
    assert!(methods.contains("POST") && methods.contains("OPTIONS") && methods.contains("GET"));
    let allowed = r.header("Access-Control-Allow-Headers").unwrap().to_ascii_lowercase();
    for h in ["content-type", "x-amz-target", "x-amz-user-agent", "authorization"] {
        assert!(allowed.contains(h), "{h} not allowed: {allowed}");
    }
    let expose = r.header("Access-Control-Expose-Headers").unwrap().to_ascii_lowercase();
    for h in ["x-amzn-errortype", "x-amzn-requestid", "x-amzn-errormessage", "date"] {
        assert!(expose.split(',').any(|e| e.trim() == h), "{h} not exposed: {expose}");
    }
    assert!(r.header("Date").is_some_and(|d| d.ends_with(" GMT")), "every reply carries a Date");

    let r = http(emu.port, "OPTIONS", "/", &[("Origin", "http://127.0.0.1:3000")], "");
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("http://127.0.0.1:3000"));
    for evil in ["http://evil.example", "http://localhost.evil.example:80", "https://localhost:5173"] {
        let r = http(emu.port, "OPTIONS", "/", &[("Origin", evil)], "");
        assert_eq!(r.header("Access-Control-Allow-Origin"), None, "{evil}");
        assert_eq!(r.header("Access-Control-Allow-Methods"), None, "{evil}");
    }
}

#[test]
fn error_shapes() {
    let emu = start(&[]);
    let r = api(emu.port, "Bogus", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-amzn-errortype"), Some("UnknownOperationException:"));
    assert!(r.header("x-amzn-requestid").is_some_and(|id| id.len() == 36));
    assert_eq!(r.header("Content-Type"), Some("application/x-amz-json-1.1"));
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("http://localhost:8080"));
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    assert!(r.json()["message"].is_string());

    let r = http(emu.port, "POST", "/", &[("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")], "{oops");
    assert_eq!((r.status, r.json()["__type"].as_str()), (400, Some("SerializationException")));
    assert_eq!(r.header("x-amzn-errortype"), Some("SerializationException:"));

    let r =
        api(emu.port, "InitiateAuth", &json!({"ClientId": "nope", "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {}}));
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    let r = api(
        emu.port,
        "InitiateAuth",
        &json!({"ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": 5}}),
    );
    assert_eq!(r.status, 400);

    // Garbage on the socket must not take the server down.
    let _ = raw(emu.port, b"\x00\x01garbage\r\n\r\n");
    let r = http(emu.port, "GET", "/_emulator/health", &[], "");
    assert_eq!((r.status, r.json()), (200, json!({"ok": true})));
}

#[test]
fn jwks_and_openid_configuration() {
    let emu = start(&[]);
    let r =
        http(emu.port, "GET", &format!("/{POOL}/.well-known/jwks.json"), &[("Origin", "http://localhost:1234")], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("http://localhost:1234"));
    let jwks = r.json();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str(), key["use"].as_str()),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(key["e"], "AQAB");
    let n = key["n"].as_str().unwrap();
    assert!(!n.contains('=') && !n.contains('+') && !n.contains('/'));
    assert_eq!(URL_SAFE_NO_PAD.decode(n).unwrap().len(), 256);

    let r = http(emu.port, "GET", &format!("/{POOL}/.well-known/openid-configuration"), &[], "");
    let oidc = r.json();
    assert_eq!(oidc["issuer"], format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"));
    assert_eq!(oidc["jwks_uri"], format!("{}/{POOL}/.well-known/jwks.json", emu.url));
    // `--issuer local`: cognito-local's style, the emulator's own URL.
    let local = start(&["--issuer", "local"]);
    let oidc = http(local.port, "GET", &format!("/{POOL}/.well-known/openid-configuration"), &[], "").json();
    assert_eq!(oidc["issuer"], format!("{}/{POOL}", local.url));
}

fn verify_jwt(jwt: &str, jwks: &Value) -> Value {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("kid in JWKS");
    let big = |f: &str| rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key[f].as_str().unwrap()).unwrap());
    let vk = VerifyingKey::<sha2::Sha256>::new(rsa::RsaPublicKey::new(big("n"), big("e")).unwrap());
    let sig = Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).expect("valid RS256 signature");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn srp_sign_in_over_http_then_refresh() {
    let emu = start(&[]);
    let c = SrpClient::new();
    let r = api(
        emu.port,
        "InitiateAuth",
        &json!({
            "ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": "alice@example.com", "SRP_A": c.a_hex()},
        }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let ch = r.json();
    let p = &ch["ChallengeParameters"];
    let g = |k: &str| p[k].as_str().unwrap().to_string();
    assert_eq!(g("USER_ID_FOR_SRP"), "alice");
    let ts = timestamp(now());
    let sig = c.signature("EmuPool01", "alice", "Alice-Passw0rd!", &g("SALT"), &g("SRP_B"), &g("SECRET_BLOCK"), &ts);
    let respond = json!({
        "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER", "Session": ch["Session"],
        "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": g("SECRET_BLOCK"),
            "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts},
    });
    let r = api(emu.port, "RespondToAuthChallenge", &respond);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let ar = r.json()["AuthenticationResult"].clone();
    let jwks = http(emu.port, "GET", &format!("/{POOL}/.well-known/jwks.json"), &[], "").json();
    let id = verify_jwt(ar["IdToken"].as_str().unwrap(), &jwks);
    assert_eq!(
        id["iss"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"),
        "Cognito's issuer, whatever URL was called"
    );
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    let access = verify_jwt(ar["AccessToken"].as_str().unwrap(), &jwks);
    assert_eq!(access["client_id"], CLIENT);

    // Replay: the session is gone.
    let r = api(emu.port, "RespondToAuthChallenge", &respond);
    assert_eq!(r.json()["message"], "Invalid session for the user, session is expired.");
    assert_eq!(r.header("x-amzn-errortype"), Some("NotAuthorizedException:"));

    let refresh = json!({"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": ar["RefreshToken"]}});
    let r = api(emu.port, "InitiateAuth", &refresh);
    assert_eq!(r.status, 200);
    verify_jwt(r.json()["AuthenticationResult"]["IdToken"].as_str().unwrap(), &jwks);
    assert_eq!(http(emu.port, "POST", "/_emulator/reset", &[], "").status, 200);
    let r = api(emu.port, "InitiateAuth", &refresh);
    assert_eq!(r.json()["message"], "Invalid Refresh Token");
}

#[test]
fn faults_and_unknown_users() {
    let emu = start(&["--prevent-user-existence-errors", "false"]);
    let fault = json!({"target": "InitiateAuth", "status": 500, "contentType": "text/html",
        "body": "<html>oops</html>", "headers": {"x-amzn-errortype": "InternalErrorException:"}, "count": 1});
    let r = http(emu.port, "POST", "/_emulator/faults", &[], &fault.to_string());
    assert_eq!(r.status, 200);
    let probe = json!({"ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
        "AuthParameters": {"USERNAME": "nobody", "SRP_A": SrpClient::new().a_hex()}});
    let r = api(emu.port, "InitiateAuth", &probe);
    assert_eq!(r.status, 500);
    assert_eq!(r.header("Content-Type"), Some("text/html"));
    assert_eq!(r.body, b"<html>oops</html>");
    assert_eq!(r.header("x-amzn-errortype"), Some("InternalErrorException:"));
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("http://localhost:8080"));
    let r = api(emu.port, "InitiateAuth", &probe);
    assert_eq!(r.json()["__type"], "UserNotFoundException");

    let r =
        http(emu.port, "POST", "/_emulator/faults", &[], &json!({"target": "InitiateAuth", "count": 5}).to_string());
    assert_eq!(r.status, 200);
    assert_eq!(http(emu.port, "DELETE", "/_emulator/faults", &[], "").status, 200);
    assert_eq!(api(emu.port, "InitiateAuth", &probe).status, 400);

    // A signature that is not base64 at all is just a failed sign-in.
    let c = SrpClient::new();
    let ch = api(
        emu.port,
        "InitiateAuth",
        &json!({"ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
        "AuthParameters": {"USERNAME": "demo", "SRP_A": c.a_hex()}}),
    )
    .json();
    let r = api(
        emu.port,
        "RespondToAuthChallenge",
        &json!({
            "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER", "Session": ch["Session"],
            "ChallengeResponses": {"USERNAME": "demo", "PASSWORD_CLAIM_SECRET_BLOCK": ch["ChallengeParameters"]["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": "%%%not-base64", "TIMESTAMP": timestamp(now())},
        }),
    );
    assert_eq!((r.status, r.json()["message"].as_str()), (400, Some("Incorrect username or password.")));
}

#[test]
fn refuses_non_loopback_host() {
    let out = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--host", "0.0.0.0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1"));
}

/// Accepts any server certificate (the emulator's is self-signed and made at start) but
/// keeps it for the test to look at; signatures are still checked.
#[derive(Debug)]
struct KeepCert(std::sync::Mutex<Vec<u8>>, rustls::crypto::CryptoProvider);

impl rustls::client::danger::ServerCertVerifier for KeepCert {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        *self.0.lock().unwrap() = end_entity.to_vec();
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

/// `--tls-port 0`: a second stdout line names the HTTPS port, which serves the same routes
/// (and the same state) as the plain one, with a certificate for localhost made at start.
#[test]
fn tls_port_serves_the_same_routes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--config", FIXTURE, "--tls-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cognito-emulator");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let emu = Emulator {
        url: first.trim_end().strip_prefix("cognito-emulator listening on ").expect("first line").to_string(),
        port: 0,
        child,
    };
    let tls_port: u16 = second
        .trim_end()
        .strip_prefix("cognito-emulator hosted UI on https://localhost:")
        .unwrap_or_else(|| panic!("unexpected second line {second:?}"))
        .parse()
        .unwrap();
    assert!(emu.url.starts_with("http://127.0.0.1:"));

    let provider = rustls::crypto::ring::default_provider();
    let verifier = std::sync::Arc::new(KeepCert(Default::default(), provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let get = |path: &str| -> String {
        let conn = rustls::ClientConnection::new(std::sync::Arc::new(config.clone()), "localhost".try_into().unwrap())
            .unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        write!(tls, "GET {path} HTTP/1.1\r\nHost: localhost:{tls_port}\r\nConnection: close\r\n\r\n").unwrap();
        let mut body = Vec::new();
        let _ = tls.read_to_end(&mut body);
        String::from_utf8_lossy(&body).into_owned()
    };
    let health = get("/_emulator/health");
    assert!(health.starts_with("HTTP/1.1 200 "), "{health}");
    assert!(health.ends_with(r#"{"ok":true}"#), "{health}");
    let cert = verifier.0.lock().unwrap().clone();
    assert!(cert.windows(11).any(|w| w == b"\x82\x09localhost"), "a certificate for localhost");
    // The plain listener answers as before, and both serve the same pool's keys.
    let plain = raw(
        emu.url.strip_prefix("http://127.0.0.1:").unwrap().parse::<u16>().unwrap(),
        b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(plain.status, 200);
    let port: u16 = emu.url.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    let jwks_path = format!("/{POOL}/.well-known/jwks.json");
    let plain_jwks = raw(port, format!("GET {jwks_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes());
    let jwks = get(&jwks_path);
    assert!(jwks.starts_with("HTTP/1.1 200 "), "{jwks}");
    assert!(jwks.ends_with(std::str::from_utf8(&plain_jwks.body).unwrap()), "{jwks}");
}
