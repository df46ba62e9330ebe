//! A Cognito identity pool (`AWSCognitoIdentityService.GetId` /
//! `.GetCredentialsForIdentity`) backed by this emulator's user pool, and a "protected API"
//! (`/_protected/...`) that verifies AWS Signature Version 4 with the credentials it issued.
//!
//! The SigV4 verification here is written from AWS's specification, independently of the
//! library under test (this crate does not depend on cognito-wasm).
//!
//! Identities: GetId with a login returns the identity linked to it (a stable id derived
//! from the user's `sub`, unless a guest identity was linked first); GetCredentialsForIdentity
//! with a guest identity id plus a login not linked yet links the two, and the identity keeps
//! its id (Cognito developer guide, "Switching unauthenticated users to authenticated users").
//!
//! The basic (classic) flow: `GetOpenIdToken` issues an RS256 OpenID token for an identity
//! (`iss` Cognito Identity's, `aud` the identity pool id, `sub` the identity id, `amr`),
//! refused with Cognito's `InvalidParameterException` unless the pool allows the classic flow
//! (`AllowClassicFlow`, off by default); an STS endpoint (any `POST …/` with a form body, the
//! query protocol) answers `AssumeRoleWithWebIdentity` in STS's XML: it verifies the token
//! (signature, issuer, audience, expiry) and lets it assume a role whose trust policy would
//! accept it — the pool's authenticated role or one of `trustedRoleArns` for an
//! authenticated identity, the unauthenticated role for a guest — and issues credentials the
//! `/_protected/` API accepts.
//!
//! Test controls: `POST /_emulator/identity` `{"credentialsTtlSeconds": N,
//! "allowUnauthenticated": bool, "allowClassicFlow": bool, "trustedRoleArns": [arn],
//! "forget": "identity id"}`.

use crate::pool::{random_bytes, uuid_v4, ApiError, Pool};
use crate::server::{Incoming, Reply};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
pub const DEFAULT_IDENTITY_POOL_ID: &str = "us-east-1:0a1b2c3d-0000-4000-8000-00000000e001";
/// The protected API's SigV4 service name (as for API Gateway).
pub const SERVICE: &str = "execute-api";
/// How far the request's `X-Amz-Date` may be from the emulator's clock (AWS: 5 minutes).
pub const MAX_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityConfig {
    #[serde(default = "default_pool")]
    pub identity_pool_id: String,
    /// Guest (unauthenticated) identities.
    #[serde(default)]
    pub allow_unauthenticated: bool,
    #[serde(default = "default_ttl")]
    pub credentials_ttl_seconds: u64,
    /// The basic (classic) flow: GetOpenIdToken (Cognito's `AllowClassicFlow`).
    #[serde(default)]
    pub allow_classic_flow: bool,
    #[serde(default = "default_auth_role")]
    pub authenticated_role_arn: String,
    #[serde(default = "default_unauth_role")]
    pub unauthenticated_role_arn: String,
    /// More roles an authenticated identity may assume with its OpenID token (roles whose
    /// trust policy accepts this pool's authenticated identities).
    #[serde(default = "default_trusted_roles")]
    pub trusted_role_arns: Vec<String>,
}

pub const AUTHENTICATED_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoAuthenticated";
pub const UNAUTHENTICATED_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoUnauthenticated";
pub const TRUSTED_ROLE: &str = "arn:aws:iam::000000000000:role/EmuCognitoReadOnly";
/// The `iss` of Cognito Identity's OpenID tokens.
pub const OPENID_ISSUER: &str = "https://cognito-identity.amazonaws.com";
/// How long an OpenID token from GetOpenIdToken is valid (Cognito: 10 minutes).
pub const OPENID_TTL_SECS: i64 = 600;
pub const ASSUME_ROLE: &str = "AssumeRoleWithWebIdentity";

fn default_auth_role() -> String {
    AUTHENTICATED_ROLE.into()
}
fn default_unauth_role() -> String {
    UNAUTHENTICATED_ROLE.into()
}
fn default_trusted_roles() -> Vec<String> {
    vec![TRUSTED_ROLE.into()]
}

fn default_pool() -> String {
    DEFAULT_IDENTITY_POOL_ID.into()
}
fn default_ttl() -> u64 {
    3600
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            identity_pool_id: default_pool(),
            allow_unauthenticated: false,
            credentials_ttl_seconds: default_ttl(),
            allow_classic_flow: false,
            authenticated_role_arn: default_auth_role(),
            unauthenticated_role_arn: default_unauth_role(),
            trusted_role_arns: default_trusted_roles(),
        }
    }
}

struct Issued {
    secret: String,
    token: String,
    identity_id: String,
    expires: i64,
    /// The role assumed through STS (None: GetCredentialsForIdentity's).
    role: Option<String>,
}

#[derive(Default)]
struct State {
    /// identity id → the user's `sub` (None: a guest).
    identities: HashMap<String, Option<String>>,
    /// `sub` → the identity linked to that login (its first GetId, or a guest identity it
    /// was linked to by GetCredentialsForIdentity).
    linked: HashMap<String, String>,
    /// access key id → what was issued with it.
    credentials: HashMap<String, Issued>,
    ttl: Option<u64>,
    allow_unauthenticated: Option<bool>,
    allow_classic_flow: Option<bool>,
    trusted_role_arns: Option<Vec<String>>,
}

pub struct IdentityPool {
    pub pool_id: String,
    pub region: String,
    config: IdentityConfig,
    state: Mutex<State>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Control {
    credentials_ttl_seconds: Option<u64>,
    allow_unauthenticated: Option<bool>,
    allow_classic_flow: Option<bool>,
    trusted_role_arns: Option<Vec<String>>,
    forget: Option<String>,
}

fn not_authorized(message: &str) -> ApiError {
    ApiError::new("NotAuthorizedException", message)
}

fn alnum(n: usize, upper_only: bool) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz0189+/";
    let range = if upper_only { 32 } else { 64 };
    random_bytes(n).iter().map(|b| A[(*b as usize) % range] as char).collect()
}

/// The `Logins` key for tokens issued by `issuer`: the issuer without `https://` / `http://`.
pub fn provider_name(issuer: &str) -> &str {
    issuer.strip_prefix("https://").or_else(|| issuer.strip_prefix("http://")).unwrap_or(issuer)
}

impl IdentityPool {
    pub fn new(config: IdentityConfig) -> Result<IdentityPool, String> {
        let region = match config.identity_pool_id.split_once(':') {
            Some((r, id)) if !r.is_empty() && !id.is_empty() => r.to_string(),
            _ => return Err(format!("invalid identity pool id {:?} (expected region:uuid)", config.identity_pool_id)),
        };
        Ok(IdentityPool {
            pool_id: config.identity_pool_id.clone(),
            region,
            config,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn reset(&self) {
        *self.state() = State::default();
    }

    fn ttl(&self) -> u64 {
        self.state().ttl.unwrap_or(self.config.credentials_ttl_seconds)
    }

    fn guests_allowed(&self) -> bool {
        self.state().allow_unauthenticated.unwrap_or(self.config.allow_unauthenticated)
    }

    pub fn control(&self, body: &[u8]) -> Result<(), String> {
        let c: Control = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let mut st = self.state();
        if let Some(t) = c.credentials_ttl_seconds {
            st.ttl = Some(t);
        }
        if let Some(a) = c.allow_unauthenticated {
            st.allow_unauthenticated = Some(a);
        }
        if let Some(a) = c.allow_classic_flow {
            st.allow_classic_flow = Some(a);
        }
        if let Some(r) = c.trusted_role_arns {
            st.trusted_role_arns = Some(r);
        }
        if let Some(id) = c.forget {
            st.identities.remove(&id);
            st.linked.retain(|_, v| *v != id);
        }
        Ok(())
    }

    /// The stable identity id of a user: derived from the pool and the user's `sub`.
    fn identity_for(&self, sub: &str) -> String {
        let h = Sha256::digest(format!("{}|{sub}", self.pool_id).as_bytes());
        let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("{}:{}-{}-4{}-8{}-{}", self.region, &x[..8], &x[8..12], &x[13..16], &x[17..20], &x[20..32])
    }

    /// Checks the `Logins` map: exactly our user pool's provider with a valid ID token.
    /// Returns the user's `sub`, or None for no logins (a guest).
    fn login_sub(&self, pool: &Pool, req: &Map<String, Value>, now: i64) -> Result<Option<String>, ApiError> {
        let logins = match req.get("Logins") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(m)) if m.is_empty() => return Ok(None),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(ApiError::new("SerializationException", "Logins must be a map")),
        };
        // Cognito's provider name is the tokens' `iss` without its scheme (Amplify builds the
        // key that way, from the token): `cognito-idp.{region}.amazonaws.com/{poolId}`.
        let provider = provider_name(&pool.issuer);
        if logins.len() != 1 {
            return Err(not_authorized("Invalid login token. Only one login is supported."));
        }
        let Some(Value::String(token)) = logins.get(provider) else {
            return Err(ApiError::invalid_parameter(format!("Invalid identity pool configuration. Check assigned IAM roles for this pool. (provider must be {provider})")));
        };
        let claims = pool
            .signer
            .verify(token)
            .ok_or_else(|| not_authorized("Invalid login token. Couldn't verify signed token."))?;
        if claims["iss"] != pool.issuer.as_str() {
            return Err(not_authorized("Invalid login token. Issuer doesn't match providerName"));
        }
        if !claims["aud"].as_str().is_some_and(|a| pool.clients.iter().any(|c| c == a)) {
            return Err(not_authorized("Invalid login token. Incorrect audience."));
        }
        if claims["token_use"] != "id" {
            return Err(not_authorized("Invalid login token. Not an ID token."));
        }
        let exp = claims["exp"].as_i64().unwrap_or(0);
        if exp <= now {
            return Err(not_authorized(&format!("Invalid login token. Token expired: {now} >= {exp}")));
        }
        claims["sub"]
            .as_str()
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| not_authorized("Invalid login token. No sub."))
    }

    /// The identity a call for `asked` with this login (`sub`; None: no logins) acts for: the
    /// identity itself, or (a guest identity plus a login) the login's identity.
    fn resolve(&self, asked: &str, sub: &Option<String>) -> Result<String, ApiError> {
        let known = self.state().identities.get(asked).cloned();
        match (known, sub) {
            (None, _) => Err(ApiError::new("ResourceNotFoundException", format!("Identity '{asked}' not found."))),
            (Some(Some(owner)), Some(s)) if &owner == s => Ok(asked.to_string()),
            (Some(Some(_)), None) => {
                Err(not_authorized("Unauthenticated access is not supported for this identity pool."))
            }
            // A guest identity plus a login (developer guide, "Switching unauthenticated
            // users to authenticated users"): a login not linked yet is linked to the
            // guest identity, which keeps its id; a login already linked gets its own
            // identity (the reply's IdentityId), the guest identity stays as it was.
            (Some(None), Some(s)) => {
                let mut st = self.state();
                match st.linked.get(s).cloned() {
                    Some(primary) => Ok(primary),
                    None => {
                        st.linked.insert(s.clone(), asked.to_string());
                        st.identities.insert(asked.to_string(), Some(s.clone()));
                        Ok(asked.to_string())
                    }
                }
            }
            (Some(None), None) if self.guests_allowed() => Ok(asked.to_string()),
            (Some(None), None) => {
                Err(not_authorized("Unauthenticated access is not supported for this identity pool."))
            }
            _ => Err(not_authorized("Invalid login token. Logins don't match.")),
        }
    }

    pub fn handle(&self, pool: &Pool, op: &str, body: &[u8], now: i64) -> Result<Value, ApiError> {
        let req: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => m,
            _ => return Err(ApiError::new("SerializationException", "Request body must be a JSON object")),
        };
        match op {
            "GetId" => {
                if req.get("IdentityPoolId").and_then(Value::as_str) != Some(self.pool_id.as_str()) {
                    return Err(ApiError::new("ResourceNotFoundException", "IdentityPool not found."));
                }
                let sub = self.login_sub(pool, &req, now)?;
                let guests = self.guests_allowed();
                let mut st = self.state();
                let id = match &sub {
                    Some(sub) => st.linked.get(sub).cloned().unwrap_or_else(|| self.identity_for(sub)),
                    None if guests => format!("{}:{}", self.region, uuid_v4()),
                    None => {
                        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."))
                    }
                };
                if let Some(sub) = &sub {
                    st.linked.insert(sub.clone(), id.clone());
                }
                st.identities.insert(id.clone(), sub);
                Ok(json!({ "IdentityId": id }))
            }
            "GetCredentialsForIdentity" => {
                let asked = req.get("IdentityId").and_then(Value::as_str).unwrap_or("");
                let sub = self.login_sub(pool, &req, now)?;
                let id = self.resolve(asked, &sub)?;
                let (akid, secret, token, expires) = self.issue(&id, None, now + self.ttl() as i64);
                Ok(json!({
                    "IdentityId": id,
                    "Credentials": {
                        "AccessKeyId": akid,
                        "SecretKey": secret,
                        "SessionToken": token,
                        "Expiration": crate::server::aws_date(expires * 1000),
                    }
                }))
            }
            "GetOpenIdToken" => {
                if !self.classic_flow_allowed() {
                    return Err(ApiError::invalid_parameter(
                        "Basic (classic) flow is not enabled, please use enhanced flow.",
                    ));
                }
                let asked = req.get("IdentityId").and_then(Value::as_str).unwrap_or("");
                let sub = self.login_sub(pool, &req, now)?;
                let id = self.resolve(asked, &sub)?;
                let provider = provider_name(&pool.issuer);
                let amr = match &sub {
                    Some(s) => json!(["authenticated", provider, format!("{provider}:CognitoSignIn:{s}")]),
                    None => json!(["unauthenticated"]),
                };
                let token = pool.signer.sign(&json!({
                    "iss": OPENID_ISSUER,
                    "sub": id,
                    "aud": self.pool_id,
                    "amr": amr,
                    "iat": now,
                    "exp": now + OPENID_TTL_SECS,
                }));
                Ok(json!({ "IdentityId": id, "Token": token }))
            }
            _ => Err(ApiError::new("UnknownOperationException", format!("Unknown operation {TARGET_PREFIX}{op}"))),
        }
    }

    fn classic_flow_allowed(&self) -> bool {
        self.state().allow_classic_flow.unwrap_or(self.config.allow_classic_flow)
    }

    /// New credentials for `identity_id` (and the role assumed), valid until `expires`:
    /// (access key id, secret, session token, expires).
    fn issue(&self, identity_id: &str, role: Option<&str>, expires: i64) -> (String, String, String, i64) {
        let akid = format!("ASIA{}", alnum(16, true));
        let secret = alnum(40, false);
        let token = format!("EmuSessionToken/{}", alnum(120, false));
        let issued = Issued {
            secret: secret.clone(),
            token: token.clone(),
            identity_id: identity_id.to_string(),
            expires,
            role: role.map(str::to_string),
        };
        self.state().credentials.insert(akid.clone(), issued);
        (akid, secret, token, expires)
    }

    /// STS `AssumeRoleWithWebIdentity` (query protocol: a form body, XML replies). Any
    /// other action is STS's `InvalidAction`.
    pub fn sts(&self, pool: &Pool, body: &[u8], now: i64) -> Reply {
        match self.assume_role(pool, body, now) {
            Ok(xml) => sts_reply(200, xml, ASSUME_ROLE.into()),
            Err((status, code, message)) => {
                let xml = format!(
                    "<ErrorResponse xmlns=\"{STS_NS}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
                    xml_escape(&message),
                    uuid_v4()
                );
                sts_reply(status, xml, format!("{ASSUME_ROLE} {code}"))
            }
        }
    }

    fn assume_role(&self, pool: &Pool, body: &[u8], now: i64) -> Result<String, (u16, &'static str, String)> {
        let form: Vec<(String, String)> = String::from_utf8_lossy(body)
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (pct_decode(&k.replace('+', " ")), pct_decode(&v.replace('+', " ")))
            })
            .collect();
        let param = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let action = param("Action").unwrap_or("");
        if action != ASSUME_ROLE || param("Version") != Some("2011-06-15") {
            return Err((400, "InvalidAction", format!("Could not find operation {action} for version 2011-06-15")));
        }
        let missing = |name: &str| {
            (400, "ValidationError", format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"))
        };
        let role = param("RoleArn").ok_or_else(|| missing("roleArn"))?;
        let session = param("RoleSessionName").ok_or_else(|| missing("roleSessionName"))?;
        let token = param("WebIdentityToken").ok_or_else(|| missing("webIdentityToken"))?;
        let session_ok = (2..=64).contains(&session.len())
            && session.bytes().all(|c| c.is_ascii_alphanumeric() || b"_+=,.@-".contains(&c));
        if !session_ok {
            return Err((400, "ValidationError", format!("1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")));
        }
        let invalid = |m: &str| (400, "InvalidIdentityToken", m.to_string());
        let claims = pool
            .signer
            .verify(token)
            .ok_or_else(|| invalid("The web identity token's signature could not be verified."))?;
        let iss = claims["iss"].as_str().unwrap_or("");
        if iss != OPENID_ISSUER {
            return Err(invalid(&format!("No OpenIDConnect provider found in your account for {iss}")));
        }
        if claims["aud"].as_str() != Some(self.pool_id.as_str()) {
            return Err(invalid("Incorrect token audience"));
        }
        let exp = claims["exp"].as_i64().unwrap_or(0);
        if exp <= now {
            return Err((
                400,
                "ExpiredTokenException",
                format!("Token expired: current date/time {now} must be before the expiration date/time {exp}"),
            ));
        }
        let identity_id =
            claims["sub"].as_str().filter(|s| !s.is_empty()).ok_or_else(|| invalid("The token has no sub"))?;
        let amr: Vec<&str> =
            claims["amr"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        // The roles whose trust policy accepts this token (`cognito-identity.amazonaws.com:amr`).
        let trusted = match (amr.contains(&"authenticated"), amr.contains(&"unauthenticated")) {
            (true, false) => {
                role == self.config.authenticated_role_arn
                    || self
                        .state()
                        .trusted_role_arns
                        .as_ref()
                        .unwrap_or(&self.config.trusted_role_arns)
                        .iter()
                        .any(|r| r == role)
            }
            (false, true) => role == self.config.unauthenticated_role_arn,
            _ => false,
        };
        if !trusted {
            return Err((403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity".into()));
        }
        let (akid, secret, session_token, expires) = self.issue(identity_id, Some(role), now + self.ttl() as i64);
        let account = role.split(':').nth(4).unwrap_or("000000000000");
        let role_name = role.rsplit('/').next().unwrap_or(role);
        let role_id = format!("AROA{}", alnum(17, true));
        Ok(format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"{STS_NS}\">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>{sub}</SubjectFromWebIdentityToken>
    <Audience>{aud}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{session}</Arn>
      <AssumedRoleId>{role_id}:{session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>{session_token}</SessionToken>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <Expiration>{exp}</Expiration>
      <AccessKeyId>{akid}</AccessKeyId>
    </Credentials>
    <Provider>cognito-identity.amazonaws.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>{request_id}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
",
            sub = xml_escape(identity_id),
            aud = xml_escape(&self.pool_id),
            account = xml_escape(account),
            role_name = xml_escape(role_name),
            session = xml_escape(session),
            session_token = xml_escape(&session_token),
            secret = xml_escape(&secret),
            exp = iso8601(expires),
            request_id = uuid_v4(),
        ))
    }

    /// `/_protected/...`: verifies the request's SigV4 signature (header or query auth) and
    /// answers 200 `{"identityId", "accessKeyId", "method", "path"}` (and `"roleArn"` for
    /// credentials from STS) or 403 in API Gateway's error shape.
    pub fn protected(&self, req: &Incoming, now: i64) -> Reply {
        match self.verify(req, now) {
            Ok((identity_id, akid, role)) => {
                let path = req.url.split('?').next().unwrap_or("");
                let mut body =
                    json!({ "identityId": identity_id, "accessKeyId": akid, "method": req.method, "path": path });
                if let Some(r) = role {
                    // Credentials from STS: the role they were issued for.
                    body["roleArn"] = Value::String(r);
                }
                reply(200, None, &body)
            }
            Err((kind, message)) => reply(403, Some(kind), &json!({ "message": message })),
        }
    }

    #[allow(clippy::type_complexity)]
    fn verify(&self, req: &Incoming, now: i64) -> Result<(String, String, Option<String>), (&'static str, String)> {
        let sig_mismatch = || {
            ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".to_string())
        };
        let (path, query) = req.url.split_once('?').unwrap_or((req.url, ""));
        let params: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (pct_decode(k), pct_decode(v))
            })
            .collect();
        let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let presigned = param("X-Amz-Signature").is_some();
        // Credential, signed headers, signature, date, token.
        let (credential, signed_headers, signature, date, token) = if presigned {
            if param("X-Amz-Algorithm").as_deref() != Some("AWS4-HMAC-SHA256") {
                return Err(("IncompleteSignatureException", "Unsupported X-Amz-Algorithm".into()));
            }
            (
                param("X-Amz-Credential").unwrap_or_default(),
                param("X-Amz-SignedHeaders").unwrap_or_default(),
                param("X-Amz-Signature").unwrap_or_default(),
                param("X-Amz-Date").unwrap_or_default(),
                param("X-Amz-Security-Token"),
            )
        } else {
            let auth = req
                .header("Authorization")
                .ok_or(("MissingAuthenticationTokenException", "Missing Authentication Token".to_string()))?;
            let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or((
                "IncompleteSignatureException",
                "Authorization header requires the AWS4-HMAC-SHA256 algorithm".to_string(),
            ))?;
            let mut fields: HashMap<&str, &str> = HashMap::new();
            for part in rest.split(',') {
                if let Some((k, v)) = part.trim().split_once('=') {
                    fields.insert(k, v);
                }
            }
            let get = |k: &str| fields.get(k).map(|v| v.to_string());
            let (Some(c), Some(s), Some(sig)) = (get("Credential"), get("SignedHeaders"), get("Signature")) else {
                return Err((
                    "IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'".into(),
                ));
            };
            let date = req.header("X-Amz-Date").unwrap_or("").to_string();
            (c, s, sig, date, req.header("X-Amz-Security-Token").map(str::to_string))
        };
        let scope: Vec<&str> = credential.split('/').collect();
        let [akid, day, region, service, "aws4_request"] = scope.as_slice() else {
            return Err((
                "IncompleteSignatureException",
                "Credential must be AKID/date/region/service/aws4_request".into(),
            ));
        };
        let Some(t) = parse_amz_date(&date) else {
            return Err(("IncompleteSignatureException", "X-Amz-Date is missing or malformed".into()));
        };
        if !date.starts_with(day) || *region != self.region || *service != SERVICE {
            return Err((
                "InvalidSignatureException",
                format!("Credential should be scoped to a valid region and service {}/{SERVICE}", self.region),
            ));
        }
        if presigned {
            let expires: i64 = param("X-Amz-Expires").and_then(|e| e.parse().ok()).unwrap_or(-1);
            if !(1..=604_800).contains(&expires) || now > t + expires || t > now + MAX_SKEW_SECS {
                return Err(("AccessDeniedException", "Request has expired".into()));
            }
        } else if (now - t).abs() > MAX_SKEW_SECS {
            return Err((
                "InvalidSignatureException",
                format!(
                    "Signature expired: {date} is now earlier or later than the server's clock by more than 5 min."
                ),
            ));
        }
        let (secret, identity_id, role) = {
            let st = self.state();
            let issued = st.credentials.get(*akid).ok_or((
                "UnrecognizedClientException",
                "The security token included in the request is invalid.".to_string(),
            ))?;
            if token.as_deref() != Some(issued.token.as_str()) {
                return Err((
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.".into(),
                ));
            }
            if now >= issued.expires {
                return Err(("ExpiredTokenException", "The security token included in the request is expired".into()));
            }
            (issued.secret.clone(), issued.identity_id.clone(), issued.role.clone())
        };
        // Signed headers: must include host, (for header auth) x-amz-date and the token.
        let names: Vec<&str> = signed_headers.split(';').collect();
        let mut required = vec!["host"];
        if !presigned {
            required.extend(["x-amz-date", "x-amz-security-token"]);
        }
        if required.iter().any(|r| !names.contains(r)) || names.windows(2).any(|w| w[0] >= w[1]) {
            return Err((
                "InvalidSignatureException",
                "SignedHeaders must be sorted and include host, x-amz-date and x-amz-security-token".into(),
            ));
        }
        let mut canonical_headers = String::new();
        for n in &names {
            let values: Vec<String> = req
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            if values.is_empty() {
                return Err(("InvalidSignatureException", format!("Signed header {n} is missing from the request")));
            }
            canonical_headers.push_str(&format!("{n}:{}\n", values.join(",")));
        }
        // The payload: its SHA-256 must match any X-Amz-Content-SHA256 the client sent.
        let body_hash = hex(&Sha256::digest(&req.body));
        let payload_hash = match req.header("X-Amz-Content-SHA256") {
            Some("UNSIGNED-PAYLOAD") => "UNSIGNED-PAYLOAD".to_string(),
            Some(h) if h != body_hash => {
                return Err((
                    "InvalidSignatureException",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
                ))
            }
            _ => body_hash,
        };
        let mut sorted: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "X-Amz-Signature")
            .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
            .collect();
        sorted.sort();
        let canonical_query: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let canonical = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            req.method,
            uri_encode(&normalize_path(path), true),
            canonical_query.join("&"),
            canonical_headers,
            signed_headers,
            payload_hash
        );
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{date}\n{day}/{region}/{service}/aws4_request\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
        for part in [*region, *service, "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let expected = hex(&hmac(&key, string_to_sign.as_bytes()));
        // Constant-time comparison.
        let same = expected.len() == signature.len()
            && expected.bytes().zip(signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            Ok((identity_id, akid.to_string(), role))
        } else {
            Err(sig_mismatch())
        }
    }
}

const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS request: a form POST (the query protocol) with no `X-Amz-Target`.
pub fn is_sts(req: &Incoming) -> bool {
    req.method == "POST"
        && req.header("X-Amz-Target").is_none()
        && req
            .header("Content-Type")
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

fn sts_reply(status: u16, xml: String, note: String) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "text/xml".into()), ("x-amzn-RequestId".into(), uuid_v4())],
        body: xml.into_bytes(),
        note,
        cut_after: None,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` (STS's timestamps).
fn iso8601(t: i64) -> String {
    let (y, m, d) = crate::srp::civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

fn reply(status: u16, error_type: Option<&str>, body: &Value) -> Reply {
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if let Some(t) = error_type {
        headers.push(("x-amzn-ErrorType".into(), t.into()));
    }
    Reply {
        status,
        headers,
        body: body.to_string().into_bytes(),
        note: error_type.unwrap_or("protected").into(),
        cut_after: None,
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(Ok(v)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// AWS UriEncode: unreserved characters stay, everything else is `%XX` (upper case).
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) || (keep_slash && c == b'/') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Remove `.`/`..` and empty segments, keeping a trailing slash.
fn normalize_path(path: &str) -> String {
    let mut segs: Vec<&str> = Vec::new();
    for s in path.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let trailing = path.ends_with('/') && !segs.is_empty();
    format!("/{}{}", segs.join("/"), if trailing { "/" } else { "" })
}

/// `YYYYMMDDTHHMMSSZ` → Unix seconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |a: usize, z: usize| s.get(a..z)?.parse::<i64>().ok();
    let (y, m, d) = (n(0, 4)?, n(4, 6)?, n(6, 8)?);
    let (hh, mm, ss) = (n(9, 11)?, n(11, 13)?, n(13, 15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::tests::{test_pool, CLIENT, NOW};

    fn id_token(pool: &Pool, sub: &str, exp: i64, aud: &str, iss: &str) -> String {
        pool.signer
            .sign(&json!({ "sub": sub, "iss": iss, "aud": aud, "token_use": "id", "iat": exp - 3600, "exp": exp }))
    }

    fn call(pool: &Pool, op: &str, body: Value, now: i64) -> Result<Value, ApiError> {
        pool.identity.handle(pool, op, body.to_string().as_bytes(), now)
    }

    const PROVIDER: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";

    #[test]
    fn get_id_and_credentials() {
        let pool = test_pool(true);
        let tok = id_token(&pool, "sub-1", NOW + 60, CLIENT, &pool.issuer);
        let logins = json!({ PROVIDER: tok });
        let id =
            call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": logins}), NOW).unwrap();
        let id = id["IdentityId"].as_str().unwrap().to_string();
        assert!(id.starts_with("us-east-1:"));
        // Stable per user.
        let again =
            call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": logins}), NOW).unwrap();
        assert_eq!(again["IdentityId"], id.as_str());
        let c = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": id, "Logins": logins}), NOW).unwrap();
        assert!(c["Credentials"]["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
        assert_eq!(c["Credentials"]["Expiration"], crate::server::aws_date((NOW + 3600) * 1000));
        // Without logins: not this identity.
        let e = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": id}), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        // Unknown identity, wrong pool.
        let e =
            call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": "us-east-1:nope", "Logins": logins}), NOW)
                .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        let e = call(&pool, "GetId", json!({"IdentityPoolId": "us-east-1:other", "Logins": logins}), NOW).unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        // Forgotten identities are not found any more.
        pool.identity.control(format!(r#"{{"forget":"{id}"}}"#).as_bytes()).unwrap();
        let e = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": id, "Logins": logins}), NOW).unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    fn sts(pool: &Pool, role: &str, token: &str, now: i64) -> (u16, String) {
        let body = format!(
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={}&RoleSessionName=s1&WebIdentityToken={token}",
            role.replace(':', "%3A").replace('/', "%2F")
        );
        let r = pool.identity.sts(pool, body.as_bytes(), now);
        (r.status, String::from_utf8(r.body).unwrap())
    }

    fn xml_field<'a>(xml: &'a str, tag: &str) -> &'a str {
        let open = format!("<{tag}>");
        let start = xml.find(&open).unwrap() + open.len();
        &xml[start..start + xml[start..].find('<').unwrap()]
    }

    /// GetOpenIdToken (only with the classic flow allowed) → a token STS accepts for the
    /// pool's roles, refused for others, for another pool and once expired.
    #[test]
    fn basic_flow() {
        let pool = test_pool(true);
        let tok = id_token(&pool, "sub-1", NOW + 60, CLIENT, &pool.issuer);
        let logins = json!({ PROVIDER: tok });
        let id = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": logins}), NOW)
            .unwrap()["IdentityId"]
            .as_str()
            .unwrap()
            .to_string();
        let open_id = |now| call(&pool, "GetOpenIdToken", json!({"IdentityId": id, "Logins": logins}), now);
        let e = open_id(NOW).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert_eq!(e.message, "Basic (classic) flow is not enabled, please use enhanced flow.");
        pool.identity.control(br#"{"allowClassicFlow":true}"#).unwrap();
        let r = open_id(NOW).unwrap();
        assert_eq!(r["IdentityId"], id.as_str());
        let token = r["Token"].as_str().unwrap();
        let claims = pool.signer.verify(token).unwrap();
        assert_eq!(claims["iss"], OPENID_ISSUER);
        assert_eq!(claims["aud"], DEFAULT_IDENTITY_POOL_ID);
        assert_eq!(claims["sub"], id.as_str());
        assert_eq!(claims["exp"], NOW + OPENID_TTL_SECS);
        assert_eq!(claims["amr"], json!(["authenticated", PROVIDER, format!("{PROVIDER}:CognitoSignIn:sub-1")]));
        // Without the login: not this identity.
        let e = call(&pool, "GetOpenIdToken", json!({"IdentityId": id}), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");

        let (status, xml) = sts(&pool, AUTHENTICATED_ROLE, token, NOW);
        assert_eq!(status, 200, "{xml}");
        assert!(
            xml.starts_with(r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">"#)
        );
        assert_eq!(xml_field(&xml, "SubjectFromWebIdentityToken"), id);
        assert_eq!(xml_field(&xml, "Expiration"), iso8601(NOW + 3600));
        assert_eq!(xml_field(&xml, "Arn"), "arn:aws:sts::000000000000:assumed-role/EmuCognitoAuthenticated/s1");
        let akid = xml_field(&xml, "AccessKeyId");
        assert!(akid.starts_with("ASIA"));
        assert_eq!(pool.identity.state().credentials[akid].role.as_deref(), Some(AUTHENTICATED_ROLE));
        assert_eq!(sts(&pool, TRUSTED_ROLE, token, NOW).0, 200);
        for (role, token, now, status, code) in [
            (UNAUTHENTICATED_ROLE, token, NOW, 403, "AccessDenied"),
            ("arn:aws:iam::000000000000:role/Other", token, NOW, 403, "AccessDenied"),
            (AUTHENTICATED_ROLE, token, NOW + OPENID_TTL_SECS, 400, "ExpiredTokenException"),
            (AUTHENTICATED_ROLE, &tok, NOW, 400, "InvalidIdentityToken"),
            (AUTHENTICATED_ROLE, "x.y.z", NOW, 400, "InvalidIdentityToken"),
        ] {
            let (s, xml) = sts(&pool, role, token, now);
            assert_eq!((s, xml_field(&xml, "Code")), (status, code), "{xml}");
            assert_eq!(xml_field(&xml, "Type"), "Sender");
        }
        let r = pool.identity.sts(&pool, b"Action=GetCallerIdentity&Version=2011-06-15", NOW);
        assert_eq!(r.status, 400);
        assert!(String::from_utf8(r.body).unwrap().contains("<Code>InvalidAction</Code>"));
        // A guest: the unauthenticated role only.
        pool.identity.control(br#"{"allowUnauthenticated":true}"#).unwrap();
        let guest = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW);
        let guest = guest.unwrap()["IdentityId"].as_str().unwrap().to_string();
        let t = call(&pool, "GetOpenIdToken", json!({"IdentityId": guest}), NOW).unwrap();
        let t = t["Token"].as_str().unwrap();
        assert_eq!(pool.signer.verify(t).unwrap()["amr"], json!(["unauthenticated"]));
        assert_eq!(sts(&pool, UNAUTHENTICATED_ROLE, t, NOW).0, 200);
        assert_eq!(sts(&pool, AUTHENTICATED_ROLE, t, NOW).0, 403);
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn tokens_are_checked() {
        let pool = test_pool(true);
        let body = |t: String| json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": { PROVIDER: t }});
        let expired = id_token(&pool, "s", NOW, CLIENT, &pool.issuer);
        let e = call(&pool, "GetId", body(expired), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        assert!(e.message.contains("Token expired"));
        let wrong_aud = id_token(&pool, "s", NOW + 60, "otherclient", &pool.issuer);
        assert!(call(&pool, "GetId", body(wrong_aud), NOW).unwrap_err().message.contains("audience"));
        let wrong_iss = id_token(&pool, "s", NOW + 60, CLIENT, "https://evil/us-east-1_EmuPool01");
        assert!(call(&pool, "GetId", body(wrong_iss), NOW).unwrap_err().message.contains("Issuer"));
        let good = id_token(&pool, "s", NOW + 60, CLIENT, &pool.issuer);
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged_claims =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"sub":"admin"}"#);
        parts[1] = &forged_claims;
        assert!(call(&pool, "GetId", body(parts.join(".")), NOW).unwrap_err().message.contains("verify"));
    }

    /// Guest → signed in: a guest identity id plus a login not yet linked keeps its id (and
    /// is that user's identity from then on); a login already linked gets its own identity.
    #[test]
    fn guest_identity_is_linked_on_first_login() {
        let pool = test_pool(true);
        pool.identity.control(br#"{"allowUnauthenticated":true}"#).unwrap();
        let guest = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW).unwrap()
            ["IdentityId"]
            .clone();
        let tok = id_token(&pool, "sub-new", NOW + 60, CLIENT, &pool.issuer);
        let c =
            call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": guest, "Logins": { PROVIDER: tok }}), NOW)
                .unwrap();
        assert_eq!(c["IdentityId"], guest, "the guest identity keeps its id");
        let again =
            call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": { PROVIDER: tok }}), NOW)
                .unwrap();
        assert_eq!(again["IdentityId"], guest, "and is the user's identity from now on");
        // Linked: no guest access to it any more.
        let e = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": guest}), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        // Another guest signing in as the same user: the user's identity comes back.
        let guest2 = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW).unwrap()
            ["IdentityId"]
            .clone();
        let c =
            call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": guest2, "Logins": { PROVIDER: tok }}), NOW)
                .unwrap();
        assert_eq!(c["IdentityId"], guest);
        // A user whose login was linked by GetId first keeps that identity too.
        let old = id_token(&pool, "sub-old", NOW + 60, CLIENT, &pool.issuer);
        let own =
            call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": { PROVIDER: old }}), NOW)
                .unwrap()["IdentityId"]
                .clone();
        let c =
            call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": guest2, "Logins": { PROVIDER: old }}), NOW)
                .unwrap();
        assert_eq!(c["IdentityId"], own);
        // Someone else's identity with my login: refused.
        let e = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": own, "Logins": { PROVIDER: tok }}), NOW)
            .unwrap_err();
        assert_eq!(e.message, "Invalid login token. Logins don't match.");
    }

    /// The Logins key is the tokens' `iss` without its scheme, in either issuer mode: what
    /// Amplify sends (it builds the key from the token).
    #[test]
    fn logins_key_follows_the_issuer() {
        let pool = test_pool(true);
        assert_eq!(provider_name(&pool.issuer), PROVIDER);
        let get_id = |pool: &Pool, key: &str| {
            let tok = id_token(pool, "sub-1", NOW + 60, CLIENT, &pool.issuer);
            call(pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID, "Logins": { key: tok }}), NOW)
        };
        assert!(get_id(&pool, PROVIDER).is_ok());
        let mut config = crate::pool::tests::test_config(true);
        config.issuer = Some("local".into());
        let local = Pool::new(config, "http://127.0.0.1:9229", crate::pool::tests::signer()).unwrap();
        assert_eq!(local.issuer, "http://127.0.0.1:9229/us-east-1_EmuPool01");
        assert!(get_id(&local, "127.0.0.1:9229/us-east-1_EmuPool01").is_ok());
        assert_eq!(get_id(&local, PROVIDER).unwrap_err().code, "InvalidParameterException");
        assert_eq!(get_id(&pool, "127.0.0.1:9229/us-east-1_EmuPool01").unwrap_err().code, "InvalidParameterException");
    }

    #[test]
    fn guests_only_when_allowed() {
        let pool = test_pool(true);
        let e = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        pool.identity.control(br#"{"allowUnauthenticated":true,"credentialsTtlSeconds":5}"#).unwrap();
        let a = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW).unwrap();
        let b = call(&pool, "GetId", json!({"IdentityPoolId": DEFAULT_IDENTITY_POOL_ID}), NOW).unwrap();
        assert_ne!(a, b);
        let c = call(&pool, "GetCredentialsForIdentity", json!({"IdentityId": a["IdentityId"]}), NOW).unwrap();
        assert_eq!(c["Credentials"]["Expiration"], crate::server::aws_date((NOW + 5) * 1000));
    }

    /// AWS's documented example (sig-v4 test suite `get-vanilla`), verified by our verifier
    /// with credentials planted in the store.
    #[test]
    fn verifies_sigv4() {
        let pool = test_pool(true);
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(t, 1_440_938_160);
        let idp =
            IdentityPool::new(IdentityConfig { identity_pool_id: "us-east-1:x".into(), ..Default::default() }).unwrap();
        idp.state().credentials.insert(
            "AKIDEXAMPLE".into(),
            Issued {
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                token: "tok".into(),
                identity_id: "us-east-1:me".into(),
                expires: t + 60,
                role: None,
            },
        );
        let _ = pool;
        // Build the request the way botocore does (host;x-amz-date;x-amz-security-token).
        let sign = |method: &str, url: &str, body: &str, date: &str, secret: &str| {
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let mut q: Vec<&str> = query.split('&').filter(|s| !s.is_empty()).collect();
            q.sort();
            let cr = format!(
                "{method}\n{}\n{}\nhost:example.amazonaws.com\nx-amz-date:{date}\nx-amz-security-token:tok\n\nhost;x-amz-date;x-amz-security-token\n{}",
                uri_encode(&normalize_path(path), true), q.join("&"), hex(&Sha256::digest(body.as_bytes())));
            let sts = format!(
                "AWS4-HMAC-SHA256\n{date}\n{}/us-east-1/execute-api/aws4_request\n{}",
                &date[..8],
                hex(&Sha256::digest(cr.as_bytes()))
            );
            let mut k = hmac(format!("AWS4{secret}").as_bytes(), &date.as_bytes()[..8]);
            for p in ["us-east-1", "execute-api", "aws4_request"] {
                k = hmac(&k, p.as_bytes());
            }
            format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{}/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={}", &date[..8], hex(&hmac(&k, sts.as_bytes())))
        };
        let incoming = |auth: String, date: &str, url: &'static str, body: &str| Incoming {
            method: "POST",
            url,
            headers: vec![
                ("Host".into(), "example.amazonaws.com".into()),
                ("X-Amz-Date".into(), date.into()),
                ("X-Amz-Security-Token".into(), "tok".into()),
                ("Authorization".into(), auth),
            ],
            body: body.as_bytes().to_vec(),
        };
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let date = "20150830T123600Z";
        let url = "/_protected/a%20b?z=1&a=2";
        let ok = idp.protected(&incoming(sign("POST", url, "{}", date, secret), date, url, "{}"), t);
        assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
        assert!(String::from_utf8_lossy(&ok.body).contains("us-east-1:me"));
        // Tampered body, wrong secret, skewed clock, expired credentials.
        let r = idp.protected(&incoming(sign("POST", url, "{}", date, secret), date, url, "{ }"), t);
        assert_eq!(r.status, 403);
        assert!(String::from_utf8_lossy(&r.body).contains("signature we calculated"));
        let r = idp.protected(&incoming(sign("POST", url, "{}", date, "other"), date, url, "{}"), t);
        assert_eq!(r.status, 403);
        let r = idp.protected(&incoming(sign("POST", url, "{}", date, secret), date, url, "{}"), t + 301);
        assert!(String::from_utf8_lossy(&r.body).contains("Signature expired"));
        let r = idp.protected(&incoming(sign("POST", url, "{}", date, secret), date, url, "{}"), t + 60);
        assert_eq!(r.headers.iter().find(|(k, _)| k == "x-amzn-ErrorType").unwrap().1, "ExpiredTokenException");
        let r = idp.protected(&Incoming { method: "GET", url: "/_protected/x", headers: vec![], body: vec![] }, t);
        assert_eq!((r.status, r.note.as_str()), (403, "MissingAuthenticationTokenException"));
    }

    #[test]
    fn helpers() {
        assert_eq!(normalize_path("/a/./b/../c//d/"), "/a/c/d/");
        assert_eq!(uri_encode("/a%20b", true), "/a%2520b");
        assert_eq!(pct_decode("a%2Fb%zz%"), "a/b%zz%");
        assert_eq!(parse_amz_date("20240229T235959Z"), Some(1_709_251_199));
        assert_eq!(parse_amz_date("2024-02-29"), None);
    }
}
