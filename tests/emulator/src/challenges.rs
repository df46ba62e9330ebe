//! Sign-in beyond the password: USER_PASSWORD_AUTH, CUSTOM_AUTH, NEW_PASSWORD_REQUIRED,
//! SMS_MFA / EMAIL_OTP / SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP (TOTP), client
//! secrets (SECRET_HASH), and the test outbox where codes are "delivered".

use crate::pool::{get_map, get_str, ApiError, ApiResult, Config, Pool, INCORRECT, SESSION_EXPIRED, SESSION_TTL};
use crate::srp;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Wrong codes allowed per challenge session before it is dropped.
pub const MAX_ATTEMPTS: u32 = 3;
/// Emailed/SMS codes stay valid this long (seconds).
pub const CODE_TTL: i64 = 3600;

/// Per-user MFA configuration in the config file: `"mfa": {"sms": true, "email": false,
/// "totpSecret": "BASE32", "preferred": "SOFTWARE_TOKEN_MFA", "setupSecret": "BASE32"}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaConfig {
    #[serde(default)]
    pub sms: bool,
    #[serde(default)]
    pub email: bool,
    #[serde(default)]
    pub totp_secret: Option<String>,
    #[serde(default)]
    pub preferred: Option<String>,
    /// The secret AssociateSoftwareToken hands this user (instead of a random one), so that
    /// a TOTP setup screen can be screenshotted identically on every run.
    #[serde(default)]
    pub setup_secret: Option<String>,
}

/// Pool-level sign-in options (top level of the config file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolAuthConfig {
    /// `"OFF"` (default), `"OPTIONAL"` (users with MFA enabled get a challenge) or `"ON"`
    /// (users without MFA must set up TOTP: MFA_SETUP).
    #[serde(default)]
    pub mfa_configuration: Option<String>,
    /// The CUSTOM_AUTH challenge (what the Lambda triggers would define).
    #[serde(default)]
    pub custom_challenge: Option<CustomChallenge>,
    /// Passkeys: `{"relyingPartyId","userVerification","allowedOrigins"}` (see `webauthn`).
    #[serde(default)]
    pub web_authn: Option<crate::webauthn::WebAuthnConfig>,
    /// USER_AUTH first factors: PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN (default all).
    #[serde(default)]
    pub allowed_first_auth_factors: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomChallenge {
    pub question: String,
    pub answer: String,
}

/// Mutable per-user state added by this module and `account`.
#[derive(Default, Clone)]
pub struct UserExt {
    pub deleted: bool,
    pub sms_mfa: bool,
    pub email_mfa: bool,
    /// Verified TOTP secret (base32).
    pub totp_secret: Option<String>,
    /// AssociateSoftwareToken (with an access token) not yet verified.
    pub pending_totp: Option<String>,
    pub preferred: Option<String>,
    /// See `MfaConfig::setup_secret`.
    pub setup_secret: Option<String>,
    /// (purpose, code, expires): SIGN_UP, FORGOT_PASSWORD, VERIFY_{attribute}.
    pub codes: Vec<(String, String, i64)>,
    /// Tracked devices (see `devices`).
    pub devices: Vec<crate::devices::Device>,
    /// Registered passkeys (see `webauthn`).
    pub passkeys: Vec<crate::webauthn::StoredCredential>,
}

impl UserExt {
    pub fn from_config(c: &MfaConfig) -> UserExt {
        UserExt {
            sms_mfa: c.sms,
            email_mfa: c.email,
            totp_secret: c.totp_secret.clone(),
            preferred: c.preferred.clone(),
            setup_secret: c.setup_secret.clone(),
            ..Default::default()
        }
    }
}

struct ChSession {
    user: usize,
    username: String,
    client_id: String,
    kind: String,
    code: Option<String>,
    created: i64,
    attempts: u32,
    /// MFA_SETUP: the associated secret and whether VerifySoftwareToken accepted it.
    totp: Option<String>,
    totp_verified: bool,
    choices: Vec<String>,
    /// The DEVICE_KEY sent with this sign-in (no NewDeviceMetadata then).
    device_key: Option<String>,
    /// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER state.
    device_srp: Option<crate::devices::DeviceSrp>,
}

#[derive(Default)]
struct ExtState {
    sessions: HashMap<String, ChSession>,
    outbox: Vec<Value>,
}

/// Pool-level state of this module.
pub struct PoolExt {
    secrets: HashMap<String, String>,
    pub mfa_configuration: String,
    pub custom: Option<CustomChallenge>,
    /// Client id → device tracking (`"ALWAYS"` or `"OPT_IN"`); absent = off.
    pub device_tracking: HashMap<String, String>,
    inner: Mutex<ExtState>,
    /// The configured users, restored by `POST /_emulator/reset`.
    initial: Mutex<Vec<crate::pool::User>>,
}

impl PoolExt {
    pub fn set_initial(&self, users: &[crate::pool::User]) {
        *self.initial.lock().unwrap_or_else(|e| e.into_inner()) = users.to_vec();
    }

    pub fn initial_users(&self) -> Vec<crate::pool::User> {
        self.initial.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn new(config: &Config) -> PoolExt {
        PoolExt {
            secrets: config
                .clients
                .iter()
                .filter_map(|c| Some((c.client_id.clone(), c.client_secret.clone()?)))
                .collect(),
            mfa_configuration: config.auth.mfa_configuration.clone().unwrap_or_else(|| "OFF".into()),
            custom: config.auth.custom_challenge.clone(),
            device_tracking: config
                .clients
                .iter()
                .filter_map(|c| Some((c.client_id.clone(), c.device_tracking.clone()?)))
                .collect(),
            inner: Mutex::new(ExtState::default()),
            initial: Mutex::new(vec![]),
        }
    }

    fn state(&self) -> MutexGuard<'_, ExtState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn reset(&self) {
        let mut st = self.state();
        st.sessions.clear();
        st.outbox.clear();
    }

    /// `GET /_emulator/outbox`: every code "sent", oldest first.
    pub fn outbox_json(&self) -> Value {
        Value::Array(self.state().outbox.clone())
    }

    /// Records a delivered code.
    pub fn deliver(&self, username: &str, medium: &str, destination: &str, purpose: &str, code: &str, now: i64) {
        self.state().outbox.push(json!({
            "username": username, "medium": medium, "destination": destination,
            "purpose": purpose, "code": code, "time": now,
        }));
    }

    pub fn client_secret(&self, client_id: &str) -> Option<&str> {
        self.secrets.get(client_id).map(String::as_str)
    }
}

pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    STANDARD.encode(srp::hmac_sha256(secret.as_bytes(), &[username.as_bytes(), client_id.as_bytes()]))
}

/// A 6-digit code from the OS RNG.
pub fn new_code() -> String {
    let b = crate::pool::random_bytes(4);
    format!("{:06}", u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000)
}

/// `d***@e***` / `+*******1234`, like Cognito's CODE_DELIVERY_DESTINATION.
pub fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let tail: String = destination.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("+*******{tail}")
    }
}

// ---------------------------------------------------------------------------------------
// TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits)
// ---------------------------------------------------------------------------------------

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | v as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

pub fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut bits, mut n) = (0u64, 0);
    for b in bytes {
        bits = (bits << 8) | *b as u64;
        n += 8;
        while n >= 5 {
            n -= 5;
            out.push(ALPHABET[((bits >> n) & 31) as usize] as char);
        }
    }
    if n > 0 {
        out.push(ALPHABET[((bits << (5 - n)) & 31) as usize] as char);
    }
    out
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..20].copy_from_slice(&sha1_smol::Sha1::from(key).digest().bytes());
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = sha1_smol::Sha1::new();
    inner.update(&k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = sha1_smol::Sha1::new();
    outer.update(&k.map(|b| b ^ 0x5c));
    outer.update(&inner.digest().bytes());
    outer.digest().bytes()
}

/// The HOTP value (RFC 4226) for `counter`, as `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let h = hmac_sha1(key, &counter.to_be_bytes());
    let off = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    format!("{:0width$}", bin % 10u32.pow(digits), width = digits as usize)
}

/// Accepts the code of the current 30 s step or the one before/after (±30 s).
pub fn totp_ok(secret_b32: &str, code: &str, now: i64) -> bool {
    let Some(key) = base32_decode(secret_b32) else { return false };
    let step = now.div_euclid(30);
    (step - 1..=step + 1).any(|s| s >= 0 && srp::ct_eq(hotp(&key, s as u64, 6).as_bytes(), code.as_bytes()))
}

// ---------------------------------------------------------------------------------------
// Password policy (Cognito's default: 8+ chars, upper, lower, digit, symbol)
// ---------------------------------------------------------------------------------------

pub fn check_password_policy(p: &str) -> Result<(), ApiError> {
    let ok = p.chars().count() >= 8
        && p.chars().any(|c| c.is_ascii_uppercase())
        && p.chars().any(|c| c.is_ascii_lowercase())
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().any(|c| !c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase, lowercase, numeric and symbol characters and at least 8 characters",
        ))
    }
}

fn new_session_id() -> String {
    URL_SAFE_NO_PAD.encode(crate::pool::random_bytes(96))
}

impl Pool {
    /// A new TOTP secret for AssociateSoftwareToken: 20 random bytes in base32, or the user's
    /// configured `setupSecret`.
    pub fn new_totp_secret(&self, user: usize) -> String {
        let fixed = self.users().get(user).and_then(|u| u.ext.setup_secret.clone());
        fixed.unwrap_or_else(|| base32_encode(&crate::pool::random_bytes(20)))
    }

    /// Checks SECRET_HASH for clients that have a secret (others ignore it).
    pub fn check_secret_hash(&self, client_id: &str, given: Option<&Value>, username: &str) -> Result<(), ApiError> {
        let Some(secret) = self.ext.client_secret(client_id) else { return Ok(()) };
        match given.and_then(Value::as_str) {
            None => Err(ApiError::not_authorized(&format!(
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            ))),
            Some(h) if srp::ct_eq(h.as_bytes(), secret_hash(secret, username, client_id).as_bytes()) => Ok(()),
            Some(_) => Err(ApiError::not_authorized(&format!("Unable to verify secret hash for client {client_id}"))),
        }
    }

    /// Does `password` match the user's verifier?
    pub fn password_matches(&self, user: usize, password: &str) -> bool {
        let users = self.users();
        let u = &users[user];
        let Some(salt) = srp::parse_hex(&u.salt_hex) else { return false };
        srp::compute_verifier(&salt, &self.pool_name, &u.username, password) == u.verifier
    }

    /// Replaces a user's password (new salt and verifier).
    pub fn set_password(&self, user: usize, password: &str) {
        let salt = loop {
            let s = crate::pool::random_bytes(16);
            if s[0] != 0 {
                break s;
            }
        };
        let mut users = self.users();
        let u = &mut users[user];
        u.verifier = srp::compute_verifier(&BigUint::from_bytes_be(&salt), &self.pool_name, &u.username, password);
        u.salt_hex = srp::to_hex(&salt);
    }

    /// InitiateAuth for USER_PASSWORD_AUTH and CUSTOM_AUTH.
    pub(crate) fn initiate_other(
        &self,
        flow: &str,
        client_id: &str,
        params: &Map<String, Value>,
        now: i64,
    ) -> ApiResult {
        let username = get_str(params, "USERNAME")?;
        self.check_secret_hash(client_id, params.get("SECRET_HASH"), username)?;
        if flow == "CUSTOM_AUTH" {
            if self.ext.custom.is_none() {
                return Err(ApiError::invalid_parameter(
                    "Custom auth lambda trigger is not configured for the user pool.",
                ));
            }
            if params.contains_key("SRP_A") {
                return self.start_srp(client_id, params, now);
            }
            let Some(user) = self.find_user(username) else {
                return Err(ApiError::new("UserNotFoundException", "User does not exist."));
            };
            return self.custom_challenge(user, client_id, now, 0);
        }
        let password = get_str(params, "PASSWORD")?;
        let Some(user) = self.find_user(username) else {
            return Err(if self.prevent_user_existence_errors {
                ApiError::not_authorized(INCORRECT)
            } else {
                ApiError::new("UserNotFoundException", "User does not exist.")
            });
        };
        if !self.password_matches(user, password) {
            return Err(ApiError::not_authorized(INCORRECT));
        }
        let status = self.users()[user].status.clone();
        match status.as_str() {
            "UNCONFIRMED" => return Err(ApiError::new("UserNotConfirmedException", "User is not confirmed.")),
            "RESET_REQUIRED" => {
                return Err(ApiError::new("PasswordResetRequiredException", "Password reset required for the user"))
            }
            _ => {}
        }
        self.after_password(user, client_id, false, None, now)
    }

    fn challenge_reply(&self, s: ChSession, params: Value) -> ApiResult {
        let id = new_session_id();
        let mut p = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        p.insert("USER_ID_FOR_SRP".into(), json!(s.username));
        let name = s.kind.clone();
        let mut st = self.ext.state();
        st.sessions.retain(|_, x| s.created - x.created <= SESSION_TTL);
        st.sessions.insert(id.clone(), s);
        Ok(json!({ "ChallengeName": name, "ChallengeParameters": p, "Session": id }))
    }

    fn session(&self, user: usize, client_id: &str, kind: &str, now: i64) -> ChSession {
        ChSession {
            user,
            username: self.users()[user].username.clone(),
            client_id: client_id.into(),
            kind: kind.into(),
            code: None,
            created: now,
            attempts: 0,
            totp: None,
            totp_verified: false,
            choices: vec![],
            device_key: None,
            device_srp: None,
        }
    }

    fn custom_challenge(&self, user: usize, client_id: &str, now: i64, attempts: u32) -> ApiResult {
        let question = self.ext.custom.as_ref().map(|c| c.question.clone()).unwrap_or_default();
        let mut s = self.session(user, client_id, "CUSTOM_CHALLENGE", now);
        s.attempts = attempts;
        self.challenge_reply(s, json!({ "USERNAME": self.users()[user].username, "question": question }))
    }

    /// After a correct password: NEW_PASSWORD_REQUIRED, the custom challenge, MFA, or tokens.
    pub(crate) fn after_password(
        &self,
        user: usize,
        client_id: &str,
        custom: bool,
        device: Option<String>,
        now: i64,
    ) -> ApiResult {
        let (status, attrs) = {
            let users = self.users();
            (users[user].status.clone(), users[user].attributes.clone())
        };
        if status == "FORCE_CHANGE_PASSWORD" {
            let visible: Map<String, Value> =
                attrs.iter().filter(|(k, _)| !k.ends_with("_verified")).map(|(k, v)| (k.clone(), json!(v))).collect();
            let required: Vec<&str> = ["name"].into_iter().filter(|a| !attrs.contains_key(*a)).collect();
            let mut s = self.session(user, client_id, "NEW_PASSWORD_REQUIRED", now);
            s.device_key = device;
            return self.challenge_reply(
                s,
                json!({
                    "userAttributes": Value::Object(visible).to_string(),
                    "requiredAttributes": json!(required.iter().map(|a| format!("userAttributes.{a}")).collect::<Vec<_>>()).to_string(),
                }),
            );
        }
        if custom {
            return self.custom_challenge(user, client_id, now, 0);
        }
        // A remembered device proves itself instead of MFA.
        if let Some(key) = device.as_deref().filter(|k| self.device_remembered(user, k)) {
            let mut s = self.session(user, client_id, "DEVICE_SRP_AUTH", now);
            s.device_key = Some(key.to_string());
            let name = s.username.clone();
            return self.challenge_reply(s, json!({ "USERNAME": name }));
        }
        self.mfa_or_tokens(user, client_id, device.as_deref(), now)
    }

    fn mfa_methods(&self, user: usize) -> (Vec<String>, Option<String>) {
        let users = self.users();
        let u = &users[user];
        let mut m = vec![];
        if u.ext.sms_mfa && u.attributes.contains_key("phone_number") {
            m.push("SMS_MFA".to_string());
        }
        if u.ext.email_mfa && u.attributes.contains_key("email") {
            m.push("EMAIL_OTP".to_string());
        }
        if u.ext.totp_secret.is_some() {
            m.push("SOFTWARE_TOKEN_MFA".to_string());
        }
        (m, u.ext.preferred.clone())
    }

    fn mfa_or_tokens(&self, user: usize, client_id: &str, device: Option<&str>, now: i64) -> ApiResult {
        if self.ext.mfa_configuration == "OFF" {
            return self.authenticated_with(user, client_id, now, device);
        }
        let (methods, preferred) = self.mfa_methods(user);
        if methods.is_empty() {
            if self.ext.mfa_configuration == "ON" {
                let mut s = self.session(user, client_id, "MFA_SETUP", now);
                s.device_key = device.map(String::from);
                return self.challenge_reply(s, json!({ "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]" }));
            }
            return self.authenticated_with(user, client_id, now, device);
        }
        let pick =
            preferred.filter(|p| methods.contains(p)).or_else(|| (methods.len() == 1).then(|| methods[0].clone()));
        match pick {
            Some(kind) => self.mfa_challenge(user, client_id, &kind, device, now),
            None => {
                let mut s = self.session(user, client_id, "SELECT_MFA_TYPE", now);
                s.device_key = device.map(String::from);
                s.choices = methods.clone();
                self.challenge_reply(s, json!({ "MFAS_CAN_CHOOSE": json!(methods).to_string() }))
            }
        }
    }

    fn mfa_challenge(&self, user: usize, client_id: &str, kind: &str, device: Option<&str>, now: i64) -> ApiResult {
        let mut s = self.session(user, client_id, kind, now);
        s.device_key = device.map(String::from);
        if kind == "SOFTWARE_TOKEN_MFA" {
            return self.challenge_reply(s, json!({}));
        }
        let (attr, medium) = if kind == "SMS_MFA" { ("phone_number", "SMS") } else { ("email", "EMAIL") };
        let dest = self.users()[user].attributes.get(attr).cloned().unwrap_or_default();
        let code = new_code();
        self.ext.deliver(&s.username, medium, &dest, kind, &code, now);
        s.code = Some(code);
        self.challenge_reply(
            s,
            json!({ "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(&dest) }),
        )
    }

    /// RespondToAuthChallenge for everything but PASSWORD_VERIFIER.
    pub(crate) fn respond_other(
        &self,
        challenge: &str,
        client_id: &str,
        req: &Map<String, Value>,
        now: i64,
    ) -> ApiResult {
        const KNOWN: [&str; 9] = [
            "NEW_PASSWORD_REQUIRED",
            "SMS_MFA",
            "EMAIL_OTP",
            "SOFTWARE_TOKEN_MFA",
            "SELECT_MFA_TYPE",
            "MFA_SETUP",
            "CUSTOM_CHALLENGE",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER",
        ];
        if !KNOWN.contains(&challenge) {
            return Err(ApiError::invalid_parameter(format!(
                "ChallengeName {challenge:?} is not supported by this emulator"
            )));
        }
        let session_id = get_str(req, "Session")?.to_string();
        let resp = get_map(req, "ChallengeResponses")?;
        let username = get_str(resp, "USERNAME")?;
        let s = {
            let mut st = self.ext.state();
            match st.sessions.remove(&session_id) {
                Some(s) if s.client_id == client_id && s.kind == challenge && now - s.created <= SESSION_TTL => s,
                _ => return Err(ApiError::not_authorized(SESSION_EXPIRED)),
            }
        };
        if !username.eq_ignore_ascii_case(&s.username) {
            return Err(ApiError::not_authorized(INCORRECT));
        }
        // A bad SECRET_HASH leaves the session usable.
        if let Err(e) = self.check_secret_hash(client_id, resp.get("SECRET_HASH"), username) {
            self.ext.state().sessions.insert(session_id, s);
            return Err(e);
        }
        let user = s.user;
        let dev = s.device_key.clone();
        let dev = dev.as_deref();
        let keep = |s: ChSession, e: ApiError| -> ApiResult {
            if s.attempts + 1 < MAX_ATTEMPTS {
                let mut s = s;
                s.attempts += 1;
                self.ext.state().sessions.insert(session_id.clone(), s);
                Err(e)
            } else {
                Err(ApiError::not_authorized("Invalid session for the user, too many failed attempts."))
            }
        };
        match challenge {
            "NEW_PASSWORD_REQUIRED" => {
                let password = match get_str(resp, "NEW_PASSWORD") {
                    Ok(p) => p.to_string(),
                    Err(e) => return keep(s, e),
                };
                if let Err(e) = check_password_policy(&password) {
                    return keep(s, e);
                }
                let mut attrs = vec![];
                for (k, v) in resp {
                    if let Some(name) = k.strip_prefix("userAttributes.") {
                        attrs.push((name.to_string(), v.as_str().unwrap_or("").to_string()));
                    }
                }
                let has_name = attrs.iter().any(|(k, v)| k == "name" && !v.is_empty())
                    || self.users()[user].attributes.contains_key("name");
                if !has_name {
                    return keep(s, ApiError::invalid_parameter("Missing required attribute: name"));
                }
                self.set_password(user, &password);
                {
                    let mut users = self.users();
                    let u = &mut users[user];
                    u.status = "CONFIRMED".into();
                    u.attributes.extend(attrs);
                }
                self.mfa_or_tokens(user, client_id, dev, now)
            }
            "DEVICE_SRP_AUTH" => {
                let key = get_str(resp, "DEVICE_KEY").unwrap_or("");
                let a = get_str(resp, "SRP_A").unwrap_or("");
                if dev != Some(key) {
                    return Err(ApiError::not_authorized(INCORRECT));
                }
                let (params, state) = self.device_srp_start(user, key, a)?;
                let mut next = self.session(user, client_id, "DEVICE_PASSWORD_VERIFIER", now);
                next.device_key = Some(key.to_string());
                next.device_srp = Some(state);
                self.challenge_reply(next, params)
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                let ok = s.device_srp.as_ref().is_some_and(|d| self.device_srp_verify(d, resp, now));
                if !ok {
                    return Err(ApiError::not_authorized(INCORRECT));
                }
                self.device_authenticated(user, dev.unwrap_or(""), now);
                self.authenticated_with(user, client_id, now, dev)
            }
            "SMS_MFA" | "EMAIL_OTP" => {
                let key = if challenge == "SMS_MFA" { "SMS_MFA_CODE" } else { "EMAIL_OTP_CODE" };
                let code = get_str(resp, key).unwrap_or("");
                if s.code.as_deref().is_some_and(|c| srp::ct_eq(c.as_bytes(), code.as_bytes())) {
                    self.authenticated_with(user, client_id, now, dev)
                } else {
                    keep(s, ApiError::new("CodeMismatchException", "Invalid code or auth state for the user."))
                }
            }
            "SOFTWARE_TOKEN_MFA" => {
                let code = get_str(resp, "SOFTWARE_TOKEN_MFA_CODE").unwrap_or("");
                let secret = self.users()[user].ext.totp_secret.clone().unwrap_or_default();
                if totp_ok(&secret, code, now) {
                    self.authenticated_with(user, client_id, now, dev)
                } else {
                    keep(s, ApiError::new("CodeMismatchException", "Invalid code received for user"))
                }
            }
            "SELECT_MFA_TYPE" => {
                let answer = get_str(resp, "ANSWER").unwrap_or("");
                if s.choices.iter().any(|c| c == answer) {
                    self.mfa_challenge(user, client_id, answer, dev, now)
                } else {
                    keep(s, ApiError::invalid_parameter("ANSWER must be one of MFAS_CAN_CHOOSE"))
                }
            }
            "MFA_SETUP" => {
                if !s.totp_verified {
                    return keep(s, ApiError::invalid_parameter("Software token MFA has not been verified"));
                }
                {
                    let mut users = self.users();
                    let u = &mut users[user];
                    u.ext.totp_secret = s.totp.clone();
                    u.ext.preferred = Some("SOFTWARE_TOKEN_MFA".into());
                }
                self.authenticated_with(user, client_id, now, dev)
            }
            _ => {
                // CUSTOM_CHALLENGE: a wrong answer gets a new challenge, up to MAX_ATTEMPTS.
                let expected = self.ext.custom.as_ref().map(|c| c.answer.clone()).unwrap_or_default();
                let answer = get_str(resp, "ANSWER").unwrap_or("");
                if !expected.is_empty() && answer == expected {
                    self.mfa_or_tokens(user, client_id, dev, now)
                } else if s.attempts + 1 < MAX_ATTEMPTS {
                    self.custom_challenge(user, client_id, now, s.attempts + 1)
                } else {
                    Err(ApiError::not_authorized(INCORRECT))
                }
            }
        }
    }

    /// AssociateSoftwareToken / VerifySoftwareToken during MFA_SETUP (with `Session`).
    pub(crate) fn totp_setup_with_session(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let id = get_str(req, "Session")?.to_string();
        let user = match self.ext.state().sessions.get(&id) {
            Some(s) if s.kind == "MFA_SETUP" && now - s.created <= SESSION_TTL => s.user,
            _ => return Err(ApiError::not_authorized(SESSION_EXPIRED)),
        };
        // Not while holding the session lock (users, then sessions, is never nested the other way).
        let secret = (op == "AssociateSoftwareToken").then(|| self.new_totp_secret(user));
        let mut st = self.ext.state();
        let mut s = match st.sessions.remove(&id) {
            Some(s) if s.kind == "MFA_SETUP" && now - s.created <= SESSION_TTL => s,
            _ => return Err(ApiError::not_authorized(SESSION_EXPIRED)),
        };
        let new_id = new_session_id();
        if let Some(secret) = secret {
            s.totp = Some(secret.clone());
            s.totp_verified = false;
            st.sessions.insert(new_id.clone(), s);
            return Ok(json!({ "SecretCode": secret, "Session": new_id }));
        }
        let code = get_str(req, "UserCode").unwrap_or("");
        let ok = s.totp.as_deref().is_some_and(|t| totp_ok(t, code, now));
        if !ok {
            st.sessions.insert(id, s);
            return Err(ApiError::new(
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ));
        }
        s.totp_verified = true;
        st.sessions.insert(new_id.clone(), s);
        Ok(json!({ "Status": "SUCCESS", "Session": new_id }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", 8 digits.
        let key = b"12345678901234567890";
        for (t, want) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(hotp(key, t / 30, 8), want, "t={t}");
        }
        // RFC 4226 Appendix D: HOTP with 6 digits.
        assert_eq!(hotp(key, 0, 6), "755224");
        assert_eq!(hotp(key, 9, 6), "520489");
    }

    #[test]
    fn base32_round_trip_and_window() {
        assert_eq!(base32_encode(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(), b"12345678901234567890");
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let code = hotp(b"12345678901234567890", 1111111109 / 30, 6);
        assert!(totp_ok(secret, &code, 1111111109));
        assert!(totp_ok(secret, &code, 1111111109 + 30));
        assert!(totp_ok(secret, &code, 1111111109 - 30));
        assert!(!totp_ok(secret, &code, 1111111109 + 90));
        assert!(!totp_ok(secret, "000000x", 1111111109));
    }

    #[test]
    fn masks_and_policy() {
        assert_eq!(mask("alice@example.com"), "a***@e***");
        assert_eq!(mask("+15555550123"), "+*******0123");
        assert!(check_password_policy("Abcdef1!").is_ok());
        for bad in ["abcdef1!", "ABCDEF1!", "Abcdefg!", "Abcdefg1", "Ab1!"] {
            assert_eq!(check_password_policy(bad).unwrap_err().code, "InvalidPasswordException");
        }
    }

    #[test]
    fn secret_hash_known_answer() {
        // Same value as tests/vectors (pycognito get_secret_hash) would give: HMAC-SHA256.
        let h = secret_hash("secret", "alice", "client");
        assert_eq!(h, STANDARD.encode(srp::hmac_sha256(b"secret", &[b"aliceclient"])));
    }
}
