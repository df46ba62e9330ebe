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

pub const OPERATIONS: [&str; 4] =
    ["StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials", "DeleteWebAuthnCredential"];

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
            Some(other) => return Err(format!("webAuthn.userVerification must be required or preferred, not {other:?}")),
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
    let fmt = att.get_text_key("fmt").and_then(cbor::Value::as_text).ok_or_else(|| malformed("attestationObject without fmt"))?;
    let stmt = att.get_text_key("attStmt").and_then(cbor::Value::as_map).ok_or_else(|| malformed("attestationObject without attStmt"))?;
    let auth_data = att.get_text_key("authData").and_then(cbor::Value::as_bytes).ok_or_else(|| malformed("attestationObject without authData"))?;
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
            let alg = get("alg").and_then(cbor::Value::as_i64).ok_or_else(|| malformed("packed attStmt without alg"))?;
            let sig = get("sig").and_then(cbor::Value::as_bytes).ok_or_else(|| malformed("packed attStmt without sig"))?;
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
            "CreatedAt": self.created_at as f64,
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
            let display = u.attributes.get("name").or_else(|| u.attributes.get("email")).cloned().unwrap_or_else(|| u.username.clone());
            let exclude: Vec<Value> =
                u.ext.passkeys.iter().map(|k| json!({"type": "public-key", "id": b64url_encode(&k.id)})).collect();
            (u.username.clone(), display, exclude)
        };
        let ttl = self.userauth.webauthn.registration_ttl();
        self.userauth.webauthn.pending().insert(
            user,
            Pending { challenge: challenge.clone(), client_id: client_id.to_string(), created: now },
        );
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
            Some(Value::String(t)) => parse_next_token(t).ok_or_else(|| ApiError::invalid_parameter("Invalid NextToken"))?,
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
