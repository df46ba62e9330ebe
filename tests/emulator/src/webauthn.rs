//! WebAuthn (passkeys) for real: registration options with a one-time random challenge,
//! attestation parsing (CBOR attestation object, authenticator data, COSE key; formats
//! "none" and "packed" self-attestation), assertion verification (challenge, origin, RP ID
//! hash, UP/UV flags, ES256 / RS256 signature, sign count), and the passkey operations
//! StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
//! DeleteWebAuthnCredential. Sign-in with a passkey (the WEB_AUTHN challenge) is in
//! `userauth`, which calls [`verify_assertion`].
//!
//! Pool configuration (top level of the config file):
//! `"webAuthn": {"relyingPartyId": "localhost", "userVerification": "required"|"preferred",
//! "allowedOrigins": ["http://localhost:*"]}`. Allowed origins for clientDataJSON are the
//! `allowedOrigins` patterns (exact origins, or `scheme://host:*` for any port) plus the
//! origins of the app client's callback URLs.

use crate::cbor;
use crate::pool::{get_str, ApiError, ApiResult, Pool};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub const OPERATIONS: [&str; 4] = [
    "StartWebAuthnRegistration",
    "CompleteWebAuthnRegistration",
    "ListWebAuthnCredentials",
    "DeleteWebAuthnCredential",
];

/// COSE algorithm identifiers we accept (RFC 9053 / IANA): ES256 and RS256.
pub const ES256: i64 = -7;
pub const RS256: i64 = -257;
/// A registration challenge lives this long (seconds), unless overridden by the test control.
pub const REGISTRATION_TTL: i64 = 300;
/// Passkeys per user (Cognito's limit).
pub const MAX_PASSKEYS: usize = 20;
/// Longest credential id accepted (WebAuthn Level 3: 1023 bytes).
pub const MAX_CREDENTIAL_ID: usize = 1023;

const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// `"webAuthn"` in the pool configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnConfig {
    /// The relying-party id; missing → WebAuthnConfigurationMissingException.
    #[serde(default)]
    pub relying_party_id: Option<String>,
    /// `"required"` (default) or `"preferred"`.
    #[serde(default)]
    pub user_verification: Option<String>,
    /// Origin patterns: `http://localhost:5173`, or `http://localhost:*` for any port.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

impl WebAuthnConfig {
    pub fn validate(&self) -> Result<(), String> {
        match self.user_verification.as_deref() {
            None | Some("required") | Some("preferred") => {}
            Some(other) => {
                return Err(format!("webAuthn.userVerification must be required or preferred, not {other:?}"))
            }
        }
        if self.relying_party_id.as_deref().is_some_and(|r| r.is_empty() || r.contains('/') || r.contains(':')) {
            return Err("webAuthn.relyingPartyId must be a bare host name".into());
        }
        for o in &self.allowed_origins {
            if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
                return Err(format!("webAuthn.allowedOrigins: {o:?} is not an origin (scheme://host[:port|:*])"));
            }
        }
        Ok(())
    }

    pub fn uv_required(&self) -> bool {
        self.user_verification.as_deref() != Some("preferred")
    }

    pub fn user_verification(&self) -> &'static str {
        if self.uv_required() {
            "required"
        } else {
            "preferred"
        }
    }
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub enum PublicKey {
    Es256(p256::ecdsa::VerifyingKey),
    Rs256(rsa::RsaPublicKey),
}

impl PublicKey {
    pub fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Rs256(_) => RS256,
        }
    }

    /// Verifies `signature` over `message` (hashing with SHA-256 as the algorithm says).
    /// ES256 signatures are DER-encoded (WebAuthn §6.5.5); high-S values are accepted.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Es256(key) => {
                use p256::ecdsa::signature::Verifier;
                match p256::ecdsa::Signature::from_der(signature) {
                    Ok(sig) => key.verify(message, &sig).is_ok(),
                    Err(_) => false,
                }
            }
            PublicKey::Rs256(key) => {
                use rsa::signature::Verifier;
                let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone());
                match rsa::pkcs1v15::Signature::try_from(signature) {
                    Ok(sig) => vk.verify(message, &sig).is_ok(),
                    Err(_) => false,
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Undecodable input (bad base64url, JSON, CBOR, truncated authenticator data).
    Malformed(String),
    /// clientData type or challenge wrong.
    ClientMismatch(&'static str),
    OriginNotAllowed,
    RelyingPartyMismatch,
    /// UP / UV / AT flags not as required.
    Flags(&'static str),
    /// Unsupported key type, algorithm, curve or attestation format.
    Unsupported(String),
    /// Bad signature (assertion or packed attestation).
    Signature,
    /// The sign count did not increase.
    SignCount,
}

impl Failure {
    pub fn message(&self) -> String {
        match self {
            Failure::Malformed(m) => format!("Invalid WebAuthn credential: {m}"),
            Failure::ClientMismatch(m) => format!("WebAuthn client data mismatch: {m}"),
            Failure::OriginNotAllowed => "The WebAuthn origin is not allowed for this user pool".into(),
            Failure::RelyingPartyMismatch => "The credential belongs to a different relying party".into(),
            Failure::Flags(m) => format!("WebAuthn authenticator flags: {m}"),
            Failure::Unsupported(m) => format!("Unsupported WebAuthn credential: {m}"),
            Failure::Signature => "WebAuthn signature verification failed".into(),
            Failure::SignCount => "WebAuthn signature counter did not increase (possible cloned authenticator)".into(),
        }
    }

    /// The error CompleteWebAuthnRegistration returns.
    pub fn registration_error(&self) -> ApiError {
        let code = match self {
            Failure::ClientMismatch(_) => "WebAuthnClientMismatchException",
            Failure::OriginNotAllowed => "WebAuthnOriginNotAllowedException",
            Failure::RelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException",
            Failure::Unsupported(_) => "WebAuthnCredentialNotSupportedException",
            Failure::Malformed(_) | Failure::Flags(_) | Failure::Signature | Failure::SignCount => {
                "InvalidParameterException"
            }
        };
        ApiError::new(code, self.message())
    }

    /// The error RespondToAuthChallenge(WEB_AUTHN) returns: always NotAuthorizedException.
    pub fn sign_in_error(&self) -> ApiError {
        ApiError::not_authorized(&self.message())
    }
}

fn malformed(m: impl Into<String>) -> Failure {
    Failure::Malformed(m.into())
}

/// Parses a COSE_Key (RFC 9052 §7): EC2 P-256 with ES256, or RSA with RS256.
pub fn parse_cose_key(key: &cbor::Value) -> Result<PublicKey, Failure> {
    if key.as_map().is_none() {
        return Err(malformed("COSE key is not a map"));
    }
    let int = |label: i64| key.get_int_key(label).and_then(cbor::Value::as_i64);
    let bytes = |label: i64| key.get_int_key(label).and_then(cbor::Value::as_bytes);
    let kty = int(1).ok_or_else(|| malformed("COSE key without kty"))?;
    let alg = int(3).ok_or_else(|| Failure::Unsupported("COSE key without alg".into()))?;
    match (kty, alg) {
        (2, ES256) => {
            if int(-1) != Some(1) {
                return Err(Failure::Unsupported("EC2 key on a curve other than P-256".into()));
            }
            let (x, y) = match (bytes(-2), bytes(-3)) {
                (Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => (x, y),
                _ => return Err(Failure::Unsupported("EC2 key needs 32-byte x and y".into())),
            };
            let mut sec1 = Vec::with_capacity(65);
            sec1.push(0x04);
            sec1.extend_from_slice(x);
            sec1.extend_from_slice(y);
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                .map(PublicKey::Es256)
                .map_err(|_| Failure::Unsupported("EC2 point is not on P-256".into()))
        }
        (3, RS256) => {
            let (n, e) = match (bytes(-1), bytes(-2)) {
                (Some(n), Some(e)) if !n.is_empty() && !e.is_empty() && e.len() <= 8 => (n, e),
                _ => return Err(Failure::Unsupported("RSA key needs n and e".into())),
            };
            let n = rsa::BigUint::from_bytes_be(n);
            if n.bits() < 2048 {
                return Err(Failure::Unsupported("RSA modulus shorter than 2048 bits".into()));
            }
            rsa::RsaPublicKey::new(n, rsa::BigUint::from_bytes_be(e))
                .map(PublicKey::Rs256)
                .map_err(|_| Failure::Unsupported("invalid RSA public key".into()))
        }
        (2 | 3, _) => Err(Failure::Unsupported(format!("COSE algorithm {alg}"))),
        _ => Err(Failure::Unsupported(format!("COSE key type {kty}"))),
    }
}

// ---------------------------------------------------------------------------------------
// Authenticator data and client data
// ---------------------------------------------------------------------------------------

pub const FLAG_UP: u8 = 0x01;
pub const FLAG_UV: u8 = 0x04;
pub const FLAG_BE: u8 = 0x08;
pub const FLAG_BS: u8 = 0x10;
pub const FLAG_AT: u8 = 0x40;
pub const FLAG_ED: u8 = 0x80;

#[derive(Debug)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub public_key: PublicKey,
    /// The COSE_Key bytes as the authenticator sent them.
    pub cose_key: Vec<u8>,
}

#[derive(Debug)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

/// Parses authenticator data (WebAuthn §6.1): rpIdHash ‖ flags ‖ signCount ‖
/// [attestedCredentialData] ‖ [extensions]. Nothing may follow.
pub fn parse_authenticator_data(data: &[u8]) -> Result<AuthenticatorData, Failure> {
    let short = || malformed("authenticator data too short");
    let rp_id_hash: [u8; 32] = data.get(..32).and_then(|s| s.try_into().ok()).ok_or_else(short)?;
    let flags = *data.get(32).ok_or_else(short)?;
    let sign_count = data.get(33..37).and_then(|s| s.try_into().ok()).map(u32::from_be_bytes).ok_or_else(short)?;
    if flags & FLAG_BS != 0 && flags & FLAG_BE == 0 {
        return Err(malformed("backup state set without backup eligibility"));
    }
    let mut pos = 37;
    let attested = if flags & FLAG_AT != 0 {
        let aaguid: [u8; 16] = data.get(37..53).and_then(|s| s.try_into().ok()).ok_or_else(short)?;
        let len = data.get(53..55).map(|s| usize::from(u16::from_be_bytes([s[0], s[1]]))).ok_or_else(short)?;
        if len == 0 || len > MAX_CREDENTIAL_ID {
            return Err(malformed("credential id length out of range"));
        }
        let credential_id = data.get(55..55 + len).ok_or_else(short)?.to_vec();
        pos = 55 + len;
        let rest = data.get(pos..).unwrap_or_default();
        let (key, used) = cbor::decode_prefix(rest).map_err(|e| malformed(format!("COSE key: {e}")))?;
        let public_key = parse_cose_key(&key)?;
        let cose_key = rest.get(..used).unwrap_or_default().to_vec();
        pos += used;
        Some(AttestedCredential { aaguid, credential_id, public_key, cose_key })
    } else {
        None
    };
    if flags & FLAG_ED != 0 {
        let rest = data.get(pos..).unwrap_or_default();
        let (ext, used) = cbor::decode_prefix(rest).map_err(|e| malformed(format!("extensions: {e}")))?;
        if ext.as_map().is_none() {
            return Err(malformed("extensions are not a map"));
        }
        pos += used;
    }
    if pos != data.len() {
        return Err(malformed("trailing bytes in authenticator data"));
    }
    Ok(AuthenticatorData { rp_id_hash, flags, sign_count, attested })
}

#[derive(Debug, PartialEq, Eq)]
pub struct ClientData {
    pub kind: String,
    pub challenge: Vec<u8>,
    pub origin: String,
    pub cross_origin: bool,
}

pub fn parse_client_data(json: &[u8]) -> Result<ClientData, Failure> {
    let v: Value = serde_json::from_slice(json).map_err(|_| malformed("clientDataJSON is not JSON"))?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let kind = s("type").ok_or_else(|| malformed("clientDataJSON without type"))?;
    let challenge = s("challenge").ok_or_else(|| malformed("clientDataJSON without challenge"))?;
    let origin = s("origin").ok_or_else(|| malformed("clientDataJSON without origin"))?;
    let challenge = b64url(&challenge).ok_or(Failure::ClientMismatch("challenge is not base64url"))?;
    let cross_origin = v.get("crossOrigin").and_then(Value::as_bool).unwrap_or(false);
    Ok(ClientData { kind, challenge, origin, cross_origin })
}

/// base64url without padding (a trailing `=` padding is tolerated).
pub fn b64url(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

pub fn b64url_encode(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

/// Does `origin` match one of the patterns? A pattern is an exact origin or
/// `scheme://host:*` (any port, or none).
pub fn origin_allowed(patterns: &[String], origin: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix(":*") {
        Some(base) => match origin.strip_prefix(base) {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix(':')
                .is_some_and(|port| !port.is_empty() && port.len() <= 5 && port.bytes().all(|c| c.is_ascii_digit())),
            None => false,
        },
        None => p == origin,
    })
}

/// The origin (`scheme://host[:port]`) of a URL, for callback URLs.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// What a ceremony is checked against.
pub struct Policy<'a> {
    pub rp_id: &'a str,
    pub origins: &'a [String],
    pub uv_required: bool,
}

impl Policy<'_> {
    fn check_client_data(&self, cd: &ClientData, kind: &'static str, challenge: &[u8]) -> Result<(), Failure> {
        if cd.kind != kind {
            return Err(Failure::ClientMismatch(if kind == "webauthn.create" {
                "clientData type is not webauthn.create"
            } else {
                "clientData type is not webauthn.get"
            }));
        }
        if !crate::srp::ct_eq(&cd.challenge, challenge) {
            return Err(Failure::ClientMismatch("clientData challenge does not match"));
        }
        if cd.cross_origin || !origin_allowed(self.origins, &cd.origin) {
            return Err(Failure::OriginNotAllowed);
        }
        Ok(())
    }

    fn check_auth_data(&self, ad: &AuthenticatorData) -> Result<(), Failure> {
        let want: [u8; 32] = Sha256::digest(self.rp_id.as_bytes()).into();
        if ad.rp_id_hash != want {
            return Err(Failure::RelyingPartyMismatch);
        }
        if ad.flags & FLAG_UP == 0 {
            return Err(Failure::Flags("user not present"));
        }
        if self.uv_required && ad.flags & FLAG_UV == 0 {
            return Err(Failure::Flags("user verification required"));
        }
        Ok(())
    }
}

/// A credential that passed registration.
#[derive(Debug)]
pub struct Registered {
    pub fmt: String,
    pub flags: u8,
    pub sign_count: u32,
    pub credential: AttestedCredential,
}

/// Verifies a registration (WebAuthn §7.1 steps that apply to "none" and "packed"
/// self-attestation): client data, attestation object, authenticator data, COSE key.
pub fn verify_registration(
    policy: &Policy,
    challenge: &[u8],
    client_data_json: &[u8],
    attestation_object: &[u8],
) -> Result<Registered, Failure> {
    let cd = parse_client_data(client_data_json)?;
    policy.check_client_data(&cd, "webauthn.create", challenge)?;
    let att = cbor::decode(attestation_object).map_err(|e| malformed(format!("attestationObject: {e}")))?;
    let fmt = att
        .get_text_key("fmt")
        .and_then(cbor::Value::as_text)
        .ok_or_else(|| malformed("attestationObject without fmt"))?;
    let stmt = att
        .get_text_key("attStmt")
        .and_then(cbor::Value::as_map)
        .ok_or_else(|| malformed("attestationObject without attStmt"))?;
    let auth_data = att
        .get_text_key("authData")
        .and_then(cbor::Value::as_bytes)
        .ok_or_else(|| malformed("attestationObject without authData"))?;
    let ad = parse_authenticator_data(auth_data)?;
    policy.check_auth_data(&ad)?;
    let Some(credential) = ad.attested else {
        return Err(Failure::Flags("attested credential data missing (AT flag clear)"));
    };
    match fmt {
        "none" => {
            if !stmt.is_empty() {
                return Err(malformed("attStmt of format none must be empty"));
            }
        }
        "packed" => {
            let get = |k: &str| stmt.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
            if get("x5c").is_some() {
                return Err(Failure::Unsupported("packed attestation with a certificate chain".into()));
            }
            let alg =
                get("alg").and_then(cbor::Value::as_i64).ok_or_else(|| malformed("packed attStmt without alg"))?;
            let sig =
                get("sig").and_then(cbor::Value::as_bytes).ok_or_else(|| malformed("packed attStmt without sig"))?;
            if alg != credential.public_key.alg() {
                return Err(malformed("packed self-attestation alg differs from the credential's"));
            }
            let mut signed = auth_data.to_vec();
            signed.extend_from_slice(&Sha256::digest(client_data_json));
            if !credential.public_key.verify(&signed, sig) {
                return Err(Failure::Signature);
            }
        }
        other => return Err(Failure::Unsupported(format!("attestation format {other:?}"))),
    }
    Ok(Registered { fmt: fmt.to_string(), flags: ad.flags, sign_count: ad.sign_count, credential })
}

/// Verifies an assertion (WebAuthn §7.2) against a stored key and sign count; returns the
/// new sign count.
pub fn verify_assertion(
    policy: &Policy,
    challenge: &[u8],
    key: &PublicKey,
    stored_count: u32,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
) -> Result<u32, Failure> {
    let cd = parse_client_data(client_data_json)?;
    policy.check_client_data(&cd, "webauthn.get", challenge)?;
    let ad = parse_authenticator_data(authenticator_data)?;
    policy.check_auth_data(&ad)?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    if !key.verify(&signed, signature) {
        return Err(Failure::Signature);
    }
    if (ad.sign_count != 0 || stored_count != 0) && ad.sign_count <= stored_count {
        return Err(Failure::SignCount);
    }
    Ok(ad.sign_count)
}

// ---------------------------------------------------------------------------------------
// Stored credentials and pool state
// ---------------------------------------------------------------------------------------

/// A registered passkey (kept in the user's `UserExt::passkeys`).
#[derive(Clone, Debug)]
pub struct StoredCredential {
    pub id: Vec<u8>,
    pub public_key: PublicKey,
    pub cose_key: Vec<u8>,
    pub sign_count: u32,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub aaguid: [u8; 16],
    pub fmt: String,
    pub flags: u8,
    pub friendly_name: String,
}

struct Pending {
    challenge: Vec<u8>,
    client_id: String,
    created: i64,
}

/// Registration challenges and test overrides.
#[derive(Default)]
pub struct WebAuthnState {
    pending: Mutex<HashMap<usize, Pending>>,
    registration_ttl: Mutex<Option<i64>>,
}

impl WebAuthnState {
    fn pending(&self) -> MutexGuard<'_, HashMap<usize, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn reset(&self) {
        self.pending().clear();
        *self.registration_ttl.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    pub fn set_registration_ttl(&self, ttl: Option<i64>) {
        *self.registration_ttl.lock().unwrap_or_else(|e| e.into_inner()) = ttl;
    }
    fn registration_ttl(&self) -> i64 {
        self.registration_ttl.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(REGISTRATION_TTL)
    }
}

fn aaguid_string(a: &[u8; 16]) -> String {
    let h = crate::srp::to_hex(a);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

impl StoredCredential {
    /// The entry of ListWebAuthnCredentials.
    pub fn list_json(&self, rp_id: &str) -> Value {
        let mut v = json!({
            "CredentialId": b64url_encode(&self.id),
            "FriendlyCredentialName": self.friendly_name,
            "RelyingPartyId": rp_id,
            "AuthenticatorTransports": self.transports,
            "CreatedAt": crate::server::aws_date(self.created_at * 1000),
        });
        if let Some(a) = &self.attachment {
            v["AuthenticatorAttachment"] = json!(a);
        }
        v
    }

    /// The entry of `GET /_emulator/passkeys` (test control).
    pub fn debug_json(&self, username: &str) -> Value {
        json!({
            "username": username,
            "credentialId": b64url_encode(&self.id),
            "alg": self.public_key.alg(),
            "signCount": self.sign_count,
            "transports": self.transports,
            "authenticatorAttachment": self.attachment,
            "createdAt": self.created_at,
            "lastUsedAt": self.last_used_at,
            "aaguid": aaguid_string(&self.aaguid),
            "fmt": self.fmt,
            "userVerified": self.flags & FLAG_UV != 0,
            "backupEligible": self.flags & FLAG_BE != 0,
            "friendlyName": self.friendly_name,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

/// The JSON payload of a JWT (already validated by the token store).
fn token_claims(token: &str) -> Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// `Credential` as an object, or (older clients) a JSON string of one.
fn credential_object(v: Option<&Value>) -> Result<Map<String, Value>, ApiError> {
    match v {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(ApiError::invalid_parameter("Credential is not a JSON object")),
        },
        None | Some(Value::Null) => Err(ApiError::invalid_parameter("Missing required parameter Credential")),
        Some(_) => Err(ApiError::invalid_parameter("Credential must be an object")),
    }
}

/// A field of a credential JSON holding base64url bytes.
pub fn b64_field(obj: &Map<String, Value>, key: &str) -> Result<Vec<u8>, Failure> {
    let s = obj.get(key).and_then(Value::as_str).ok_or_else(|| malformed(format!("{key} missing")))?;
    b64url(s).ok_or_else(|| malformed(format!("{key} is not base64url")))
}

impl Pool {
    /// The pool's WebAuthn configuration and relying-party id, or the error Cognito gives.
    pub(crate) fn webauthn_config(&self) -> Result<(&WebAuthnConfig, &str), ApiError> {
        let cfg = self.userauth.webauthn_config.as_ref().filter(|_| self.userauth.factor_allowed("WEB_AUTHN"));
        let Some(cfg) = cfg else {
            return Err(ApiError::new("WebAuthnNotEnabledException", "WebAuthn is not enabled for this user pool."));
        };
        match cfg.relying_party_id.as_deref() {
            Some(rp) => Ok((cfg, rp)),
            None => Err(ApiError::new(
                "WebAuthnConfigurationMissingException",
                "The user pool has no relying party id for WebAuthn.",
            )),
        }
    }

    /// Allowed clientData origins for a client: configured patterns + callback URL origins.
    pub(crate) fn webauthn_origins(&self, client_id: &str) -> Vec<String> {
        let mut out = self.userauth.webauthn_config.as_ref().map(|c| c.allowed_origins.clone()).unwrap_or_default();
        if let Some(c) = self.client_config(client_id) {
            out.extend(c.callback_urls.iter().filter_map(|u| origin_of(u)));
        }
        out
    }

    /// The user handle (`user.id`) of a user: the bytes of the `sub` string.
    pub(crate) fn user_handle(&self, user: usize) -> Vec<u8> {
        self.users()[user].sub.as_bytes().to_vec()
    }

    pub(crate) fn webauthn_operation(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let token = get_str(req, "AccessToken")?;
        let user = self.user_for_access_token(token, now)?;
        let claims = token_claims(token);
        let scopes = claims["scope"].as_str().unwrap_or("");
        if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
            return Err(ApiError::not_authorized("Access Token does not have required scopes"));
        }
        let client_id = claims["client_id"].as_str().unwrap_or("").to_string();
        match op {
            "StartWebAuthnRegistration" => self.start_registration(user, &client_id, now),
            "CompleteWebAuthnRegistration" => self.complete_registration(user, &client_id, req, now),
            "ListWebAuthnCredentials" => self.list_credentials(user, req),
            _ => {
                let id = get_str(req, "CredentialId")?;
                let raw = b64url(id);
                let mut users = self.users();
                let keys = &mut users[user].ext.passkeys;
                match keys.iter().position(|k| Some(&k.id) == raw.as_ref()) {
                    Some(i) => {
                        keys.remove(i);
                        Ok(json!({}))
                    }
                    None => Err(ApiError::new("ResourceNotFoundException", "Credential not found.")),
                }
            }
        }
    }

    fn start_registration(&self, user: usize, client_id: &str, now: i64) -> ApiResult {
        let (cfg, rp_id) = self.webauthn_config()?;
        let challenge = crate::pool::random_bytes(32);
        let (name, display, exclude) = {
            let users = self.users();
            let u = &users[user];
            let display = u
                .attributes
                .get("name")
                .or_else(|| u.attributes.get("email"))
                .cloned()
                .unwrap_or_else(|| u.username.clone());
            let exclude: Vec<Value> =
                u.ext.passkeys.iter().map(|k| json!({"type": "public-key", "id": b64url_encode(&k.id)})).collect();
            (u.username.clone(), display, exclude)
        };
        let ttl = self.userauth.webauthn.registration_ttl();
        self.userauth
            .webauthn
            .pending()
            .insert(user, Pending { challenge: challenge.clone(), client_id: client_id.to_string(), created: now });
        Ok(json!({
            "CredentialCreationOptions": {
                "challenge": b64url_encode(&challenge),
                "rp": {"id": rp_id, "name": self.pool_name},
                "user": {"id": b64url_encode(&self.user_handle(user)), "name": name, "displayName": display},
                "pubKeyCredParams": [{"type": "public-key", "alg": ES256}, {"type": "public-key", "alg": RS256}],
                "timeout": ttl.saturating_mul(1000),
                "excludeCredentials": exclude,
                "authenticatorSelection": {"residentKey": "required", "userVerification": cfg.user_verification()},
            }
        }))
    }

    fn complete_registration(&self, user: usize, client_id: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let (cfg, rp_id) = self.webauthn_config()?;
        let cred = credential_object(req.get("Credential"))?;
        // One-time: whatever happens next, this challenge is used up.
        let pending = self.userauth.webauthn.pending().remove(&user);
        let ttl = self.userauth.webauthn.registration_ttl();
        let pending = match pending {
            Some(p) if now - p.created <= ttl && now >= p.created - 5 => p,
            _ => {
                return Err(ApiError::new(
                    "WebAuthnChallengeNotFoundException",
                    "No WebAuthn registration was started for this user, or it has expired.",
                ))
            }
        };
        if pending.client_id != client_id {
            return Err(ApiError::new(
                "WebAuthnClientMismatchException",
                "The access token is for a different app client than StartWebAuthnRegistration's.",
            ));
        }
        let fail = |f: Failure| f.registration_error();
        if cred.get("type").and_then(Value::as_str) != Some("public-key") {
            return Err(fail(malformed("type must be public-key")));
        }
        let raw_id = b64_field(&cred, "rawId").map_err(fail)?;
        if cred.get("id").and_then(Value::as_str).and_then(b64url).as_ref() != Some(&raw_id) {
            return Err(fail(malformed("id and rawId differ")));
        }
        let response = match cred.get("response") {
            Some(Value::Object(m)) => m,
            _ => return Err(fail(malformed("response missing"))),
        };
        let client_data = b64_field(response, "clientDataJSON").map_err(fail)?;
        let attestation = b64_field(response, "attestationObject").map_err(fail)?;
        let origins = self.webauthn_origins(client_id);
        let policy = Policy { rp_id, origins: &origins, uv_required: cfg.uv_required() };
        let reg = verify_registration(&policy, &pending.challenge, &client_data, &attestation).map_err(fail)?;
        if reg.credential.credential_id != raw_id {
            return Err(fail(malformed("rawId differs from the credential id in authenticator data")));
        }
        let transports: Vec<String> = match response.get("transports") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(String::from).collect(),
            _ => vec![],
        };
        let attachment = cred
            .get("authenticatorAttachment")
            .and_then(Value::as_str)
            .filter(|a| *a == "platform" || *a == "cross-platform")
            .map(String::from);
        let mut users = self.users();
        if users.iter().any(|u| u.ext.passkeys.iter().any(|k| k.id == raw_id)) {
            return Err(ApiError::invalid_parameter("This credential is already registered."));
        }
        let keys = &mut users[user].ext.passkeys;
        if keys.len() >= MAX_PASSKEYS {
            return Err(ApiError::new("LimitExceededException", "The user has the maximum number of passkeys."));
        }
        let friendly_name = match attachment.as_deref() {
            Some("platform") => "Platform passkey",
            Some(_) => "Security key",
            None => "Passkey",
        };
        keys.push(StoredCredential {
            id: raw_id,
            public_key: reg.credential.public_key,
            cose_key: reg.credential.cose_key,
            sign_count: reg.sign_count,
            transports,
            attachment,
            created_at: now,
            last_used_at: None,
            aaguid: reg.credential.aaguid,
            fmt: reg.fmt,
            flags: reg.flags,
            friendly_name: friendly_name.to_string(),
        });
        Ok(json!({}))
    }

    fn list_credentials(&self, user: usize, req: &Map<String, Value>) -> ApiResult {
        let max = match req.get("MaxResults") {
            None | Some(Value::Null) => 20,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=20) => n as usize,
                _ => return Err(ApiError::invalid_parameter("MaxResults must be between 1 and 20")),
            },
        };
        let start = match req.get("NextToken") {
            None | Some(Value::Null) => 0,
            Some(Value::String(t)) => {
                parse_next_token(t).ok_or_else(|| ApiError::invalid_parameter("Invalid NextToken"))?
            }
            Some(_) => return Err(ApiError::invalid_parameter("NextToken must be a string")),
        };
        let rp_id = self.userauth.webauthn_config.as_ref().and_then(|c| c.relying_party_id.clone()).unwrap_or_default();
        let users = self.users();
        let keys = &users[user].ext.passkeys;
        let page: Vec<Value> = keys.iter().skip(start).take(max).map(|k| k.list_json(&rp_id)).collect();
        let mut out = json!({ "Credentials": page });
        if start + max < keys.len() {
            out["NextToken"] = json!(b64url_encode(format!("passkeys:{}", start + max).as_bytes()));
        }
        Ok(out)
    }
}

fn parse_next_token(t: &str) -> Option<usize> {
    let raw = b64url(t)?;
    std::str::from_utf8(&raw).ok()?.strip_prefix("passkeys:")?.parse().ok()
}

/// A software authenticator for tests: builds attestation objects and assertions the way a
/// browser + authenticator would, with knobs to break each check.
#[cfg(test)]
pub(crate) mod soft {
    use super::*;
    use crate::cbor::{encode, int, Value as C};
    use std::sync::OnceLock;

    #[derive(Clone)]
    pub enum Key {
        Es(p256::ecdsa::SigningKey),
        Rs(Box<rsa::RsaPrivateKey>),
    }

    /// One RSA-2048 key for all tests (generation is slow in debug builds).
    pub fn rsa_key() -> rsa::RsaPrivateKey {
        static K: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
        K.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap()).clone()
    }

    #[derive(Clone)]
    pub struct Soft {
        pub key: Key,
        pub id: Vec<u8>,
        pub count: u32,
        pub rp_id: String,
        pub origin: String,
        /// Flags for the next ceremony (AT is added for registrations).
        pub flags: u8,
        pub kind_override: Option<String>,
        pub fmt: String,
        pub user_handle: Option<Vec<u8>>,
    }

    impl Soft {
        pub fn new(key: Key) -> Soft {
            Soft {
                key,
                id: crate::pool::random_bytes(16),
                count: 0,
                rp_id: "localhost".into(),
                origin: "http://localhost:8123".into(),
                flags: FLAG_UP | FLAG_UV,
                kind_override: None,
                fmt: "none".into(),
                user_handle: None,
            }
        }
        pub fn es256() -> Soft {
            Soft::new(Key::Es(p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng)))
        }
        pub fn rs256() -> Soft {
            Soft::new(Key::Rs(Box::new(rsa_key())))
        }

        pub fn cose(&self) -> Vec<u8> {
            match &self.key {
                Key::Es(k) => {
                    let p = k.verifying_key().to_encoded_point(false);
                    encode(&C::Map(vec![
                        (int(1), int(2)),
                        (int(3), int(ES256)),
                        (int(-1), int(1)),
                        (int(-2), C::Bytes(p.x().unwrap().to_vec())),
                        (int(-3), C::Bytes(p.y().unwrap().to_vec())),
                    ]))
                }
                Key::Rs(k) => {
                    use rsa::traits::PublicKeyParts;
                    encode(&C::Map(vec![
                        (int(1), int(3)),
                        (int(3), int(RS256)),
                        (int(-1), C::Bytes(k.n().to_bytes_be())),
                        (int(-2), C::Bytes(k.e().to_bytes_be())),
                    ]))
                }
            }
        }

        pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
            match &self.key {
                Key::Es(k) => {
                    use p256::ecdsa::signature::Signer;
                    let s: p256::ecdsa::Signature = k.sign(msg);
                    s.to_der().as_bytes().to_vec()
                }
                Key::Rs(k) => {
                    use rsa::signature::{SignatureEncoding, Signer};
                    rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone()).sign(msg).to_vec()
                }
            }
        }

        pub fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
            let kind = self.kind_override.as_deref().unwrap_or(kind);
            json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
                .to_string()
                .into_bytes()
        }

        pub fn auth_data(&self, attested: Option<&[u8]>) -> Vec<u8> {
            let mut d = Sha256::digest(self.rp_id.as_bytes()).to_vec();
            d.push(self.flags | if attested.is_some() { FLAG_AT } else { 0 });
            d.extend(self.count.to_be_bytes());
            if let Some(cose) = attested {
                d.extend([0x11; 16]);
                d.extend((self.id.len() as u16).to_be_bytes());
                d.extend(&self.id);
                d.extend(cose);
            }
            d
        }

        /// (clientDataJSON, attestationObject) for a base64url challenge.
        pub fn attest(&self, challenge: &str) -> (Vec<u8>, Vec<u8>) {
            self.attest_with_key(challenge, &self.cose())
        }

        pub fn attest_with_key(&self, challenge: &str, cose: &[u8]) -> (Vec<u8>, Vec<u8>) {
            let cd = self.client_data("webauthn.create", challenge);
            let ad = self.auth_data(Some(cose));
            let stmt = if self.fmt == "packed" {
                let mut m = ad.clone();
                m.extend(Sha256::digest(&cd));
                let alg = if matches!(self.key, Key::Es(_)) { ES256 } else { RS256 };
                C::Map(vec![(C::Text("alg".into()), int(alg)), (C::Text("sig".into()), C::Bytes(self.sign(&m)))])
            } else {
                C::Map(vec![])
            };
            let att = encode(&C::Map(vec![
                (C::Text("fmt".into()), C::Text(self.fmt.clone())),
                (C::Text("attStmt".into()), stmt),
                (C::Text("authData".into()), C::Bytes(ad)),
            ]));
            (cd, att)
        }

        /// RegistrationResponseJSON for CredentialCreationOptions.
        pub fn register(&self, options: &Value) -> Value {
            let (cd, att) = self.attest(options["challenge"].as_str().unwrap());
            self.registration_json(&cd, &att)
        }

        pub fn registration_json(&self, cd: &[u8], att: &[u8]) -> Value {
            json!({
                "id": b64url_encode(&self.id), "rawId": b64url_encode(&self.id), "type": "public-key",
                "response": {"clientDataJSON": b64url_encode(cd), "attestationObject": b64url_encode(att), "transports": ["internal"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform",
            })
        }

        /// (clientDataJSON, authenticatorData, signature); bumps the counter when non-zero.
        pub fn assert(&mut self, challenge: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
            if self.count != 0 {
                self.count += 1;
            }
            let cd = self.client_data("webauthn.get", challenge);
            let ad = self.auth_data(None);
            let mut m = ad.clone();
            m.extend(Sha256::digest(&cd));
            let sig = self.sign(&m);
            (cd, ad, sig)
        }

        /// AuthenticationResponseJSON (as the CREDENTIAL string) for CREDENTIAL_REQUEST_OPTIONS.
        pub fn get(&mut self, request_options: &str) -> String {
            let opts: Value = serde_json::from_str(request_options).unwrap();
            let (cd, ad, sig) = self.assert(opts["challenge"].as_str().unwrap());
            let mut response = json!({"clientDataJSON": b64url_encode(&cd), "authenticatorData": b64url_encode(&ad), "signature": b64url_encode(&sig)});
            if let Some(h) = &self.user_handle {
                response["userHandle"] = json!(b64url_encode(h));
            }
            json!({
                "id": b64url_encode(&self.id), "rawId": b64url_encode(&self.id), "type": "public-key",
                "response": response, "clientExtensionResults": {}, "authenticatorAttachment": "platform",
            })
            .to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::soft::Soft;
    use super::*;
    use crate::cbor::{encode, int, Value as C};

    const VECTORS: &str = include_str!("../../vectors/webauthn/webauthn-vectors.json");

    fn vectors() -> Value {
        serde_json::from_str(VECTORS).unwrap()
    }

    fn b(v: &Value) -> Vec<u8> {
        b64url(v.as_str().unwrap()).unwrap()
    }

    fn origins() -> Vec<String> {
        vec!["http://localhost:*".into()]
    }

    fn policy(origins: &[String]) -> Policy<'_> {
        Policy { rp_id: "localhost", origins, uv_required: true }
    }

    fn register(p: &Policy, x: &Value) -> Result<Registered, Failure> {
        let r = &x["registration"];
        verify_registration(p, &b(&r["challenge"]), &b(&r["clientDataJSON"]), &b(&r["attestationObject"]))
    }

    fn assert_vec(p: &Policy, x: &Value, key: &PublicKey, stored: u32) -> Result<u32, Failure> {
        let a = &x["assertion"];
        verify_assertion(
            p,
            &b(&a["challenge"]),
            key,
            stored,
            &b(&a["clientDataJSON"]),
            &b(&a["authenticatorData"]),
            &b(&a["signature"]),
        )
    }

    /// Known answers: attestation objects and assertions built by node's crypto
    /// (tests/vectors/webauthn/gen-webauthn.mjs).
    #[test]
    fn node_vectors_register_and_assert() {
        let v = vectors();
        let o = origins();
        let p = policy(&o);
        assert_eq!(v["rpId"], "localhost");
        for (name, x) in v["vectors"].as_object().unwrap() {
            let reg = register(&p, x).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(reg.fmt, if name.ends_with("packed") { "packed" } else { "none" }, "{name}");
            assert_eq!(reg.flags, FLAG_UP | FLAG_UV | FLAG_AT);
            assert_eq!(reg.sign_count as u64, x["registration"]["signCount"].as_u64().unwrap());
            assert_eq!(reg.credential.credential_id, b(&x["credentialId"]));
            assert_eq!(crate::srp::to_hex(&reg.credential.aaguid), x["aaguid"].as_str().unwrap());
            assert_eq!(reg.credential.cose_key, b(&x["coseKey"]));
            let jwk = &x["publicKeyJwk"];
            match &reg.credential.public_key {
                PublicKey::Es256(k) => {
                    assert!(name.starts_with("es256"));
                    let pt = k.to_encoded_point(false);
                    assert_eq!(pt.x().unwrap().as_slice(), b(&jwk["x"]).as_slice());
                    assert_eq!(pt.y().unwrap().as_slice(), b(&jwk["y"]).as_slice());
                }
                PublicKey::Rs256(k) => {
                    use rsa::traits::PublicKeyParts;
                    assert!(name.starts_with("rs256"));
                    assert_eq!(k.n().to_bytes_be(), b(&jwk["n"]));
                    assert_eq!(k.e().to_bytes_be(), b(&jwk["e"]));
                }
            }
            let count = assert_vec(&p, x, &reg.credential.public_key, reg.sign_count)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(count as u64, x["assertion"]["signCount"].as_u64().unwrap());
            // The userHandle the "browser" sent is the user's sub.
            assert_eq!(b(&x["assertion"]["userHandle"]), v["userSub"].as_str().unwrap().as_bytes());
        }
    }

    #[test]
    fn node_vectors_negative_checks() {
        let v = vectors();
        let x = &v["vectors"]["es256_none"];
        let o = origins();
        let p = policy(&o);
        let key = register(&p, x).unwrap().credential.public_key;
        let r = &x["registration"];
        let a = &x["assertion"];
        // Wrong challenge (registration and sign-in).
        let other = [7u8; 32];
        assert!(matches!(
            verify_registration(&p, &other, &b(&r["clientDataJSON"]), &b(&r["attestationObject"])),
            Err(Failure::ClientMismatch(_))
        ));
        let get = |challenge: &[u8], ad: &[u8], sig: &[u8], stored: u32| {
            verify_assertion(&p, challenge, &key, stored, &b(&a["clientDataJSON"]), ad, sig)
        };
        let (ad, sig) = (b(&a["authenticatorData"]), b(&a["signature"]));
        assert!(matches!(get(&other, &ad, &sig, 3), Err(Failure::ClientMismatch(_))));
        // Wrong type: the assertion's clientData presented at registration.
        assert_eq!(
            verify_registration(&p, &b(&a["challenge"]), &b(&a["clientDataJSON"]), &b(&r["attestationObject"]))
                .unwrap_err(),
            Failure::ClientMismatch("clientData type is not webauthn.create")
        );
        // Origin not allowed.
        let elsewhere = vec!["http://127.0.0.1:*".to_string(), "http://localhost:9999".to_string()];
        assert_eq!(register(&policy(&elsewhere), x).unwrap_err(), Failure::OriginNotAllowed);
        assert_eq!(assert_vec(&policy(&elsewhere), x, &key, 3).unwrap_err(), Failure::OriginNotAllowed);
        // RP ID hash of another relying party.
        let rp = Policy { rp_id: "example.com", origins: &o, uv_required: true };
        assert_eq!(register(&rp, x).unwrap_err(), Failure::RelyingPartyMismatch);
        assert_eq!(assert_vec(&rp, x, &key, 3).unwrap_err(), Failure::RelyingPartyMismatch);
        // Bad signature: one bit flipped in the signature, or in the signed data.
        let mut bad = sig.clone();
        let last = bad.len() - 2;
        bad[last] ^= 1;
        assert_eq!(get(&b(&a["challenge"]), &ad, &bad, 3), Err(Failure::Signature));
        let mut ad2 = ad.clone();
        ad2[36] ^= 0x40; // sign count changed after signing
        assert_eq!(get(&b(&a["challenge"]), &ad2, &sig, 3), Err(Failure::Signature));
        assert_eq!(get(&b(&a["challenge"]), &ad, b"not der", 3), Err(Failure::Signature));
        // Replayed sign count: stored 7 (or more) and the assertion says 7.
        assert_eq!(get(&b(&a["challenge"]), &ad, &sig, 7), Err(Failure::SignCount));
        assert_eq!(get(&b(&a["challenge"]), &ad, &sig, 8), Err(Failure::SignCount));
        assert_eq!(get(&b(&a["challenge"]), &ad, &sig, 6), Ok(7));
        // The RS256 vector's authenticator does not count (0 → 0 is fine), but once a count
        // was seen, 0 is a replay.
        let xr = &v["vectors"]["rs256_none"];
        let rkey = register(&p, xr).unwrap().credential.public_key;
        assert_eq!(assert_vec(&p, xr, &rkey, 0), Ok(0));
        assert_eq!(assert_vec(&p, xr, &rkey, 1), Err(Failure::SignCount));
        // A key of the other algorithm does not verify.
        assert_eq!(assert_vec(&p, xr, &key, 0), Err(Failure::Signature));
        // CBOR garbage and truncation.
        let att = b(&r["attestationObject"]);
        for bad in [vec![], vec![0xff], att[..att.len() - 1].to_vec(), [att.clone(), vec![0]].concat(), b"{}".to_vec()]
        {
            assert!(matches!(
                verify_registration(&p, &b(&r["challenge"]), &b(&r["clientDataJSON"]), &bad),
                Err(Failure::Malformed(_))
            ));
        }
        assert!(matches!(get(&b(&a["challenge"]), &ad[..36], &sig, 0), Err(Failure::Malformed(_))));
        assert!(matches!(
            get(&b(&a["challenge"]), &[ad.clone(), vec![0]].concat(), &sig, 0),
            Err(Failure::Malformed(_))
        ));
        assert!(matches!(
            verify_assertion(&p, &b(&a["challenge"]), &key, 0, b"not json", &ad, &sig),
            Err(Failure::Malformed(_))
        ));
    }

    #[test]
    fn flags_and_formats_with_a_soft_authenticator() {
        let o = origins();
        let p = policy(&o);
        let ch = b64url_encode(&[1u8; 32]);
        let reg = |s: &Soft| {
            let (cd, att) = s.attest(&ch);
            verify_registration(&p, &[1u8; 32], &cd, &att)
        };
        let mut s = Soft::es256();
        assert!(reg(&s).is_ok());
        // UP clear, UV clear when required, UV clear when only preferred.
        s.flags = FLAG_UV;
        assert_eq!(reg(&s).unwrap_err(), Failure::Flags("user not present"));
        s.flags = FLAG_UP;
        assert_eq!(reg(&s).unwrap_err(), Failure::Flags("user verification required"));
        let lax = Policy { rp_id: "localhost", origins: &o, uv_required: false };
        let (cd, att) = s.attest(&ch);
        assert!(verify_registration(&lax, &[1u8; 32], &cd, &att).is_ok());
        s.flags = FLAG_UP | FLAG_UV;
        // Assertions: UP / UV clear.
        let key = reg(&s).unwrap().credential.public_key;
        for (flags, want) in [(FLAG_UV, "user not present"), (FLAG_UP, "user verification required")] {
            let mut t = s.clone();
            t.flags = flags;
            let (cd, ad, sig) = t.assert(&ch);
            assert_eq!(verify_assertion(&p, &[1u8; 32], &key, 0, &cd, &ad, &sig), Err(Failure::Flags(want)));
        }
        // Backup state without eligibility is malformed; with it, fine.
        let mut t = s.clone();
        t.flags = FLAG_UP | FLAG_UV | FLAG_BS;
        assert!(matches!(reg(&t), Err(Failure::Malformed(_))));
        t.flags = FLAG_UP | FLAG_UV | FLAG_BE | FLAG_BS;
        assert!(reg(&t).is_ok());
        // Cross-origin iframes are refused.
        let cd =
            json!({"type": "webauthn.get", "challenge": ch, "origin": "http://localhost:8123", "crossOrigin": true})
                .to_string();
        let (_, ad, _) = s.clone().assert(&ch);
        assert_eq!(verify_assertion(&p, &[1u8; 32], &key, 0, cd.as_bytes(), &ad, b""), Err(Failure::OriginNotAllowed));
        // Packed self-attestation, good and forged; x5c and other formats unsupported.
        let mut pk = Soft::es256();
        pk.fmt = "packed".into();
        assert_eq!(reg(&pk).unwrap().fmt, "packed");
        let mut rs = Soft::rs256();
        rs.fmt = "packed".into();
        assert!(matches!(reg(&rs).unwrap().credential.public_key, PublicKey::Rs256(_)));
        let (cd, att) = pk.attest(&ch);
        let forged = {
            let other = Soft::es256();
            let mut m = crate::cbor::decode(&att).unwrap();
            if let C::Map(entries) = &mut m {
                let ad = entries[2].1.as_bytes().unwrap().to_vec();
                let sig = other.sign(&[ad, Sha256::digest(&cd).to_vec()].concat());
                entries[1].1 =
                    C::Map(vec![(C::Text("alg".into()), int(ES256)), (C::Text("sig".into()), C::Bytes(sig))]);
            }
            encode(&m)
        };
        assert_eq!(verify_registration(&p, &[1u8; 32], &cd, &forged).unwrap_err(), Failure::Signature);
        for (fmt, stmt) in [
            (
                "packed",
                C::Map(vec![
                    (C::Text("alg".into()), int(ES256)),
                    (C::Text("sig".into()), C::Bytes(vec![1])),
                    (C::Text("x5c".into()), C::Array(vec![])),
                ]),
            ),
            ("tpm", C::Map(vec![])),
            ("fido-u2f", C::Map(vec![])),
        ] {
            let (cd, _) = s.attest(&ch);
            let att = encode(&C::Map(vec![
                (C::Text("fmt".into()), C::Text(fmt.into())),
                (C::Text("attStmt".into()), stmt),
                (C::Text("authData".into()), C::Bytes(s.auth_data(Some(&s.cose())))),
            ]));
            assert!(matches!(verify_registration(&p, &[1u8; 32], &cd, &att), Err(Failure::Unsupported(_))), "{fmt}");
        }
        let (cd, _) = s.attest(&ch);
        let att = encode(&C::Map(vec![
            (C::Text("fmt".into()), C::Text("none".into())),
            (C::Text("attStmt".into()), C::Map(vec![(C::Text("sig".into()), C::Bytes(vec![1]))])),
            (C::Text("authData".into()), C::Bytes(s.auth_data(Some(&s.cose())))),
        ]));
        assert!(matches!(verify_registration(&p, &[1u8; 32], &cd, &att), Err(Failure::Malformed(_))));
        // AT clear at registration.
        let (cd, _) = s.attest(&ch);
        let att = encode(&C::Map(vec![
            (C::Text("fmt".into()), C::Text("none".into())),
            (C::Text("attStmt".into()), C::Map(vec![])),
            (C::Text("authData".into()), C::Bytes(s.auth_data(None))),
        ]));
        assert!(matches!(verify_registration(&p, &[1u8; 32], &cd, &att), Err(Failure::Flags(_))));
    }

    #[test]
    fn high_s_es256_signatures_are_accepted() {
        let s = Soft::es256();
        let key = PublicKey::Es256(*match &s.key {
            soft::Key::Es(k) => k.verifying_key(),
            _ => unreachable!(),
        });
        let msg = b"authenticatorData || clientDataHash";
        let der = s.sign(msg);
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        let (r, s_) = sig.split_scalars();
        let flipped = p256::ecdsa::Signature::from_scalars(r, -s_).unwrap();
        assert!(key.verify(msg, &der));
        assert!(key.verify(msg, flipped.to_der().as_bytes()));
        assert!(!key.verify(b"other", flipped.to_der().as_bytes()));
    }

    #[test]
    fn cose_keys() {
        let es = crate::cbor::decode(&Soft::es256().cose()).unwrap();
        assert_eq!(parse_cose_key(&es).unwrap().alg(), ES256);
        let rs = crate::cbor::decode(&Soft::rs256().cose()).unwrap();
        assert_eq!(parse_cose_key(&rs).unwrap().alg(), RS256);
        let unsupported = |m: Vec<(C, C)>| matches!(parse_cose_key(&C::Map(m)), Err(Failure::Unsupported(_)));
        let C::Map(good) = es.clone() else { panic!() };
        let with = |label: i64, v: C| {
            let mut m = good.clone();
            m.iter_mut().find(|(k, _)| k.as_i64() == Some(label)).unwrap().1 = v;
            m
        };
        // EdDSA (OKP, -8), P-384 curve, ES384 alg, short x, point off the curve.
        assert!(unsupported(vec![
            (int(1), int(1)),
            (int(3), int(-8)),
            (int(-1), int(6)),
            (int(-2), C::Bytes(vec![0; 32]))
        ]));
        assert!(unsupported(with(-1, int(2))));
        assert!(unsupported(with(3, int(-35))));
        assert!(unsupported(with(-2, C::Bytes(vec![1; 31]))));
        assert!(unsupported(with(-3, C::Bytes(vec![1; 32]))));
        // RSA-1024 is too short.
        let small = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        use rsa::traits::PublicKeyParts;
        assert!(unsupported(vec![
            (int(1), int(3)),
            (int(3), int(RS256)),
            (int(-1), C::Bytes(small.n().to_bytes_be())),
            (int(-2), C::Bytes(small.e().to_bytes_be())),
        ]));
        assert!(matches!(parse_cose_key(&C::Array(vec![])), Err(Failure::Malformed(_))));
        assert!(matches!(parse_cose_key(&C::Map(vec![(int(3), int(-7))])), Err(Failure::Malformed(_))));
    }

    #[test]
    fn origins_and_client_data() {
        let pats = vec!["http://localhost:*".to_string(), "https://app.example.com".to_string()];
        for ok in ["http://localhost:5173", "http://localhost", "http://localhost:1", "https://app.example.com"] {
            assert!(origin_allowed(&pats, ok), "{ok}");
        }
        for bad in [
            "https://localhost:5173",
            "http://localhost.evil.com",
            "http://localhost:80.evil.com",
            "http://localhost:",
            "http://localhost:123456",
            "https://app.example.com:443",
            "http://app.example.com",
            "null",
            "",
        ] {
            assert!(!origin_allowed(&pats, bad), "{bad}");
        }
        assert_eq!(origin_of("http://localhost:8080/cb?x=1").as_deref(), Some("http://localhost:8080"));
        assert_eq!(origin_of("https://a.example/").as_deref(), Some("https://a.example"));
        assert_eq!(origin_of("nonsense"), None);
        let cd =
            parse_client_data(br#"{"type":"webauthn.get","challenge":"AQID","origin":"http://localhost:1"}"#).unwrap();
        assert_eq!(
            cd,
            ClientData {
                kind: "webauthn.get".into(),
                challenge: vec![1, 2, 3],
                origin: "http://localhost:1".into(),
                cross_origin: false
            }
        );
        assert!(matches!(
            parse_client_data(br#"{"type":"webauthn.get","challenge":"A+/=","origin":"x"}"#),
            Err(Failure::ClientMismatch(_))
        ));
        assert!(matches!(parse_client_data(br#"{"type":"webauthn.get","origin":"x"}"#), Err(Failure::Malformed(_))));
    }
}
