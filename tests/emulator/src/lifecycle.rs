//! Session lifecycle: refresh-token rotation (GetTokensFromRefreshToken), GlobalSignOut,
//! RevokeToken, GetUser, the OAuth `/oauth2/token` refresh grant and `/oauth2/revoke`,
//! plus the test controls `GET /_emulator/stats` and `POST /_emulator/config`.
//!
//! Revocation is by `origin_jti` (the sign-in a token family descends from), as in
//! Cognito: revoking a refresh token also invalidates the access tokens issued from it.

use crate::pool::{get_str, ApiError, ApiResult, Pool, RefreshRecord};
use crate::server::{faulted, Reply};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Default time a rotated-out refresh token keeps working (seconds; 0 = not at all).
pub const DEFAULT_REUSE_WINDOW: i64 = 10;

fn new_refresh_token() -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(crate::pool::random_bytes(32)),
        URL_SAFE_NO_PAD.encode(crate::pool::random_bytes(96))
    )
}

impl Pool {
    /// Token lifetime in seconds: `--token-ttl`, or the `/_emulator/config` override.
    pub fn ttl(&self) -> u64 {
        self.state().ttl_override.unwrap_or(self.token_ttl)
    }

    /// Allowed TIMESTAMP skew (seconds).
    pub fn timestamp_skew(&self) -> i64 {
        self.state().timestamp_skew.unwrap_or(crate::pool::TIMESTAMP_SKEW)
    }

    fn reuse_window(&self) -> i64 {
        self.state().reuse_window.unwrap_or(DEFAULT_REUSE_WINDOW)
    }

    /// The client's rotation grace period when it rotates refresh tokens (`None`: it does
    /// not); the `/_emulator/config` reuse window overrides it.
    pub(crate) fn rotation_grace(&self, client_id: &str) -> Option<i64> {
        let rotation =
            self.client_config(client_id)?.refresh_token_rotation.as_ref().filter(|r| r.feature == "ENABLED")?;
        Some(self.state().reuse_window.unwrap_or(rotation.retry_grace_period_seconds))
    }

    /// A refresh with `token`: (user, auth_time, origin_jti, the new refresh token when the
    /// client rotates them). With rotation the old token keeps working for the grace period,
    /// then RefreshTokenReuseException.
    pub(crate) fn refresh_grant(
        &self,
        token: &str,
        client_id: &str,
        now: i64,
    ) -> Result<(usize, i64, String, Option<String>), ApiError> {
        let Some(window) = self.rotation_grace(client_id) else {
            let (user, auth_time, origin) = self.use_refresh_token(token, client_id, now)?;
            return Ok((user, auth_time, origin, None));
        };
        let (user, auth_time, origin) = {
            let mut st = self.state();
            let revoked = st.refresh_tokens.get(token).map(|r| st.revoked_origins.contains(&r.origin_jti));
            let Some(r) = st.refresh_tokens.get_mut(token).filter(|r| r.client_id == client_id) else {
                return Err(ApiError::not_authorized("Invalid Refresh Token"));
            };
            if revoked == Some(true) {
                return Err(ApiError::not_authorized("Refresh Token has been revoked"));
            }
            match r.rotated_at {
                Some(t) if now - t >= window => {
                    return Err(ApiError::new("RefreshTokenReuseException", "Refresh token has already been used"))
                }
                Some(_) => {}
                None => r.rotated_at = Some(now),
            }
            (r.user, r.auth_time, r.origin_jti.clone())
        };
        let new_token = new_refresh_token();
        self.state().refresh_tokens.insert(
            new_token.clone(),
            RefreshRecord {
                user,
                client_id: client_id.to_string(),
                auth_time,
                origin_jti: origin.clone(),
                rotated_at: None,
            },
        );
        Ok((user, auth_time, origin, Some(new_token)))
    }

    /// Checks a refresh token for REFRESH_TOKEN_AUTH and the OAuth refresh grant:
    /// (user, auth_time, origin_jti).
    pub(crate) fn use_refresh_token(
        &self,
        token: &str,
        client_id: &str,
        now: i64,
    ) -> Result<(usize, i64, String), ApiError> {
        let window = self.reuse_window();
        let st = self.state();
        let r = st.refresh_tokens.get(token).filter(|r| r.client_id == client_id);
        let Some(r) = r else {
            return Err(ApiError::not_authorized("Invalid Refresh Token"));
        };
        if st.revoked_origins.contains(&r.origin_jti) {
            return Err(ApiError::not_authorized("Refresh Token has been revoked"));
        }
        if r.rotated_at.is_some_and(|t| now - t >= window) {
            return Err(ApiError::not_authorized("Invalid Refresh Token"));
        }
        Ok((r.user, r.auth_time, r.origin_jti.clone()))
    }

    /// The user an access token belongs to, if it is ours, unexpired and not revoked.
    pub(crate) fn check_access_token(&self, token: &str, now: i64) -> Result<usize, ApiError> {
        let found = {
            let st = self.state();
            st.access_tokens.get(token).map(|(u, o)| (*u, st.revoked_origins.contains(o)))
        };
        let (user, revoked) = found.ok_or_else(|| ApiError::not_authorized("Invalid Access Token"))?;
        if revoked {
            return Err(ApiError::not_authorized("Access Token has been revoked"));
        }
        let exp = token
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|c| c["exp"].as_i64())
            .unwrap_or(0);
        if exp <= now {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        Ok(user)
    }

    fn revoke_origin(&self, origin: &str) {
        let mut st = self.state();
        st.refresh_tokens.retain(|_, r| r.origin_jti != origin);
        st.revoked_origins.insert(origin.to_string());
    }
}

/// The operations of this module (called by `Pool::handle`).
pub fn handle(pool: &Pool, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
    match op {
        "GetTokensFromRefreshToken" => rotate(pool, req, now),
        "GlobalSignOut" => {
            let user = pool.check_access_token(get_str(req, "AccessToken")?, now)?;
            let mut st = pool.state();
            let mut origins: Vec<String> =
                st.refresh_tokens.values().filter(|r| r.user == user).map(|r| r.origin_jti.clone()).collect();
            origins.extend(st.access_tokens.values().filter(|(u, _)| *u == user).map(|(_, o)| o.clone()));
            st.refresh_tokens.retain(|_, r| r.user != user);
            st.revoked_origins.extend(origins);
            Ok(json!({}))
        }
        "RevokeToken" => {
            let client_id = pool.check_client_id(get_str(req, "ClientId")?)?;
            let token = get_str(req, "Token")?;
            let origin = {
                let st = pool.state();
                match st.refresh_tokens.get(token) {
                    Some(r) if r.client_id != client_id => {
                        return Err(ApiError::not_authorized("The token was issued to another client"))
                    }
                    Some(r) => Some(r.origin_jti.clone()),
                    None if st.access_tokens.contains_key(token) => {
                        return Err(ApiError::new(
                            "UnsupportedTokenTypeException",
                            "Only refresh tokens can be revoked",
                        ))
                    }
                    None => None,
                }
            };
            if let Some(o) = origin {
                pool.revoke_origin(&o);
            }
            Ok(json!({}))
        }
        "GetUser" => {
            let user = pool.check_access_token(get_str(req, "AccessToken")?, now)?;
            let users = pool.users();
            let u = &users[user];
            let mut attrs = vec![json!({"Name": "sub", "Value": u.sub})];
            attrs.extend(u.attributes.iter().map(|(k, v)| json!({"Name": k, "Value": v})));
            Ok(json!({"Username": u.username, "UserAttributes": attrs}))
        }
        _ => Err(ApiError::new("UnknownOperationException", format!("Unknown operation {op}"))),
    }
}

impl Pool {
    fn check_client_id<'a>(&self, client_id: &'a str) -> Result<&'a str, ApiError> {
        if self.clients.iter().any(|c| c == client_id) {
            Ok(client_id)
        } else {
            Err(ApiError::new("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")))
        }
    }
}

/// GetTokensFromRefreshToken: new ID and access tokens, and a new refresh token only when the
/// app client rotates them (`refreshTokenRotation`, see [`Pool::refresh_grant`]).
fn rotate(pool: &Pool, req: &Map<String, Value>, now: i64) -> ApiResult {
    let client_id = pool.check_client(req)?;
    let token = get_str(req, "RefreshToken")?;
    let (user, auth_time, origin, new_token) = pool.refresh_grant(token, client_id, now)?;
    let (access, id) = pool.issue_tokens(user, client_id, auth_time, now, &origin);
    let mut result = json!({
        "AccessToken": access,
        "ExpiresIn": pool.ttl(),
        "IdToken": id,
        "TokenType": "Bearer",
    });
    if let Some(t) = new_token {
        result["RefreshToken"] = json!(t);
    }
    Ok(json!({ "AuthenticationResult": result }))
}

/// Counts one request for `GET /_emulator/stats`: by operation, and for InitiateAuth also
/// by flow (`InitiateAuth:REFRESH_TOKEN_AUTH`).
pub fn count(pool: &Pool, op: &str, body: &[u8]) {
    let op = if op.is_empty() { "(unknown)" } else { op };
    let flow = if op == "InitiateAuth" {
        serde_json::from_slice::<Value>(body).ok().and_then(|v| v["AuthFlow"].as_str().map(|f| format!("{op}:{f}")))
    } else {
        None
    };
    let mut st = pool.state();
    *st.stats.entry(op.to_string()).or_insert(0) += 1;
    if let Some(f) = flow {
        *st.stats.entry(f).or_insert(0) += 1;
    }
}

pub fn stats(pool: &Pool) -> Value {
    json!(pool.state().stats)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    token_ttl_seconds: Option<u64>,
    refresh_reuse_window_seconds: Option<i64>,
    /// How far TIMESTAMP may be from the emulator's clock (default 300 s), for clock-skew tests.
    timestamp_skew_seconds: Option<i64>,
}

/// `POST /_emulator/config {tokenTtlSeconds?, refreshReuseWindowSeconds?, timestampSkewSeconds?}`
/// (undone by reset).
pub fn configure(pool: &Pool, body: &[u8]) -> Result<(), String> {
    let s: Settings = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if s.token_ttl_seconds.is_some_and(|t| t == 0 || t > 86_400) {
        return Err("tokenTtlSeconds must be 1..=86400".into());
    }
    if s.refresh_reuse_window_seconds.is_some_and(|w| !(0..=3600).contains(&w)) {
        return Err("refreshReuseWindowSeconds must be 0..=3600".into());
    }
    let mut st = pool.state();
    if let Some(t) = s.token_ttl_seconds {
        st.ttl_override = Some(t);
    }
    if let Some(w) = s.refresh_reuse_window_seconds {
        st.reuse_window = Some(w);
    }
    if let Some(k) = s.timestamp_skew_seconds.filter(|k| (0..=86_400).contains(k)) {
        st.timestamp_skew = Some(k);
    }
    Ok(())
}

/// `application/x-www-form-urlencoded` → pairs (`+` is a space, `%XX` a byte).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                        Ok(v) => {
                            out.push(v);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn oauth_error(status: u16, error: &str) -> Reply {
    let mut r = json_reply(status, &json!({ "error": error }));
    r.note = error.to_string();
    r
}

fn json_reply(status: u16, v: &Value) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into()), ("Cache-Control".into(), "no-store".into())],
        body: v.to_string().into_bytes(),
        note: String::new(),
        cut_after: None,
    }
}

/// `POST /oauth2/token` (grant_type=refresh_token) and `POST /oauth2/revoke`. Faults and
/// stats use the names `OAuth2Token` and `OAuth2Revoke`.
pub fn oauth(pool: &Pool, path: &str, body: &[u8]) -> Reply {
    let op = if path == "/oauth2/token" { "OAuth2Token" } else { "OAuth2Revoke" };
    count(pool, op, body);
    faulted(pool, op, || oauth_reply(pool, op, body))
}

fn oauth_reply(pool: &Pool, op: &'static str, body: &[u8]) -> Reply {
    let form = parse_form(body);
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let Some(client_id) = field("client_id").filter(|c| pool.clients.iter().any(|x| x == c)) else {
        return oauth_error(400, "invalid_client");
    };
    let now = crate::pool::now_unix();
    if op == "OAuth2Revoke" {
        let Some(token) = field("token") else { return oauth_error(400, "invalid_request") };
        let origin =
            pool.state().refresh_tokens.get(token).filter(|r| r.client_id == client_id).map(|r| r.origin_jti.clone());
        if let Some(o) = origin {
            pool.revoke_origin(&o);
        }
        let mut r = json_reply(200, &json!({}));
        r.body.clear();
        r.note = op.into();
        return r;
    }
    match field("grant_type") {
        Some("refresh_token") => {}
        Some(_) => return oauth_error(400, "unsupported_grant_type"),
        None => return oauth_error(400, "invalid_request"),
    }
    let Some(token) = field("refresh_token") else { return oauth_error(400, "invalid_request") };
    match pool.refresh_grant(token, client_id, now) {
        Ok((user, auth_time, origin, new_token)) => {
            let (access, id) = pool.issue_tokens(user, client_id, auth_time, now, &origin);
            let mut body =
                json!({"access_token": access, "id_token": id, "expires_in": pool.ttl(), "token_type": "Bearer"});
            if let Some(t) = new_token {
                body["refresh_token"] = json!(t);
            }
            let mut r = json_reply(200, &body);
            r.note = op.into();
            r
        }
        Err(_) => oauth_error(400, "invalid_grant"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::tests::{initiate, respond_request, test_pool, CLIENT, NOW};
    use crate::server::{route, Incoming};
    use crate::test_srp_client::{timestamp, SrpClient};

    /// (access, refresh) after a real SRP sign-in.
    fn sign_in(pool: &Pool) -> (String, String) {
        let c = SrpClient::new();
        let ch = initiate(pool, "demo", &c).unwrap();
        let r =
            pool.respond_to_auth_challenge(&respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW)), NOW).unwrap();
        let ar = &r["AuthenticationResult"];
        (ar["AccessToken"].as_str().unwrap().into(), ar["RefreshToken"].as_str().unwrap().into())
    }

    fn op(pool: &Pool, name: &str, body: Value, now: i64) -> ApiResult {
        pool.handle(name, body.to_string().as_bytes(), now)
    }

    fn code(r: ApiResult) -> String {
        r.unwrap_err().code
    }

    fn refresh_auth(pool: &Pool, rt: &str, now: i64) -> ApiResult {
        op(
            pool,
            "InitiateAuth",
            json!({"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}}),
            now,
        )
    }

    /// The test pool with refresh-token rotation enabled on its client (grace period 10 s).
    fn rotating_pool() -> Pool {
        let mut config = crate::pool::tests::test_config(true);
        config.clients[0].refresh_token_rotation =
            Some(crate::pool::RefreshTokenRotation { feature: "ENABLED".into(), retry_grace_period_seconds: 10 });
        Pool::new(config, "http://127.0.0.1:9229", crate::pool::tests::signer()).unwrap()
    }

    #[test]
    fn rotation_issues_new_tokens_and_rejects_reuse_after_the_window() {
        let pool = rotating_pool();
        let (_, rt1) = sign_in(&pool);
        let rot = |rt: &str, now| {
            op(&pool, "GetTokensFromRefreshToken", json!({"ClientId": CLIENT, "RefreshToken": rt}), now)
        };
        let r = rot(&rt1, NOW + 1).unwrap();
        let rt2 = r["AuthenticationResult"]["RefreshToken"].as_str().unwrap().to_string();
        assert_ne!(rt2, rt1);
        assert!(r["AuthenticationResult"]["AccessToken"].as_str().is_some());
        // Within the grace period the old token still works (a concurrent retry).
        assert!(rot(&rt1, NOW + 10).is_ok());
        // After it, reuse is refused; the new token works.
        assert_eq!(code(rot(&rt1, NOW + 11)), "RefreshTokenReuseException");
        assert!(rot(&rt2, NOW + 20).is_ok());
        // A rotating client refuses REFRESH_TOKEN_AUTH.
        let (_, rt3) = sign_in(&pool);
        assert_eq!(code(refresh_auth(&pool, &rt3, NOW)), "InvalidParameterException");
        // The grace period can be overridden.
        configure(&pool, br#"{"refreshReuseWindowSeconds":0}"#).unwrap();
        let (_, a) = sign_in(&pool);
        rot(&a, NOW).unwrap();
        assert_eq!(code(rot(&a, NOW)), "RefreshTokenReuseException");
        assert_eq!(code(rot("nope", NOW)), "NotAuthorizedException");
    }

    /// Without rotation GetTokensFromRefreshToken returns no refresh token and the one in use
    /// keeps working, as REFRESH_TOKEN_AUTH does.
    #[test]
    fn no_rotation_keeps_the_refresh_token() {
        let pool = test_pool(true);
        let (_, rt) = sign_in(&pool);
        for now in [NOW + 1, NOW + 100, NOW + 1000] {
            let r =
                op(&pool, "GetTokensFromRefreshToken", json!({"ClientId": CLIENT, "RefreshToken": rt}), now).unwrap();
            assert!(r["AuthenticationResult"]["AccessToken"].as_str().is_some());
            assert!(r["AuthenticationResult"].get("RefreshToken").is_none(), "{r}");
            assert!(refresh_auth(&pool, &rt, now).is_ok());
        }
        let mut config = crate::pool::tests::test_config(true);
        config.clients[0].refresh_token_rotation =
            Some(crate::pool::RefreshTokenRotation { feature: "ON".into(), retry_grace_period_seconds: 0 });
        assert!(Pool::new(config, "http://127.0.0.1:9229", crate::pool::tests::signer()).is_err());
    }

    /// The OAuth refresh grant rotates too on a rotating client.
    #[test]
    fn oauth_refresh_grant_rotates_on_a_rotating_client() {
        let pool = rotating_pool();
        let (_, rt) = sign_in(&pool);
        let grant = |t: &str| {
            let r = route(
                &pool,
                &incoming(
                    "POST",
                    "/oauth2/token",
                    &[],
                    &format!("grant_type=refresh_token&client_id={CLIENT}&refresh_token={t}"),
                ),
            );
            (r.status, serde_json::from_slice::<Value>(&r.body).unwrap())
        };
        let (status, v) = grant(&rt);
        assert_eq!(status, 200);
        let rt2 = v["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(rt2, rt);
        assert_eq!(grant(&rt2).0, 200);
    }

    #[test]
    fn global_sign_out_invalidates_refresh_and_access_tokens() {
        let pool = test_pool(true);
        let (at1, rt1) = sign_in(&pool);
        let (at2, rt2) = sign_in(&pool);
        let get_user = |at: &str| op(&pool, "GetUser", json!({"AccessToken": at}), NOW + 1);
        assert_eq!(get_user(&at1).unwrap()["Username"], "demo");
        op(&pool, "GlobalSignOut", json!({"AccessToken": at1}), NOW + 1).unwrap();
        for at in [&at1, &at2] {
            let e = get_user(at).unwrap_err();
            assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                ("NotAuthorizedException", "Access Token has been revoked")
            );
        }
        for rt in [&rt1, &rt2] {
            assert_eq!(code(refresh_auth(&pool, rt, NOW + 2)), "NotAuthorizedException");
        }
        assert_eq!(code(op(&pool, "GlobalSignOut", json!({"AccessToken": at1}), NOW + 1)), "NotAuthorizedException");
        assert_eq!(code(get_user("x.y.z")), "NotAuthorizedException");
        // Expired access tokens are refused.
        let (at3, _) = sign_in(&pool);
        assert_eq!(code(op(&pool, "GetUser", json!({"AccessToken": at3}), NOW + 3600)), "NotAuthorizedException");
    }

    #[test]
    fn revoke_token_ends_one_family_only() {
        let pool = test_pool(true);
        let (at1, rt1) = sign_in(&pool);
        let (at2, rt2) = sign_in(&pool);
        assert_eq!(
            code(op(&pool, "RevokeToken", json!({"ClientId": CLIENT, "Token": at1}), NOW)),
            "UnsupportedTokenTypeException"
        );
        op(&pool, "RevokeToken", json!({"ClientId": CLIENT, "Token": rt1}), NOW).unwrap();
        assert_eq!(code(refresh_auth(&pool, &rt1, NOW + 1)), "NotAuthorizedException");
        assert_eq!(code(op(&pool, "GetUser", json!({"AccessToken": at1}), NOW + 1)), "NotAuthorizedException");
        assert!(refresh_auth(&pool, &rt2, NOW + 1).is_ok());
        assert!(op(&pool, "GetUser", json!({"AccessToken": at2}), NOW + 1).is_ok());
        // Unknown tokens: success, as RFC 7009 and Cognito do.
        assert!(op(&pool, "RevokeToken", json!({"ClientId": CLIENT, "Token": "unknown"}), NOW).is_ok());
    }

    #[test]
    fn ttl_override_and_reset() {
        let pool = test_pool(true);
        assert_eq!(pool.ttl(), 3600);
        configure(&pool, br#"{"tokenTtlSeconds":5}"#).unwrap();
        assert_eq!(pool.ttl(), 5);
        let (at, _) = sign_in(&pool);
        assert_eq!(code(op(&pool, "GetUser", json!({"AccessToken": at}), NOW + 5)), "NotAuthorizedException");
        assert!(configure(&pool, br#"{"tokenTtlSeconds":0}"#).is_err());
        assert!(configure(&pool, br#"{"bogus":1}"#).is_err());
        pool.reset();
        assert_eq!(pool.ttl(), 3600);
    }

    fn incoming<'a>(method: &'a str, url: &'a str, headers: &[(&str, &str)], body: &str) -> Incoming<'a> {
        Incoming {
            method,
            url,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn oauth_refresh_grant_and_revoke() {
        let pool = test_pool(true);
        let (_, rt) = sign_in(&pool);
        let enc: String = rt.replace('-', "%2D");
        let body = format!("grant_type=refresh_token&client_id={CLIENT}&refresh_token={enc}");
        let r = route(&pool, &incoming("POST", "/oauth2/token", &[("Origin", "http://127.0.0.1:8080")], &body));
        assert_eq!(r.status, 200);
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["expires_in"], 3600);
        assert!(v["access_token"].as_str().is_some() && v["id_token"].as_str().is_some());
        assert!(v.get("refresh_token").is_none());
        assert!(r.headers.iter().any(|(k, v)| k == "Access-Control-Allow-Origin" && v == "http://127.0.0.1:8080"));
        let bad = |b: &str| {
            let r = route(&pool, &incoming("POST", "/oauth2/token", &[], b));
            (r.status, serde_json::from_slice::<Value>(&r.body).unwrap()["error"].as_str().unwrap().to_string())
        };
        assert_eq!(
            bad(&format!("grant_type=refresh_token&client_id={CLIENT}&refresh_token=nope")),
            (400, "invalid_grant".into())
        );
        assert_eq!(bad(&format!("grant_type=password&client_id={CLIENT}")), (400, "unsupported_grant_type".into()));
        assert_eq!(bad("grant_type=refresh_token&client_id=other&refresh_token=x"), (400, "invalid_client".into()));
        let r = route(&pool, &incoming("POST", "/oauth2/revoke", &[], &format!("token={enc}&client_id={CLIENT}")));
        assert_eq!((r.status, r.body.len()), (200, 0));
        assert_eq!(bad(&body), (400, "invalid_grant".into()));
        let stats = stats(&pool);
        assert_eq!(stats["OAuth2Token"], 5);
        assert_eq!(stats["OAuth2Revoke"], 1);
    }

    #[test]
    fn stats_faults_delay_and_drop() {
        let pool = test_pool(true);
        let rt = sign_in(&pool).1;
        let api = |target: &str, body: &str| {
            route(
                &pool,
                &incoming(
                    "POST",
                    "/",
                    &[("X-Amz-Target", &format!("AWSCognitoIdentityProviderService.{target}"))],
                    body,
                ),
            )
        };
        let refresh_body =
            json!({"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": rt}})
                .to_string();
        assert_eq!(api("InitiateAuth", &refresh_body).status, 200);
        let f = |j: &str| pool.add_fault(serde_json::from_str(j).unwrap()).unwrap();
        f(r#"{"target":"InitiateAuth","drop":true}"#);
        assert_eq!(api("InitiateAuth", &refresh_body).status, 0, "status 0 = drop the connection");
        f(r#"{"target":"InitiateAuth","delayMs":150}"#);
        let t = std::time::Instant::now();
        assert_eq!(api("InitiateAuth", &refresh_body).status, 200, "a delay-only fault delays the real reply");
        assert!(t.elapsed().as_millis() >= 150);
        f(
            r#"{"target":"InitiateAuth","status":400,"contentType":"application/x-amz-json-1.1","body":"{\"__type\":\"TooManyRequestsException\"}"}"#,
        );
        assert_eq!(api("InitiateAuth", &refresh_body).status, 400);
        let s = route(&pool, &incoming("GET", "/_emulator/stats", &[], ""));
        let s: Value = serde_json::from_slice(&s.body).unwrap();
        assert_eq!(s["InitiateAuth:REFRESH_TOKEN_AUTH"], 4);
        assert_eq!(s["InitiateAuth"], 4, "the sign-in above called the pool directly, not through routing");
        route(&pool, &incoming("POST", "/_emulator/reset", &[], ""));
        assert_eq!(stats(&pool), json!({}));
        let r = route(&pool, &incoming("POST", "/_emulator/config", &[], r#"{"tokenTtlSeconds":-1}"#));
        assert_eq!(r.status, 400);
        assert_eq!(
            parse_form(b"a=1+2%2B%zz&b&=c"),
            vec![("a".into(), "1 2+%zz".into()), ("b".into(), "".into()), ("".into(), "c".into())]
        );
    }
}
