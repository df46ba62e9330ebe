//! Identity-pool credentials (`getAwsCredentials`) and SigV4 signing (`signRequest`,
//! `fetchSigned`, `presignUrl`) as operations of `engine::ops`.
//!
//! Policy (the same as the previous releases'):
//! - Credentials stay in memory only, one set per client ([`Aws`]), renewed before they
//!   expire (`identity::AwsCredentials::needs_renewal`) and whenever the ID token changes
//!   (the cache is keyed by it); `forceRefresh` skips the cache.
//! - One request run at a time per client (single flight): callers arriving while one runs
//!   wait for its result.
//! - Storage: the signed-in user's identity id under
//!   `CognitoIdentityServiceProvider.{clientId}.{username}.identityId` (forgotten on
//!   sign-out and expiry, [`signed_out`]); a guest identity id under Amplify's
//!   `com.amplify.Cognito.{identityPoolId}.identityId`, offered to Cognito for linking on the
//!   user's first credentials after sign-in (`identity::CredentialsFlow::start_linking`) and
//!   removed then; it survives sign-out, as in Amplify.
//! - The ID token is the session's as `currentSession()` returns it (refreshed when due); a
//!   reply saying it expired forces one token refresh (`Auth::refresh_op`, shared with the
//!   other callers and tabs) and the same call again.
//!
//! - The basic (classic) flow, `getAwsCredentials({ roleArn })`: GetId (unless an identity
//!   id is stored) → GetOpenIdToken → STS `AssumeRoleWithWebIdentity` at `stsEndpoint`
//!   (`identity::CredentialsFlow::start_basic`); the same result object, one cached set per
//!   role beside the enhanced flow's, one run at a time per role; no guest identity is
//!   offered for linking there. Without `roleArn`, the enhanced flow as above.
//!
//! Signing: the runner only reads what a `Request` or a description holds (method, URL as
//! the browser resolves it, headers as pairs, body bytes in base64) and builds the signed
//! `Request` / runs `fetch`; every validation and the signature (`crate::sigv4`, at the
//! input's `now`) are here. Explicit `credentials` in the options skip the identity pool.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::effect::{Done, Reply, StorageOp};
use super::http;
use super::life::Auth;
use super::ops::{self, opt_str, req_str, Op};
use super::requests::Body;
use crate::encoding::base64_decode;
use crate::error::{Code, Error};
use crate::identity::{
    role_cache_key, valid_role_arn, AwsCredentials, Cache, CredentialsFlow, IdentityConfig, Login, Step, ASSUME_ROLE,
};
use crate::json::Json;
use crate::protocol::HttpRequest;
use crate::session::Session;
use crate::sigv4::{self, Credentials, Payload, Scope};
use crate::timestamp::decimal;

/// `identityPoolId`, `identityEndpoint` and `stsEndpoint` of the configuration (`None`
/// without a pool).
pub(crate) fn parse_config(o: &Json) -> Result<Option<IdentityConfig>, Error> {
    match opt_str(o, "identityPoolId")? {
        Some(id) => {
            let c = IdentityConfig::new(id, opt_str(o, "identityEndpoint")?)?;
            c.with_sts_endpoint(opt_str(o, "stsEndpoint")?).map(Some)
        }
        None => Ok(None),
    }
}

/// The identity-pool state of a client.
#[derive(Default)]
pub struct Aws {
    cache: Cache,
    /// The callers of each request run in progress (single flight per role; `None`: the
    /// enhanced flow).
    flights: Vec<(Option<String>, Waiting)>,
    /// Bumped on sign-out: a run that started before stores nothing and answers nobody.
    epoch: u32,
}

/// The callers waiting for one run.
type Waiting = Vec<(u32, Then)>;

/// What a caller does with the credentials.
pub enum Then {
    /// `getAwsCredentials`: returns them.
    Return,
    /// `signRequest` / `fetchSigned` / `presignUrl`: signs with them.
    Sign(Box<Signing>),
}

/// A request to sign, validated.
pub struct Signing {
    url: String,
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    service: String,
    region: String,
    unsigned: bool,
    /// `presignUrl`'s `expiresIn` (seconds).
    presign: Option<u32>,
}

/// One run of GetId / GetCredentialsForIdentity (the single flight).
pub struct Run {
    epoch: u32,
    login: Option<Login>,
    /// The session `login` came from (refreshed when the pool says its ID token expired).
    session: Option<Session>,
    id_key: String,
    /// A guest's identity id was offered for linking: it is removed at the end.
    guest: bool,
    /// The basic flow's role (`getAwsCredentials({ roleArn })`).
    role: Option<String>,
}

/// What an identity operation waits for.
pub enum State {
    /// A caller, for the session: then the cache, the run in progress, or a new run.
    Session { force: bool, then: Then, role: Option<String> },
    /// The run: the stored identity ids (the user's or the guest's, then the guest's).
    Ids(Box<Run>),
    /// The run: a GetId / GetCredentialsForIdentity reply.
    Reply(Box<Run>, CredentialsFlow),
    /// The run: fresh tokens after a reply (this status) said the ID token expired.
    Fresh(Box<Run>, CredentialsFlow, u16),
    /// The run: the identity id stored.
    Stored(Box<Run>, Box<AwsCredentials>),
}

fn wrap(s: State) -> ops::State {
    ops::State::Identity(s)
}

fn not_configured() -> Error {
    Error::invalid_input("identityPoolId is not configured")
}

/// A JSON value as JavaScript's `!!v` (for the boolean options).
fn truthy(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(Json::Num(n)) => {
            // A non-zero mantissa digit before any exponent.
            let m = crate::encoding::find_byte(n, |c| c == b'e' || c == b'E').and_then(|i| n.get(..i)).unwrap_or(n);
            crate::encoding::find_byte(m, |c| (b'1'..=b'9').contains(&c)).is_some()
        }
        Some(Json::Str(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn login_of(a: &Auth, s: &Session) -> Login {
    let exp_ms = s.id_exp.saturating_add(s.clock_drift).saturating_mul(1000);
    Login::new(&a.config().client, &s.id_token, exp_ms)
}

fn credentials_json(c: &AwsCredentials) -> String {
    // Written member by member (`requests::Body`: the `Json` tree's bytes, see the tests).
    let mut b = Body::new();
    b.str("accessKeyId", &c.credentials.access_key_id).str("secretAccessKey", &c.credentials.secret_access_key);
    match c.credentials.session_token.as_deref() {
        Some(t) => b.str("sessionToken", t),
        None => b.raw("sessionToken", "null"),
    };
    b.raw("expiration", &decimal(c.expiration_ms.max(0) as u64)).str("identityId", &c.identity_id);
    b.end()
}

// ---- validation ------------------------------------------------------------------------

/// An HTTP token (RFC 9110), as `Headers` accepts for a name.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// `[name, value]` pairs (the runner sends a `Headers` as pairs) or an object of strings.
fn header_pairs(h: Option<&Json>) -> Result<Vec<(String, String)>, Error> {
    let bad = || Error::invalid_input("headers must be a Headers, an array of [name, value] or an object of strings");
    let mut out = Vec::new();
    match h {
        None | Some(Json::Null) => {}
        Some(Json::Arr(items)) => {
            for p in items {
                match p {
                    Json::Arr(kv) => match kv.as_slice() {
                        [Json::Str(k), Json::Str(v)] => out.push((k.clone(), v.clone())),
                        _ => return Err(bad()),
                    },
                    _ => return Err(bad()),
                }
            }
        }
        Some(Json::Obj(m)) => {
            for (k, v) in m {
                match v {
                    Json::Str(v) => out.push((k.clone(), v.clone())),
                    _ => return Err(bad()),
                }
            }
        }
        Some(_) => return Err(bad()),
    }
    if out.iter().any(|(k, v)| !is_token(k) || v.bytes().any(|c| matches!(c, 0 | b'\r' | b'\n'))) {
        return Err(Error::invalid_input("a header name or value is not valid"));
    }
    Ok(out)
}

/// A service or region name for the credential scope.
fn scope_part(v: &str, key: &str) -> Result<String, Error> {
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.') {
        return Err(ops::keyed(key, " must be a name like 'execute-api' or 'us-east-1'"));
    }
    Ok(String::from(v))
}

/// The request and options of `signRequest` / `presignUrl`, and explicit credentials if
/// given. The request is the runner's description: `url` (the app's), `href` (the browser's
/// resolution of it, null when it is not a URL), `method`, `headers`, `body` (base64 of the
/// bytes; `false` for a type that cannot be signed), `bodyError` (a `Request` whose body
/// could not be read: `used` / `unreadable`).
fn signing(a: &Auth, presign: bool, input: &Json) -> Result<(Signing, Option<Credentials>), Error> {
    let empty = Json::Obj(Vec::new());
    let o = match input.get("options") {
        Some(o @ Json::Obj(_)) => o,
        _ => &empty,
    };
    let service = match opt_str(o, "service")? {
        Some(s) => scope_part(s, "service")?,
        None if presign => String::from("s3"),
        None => return Err(Error::invalid_input("service is required (e.g. 'execute-api')")),
    };
    let region = match (opt_str(o, "region")?, &a.config().identity) {
        (Some(r), _) => scope_part(r, "region")?,
        (None, Some(c)) => String::from(c.region()),
        (None, None) => return Err(Error::invalid_input("region is required")),
    };
    let credentials = match o.get("credentials") {
        Some(c @ Json::Obj(_)) => Some(Credentials {
            access_key_id: String::from(req_str(c, "accessKeyId")?),
            secret_access_key: String::from(req_str(c, "secretAccessKey")?),
            session_token: opt_str(c, "sessionToken")?.map(String::from),
        }),
        _ => None,
    };
    let expires = match o.get("expiresIn") {
        _ if !presign => None,
        None | Some(Json::Null) => Some(900),
        Some(v) => Some(
            v.as_i64()
                .filter(|e| (1..=i64::from(sigv4::MAX_EXPIRES)).contains(e))
                .ok_or_else(|| Error::invalid_input("expiresIn must be 1 to 604800 seconds"))? as u32,
        ),
    };
    let d = match input.get("request") {
        Some(d @ Json::Obj(_)) => d,
        _ => return Err(Error::invalid_input("the request must be a Request or { url, method, headers, body }")),
    };
    match opt_str(d, "bodyError")? {
        Some("used") => return Err(Error::invalid_input("the Request's body was already used")),
        Some(_) => return Err(Error::invalid_input("the Request's body cannot be read")),
        None => {}
    }
    if !matches!(d.get("url"), Some(Json::Str(_))) {
        return Err(Error::invalid_input("url is required"));
    }
    let url = String::from(opt_str(d, "href")?.ok_or_else(|| Error::invalid_input("url is not a valid URL"))?);
    let method = match d.get("method") {
        None | Some(Json::Null) => String::from("GET"),
        Some(Json::Str(m)) => m.to_ascii_uppercase(),
        Some(_) => return Err(Error::invalid_input("method must be a string")),
    };
    let headers = header_pairs(d.get("headers"))?;
    let body = match d.get("body") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Str(b)) => base64_decode(b).ok_or_else(|| Error::invalid_input("body is not valid base64"))?,
        Some(_) => {
            return Err(Error::invalid_input("body must be a string, an ArrayBuffer or a typed array to be signed"))
        }
    };
    let unsigned = truthy(o.get("unsignedPayload"));
    Ok((Signing { url, method, headers, body, service, region, unsigned, presign: expires }, credentials))
}

/// Signs at `now_ms`: the presigned URL (a JSON string), or `{url, method, headers}` with
/// the request's headers and the signature's (these replacing same-named ones,
/// case-insensitively) as one object.
fn sign(now_ms: i64, s: &Signing, creds: &Credentials) -> Result<String, Error> {
    let now = now_ms.div_euclid(1000);
    let scope = Scope { service: &s.service, region: &s.region };
    if let Some(expires) = s.presign {
        return sigv4::presign(&s.url, creds, &scope, now, expires).map(|u| Json::Str(u).to_text());
    }
    let payload = if s.unsigned { Payload::Unsigned } else { Payload::Bytes(&s.body) };
    let req = sigv4::Request { method: &s.method, url: &s.url, headers: &s.headers, payload };
    let added = sigv4::sign(&req, creds, &scope, now)?;
    Ok(signed_json(s, &added))
}

/// `{url, method, headers}`: the request's headers and the signature's (these replacing
/// same-named ones, case-insensitively), written member by member.
fn signed_json(s: &Signing, added: &[(String, String)]) -> String {
    let mut headers: Vec<(String, String)> = Vec::with_capacity(s.headers.len() + added.len());
    for (k, v) in s.headers.iter().chain(added.iter()) {
        headers.retain(|(o, _)| !o.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
    let mut b = Body::new();
    b.str("url", &s.url).str("method", &s.method).pairs("headers", &headers);
    b.end()
}

// ---- the operations ----------------------------------------------------------------------

/// `roleArn` of the options (the basic flow), validated.
fn role_arn(o: &Json) -> Result<Option<String>, Error> {
    match opt_str(o, "roleArn")? {
        Some(r) if !valid_role_arn(r) => {
            Err(Error::invalid_input("roleArn must be an IAM role ARN (arn:aws:iam::123456789012:role/Name)"))
        }
        r => Ok(r.map(String::from)),
    }
}

pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: Json) {
    let r = match op {
        Op::GetAwsCredentials if a.config().identity.is_none() => Err(not_configured()),
        Op::GetAwsCredentials => match role_arn(&input) {
            Ok(role) => {
                let force = truthy(input.get("forceRefresh"));
                return a.with_current_session(call, wrap(State::Session { force, then: Then::Return, role }));
            }
            Err(e) => Err(e),
        },
        Op::SignRequest | Op::PresignUrl => match signing(a, op == Op::PresignUrl, &input) {
            Ok((s, Some(creds))) => sign(a.now(), &s, &creds),
            Ok(_) if a.config().identity.is_none() => Err(not_configured()),
            Ok((s, None)) => match input.get("options").map_or(Ok(None), role_arn) {
                Ok(role) => {
                    let then = Then::Sign(Box::new(s));
                    return a.with_current_session(call, wrap(State::Session { force: false, then, role }));
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
        // The runner could not build or send the signed request.
        _ => Err(match opt_str(&input, "stage") {
            Ok(Some("build")) => {
                Error::invalid_input("cannot build the signed request (method, body or headers not allowed)")
            }
            _ => Error::new(Code::Network, "the signed request failed (offline, blocked by CORS, or refused)"),
        }),
    };
    a.done(call, r.map(|j| Done::Json(Some(j))));
}

/// Completes one caller with the run's result.
fn deliver(a: &mut Auth, call: u32, then: Then, r: Result<AwsCredentials, Error>) {
    let now = a.now();
    let r = r.and_then(|c| match then {
        Then::Return => Ok(credentials_json(&c)),
        // On the service's clock (the session's drift): a page clock that was off at sign-in
        // still signs requests AWS accepts (it allows 5 minutes).
        Then::Sign(s) => sign(c.service_time(now), &s, &c.credentials),
    });
    a.done(call, r.map(|j| Done::Json(Some(j))));
}

/// The run ended: every caller gets its result (none when signed out meanwhile).
fn finish(a: &mut Auth, run: &Run, r: Result<AwsCredentials, Error>) {
    if stale(a, run) {
        return;
    }
    let flights = &mut a.features.identity.flights;
    let Some(i) = flights.iter().position(|(role, _)| *role == run.role) else { return };
    for (call, then) in flights.swap_remove(i).1 {
        deliver(a, call, then, r.clone());
    }
}

fn stale(a: &Auth, run: &Run) -> bool {
    a.features.identity.epoch != run.epoch
}

fn send(a: &mut Auth, call: u32, run: Box<Run>, flow: CredentialsFlow, req: HttpRequest) {
    a.send_op(http::api(req), call, wrap(State::Reply(run, flow)));
}

pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Result<Option<Session>, Error>) {
    match state {
        State::Session { force, then, role } => {
            let s = match s {
                Ok(s) => s,
                Err(e) => return deliver(a, call, then, Err(e)),
            };
            let Some(cfg) = a.config().identity.as_ref() else { return deliver(a, call, then, Err(not_configured())) };
            let guest_key = cfg.guest_id_key();
            let login = s.as_ref().map(|s| login_of(a, s));
            if !force {
                let key = role_cache_key(login.as_ref(), role.as_deref());
                if let Some(c) = a.features.identity.cache.get(&key, a.now()).cloned() {
                    return deliver(a, call, then, Ok(c));
                }
            }
            let flights = &mut a.features.identity.flights;
            if let Some((_, waiting)) = flights.iter_mut().find(|(r, _)| *r == role) {
                return waiting.push((call, then));
            }
            flights.push((role.clone(), alloc::vec![(call, then)]));
            let id_key = match &s {
                Some(s) => a.user_key(&s.username, "identityId"),
                None => guest_key.clone(),
            };
            let mut get = alloc::vec![StorageOp::Get(id_key.clone())];
            if s.is_some() {
                get.push(StorageOp::Get(guest_key));
            }
            let run = Run { epoch: a.features.identity.epoch, login, session: s, id_key, guest: false, role };
            a.storage_op(get, call, wrap(State::Ids(Box::new(run))));
        }
        State::Fresh(mut run, flow, status) => {
            if stale(a, &run) {
                return;
            }
            match s {
                Ok(Some(new)) => {
                    let login = login_of(a, &new);
                    run.login = Some(login.clone());
                    run.session = Some(new);
                    let (flow, req) = flow.retry_with(login);
                    send(a, call, run, flow, req);
                }
                _ => {
                    let e = Error::new(
                        Code::Service(String::from("NotAuthorizedException")),
                        "The ID token expired and could not be refreshed: sign in again",
                    )
                    .with_status(status);
                    finish(a, &run, Err(e));
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    match (state, reply) {
        (State::Ids(mut run), Reply::Storage(got)) => {
            if stale(a, &run) {
                return;
            }
            let Some(cfg) = a.config().identity.as_ref() else { return };
            let mut got = got.unwrap_or_default().into_iter();
            let stored = got.next().flatten();
            // Signed in without an identity id of the user's own: the guest's, for linking.
            let guest = got.next().flatten();
            let (flow, req) = match &run.role {
                Some(role) => CredentialsFlow::start_basic(cfg, run.login.clone(), stored.as_deref(), role),
                None => CredentialsFlow::start_linking(cfg, run.login.clone(), stored.as_deref(), guest.as_deref()),
            };
            run.guest = flow.linking();
            send(a, call, run, flow, req);
        }
        (State::Reply(run, flow), Reply::Http(r)) => {
            if stale(a, &run) {
                return;
            }
            let resp = match r {
                Ok(resp) => resp,
                Err(e) => return finish(a, &run, Err(e)),
            };
            match flow.handle(&resp, a.now()) {
                Ok(Step::Send(next, req)) => {
                    if next.dropped_identity() {
                        // The pool forgot it: not offered again.
                        a.storage_fire(alloc::vec![StorageOp::Remove(run.id_key.clone())]);
                    }
                    send(a, call, run, next, req);
                }
                Ok(Step::Sts(next, req)) => {
                    a.send_op(http::form(req, ASSUME_ROLE), call, wrap(State::Reply(run, next)));
                }
                Ok(Step::NeedFreshTokens(next)) => match run.session.clone() {
                    Some(used) => a.refresh_op(call, wrap(State::Fresh(run, next, resp.status)), used),
                    None => finish(a, &run, Err(Error::invalid_response("a guest identity asked for tokens"))),
                },
                Ok(Step::Done(c)) => {
                    let mut ops = Vec::with_capacity(2);
                    if let (true, Some(cfg)) = (run.guest, a.config().identity.as_ref()) {
                        // Linked to this user now (or refused): no longer a guest identity.
                        ops.push(StorageOp::Remove(cfg.guest_id_key()));
                    }
                    ops.push(StorageOp::Set(run.id_key.clone(), c.identity_id.clone()));
                    a.storage_op(ops, call, wrap(State::Stored(run, Box::new(c))));
                }
                Err(e) => finish(a, &run, Err(e)),
            }
        }
        (State::Stored(run, mut c), _) => {
            if stale(a, &run) {
                return;
            }
            c.clock_drift_ms = run.session.as_ref().map_or(0, |s| s.clock_drift.saturating_mul(1000));
            let key = role_cache_key(run.login.as_ref(), run.role.as_deref());
            a.features.identity.cache.put(key, (*c).clone());
            finish(a, &run, Ok(*c));
        }
        _ => {}
    }
}

/// Signed out (here, in another tab, or the session expired): the credentials and the run
/// in progress are forgotten (its callers get an error), and so is the user's identity id;
/// a guest identity id stays, as in Amplify.
pub(crate) fn signed_out(a: &mut Auth, user: Option<&str>) {
    let aws = &mut a.features.identity;
    aws.cache.clear();
    aws.epoch = aws.epoch.wrapping_add(1);
    for (call, _) in core::mem::take(&mut aws.flights).into_iter().flat_map(|(_, f)| f) {
        a.done(call, Err(Error::invalid_input("signed out while the credentials were being fetched")));
    }
    if let (Some(_), Some(u)) = (&a.config().identity, user) {
        let k = a.user_key(u, "identityId");
        a.storage_fire(alloc::vec![StorageOp::Remove(k)]);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn results_are_the_json_trees_bytes() {
        let s = |v: &str| Json::Str(String::from(v));
        for token in [None, Some("t\"o\nk")] {
            for exp in [-5, 0, 1_700_000_000_123] {
                let c = AwsCredentials {
                    credentials: Credentials {
                        access_key_id: "AK\\ID".into(),
                        secret_access_key: "se\u{1}cret".into(),
                        session_token: token.map(String::from),
                    },
                    expiration_ms: exp,
                    identity_id: "us-east-1:\u{2028}".into(),
                    received_at_ms: 0,
                    clock_drift_ms: 0,
                };
                let tree = Json::Obj(alloc::vec![
                    (String::from("accessKeyId"), s(&c.credentials.access_key_id)),
                    (String::from("secretAccessKey"), s(&c.credentials.secret_access_key)),
                    (String::from("sessionToken"), c.credentials.session_token.as_deref().map_or(Json::Null, s)),
                    (String::from("expiration"), Json::Num(decimal(c.expiration_ms.max(0) as u64))),
                    (String::from("identityId"), s(&c.identity_id)),
                ]);
                assert_eq!(credentials_json(&c), tree.to_text());
            }
        }
        let pairs =
            |v: &[(&str, &str)]| v.iter().map(|(a, b)| (String::from(*a), String::from(*b))).collect::<Vec<_>>();
        for (mine, added) in [
            (pairs(&[]), pairs(&[])),
            (pairs(&[("A", "1"), ("host", "h"), ("a", "2\"")]), pairs(&[("Host", "x"), ("X-Amz-Date", "d")])),
        ] {
            let sg = Signing {
                url: "https://h/p?q=\"1\"".into(),
                method: "POST".into(),
                headers: mine,
                body: Vec::new(),
                service: "s".into(),
                region: "r".into(),
                unsigned: false,
                presign: None,
            };
            let mut headers: Vec<(String, Json)> = Vec::new();
            for (k, v) in sg.headers.iter().chain(added.iter()) {
                headers.retain(|(o, _)| !o.eq_ignore_ascii_case(k));
                headers.push((k.clone(), Json::Str(v.clone())));
            }
            let tree = Json::Obj(alloc::vec![
                (String::from("url"), Json::Str(sg.url.clone())),
                (String::from("method"), Json::Str(sg.method.clone())),
                (String::from("headers"), Json::Obj(headers)),
            ]);
            assert_eq!(signed_json(&sg, &added), tree.to_text());
        }
    }

    #[test]
    fn truthiness_is_javascripts() {
        for (v, want) in [
            (None, false),
            (Some(Json::Null), false),
            (Some(Json::Bool(true)), true),
            (Some(Json::Num("0".into())), false),
            (Some(Json::Num("-0.0e5".into())), false),
            (Some(Json::Num("0.5".into())), true),
            (Some(Json::Str(String::new())), false),
            (Some(Json::Str("no".into())), true),
            (Some(Json::Obj(Vec::new())), true),
        ] {
            assert_eq!(truthy(v.as_ref()), want, "{v:?}");
        }
    }

    #[test]
    fn headers_are_validated() {
        let j = |t: &str| crate::json::parse(t).unwrap();
        assert_eq!(
            header_pairs(Some(&j(r#"[["a","1"],["B","2"]]"#))).unwrap(),
            [("a".into(), "1".into()), ("B".into(), "2".into())]
        );
        assert_eq!(header_pairs(Some(&j(r#"{"x-y":"v"}"#))).unwrap(), [("x-y".into(), "v".into())]);
        for bad in
            [r#"[["a"]]"#, r#"[["a","1","2"]]"#, r#"{"a":1}"#, r#""a: b""#, r#"{"a b":"1"}"#, r#"{"a":"1\r\nb: 2"}"#]
        {
            assert_eq!(header_pairs(Some(&j(bad))).unwrap_err().code, Code::InvalidInput, "{bad}");
        }
    }
}
