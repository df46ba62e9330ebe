//! The hosted UI (managed login) on the engine: `authorizeUrl`, `signInWithRedirect`,
//! `handleRedirectCallback`, `verifyIdToken`, `getUserInfo`, and the `/logout` navigation of
//! `signOut({ redirect: true })`.
//!
//! ```text
//! authorizeUrl       attempt → TabStorage Set ─► Complete(url)              (same input)
//! signInWithRedirect attempt → TabStorage Set ─► Navigate, Complete
//! handleRedirectCallback
//!   ReplaceUrl (when it is the page's URL) → TabStorage Get+Remove (the attempt is used up)
//!   → state check (a foreign callback puts the attempt back) → POST /oauth2/token
//!   → ID token: JWKS (cached per client, fetched again once for an unknown kid)
//!   → VerifyRs256 → claims (iss, aud, token_use, exp, nonce) → signed_in(hostedUI)
//! verifyIdToken      the same verification without the nonce
//! verifyToken        (feature `server`, Node's `cognito-wasm/server`) a server's: `iss` first
//!                    (no JWKS fetch for another pool's token), the same JWKS cache and
//!                    signature step (an unknown kid refused without a fetch for 10 s after
//!                    a miss), then token_use, client_id|aud, exp, nbf; one error code per
//!                    reason
//! ```
//!
//! The protocol is the pure core's (`crate::oauth`, `crate::idtoken`); this module only
//! sequences it over the engine's effects.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::effect::{Done, Effect, Reply, StorageOp};
use super::http::Outgoing;
use super::life::Auth;
use super::ops::{self, keyed, opt_str, req_str, Op};
use crate::error::{Code, Error};
use crate::idtoken::{self, Expected, Jwks};
use crate::json::Json;
use crate::oauth::{self, AuthorizeOptions, Callback, HostedConfig, OAuthRequest, PendingSignIn, PkceVerifier};
use crate::protocol::AuthenticationResult;
use crate::refresh::TokenSource;
use crate::session::Session;

/// Per-client state of the hosted UI.
#[derive(Default)]
pub struct Features {
    /// The pool's signing keys: fetched on first use, and again when a token names a `kid`
    /// they lack (key rotation).
    jwks: Option<Jwks>,
    /// `signOut({ redirect: true })` calls in progress, with their `/logout` URL.
    logout: Vec<(u32, String)>,
    /// When a server's verification last fetched the JWKS and still did not find the `kid`
    /// (local clock, ms): for `JWKS_MISS_WAIT_MS` after that, an unknown `kid` is refused
    /// without another fetch, so forged tokens cannot make a server fetch the JWKS per request.
    #[cfg(feature = "server")]
    missed_at: Option<i64>,
}

/// How long a server's verifier waits, after a JWKS fetch that did not have a token's `kid`,
/// before another unknown `kid` may fetch it again (aws-jwt-verify's JWKS cache also holds off
/// for 10 s after such a miss).
#[cfg(feature = "server")]
pub const JWKS_MISS_WAIT_MS: i64 = 10_000;

/// What a hosted-UI operation waits for.
pub enum State {
    /// A write whose outcome nobody waits for (`authorizeUrl`'s attempt, a put-back).
    Stored,
    /// `signInWithRedirect`: the attempt is stored; then the page goes to this URL.
    Redirect(String),
    /// The callback: the attempt, taken out of tab storage.
    Taken(Callback),
    /// The code exchange at `/oauth2/token`.
    Token { nonce: String, app_state: Option<String> },
    /// The JWKS, for a verification.
    Keys(Box<Verify>),
    /// The signature check (`VerifyRs256`).
    Signature(Box<Verify>),
    /// `getUserInfo`: the session, then `/oauth2/userInfo`'s reply.
    UserInfo,
}

/// An ID token being verified.
pub struct Verify {
    token: String,
    /// The attempt's nonce (callbacks only).
    nonce: Option<String>,
    /// The JWKS was fetched for this verification already (at most once per call).
    fetched: bool,
    then: Then,
}

enum Then {
    /// `verifyIdToken`: the claims.
    Claims,
    /// `verifyToken` (a server's): the claims of the `token_use` asked for.
    #[cfg(feature = "server")]
    Token { token_use: idtoken::TokenUse, leeway_s: i64 },
    /// The callback: the session, stored with `tokenSource = hostedUI`.
    SignIn { tokens: AuthenticationResult, app_state: Option<String>, status: u16 },
}

/// Why the signature step refused a token, before the claims are read.
#[derive(Clone, Copy)]
enum Refusal {
    #[cfg(feature = "server")]
    Malformed,
    UnknownKid,
    BadSignature,
}

impl Verify {
    /// `e` (an `InvalidIdToken`) as this verification reports it: unchanged for the browser's
    /// verifications, with the reason's own code for a server's (`verifyToken`).
    #[cfg(not(feature = "server"))]
    fn refused(&self, e: Error, _: Refusal) -> Error {
        e
    }
    /// The token split for the signature step. (Two bodies: a `map_err` that does nothing
    /// still costs a browser build 65 bytes.)
    #[cfg(not(feature = "server"))]
    fn signed(&self) -> Result<idtoken::SignedJwt<'_>, Error> {
        idtoken::parse_signed(&self.token)
    }
    #[cfg(feature = "server")]
    fn signed(&self) -> Result<idtoken::SignedJwt<'_>, Error> {
        idtoken::parse_signed(&self.token).map_err(|e| self.refused(e, Refusal::Malformed))
    }
    #[cfg(feature = "server")]
    fn refused(&self, e: Error, why: Refusal) -> Error {
        if let Then::Token { .. } = self.then {
            let code = match why {
                Refusal::Malformed => Code::TokenMalformed,
                Refusal::UnknownKid => Code::TokenUnknownKid,
                Refusal::BadSignature => Code::TokenBadSignature,
            };
            // The pure core's prose names the ID token; a server's token may be either.
            return Error { code, message: e.message.replacen("the ID token", "the token", 1), ..e };
        }
        e
    }
}

/// A server's `verifyToken` input: `{token, tokenUse: "access"|"id", leewaySeconds?: 0..=300}`.
#[cfg(feature = "server")]
fn server_verify(input: &Json) -> Result<Box<Verify>, Error> {
    let token = match input.get("token") {
        Some(Json::Str(t)) => t.clone(),
        _ => return Err(Error::invalid_input("token must be a string")),
    };
    let token_use = opt_str(input, "tokenUse")?
        .and_then(idtoken::TokenUse::parse)
        .ok_or_else(|| Error::invalid_input("tokenUse must be \"access\" or \"id\""))?;
    let leeway_s = match input.get("leewaySeconds") {
        None | Some(Json::Null) => 0,
        Some(v) => v
            .as_i64()
            .filter(|s| (0..=idtoken::LEEWAY_S).contains(s))
            .ok_or_else(|| Error::invalid_input("leewaySeconds must be an integer from 0 to 300"))?,
    };
    Ok(Box::new(Verify { token, nonce: None, fetched: false, then: Then::Token { token_use, leeway_s } }))
}

/// The tab-storage key of a client's attempt (one at a time per client and tab).
fn pending_key(client_id: &str) -> String {
    let mut k = String::from("cognito-wasm.hostedUI.");
    k.push_str(client_id);
    k
}

fn state(s: State) -> ops::State {
    ops::State::Hosted(s)
}

fn invalid_state(m: &str) -> Error {
    Error::new(Code::InvalidState, m)
}

fn invalid_token(m: &str) -> Error {
    Error::new(Code::InvalidIdToken, m)
}

/// `o[key]` as a list of strings; `None` when absent or null.
fn opt_strings(o: &Json, key: &str) -> Result<Option<Vec<String>>, Error> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Arr(items)) => {
            let mut v = Vec::with_capacity(items.len());
            for item in items {
                v.push(String::from(item.as_str().ok_or_else(|| keyed(key, " must be an array of strings"))?));
            }
            Ok(Some(v))
        }
        Some(_) => Err(keyed(key, " must be an array of strings")),
    }
}

/// The configuration's `domain`, `redirectSignIn`, `redirectSignOut` and `scopes`, parsed
/// once (`Config::parse`). Without `redirectSignIn` there is no hosted-UI sign-in (`domain`
/// alone refreshes and revokes hosted-UI sessions).
pub(crate) fn parse_config(o: &Json) -> Result<Option<HostedConfig>, Error> {
    let domain = opt_str(o, "domain")?;
    let sign_in = opt_str(o, "redirectSignIn")?;
    let sign_out = opt_str(o, "redirectSignOut")?;
    let scopes = opt_strings(o, "scopes")?;
    match (domain, sign_in) {
        (Some(d), Some(r)) => HostedConfig::new(d, r, sign_out, scopes).map(Some),
        (_, None) => Ok(None),
        (None, Some(_)) => Err(Error::invalid_input("redirectSignIn needs domain")),
    }
}

fn hosted(a: &Auth) -> Result<&HostedConfig, Error> {
    a.config()
        .hosted
        .as_ref()
        .ok_or_else(|| Error::invalid_input("the hosted UI needs domain and redirectSignIn in the config"))
}

/// A request to the user-pool domain (or the JWKS) as the engine's one request type.
fn outgoing(req: OAuthRequest, operation: &'static str) -> Outgoing {
    let bearer = req.bearer.map(|t| {
        let mut v = String::from("Bearer ");
        v.push_str(&t);
        v
    });
    super::http::oauth(req.url, req.form, bearer, operation)
}

/// A new attempt: the authorize URL and the tab-storage write that remembers it. Its 64
/// random bytes are the input's: the 48 ephemeral bytes (verifier, state), then 16 more
/// (nonce).
fn attempt(a: &mut Auth, input: &Json) -> Result<(String, StorageOp), Error> {
    hosted(a)?;
    let opts = AuthorizeOptions {
        provider: opt_str(input, "provider")?,
        idp_identifier: opt_str(input, "idpIdentifier")?,
        scopes: opt_strings(input, "scopes")?,
        lang: opt_str(input, "lang")?,
        prompt: opt_str(input, "prompt")?,
    };
    let app_state = opt_str(input, "state")?.map(String::from);
    let mut v = Zeroizing::new([0u8; oauth::VERIFIER_BYTES]);
    let mut s = [0u8; oauth::STATE_BYTES];
    let mut n = [0u8; oauth::STATE_BYTES];
    let eph = a.ephemeral();
    v.copy_from_slice(&eph[..oauth::VERIFIER_BYTES]);
    s.copy_from_slice(&eph[oauth::VERIFIER_BYTES..oauth::VERIFIER_BYTES + oauth::STATE_BYTES]);
    for c in n.chunks_mut(4) {
        c.copy_from_slice(&a.random_u32().to_le_bytes());
    }
    let hosted = hosted(a)?;
    let pending = PendingSignIn {
        state: oauth::random_token(&s),
        nonce: oauth::random_token(&n),
        verifier: PkceVerifier::from_random(&v),
        redirect_uri: hosted.redirect_sign_in.clone(),
        app_state,
        created_ms: a.now(),
    };
    let cid = a.config().client.client_id();
    let url = oauth::authorize_url(hosted, cid, &opts, &pending)?;
    Ok((url, StorageOp::Set(pending_key(cid), pending.to_json())))
}

/// A hosted-UI operation arrived (its argument already parsed as an object).
pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: &Json) {
    if let Err(e) = begin(a, call, op, input) {
        a.done(call, Err(e));
    }
}

fn begin(a: &mut Auth, call: u32, op: Op, input: &Json) -> Result<(), Error> {
    match op {
        Op::AuthorizeUrl => {
            // Synchronous: answered within this input; the write is queued before any later
            // tab-storage batch, so a callback always finds it.
            let (url, set) = attempt(a, input)?;
            a.tab_storage_op(alloc::vec![set], call, state(State::Stored));
            let mut text = String::new();
            crate::json::write_str(&mut text, &url);
            a.done(call, Ok(Done::Json(Some(text))));
        }
        Op::SignInWithRedirect => {
            let (url, set) = attempt(a, input)?;
            a.tab_storage_op(alloc::vec![set], call, state(State::Redirect(url)));
        }
        Op::HandleRedirectCallback => {
            hosted(a)?;
            let url = req_str(input, "url")?;
            let cb = oauth::parse_callback(url)?
                .ok_or_else(|| Error::invalid_input("the URL carries no hosted-UI reply (code or error)"))?;
            // The code is single-use whatever happens: out of the address bar now.
            if opt_str(input, "here")? == Some(url) {
                a.effect(Effect::ReplaceUrl { url: oauth::clean_callback_url(url) });
            }
            // Taken out in one batch: a replay (or a second call racing this one) finds nothing.
            let k = pending_key(a.config().client.client_id());
            a.tab_storage_op(
                alloc::vec![StorageOp::Get(k.clone()), StorageOp::Remove(k)],
                call,
                state(State::Taken(cb)),
            );
        }
        Op::VerifyIdToken => {
            let token = match input.get("token") {
                Some(Json::Str(t)) => t.clone(),
                _ => return Err(Error::invalid_input("token must be a string")),
            };
            verify(a, call, Box::new(Verify { token, nonce: None, fetched: false, then: Then::Claims }))?;
        }
        #[cfg(feature = "server")]
        Op::VerifyToken => verify(a, call, server_verify(input)?)?,
        Op::GetUserInfo => {
            hosted(a)?;
            // The stored access token, as it is (the shell's behaviour): no refresh first.
            a.with_stored_session(call, state(State::UserInfo));
        }
        _ => {}
    }
    Ok(())
}

/// `currentSession()` answered (signed in) for `getUserInfo`.
pub(crate) fn with_session(a: &mut Auth, call: u32, st: State, s: Session) {
    if !matches!(st, State::UserInfo) {
        return;
    }
    match hosted(a).map(|h| outgoing(oauth::userinfo_request(h, &s.access_token), "/oauth2/userInfo")) {
        Ok(out) => a.send_op(out, call, state(State::UserInfo)),
        Err(e) => a.done(call, Err(e)),
    }
}

/// A reply for a hosted-UI operation.
pub(crate) fn resume(a: &mut Auth, call: u32, st: State, reply: Reply) {
    if let Err(e) = step(a, call, st, reply) {
        a.done(call, Err(e));
    }
}

fn step(a: &mut Auth, call: u32, st: State, reply: Reply) -> Result<(), Error> {
    match (st, reply) {
        (State::Stored, _) => {}
        (State::Redirect(url), Reply::Storage(r)) => {
            r.map_err(|()| {
                Error::new(Code::StorageUnavailable, "the sign-in attempt could not be stored in this tab")
            })?;
            a.effect(Effect::Navigate { url });
            a.done(call, Ok(Done::Json(None)));
        }
        (State::Taken(cb), Reply::Storage(r)) => {
            let text = r.ok().and_then(|v| v.into_iter().next().flatten());
            let Some((pending, text)) = text.and_then(|t| PendingSignIn::from_json(&t).map(|p| (p, t))) else {
                return Err(invalid_state("no hosted-UI sign-in is in progress in this tab (already handled?)"));
            };
            if !cb.state().is_some_and(|s| oauth::state_matches(s, &pending.state)) {
                // A callback for another attempt (or a forged one) leaves ours in place.
                let k = pending_key(a.config().client.client_id());
                a.tab_storage_op(alloc::vec![StorageOp::Set(k, text)], call, state(State::Stored));
                return Err(invalid_state("the callback's state does not match the sign-in in progress"));
            }
            drop(Zeroizing::new(text));
            let code = oauth::check_callback(&pending, cb, a.now())?;
            let h = hosted(a)?;
            let req = oauth::token_request(h, a.config().client.client_id(), &code, &pending);
            let next = State::Token { nonce: pending.nonce.clone(), app_state: pending.app_state.clone() };
            // One attempt, one exchange: the verifier goes with `pending`; the code is never
            // sent twice (not under the retry policy).
            drop(pending);
            a.send_op(outgoing(req, "authorization_code"), call, state(next));
        }
        (State::Token { nonce, app_state }, Reply::Http(r)) => {
            let resp = r?;
            let tokens = oauth::parse_token_reply(&resp)?;
            let token = tokens.id_token.clone();
            let then = Then::SignIn { tokens, app_state, status: resp.status };
            verify(a, call, Box::new(Verify { token, nonce: Some(nonce), fetched: false, then }))?;
        }
        (State::Keys(mut v), Reply::Http(r)) => {
            let resp = r?;
            if resp.status != 200 {
                return Err(Error::invalid_response("could not fetch the user pool's JWKS").with_status(resp.status));
            }
            a.features.hosted.jwks = Some(idtoken::parse_jwks(&resp.body)?);
            v.fetched = true;
            verify(a, call, v)?;
        }
        (State::Signature(v), Reply::Verified(ok)) => {
            if !ok {
                return Err(v.refused(invalid_token("the ID token's signature is not valid"), Refusal::BadSignature));
            }
            verified(a, call, *v)?;
        }
        (State::UserInfo, Reply::Http(r)) => {
            let text = oauth::parse_userinfo_reply(&r?)?;
            a.done(call, Ok(Done::Json(Some(text))));
        }
        // A reply of another kind is a runner bug: the call fails rather than hangs.
        _ => return Err(Error::invalid_response("unexpected reply")),
    }
    Ok(())
}

/// The signature step: with the cached key for the token's `kid`, or after (re)fetching
/// the JWKS, at most once per verification.
fn verify(a: &mut Auth, call: u32, v: Box<Verify>) -> Result<(), Error> {
    let signed = v.signed()?;
    #[cfg(feature = "server")]
    if let Then::Token { .. } = v.then {
        idtoken::check_server_issuer(&signed.jwt, &idtoken::issuers(&a.config().client))?;
    }
    let key = a.features.hosted.jwks.as_ref().and_then(|j| j.find(&signed.kid)).cloned();
    match key {
        Some(k) => {
            let data = signed.signing_input.to_vec();
            let signature = signed.signature;
            let id = a.task_op(call, state(State::Signature(v)));
            a.effect(Effect::VerifyRs256 { id, n: k.n, e: k.e, data, signature });
        }
        #[cfg(feature = "server")]
        None if matches!(v.then, Then::Token { .. })
            && (v.fetched || a.features.hosted.missed_at.is_some_and(|t| a.now() - t < JWKS_MISS_WAIT_MS)) =>
        {
            if v.fetched {
                a.features.hosted.missed_at = Some(a.now());
            }
            return Err(
                v.refused(invalid_token("the ID token's kid is not in the user pool's JWKS"), Refusal::UnknownKid)
            );
        }
        None if !v.fetched => {
            let req =
                OAuthRequest { method: "GET", url: idtoken::jwks_url(&a.config().client), form: None, bearer: None };
            a.send_op(outgoing(req, "jwks"), call, state(State::Keys(v)));
        }
        None => {
            return Err(
                v.refused(invalid_token("the ID token's kid is not in the user pool's JWKS"), Refusal::UnknownKid)
            )
        }
    }
    Ok(())
}

/// A valid signature: the claims, then the result.
fn verified(a: &mut Auth, call: u32, v: Verify) -> Result<(), Error> {
    let signed = idtoken::parse_signed(&v.token)?;
    #[cfg(feature = "server")]
    if let Then::Token { token_use, leeway_s } = v.then {
        let now_s = a.now().div_euclid(1000);
        idtoken::check_server_claims(&signed.jwt, token_use, a.config().client.client_id(), now_s, leeway_s)?;
        a.done(call, Ok(Done::Json(Some(signed.jwt.claims_text))));
        return Ok(());
    }
    let cfg = a.config();
    let issuers = idtoken::issuers(&cfg.client);
    let expected = Expected {
        issuers: &issuers,
        client_id: cfg.client.client_id(),
        nonce: v.nonce.as_deref(),
        now_s: a.now().div_euclid(1000),
        leeway_s: idtoken::LEEWAY_S,
    };
    idtoken::check_claims(&signed.jwt, &expected)?;
    match v.then {
        Then::Claims => a.done(call, Ok(Done::Json(Some(signed.jwt.claims_text)))),
        #[cfg(feature = "server")]
        Then::Token { .. } => {}
        Then::SignIn { tokens, app_state, status } => {
            let s = Session::from_tokens(&a.config().client, tokens, None, a.now()).map_err(|e| e.for_reply(status))?;
            a.signed_in(call, s, TokenSource::HostedUi, super::life::Answer::State(app_state));
        }
    }
    Ok(())
}

// ---- signOut({ redirect: true }) ---------------------------------------------------------

/// Checked before anything is done: `false` when `call` was answered with the error (no
/// `domain`/`redirectSignIn`/`redirectSignOut`), else the `/logout` URL waits for the
/// sign-out to finish.
pub(crate) fn sign_out_redirect(a: &mut Auth, call: u32) -> bool {
    match hosted(a).and_then(|h| oauth::logout_url(h, a.config().client.client_id())) {
        Ok(url) => {
            a.features.hosted.logout.push((call, url));
            true
        }
        Err(e) => {
            a.done(call, Err(e));
            false
        }
    }
}

/// Sign-out `call` is finished (local state gone, revocation tried): go to `/logout` if it
/// asked to.
pub(crate) fn signed_out_done(a: &mut Auth, call: u32) {
    let l = &mut a.features.hosted.logout;
    if let Some(i) = l.iter().position(|(c, _)| *c == call) {
        let (_, url) = l.swap_remove(i);
        a.effect(Effect::Navigate { url });
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_parsed_once_with_typed_errors() {
        let o = |t: &str| crate::json::parse(t).unwrap();
        let h = parse_config(&o(
            r#"{"domain":"http://127.0.0.1:9229/","redirectSignIn":"http://localhost:8080/","scopes":["openid"]}"#,
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            (h.domain.as_str(), h.scopes.len(), h.redirect_sign_out.is_none()),
            ("http://127.0.0.1:9229", 1, true)
        );
        assert!(parse_config(&o(r#"{"domain":"https://x.auth.us-east-1.amazoncognito.com"}"#)).unwrap().is_none());
        for (bad, msg) in [
            (r#"{"redirectSignIn":"https://a.example/"}"#, "redirectSignIn needs domain"),
            (
                r#"{"domain":"https://d.example","redirectSignIn":"https://a.example/","scopes":"openid"}"#,
                "scopes must be an array of strings",
            ),
            (
                r#"{"domain":"https://d.example","redirectSignIn":"https://a.example/","scopes":[1]}"#,
                "scopes must be an array of strings",
            ),
            (r#"{"domain":"https://d.example","redirectSignIn":"http://a.example/"}"#, "redirectSignIn must be"),
            (
                r#"{"domain":"https://d.example","redirectSignIn":"https://a.example/","redirectSignOut":5}"#,
                "redirectSignOut must be a string",
            ),
        ] {
            let e = parse_config(&o(bad)).unwrap_err();
            assert_eq!(e.code, Code::InvalidInput);
            assert!(e.message.starts_with(msg), "{bad}: {}", e.message);
        }
    }
}
