//! Identity pools (Cognito federated identities): from a user-pool ID token — or nobody, for
//! a guest — to temporary AWS credentials, with the "enhanced" (simplified) flow:
//!
//! ```text
//! POST https://cognito-identity.{region}.amazonaws.com/
//! X-Amz-Target: AWSCognitoIdentityService.GetId                      → {"IdentityId"}
//! X-Amz-Target: AWSCognitoIdentityService.GetCredentialsForIdentity  → {"Credentials"}
//! Logins: {"cognito-idp.{region}.amazonaws.com/{userPoolId}": idToken}   (absent for guests)
//! ```
//!
//! The `Logins` key is the ID token's `iss` without its scheme, as Cognito names the
//! provider (and Amplify builds the key): Cognito's own issuer unless the pool's tokens say
//! otherwise (the `issuer` option, an emulator's `{endpoint}/{poolId}`).
//!
//! Guest → signed in: when a signed-in user has no identity id yet and a guest identity id is
//! stored, the first GetCredentialsForIdentity sends the guest's id with the login. Cognito
//! links a login not linked yet to that identity, which keeps its id (developer guide,
//! "Switching unauthenticated users to authenticated users"), so data keyed by identity id
//! survives the sign-in; a login already linked gets its own identity back (the reply's
//! IdentityId, which is the one stored). The guest id is spent either way.
//!
//! Pure: [`CredentialsFlow`] is a state machine (`start` → request, `handle(reply)` → next
//! request / tokens needed / credentials); [`Cache`] is the renewal policy. Both calls are
//! public (unsigned).
//!
//! Rules: a stored identity id is tried first; `ResourceNotFoundException` for it (the pool
//! forgot it) drops it and runs GetId once more; `NotAuthorizedException` for an expired
//! ID token asks the caller once for fresh tokens ([`Step::NeedFreshTokens`]) and retries the
//! same call. Credentials are renewed before `Expiration` (5 minutes before, or a quarter of
//! their lifetime when that is shorter) and whenever the ID token they came from changes.
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::protocol::{self, is_region, parse_error, parse_success, ClientConfig, HttpRequest, HttpResponse};
use crate::refresh::FormRequest;
use crate::sigv4::Credentials;

pub const GET_ID: &str = "AWSCognitoIdentityService.GetId";
pub const GET_CREDENTIALS: &str = "AWSCognitoIdentityService.GetCredentialsForIdentity";
/// Renew this long before expiry at most (AWS SDKs use 5 minutes)…
pub const RENEW_MARGIN_MS: i64 = 300_000;

/// The identity pool, validated.
#[derive(Clone, Debug)]
pub struct IdentityConfig {
    pool_id: String,
    endpoint: String,
    /// STS, for the basic flow: `https://sts.{region}.amazonaws.com/` unless overridden.
    sts_endpoint: String,
}

impl IdentityConfig {
    /// `identity_pool_id` is `{region}:{uuid}`; `endpoint` defaults to
    /// `https://cognito-identity.{region}.amazonaws.com/` (`http://` only for loopback).
    pub fn new(identity_pool_id: &str, endpoint: Option<&str>) -> Result<IdentityConfig, Error> {
        let (region, _) = crate::encoding::cut(identity_pool_id, b':')
            .filter(|(r, id)| is_region(r) && !id.is_empty() && id.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-'))
            .ok_or_else(|| Error::invalid_input("identityPoolId must look like 'us-east-1:1a2b3c4d-…'"))?;
        let endpoint = protocol::service_endpoint(
            endpoint,
            "https://cognito-identity.",
            region,
            "identityEndpoint must be an https:// URL (http:// only for localhost)",
        )?;
        let mut sts_endpoint = String::from("https://sts.");
        sts_endpoint.push_str(region);
        sts_endpoint.push_str(".amazonaws.com/");
        Ok(IdentityConfig { pool_id: String::from(identity_pool_id), endpoint, sts_endpoint })
    }
    /// The STS endpoint for the basic flow (`stsEndpoint`; `http://` only for loopback).
    pub fn with_sts_endpoint(mut self, endpoint: Option<&str>) -> Result<IdentityConfig, Error> {
        if endpoint.is_some() {
            self.sts_endpoint = protocol::service_endpoint(
                endpoint,
                "",
                "",
                "stsEndpoint must be an https:// URL (http:// only for localhost)",
            )?;
        }
        Ok(self)
    }
    pub fn sts_endpoint(&self) -> &str {
        &self.sts_endpoint
    }
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }
    pub fn region(&self) -> &str {
        crate::encoding::cut(&self.pool_id, b':').map_or(self.pool_id.as_str(), |(r, _)| r)
    }
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
    /// Where a guest identity id is kept — Amplify v6's key, so both share it.
    pub fn guest_id_key(&self) -> String {
        let mut k = String::from("com.amplify.Cognito.");
        k.push_str(&self.pool_id);
        k.push_str(".identityId");
        k
    }
}

/// A signed-in user's login for the `Logins` map.
#[derive(Clone)]
pub struct Login {
    /// `cognito-idp.{region}.amazonaws.com/{userPoolId}`
    pub provider: String,
    pub id_token: String,
    /// The ID token's expiry, local clock, milliseconds.
    pub id_expires_at_ms: i64,
}

impl core::fmt::Debug for Login {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Login").field("provider", &self.provider).finish_non_exhaustive()
    }
}

impl Login {
    /// The provider is the token's `iss` without `https://` (one of the issuers the pool's
    /// tokens may carry, see `idtoken::issuers`), else Cognito's name for the pool.
    pub fn new(pool: &ClientConfig, id_token: &str, id_expires_at_ms: i64) -> Login {
        let iss = crate::jwt::decode(id_token).and_then(|j| j.str_claim("iss").map(String::from));
        let provider = match iss.filter(|i| crate::idtoken::issuers(pool).iter().any(|a| a == i)) {
            Some(i) => String::from(i.strip_prefix("https://").or_else(|| i.strip_prefix("http://")).unwrap_or(&i)),
            None => {
                let aws = crate::idtoken::aws_issuer(pool);
                String::from(aws.strip_prefix("https://").unwrap_or(&aws))
            }
        };
        Login { provider, id_token: String::from(id_token), id_expires_at_ms }
    }
}

/// Temporary credentials and the identity they belong to. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct AwsCredentials {
    pub credentials: Credentials,
    /// `Expiration`, milliseconds since the epoch (the service's clock).
    pub expiration_ms: i64,
    pub identity_id: String,
    /// When they arrived (local clock): with `expiration_ms`, their lifetime.
    pub received_at_ms: i64,
    /// How far the local clock is ahead of the service's (milliseconds; the session's
    /// `clockDrift` they were fetched for, 0 for a guest): what `needs_renewal` and the SigV4
    /// date subtract from the local time.
    pub clock_drift_ms: i64,
}

impl AwsCredentials {
    /// `local_ms` on the service's clock.
    pub fn service_time(&self, local_ms: i64) -> i64 {
        local_ms.saturating_sub(self.clock_drift_ms)
    }

    /// True when they should be renewed at `now_ms` (local clock).
    pub fn needs_renewal(&self, now_ms: i64) -> bool {
        let lifetime = self.expiration_ms.saturating_sub(self.service_time(self.received_at_ms)).max(0);
        let margin = RENEW_MARGIN_MS.min(lifetime / 4);
        self.service_time(now_ms) >= self.expiration_ms.saturating_sub(margin)
    }
}

fn request(
    cfg: &IdentityConfig,
    target: &'static str,
    identity_id: Option<&str>,
    login: Option<&Login>,
) -> HttpRequest {
    // Written straight from the fields (the bytes of the `Json` tree, see the tests), not
    // built as a tree first.
    let (key, value) = match identity_id {
        Some(id) => ("{\"IdentityId\":", id),
        None => ("{\"IdentityPoolId\":", cfg.pool_id()),
    };
    let mut body = String::from(key);
    json::write_str(&mut body, value);
    if let Some(l) = login {
        body.push_str(",\"Logins\":{");
        json::write_str(&mut body, &l.provider);
        body.push(':');
        json::write_str(&mut body, &l.id_token);
        body.push('}');
    }
    body.push('}');
    HttpRequest { url: String::from(cfg.endpoint()), operation: target, body }
}

/// `GetId`: the identity id for `login` (or a new guest identity).
pub fn get_id_request(cfg: &IdentityConfig, login: Option<&Login>) -> HttpRequest {
    request(cfg, GET_ID, None, login)
}

/// `GetCredentialsForIdentity` for `identity_id`.
pub fn get_credentials_request(cfg: &IdentityConfig, identity_id: &str, login: Option<&Login>) -> HttpRequest {
    request(cfg, GET_CREDENTIALS, Some(identity_id), login)
}

pub fn parse_get_id(resp: &HttpResponse) -> Result<String, Error> {
    parse_get_id_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_get_id_body(resp: &HttpResponse) -> Result<String, Error> {
    let v = parse_success(resp)?;
    v.str_field("IdentityId")
        .filter(|id| !id.is_empty())
        .map(String::from)
        .ok_or_else(|| Error::invalid_response("GetId's reply has no IdentityId"))
}

pub use crate::timestamp::epoch_seconds_to_ms;

pub fn parse_credentials(resp: &HttpResponse, now_ms: i64) -> Result<AwsCredentials, Error> {
    parse_credentials_body(resp, now_ms).map_err(|e| e.for_reply(resp.status))
}

fn parse_credentials_body(resp: &HttpResponse, now_ms: i64) -> Result<AwsCredentials, Error> {
    let v = parse_success(resp)?;
    let bad = || Error::invalid_response("GetCredentialsForIdentity's reply lacks IdentityId or Credentials");
    let identity_id = v.str_field("IdentityId").filter(|s| !s.is_empty()).ok_or_else(bad)?;
    let c = v.get("Credentials").ok_or_else(bad)?;
    let (Some(akid), Some(secret), Some(token)) =
        (c.str_field("AccessKeyId"), c.str_field("SecretKey"), c.str_field("SessionToken"))
    else {
        return Err(bad());
    };
    let expiration_ms = match c.get("Expiration") {
        Some(Json::Num(t)) => epoch_seconds_to_ms(t),
        _ => None,
    }
    .ok_or_else(|| Error::invalid_response("GetCredentialsForIdentity's reply has no valid Expiration"))?;
    Ok(AwsCredentials {
        credentials: Credentials {
            access_key_id: String::from(akid),
            secret_access_key: String::from(secret),
            session_token: Some(String::from(token)),
        },
        expiration_ms,
        identity_id: String::from(identity_id),
        received_at_ms: now_ms,
        clock_drift_ms: 0,
    })
}

fn is_code(e: &Error, code: &str) -> bool {
    matches!(&e.code, Code::Service(c) if c == code)
}

enum Stage {
    GetId,
    /// GetCredentialsForIdentity, or in the basic flow GetOpenIdToken, for this identity.
    GetCredentials(String),
    /// The basic flow: STS AssumeRoleWithWebIdentity for this identity is in flight.
    AssumeRole(String),
}

/// One run of GetId (when needed) + GetCredentialsForIdentity. Each step consumes the flow.
pub struct CredentialsFlow {
    cfg: IdentityConfig,
    login: Option<Login>,
    stage: Stage,
    /// The stored identity id was already dropped once.
    dropped_identity: bool,
    /// The first GetCredentialsForIdentity carries a guest's identity id to link to the login.
    linking: bool,
    /// Fresh tokens were already asked for once.
    refreshed: bool,
    /// The basic (classic) flow: GetOpenIdToken, then STS for this role.
    role: Option<String>,
}

/// What to do after a reply.
pub enum Step {
    Send(CredentialsFlow, HttpRequest),
    /// The basic flow: send STS `AssumeRoleWithWebIdentity` (form POST, unsigned).
    Sts(CredentialsFlow, FormRequest),
    /// The ID token expired: get fresh tokens and call [`CredentialsFlow::retry_with`].
    NeedFreshTokens(CredentialsFlow),
    /// Done. `identity_id` in the credentials is the one to store (it replaces any other).
    Done(AwsCredentials),
}

impl CredentialsFlow {
    /// Starts with the stored identity id when there is one, else with GetId.
    pub fn start(
        cfg: &IdentityConfig,
        login: Option<Login>,
        stored_identity_id: Option<&str>,
    ) -> (CredentialsFlow, HttpRequest) {
        Self::start_linking(cfg, login, stored_identity_id, None)
    }

    /// As [`start`](Self::start); a signed-in user without a stored identity id and a stored
    /// `guest_identity_id` starts with GetCredentialsForIdentity(guest id, login): Cognito
    /// links the guest identity to a login not linked yet (see the module docs). If Cognito
    /// refuses that id (unknown, or linked to someone else) the flow goes on with GetId.
    pub fn start_linking(
        cfg: &IdentityConfig,
        login: Option<Login>,
        stored_identity_id: Option<&str>,
        guest_identity_id: Option<&str>,
    ) -> (CredentialsFlow, HttpRequest) {
        let guest = guest_identity_id.filter(|g| !g.is_empty() && login.is_some());
        let (stage, linking) = match (stored_identity_id.filter(|s| !s.is_empty()), guest) {
            (Some(id), _) => (Stage::GetCredentials(String::from(id)), false),
            (None, Some(g)) => (Stage::GetCredentials(String::from(g)), true),
            (None, None) => (Stage::GetId, false),
        };
        let flow = CredentialsFlow {
            cfg: cfg.clone(),
            login,
            stage,
            dropped_identity: false,
            refreshed: false,
            linking,
            role: None,
        };
        let req = flow.current_request();
        (flow, req)
    }

    /// The basic (classic) flow for `role_arn` (see [`valid_role_arn`]): GetId unless an
    /// identity id is stored, GetOpenIdToken, then STS `AssumeRoleWithWebIdentity`
    /// ([`Step::Sts`]). No guest identity is offered for linking here.
    pub fn start_basic(
        cfg: &IdentityConfig,
        login: Option<Login>,
        stored_identity_id: Option<&str>,
        role_arn: &str,
    ) -> (CredentialsFlow, HttpRequest) {
        let (mut flow, _) = Self::start_linking(cfg, login, stored_identity_id, None);
        flow.role = Some(String::from(role_arn));
        let req = flow.current_request();
        (flow, req)
    }

    fn current_request(&self) -> HttpRequest {
        match &self.stage {
            Stage::GetId => get_id_request(&self.cfg, self.login.as_ref()),
            // After STS, only a fresh start of the token step makes sense.
            Stage::GetCredentials(id) | Stage::AssumeRole(id) => match &self.role {
                Some(_) => get_open_id_token_request(&self.cfg, id, self.login.as_ref()),
                None => get_credentials_request(&self.cfg, id, self.login.as_ref()),
            },
        }
    }

    /// The identity id a failed GetCredentialsForIdentity was dropped for, if any: the caller
    /// removes it from storage.
    pub fn dropped_identity(&self) -> bool {
        self.dropped_identity
    }

    /// True while the request in flight tries to link the guest's identity id.
    pub fn linking(&self) -> bool {
        self.linking
    }

    pub fn handle(self, resp: &HttpResponse, now_ms: i64) -> Result<Step, Error> {
        self.handle_reply(resp, now_ms).map_err(|e| e.for_reply(resp.status))
    }

    fn handle_reply(mut self, resp: &HttpResponse, now_ms: i64) -> Result<Step, Error> {
        if let Stage::AssumeRole(id) = &self.stage {
            return Ok(Step::Done(parse_assume_role(resp, id, now_ms)?));
        }
        let ok = (200..300).contains(&resp.status);
        if !ok {
            let err = parse_error(resp);
            let token_expired = self.login.as_ref().is_some_and(|l| {
                l.id_expires_at_ms <= now_ms
                    || err.message.as_bytes().windows(7).any(|w| w.eq_ignore_ascii_case(b"expired"))
            });
            // The guest's id could not be linked (forgotten, or linked to another login):
            // the user's own identity, from GetId.
            let refused = is_code(&err, "ResourceNotFoundException")
                || (is_code(&err, "NotAuthorizedException") && !token_expired);
            if self.linking && refused {
                self.linking = false;
                self.stage = Stage::GetId;
                let req = self.current_request();
                return Ok(Step::Send(self, req));
            }
            if is_code(&err, "ResourceNotFoundException")
                && matches!(self.stage, Stage::GetCredentials(_))
                && !self.dropped_identity
            {
                self.dropped_identity = true;
                self.stage = Stage::GetId;
                let req = self.current_request();
                return Ok(Step::Send(self, req));
            }
            if is_code(&err, "NotAuthorizedException") && token_expired && !self.refreshed {
                self.refreshed = true;
                return Ok(Step::NeedFreshTokens(self));
            }
            return Err(err);
        }
        match self.stage {
            Stage::GetId => {
                let id = parse_get_id(resp)?;
                self.stage = Stage::GetCredentials(id);
                let req = self.current_request();
                Ok(Step::Send(self, req))
            }
            Stage::GetCredentials(_) => match self.role.take() {
                Some(role) => {
                    let (id, token) = parse_open_id_token(resp)?;
                    let req = assume_role_request(&self.cfg, &role, &token);
                    self.role = Some(role);
                    self.stage = Stage::AssumeRole(id);
                    Ok(Step::Sts(self, req))
                }
                None => Ok(Step::Done(parse_credentials(resp, now_ms)?)),
            },
            Stage::AssumeRole(_) => Err(Error::invalid_response("unexpected reply")),
        }
    }

    /// Continues after [`Step::NeedFreshTokens`] with the new login (the same call again).
    pub fn retry_with(mut self, login: Login) -> (CredentialsFlow, HttpRequest) {
        self.login = Some(login);
        let req = self.current_request();
        (self, req)
    }
}

/// The in-memory credentials cache: credentials plus what they were obtained for — the
/// enhanced flow's set and one set per role of the basic flow, all for the same login.
#[derive(Default)]
pub struct Cache {
    entries: alloc::vec::Vec<(String, AwsCredentials)>,
}

/// Roles kept per login at most (the oldest set goes first).
pub const CACHED_ROLES: usize = 8;

/// What the cache is keyed by: the ID token (so new tokens mean new credentials), or
/// `"guest"`; for the basic flow, that and the role (`{login}\n{roleArn}`).
pub fn cache_key(login: Option<&Login>) -> String {
    match login {
        Some(l) => crate::encoding::hex_encode(&crate::srp::sha256(&[l.id_token.as_bytes()])),
        None => String::from("guest"),
    }
}

/// The cache key of the basic flow's credentials for `role` (none: the enhanced flow's).
pub fn role_cache_key(login: Option<&Login>, role: Option<&str>) -> String {
    let mut k = cache_key(login);
    if let Some(r) = role {
        k.push('\n');
        k.push_str(r);
    }
    k
}

fn login_part(key: &str) -> &str {
    crate::encoding::cut(key, b'\n').map_or(key, |(k, _)| k)
}

impl Cache {
    /// Cached credentials for `key` that need no renewal at `now_ms`.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<&AwsCredentials> {
        self.entries.iter().find(|(k, c)| k == key && !c.needs_renewal(now_ms)).map(|(_, c)| c)
    }
    /// Stores `creds` for `key`; sets for another login (older tokens, or a guest) go.
    pub fn put(&mut self, key: String, creds: AwsCredentials) {
        self.entries.retain(|(k, _)| login_part(k) == login_part(&key) && *k != key);
        if self.entries.len() >= CACHED_ROLES {
            self.entries.remove(0);
        }
        self.entries.push((key, creds));
    }
    /// Whatever was cached last, fresh or not (the result of the flight that just ended).
    pub fn latest(&self) -> Option<&AwsCredentials> {
        self.entries.last().map(|(_, c)| c)
    }
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

// ---- the basic (classic) flow ---------------------------------------------------------
//
// ```text
// POST https://cognito-identity.{region}.amazonaws.com/
// X-Amz-Target: AWSCognitoIdentityService.GetOpenIdToken  {"IdentityId","Logins"} → {"IdentityId","Token"}
// POST https://sts.{region}.amazonaws.com/   (query protocol: a form, unsigned, XML reply)
// Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=…&RoleSessionName=…&WebIdentityToken=…
//   → <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
//       <AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration>ISO 8601</Expiration>
//   ✗ <ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse>
// ```
//
// Cognito refuses GetOpenIdToken with `InvalidParameterException` ("Basic (classic) flow is
// not enabled, please use enhanced flow.") when the pool's `AllowClassicFlow` is off; STS
// decides which roles the token may assume (the roles' trust policies).

pub const GET_OPEN_ID_TOKEN: &str = "AWSCognitoIdentityService.GetOpenIdToken";
/// The STS action; also the operation's name for the retry policy (never repeated).
pub const ASSUME_ROLE: &str = "AssumeRoleWithWebIdentity";
/// `RoleSessionName` (STS: 2–64 of `[\w+=,.@-]`), shown in the role session's ARN.
pub const ROLE_SESSION_NAME: &str = "cognito-wasm";

/// An IAM role ARN as STS takes it: `arn:{partition}:iam::{12-digit account}:role/{path}{name}`.
pub fn valid_role_arn(arn: &str) -> bool {
    let mut p = crate::encoding::split_byte(arn, b':');
    let parts = (p.next(), p.next(), p.next(), p.next(), p.next(), p.next(), p.next());
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource), None) = parts else {
        return false;
    };
    (20..=2048).contains(&arn.len())
        && partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|c| c.is_ascii_digit())
        && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty() && !n.ends_with('/'))
        && resource.bytes().all(|c| c.is_ascii_alphanumeric() || b"/+=,.@_-".contains(&c))
}

/// `GetOpenIdToken` for `identity_id` (with the login, or none for a guest).
pub fn get_open_id_token_request(cfg: &IdentityConfig, identity_id: &str, login: Option<&Login>) -> HttpRequest {
    request(cfg, GET_OPEN_ID_TOKEN, Some(identity_id), login)
}

/// GetOpenIdToken's reply: the identity id and the OpenID token.
pub fn parse_open_id_token(resp: &HttpResponse) -> Result<(String, String), Error> {
    let v = parse_success(resp).map_err(|e| e.for_reply(resp.status))?;
    match (v.str_field("IdentityId"), v.str_field("Token")) {
        (Some(id), Some(t)) if !id.is_empty() && !t.is_empty() => Ok((String::from(id), String::from(t))),
        _ => Err(Error::invalid_response("GetOpenIdToken's reply lacks IdentityId or Token").with_status(resp.status)),
    }
}

/// STS `AssumeRoleWithWebIdentity` with the OpenID token: a form POST, unsigned.
pub fn assume_role_request(cfg: &IdentityConfig, role_arn: &str, token: &str) -> FormRequest {
    let mut body = String::from("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=");
    crate::encoding::percent_encode_into(&mut body, role_arn);
    body.push_str("&RoleSessionName=");
    body.push_str(ROLE_SESSION_NAME);
    body.push_str("&WebIdentityToken=");
    crate::encoding::percent_encode_into(&mut body, token);
    FormRequest { url: String::from(cfg.sts_endpoint()), body, authorization: None }
}

const RESULT: [&str; 3] = ["AssumeRoleWithWebIdentityResponse", "AssumeRoleWithWebIdentityResult", "Credentials"];

/// STS's reply → the credentials of `identity_id`; an `<ErrorResponse>` → the service error.
pub fn parse_assume_role(resp: &HttpResponse, identity_id: &str, now_ms: i64) -> Result<AwsCredentials, Error> {
    let bad = |m| Error::invalid_response(m).with_status(resp.status);
    let ok = (200..300).contains(&resp.status);
    let (parent, leaves): (&[&str], &[&str]) = match ok {
        true => (&RESULT, &["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]),
        false => (&["ErrorResponse", "Error"], &["Code", "Message"]),
    };
    let mut v = xml_values(&resp.body, parent, leaves).ok_or_else(|| bad("STS's reply is not the XML it should be"))?;
    if !ok {
        let (code, message) = (&v[0], v[1].trim_ascii());
        if code.is_empty()
            || code.len() > 128
            || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        {
            return Err(bad("STS replied with an error and no error code"));
        }
        let message = protocol::truncate(if message.is_empty() { code } else { message }, 500);
        return Err(Error::new(Code::Service(code.clone()), message).with_status(resp.status));
    }
    let expiration_ms = iso8601_to_ms(&v[3])
        .filter(|_| v[..3].iter().all(|x| !x.is_empty()))
        .ok_or_else(|| bad("STS's reply lacks Credentials or a valid Expiration"))?;
    let mut take = |i: usize| core::mem::take(&mut v[i]);
    Ok(AwsCredentials {
        credentials: Credentials { access_key_id: take(0), secret_access_key: take(1), session_token: Some(take(2)) },
        expiration_ms,
        identity_id: String::from(identity_id),
        received_at_ms: now_ms,
        clock_drift_ms: 0,
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (or `+00:00`), as AWS's XML timestamps are → ms since
/// the epoch. No floats; out-of-range fields are `None`.
pub fn iso8601_to_ms(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let s = b.get(from..to)?;
        s.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = t.get(19..)?;
    let mut ms = 0;
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        let mut scaled = num(20, 20 + n.min(3))?;
        for _ in n..3 {
            scaled *= 10;
        }
        ms = scaled;
        rest = f.get(n..)?;
    }
    if !matches!(rest, "Z" | "z" | "+00:00") {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), March-based years.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some((((days * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms)
}

/// Elements deeper than this are refused (the replies read here are 4 deep).
const XML_MAX_DEPTH: usize = 16;

/// Appends `raw` text with XML's five named entities and character references decoded.
fn xml_text(out: &mut String, raw: &str) -> Option<()> {
    let b = raw.as_bytes();
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        if b[i] != b'&' {
            i += 1;
            continue;
        }
        out.push_str(raw.get(plain..i)?);
        let end = i + 1 + b.get(i + 1..)?.iter().position(|&c| c == b';')?;
        let c = match b.get(i + 1..end)? {
            b"amp" => '&',
            b"lt" => '<',
            b"gt" => '>',
            b"quot" => '"',
            b"apos" => '\'',
            [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() && hex.len() <= 6 => {
                char::from_u32(hex.iter().try_fold(0u32, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))?)?
            }
            [b'#', dec @ ..] if !dec.is_empty() && dec.len() <= 7 => {
                char::from_u32(dec.iter().try_fold(0u32, |n, &c| Some(n * 10 + char::from(c).to_digit(10)?))?)?
            }
            _ => return None,
        };
        out.push(c);
        i = end + 1;
        plain = i;
    }
    out.push_str(raw.get(plain..)?);
    Some(())
}

/// The text of the elements named `leaves` directly under the element at `parent` (local
/// names from the root; namespace prefixes and attributes ignored), the first of each, `""`
/// when absent. Reads what AWS's query-protocol replies use of XML 1.0: a declaration,
/// comments, attributes, self-closing elements, CDATA, entities and character references;
/// refuses a DOCTYPE (no entity expansion), tags that do not nest, text outside the root and
/// more than [`XML_MAX_DEPTH`] levels. `None`: not such XML.
pub fn xml_values(doc: &str, parent: &[&str], leaves: &[&str]) -> Option<alloc::vec::Vec<String>> {
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    let b = doc.as_bytes();
    let mut out: alloc::vec::Vec<Option<String>> = alloc::vec![None; leaves.len()];
    let mut stack: alloc::vec::Vec<&str> = alloc::vec::Vec::new();
    let mut text = String::new();
    let mut roots = 0;
    let mut i = 0;
    while i < b.len() {
        let rest = b.get(i..)?;
        let (skip, close) = match rest {
            [b'<', b'?', ..] => (2, &b"?>"[..]),
            [b'<', b'!', b'-', b'-', ..] => (4, &b"-->"[..]),
            [b'<', b'!', b'[', b'C', b'D', b'A', b'T', b'A', b'[', ..] => (9, &b"]]>"[..]),
            [b'<', b'!', ..] => return None,
            [b'<', ..] => (1, &b">"[..]),
            _ => (0, &b"<"[..]),
        };
        // Where this piece ends (a tag's `>` outside a quoted attribute value).
        let mut quote = 0u8;
        let mut j = i + skip;
        while !(quote == 0 && b.get(j..)?.starts_with(close)) {
            match (quote, *b.get(j)?) {
                (0, q @ (b'"' | b'\'')) if close == b">" => quote = q,
                (q, c) if q == c => quote = 0,
                _ => {}
            }
            j += 1;
            if skip == 0 && j == b.len() {
                break;
            }
        }
        let inner = doc.get(i + skip..j)?;
        i = if skip == 0 { j } else { j + close.len() };
        match skip {
            // Text outside the root: whitespace only.
            0 if stack.is_empty() && !inner.bytes().all(|c| c.is_ascii_whitespace()) => return None,
            0 if stack.is_empty() => {}
            0 => xml_text(&mut text, inner)?,
            9 if stack.is_empty() => return None,
            9 => text.push_str(inner),
            1 => {
                let (closing, tag) = match inner.strip_prefix('/') {
                    Some(t) => (true, t),
                    None => (false, inner),
                };
                let (empty, tag) = match tag.strip_suffix('/') {
                    Some(t) if !closing => (true, t),
                    _ => (false, tag),
                };
                let end = tag.bytes().position(|c| c.is_ascii_whitespace()).unwrap_or(tag.len());
                let name = tag.get(..end)?;
                let name = name.get(name.bytes().rposition(|c| c == b':').map_or(0, |k| k + 1)..)?;
                if name.is_empty() || (closing && !tag.get(end..)?.bytes().all(|c| c.is_ascii_whitespace())) {
                    return None;
                }
                if closing {
                    if stack.pop()? != name {
                        return None;
                    }
                } else {
                    roots += usize::from(stack.is_empty());
                    if roots > 1 || stack.len() >= XML_MAX_DEPTH {
                        return None;
                    }
                    text.clear();
                }
                if closing || empty {
                    // A leaf's text (the last text seen): kept when it is a wanted one.
                    if stack.as_slice() == parent {
                        if let Some(k) = leaves.iter().position(|l| *l == name) {
                            out[k].get_or_insert_with(|| core::mem::take(&mut text));
                        }
                    }
                    text.clear();
                } else {
                    stack.push(name);
                }
            }
            _ => {}
        }
    }
    (stack.is_empty() && roots == 1).then(|| out.into_iter().map(Option::unwrap_or_default).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "us-east-1:0a1b2c3d-0000-4000-8000-00000000e001";

    fn cfg() -> IdentityConfig {
        IdentityConfig::new(POOL, None).unwrap()
    }

    /// What `request` wrote before it wrote its body straight: the `Json` tree.
    fn tree_body(cfg: &IdentityConfig, identity_id: Option<&str>, login: Option<&Login>) -> String {
        let mut members: Vec<(String, Json)> = Vec::new();
        match identity_id {
            Some(id) => members.push((String::from("IdentityId"), Json::Str(String::from(id)))),
            None => members.push((String::from("IdentityPoolId"), Json::Str(String::from(cfg.pool_id())))),
        }
        if let Some(l) = login {
            members.push((String::from("Logins"), json::str_object(&[(l.provider.as_str(), l.id_token.as_str())])));
        }
        Json::Obj(members).to_text()
    }

    #[test]
    fn bodies_are_the_json_trees_bytes() {
        let mut odd = login(5);
        odd.id_token = String::from("a\"b\\c\u{1}\u{2028}");
        for l in [None, Some(&login(5)), Some(&odd)] {
            assert_eq!(get_id_request(&cfg(), l).body, tree_body(&cfg(), None, l));
            for id in ["us-east-1:x", "q\"\n"] {
                assert_eq!(get_credentials_request(&cfg(), id, l).body, tree_body(&cfg(), Some(id), l));
            }
        }
        assert_eq!(
            get_credentials_request(&cfg(), "us-east-1:x", Some(&login(5))).body,
            r#"{"IdentityId":"us-east-1:x","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01":"id.token.jwt"}}"#
        );
    }
    fn login(exp: i64) -> Login {
        let up = ClientConfig::new("us-east-1_EmuPool01", "client1", None).unwrap();
        Login::new(&up, "id.token.jwt", exp)
    }
    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, body: body.into(), error_type: None, date_s: 0 }
    }
    const CREDS: &str = r#"{"IdentityId":"us-east-1:id-1","Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretKey":"sekrit","SessionToken":"tok","Expiration":1.7000036E9}}"#;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn config_and_requests() {
        let c = cfg();
        assert_eq!(c.region(), "us-east-1");
        assert_eq!(c.endpoint(), "https://cognito-identity.us-east-1.amazonaws.com/");
        assert_eq!(c.guest_id_key(), "com.amplify.Cognito.us-east-1:0a1b2c3d-0000-4000-8000-00000000e001.identityId");
        assert!(IdentityConfig::new(POOL, Some("http://127.0.0.1:9229/")).is_ok());
        for bad in ["us-east-1", ":abc", "us-east-1:", "us-east-1:not a uuid", "US:abc"] {
            assert_eq!(IdentityConfig::new(bad, None).unwrap_err().code, Code::InvalidInput, "{bad}");
        }
        assert!(IdentityConfig::new(POOL, Some("http://example.com/")).is_err());
        let r = get_id_request(&c, Some(&login(0)));
        assert_eq!(r.target_header(), "AWSCognitoIdentityService.GetId");
        assert_eq!(r.url, "https://cognito-identity.us-east-1.amazonaws.com/");
        assert_eq!(
            r.body,
            r#"{"IdentityPoolId":"us-east-1:0a1b2c3d-0000-4000-8000-00000000e001","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01":"id.token.jwt"}}"#
        );
        let r = get_credentials_request(&c, "us-east-1:id-1", None);
        assert_eq!(r.target_header(), "AWSCognitoIdentityService.GetCredentialsForIdentity");
        assert_eq!(r.body, r#"{"IdentityId":"us-east-1:id-1"}"#);
        assert!(!format!("{:?}", login(0)).contains("id.token"));
    }

    const ROLE: &str = "arn:aws:iam::123456789012:role/Reader";
    const STS_OK: &str = r#"<?xml version="1.0"?>
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>us-east-1:id-1</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Reader/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>FwoG&amp;tok&#x2F;&#61;</SessionToken>
      <SecretAccessKey><![CDATA[se<cr>et]]></SecretAccessKey>
      <Expiration>2023-11-14T23:13:20Z</Expiration>
      <AccessKeyId>ASIASTS</AccessKeyId>
    </Credentials>
    <!-- a comment -->
    <Provider/>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"#;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn basic_flow_requests_and_replies() {
        assert!(valid_role_arn(ROLE));
        assert!(valid_role_arn("arn:aws-cn:iam::123456789012:role/path/to/Name+=,.@_-"));
        for bad in [
            "",
            "Reader",
            "arn:aws:iam::123456789012:user/Reader",
            "arn:aws:iam::12345678901:role/Reader",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a b",
            "arn:aws:sts::123456789012:role/Reader",
            "arn:aws:iam::123456789012:role/R:x",
        ] {
            assert!(!valid_role_arn(bad), "{bad}");
        }
        let r = get_open_id_token_request(&cfg(), "us-east-1:id-1", Some(&login(5)));
        assert_eq!(r.target_header(), "AWSCognitoIdentityService.GetOpenIdToken");
        assert_eq!(r.body, tree_body(&cfg(), Some("us-east-1:id-1"), Some(&login(5))));
        let f = assume_role_request(&cfg(), ROLE, "a.b-_c");
        assert_eq!(f.url, "https://sts.us-east-1.amazonaws.com/");
        assert_eq!(
            f.body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FReader&RoleSessionName=cognito-wasm&WebIdentityToken=a.b-_c"
        );
        assert!(f.authorization.is_none());
        let emu = cfg().with_sts_endpoint(Some("http://127.0.0.1:9229/")).unwrap();
        assert_eq!(assume_role_request(&emu, ROLE, "t").url, "http://127.0.0.1:9229/");
        assert_eq!(cfg().with_sts_endpoint(Some("http://example.com/")).unwrap_err().code, Code::InvalidInput);

        let c = parse_assume_role(&resp(200, STS_OK), "us-east-1:id-1", 7).unwrap();
        assert_eq!(c.credentials.access_key_id, "ASIASTS");
        assert_eq!(c.credentials.secret_access_key, "se<cr>et");
        assert_eq!(c.credentials.session_token.as_deref(), Some("FwoG&tok/="));
        assert_eq!(c.expiration_ms, 1_700_003_600_000);
        assert_eq!((c.identity_id.as_str(), c.received_at_ms), ("us-east-1:id-1", 7));
        let err = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error>
  <RequestId>r</RequestId></ErrorResponse>"#;
        let e = parse_assume_role(&resp(403, err), "x", 0).unwrap_err();
        assert_eq!(e.code, Code::Service("AccessDenied".into()));
        assert_eq!(e.message, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        assert_eq!(e.status, Some(403));
        for (status, body) in [
            (200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"),
            (200, "not xml"),
            (200, "<a></b>"),
            (200, "<a/><b/>"),
            (200, "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"),
            (200, &STS_OK.replace("2023-11-14T23:13:20Z", "yesterday")),
            (200, &STS_OK.replace("<AccessKeyId>ASIASTS</AccessKeyId>", "")),
            (200, &STS_OK.replace("&amp;", "&bogus;")),
            (400, "<ErrorResponse><Error><Message>m</Message></Error></ErrorResponse>"),
            (503, "<html>Service Unavailable"),
        ] {
            let e = parse_assume_role(&resp(status, body), "x", 0).unwrap_err();
            assert_eq!((e.code, e.status), (Code::InvalidResponse, Some(status)), "{body}");
        }
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(xml_values(&deep, &[], &["a"]).is_none());
        let doc = "<p:a x='>' y=\"1\"><p:b>1</p:b><b>2</b><c><b>3</b></c><d/></p:a >\n";
        assert_eq!(xml_values(doc, &["a"], &["b", "d", "e"]), Some(vec!["1".into(), String::new(), String::new()]));
        assert_eq!(xml_values(doc, &["a", "c"], &["b"]), Some(vec!["3".into()]));
        for bad in [
            "",
            "<a>",
            "<a></a>x",
            "<a><![CDATA[x]]></b>",
            "<a x='>",
            "<a></ a>",
            "<a></a b>",
            "< a/>",
            "<a><!-- x </a>",
        ] {
            assert_eq!(xml_values(bad, &["a"], &["b"]), None, "{bad}");
        }

        assert_eq!(iso8601_to_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(iso8601_to_ms("2023-11-14T22:13:20.5Z"), Some(1_700_000_000_500));
        assert_eq!(iso8601_to_ms("2024-02-29T12:00:00.123456+00:00"), Some(1_709_208_000_123));
        for bad in [
            "",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-13-14T22:13:20Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20+01:00",
            "２０２３-11-14T22:13:20Z",
        ] {
            assert_eq!(iso8601_to_ms(bad), None, "{bad}");
        }
    }

    /// GetId → GetOpenIdToken → STS; an expired ID token at GetOpenIdToken asks for fresh
    /// tokens once; a stored identity the pool forgot is dropped once.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn flow_basic() {
        let (flow, req) = CredentialsFlow::start_basic(&cfg(), Some(login(i64::MAX)), None, ROLE);
        assert_eq!(req.operation, GET_ID);
        let Step::Send(flow, req) = flow.handle(&resp(200, r#"{"IdentityId":"us-east-1:id-1"}"#), 0).unwrap() else {
            panic!()
        };
        assert_eq!(req.operation, GET_OPEN_ID_TOKEN);
        let expired =
            resp(400, r#"{"__type":"NotAuthorizedException","message":"Invalid login token. Token expired: 1 >= 0"}"#);
        let Step::NeedFreshTokens(flow) = flow.handle(&expired, 0).unwrap() else { panic!() };
        let (flow, req) = flow.retry_with(login(i64::MAX));
        assert_eq!(req.operation, GET_OPEN_ID_TOKEN);
        let reply = resp(200, r#"{"IdentityId":"us-east-1:id-1","Token":"open.id.token"}"#);
        let Step::Sts(flow, f) = flow.handle(&reply, 0).unwrap() else { panic!() };
        assert!(f.body.ends_with("&WebIdentityToken=open.id.token"));
        let Step::Done(c) = flow.handle(&resp(200, STS_OK), 9).unwrap() else { panic!() };
        assert_eq!((c.credentials.access_key_id.as_str(), c.identity_id.as_str()), ("ASIASTS", "us-east-1:id-1"));
        // Refused by Cognito (classic flow off) or STS: the service's error.
        let (flow, req) = CredentialsFlow::start_basic(&cfg(), None, Some("us-east-1:g"), ROLE);
        assert_eq!(req.operation, GET_OPEN_ID_TOKEN);
        assert_eq!(req.body, r#"{"IdentityId":"us-east-1:g"}"#);
        let off = resp(
            400,
            r#"{"__type":"InvalidParameterException","message":"Basic (classic) flow is not enabled, please use enhanced flow."}"#,
        );
        assert_eq!(flow.handle(&off, 0).err().unwrap().code, Code::Service("InvalidParameterException".into()));
        let (flow, _) = CredentialsFlow::start_basic(&cfg(), None, Some("us-east-1:stale"), ROLE);
        let not_found = resp(400, r#"{"__type":"ResourceNotFoundException","message":"Identity not found."}"#);
        let Step::Send(flow, req) = flow.handle(&not_found, 0).unwrap() else { panic!() };
        assert!(flow.dropped_identity() && req.operation == GET_ID);
        let (flow, _) = CredentialsFlow::start_basic(&cfg(), None, Some("us-east-1:g"), ROLE);
        let Step::Sts(flow, _) = flow.handle(&reply, 0).unwrap() else { panic!() };
        let e = flow
            .handle(&resp(400, "<ErrorResponse><Error><Code>ExpiredTokenException</Code></Error></ErrorResponse>"), 0);
        let e = e.err().unwrap();
        assert_eq!(
            (e.code, e.message.as_str()),
            (Code::Service("ExpiredTokenException".into()), "ExpiredTokenException")
        );
        let (flow, _) = CredentialsFlow::start_basic(&cfg(), None, Some("us-east-1:g"), ROLE);
        assert_eq!(flow.handle(&resp(200, r#"{"IdentityId":"x"}"#), 0).err().unwrap().code, Code::InvalidResponse);
    }

    /// One set per role next to the enhanced flow's; another login's sets go.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn cache_per_role() {
        let c = parse_assume_role(&resp(200, STS_OK), "i", 1_700_000_000_000).unwrap();
        let now = 1_700_000_000_000;
        let l = login(0);
        let mut other = login(0);
        other.id_token = "other".into();
        let mut cache = Cache::default();
        let (plain, a, b) = (
            role_cache_key(Some(&l), None),
            role_cache_key(Some(&l), Some(ROLE)),
            role_cache_key(Some(&l), Some("r2")),
        );
        assert_eq!(plain, cache_key(Some(&l)));
        cache.put(plain.clone(), c.clone());
        cache.put(a.clone(), c.clone());
        assert!(cache.get(&plain, now).is_some() && cache.get(&a, now).is_some() && cache.get(&b, now).is_none());
        cache.put(role_cache_key(Some(&other), Some(ROLE)), c.clone());
        assert!(cache.get(&plain, now).is_none() && cache.get(&a, now).is_none());
        for i in 0..20 {
            cache.put(role_cache_key(Some(&l), Some(&format!("r{i}"))), c.clone());
        }
        assert_eq!(cache.entries.len(), CACHED_ROLES);
        assert!(cache.get(&role_cache_key(Some(&l), Some("r19")), now).is_some());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn timestamps() {
        assert_eq!(epoch_seconds_to_ms("1700000000"), Some(1_700_000_000_000));
        assert_eq!(epoch_seconds_to_ms("1.7000036E9"), Some(1_700_003_600_000));
        assert_eq!(epoch_seconds_to_ms("1700000000.1239"), Some(1_700_000_000_123));
        assert_eq!(epoch_seconds_to_ms("1.7e+9"), Some(1_700_000_000_000));
        assert_eq!(epoch_seconds_to_ms("17e8"), Some(1_700_000_000_000));
        for bad in ["", "-1", "1.2.3", "1e", "e5", "1e999", "x"] {
            assert_eq!(epoch_seconds_to_ms(bad), None, "{bad}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn flow_get_id_then_credentials() {
        let (flow, req) = CredentialsFlow::start(&cfg(), Some(login(i64::MAX)), None);
        assert_eq!(req.operation, GET_ID);
        let Step::Send(flow, req) = flow.handle(&resp(200, r#"{"IdentityId":"us-east-1:id-1"}"#), 0).unwrap() else {
            panic!()
        };
        assert_eq!(req.operation, GET_CREDENTIALS);
        assert!(req.body.starts_with(r#"{"IdentityId":"us-east-1:id-1","Logins":{"#));
        let Step::Done(c) = flow.handle(&resp(200, CREDS), 1_700_000_000_000).unwrap() else { panic!() };
        assert_eq!(c.identity_id, "us-east-1:id-1");
        assert_eq!(c.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(c.credentials.secret_access_key, "sekrit");
        assert_eq!(c.credentials.session_token.as_deref(), Some("tok"));
        assert_eq!(c.expiration_ms, 1_700_003_600_000);
        assert!(!format!("{c:?}").contains("sekrit"));
        // Malformed replies.
        let (flow, _) = CredentialsFlow::start(&cfg(), None, Some("us-east-1:id-1"));
        assert_eq!(
            flow.handle(&resp(200, r#"{"IdentityId":"x","Credentials":{"AccessKeyId":"a"}}"#), 0).err().unwrap().code,
            Code::InvalidResponse
        );
        let (flow, _) = CredentialsFlow::start(&cfg(), None, None);
        assert_eq!(flow.handle(&resp(200, "{}"), 0).err().unwrap().code, Code::InvalidResponse);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn forgotten_identity_is_dropped_once() {
        let not_found = resp(400, r#"{"__type":"ResourceNotFoundException","message":"Identity 'x' not found."}"#);
        let (flow, req) = CredentialsFlow::start(&cfg(), None, Some("us-east-1:stale"));
        assert_eq!(req.operation, GET_CREDENTIALS);
        let Step::Send(flow, req) = flow.handle(&not_found, 0).unwrap() else { panic!() };
        assert!(flow.dropped_identity());
        assert_eq!(req.operation, GET_ID);
        assert_eq!(req.body, r#"{"IdentityPoolId":"us-east-1:0a1b2c3d-0000-4000-8000-00000000e001"}"#);
        let Step::Send(flow, _) = flow.handle(&resp(200, r#"{"IdentityId":"us-east-1:new"}"#), 0).unwrap() else {
            panic!()
        };
        // A second not-found is an error, not a loop.
        assert_eq!(flow.handle(&not_found, 0).err().unwrap().code, Code::Service("ResourceNotFoundException".into()));
        // Not-found from GetId itself (a wrong pool id) is an error at once.
        let (flow, _) = CredentialsFlow::start(&cfg(), None, None);
        assert!(flow.handle(&not_found, 0).is_err());
    }

    /// A signed-in user with no identity id of their own and a stored guest id: the guest id
    /// goes to GetCredentialsForIdentity with the login (Cognito links it); a stored id of
    /// the user's own wins; a refused guest id falls back to GetId.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn guest_identity_is_offered_for_linking() {
        let (flow, req) = CredentialsFlow::start_linking(&cfg(), Some(login(i64::MAX)), None, Some("us-east-1:guest"));
        assert!(flow.linking());
        assert_eq!(req.operation, GET_CREDENTIALS);
        assert!(req.body.starts_with(r#"{"IdentityId":"us-east-1:guest","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01":"#), "{}", req.body);
        let linked = CREDS.replace("us-east-1:id-1", "us-east-1:guest");
        let Step::Done(c) = flow.handle(&resp(200, &linked), 0).unwrap() else { panic!() };
        assert_eq!(c.identity_id, "us-east-1:guest");
        // The user's own stored identity wins; guests without a login link nothing.
        let (flow, req) = CredentialsFlow::start_linking(
            &cfg(),
            Some(login(i64::MAX)),
            Some("us-east-1:mine"),
            Some("us-east-1:guest"),
        );
        assert!(!flow.linking() && req.body.contains("us-east-1:mine"));
        let (flow, req) = CredentialsFlow::start_linking(&cfg(), None, None, Some("us-east-1:guest"));
        assert!(!flow.linking() && req.operation == GET_ID);
        // Refused (linked to someone else, or forgotten): GetId with the login, then its identity.
        for refusal in [
            r#"{"__type":"NotAuthorizedException","message":"Invalid login token. Logins don't match."}"#,
            r#"{"__type":"ResourceNotFoundException","message":"Identity 'us-east-1:guest' not found."}"#,
        ] {
            let (flow, _) =
                CredentialsFlow::start_linking(&cfg(), Some(login(i64::MAX)), None, Some("us-east-1:guest"));
            let Step::Send(flow, req) = flow.handle(&resp(400, refusal), 0).unwrap() else { panic!() };
            assert!(!flow.linking() && !flow.dropped_identity());
            assert_eq!(req.operation, GET_ID);
            let Step::Send(flow, req) = flow.handle(&resp(200, r#"{"IdentityId":"us-east-1:own"}"#), 0).unwrap() else {
                panic!()
            };
            assert!(req.body.starts_with(r#"{"IdentityId":"us-east-1:own","Logins""#));
            assert!(matches!(flow.handle(&resp(200, CREDS), 0).unwrap(), Step::Done(_)));
        }
        // An expired token while linking: fresh tokens first, then the same linking call.
        let (flow, _) = CredentialsFlow::start_linking(&cfg(), Some(login(0)), None, Some("us-east-1:guest"));
        let expired =
            resp(400, r#"{"__type":"NotAuthorizedException","message":"Invalid login token. Token expired: 1 >= 0"}"#);
        let Step::NeedFreshTokens(flow) = flow.handle(&expired, 10).unwrap() else { panic!() };
        let (flow, req) = flow.retry_with(login(i64::MAX));
        assert!(flow.linking() && req.body.contains("us-east-1:guest"));
    }

    /// The Logins key is the token's `iss` without its scheme when it is one of the pool's
    /// issuers, else Cognito's provider name.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn logins_key_is_the_issuer_without_scheme() {
        use crate::encoding::base64url_encode;
        let token = |iss: &str| format!("e30.{}.c2ln", base64url_encode(format!(r#"{{"iss":"{iss}"}}"#).as_bytes()));
        let aws = "cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";
        let emu = ClientConfig::new("us-east-1_EmuPool01", "client1", Some("http://127.0.0.1:9229/")).unwrap();
        assert_eq!(Login::new(&emu, &token(&format!("https://{aws}")), 0).provider, aws);
        assert_eq!(
            Login::new(&emu, &token("http://127.0.0.1:9229/us-east-1_EmuPool01"), 0).provider,
            "127.0.0.1:9229/us-east-1_EmuPool01"
        );
        // A pool with Cognito's updated issuer: its `iss` as it is, as Amplify's formLoginsMap sends it.
        let updated = "issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";
        assert_eq!(Login::new(&emu, &token(&format!("https://{updated}")), 0).provider, updated);
        assert_eq!(Login::new(&emu, &token("https://evil.example/us-east-1_EmuPool01"), 0).provider, aws);
        assert_eq!(Login::new(&emu, "not a jwt", 0).provider, aws);
        let custom = emu.with_issuer(Some("https://auth.example.com/p")).unwrap();
        assert_eq!(Login::new(&custom, &token("https://auth.example.com/p"), 0).provider, "auth.example.com/p");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn expired_token_asks_for_fresh_tokens_once() {
        let expired = resp(
            400,
            r#"{"__type":"NotAuthorizedException","message":"Invalid login token. Token expired: 1700000000 >= 1699999000"}"#,
        );
        let (flow, _) = CredentialsFlow::start(&cfg(), Some(login(i64::MAX)), Some("us-east-1:id-1"));
        let Step::NeedFreshTokens(flow) = flow.handle(&expired, 0).unwrap() else { panic!() };
        let mut fresh = login(i64::MAX);
        fresh.id_token = "fresh.token.jwt".into();
        let (flow, req) = flow.retry_with(fresh);
        assert_eq!(req.operation, GET_CREDENTIALS);
        assert!(req.body.contains("fresh.token.jwt"));
        assert_eq!(flow.handle(&expired, 0).err().unwrap().code, Code::Service("NotAuthorizedException".into()));
        // A NotAuthorized that is not about expiry (e.g. guest access disabled) is final.
        let denied = resp(
            400,
            r#"{"__type":"NotAuthorizedException","message":"Unauthenticated access is not supported for this identity pool."}"#,
        );
        let (flow, _) = CredentialsFlow::start(&cfg(), None, None);
        assert!(flow.handle(&denied, 0).is_err());
        let (flow, _) = CredentialsFlow::start(&cfg(), Some(login(i64::MAX)), None);
        assert!(flow.handle(&denied, 0).is_err());
        // The local clock says the token expired: refresh even if the message is different.
        let (flow, _) = CredentialsFlow::start(&cfg(), Some(login(1_000)), None);
        assert!(matches!(flow.handle(&denied, 2_000).unwrap(), Step::NeedFreshTokens(_)));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn cache_policy_with_injected_clock() {
        let (flow, _) = CredentialsFlow::start(&cfg(), None, Some("us-east-1:id-1"));
        let Step::Done(c) = flow.handle(&resp(200, CREDS), 1_700_000_000_000).unwrap() else { panic!() };
        let mut cache = Cache::default();
        let key = cache_key(Some(&login(0)));
        assert_eq!(key.len(), 64);
        cache.put(key.clone(), c);
        // One hour of lifetime: renewed 5 minutes before expiry.
        assert!(cache.get(&key, 1_700_003_299_999).is_some());
        assert!(cache.get(&key, 1_700_003_300_000).is_none());
        assert!(cache.get("guest", 1_700_000_000_000).is_none());
        // New tokens, new key.
        let mut other = login(0);
        other.id_token = "new".into();
        assert_ne!(cache_key(Some(&other)), key);
        // A short lifetime (the emulator's 8 s): renewed in its last quarter.
        let mut short = resp(200, CREDS);
        short.body = short.body.replace("1.7000036E9", "1700000008");
        let (flow, _) = CredentialsFlow::start(&cfg(), None, Some("x"));
        let Step::Done(c) = flow.handle(&short, 1_700_000_000_000).unwrap() else { panic!() };
        assert!(!c.needs_renewal(1_700_000_005_999));
        assert!(c.needs_renewal(1_700_000_006_000));
        assert!(cache.latest().is_some());
        cache.clear();
        assert!(cache.get(&key, 0).is_none());
        assert!(cache.latest().is_none());
    }
}
