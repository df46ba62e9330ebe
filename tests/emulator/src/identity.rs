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
//! Test controls: `POST /_emulator/identity` `{"credentialsTtlSeconds": N,
//! "allowUnauthenticated": bool, "forget": "identity id"}`.

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
        }
    }
}

struct Issued {
    secret: String,
    token: String,
    identity_id: String,
    expires: i64,
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
                let known = self.state().identities.get(asked).cloned();
                let id = match (known, &sub) {
                    (None, _) => {
                        return Err(ApiError::new(
                            "ResourceNotFoundException",
                            format!("Identity '{asked}' not found."),
                        ))
                    }
                    (Some(Some(owner)), Some(s)) if &owner == s => asked.to_string(),
                    (Some(Some(_)), None) => {
                        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."))
                    }
                    // A guest identity plus a login (developer guide, "Switching unauthenticated
                    // users to authenticated users"): a login not linked yet is linked to the
                    // guest identity, which keeps its id; a login already linked gets its own
                    // identity (the reply's IdentityId), the guest identity stays as it was.
                    (Some(None), Some(s)) => {
                        let mut st = self.state();
                        match st.linked.get(s).cloned() {
                            Some(primary) => primary,
                            None => {
                                st.linked.insert(s.clone(), asked.to_string());
                                st.identities.insert(asked.to_string(), Some(s.clone()));
                                asked.to_string()
                            }
                        }
                    }
                    (Some(None), None) if self.guests_allowed() => asked.to_string(),
                    (Some(None), None) => {
                        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."))
                    }
                    _ => return Err(not_authorized("Invalid login token. Logins don't match.")),
                };
                let id = id.as_str();
                let akid = format!("ASIA{}", alnum(16, true));
                let secret = alnum(40, false);
                let token = format!("EmuSessionToken/{}", alnum(120, false));
                let expires = now + self.ttl() as i64;
                self.state().credentials.insert(
                    akid.clone(),
                    Issued { secret: secret.clone(), token: token.clone(), identity_id: id.to_string(), expires },
                );
                Ok(json!({
                    "IdentityId": id,
                    "Credentials": {
                        "AccessKeyId": akid,
                        "SecretKey": secret,
                        "SessionToken": token,
                        "Expiration": expires as f64,
                    }
                }))
            }
            _ => Err(ApiError::new("UnknownOperationException", format!("Unknown operation {TARGET_PREFIX}{op}"))),
        }
    }

    /// `/_protected/...`: verifies the request's SigV4 signature (header or query auth) and
    /// answers 200 `{"identityId", "accessKeyId", "method", "path"}` or 403 in API Gateway's error shape.
    pub fn protected(&self, req: &Incoming, now: i64) -> Reply {
        match self.verify(req, now) {
            Ok((identity_id, akid)) => {
                let path = req.url.split('?').next().unwrap_or("");
                reply(
                    200,
                    None,
                    &json!({ "identityId": identity_id, "accessKeyId": akid, "method": req.method, "path": path }),
                )
            }
            Err((kind, message)) => reply(403, Some(kind), &json!({ "message": message })),
        }
    }

    fn verify(&self, req: &Incoming, now: i64) -> Result<(String, String), (&'static str, String)> {
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
        let (secret, identity_id) = {
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
            (issued.secret.clone(), issued.identity_id.clone())
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
            Ok((identity_id, akid.to_string()))
        } else {
            Err(sig_mismatch())
        }
    }
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
        assert_eq!(c["Credentials"]["Expiration"].as_f64(), Some((NOW + 3600) as f64));
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
        assert_eq!(c["Credentials"]["Expiration"].as_f64(), Some((NOW + 5) as f64));
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
