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
        Ok(IdentityConfig { pool_id: String::from(identity_pool_id), endpoint })
    }
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }
    pub fn region(&self) -> &str {
        self.pool_id.split(':').next().unwrap_or("")
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
}

impl AwsCredentials {
    /// True when they should be renewed at `now_ms`.
    pub fn needs_renewal(&self, now_ms: i64) -> bool {
        let lifetime = self.expiration_ms.saturating_sub(self.received_at_ms).max(0);
        let margin = RENEW_MARGIN_MS.min(lifetime / 4);
        now_ms >= self.expiration_ms.saturating_sub(margin)
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

/// A JSON 1.1 timestamp (epoch seconds, possibly with a fraction or an exponent, as AWS
/// serialises them: `1700000000`, `1.7E9`, `1700000000.123`) → milliseconds. No floats.
pub fn epoch_seconds_to_ms(text: &str) -> Option<i64> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?.trim_start_matches('+')),
        None => (text, "0"),
    };
    if exp.is_empty() || exp.len() > 4 {
        return None;
    }
    let exp = Json::Num(String::from(exp)).as_i64()?;
    let (int, frac) = crate::encoding::cut(mantissa, b'.').unwrap_or((mantissa, ""));
    if int.is_empty() || int.starts_with('-') {
        return None;
    }
    // value = digits × 10^(exp + 3 − frac.len()) milliseconds
    let mut digits = String::from(int);
    digits.push_str(frac);
    let mut v = Json::Num(digits).as_i64()?;
    let mut shift = exp.checked_add(3)?.checked_sub(frac.len() as i64)?;
    while shift > 0 {
        v = v.checked_mul(10)?;
        shift -= 1;
    }
    while shift < 0 {
        v /= 10;
        shift += 1;
    }
    Some(v)
}

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
    })
}

fn is_code(e: &Error, code: &str) -> bool {
    matches!(&e.code, Code::Service(c) if c == code)
}

enum Stage {
    GetId,
    GetCredentials(String),
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
}

/// What to do after a reply.
pub enum Step {
    Send(CredentialsFlow, HttpRequest),
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
        let flow =
            CredentialsFlow { cfg: cfg.clone(), login, stage, dropped_identity: false, refreshed: false, linking };
        let req = flow.current_request();
        (flow, req)
    }

    fn current_request(&self) -> HttpRequest {
        match &self.stage {
            Stage::GetId => get_id_request(&self.cfg, self.login.as_ref()),
            Stage::GetCredentials(id) => get_credentials_request(&self.cfg, id, self.login.as_ref()),
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
            Stage::GetCredentials(_) => Ok(Step::Done(parse_credentials(resp, now_ms)?)),
        }
    }

    /// Continues after [`Step::NeedFreshTokens`] with the new login (the same call again).
    pub fn retry_with(mut self, login: Login) -> (CredentialsFlow, HttpRequest) {
        self.login = Some(login);
        let req = self.current_request();
        (self, req)
    }
}

/// The in-memory credentials cache: credentials plus what they were obtained for.
#[derive(Default)]
pub struct Cache {
    entry: Option<(String, AwsCredentials)>,
}

/// What the cache is keyed by: the ID token (so new tokens mean new credentials), or
/// `"guest"`.
pub fn cache_key(login: Option<&Login>) -> String {
    match login {
        Some(l) => crate::encoding::hex_encode(&crate::srp::sha256(&[l.id_token.as_bytes()])),
        None => String::from("guest"),
    }
}

impl Cache {
    /// Cached credentials for `key` that need no renewal at `now_ms`.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<&AwsCredentials> {
        self.entry.as_ref().filter(|(k, c)| k == key && !c.needs_renewal(now_ms)).map(|(_, c)| c)
    }
    pub fn put(&mut self, key: String, creds: AwsCredentials) {
        self.entry = Some((key, creds));
    }
    /// Whatever is cached, fresh or not (the result of the flight that just ended).
    pub fn latest(&self) -> Option<&AwsCredentials> {
        self.entry.as_ref().map(|(_, c)| c)
    }
    pub fn clear(&mut self) {
        self.entry = None;
    }
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
            members.push((String::from("Logins"), json::str_object([(l.provider.as_str(), l.id_token.as_str())])));
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
        HttpResponse { status, body: body.into(), error_type: None }
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
