//! Sessions: building one from Cognito's tokens, and the storage layout shared with
//! amazon-cognito-identity-js and Amplify, so apps can switch without signing anyone out:
//!
//! ```text
//! CognitoIdentityServiceProvider.{clientId}.LastAuthUser          = {username}
//! CognitoIdentityServiceProvider.{clientId}.{username}.idToken      = JWT
//! CognitoIdentityServiceProvider.{clientId}.{username}.accessToken  = JWT
//! CognitoIdentityServiceProvider.{clientId}.{username}.refreshToken = opaque
//! CognitoIdentityServiceProvider.{clientId}.{username}.clockDrift   = integer seconds
//! CognitoIdentityServiceProvider.{clientId}.{username}.tokenSource  = userPool | hostedUI
//!                                           (absent = userPool; see crate::refresh)
//! ```
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::jwt::{self, Jwt};
use crate::protocol::{AuthenticationResult, ClientConfig};
use crate::timestamp::decimal;

/// A signed-in user's tokens. `Debug` shows no token.
#[derive(Clone)]
pub struct Session {
    pub username: String,
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Local clock minus Cognito's, in seconds (now − `iat` when the tokens arrived).
    pub clock_drift: i64,
    /// The access token's `exp` (Cognito's clock, seconds).
    pub access_exp: i64,
    pub id_exp: i64,
    /// The decoded payloads, as JSON text.
    pub id_claims: String,
    pub access_claims: String,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("username", &self.username)
            .field("access_exp", &self.access_exp)
            .field("clock_drift", &self.clock_drift)
            .finish_non_exhaustive()
    }
}

fn check_token(token: &str, config: &ClientConfig, token_use: &str) -> Result<Jwt, Error> {
    let jwt =
        jwt::decode(token).ok_or_else(|| Error::invalid_response("a token from Cognito is not a well-formed JWT"))?;
    if jwt.str_claim("token_use") != Some(token_use) {
        return Err(Error::invalid_response("a token from Cognito has the wrong token_use"));
    }
    let iss_ok = jwt
        .str_claim("iss")
        .and_then(|iss| iss.strip_suffix(config.user_pool_id()))
        .is_some_and(|p| p.as_bytes().last() == Some(&b'/'));
    if !iss_ok {
        return Err(Error::invalid_response("a token from Cognito was issued by another user pool"));
    }
    let audience = if token_use == "id" { jwt.str_claim("aud") } else { jwt.str_claim("client_id") };
    if audience != Some(config.client_id()) {
        return Err(Error::invalid_response("a token from Cognito was issued to another app client"));
    }
    match (jwt.int_claim("exp"), jwt.int_claim("iat")) {
        (Some(exp), Some(iat)) if exp > iat => Ok(jwt),
        _ => Err(Error::invalid_response("a token from Cognito has no valid exp/iat")),
    }
}

impl Session {
    /// The session as the runner hands sessions to the app (`runner.mjs` `session()`), as
    /// JSON text: `{username, idToken, accessToken, refreshToken, expiresAt, clockDrift,
    /// idTokenClaims, accessTokenClaims}` (the claims as their JSON text, `{}` when they do
    /// not parse). Every operation result that carries a session writes it with this.
    pub fn to_result_json(&self) -> String {
        // The claims' own text when it is JSON (the runner parses it), else `{}`.
        let claims = |t: &str| String::from(if crate::json::parse(t).is_some() { t } else { "{}" });
        let num = |n: i64| {
            let mut t = String::new();
            if n < 0 {
                t.push('-');
            }
            t.push_str(&decimal(n.unsigned_abs()));
            t
        };
        let mut o = crate::json::Body::new();
        o.str("username", &self.username).str("idToken", &self.id_token).str("accessToken", &self.access_token);
        o.opt_str("refreshToken", self.refresh_token.as_deref());
        o.raw("expiresAt", &num(self.expires_at_ms())).raw("clockDrift", &num(self.clock_drift));
        o.raw("idTokenClaims", &claims(&self.id_claims)).raw("accessTokenClaims", &claims(&self.access_claims));
        o.end()
    }

    /// Builds a session from fresh tokens, checking that they are JWTs of the right kind for
    /// this pool and client. `refresh_token` replaces the result's when that has none (a
    /// refresh reply keeps the old refresh token). `now_ms` is the local clock.
    pub fn from_tokens(
        config: &ClientConfig,
        result: AuthenticationResult,
        previous_refresh: Option<String>,
        now_ms: i64,
    ) -> Result<Session, Error> {
        let id = check_token(&result.id_token, config, "id")?;
        let access = check_token(&result.access_token, config, "access")?;
        let username = access
            .str_claim("username")
            .or_else(|| id.str_claim("cognito:username"))
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::invalid_response("tokens carry no username"))?;
        let (id_iat, access_iat) = (id.int_claim("iat").unwrap_or(0), access.int_claim("iat").unwrap_or(0));
        let clock_drift = now_ms.div_euclid(1000) - id_iat.min(access_iat);
        let username = String::from(username);
        let refresh = result.refresh_token.or(previous_refresh);
        Ok(Session::build(username, id, access, result.id_token, result.access_token, refresh, clock_drift))
    }

    /// The session of two checked tokens (one constructor for fresh and stored tokens).
    fn build(
        username: String,
        id: Jwt,
        access: Jwt,
        id_token: String,
        access_token: String,
        refresh_token: Option<String>,
        clock_drift: i64,
    ) -> Session {
        Session {
            username,
            access_exp: access.int_claim("exp").unwrap_or(0),
            id_exp: id.int_claim("exp").unwrap_or(0),
            id_claims: id.claims_text,
            access_claims: access.claims_text,
            id_token,
            access_token,
            refresh_token,
            clock_drift,
        }
    }

    /// When the access token expires, in local milliseconds since the epoch.
    pub fn expires_at_ms(&self) -> i64 {
        crate::refresh::secs_to_ms(self.access_exp + self.clock_drift)
    }

    /// Key/value pairs to store, in the order they must be written. Other tabs see
    /// localStorage writes one key at a time, in order, and judge freshness by the access
    /// token; so the refresh token, drift and ID token go first, the access token after
    /// them, and `LastAuthUser` last. A tab that sees the new access token therefore also
    /// sees the refresh token issued with it (with rotation, the old one is dead), and a tab
    /// that sees `LastAuthUser` finds the tokens it points to.
    pub fn to_entries(&self, client_id: &str) -> Vec<(String, String)> {
        let mut v = Vec::with_capacity(5);
        if let Some(r) = &self.refresh_token {
            v.push((user_key(client_id, &self.username, "refreshToken"), r.clone()));
        }
        let drift = if self.clock_drift < 0 {
            let mut s = String::from("-");
            s.push_str(&decimal(self.clock_drift.unsigned_abs()));
            s
        } else {
            decimal(self.clock_drift as u64)
        };
        v.push((user_key(client_id, &self.username, "clockDrift"), drift));
        v.push((user_key(client_id, &self.username, "idToken"), self.id_token.clone()));
        v.push((user_key(client_id, &self.username, "accessToken"), self.access_token.clone()));
        v.push((last_user_key(client_id), self.username.clone()));
        v
    }

    /// Reads a stored session. `None` when nobody is signed in or the stored tokens are not
    /// usable JWTs for this pool and client.
    pub fn load(config: &ClientConfig, get: impl Fn(&str) -> Option<String>) -> Option<Session> {
        let cid = config.client_id();
        let username = get(&last_user_key(cid)).filter(|u| !u.is_empty())?;
        let id_token = get(&user_key(cid, &username, "idToken"))?;
        let access_token = get(&user_key(cid, &username, "accessToken"))?;
        let refresh_token = get(&user_key(cid, &username, "refreshToken"));
        let drift = get(&user_key(cid, &username, "clockDrift"));
        Session::from_stored(config, username, id_token, access_token, refresh_token, drift.as_deref())
    }

    /// A session from its stored values (what [`Session::load`] reads): `None` when the
    /// tokens are not usable JWTs for this pool and client.
    pub fn from_stored(
        config: &ClientConfig,
        username: String,
        id_token: String,
        access_token: String,
        refresh_token: Option<String>,
        drift: Option<&str>,
    ) -> Option<Session> {
        let drift = drift.and_then(parse_i64);
        let id = check_token(&id_token, config, "id").ok()?;
        let access = check_token(&access_token, config, "access").ok()?;
        Some(Session::build(username, id, access, id_token, access_token, refresh_token, drift.unwrap_or(0)))
    }
}

fn parse_i64(s: &str) -> Option<i64> {
    crate::json::int(s.trim_ascii())
}

pub fn key_prefix(client_id: &str) -> String {
    let mut k = String::from("CognitoIdentityServiceProvider.");
    k.push_str(client_id);
    k
}

pub fn last_user_key(client_id: &str) -> String {
    let mut k = key_prefix(client_id);
    k.push_str(".LastAuthUser");
    k
}

pub fn user_key(client_id: &str, username: &str, field: &str) -> String {
    let mut k = key_prefix(client_id);
    k.push('.');
    k.push_str(username);
    k.push('.');
    k.push_str(field);
    k
}

/// Every key a sign-out removes for `username` (device keys stay: a remembered device
/// outlives a session, as in amazon-cognito-identity-js).
pub fn session_keys(client_id: &str, username: &str) -> Vec<String> {
    let mut v: Vec<String> = ["idToken", "accessToken", "refreshToken", "clockDrift", "tokenSource"]
        .iter()
        .map(|f| user_key(client_id, username, f))
        .collect();
    v.push(last_user_key(client_id));
    v
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::encoding::base64url_encode;
    use std::collections::BTreeMap;

    pub const POOL: &str = "us-east-1_EmuPool01";
    pub const CLIENT: &str = "7f3kq2m9emulatorclient0001";

    pub fn token(claims: &str) -> String {
        format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"RS256","kid":"k"}"#),
            base64url_encode(claims.as_bytes()),
            base64url_encode(b"signature")
        )
    }

    pub fn tokens(iat: i64, username: &str) -> AuthenticationResult {
        let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}");
        AuthenticationResult {
            id_token: token(&format!(
                r#"{{"sub":"s-1","iss":"{iss}","aud":"{CLIENT}","token_use":"id","cognito:username":"{username}","email":"a@b.c","iat":{iat},"exp":{}}}"#,
                iat + 3600
            )),
            access_token: token(&format!(
                r#"{{"sub":"s-1","iss":"{iss}","client_id":"{CLIENT}","token_use":"access","username":"{username}","iat":{iat},"exp":{}}}"#,
                iat + 3600
            )),
            refresh_token: Some("refresh-opaque".into()),
            expires_in: Some(3600),
            new_device: None,
        }
    }

    fn config() -> ClientConfig {
        ClientConfig::new(POOL, CLIENT, None).unwrap()
    }

    /// The test pool's client, pointed at the emulator's default address (request tests).
    pub fn emulator_config() -> ClientConfig {
        ClientConfig::new(POOL, CLIENT, Some("http://127.0.0.1:9229/")).unwrap()
    }

    /// A 200 reply with `body`.
    pub fn ok(body: &str) -> crate::protocol::HttpResponse {
        crate::protocol::HttpResponse { status: 200, body: body.into(), error_type: None, date_s: 0 }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn session_from_tokens_and_storage_round_trip() {
        let s = Session::from_tokens(&config(), tokens(1_700_000_000, "alice"), None, 1_700_000_042_500).unwrap();
        assert_eq!(s.username, "alice");
        assert_eq!(s.clock_drift, 42);
        assert_eq!(s.access_exp, 1_700_003_600);
        assert_eq!(s.expires_at_ms(), 1_700_003_642_000);
        let entries = s.to_entries(CLIENT);
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.refreshToken",
                "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.clockDrift",
                "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.idToken",
                "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.accessToken",
                "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.LastAuthUser",
            ]
        );
        assert_eq!(entries[1].1, "42");
        let store: BTreeMap<String, String> = entries.into_iter().collect();
        let loaded = Session::load(&config(), |k| store.get(k).cloned()).unwrap();
        assert_eq!(loaded.username, "alice");
        assert_eq!(loaded.clock_drift, 42);
        assert_eq!(loaded.refresh_token.as_deref(), Some("refresh-opaque"));
        assert_eq!(loaded.id_token, s.id_token);
        assert!(!format!("{loaded:?}").contains(&s.id_token[..20]));
        let mut keys = session_keys(CLIENT, "alice");
        keys.sort();
        let mut stored: Vec<String> = store.keys().cloned().collect();
        stored.push(user_key(CLIENT, "alice", "tokenSource"));
        stored.sort();
        assert_eq!(keys, stored, "sign-out removes the tokens and the token source");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn negative_drift_is_stored_and_read() {
        let s = Session::from_tokens(&config(), tokens(1_700_000_100, "bob"), None, 1_700_000_000_000).unwrap();
        assert_eq!(s.clock_drift, -100);
        let store: BTreeMap<String, String> = s.to_entries(CLIENT).into_iter().collect();
        assert_eq!(store[&user_key(CLIENT, "bob", "clockDrift")], "-100");
        assert_eq!(Session::load(&config(), |k| store.get(k).cloned()).unwrap().clock_drift, -100);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn tokens_for_someone_else_are_refused() {
        let cfg = config();
        let other_client = ClientConfig::new(POOL, "otherclient", None).unwrap();
        assert!(Session::from_tokens(&other_client, tokens(1, "a"), None, 0).is_err());
        let other_pool = ClientConfig::new("us-east-1_Other", CLIENT, None).unwrap();
        assert!(Session::from_tokens(&other_pool, tokens(1, "a"), None, 0).is_err());
        let mut swapped = tokens(1, "a");
        core::mem::swap(&mut swapped.id_token, &mut swapped.access_token);
        assert!(Session::from_tokens(&cfg, swapped, None, 0).is_err());
        let mut garbage = tokens(1, "a");
        garbage.id_token = "x.y.z".into();
        let e = Session::from_tokens(&cfg, garbage, None, 0).unwrap_err();
        assert_eq!(e.code, crate::error::Code::InvalidResponse);
        // A pool id that only ends like ours is not ours.
        let mut t = tokens(1, "a");
        t.id_token =
            token(&format!(r#"{{"iss":"https://x/evil{POOL}","aud":"{CLIENT}","token_use":"id","iat":1,"exp":2}}"#));
        assert!(Session::from_tokens(&cfg, t, None, 0).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn load_tolerates_missing_or_corrupt_entries() {
        let cfg = config();
        assert!(Session::load(&cfg, |_| None).is_none());
        let s = Session::from_tokens(&cfg, tokens(1_700_000_000, "alice"), None, 1_700_000_000_000).unwrap();
        let mut store: BTreeMap<String, String> = s.to_entries(CLIENT).into_iter().collect();
        store.insert(user_key(CLIENT, "alice", "clockDrift"), "garbage".into());
        assert_eq!(Session::load(&cfg, |k| store.get(k).cloned()).unwrap().clock_drift, 0);
        store.insert(user_key(CLIENT, "alice", "accessToken"), "not-a-jwt".into());
        assert!(Session::load(&cfg, |k| store.get(k).cloned()).is_none());
    }
}
