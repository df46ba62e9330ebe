//! The hosted UI (managed login): OAuth 2.0 authorization code + PKCE on the user-pool
//! domain, as pure functions.
//!
//! ```text
//! PkceVerifier::from_random(32 bytes) ─► challenge (S256)
//! authorize_url(..)            ─► the page navigates to /oauth2/authorize
//! parse_callback(url)          ─► Callback::Code { code, state } | Callback::Error { .. }
//! redeem(env, pending, cb, ..) ─► POST /oauth2/token ─► ID-token checks ─► Session
//! logout_url / revoke_request / userinfo_url
//! ```
//!
//! Nothing here reads a clock, draws randomness or does I/O: random bytes are arguments and
//! the one network exchange (`redeem`) goes through the [`HostedEnv`] trait, implemented by
//! the web layer with `fetch` + WebCrypto and by the tests with a scripted server.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::encoding::base64url_encode;
use crate::error::{Code, Error};
use crate::idtoken::{self, Expected, KeySource};
use crate::json::{self, Json};
use crate::protocol::{is_loopback_url, AuthenticationResult, ClientConfig, HttpResponse};
use crate::session::Session;

/// The default scopes: `openid email profile`.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// How long an authorization attempt stays redeemable on our side (Cognito's codes live
/// five minutes; the user may take a while on the login page).
pub const PENDING_TTL_MS: i64 = 30 * 60 * 1000;

/// The hosted-UI part of the configuration, validated.
#[derive(Clone, Debug)]
pub struct HostedConfig {
    /// `https://{prefix}.auth.{region}.amazoncognito.com`, a custom domain, or a loopback
    /// `http://` URL (emulator); no trailing slash.
    pub domain: String,
    pub redirect_sign_in: String,
    pub redirect_sign_out: Option<String>,
    pub scopes: Vec<String>,
}

fn secure_url(u: &str) -> bool {
    (u.starts_with("https://") && u.len() > 8 || u.starts_with("http://") && is_loopback_url(u))
        // Printable ASCII without `#`: no whitespace, control or non-ASCII character (a browser's
        // own URLs are percent-encoded and punycoded, so those would never match it anyway).
        && crate::encoding::all_bytes(u, |c| c > b' ' && c < 0x7f && c != b'#')
}

fn is_scope(s: &str) -> bool {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    !s.is_empty()
        && crate::encoding::all_bytes(s, |c| c == 0x21 || (0x23..=0x5b).contains(&c) || (0x5d..=0x7e).contains(&c))
}

impl HostedConfig {
    pub fn new(
        domain: &str,
        redirect_sign_in: &str,
        redirect_sign_out: Option<&str>,
        scopes: Option<Vec<String>>,
    ) -> Result<HostedConfig, Error> {
        // The same origin check as the domain that refreshes and revokes (the engine's config reads
        // both from one member).
        let domain = crate::refresh::parse_domain(domain)?;
        if !secure_url(redirect_sign_in) {
            return Err(Error::invalid_input(
                "redirectSignIn must be an https:// URL without a fragment (http:// only for localhost)",
            ));
        }
        if let Some(out) = redirect_sign_out {
            if !secure_url(out) {
                return Err(Error::invalid_input(
                    "redirectSignOut must be an https:// URL without a fragment (http:// only for localhost)",
                ));
            }
        }
        let scopes = match scopes {
            None => {
                let mut v = Vec::with_capacity(DEFAULT_SCOPES.len());
                for s in DEFAULT_SCOPES {
                    v.push(String::from(s));
                }
                v
            }
            Some(v) => v,
        };
        let mut scopes_ok = !scopes.is_empty();
        for s in &scopes {
            scopes_ok &= is_scope(s);
        }
        if !scopes_ok {
            return Err(Error::invalid_input("scopes must be a non-empty list of OAuth scope names"));
        }
        Ok(HostedConfig {
            domain,
            redirect_sign_in: String::from(redirect_sign_in),
            redirect_sign_out: redirect_sign_out.map(String::from),
            scopes,
        })
    }

    fn url(&self, path: &str) -> String {
        let mut u = self.domain.clone();
        u.push_str(path);
        u
    }
}

// ---------------------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------------------

use crate::encoding::percent_encode_into;

/// Decodes `%XX` escapes and `+` (as a space, form encoding). `None` on a broken escape or
/// when the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    decode(s, true)
}

fn decode(s: &str, plus_is_space: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hi = crate::encoding::hex_digit(*b.get(i + 1)?)?;
                let lo = crate::encoding::hex_digit(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    crate::utf8::string(out)
}

/// Builds `k1=v1&k2=v2` with both sides percent-encoded.
/// (One instance for every caller: a slice, not a generic iterator.)
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for &(k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

/// Parses `k=v&…` (form encoding). `None` if any escape is broken.
pub fn form_decode(s: &str) -> Option<Vec<(String, String)>> {
    let mut v = Vec::new();
    for part in crate::encoding::split_byte(s, b'&') {
        if part.is_empty() {
            continue;
        }
        let (k, val) = crate::encoding::cut(part, b'=').unwrap_or((part, ""));
        v.push((percent_decode(k)?, percent_decode(val)?));
    }
    Some(v)
}

// ---------------------------------------------------------------------------------------
// PKCE, state, nonce
// ---------------------------------------------------------------------------------------

/// A PKCE code verifier (RFC 7636). One-shot: no `Clone`, redacted `Debug`, wiped on drop.
pub struct PkceVerifier(Zeroizing<String>);

/// Random bytes for a verifier: 32 bytes give the minimum 43 characters.
pub const VERIFIER_BYTES: usize = 32;

impl PkceVerifier {
    /// `base64url(random)`, as RFC 7636 §4.1 suggests (32 bytes → 43 characters).
    pub fn from_random(bytes: &[u8; VERIFIER_BYTES]) -> PkceVerifier {
        PkceVerifier(Zeroizing::new(base64url_encode(bytes)))
    }
    /// A stored verifier; must be 43–128 unreserved characters.
    pub fn from_stored(s: &str) -> Option<PkceVerifier> {
        let ok = (43..=128).contains(&s.len())
            && crate::encoding::all_bytes(s, |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        ok.then(|| PkceVerifier(Zeroizing::new(String::from(s))))
    }
    /// `code_challenge` for `code_challenge_method=S256`: `base64url(sha256(verifier))`.
    pub fn challenge(&self) -> String {
        base64url_encode(&Sha256::digest(self.0.as_bytes()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PkceVerifier(<redacted>)")
    }
}

/// Random bytes per `state` and per `nonce` (base64url, 22 characters).
pub const STATE_BYTES: usize = 16;

/// A one-time `state`/`nonce` value from random bytes.
pub fn random_token(bytes: &[u8; STATE_BYTES]) -> String {
    base64url_encode(bytes)
}

// ---------------------------------------------------------------------------------------
// The authorize request
// ---------------------------------------------------------------------------------------

/// The app's options for one sign-in (`signInWithRedirect`/`authorizeUrl`).
#[derive(Clone, Debug, Default)]
pub struct AuthorizeOptions<'a> {
    /// `Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`, `COGNITO`, or the name of
    /// a SAML/OIDC provider of the pool (`identity_provider`).
    pub provider: Option<&'a str>,
    /// An identifier of a SAML/OIDC provider (`idp_identifier`), e.g. an email domain.
    pub idp_identifier: Option<&'a str>,
    /// Overrides the configured scopes for this sign-in.
    pub scopes: Option<Vec<String>>,
    pub lang: Option<&'a str>,
    pub prompt: Option<&'a str>,
}

/// Maps the friendly provider names apps use to Cognito's `identity_provider` values.
pub fn provider_name(p: &str) -> &str {
    match p {
        "Amazon" => "LoginWithAmazon",
        "Apple" => "SignInWithApple",
        p => p,
    }
}

/// What one authorization attempt needs to remember until its callback: stored in
/// `sessionStorage` (one attempt at a time per client) and removed when the callback is
/// handled. Holds the PKCE verifier, so `Debug` shows only the state.
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub verifier: PkceVerifier,
    pub redirect_uri: String,
    /// The app's own `state`, handed back by `handleRedirectCallback`.
    pub app_state: Option<String>,
    pub created_ms: i64,
}

impl core::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingSignIn").field("state", &self.state).finish_non_exhaustive()
    }
}

impl PendingSignIn {
    pub fn to_json(&self) -> String {
        // Written member by member (`json::Body`): the verifier is not copied into a tree.
        let mut b = json::Body::new();
        b.str("state", &self.state).str("nonce", &self.nonce).str("verifier", self.verifier.expose());
        b.str("redirectUri", &self.redirect_uri)
            .raw("createdAt", &crate::timestamp::decimal(self.created_ms.max(0) as u64));
        if let Some(a) = &self.app_state {
            b.str("appState", a);
        }
        b.end()
    }
    pub fn from_json(text: &str) -> Option<PendingSignIn> {
        let j = json::parse(text)?;
        Some(PendingSignIn {
            state: String::from(j.str_field("state")?),
            nonce: String::from(j.str_field("nonce")?),
            verifier: PkceVerifier::from_stored(j.str_field("verifier")?)?,
            redirect_uri: String::from(j.str_field("redirectUri")?),
            app_state: j.str_field("appState").map(String::from),
            created_ms: j.get("createdAt").and_then(Json::as_i64)?,
        })
    }
}

/// The `/oauth2/authorize` URL for one attempt.
pub fn authorize_url(
    config: &HostedConfig,
    client_id: &str,
    opts: &AuthorizeOptions<'_>,
    pending: &PendingSignIn,
) -> Result<String, Error> {
    let scopes = opts.scopes.as_ref().unwrap_or(&config.scopes);
    if scopes.is_empty() || !scopes.iter().all(|s| is_scope(s)) {
        return Err(Error::invalid_input("scopes must be a non-empty list of OAuth scope names"));
    }
    // A loop, not `join`: each `join` instance is a kilobyte of wasm.
    let mut scope = String::new();
    for s in scopes {
        if !scope.is_empty() {
            scope.push(' ');
        }
        scope.push_str(s);
    }
    let challenge = pending.verifier.challenge();
    let mut pairs: Vec<(&str, &str)> = alloc::vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", &pending.redirect_uri),
        ("scope", &scope),
        ("state", &pending.state),
        ("nonce", &pending.nonce),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    let provider = opts.provider.map(provider_name);
    for (k, v) in [
        ("identity_provider", provider),
        ("idp_identifier", opts.idp_identifier),
        ("lang", opts.lang),
        ("prompt", opts.prompt),
    ] {
        if let Some(v) = v {
            if v.is_empty() {
                return Err(Error::invalid_input("provider, lang and prompt must not be empty strings"));
            }
            pairs.push((k, v));
        }
    }
    let mut url = config.url("/oauth2/authorize?");
    url.push_str(&form_encode(&pairs));
    Ok(url)
}

// ---------------------------------------------------------------------------------------
// The callback
// ---------------------------------------------------------------------------------------

/// What came back to `redirectSignIn`.
#[derive(PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum Callback {
    Code { code: String, state: Option<String> },
    Error { error: String, description: Option<String>, state: Option<String> },
}

impl Callback {
    pub fn state(&self) -> Option<&str> {
        match self {
            Callback::Code { state, .. } | Callback::Error { state, .. } => state.as_deref(),
        }
    }
}

const CALLBACK_KEYS: [&str; 5] = ["code", "state", "error", "error_description", "error_uri"];

fn split_url(url: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, fragment) = match crate::encoding::cut(url, b'#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    match crate::encoding::cut(rest, b'?') {
        Some((base, q)) => (base, Some(q), fragment),
        None => (rest, None, fragment),
    }
}

fn callback_from(params: &[(String, String)]) -> Result<Option<Callback>, Error> {
    let mut found: [Option<&str>; 5] = [None; 5];
    for (k, v) in params {
        if let Some(i) = CALLBACK_KEYS.iter().position(|c| c == k) {
            if found.get(i).copied().flatten().is_some() {
                return Err(Error::new(Code::InvalidState, "the callback URL repeats an OAuth parameter"));
            }
            if let Some(slot) = found.get_mut(i) {
                *slot = Some(v);
            }
        }
    }
    let [code, state, error, description, _] = found;
    let state = state.map(String::from);
    Ok(match (code, error) {
        (_, Some(e)) => {
            Some(Callback::Error { error: String::from(e), description: description.map(String::from), state })
        }
        (Some(c), None) if !c.is_empty() => Some(Callback::Code { code: String::from(c), state }),
        _ => None,
    })
}

/// Finds the OAuth reply in a callback URL: in the query, or else in the fragment (some
/// setups put it there). Extra parameters are ignored; a parameter given twice is an error.
/// `Ok(None)` when the URL carries no `code` and no `error`.
pub fn parse_callback(url: &str) -> Result<Option<Callback>, Error> {
    let (_, query, fragment) = split_url(url);
    for part in [query, fragment].into_iter().flatten() {
        let params = form_decode(part)
            .ok_or_else(|| Error::new(Code::InvalidState, "the callback URL has a broken %-escape"))?;
        if let Some(cb) = callback_from(&params)? {
            return Ok(Some(cb));
        }
    }
    Ok(None)
}

/// Does the `state` that came back match ours? Exact match, or exact after one more
/// %-decoding (Cognito has been seen double-encoding `state`).
pub fn state_matches(received: &str, expected: &str) -> bool {
    if received == expected {
        return true;
    }
    decode(received, false).is_some_and(|once| once == expected)
}

/// The URL without the OAuth parameters (for `history.replaceState`): other query
/// parameters stay; a fragment that carried the reply is dropped.
pub fn clean_callback_url(url: &str) -> String {
    let (base, query, fragment) = split_url(url);
    let is_oauth = |p: &&str| {
        let k = crate::encoding::cut(p, b'=').map_or(*p, |(k, _)| k);
        CALLBACK_KEYS.contains(&k)
    };
    let mut out = String::from(base);
    if let Some(q) = query {
        let mut sep = '?';
        for p in crate::encoding::split_byte(q, b'&') {
            if p.is_empty() || is_oauth(&p) {
                continue;
            }
            out.push(sep);
            out.push_str(p);
            sep = '&';
        }
    }
    if let Some(f) = fragment {
        let mut oauth = false;
        for p in crate::encoding::split_byte(f, b'&') {
            oauth |= is_oauth(&p);
        }
        if !oauth && !f.is_empty() {
            out.push('#');
            out.push_str(f);
        }
    }
    out
}

fn oauth_code_ok(e: &str) -> bool {
    // RFC 6749 §4.1.2.1: error = 1*( %x20-21 / %x23-5B / %x5D-7E ); ours: no spaces either.
    !e.is_empty()
        && e.len() <= 64
        && crate::encoding::all_bytes(e, |c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// An OAuth error (`access_denied`, `invalid_grant`, …) as an [`Error`] whose code is the
/// OAuth error and whose message is the description.
pub fn oauth_error(error: &str, description: Option<&str>) -> Error {
    if !oauth_code_ok(error) {
        return Error::invalid_response("the hosted UI returned a malformed error code");
    }
    let message = description.filter(|d| !d.is_empty()).map_or(error, |d| clip(d, 500));
    Error::new(Code::Service(String::from(error)), message)
}

// ---------------------------------------------------------------------------------------
// Token endpoint, revoke, logout, userInfo
// ---------------------------------------------------------------------------------------

/// A request to the user-pool domain.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthRequest {
    pub method: &'static str,
    pub url: String,
    /// `application/x-www-form-urlencoded` body for POST.
    pub form: Option<String>,
    /// `Authorization: Bearer …` (userInfo).
    pub bearer: Option<String>,
}

impl core::fmt::Debug for OAuthRequest {
    // Bodies carry codes, verifiers and tokens: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OAuthRequest").field("method", &self.method).field("url", &self.url).finish_non_exhaustive()
    }
}

/// `POST /oauth2/token` with `grant_type=authorization_code`.
pub fn token_request(config: &HostedConfig, client_id: &str, code: &str, pending: &PendingSignIn) -> OAuthRequest {
    let form = form_encode(&[
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("code_verifier", pending.verifier.expose()),
    ]);
    OAuthRequest { method: "POST", url: config.url("/oauth2/token"), form: Some(form), bearer: None }
}

/// `POST /oauth2/revoke` for a refresh token.
pub fn revoke_request(config: &HostedConfig, client_id: &str, refresh_token: &str) -> OAuthRequest {
    let form = form_encode(&[("token", refresh_token), ("client_id", client_id)]);
    OAuthRequest { method: "POST", url: config.url("/oauth2/revoke"), form: Some(form), bearer: None }
}

/// `GET /oauth2/userInfo` with the access token.
pub fn userinfo_request(config: &HostedConfig, access_token: &str) -> OAuthRequest {
    OAuthRequest {
        method: "GET",
        url: config.url("/oauth2/userInfo"),
        form: None,
        bearer: Some(String::from(access_token)),
    }
}

/// `GET /logout?client_id&logout_uri`. Needs `redirectSignOut`.
pub fn logout_url(config: &HostedConfig, client_id: &str) -> Result<String, Error> {
    let out = config
        .redirect_sign_out
        .as_deref()
        .ok_or_else(|| Error::invalid_input("signOut({ redirect: true }) needs redirectSignOut in the config"))?;
    let mut url = config.url("/logout?");
    url.push_str(&form_encode(&[("client_id", client_id), ("logout_uri", out)]));
    Ok(url)
}

/// Maps a non-2xx reply of the domain's endpoints: `{"error": "...", "error_description"}`.
pub fn parse_oauth_error(resp: &HttpResponse) -> Error {
    let body = json::parse(&resp.body);
    let code = body.as_ref().and_then(|b| b.str_field("error")).filter(|e| oauth_code_ok(e));
    match code {
        Some(c) => {
            let mut e = oauth_error(c, body.as_ref().and_then(|b| b.str_field("error_description")));
            e.status = Some(resp.status);
            e
        }
        None => Error::invalid_response(if resp.status >= 500 {
            "the user-pool domain replied with a server error"
        } else {
            "the user-pool domain replied with an error and no OAuth error code"
        })
        .with_status(resp.status),
    }
}

/// Parses the token endpoint's reply.
pub fn parse_token_reply(resp: &HttpResponse) -> Result<AuthenticationResult, Error> {
    parse_token_reply_body(resp).map_err(|e| e.for_reply(resp.status))
}

pub(crate) fn parse_token_reply_body(resp: &HttpResponse) -> Result<AuthenticationResult, Error> {
    if !(200..300).contains(&resp.status) {
        return Err(parse_oauth_error(resp));
    }
    let body = json::parse(&resp.body).filter(|b| b.as_obj().is_some()).ok_or_else(|| {
        Error::invalid_response("the token endpoint's reply is not a JSON object").with_status(resp.status)
    })?;
    let (Some(access), Some(id)) = (body.str_field("access_token"), body.str_field("id_token")) else {
        return Err(Error::invalid_response("the token endpoint's reply lacks access_token or id_token"));
    };
    if body.str_field("token_type").is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
        return Err(Error::invalid_response("the token endpoint returned a token_type other than Bearer"));
    }
    Ok(AuthenticationResult {
        access_token: String::from(access),
        id_token: String::from(id),
        refresh_token: body.str_field("refresh_token").map(String::from),
        expires_in: body.get("expires_in").and_then(Json::as_i64),
        new_device: None,
    })
}

/// Parses `/oauth2/userInfo`'s reply: a JSON object, returned as its text.
pub fn parse_userinfo_reply(resp: &HttpResponse) -> Result<String, Error> {
    if !(200..300).contains(&resp.status) {
        return Err(parse_oauth_error(resp));
    }
    json::parse(&resp.body)
        .filter(|b| b.as_obj().is_some())
        .map(|_| resp.body.clone())
        .ok_or_else(|| Error::invalid_response("userInfo's reply is not a JSON object").with_status(resp.status))
}

// ---------------------------------------------------------------------------------------
// Redeeming a callback
// ---------------------------------------------------------------------------------------

/// The I/O `redeem` needs: sending one request, plus the JWKS and RSA verification of
/// [`KeySource`]. The web layer implements it with fetch and WebCrypto.
#[allow(async_fn_in_trait)]
pub trait HostedEnv: KeySource {
    async fn send(&self, req: &OAuthRequest) -> Result<HttpResponse, Error>;
    /// Local clock, milliseconds since the epoch.
    fn now_ms(&self) -> i64;
}

/// Checks a parsed callback against the pending attempt (state first, then the error), and
/// returns the code to redeem.
pub fn check_callback(pending: &PendingSignIn, cb: Callback, now_ms: i64) -> Result<String, Error> {
    match cb.state() {
        None => return Err(Error::new(Code::InvalidState, "the callback carries no state")),
        Some(s) if !state_matches(s, &pending.state) => {
            return Err(Error::new(Code::InvalidState, "the callback's state does not match the sign-in in progress"))
        }
        Some(_) => {}
    }
    if now_ms.saturating_sub(pending.created_ms) > PENDING_TTL_MS || now_ms < pending.created_ms.saturating_sub(60_000)
    {
        return Err(Error::new(Code::InvalidState, "the sign-in attempt expired; start again"));
    }
    match cb {
        Callback::Error { error, description, .. } => Err(oauth_error(&error, description.as_deref())),
        Callback::Code { code, .. } => Ok(code),
    }
}

/// Exchanges the code for tokens, verifies the ID token (signature, `iss`, `aud`,
/// `token_use`, `exp`, `nonce`) and builds the session. `pending` is consumed: one attempt,
/// one exchange.
pub async fn redeem<E: HostedEnv>(
    env: &E,
    config: &ClientConfig,
    hosted: &HostedConfig,
    pending: PendingSignIn,
    code: &str,
) -> Result<Session, Error> {
    let req = token_request(hosted, config.client_id(), code, &pending);
    let resp = env.send(&req).await?;
    let tokens = parse_token_reply(&resp)?;
    let issuers = idtoken::issuers(config);
    let expected = Expected {
        issuers: &issuers,
        client_id: config.client_id(),
        nonce: Some(&pending.nonce),
        now_s: env.now_ms().div_euclid(1000),
        leeway_s: idtoken::LEEWAY_S,
    };
    idtoken::verify(env, &tokens.id_token, &expected).await?;
    Session::from_tokens(config, tokens, None, env.now_ms()).map_err(|e| e.for_reply(resp.status))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::idtoken::tests::{FakeKeys, ISS};
    use crate::session::tests::{CLIENT, POOL};
    use core::cell::{Cell, RefCell};

    pub fn hosted() -> HostedConfig {
        HostedConfig::new(
            "https://myapp.auth.us-east-1.amazoncognito.com/",
            "https://app.example/cb?x=1",
            Some("https://app.example/"),
            None,
        )
        .unwrap()
    }

    pub fn pending(created_ms: i64) -> PendingSignIn {
        PendingSignIn {
            state: random_token(&[7; STATE_BYTES]),
            nonce: random_token(&[9; STATE_BYTES]),
            verifier: PkceVerifier::from_random(&[1; VERIFIER_BYTES]),
            redirect_uri: String::from("https://app.example/cb?x=1"),
            app_state: Some(String::from("/inbox?tab=2")),
            created_ms,
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rfc7636_appendix_b() {
        let bytes = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
            240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let v = PkceVerifier::from_random(&bytes);
        assert_eq!(v.expose(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(format!("{v:?}"), "PkceVerifier(<redacted>)");
        assert!(PkceVerifier::from_stored("short").is_none());
        assert!(PkceVerifier::from_stored(&"a".repeat(129)).is_none());
        assert!(PkceVerifier::from_stored(&"a+".repeat(30)).is_none());
        assert!(PkceVerifier::from_stored(&"a~".repeat(22)).is_some());
        assert_eq!(random_token(&[0xff; STATE_BYTES]), "_____________________w");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn config_validation() {
        let h = hosted();
        assert_eq!(h.domain, "https://myapp.auth.us-east-1.amazoncognito.com");
        assert_eq!(h.scopes, ["openid", "email", "profile"]);
        assert!(HostedConfig::new("http://127.0.0.1:9229", "http://localhost:8080/", None, None).is_ok());
        assert!(HostedConfig::new(
            "https://auth.example.com",
            "https://a/",
            None,
            Some(vec!["openid".into(), "aws.cognito.signin.user.admin".into()])
        )
        .is_ok());
        for (d, r, o, s) in [
            ("http://myapp.auth.us-east-1.amazoncognito.com", "https://a/", None, None),
            ("https://auth.example.com/path", "https://a/", None, None),
            ("https://", "https://a/", None, None),
            ("myapp.auth.us-east-1.amazoncognito.com", "https://a/", None, None),
            ("https://auth.example.com", "http://app.example/", None, None),
            ("https://auth.example.com", "https://a/#frag", None, None),
            ("https://auth.example.com", "https://a/", Some("http://evil.example/"), None),
            ("https://auth.example.com", "https://a/", None, Some(vec![])),
            ("https://auth.example.com", "https://a/", None, Some(vec!["open id".into()])),
            ("https://auth.example.com?x=1", "https://a/", None, None),
            // Whitespace, controls and non-ASCII characters anywhere in a URL.
            ("https://auth.example.com", "https://a/cb ", None, None),
            ("https://auth.example.com", "https://a/\u{a0}", None, None),
            ("https://auth.example.com", "https://a/\tcb", None, None),
            ("https://auth.example.com", "https://a/café", None, None),
            ("https://auth.exämple.com", "https://a/", None, None),
            ("https://auth.example.com", "https://a/", Some("https://a/\n"), None),
        ] {
            let e = HostedConfig::new(d, r, o, s.clone()).err().unwrap();
            assert_eq!(e.code, Code::InvalidInput, "{d} {r} {o:?} {s:?}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn percent_encoding() {
        let mut s = String::new();
        percent_encode_into(&mut s, "a b+c/d?e=f&g~h.i_j-k\u{e9}%");
        assert_eq!(s, "a%20b%2Bc%2Fd%3Fe%3Df%26g~h.i_j-k%C3%A9%25");
        assert_eq!(percent_decode(&s).unwrap(), "a b+c/d?e=f&g~h.i_j-k\u{e9}%");
        assert_eq!(percent_decode("a+b%2b").unwrap(), "a b+");
        assert!(percent_decode("%").is_none());
        assert!(percent_decode("%4").is_none());
        assert!(percent_decode("%zz").is_none());
        assert!(percent_decode("%ff").is_none(), "not UTF-8");
        assert_eq!(
            form_decode("a=1&&b&c=%20").unwrap(),
            [("a".into(), "1".into()), ("b".into(), String::new()), ("c".into(), " ".into())]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn authorize_url_known_answer() {
        let p = pending(0);
        let url = authorize_url(&hosted(), CLIENT, &AuthorizeOptions::default(), &p).unwrap();
        assert_eq!(
            url,
            "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/authorize?response_type=code\
&client_id=7f3kq2m9emulatorclient0001&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1\
&scope=openid%20email%20profile&state=BwcHBwcHBwcHBwcHBwcHBw&nonce=CQkJCQkJCQkJCQkJCQkJCQ\
&code_challenge=VtX6czP210fbQsI5QH5dpMMvTHnzXQkrE0_TWkAtnFw&code_challenge_method=S256"
        );
        assert_eq!(p.verifier.challenge(), "VtX6czP210fbQsI5QH5dpMMvTHnzXQkrE0_TWkAtnFw");
        let opts = AuthorizeOptions {
            provider: Some("Apple"),
            idp_identifier: Some("example.com"),
            scopes: Some(vec!["openid".into(), "https://api.example/read".into()]),
            lang: Some("fr"),
            prompt: Some("login"),
        };
        let url = authorize_url(&hosted(), CLIENT, &opts, &p).unwrap();
        assert!(url.contains("&scope=openid%20https%3A%2F%2Fapi.example%2Fread&"), "{url}");
        assert!(
            url.ends_with("&identity_provider=SignInWithApple&idp_identifier=example.com&lang=fr&prompt=login"),
            "{url}"
        );
        let bad = AuthorizeOptions { provider: Some(""), ..Default::default() };
        assert_eq!(authorize_url(&hosted(), CLIENT, &bad, &p).err().unwrap().code, Code::InvalidInput);
        assert_eq!(provider_name("Google"), "Google");
        assert_eq!(provider_name("Amazon"), "LoginWithAmazon");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn callback_shapes() {
        let code = |c: &str, s: Option<&str>| Some(Callback::Code { code: c.into(), state: s.map(String::from) });
        assert_eq!(parse_callback("https://a/cb?code=abc&state=xyz").unwrap(), code("abc", Some("xyz")));
        // Extra parameters (the app's own, Cognito's) are ignored.
        assert_eq!(
            parse_callback("https://a/cb?x=1&code=abc&foo=bar&state=xyz#top").unwrap(),
            code("abc", Some("xyz"))
        );
        // Missing state: parsed; the state check rejects it.
        assert_eq!(parse_callback("https://a/cb?code=abc").unwrap(), code("abc", None));
        // In the fragment instead of the query.
        assert_eq!(parse_callback("https://a/cb?x=1#code=abc&state=xyz").unwrap(), code("abc", Some("xyz")));
        // Error with a description (form-encoded: + is a space).
        assert_eq!(
            parse_callback("https://a/cb?error_description=User+cancelled%21&state=s1&error=access_denied").unwrap(),
            Some(Callback::Error {
                error: "access_denied".into(),
                description: Some("User cancelled!".into()),
                state: Some("s1".into())
            })
        );
        assert_eq!(
            parse_callback("https://a/cb?error=invalid_request").unwrap(),
            Some(Callback::Error { error: "invalid_request".into(), description: None, state: None })
        );
        // Double-encoded state decodes once here; state_matches decodes once more.
        let Some(Callback::Code { state: Some(s), .. }) = parse_callback("https://a/cb?code=c&state=a%252Bb").unwrap()
        else {
            panic!()
        };
        assert_eq!(s, "a%2Bb");
        assert!(state_matches(&s, "a+b"));
        assert!(state_matches("a+b", "a+b"));
        assert!(!state_matches("a+b", "a b"));
        assert!(!state_matches("xyz", "xyZ"));
        // Not a callback at all.
        assert_eq!(parse_callback("https://a/cb").unwrap(), None);
        assert_eq!(parse_callback("https://a/cb?state=x&code=").unwrap(), None);
        assert_eq!(parse_callback("https://a/cb?x=1#section").unwrap(), None);
        // Broken: duplicated code, bad escape.
        assert_eq!(parse_callback("https://a/cb?code=a&code=b&state=s").err().unwrap().code, Code::InvalidState);
        assert_eq!(parse_callback("https://a/cb?code=a%zz&state=s").err().unwrap().code, Code::InvalidState);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn clean_urls() {
        assert_eq!(clean_callback_url("https://a/cb?code=abc&state=xyz"), "https://a/cb");
        assert_eq!(clean_callback_url("https://a/cb?x=1&code=abc&state=xyz&y=2#top"), "https://a/cb?x=1&y=2#top");
        assert_eq!(clean_callback_url("https://a/cb?x=1#code=abc&state=xyz"), "https://a/cb?x=1");
        assert_eq!(clean_callback_url("https://a/cb?error=access_denied&error_description=x&state=s"), "https://a/cb");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn requests_and_replies() {
        let p = pending(0);
        let r = token_request(&hosted(), CLIENT, "c0de/+", &p);
        assert_eq!(r.url, "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/token");
        assert_eq!(
            r.form.as_deref().unwrap(),
            "grant_type=authorization_code&client_id=7f3kq2m9emulatorclient0001&code=c0de%2F%2B\
&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&code_verifier=AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"
        );
        assert!(!format!("{r:?}").contains("AQEBAQ"), "Debug shows no verifier");
        let r = revoke_request(&hosted(), CLIENT, "rt");
        assert_eq!((r.method, r.form.as_deref()), ("POST", Some("token=rt&client_id=7f3kq2m9emulatorclient0001")));
        let r = userinfo_request(&hosted(), "at");
        assert_eq!(
            (r.method, r.url.as_str(), r.bearer.as_deref()),
            ("GET", "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/userInfo", Some("at"))
        );
        assert_eq!(
            logout_url(&hosted(), CLIENT).unwrap(),
            "https://myapp.auth.us-east-1.amazoncognito.com/logout?client_id=7f3kq2m9emulatorclient0001&logout_uri=https%3A%2F%2Fapp.example%2F"
        );
        let no_out = HostedConfig::new("https://a.example", "https://a/", None, None).unwrap();
        assert_eq!(logout_url(&no_out, CLIENT).err().unwrap().code, Code::InvalidInput);

        let resp = |status, body: &str| HttpResponse { status, body: body.into(), error_type: None, date_s: 0 };
        let t = parse_token_reply(&resp(
            200,
            r#"{"id_token":"i","access_token":"a","refresh_token":"r","expires_in":3600,"token_type":"Bearer"}"#,
        ))
        .unwrap();
        assert_eq!(
            (t.id_token.as_str(), t.access_token.as_str(), t.refresh_token.as_deref(), t.expires_in),
            ("i", "a", Some("r"), Some(3600))
        );
        let e =
            parse_token_reply(&resp(400, r#"{"error":"invalid_grant","error_description":"bad code"}"#)).err().unwrap();
        assert_eq!((e.code.as_str(), e.message.as_str(), e.status), ("invalid_grant", "bad code", Some(400)));
        assert!(!e.retryable());
        let e = parse_token_reply(&resp(400, r#"{"error":"invalid_client"}"#)).err().unwrap();
        assert_eq!((e.code.as_str(), e.message.as_str()), ("invalid_client", "invalid_client"));
        let e = parse_token_reply(&resp(503, "<html>")).err().unwrap();
        assert_eq!(e.code, Code::InvalidResponse);
        assert!(e.retryable());
        assert_eq!(
            parse_token_reply(&resp(400, r#"{"error":"bad code <script>"}"#)).err().unwrap().code,
            Code::InvalidResponse
        );
        assert_eq!(parse_token_reply(&resp(200, r#"{"id_token":"i"}"#)).err().unwrap().code, Code::InvalidResponse);
        assert_eq!(
            parse_token_reply(&resp(200, r#"{"id_token":"i","access_token":"a","token_type":"mac"}"#))
                .err()
                .unwrap()
                .code,
            Code::InvalidResponse
        );
        assert_eq!(parse_userinfo_reply(&resp(200, r#"{"sub":"s"}"#)).unwrap(), r#"{"sub":"s"}"#);
        assert_eq!(
            parse_userinfo_reply(&resp(401, r#"{"error":"invalid_token"}"#)).err().unwrap().code.as_str(),
            "invalid_token"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn pending_round_trip_and_checks() {
        let p = pending(1_700_000_000_000);
        let text = p.to_json();
        // The bytes the `Json` tree gave.
        let mut tree = alloc::vec![
            (String::from("state"), Json::Str(p.state.clone())),
            (String::from("nonce"), Json::Str(p.nonce.clone())),
            (String::from("verifier"), Json::Str(String::from(p.verifier.expose()))),
            (String::from("redirectUri"), Json::Str(p.redirect_uri.clone())),
            (String::from("createdAt"), Json::Num(String::from("1700000000000"))),
        ];
        tree.push((String::from("appState"), Json::Str(String::from("/inbox?tab=2"))));
        assert_eq!(text, Json::Obj(tree.clone()).to_text());
        let mut bare = pending(-5);
        bare.app_state = None;
        tree.pop();
        tree[4].1 = Json::Num(String::from("0"));
        assert_eq!(bare.to_json(), Json::Obj(tree).to_text());
        let q = PendingSignIn::from_json(&text).unwrap();
        assert_eq!(
            (q.state.as_str(), q.nonce.as_str(), q.app_state.as_deref(), q.created_ms),
            (p.state.as_str(), p.nonce.as_str(), Some("/inbox?tab=2"), 1_700_000_000_000)
        );
        assert_eq!(q.verifier.expose(), p.verifier.expose());
        assert!(!format!("{q:?}").contains(p.verifier.expose()));
        assert!(PendingSignIn::from_json("{}").is_none());
        let now = 1_700_000_060_000;
        let cb = |url: &str| parse_callback(url).unwrap().unwrap();
        let good = format!("https://app.example/cb?x=1&code=thecode&state={}", p.state);
        assert_eq!(check_callback(&q, cb(&good), now).unwrap(), "thecode");
        let e = check_callback(&q, cb("https://app.example/cb?code=c"), now).err().unwrap();
        assert_eq!(e.code, Code::InvalidState);
        let e = check_callback(&q, cb("https://app.example/cb?code=c&state=forged"), now).err().unwrap();
        assert_eq!(e.code.as_str(), "InvalidState");
        let e = check_callback(&q, cb(&good), now + PENDING_TTL_MS).err().unwrap();
        assert_eq!(e.code, Code::InvalidState);
        let denied =
            format!("https://app.example/cb?error=access_denied&error_description=User%20cancelled&state={}", p.state);
        let e = check_callback(&q, cb(&denied), now).err().unwrap();
        assert_eq!((e.code.as_str(), e.message.as_str()), ("access_denied", "User cancelled"));
        // A forged error without our state is a state error, not access_denied.
        let e = check_callback(&q, cb("https://app.example/cb?error=access_denied"), now).err().unwrap();
        assert_eq!(e.code, Code::InvalidState);
    }

    /// A scripted user-pool domain + JWKS endpoint.
    struct Scripted {
        keys: FakeKeys,
        replies: RefCell<Vec<HttpResponse>>,
        sent: RefCell<Vec<OAuthRequest>>,
        now: Cell<i64>,
    }

    impl KeySource for Scripted {
        async fn cached_key(&self, kid: &str) -> Option<idtoken::Jwk> {
            self.keys.cached_key(kid).await
        }
        async fn refetch(&self) -> Result<(), Error> {
            self.keys.refetch().await
        }
        async fn verify_rs256(&self, key: &idtoken::Jwk, data: &[u8], sig: &[u8]) -> Result<bool, Error> {
            self.keys.verify_rs256(key, data, sig).await
        }
    }

    impl HostedEnv for Scripted {
        async fn send(&self, req: &OAuthRequest) -> Result<HttpResponse, Error> {
            self.sent.borrow_mut().push(req.clone());
            let mut r = self.replies.borrow_mut();
            if r.is_empty() {
                return Err(Error::new(Code::Network, "no scripted reply"));
            }
            Ok(r.remove(0))
        }
        fn now_ms(&self) -> i64 {
            self.now.get()
        }
    }

    fn token_reply(id: &str, access: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: format!(
                r#"{{"id_token":"{id}","access_token":"{access}","refresh_token":"rt","expires_in":3600,"token_type":"Bearer"}}"#
            ),
            error_type: None,
            date_s: 0,
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn redeem_against_a_scripted_server() {
        let config = ClientConfig::new(POOL, CLIENT, None).unwrap();
        let iat = 1_700_000_000;
        let p = pending(iat * 1000);
        let keys = FakeKeys::new(&["k1"]);
        let id = keys.sign("k1", &format!(r#"{{"iss":"{ISS}","aud":"{CLIENT}","token_use":"id","cognito:username":"alice","nonce":"{}","iat":{iat},"exp":{}}}"#, p.nonce, iat + 3600));
        let access = keys.sign("k1", &format!(r#"{{"iss":"{ISS}","client_id":"{CLIENT}","token_use":"access","username":"alice","iat":{iat},"exp":{}}}"#, iat + 3600));
        let env = Scripted {
            keys,
            replies: RefCell::new(vec![token_reply(&id, &access)]),
            sent: RefCell::new(vec![]),
            now: Cell::new(iat * 1000 + 5000),
        };
        let s = block_on(redeem(&env, &config, &hosted(), p, "thecode")).unwrap();
        assert_eq!(s.username, "alice");
        assert_eq!(s.refresh_token.as_deref(), Some("rt"));
        assert_eq!(s.clock_drift, 5);
        {
            let sent = env.sent.borrow();
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].url, "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/token");
            assert!(sent[0].form.as_deref().unwrap().contains("&code=thecode&"));
        }
        assert_eq!(env.keys.fetches.get(), 1, "JWKS fetched once");

        // A wrong nonce (a token minted for another attempt) is refused.
        let p2 = pending(iat * 1000);
        let other = env.keys.sign("k1", &format!(r#"{{"iss":"{ISS}","aud":"{CLIENT}","token_use":"id","cognito:username":"alice","nonce":"other","iat":{iat},"exp":{}}}"#, iat + 3600));
        env.replies.borrow_mut().push(token_reply(&other, &access));
        let e = block_on(redeem(&env, &config, &hosted(), p2, "c2")).err().unwrap();
        assert_eq!(e.code, Code::InvalidIdToken);
        assert_eq!(env.keys.fetches.get(), 1, "cached JWKS reused");

        // The token endpoint refuses the code.
        env.replies.borrow_mut().push(HttpResponse {
            status: 400,
            body: r#"{"error":"invalid_grant"}"#.into(),
            error_type: None,
            date_s: 0,
        });
        let e = block_on(redeem(&env, &config, &hosted(), pending(iat * 1000), "c3")).err().unwrap();
        assert_eq!(e.code.as_str(), "invalid_grant");
    }

    /// Drives a future whose I/O is synchronous (scripted) to completion.
    pub fn block_on<F: core::future::Future>(f: F) -> F::Output {
        let mut f = core::pin::pin!(f);
        let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            core::task::Poll::Ready(v) => v,
            core::task::Poll::Pending => panic!("scripted I/O never pends"),
        }
    }
}
