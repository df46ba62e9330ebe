//! Session refresh policy, as pure functions: when to refresh, how to ask, what a reply
//! means, and which failures end a session.
//!
//! ```text
//! decide(session, now, leeway)  ──► Use | Refresh { usable } | Expired
//! user_pool_request(..)         ──► InitiateAuth REFRESH_TOKEN_AUTH (DEVICE_KEY, SECRET_HASH)
//!                                   or GetTokensFromRefreshToken (rotation)
//! oauth_request(..)             ──► POST {domain}/oauth2/token grant_type=refresh_token
//! parse_*(reply, now)           ──► a new Session (drift re-measured from the fresh `iat`)
//! ends_session(error)           ──► true only when the server rejected the refresh token
//! ```
//!
//! Nothing here reads a clock or draws randomness: `now_ms` and `random` are arguments.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Code, Error};
use crate::flow::ClientSecret;
use crate::json::{self, Json};
use crate::protocol::{self, AuthReply, AuthenticationResult, ClientConfig, HttpRequest, HttpResponse};
use crate::session::{user_key, Session};

/// How a session was obtained; decides how it is refreshed and revoked. Stored as
/// `CognitoIdentityServiceProvider.{clientId}.{username}.tokenSource`; absent = user pool
/// (sessions written by amazon-cognito-identity-js and Amplify's password flows).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenSource {
    UserPool,
    HostedUi,
}

impl TokenSource {
    pub fn parse(stored: Option<&str>) -> TokenSource {
        match stored {
            Some("hostedUI") => TokenSource::HostedUi,
            _ => TokenSource::UserPool,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::UserPool => "userPool",
            TokenSource::HostedUi => "hostedUI",
        }
    }
    pub fn key(client_id: &str, username: &str) -> String {
        user_key(client_id, username, "tokenSource")
    }
}

/// What `currentSession()` should do with a stored session.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Both tokens stay valid for at least the leeway.
    Use,
    /// Refresh first. `usable`: the tokens have not expired yet (only the leeway is
    /// eaten into), so they may still be handed out if the refresh fails on a fault.
    Refresh { usable: bool },
    /// Expired and no refresh token: the session is over.
    Expired,
}

/// When the first of the two tokens expires, in local milliseconds (drift-corrected:
/// Cognito's `exp` plus local − Cognito clock).
pub fn expiry_ms(s: &Session) -> i64 {
    secs_to_ms(s.access_exp.min(s.id_exp).saturating_add(s.clock_drift))
}

/// Seconds → milliseconds, saturating (as `saturating_mul(1000)`, with the bounds compared
/// first: wasm32 turns an overflow-checked i64 multiply into a 128-bit one).
pub(crate) fn secs_to_ms(s: i64) -> i64 {
    const MAX_S: i64 = i64::MAX / 1000;
    if s > MAX_S {
        i64::MAX
    } else if s < -MAX_S {
        i64::MIN
    } else {
        s * 1000
    }
}

pub fn decide(s: &Session, now_ms: i64, leeway_s: i64) -> Decision {
    let exp = expiry_ms(s);
    if now_ms < exp.saturating_sub(secs_to_ms(leeway_s)) {
        return Decision::Use;
    }
    let usable = now_ms < exp;
    match &s.refresh_token {
        Some(r) if !r.is_empty() => Decision::Refresh { usable },
        _ if usable => Decision::Use,
        _ => Decision::Expired,
    }
}

/// When a background refresh should run: `leeway` before expiry, never in the past.
pub fn refresh_at_ms(s: &Session, now_ms: i64, leeway_s: i64) -> i64 {
    expiry_ms(s).saturating_sub(secs_to_ms(leeway_s)).max(now_ms)
}

/// Exponential backoff with full jitter: a delay in `[0, min(cap, base·2^attempt))`
/// chosen by `random` (any 32 random bits).
pub fn backoff_ms(attempt: u32, random: u32) -> u32 {
    const BASE: u32 = 200;
    const CAP: u32 = 5_000;
    let ceiling = BASE.checked_shl(attempt.min(16)).unwrap_or(CAP).min(CAP);
    random % ceiling.max(1)
}

/// Failures that end the session: the server rejected the refresh token. Everything else
/// (network, 5xx, throttling, unreadable replies, storage) keeps it.
pub fn ends_session(e: &Error) -> bool {
    matches!(&e.code, Code::Service(c) if matches!(c.as_str(),
        "NotAuthorizedException" | "RefreshTokenReuseException" | "invalid_grant"))
}

/// Options that shape a user-pool refresh request.
pub struct RefreshOptions<'a> {
    /// The remembered device (`…{username}.deviceKey`), sent as DEVICE_KEY.
    pub device_key: Option<&'a str>,
    pub secret: Option<&'a ClientSecret>,
    /// Use GetTokensFromRefreshToken (refresh-token rotation) instead of REFRESH_TOKEN_AUTH.
    pub rotation: bool,
}

fn no_refresh_token() -> Error {
    Error::invalid_input("the session has no refresh token")
}

/// Builds the user-pool refresh call for `s`.
pub fn user_pool_request(config: &ClientConfig, s: &Session, opts: &RefreshOptions<'_>) -> Result<HttpRequest, Error> {
    let token = s.refresh_token.as_deref().filter(|t| !t.is_empty()).ok_or_else(no_refresh_token)?;
    let str_member = |k: &str, v: &str| (String::from(k), Json::Str(String::from(v)));
    if opts.rotation {
        let mut m = Vec::with_capacity(4);
        m.push(str_member("ClientId", config.client_id()));
        m.push(str_member("RefreshToken", token));
        if let Some(sec) = opts.secret {
            m.push(str_member("ClientSecret", sec.expose()));
        }
        if let Some(d) = opts.device_key {
            m.push(str_member("DeviceKey", d));
        }
        return Ok(protocol::request(config, "GetTokensFromRefreshToken", &Json::Obj(m)));
    }
    let mut params = Vec::with_capacity(3);
    params.push(str_member("REFRESH_TOKEN", token));
    if let Some(d) = opts.device_key {
        params.push(str_member("DEVICE_KEY", d));
    }
    if let Some(sec) = opts.secret {
        params.push(str_member("SECRET_HASH", &crate::srp::secret_hash(sec.expose(), &s.username, config.client_id())));
    }
    let body = Json::Obj(alloc::vec![
        str_member("AuthFlow", "REFRESH_TOKEN_AUTH"),
        str_member("ClientId", config.client_id()),
        (String::from("AuthParameters"), Json::Obj(params)),
    ]);
    Ok(protocol::request(config, "InitiateAuth", &body))
}

/// Parses the reply of REFRESH_TOKEN_AUTH or GetTokensFromRefreshToken. A reply without a
/// refresh token keeps the old one; with rotation the new one replaces it (and both are
/// stored in the same write as the new access token).
pub fn parse_user_pool_reply(
    config: &ClientConfig,
    old: &Session,
    resp: &HttpResponse,
    now_ms: i64,
) -> Result<Session, Error> {
    parse_user_pool_reply_body(config, old, resp, now_ms).map_err(|e| e.for_reply(resp.status))
}

fn parse_user_pool_reply_body(
    config: &ClientConfig,
    old: &Session,
    resp: &HttpResponse,
    now_ms: i64,
) -> Result<Session, Error> {
    let body = protocol::parse_success(resp)?;
    match protocol::parse_auth_reply(&body)? {
        AuthReply::Authenticated(r) => finish(config, old, r, now_ms),
        AuthReply::Challenge(_) => Err(Error::invalid_response("Cognito answered a refresh with a challenge")),
    }
}

fn finish(config: &ClientConfig, old: &Session, r: AuthenticationResult, now_ms: i64) -> Result<Session, Error> {
    let s = Session::from_tokens(config, r, old.refresh_token.clone(), now_ms)?;
    if s.username != old.username {
        return Err(Error::invalid_response("the refreshed tokens belong to another user"));
    }
    Ok(s)
}

/// A form-encoded POST to the user-pool domain (`/oauth2/token`, `/oauth2/revoke`).
#[derive(Clone, PartialEq, Eq)]
pub struct FormRequest {
    pub url: String,
    pub body: String,
    /// `Authorization: Basic base64(clientId:secret)` for clients with a secret.
    pub authorization: Option<String>,
}

impl core::fmt::Debug for FormRequest {
    // The body and header carry tokens and secrets: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FormRequest").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Parses the `domain` setting: `https://{prefix}.auth.{region}.amazoncognito.com`, a
/// custom domain, or `http://127.0.0.1:PORT` / `http://localhost:PORT` for an emulator.
/// Returns the origin without a trailing slash.
pub fn parse_domain(d: &str) -> Result<String, Error> {
    let bad = || {
        Error::invalid_input("domain must be an https:// origin such as https://x.auth.us-east-1.amazoncognito.com (http:// only for localhost)")
    };
    let t = crate::encoding::trim_end_byte(d, b'/');
    let rest =
        t.strip_prefix("https://").or_else(|| t.strip_prefix("http://").filter(|_| protocol::is_loopback_url(t)));
    match rest {
        Some(host)
            if !host.is_empty()
                // A host: printable ASCII, no path, query, fragment, user info or backslash.
                && crate::encoding::all_bytes(host, |c| {
                    c > b' ' && c < 0x7f && !matches!(c, b'/' | b'?' | b'#' | b'@' | b'\\')
                }) =>
        {
            Ok(String::from(t))
        }
        _ => Err(bad()),
    }
}

fn form_request(
    domain: &str,
    path: &str,
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    pairs: &[(&str, &str)],
) -> FormRequest {
    let mut url = String::from(domain);
    url.push_str(path);
    let authorization = secret.map(|s| {
        let mut cred = String::from(config.client_id());
        cred.push(':');
        cred.push_str(s.expose());
        let mut h = String::from("Basic ");
        h.push_str(&crate::encoding::base64_encode(cred.as_bytes()));
        h
    });
    FormRequest { url, body: crate::oauth::form_encode(pairs), authorization }
}

/// `POST {domain}/oauth2/token` `grant_type=refresh_token&client_id&refresh_token`.
pub fn oauth_request(
    domain: &str,
    config: &ClientConfig,
    s: &Session,
    secret: Option<&ClientSecret>,
) -> Result<FormRequest, Error> {
    let token = s.refresh_token.as_deref().filter(|t| !t.is_empty()).ok_or_else(no_refresh_token)?;
    Ok(form_request(
        domain,
        "/oauth2/token",
        config,
        secret,
        &[("grant_type", "refresh_token"), ("client_id", config.client_id()), ("refresh_token", token)],
    ))
}

/// `POST {domain}/oauth2/revoke` `token&client_id` (refresh tokens only).
pub fn oauth_revoke_request(
    domain: &str,
    config: &ClientConfig,
    refresh_token: &str,
    secret: Option<&ClientSecret>,
) -> FormRequest {
    form_request(
        domain,
        "/oauth2/revoke",
        config,
        secret,
        &[("token", refresh_token), ("client_id", config.client_id())],
    )
}

/// Parses the `/oauth2/token` reply `{access_token, id_token, refresh_token?, expires_in}`.
pub fn parse_oauth_reply(
    config: &ClientConfig,
    old: &Session,
    resp: &HttpResponse,
    now_ms: i64,
) -> Result<Session, Error> {
    parse_oauth_reply_body(config, old, resp, now_ms).map_err(|e| e.for_reply(resp.status))
}

/// The hosted UI's token endpoint answers a refresh as it answers a code exchange
/// (`oauth::parse_token_reply`, one reader for both).
fn parse_oauth_reply_body(
    config: &ClientConfig,
    old: &Session,
    resp: &HttpResponse,
    now_ms: i64,
) -> Result<Session, Error> {
    crate::oauth::parse_token_reply_body(resp).and_then(|r| finish(config, old, r, now_ms))
}

/// RevokeToken `{Token, ClientId[, ClientSecret]}` (user-pool sessions).
pub fn revoke_request(config: &ClientConfig, refresh_token: &str, secret: Option<&ClientSecret>) -> HttpRequest {
    let mut pairs = alloc::vec![("Token", refresh_token), ("ClientId", config.client_id())];
    if let Some(s) = secret {
        pairs.push(("ClientSecret", s.expose()));
    }
    protocol::request(config, "RevokeToken", &json::str_object(&pairs))
}

/// GlobalSignOut `{AccessToken}`: ends every session of the user on every device.
pub fn global_sign_out_request(config: &ClientConfig, access_token: &str) -> HttpRequest {
    protocol::request(config, "GlobalSignOut", &json::str_object(&[("AccessToken", access_token)]))
}

/// Checks a reply that carries no data (RevokeToken, GlobalSignOut, `/oauth2/revoke`).
pub fn parse_empty_reply(resp: &HttpResponse, oauth: bool) -> Result<(), Error> {
    if (200..300).contains(&resp.status) {
        Ok(())
    } else if cfg!(feature = "hosted-ui") && oauth {
        // Only the hosted-UI module sends `/oauth2/revoke` (the other builds leave its reader out).
        Err(crate::oauth::parse_oauth_error(resp))
    } else {
        Err(protocol::parse_error(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::{token, tokens, CLIENT, POOL};

    fn config() -> ClientConfig {
        ClientConfig::new(POOL, CLIENT, None).unwrap()
    }

    #[test]
    fn seconds_to_ms_saturates_as_saturating_mul() {
        let max = i64::MAX / 1000;
        for s in [0, 1, -1, 3600, 1_700_000_000, max, max + 1, -max, -max - 1, i64::MAX, i64::MIN] {
            assert_eq!(secs_to_ms(s), s.saturating_mul(1000), "{s}");
        }
    }

    /// Tokens issued at 1_700_000_000 (Cognito's clock) for one hour; local clock `drift` s ahead.
    fn session(drift: i64, refresh: Option<&str>) -> Session {
        let mut s =
            Session::from_tokens(&config(), tokens(1_700_000_000, "alice"), None, (1_700_000_000 + drift) * 1000)
                .unwrap();
        s.refresh_token = refresh.map(String::from);
        s
    }

    const EXP_MS: i64 = 1_700_003_600_000;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, body: body.into(), error_type: None, date_s: 0 }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decisions_follow_the_leeway() {
        let s = session(0, Some("r"));
        assert_eq!(s.clock_drift, 0);
        assert_eq!(expiry_ms(&s), EXP_MS);
        assert_eq!(decide(&s, EXP_MS - 60_001, 60), Decision::Use);
        assert_eq!(decide(&s, EXP_MS - 60_000, 60), Decision::Refresh { usable: true });
        assert_eq!(decide(&s, EXP_MS - 1, 60), Decision::Refresh { usable: true });
        assert_eq!(decide(&s, EXP_MS, 60), Decision::Refresh { usable: false });
        assert_eq!(decide(&s, EXP_MS - 300_000, 300), Decision::Refresh { usable: true });
        assert_eq!(decide(&s, EXP_MS - 300_001, 300), Decision::Use);
        // Without a refresh token: usable tokens are used, expired ones end the session.
        let bare = session(0, None);
        assert_eq!(decide(&bare, EXP_MS - 1, 60), Decision::Use);
        assert_eq!(decide(&bare, EXP_MS, 60), Decision::Expired);
        assert_eq!(decide(&session(0, Some("")), EXP_MS, 60), Decision::Expired);
        assert_eq!(refresh_at_ms(&s, 0, 60), EXP_MS - 60_000);
        assert_eq!(refresh_at_ms(&s, EXP_MS, 60), EXP_MS);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn clock_drift_moves_the_decisions() {
        // The local clock is an hour ahead: tokens that look expired by local time are fresh.
        let ahead = session(3600, Some("r"));
        assert_eq!(ahead.clock_drift, 3600);
        assert_eq!(expiry_ms(&ahead), EXP_MS + 3_600_000);
        assert_eq!(decide(&ahead, EXP_MS + 1_000, 60), Decision::Use);
        assert_eq!(decide(&ahead, EXP_MS + 3_540_000, 60), Decision::Refresh { usable: true });
        // An hour behind: tokens expire an hour earlier by the local clock.
        let behind = session(-3600, Some("r"));
        assert_eq!(expiry_ms(&behind), EXP_MS - 3_600_000);
        assert_eq!(decide(&behind, EXP_MS - 3_660_001, 60), Decision::Use);
        assert_eq!(decide(&behind, EXP_MS - 3_600_000, 60), Decision::Refresh { usable: false });
        // The earlier of the two tokens counts.
        let mut s = session(0, Some("r"));
        s.id_exp -= 100;
        assert_eq!(expiry_ms(&s), EXP_MS - 100_000);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn backoff_is_capped_full_jitter() {
        assert_eq!(backoff_ms(0, 0), 0);
        assert_eq!(backoff_ms(0, 199), 199);
        assert_eq!(backoff_ms(0, 200), 0);
        assert_eq!(backoff_ms(1, 399), 399);
        assert_eq!(backoff_ms(3, u32::MAX), u32::MAX % 1600);
        assert_eq!(backoff_ms(10, u32::MAX), u32::MAX % 5000);
        assert_eq!(backoff_ms(99, 4_999), 4_999);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_a_rejected_refresh_token_ends_the_session() {
        let svc = |c: &str, st| Error::new(Code::Service(c.into()), "m").with_status(st);
        assert!(ends_session(&svc("NotAuthorizedException", 400)));
        assert!(ends_session(&svc("RefreshTokenReuseException", 400)));
        assert!(ends_session(&svc("invalid_grant", 400)));
        for keep in [
            svc("TooManyRequestsException", 400),
            svc("LimitExceededException", 400),
            svc("InternalErrorException", 500),
            svc("ResourceNotFoundException", 400),
            Error::new(Code::Network, "offline"),
            Error::invalid_response("html").with_status(500),
            Error::invalid_response("html").with_status(400),
            Error::new(Code::StorageUnavailable, "quota"),
        ] {
            assert!(!ends_session(&keep), "{keep:?}");
        }
        // Through the parsers, as the replies arrive.
        let old = session(0, Some("r"));
        let e = parse_user_pool_reply(
            &config(),
            &old,
            &resp(400, r#"{"__type":"NotAuthorizedException","message":"Refresh Token has been revoked"}"#),
            0,
        )
        .unwrap_err();
        assert!(ends_session(&e));
        let e = parse_user_pool_reply(&config(), &old, &resp(503, "<html>Service Unavailable</html>"), 0).unwrap_err();
        assert!(!ends_session(&e) && e.retryable());
        let e = parse_oauth_reply(&config(), &old, &resp(400, r#"{"error":"invalid_grant"}"#), 0).unwrap_err();
        assert_eq!((e.code.as_str(), e.status), ("invalid_grant", Some(400)));
        assert!(ends_session(&e));
        let e = parse_oauth_reply(&config(), &old, &resp(500, "oops"), 0).unwrap_err();
        assert!(!ends_session(&e) && e.retryable());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn refresh_token_auth_request() {
        let s = session(0, Some("rt-1"));
        let r = user_pool_request(&config(), &s, &RefreshOptions { device_key: None, secret: None, rotation: false })
            .unwrap();
        assert_eq!(r.operation, "InitiateAuth");
        assert_eq!(r.url, "https://cognito-idp.us-east-1.amazonaws.com/");
        assert_eq!(
            r.body,
            r#"{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"7f3kq2m9emulatorclient0001","AuthParameters":{"REFRESH_TOKEN":"rt-1"}}"#
        );
        let secret = ClientSecret::new("s3cr3t");
        let r = user_pool_request(
            &config(),
            &s,
            &RefreshOptions { device_key: Some("us-east-1_dev"), secret: Some(&secret), rotation: false },
        )
        .unwrap();
        // SECRET_HASH = base64(HMAC-SHA256("s3cr3t", "alice" ‖ clientId)), computed independently
        // with Python's hmac module.
        assert_eq!(
            r.body,
            r#"{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"7f3kq2m9emulatorclient0001","AuthParameters":{"REFRESH_TOKEN":"rt-1","DEVICE_KEY":"us-east-1_dev","SECRET_HASH":"mrSKRL350uT6FgDQFG5zyuqX8emlYyYSvw85Km7pcf4="}}"#
        );
        assert!(user_pool_request(
            &config(),
            &session(0, None),
            &RefreshOptions { device_key: None, secret: None, rotation: false }
        )
        .is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rotation_request_and_reply() {
        let s = session(0, Some("rt-1"));
        let secret = ClientSecret::new("s3cr3t");
        let r = user_pool_request(
            &config(),
            &s,
            &RefreshOptions { device_key: Some("dk"), secret: Some(&secret), rotation: true },
        )
        .unwrap();
        assert_eq!(r.operation, "GetTokensFromRefreshToken");
        assert_eq!(
            r.body,
            r#"{"ClientId":"7f3kq2m9emulatorclient0001","RefreshToken":"rt-1","ClientSecret":"s3cr3t","DeviceKey":"dk"}"#
        );
        // The reply's new refresh token replaces the old one; drift is measured again.
        let fresh = tokens(1_700_003_000, "alice");
        let body = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","RefreshToken":"rt-2","ExpiresIn":3600,"TokenType":"Bearer"}}}}"#,
            fresh.access_token, fresh.id_token
        );
        let n = parse_user_pool_reply(&config(), &s, &resp(200, &body), 1_700_003_010_000).unwrap();
        assert_eq!(n.refresh_token.as_deref(), Some("rt-2"));
        assert_eq!(n.clock_drift, 10);
        assert_eq!(n.access_exp, 1_700_006_600);
        // Without rotation the old refresh token stays.
        let body = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}"}}}}"#,
            fresh.access_token, fresh.id_token
        );
        let n = parse_user_pool_reply(&config(), &s, &resp(200, &body), 1_700_003_000_000).unwrap();
        assert_eq!(n.refresh_token.as_deref(), Some("rt-1"));
        assert_eq!(n.clock_drift, 0);
        // Tokens for another user are refused.
        let bob = tokens(1_700_003_000, "bob");
        let body = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}"}}}}"#,
            bob.access_token, bob.id_token
        );
        assert_eq!(parse_user_pool_reply(&config(), &s, &resp(200, &body), 0).unwrap_err().code, Code::InvalidResponse);
        let e = parse_user_pool_reply(&config(), &s, &resp(200, r#"{"ChallengeName":"X"}"#), 0).unwrap_err();
        assert_eq!(e.code, Code::InvalidResponse);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn oauth_refresh_grant() {
        let s = session(0, Some("rt/1+="));
        let d = parse_domain("https://myprefix.auth.us-east-1.amazoncognito.com/").unwrap();
        assert_eq!(d, "https://myprefix.auth.us-east-1.amazoncognito.com");
        let r = oauth_request(&d, &config(), &s, None).unwrap();
        assert_eq!(r.url, "https://myprefix.auth.us-east-1.amazoncognito.com/oauth2/token");
        assert_eq!(r.body, "grant_type=refresh_token&client_id=7f3kq2m9emulatorclient0001&refresh_token=rt%2F1%2B%3D");
        assert_eq!(r.authorization, None);
        assert!(!format!("{r:?}").contains("rt%2F1"));
        let secret = ClientSecret::new("s3cr3t");
        let r = oauth_request("http://127.0.0.1:9229", &config(), &s, Some(&secret)).unwrap();
        // base64("7f3kq2m9emulatorclient0001:s3cr3t")
        assert_eq!(r.authorization.as_deref(), Some("Basic N2Yza3EybTllbXVsYXRvcmNsaWVudDAwMDE6czNjcjN0"));
        let fresh = tokens(1_700_003_000, "alice");
        let body = format!(
            r#"{{"access_token":"{}","id_token":"{}","expires_in":3600,"token_type":"Bearer"}}"#,
            fresh.access_token, fresh.id_token
        );
        let n = parse_oauth_reply(&config(), &s, &resp(200, &body), 1_700_003_000_000).unwrap();
        assert_eq!(n.refresh_token.as_deref(), Some("rt/1+="));
        assert_eq!(n.access_token, fresh.access_token);
        // A rotating app client's reply carries a new refresh token: it replaces the old one.
        let body = format!(
            r#"{{"access_token":"{}","id_token":"{}","refresh_token":"rt-2","expires_in":3600,"token_type":"Bearer"}}"#,
            fresh.access_token, fresh.id_token
        );
        let n = parse_oauth_reply(&config(), &s, &resp(200, &body), 1_700_003_000_000).unwrap();
        assert_eq!(n.refresh_token.as_deref(), Some("rt-2"));
        assert!(parse_oauth_reply(&config(), &s, &resp(200, r#"{"access_token":"a"}"#), 0).is_err());
        let rv = oauth_revoke_request(&d, &config(), "rt", None);
        assert_eq!(rv.url, "https://myprefix.auth.us-east-1.amazoncognito.com/oauth2/revoke");
        assert_eq!(rv.body, "token=rt&client_id=7f3kq2m9emulatorclient0001");
        assert!(parse_empty_reply(&resp(200, ""), true).is_ok());
        assert_eq!(
            parse_empty_reply(&resp(400, r#"{"error":"unsupported_token_type"}"#), true).unwrap_err().code.as_str(),
            "unsupported_token_type"
        );
        // Read as the code exchange's errors are (`oauth::parse_oauth_error`, one reader): the
        // description is the message, and a reply without an OAuth code is `InvalidResponse`
        // with its status (retried on 5xx).
        let e =
            parse_empty_reply(&resp(400, r#"{"error":"invalid_client","error_description":"no such client"}"#), true)
                .unwrap_err();
        assert_eq!((e.code.as_str(), e.message.as_str(), e.status), ("invalid_client", "no such client", Some(400)));
        let e = parse_empty_reply(&resp(503, "<html>busy</html>"), true).unwrap_err();
        assert_eq!((e.retryable(), e.status, e.code), (true, Some(503), Code::InvalidResponse));
        // The refresh grant's body percent-encodes as the code exchange's does (`%20`, `~` kept).
        let r = oauth_request(&d, &config(), &session(0, Some("a b~*")), None).unwrap();
        assert!(r.body.ends_with("&refresh_token=a%20b~%2A"), "{}", r.body);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn domains() {
        assert_eq!(parse_domain("http://127.0.0.1:9229").unwrap(), "http://127.0.0.1:9229");
        assert_eq!(parse_domain("https://auth.example.com").unwrap(), "https://auth.example.com");
        for bad in [
            "",
            "https://",
            "http://evil.example",
            "ftp://x",
            "https://a.com/path",
            "https://a b",
            "https://u@a.com",
            "myprefix.auth.us-east-1.amazoncognito.com",
            "https://a.com?x",
            "https://a.com#x",
            "https://a\\b.com",
            "https://a.com\u{a0}",
            "https://a\u{3000}.com",
            "https://exämple.com",
            "https://a.com\t",
        ] {
            assert_eq!(parse_domain(bad).unwrap_err().code, Code::InvalidInput, "{bad}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn revoke_and_global_sign_out_requests() {
        let r = revoke_request(&config(), "rt-1", None);
        assert_eq!(r.operation, "RevokeToken");
        assert_eq!(r.body, r#"{"Token":"rt-1","ClientId":"7f3kq2m9emulatorclient0001"}"#);
        let g = global_sign_out_request(&config(), "at");
        assert_eq!(g.operation, "GlobalSignOut");
        assert_eq!(g.body, r#"{"AccessToken":"at"}"#);
        let e = parse_empty_reply(&resp(400, r#"{"__type":"UnsupportedTokenTypeException","message":"m"}"#), false)
            .unwrap_err();
        assert_eq!(e.code.as_str(), "UnsupportedTokenTypeException");
        assert_eq!(TokenSource::parse(None), TokenSource::UserPool);
        assert_eq!(TokenSource::parse(Some("hostedUI")), TokenSource::HostedUi);
        assert_eq!(TokenSource::parse(Some("userPool")).as_str(), "userPool");
        assert_eq!(
            TokenSource::key(CLIENT, "alice"),
            "CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.alice.tokenSource"
        );
        let _ = token;
    }
}
