//! HTTP layer: routing, CORS, test controls, logging.

use crate::pool::{now_unix, uuid_v4, ApiError, Fault, Pool};
use crate::TARGET_PREFIX;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;
use tiny_http::{Header, Request, Response, Server};

const MAX_BODY: u64 = 1 << 20;
const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// A response before it is handed to tiny_http.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Short note for the log line (operation, error code).
    pub note: String,
    /// Set by a `cutAfter` fault: send this many body bytes, then break the stream.
    pub cut_after: Option<usize>,
}

/// A date as the AWS JSON 1.1 services write it: epoch seconds as a Java double,
/// `1.682955829578E9` (the user-pool API reference's AdminGetUser sample reply). serde_json
/// writes no such number, so the value is a marker string that `Reply::json` rewrites.
pub fn aws_date(epoch_ms: i64) -> Value {
    Value::String(format!("{DATE_MARK}{epoch_ms}"))
}

const DATE_MARK: &str = "\u{1}awsdate:";

/// `1682955829578` (ms) → `1.682955829578E9`; `1796186543000` → `1.796186543E9`.
fn java_double_seconds(ms: i64) -> String {
    let digits = ms.to_string();
    if ms < 1000 || digits.starts_with('-') {
        return format!("{}", ms as f64 / 1000.0);
    }
    let exp = digits.len() - 4;
    let trimmed = digits.trim_end_matches('0');
    let rest = if trimmed.len() > 1 { &trimmed[1..] } else { "0" };
    format!("{}.{rest}E{exp}", &digits[..1])
}

/// The JSON text of `body`, with `aws_date` markers written as numbers.
fn aws_json_text(body: &Value) -> String {
    let text = body.to_string();
    let mark = "\"\\u0001awsdate:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(mark) {
        out.push_str(&rest[..i]);
        let after = &rest[i + mark.len()..];
        let end = after.find('"').unwrap_or(after.len());
        match after[..end].parse::<i64>() {
            Ok(ms) => out.push_str(&java_double_seconds(ms)),
            Err(_) => out.push_str(rest.get(i..i + mark.len() + end + 1).unwrap_or(&rest[i..])),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

impl Reply {
    fn json(status: u16, content_type: &str, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: aws_json_text(body).into_bytes(),
            note: String::new(),
            cut_after: None,
        }
    }

    fn api_error(err: &ApiError) -> Reply {
        let mut r = Reply::json(err.status, AMZ_JSON, &err.body());
        r.headers.push(("x-amzn-errortype".into(), format!("{}:", err.code)));
        r.note = err.code.clone();
        r
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Is this an Origin we answer CORS for? `http://localhost[:port]` or `http://127.0.0.1[:port]`.
pub fn allowed_origin(origin: &str) -> bool {
    ["http://localhost", "http://127.0.0.1"].iter().any(|host| match origin.strip_prefix(host) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit())),
        None => false,
    })
}

/// Minimal view of a request, so routing is testable without sockets.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Incoming<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Route one request. Never panics on bad input (the caller still guards with catch_unwind).
pub fn route(pool: &Pool, req: &Incoming) -> Reply {
    let path = req.url.split('?').next().unwrap_or("");
    let origin = req.header("Origin").filter(|o| allowed_origin(o)).map(str::to_string);
    // A fault rule for this path (never for preflights or the test controls).
    let path_fault = req.method != "OPTIONS" && !path.starts_with("/_emulator/");
    let dispatch = || match (req.method, path) {
        ("OPTIONS", _) => {
            let mut r = Reply { status: 204, headers: vec![], body: vec![], note: "preflight".into(), cut_after: None };
            if origin.is_some() {
                let requested = req
                    .header("Access-Control-Request-Headers")
                    .filter(|h| !h.trim().is_empty())
                    .unwrap_or("content-type, x-amz-target, x-amz-user-agent, authorization")
                    .to_string();
                r = r
                    .header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
                    .header("Access-Control-Allow-Headers", requested)
                    .header("Access-Control-Max-Age", "600");
            }
            r
        }
        ("GET", "/_emulator/outbox") => Reply::json(200, "application/json", &pool.ext.outbox_json()),
        (m, p) if crate::hosted::handles(m, p) => crate::hosted::route(pool, req),
        (m, p) if crate::userauth::handles_control(m, p) => crate::userauth::control(pool, req),
        ("GET", "/_emulator/health") => Reply::json(200, "application/json", &json!({"ok": true})),
        ("POST", "/_emulator/reset") => {
            pool.reset();
            Reply::json(200, "application/json", &json!({"ok": true}))
        }
        ("POST", "/_emulator/faults") => match serde_json::from_slice::<Fault>(&req.body) {
            Ok(f) => match pool.add_fault(f) {
                Ok(()) => Reply::json(200, "application/json", &json!({"ok": true})),
                Err(e) => Reply::json(400, "application/json", &json!({"ok": false, "message": e})),
            },
            Err(e) => Reply::json(400, "application/json", &json!({"ok": false, "message": e.to_string()})),
        },
        ("POST", "/_emulator/identity") => match pool.identity.control(&req.body) {
            Ok(()) => Reply::json(200, "application/json", &json!({"ok": true})),
            Err(e) => Reply::json(400, "application/json", &json!({"ok": false, "message": e})),
        },
        (_, p) if p.starts_with("/_protected/") => pool.identity.protected(req, now_unix()),
        ("DELETE", "/_emulator/faults") => {
            pool.clear_faults();
            Reply::json(200, "application/json", &json!({"ok": true}))
        }
        ("GET", p) if p == format!("/{}/.well-known/jwks.json", pool.pool_id) => {
            // Counted (`GET /_emulator/stats` → `"JWKS"`): verifiers should cache the keys.
            crate::lifecycle::count(pool, "JWKS", &[]);
            Reply::json(200, "application/json", &pool.signer.jwks())
        }
        ("GET", p) if p == format!("/{}/.well-known/openid-configuration", pool.pool_id) => {
            Reply::json(200, "application/json", &discovery(pool))
        }
        ("GET", "/_emulator/stats") => Reply::json(200, "application/json", &crate::lifecycle::stats(pool)),
        ("POST", "/_emulator/config") => match crate::lifecycle::configure(pool, &req.body) {
            Ok(()) => Reply::json(200, "application/json", &json!({"ok": true})),
            Err(e) => Reply::json(400, "application/json", &json!({"ok": false, "message": e})),
        },
        ("POST", "/oauth2/token") | ("POST", "/oauth2/revoke") => crate::lifecycle::oauth(pool, path, &req.body),
        // STS's query protocol (a form, no X-Amz-Target) at any `…/`: the basic flow's
        // AssumeRoleWithWebIdentity (`stsEndpoint` may be this emulator's own URL).
        ("POST", p) if p.ends_with('/') && crate::identity::is_sts(req) => {
            faulted(pool, crate::identity::ASSUME_ROLE, || pool.identity.sts(pool, &req.body, now_unix()))
        }
        ("POST", p) if p.ends_with('/') => api(pool, req),
        _ => Reply::json(404, "application/json", &json!({"message": "Not Found"})),
    };
    let mut reply = if path_fault { faulted(pool, path, dispatch) } else { dispatch() };
    if let Some(origin) = origin {
        reply = reply
            .header("Access-Control-Allow-Origin", origin)
            .header("Vary", "Origin")
            // Cognito's own list (a browser capture of cognito-idp.us-east-1.amazonaws.com's
            // replies, 2023): `Date` is readable, so a client can learn the server's clock.
            .header("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date");
    }
    reply
}

/// `/{poolId}/.well-known/openid-configuration`, shaped like Cognito's. `issuer` is the
/// tokens' `iss` (Cognito's own URL by default); every URL a client fetches (JWKS, the hosted
/// UI's endpoints: this emulator is also the user-pool domain) points at this emulator, since
/// the AWS host is out of reach here.
pub fn discovery(pool: &Pool) -> Value {
    let base = &pool.base_url;
    json!({
        "issuer": pool.issuer,
        "jwks_uri": format!("{base}/{}/.well-known/jwks.json", pool.pool_id),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

/// `real()`, unless a fault is registered for `key` (an operation or a path): then it sleeps
/// for the fault's delay and returns its canned reply (status 0 = drop the connection) or
/// the real one, marked to be cut off when the fault says so.
pub fn faulted(pool: &Pool, key: &str, real: impl FnOnce() -> Reply) -> Reply {
    let Some(fault) = pool.take_fault(key) else { return real() };
    if fault.delay_ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(fault.delay_ms.min(60_000)));
    }
    let mut r = if fault.replaces_reply() {
        let mut r = Reply {
            status: if fault.drop { 0 } else { fault.status.unwrap_or(500) },
            headers: vec![("Content-Type".into(), fault.content_type.clone())],
            body: fault.body.clone().into_bytes(),
            note: format!("{key} FAULT"),
            cut_after: None,
        };
        r.headers.extend(fault.headers.clone());
        r
    } else {
        real()
    };
    r.cut_after = fault.cut_after;
    r
}

/// Writes `reply` as a chunked HTTP reply whose stream breaks after `cut` body bytes (an
/// invalid chunk follows), so the client sees the status and headers, then a failed read.
fn write_cut(w: &mut dyn Write, reply: &Reply, cut: usize) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Fault\r\n", reply.status);
    for (k, v) in &reply.headers {
        if !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("transfer-encoding") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    w.write_all(head.as_bytes())?;
    let part = &reply.body[..cut.min(reply.body.len())];
    if !part.is_empty() {
        w.write_all(format!("{:x}\r\n", part.len()).as_bytes())?;
        w.write_all(part)?;
        w.write_all(b"\r\n")?;
    }
    w.write_all(b"zz\r\n\r\n")?;
    w.flush()
}

fn api(pool: &Pool, req: &Incoming) -> Reply {
    let target = req.header("X-Amz-Target").unwrap_or("");
    let identity_op = target.strip_prefix(crate::identity::TARGET_PREFIX);
    let op = target.strip_prefix(TARGET_PREFIX).or(identity_op).unwrap_or("");
    crate::lifecycle::count(pool, op, &req.body);
    let mut reply = faulted(pool, op, || {
        if op.is_empty() {
            let shown = if target.is_empty() { "(none)" } else { target };
            Reply::api_error(&ApiError::new("UnknownOperationException", format!("Unknown operation {shown}")))
        } else {
            let result = match identity_op {
                Some(op) => pool.identity.handle(pool, op, &req.body, now_unix()),
                None => pool.handle(op, &req.body, now_unix()),
            };
            match result {
                Ok(v) => {
                    let mut r = Reply::json(200, AMZ_JSON, &v);
                    r.note = op.to_string();
                    r
                }
                Err(e) => {
                    let mut r = Reply::api_error(&e);
                    r.note = format!("{op} {}", e.code);
                    r
                }
            }
        }
    });
    if !reply.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("x-amzn-requestid")) {
        reply.headers.push(("x-amzn-requestid".into(), uuid_v4()));
    }
    reply
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turn the per-request log lines off (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// One log line to stderr. Never panics (unlike eprintln!) if stderr is closed.
pub fn log(line: &str) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

fn internal_error() -> Reply {
    let mut r = Reply::api_error(&ApiError {
        status: 500,
        code: "InternalErrorException".into(),
        message: "Internal error in cognito-emulator".into(),
    });
    r.headers.push(("x-amzn-requestid".into(), uuid_v4()));
    r
}

fn handle_request(pool: &Pool, mut request: Request) {
    let start = Instant::now();
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str().to_string(), h.value.as_str().to_string()))
        .collect();
    let mut body = Vec::new();
    let read_ok = request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body).is_ok();
    let reply = if !read_ok || body.len() as u64 > MAX_BODY {
        Reply::api_error(&ApiError::new("SerializationException", "Request body unreadable or too large"))
    } else {
        let incoming = Incoming { method: &method, url: &url, headers, body };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(pool, &incoming)))
            .unwrap_or_else(|_| internal_error())
    };
    let path = url.split('?').next().unwrap_or("");
    if reply.status == 0 {
        // A `drop` fault: no HTTP reply, just bytes no client accepts, then the socket ends.
        log(&format!("{method} {path} -> DROPPED {}", reply.note));
        let mut w = request.into_writer();
        let _ = w.write_all(b"\x00\x00 dropped\r\n\r\n");
        let _ = w.flush();
        return;
    }
    if let Some(cut) = reply.cut_after {
        log(&format!("{method} {path} -> {} CUT after {cut} bytes {}", reply.status, reply.note));
        let mut w = request.into_writer();
        let _ = write_cut(&mut *w, &reply, cut);
        return;
    }
    log(&format!("{method} {path} -> {} {} ({} ms)", reply.status, reply.note, start.elapsed().as_millis()));
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    for (k, v) in reply.headers {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    if let Err(e) = request.respond(response) {
        log(&format!("  (failed to send response: {e})"));
    }
}

/// Serve forever with `threads` workers.
pub fn serve(server: Arc<Server>, pool: Arc<Pool>, threads: usize) {
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || loop {
                match server.recv() {
                    Ok(req) => handle_request(&pool, req),
                    Err(e) => log(&format!("accept error: {e}")),
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn dates_are_written_as_cognito_writes_them() {
        // The user-pool API reference's AdminGetUser sample: "UserCreateDate": 1.682955829578E9.
        assert_eq!(java_double_seconds(1_682_955_829_578), "1.682955829578E9");
        assert_eq!(java_double_seconds(1_796_186_543_000), "1.796186543E9");
        assert_eq!(java_double_seconds(1_000_000_000_000), "1.0E9");
        let body = json!({ "Device": { "DeviceCreateDate": aws_date(1_722_380_161_794), "DeviceKey": "k" } });
        let text = aws_json_text(&body);
        assert_eq!(text, r#"{"Device":{"DeviceCreateDate":1.722380161794E9,"DeviceKey":"k"}}"#);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()["Device"]["DeviceCreateDate"].as_f64(),
            Some(1_722_380_161.794)
        );
        // A string that only looks like the marker stays a string.
        assert_eq!(aws_json_text(&json!({ "a": "\u{1}awsdate:x" })), r#"{"a":"\u0001awsdate:x"}"#);
    }

    use super::*;
    use crate::pool::tests::test_pool;

    #[test]
    fn origins() {
        for ok in ["http://localhost:5173", "http://127.0.0.1:8080", "http://localhost", "http://127.0.0.1:1"] {
            assert!(allowed_origin(ok), "{ok}");
        }
        for bad in [
            "https://localhost:5173",
            "http://localhost.evil.com",
            "http://localhost:80.evil.com",
            "http://127.0.0.1.nip.io:80",
            "http://localhost:",
            "null",
            "",
            "http://example.com",
            "http://localhost:123456",
        ] {
            assert!(!allowed_origin(bad), "{bad}");
        }
    }

    fn incoming<'a>(method: &'a str, url: &'a str, headers: &[(&str, &str)], body: &str) -> Incoming<'a> {
        Incoming {
            method,
            url,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn routing_and_cors() {
        let pool = test_pool(true);
        let r = route(&pool, &incoming("OPTIONS", "/", &[("Origin", "http://localhost:3000")], ""));
        assert_eq!(r.status, 204);
        assert_eq!(
            header(&r, "Access-Control-Allow-Headers"),
            Some("content-type, x-amz-target, x-amz-user-agent, authorization")
        );
        let r = route(&pool, &incoming("GET", "/_emulator/health?x=1", &[], ""));
        assert_eq!((r.status, r.body.as_slice()), (200, br#"{"ok":true}"#.as_slice()));
        assert_eq!(header(&r, "Access-Control-Allow-Origin"), None);
        let r = route(&pool, &incoming("GET", "/nope", &[("Origin", "http://127.0.0.1:9")], ""));
        assert_eq!(r.status, 404);
        assert_eq!(header(&r, "Access-Control-Allow-Origin"), Some("http://127.0.0.1:9"));
        let r = route(&pool, &incoming("POST", "/", &[], "{}"));
        assert_eq!(header(&r, "x-amzn-errortype"), Some("UnknownOperationException:"));
        let r = route(&pool, &incoming("POST", "/_emulator/faults", &[], r#"{"target":"X","count":0}"#));
        assert_eq!(r.status, 400);
        let r = route(&pool, &incoming("POST", "/_emulator/faults", &[], "not json"));
        assert_eq!(r.status, 400);
    }

    #[test]
    fn fault_rules_by_path_and_cut_replies() {
        let pool = test_pool(true);
        let add = |j: &str| route(&pool, &incoming("POST", "/_emulator/faults", &[], j)).status;
        // One of target and path; never a control path.
        assert_eq!(add(r#"{"target":"InitiateAuth","path":"/oauth2/token"}"#), 400);
        assert_eq!(add(r#"{"status":500}"#), 400);
        assert_eq!(add(r#"{"path":"/_emulator/reset"}"#), 400);
        assert_eq!(add(r#"{"path":"oauth2/token"}"#), 400);
        // A path rule answers the next `count` requests of that path, with CORS headers.
        assert_eq!(
            add(r#"{"path":"/nope","status":503,"body":"<html>busy</html>","headers":{"Retry-After":"1"},"count":2}"#),
            200
        );
        let origin = [("Origin", "http://localhost:3")];
        for _ in 0..2 {
            let r = route(&pool, &incoming("GET", "/nope?x=1", &origin, ""));
            assert_eq!((r.status, r.body.as_slice()), (503, b"<html>busy</html>".as_slice()));
            assert_eq!(header(&r, "Retry-After"), Some("1"));
            assert_eq!(header(&r, "Access-Control-Allow-Origin"), Some("http://localhost:3"));
        }
        assert_eq!(route(&pool, &incoming("GET", "/nope", &origin, "")).status, 404, "used up");
        // Preflights and controls never take a path rule.
        assert_eq!(add(r#"{"path":"/nope","status":500}"#), 200);
        assert_eq!(route(&pool, &incoming("OPTIONS", "/nope", &origin, "")).status, 204);
        assert_eq!(route(&pool, &incoming("GET", "/nope", &[], "")).status, 500);
        // cutAfter alone cuts the real reply; with a body, the canned one.
        let target = [("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")];
        assert_eq!(add(r#"{"target":"InitiateAuth","cutAfter":5}"#), 200);
        let r = route(&pool, &incoming("POST", "/", &target, "{}"));
        assert_eq!((r.status, r.cut_after), (400, Some(5)), "the real reply (InvalidParameterException), marked");
        assert_eq!(header(&r, "x-amzn-errortype"), Some("InvalidParameterException:"));
        assert_eq!(route(&pool, &incoming("POST", "/", &target, "{}")).cut_after, None, "one-shot by default");
        assert_eq!(
            add(r#"{"target":"InitiateAuth","status":200,"body":"{\"AuthenticationResult\":{}}","cutAfter":3}"#),
            200
        );
        let r = route(&pool, &incoming("POST", "/", &target, "{}"));
        assert_eq!(
            (r.status, r.body.as_slice(), r.cut_after),
            (200, br#"{"AuthenticationResult":{}}"#.as_slice(), Some(3))
        );
        // On the wire: status line, headers, a chunk with the first bytes, then a broken chunk.
        let mut out = Vec::new();
        write_cut(&mut out, &r, 3).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 Fault\r\nContent-Type: text/html\r\n"), "{text}");
        assert!(
            text.ends_with("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\n{\"A\r\nzz\r\n\r\n"),
            "{text}"
        );
        let mut out = Vec::new();
        write_cut(&mut out, &r, 0).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("\r\n\r\nzz\r\n\r\n"));
    }

    /// Discovery and JWKS at Cognito's paths; the issuer is Cognito's, every URL to fetch is ours.
    #[test]
    fn discovery_document() {
        let pool = test_pool(true);
        let r = route(&pool, &incoming("GET", "/us-east-1_EmuPool01/.well-known/openid-configuration", &[], ""));
        assert_eq!(r.status, 200);
        let d: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(d["issuer"], "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01");
        assert_eq!(d["jwks_uri"], "http://127.0.0.1:9229/us-east-1_EmuPool01/.well-known/jwks.json");
        assert_eq!(d["authorization_endpoint"], "http://127.0.0.1:9229/oauth2/authorize");
        assert_eq!(d["token_endpoint"], "http://127.0.0.1:9229/oauth2/token");
        assert_eq!(d["end_session_endpoint"], "http://127.0.0.1:9229/logout");
        let r = route(&pool, &incoming("GET", "/us-east-1_EmuPool01/.well-known/jwks.json", &[], ""));
        let jwks: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(jwks["keys"][0]["alg"], "RS256");
        route(&pool, &incoming("GET", "/us-east-1_EmuPool01/.well-known/jwks.json", &[], ""));
        let stats: Value =
            serde_json::from_slice(&route(&pool, &incoming("GET", "/_emulator/stats", &[], "")).body).unwrap();
        assert_eq!(stats["JWKS"], 2, "each JWKS request is counted");
        assert_eq!(route(&pool, &incoming("GET", "/us-east-1_Other/.well-known/jwks.json", &[], "")).status, 404);
    }
}
