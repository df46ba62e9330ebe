//! The hosted UI (managed login) on the pool's domain: OAuth 2.0 authorization code with
//! PKCE (S256 only), a real HTML login form checked against the same user store, a simulated
//! external identity provider page, the token endpoint's authorization_code grant, userInfo
//! and logout. (The refresh_token grant and `/oauth2/revoke` are crate::lifecycle's; this
//! module hands them over.)
//!
//! Checks, as Cognito makes them: the `redirect_uri` must exactly match one of the client's
//! `callbackUrls` (else an error page, never a redirect), codes are one-time and expire after
//! five minutes, the verifier must hash to the challenge, `logout_uri` must be one of the
//! client's `logoutUrls`. ID tokens from the code grant carry the `nonce`.
//!
//! Test controls: `POST /_emulator/rotate-keys` (new signing key, new `kid`),
//! `GET /_emulator/hosted-stats` (token-endpoint counters), `POST /_emulator/hosted-options`
//! `{"doubleEncodeState": true}` (redirect with `state` encoded twice, as Cognito sometimes does).

use crate::pool::{now_unix, random_bytes, Pool};
use crate::server::{Incoming, Reply};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Codes live this long (seconds), as on Cognito.
pub const CODE_TTL: i64 = 300;
/// A login page stays usable this long (seconds).
pub const TXN_TTL: i64 = 3600;
const SCOPES: [&str; 5] = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];
const SOCIAL: [&str; 4] = ["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/// One visit to /oauth2/authorize, until the form is submitted.
#[derive(Clone)]
struct Txn {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    nonce: Option<String>,
    scope: String,
    provider: Option<String>,
    created: i64,
}

struct CodeRecord {
    txn: Txn,
    user: usize,
    created: i64,
}

#[derive(Default)]
struct Inner {
    txns: HashMap<String, Txn>,
    codes: HashMap<String, CodeRecord>,
    /// origin_jti → OAuth scope of hosted-UI sessions (kept through refreshes).
    scopes: HashMap<String, String>,
    code_grants: u64,
    double_encode_state: bool,
}

#[derive(Default)]
pub struct HostedState {
    inner: Mutex<Inner>,
}

impl HostedState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }
    pub fn set_scope(&self, origin_jti: &str, scope: &str) {
        self.lock().scopes.insert(origin_jti.into(), scope.into());
    }
    pub fn scope_of(&self, origin_jti: &str) -> Option<String> {
        self.lock().scopes.get(origin_jti).cloned()
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = hex(*b.get(i + 1)?)?;
                let lo = hex(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Form/query parameters; the first occurrence of a name wins. None on a broken escape.
fn params(s: &str) -> Option<HashMap<String, String>> {
    let mut m = HashMap::new();
    for part in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        m.entry(percent_decode(k)?).or_insert(percent_decode(v)?);
    }
    Some(m)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(24))
}

fn reply(status: u16, content_type: &str, body: String, note: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), content_type.into()), ("Cache-Control".into(), "no-store".into())],
        body: body.into_bytes(),
        note: note.into(),
        cut_after: None,
    }
}

fn json_reply(status: u16, v: &Value, note: &str) -> Reply {
    reply(status, "application/json", v.to_string(), note)
}

fn oauth_err(status: u16, error: &str, description: &str) -> Reply {
    json_reply(status, &json!({ "error": error, "error_description": description }), error)
}

fn redirect(location: &str, note: &str) -> Reply {
    let mut r = reply(302, "text/plain", String::new(), note);
    r.headers.push(("Location".into(), location.into()));
    r
}

/// `uri` + `?`/`&` + encoded pairs.
fn with_params(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = uri.to_string();
    for (k, v) in pairs {
        u.push(if u.contains('?') { '&' } else { '?' });
        u.push_str(&encode(k));
        u.push('=');
        u.push_str(&encode(v));
    }
    u
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<style>body{{font-family:sans-serif;max-width:24rem;margin:3rem auto}}label,input,button{{display:block;margin:.4rem 0}}\
.error{{color:#b00}}</style></head><body><h1>{t}</h1>{body}</body></html>",
        t = html_escape(title)
    )
}

fn error_page(status: u16, error: &str, message: &str) -> Reply {
    let body = page(
        "Sign-in error",
        &format!(
            "<p class=\"error\" role=\"alert\" data-error=\"{}\">{}: {}</p>",
            html_escape(error),
            html_escape(error),
            html_escape(message)
        ),
    );
    reply(status, "text/html; charset=utf-8", body, error)
}

// ---------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------

/// Paths served here.
pub fn handles(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("GET", "/oauth2/authorize")
            | ("POST", "/login")
            | ("POST", "/oauth2/token")
            | ("GET" | "POST", "/oauth2/userInfo")
            | ("GET", "/logout")
            | ("POST", "/_emulator/rotate-keys")
            | ("GET", "/_emulator/hosted-stats")
            | ("POST", "/_emulator/hosted-options")
    )
}

pub fn route(pool: &Pool, req: &Incoming) -> Reply {
    route_at(pool, req, now_unix())
}

pub fn route_at(pool: &Pool, req: &Incoming, now: i64) -> Reply {
    let (path, query) = req.url.split_once('?').unwrap_or((req.url, ""));
    let body = std::str::from_utf8(&req.body).unwrap_or("");
    let form = if req.method == "POST" { params(body) } else { params(query) };
    match (req.method, path) {
        ("POST", "/_emulator/rotate-keys") => json_reply(200, &json!({ "kid": pool.signer.rotate() }), "rotate-keys"),
        ("GET", "/_emulator/hosted-stats") => {
            let h = pool.hosted.lock();
            json_reply(200, &json!({ "codeGrants": h.code_grants }), "hosted-stats")
        }
        ("POST", "/_emulator/hosted-options") => match serde_json::from_str::<Value>(body) {
            Ok(v) => {
                pool.hosted.lock().double_encode_state =
                    v.get("doubleEncodeState").and_then(Value::as_bool).unwrap_or(false);
                json_reply(200, &json!({ "ok": true }), "hosted-options")
            }
            Err(e) => json_reply(400, &json!({ "ok": false, "message": e.to_string() }), "hosted-options"),
        },
        _ => {
            let Some(form) = form else {
                return error_page(400, "invalid_request", "malformed parameters");
            };
            match path {
                "/oauth2/authorize" => authorize(pool, &form, now),
                "/login" => login(pool, &form, now),
                "/oauth2/token" if form.get("grant_type").map(String::as_str) != Some("authorization_code") => {
                    crate::lifecycle::oauth(pool, path, &req.body)
                }
                "/oauth2/token" => token(pool, &form, now),
                "/oauth2/userInfo" => userinfo(pool, req, now),
                _ => logout(pool, &form),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// /oauth2/authorize and the pages
// ---------------------------------------------------------------------------------------

fn authorize(pool: &Pool, q: &HashMap<String, String>, now: i64) -> Reply {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client) = get("client_id").and_then(|c| pool.client_config(c)) else {
        return error_page(400, "invalid_client", "unknown client_id");
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|r| client.callback_urls.iter().any(|u| u == r)) else {
        return error_page(400, "redirect_mismatch", "redirect_uri is not a registered callback URL of this client");
    };
    let state = get("state").map(String::from);
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if let Some(s) = &state {
            pairs.push(("state", s));
        }
        redirect(&with_params(redirect_uri, &pairs), error)
    };
    if get("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let (Some(challenge), Some("S256")) = (get("code_challenge"), get("code_challenge_method")) else {
        return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
    };
    if challenge.len() != 43 {
        return fail("invalid_request", "code_challenge must be a base64url SHA-256");
    }
    let scope = get("scope").unwrap_or("openid email profile");
    if scope.split(' ').any(|s| !SCOPES.contains(&s)) {
        return fail("invalid_scope", "unknown scope");
    }
    let provider = match (get("identity_provider"), get("idp_identifier")) {
        (None | Some("COGNITO"), None) => None,
        (Some(p), _) if SOCIAL.contains(&p) => Some(p.to_string()),
        (None, Some(id)) => Some(format!("OIDC:{id}")),
        _ => return fail("invalid_request", "unsupported identity provider"),
    };
    let txn = Txn {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.into(),
        state,
        challenge: challenge.into(),
        nonce: get("nonce").map(String::from),
        scope: scope.into(),
        provider,
        created: now,
    };
    let id = random_id();
    let mut h = pool.hosted.lock();
    h.txns.retain(|_, t| now - t.created <= TXN_TTL);
    h.txns.insert(id.clone(), txn.clone());
    drop(h);
    login_page(&id, &txn, None)
}

fn login_page(txn_id: &str, txn: &Txn, error: Option<&str>) -> Reply {
    let err = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", html_escape(e))).unwrap_or_default();
    let (title, fields, submit) = match &txn.provider {
        None => (
            "Sign in".to_string(),
            "<label for=\"username\">Username</label><input id=\"username\" name=\"username\" autocomplete=\"username\">\
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">"
                .to_string(),
            "signin",
        ),
        Some(p) => (
            format!("Sign in with {p} (simulated)"),
            format!(
                "<p>This page stands in for {}. Enter the email of your account there.</p>\
<label for=\"email\">Email at {}</label><input id=\"email\" name=\"email\" type=\"email\">",
                html_escape(p),
                html_escape(p)
            ),
            "federated",
        ),
    };
    let body = format!(
        "{err}<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"txn\" value=\"{}\">{fields}\
<button type=\"submit\" name=\"action\" value=\"{submit}\">Sign in</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></form>",
        html_escape(txn_id)
    );
    reply(200, "text/html; charset=utf-8", page(&title, &body), "login page")
}

fn login(pool: &Pool, f: &HashMap<String, String>, now: i64) -> Reply {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let txn_id = get("txn");
    let txn = {
        let h = pool.hosted.lock();
        h.txns.get(txn_id).filter(|t| now - t.created <= TXN_TTL).cloned()
    };
    let Some(txn) = txn else {
        return error_page(400, "invalid_request", "this sign-in page has expired; start again from the app");
    };
    let finish = |pairs: &[(&str, &str)], note: &str| {
        pool.hosted.lock().txns.remove(txn_id);
        let double = pool.hosted.lock().double_encode_state;
        let mut pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        if let Some(s) = &txn.state {
            pairs.push(("state", if double { encode(s) } else { s.clone() }));
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect(&with_params(&txn.redirect_uri, &refs), note)
    };
    let user = match get("action") {
        "cancel" => {
            return finish(
                &[("error", "access_denied"), ("error_description", "The user cancelled the sign-in")],
                "cancel",
            )
        }
        "signin" if txn.provider.is_none() => match pool.check_password(get("username"), get("password")) {
            None => return login_page(txn_id, &txn, Some("Incorrect username or password.")),
            Some(u) if pool.users()[u].status == "UNCONFIRMED" => {
                return login_page(txn_id, &txn, Some("User is not confirmed."))
            }
            Some(u) if pool.users()[u].status == "RESET_REQUIRED" => {
                return login_page(txn_id, &txn, Some("Password reset required for the user."))
            }
            Some(u) => u,
        },
        "federated" if txn.provider.is_some() => {
            match pool.users().iter().position(|u| u.email().is_some_and(|e| e.eq_ignore_ascii_case(get("email")))) {
                Some(u) => u,
                None => {
                    return login_page(txn_id, &txn, Some("No account with that email at this (simulated) provider."))
                }
            }
        }
        _ => return login_page(txn_id, &txn, Some("Unexpected form action.")),
    };
    let code = random_id();
    {
        let mut h = pool.hosted.lock();
        h.codes.retain(|_, c| now - c.created <= CODE_TTL);
        h.codes.insert(code.clone(), CodeRecord { txn: txn.clone(), user, created: now });
    }
    finish(&[("code", &code)], "code issued")
}

// ---------------------------------------------------------------------------------------
// /oauth2/token, userInfo, revoke, logout
// ---------------------------------------------------------------------------------------

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn token(pool: &Pool, f: &HashMap<String, String>, now: i64) -> Reply {
    let get = |k: &str| f.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return oauth_err(400, "invalid_request", "client_id is required");
    };
    if pool.client_config(client_id).is_none() {
        return oauth_err(400, "invalid_client", "unknown client");
    }
    match get("grant_type") {
        Some("authorization_code") => {
            let record = {
                let mut h = pool.hosted.lock();
                h.code_grants += 1;
                // One-time: the code is gone whatever happens next.
                get("code").and_then(|c| h.codes.remove(c))
            };
            let (Some(redirect_uri), Some(verifier)) = (get("redirect_uri"), get("code_verifier")) else {
                return oauth_err(400, "invalid_request", "redirect_uri and code_verifier are required");
            };
            let Some(rec) = record else {
                return oauth_err(400, "invalid_grant", "unknown, used or expired code");
            };
            if now - rec.created > CODE_TTL {
                return oauth_err(400, "invalid_grant", "the code expired");
            }
            if rec.txn.client_id != client_id || rec.txn.redirect_uri != redirect_uri {
                return oauth_err(
                    400,
                    "invalid_grant",
                    "client_id or redirect_uri does not match the authorize request",
                );
            }
            let verifier_ok = (43..=128).contains(&verifier.len())
                && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            if !verifier_ok || s256(verifier) != rec.txn.challenge {
                return oauth_err(400, "invalid_grant", "code_verifier does not match the code_challenge");
            }
            let mut extra = Map::new();
            if let Some(n) = &rec.txn.nonce {
                extra.insert("nonce".into(), json!(n));
            }
            if let Some(p) = &rec.txn.provider {
                extra.insert(
                    "identities".into(),
                    json!([{ "providerName": p, "providerType": p, "userId": pool.users()[rec.user].sub.clone(), "primary": "true", "issuer": null, "dateCreated": rec.created * 1000 }]),
                );
            }
            let (access, id, refresh) = pool.hosted_tokens(rec.user, client_id, now, &rec.txn.scope, extra);
            json_reply(
                200,
                &json!({ "id_token": id, "access_token": access, "refresh_token": refresh, "expires_in": pool.token_ttl, "token_type": "Bearer" }),
                "token (code)",
            )
        }
        _ => oauth_err(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"),
    }
}

fn userinfo(pool: &Pool, req: &Incoming, now: i64) -> Reply {
    let invalid = |d: &str| {
        let mut r = oauth_err(401, "invalid_token", d);
        r.headers.push(("WWW-Authenticate".into(), "Bearer error=\"invalid_token\"".into()));
        r
    };
    let Some(token) = req.header("Authorization").and_then(|h| h.strip_prefix("Bearer ")) else {
        return invalid("an access token is required");
    };
    let Some(claims) = pool.signer.verify(token.trim()) else {
        return invalid("the access token is not valid");
    };
    let s = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if s("token_use") != "access" || exp <= now || s("iss") != pool.issuer {
        return invalid("the access token is not valid");
    }
    if pool.origin_revoked(s("origin_jti")) {
        return invalid("the access token has been revoked");
    }
    if !s("scope").split(' ').any(|x| x == "openid") {
        return oauth_err(403, "insufficient_scope", "userInfo needs the openid scope");
    }
    let users = pool.users();
    let Some(u) = users.iter().find(|u| u.sub == s("sub")) else {
        return invalid("the user no longer exists");
    };
    let mut out = Map::new();
    out.insert("sub".into(), json!(u.sub));
    for (k, v) in &u.attributes {
        // Cognito's userInfo returns attribute values as strings ("email_verified": "true").
        out.insert(k.clone(), json!(v));
    }
    out.insert("username".into(), json!(u.username));
    json_reply(200, &Value::Object(out), "userInfo")
}

fn logout(pool: &Pool, q: &HashMap<String, String>) -> Reply {
    let Some(client) = q.get("client_id").and_then(|c| pool.client_config(c)) else {
        return error_page(400, "invalid_client", "unknown client_id");
    };
    match q.get("logout_uri").filter(|u| client.logout_urls.iter().any(|x| x == *u)) {
        Some(u) => redirect(u, "logout"),
        None => error_page(400, "invalid_request", "logout_uri is not a registered sign-out URL of this client"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::tests::{test_pool, CLIENT, NOW};

    const CB: &str = "http://127.0.0.1:8080/";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn req<'a>(method: &'a str, url: &'a str, body: &str, headers: &[(&str, &str)]) -> Incoming<'a> {
        Incoming {
            method,
            url,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn location(r: &Reply) -> String {
        assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
        r.headers.iter().find(|(k, _)| k == "Location").unwrap().1.clone()
    }

    fn qparam(url: &str, name: &str) -> Option<String> {
        params(url.split_once('?')?.1)?.get(name).cloned()
    }

    fn authorize_url(extra: &str) -> String {
        format!(
            "/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri={}&scope=openid%20email&state=st%2B1&nonce=n1&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
            encode(CB)
        )
    }

    fn txn_of(r: &Reply) -> String {
        let html = String::from_utf8_lossy(&r.body).to_string();
        let i = html.find("name=\"txn\" value=\"").unwrap() + 18;
        html[i..].split('"').next().unwrap().to_string()
    }

    /// Authorize + log in as demo: the code.
    fn get_code(pool: &Pool, now: i64) -> String {
        let page = route_at(pool, &req("GET", &authorize_url(""), "", &[]), now);
        assert_eq!(page.status, 200);
        let body = format!("txn={}&username=demo&password=Demo-Passw0rd%21&action=signin", txn_of(&page));
        let loc = location(&route_at(pool, &req("POST", "/login", &body, &[]), now));
        assert!(loc.starts_with(CB));
        assert_eq!(qparam(&loc, "state").as_deref(), Some("st+1"));
        qparam(&loc, "code").unwrap()
    }

    fn exchange(pool: &Pool, code: &str, verifier: &str, redirect: &str, now: i64) -> Reply {
        let body = format!(
            "grant_type=authorization_code&client_id={CLIENT}&code={code}&redirect_uri={}&code_verifier={verifier}",
            encode(redirect)
        );
        route_at(pool, &req("POST", "/oauth2/token", &body, &[]), now)
    }

    fn body_json(r: &Reply) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    fn claims(pool: &Pool, t: &str) -> Value {
        pool.signer.verify(t).unwrap()
    }

    #[test]
    fn code_flow_with_pkce_nonce_userinfo_refresh_revoke() {
        let pool = test_pool(true);
        let code = get_code(&pool, NOW);
        let r = exchange(&pool, &code, VERIFIER, CB, NOW + 1);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let t = body_json(&r);
        let id = claims(&pool, t["id_token"].as_str().unwrap());
        assert_eq!(id["nonce"], "n1");
        assert_eq!(id["cognito:username"], "demo");
        assert_eq!(id["aud"], CLIENT);
        let access_token = t["access_token"].as_str().unwrap();
        assert_eq!(claims(&pool, access_token)["scope"], "openid email");
        // One-time code.
        assert_eq!(body_json(&exchange(&pool, &code, VERIFIER, CB, NOW + 2))["error"], "invalid_grant");
        // userInfo.
        let auth = format!("Bearer {access_token}");
        let r = route_at(&pool, &req("GET", "/oauth2/userInfo", "", &[("Authorization", &auth)]), NOW + 3);
        assert_eq!(r.status, 200);
        assert_eq!(body_json(&r)["email"], "demo@example.com");
        assert_eq!(body_json(&r)["username"], "demo");
        let r = route_at(&pool, &req("GET", "/oauth2/userInfo", "", &[("Authorization", "Bearer x.y.z")]), NOW + 3);
        assert_eq!(r.status, 401);
        // Refresh grant; its ID token has no nonce.
        let rt = t["refresh_token"].as_str().unwrap();
        let body = format!("grant_type=refresh_token&client_id={CLIENT}&refresh_token={}", encode(rt));
        let r = crate::server::route(&pool, &req("POST", "/oauth2/token", &body, &[]));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(
            claims(&pool, body_json(&r)["access_token"].as_str().unwrap())["scope"],
            "openid email",
            "scopes kept"
        );
        assert!(claims(&pool, body_json(&r)["id_token"].as_str().unwrap()).get("nonce").is_none());
        // Revoke: the refresh token and the access tokens from it stop working.
        let rb = format!("token={}&client_id={CLIENT}", encode(rt));
        assert_eq!(crate::server::route(&pool, &req("POST", "/oauth2/revoke", &rb, &[])).status, 200);
        let r = crate::server::route(&pool, &req("POST", "/oauth2/token", &body, &[]));
        assert_eq!(body_json(&r)["error"], "invalid_grant");
        let r = route_at(&pool, &req("GET", "/oauth2/userInfo", "", &[("Authorization", &auth)]), NOW + 7);
        assert_eq!(r.status, 401);
        let stats = body_json(&route_at(&pool, &req("GET", "/_emulator/hosted-stats", "", &[]), NOW));
        assert_eq!(stats["codeGrants"], 2);
    }

    #[test]
    fn pkce_redirect_uri_and_expiry_are_enforced() {
        let pool = test_pool(true);
        let code = get_code(&pool, NOW);
        let wrong = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        assert_eq!(body_json(&exchange(&pool, &code, wrong, CB, NOW))["error"], "invalid_grant");
        assert_eq!(
            body_json(&exchange(&pool, &code, VERIFIER, CB, NOW))["error"],
            "invalid_grant",
            "a failed attempt burns the code"
        );
        let code = get_code(&pool, NOW);
        assert_eq!(
            body_json(&exchange(&pool, &code, VERIFIER, "http://127.0.0.1:8080/other", NOW))["error"],
            "invalid_grant"
        );
        let code = get_code(&pool, NOW);
        assert_eq!(body_json(&exchange(&pool, &code, VERIFIER, CB, NOW + CODE_TTL + 1))["error"], "invalid_grant");
        let code = get_code(&pool, NOW);
        assert_eq!(exchange(&pool, &code, VERIFIER, CB, NOW + CODE_TTL).status, 200);
        let r = route_at(
            &pool,
            &req("POST", "/oauth2/token", "grant_type=password&client_id=7f3kq2m9emulatorclient0001", &[]),
            NOW,
        );
        assert_eq!(body_json(&r)["error"], "unsupported_grant_type", "other grants are crate::lifecycle's");
    }

    #[test]
    fn authorize_errors() {
        let pool = test_pool(true);
        // Unregistered redirect_uri: an error page, never a redirect.
        let url = authorize_url("").replace(&encode(CB), &encode("http://evil.example/"));
        let r = route_at(&pool, &req("GET", &url, "", &[]), NOW);
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).contains("redirect_mismatch"));
        let url = authorize_url("").replace("client_id=", "client_id=x");
        assert_eq!(route_at(&pool, &req("GET", &url, "", &[]), NOW).status, 400);
        // Registered redirect_uri: errors go back to the app with the state.
        let url = authorize_url("").replace("&code_challenge_method=S256", "&code_challenge_method=plain");
        let loc = location(&route_at(&pool, &req("GET", &url, "", &[]), NOW));
        assert_eq!(qparam(&loc, "error").as_deref(), Some("invalid_request"));
        assert_eq!(qparam(&loc, "state").as_deref(), Some("st+1"));
        let url = authorize_url("").replace("scope=openid%20email", "scope=openid%20admin");
        assert_eq!(
            qparam(&location(&route_at(&pool, &req("GET", &url, "", &[]), NOW)), "error").as_deref(),
            Some("invalid_scope")
        );
        let loc = location(&route_at(&pool, &req("GET", &authorize_url("&identity_provider=MySpace"), "", &[]), NOW));
        assert_eq!(qparam(&loc, "error").as_deref(), Some("invalid_request"));
    }

    #[test]
    fn login_form_wrong_password_cancel_and_provider() {
        let pool = test_pool(true);
        let page = route_at(&pool, &req("GET", &authorize_url(""), "", &[]), NOW);
        let txn = txn_of(&page);
        let r = route_at(
            &pool,
            &req("POST", "/login", &format!("txn={txn}&username=demo&password=nope&action=signin"), &[]),
            NOW,
        );
        assert_eq!(r.status, 200);
        assert!(String::from_utf8_lossy(&r.body).contains("Incorrect username or password."));
        let r = route_at(
            &pool,
            &req(
                "POST",
                "/login",
                &format!("txn={txn}&username=pending&password=Pending-Passw0rd%21&action=signin"),
                &[],
            ),
            NOW,
        );
        assert!(String::from_utf8_lossy(&r.body).contains("not confirmed"));
        let loc = location(&route_at(&pool, &req("POST", "/login", &format!("txn={txn}&action=cancel"), &[]), NOW));
        assert_eq!(qparam(&loc, "error").as_deref(), Some("access_denied"));
        assert_eq!(qparam(&loc, "state").as_deref(), Some("st+1"));
        // The transaction is gone after cancel.
        let r = route_at(
            &pool,
            &req("POST", "/login", &format!("txn={txn}&username=demo&password=Demo-Passw0rd%21&action=signin"), &[]),
            NOW,
        );
        assert_eq!(r.status, 400);
        // Simulated Google: email → the pool user, identities claim.
        let page = route_at(&pool, &req("GET", &authorize_url("&identity_provider=Google"), "", &[]), NOW);
        assert!(String::from_utf8_lossy(&page.body).contains("Sign in with Google (simulated)"));
        let loc = location(&route_at(
            &pool,
            &req("POST", "/login", &format!("txn={}&email=alice%40example.com&action=federated", txn_of(&page)), &[]),
            NOW,
        ));
        let r = exchange(&pool, &qparam(&loc, "code").unwrap(), VERIFIER, CB, NOW);
        let id = claims(&pool, body_json(&r)["id_token"].as_str().unwrap());
        assert_eq!(id["cognito:username"], "alice");
        assert_eq!(id["identities"][0]["providerName"], "Google");
        // Double-encoded state on request.
        route_at(&pool, &req("POST", "/_emulator/hosted-options", r#"{"doubleEncodeState":true}"#, &[]), NOW);
        let page = route_at(&pool, &req("GET", &authorize_url(""), "", &[]), NOW);
        let loc = location(&route_at(
            &pool,
            &req("POST", "/login", &format!("txn={}&action=cancel", txn_of(&page)), &[]),
            NOW,
        ));
        assert!(loc.ends_with("&state=st%252B1"), "{loc}");
    }

    #[test]
    fn logout_only_to_registered_urls() {
        let pool = test_pool(true);
        let ok = format!("/logout?client_id={CLIENT}&logout_uri={}", encode("http://127.0.0.1:8080/?signedout=1"));
        assert_eq!(location(&route_at(&pool, &req("GET", &ok, "", &[]), NOW)), "http://127.0.0.1:8080/?signedout=1");
        let bad = format!("/logout?client_id={CLIENT}&logout_uri={}", encode("http://evil.example/"));
        assert_eq!(route_at(&pool, &req("GET", &bad, "", &[]), NOW).status, 400);
    }

    #[test]
    fn rotate_keys_changes_kid() {
        let pool = test_pool(true);
        let before = pool.signer.kid();
        let r = route_at(&pool, &req("POST", "/_emulator/rotate-keys", "", &[]), NOW);
        let kid = body_json(&r)["kid"].as_str().unwrap().to_string();
        assert_ne!(kid, before);
        assert_eq!(pool.signer.kid(), kid);
    }

    #[test]
    fn s256_is_rfc7636() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
    }
}
