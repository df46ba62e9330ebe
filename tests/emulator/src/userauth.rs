//! Choice-based sign-in: InitiateAuth `AuthFlow=USER_AUTH` (optional PREFERRED_CHALLENGE),
//! SELECT_CHALLENGE with the challenges available to the user, and the first factors
//! WEB_AUTHN (passkey assertion, see `webauthn`), EMAIL_OTP / SMS_OTP (codes through the
//! outbox), PASSWORD (continues as USER_PASSWORD_AUTH) and PASSWORD_SRP (continues as
//! USER_SRP_AUTH: PASSWORD_VERIFIER). Passkey and OTP sign-ins skip MFA, as in Cognito.
//!
//! App clients must list `ALLOW_USER_AUTH` in `"explicitAuthFlows"`; a client with that
//! list accepts only the flows it names (`ALLOW_USER_SRP_AUTH`, `ALLOW_USER_PASSWORD_AUTH`,
//! `ALLOW_CUSTOM_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`, `ALLOW_USER_AUTH`); a client without it
//! accepts every flow but USER_AUTH.
//!
//! Test controls (routed from `server`): `GET /_emulator/passkeys[?username=NAME]`,
//! `DELETE /_emulator/passkeys[?username=NAME]`, `POST /_emulator/userauth`
//! `{"otpTtlSeconds":N,"registrationTtlSeconds":N}` (null = default).

use crate::challenges::{mask, new_code, PoolAuthConfig, MAX_ATTEMPTS};
use crate::pool::{get_map, get_str, ApiError, ApiResult, Pool, INCORRECT, SESSION_EXPIRED, SESSION_TTL};
use crate::server::{Incoming, Reply};
use crate::webauthn::{b64_field, b64url, b64url_encode, Policy, WebAuthnConfig, WebAuthnState};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// First factors a pool can allow (`"allowedFirstAuthFactors"`, default all).
pub const FIRST_FACTORS: [&str; 4] = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];
/// Values of PREFERRED_CHALLENGE / SELECT_CHALLENGE ANSWER, in AvailableChallenges order.
pub const CHALLENGES: [&str; 5] = ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"];
/// Sign-in OTP codes are valid this long (seconds) unless the test control says otherwise.
pub const OTP_TTL: i64 = 180;

struct UaSession {
    /// None for the stand-in session of an unknown user (preventUserExistenceErrors).
    user: Option<usize>,
    username: String,
    client_id: String,
    kind: &'static str,
    created: i64,
    attempts: u32,
    available: Vec<String>,
    /// WEB_AUTHN: the assertion challenge.
    challenge: Vec<u8>,
    /// EMAIL_OTP / SMS_OTP: the code and when it was sent.
    code: Option<(String, i64)>,
}

/// USER_AUTH sessions, WebAuthn state and configuration (a field of `Pool`).
pub struct UserAuthState {
    pub webauthn_config: Option<WebAuthnConfig>,
    allowed_factors: Vec<String>,
    sessions: Mutex<HashMap<String, UaSession>>,
    otp_ttl: Mutex<Option<i64>>,
    pub webauthn: WebAuthnState,
}

impl UserAuthState {
    pub fn new(auth: &PoolAuthConfig) -> Result<UserAuthState, String> {
        if let Some(c) = &auth.web_authn {
            c.validate()?;
        }
        let allowed_factors = match &auth.allowed_first_auth_factors {
            Some(list) => {
                if let Some(bad) = list.iter().find(|f| !FIRST_FACTORS.contains(&f.as_str())) {
                    return Err(format!("allowedFirstAuthFactors: unknown factor {bad:?}"));
                }
                list.clone()
            }
            None => FIRST_FACTORS.iter().map(|f| f.to_string()).collect(),
        };
        Ok(UserAuthState {
            webauthn_config: auth.web_authn.clone(),
            allowed_factors,
            sessions: Mutex::new(HashMap::new()),
            otp_ttl: Mutex::new(None),
            webauthn: WebAuthnState::default(),
        })
    }

    pub fn factor_allowed(&self, factor: &str) -> bool {
        self.allowed_factors.iter().any(|f| f == factor)
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, UaSession>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn otp_ttl(&self) -> i64 {
        self.otp_ttl.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(OTP_TTL)
    }

    pub fn reset(&self) {
        self.sessions().clear();
        *self.otp_ttl.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.webauthn.reset();
    }
}

fn new_session_id() -> String {
    URL_SAFE_NO_PAD.encode(crate::pool::random_bytes(96))
}

impl Pool {
    /// Refuses auth flows the app client does not enable (see the module docs).
    pub(crate) fn check_auth_flow(&self, client_id: &str, flow: &str) -> Result<(), ApiError> {
        let flag = match flow {
            "REFRESH_TOKEN" | "REFRESH_TOKEN_AUTH" => "ALLOW_REFRESH_TOKEN_AUTH".to_string(),
            other => format!("ALLOW_{other}"),
        };
        let allowed = match self.client_config(client_id).and_then(|c| c.explicit_auth_flows.as_ref()) {
            Some(list) => list.iter().any(|f| *f == flag),
            None => flow != "USER_AUTH",
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::invalid_parameter(format!("{flow} flow not enabled for this client")))
        }
    }

    /// The challenges `user` may pick as a first factor, in Cognito's order.
    fn available_challenges(&self, user: Option<usize>) -> Vec<String> {
        let ua = &self.userauth;
        let mut out = vec![];
        if ua.factor_allowed("PASSWORD") {
            out.extend(["PASSWORD".to_string(), "PASSWORD_SRP".to_string()]);
        }
        let Some(user) = user else { return out };
        let users = self.users();
        let u = &users[user];
        if u.status != "CONFIRMED" {
            return out;
        }
        let verified = |attr: &str| {
            u.attributes.contains_key(attr) && u.attributes.get(&format!("{attr}_verified")).map(String::as_str) == Some("true")
        };
        let webauthn_ready = ua.webauthn_config.as_ref().is_some_and(|c| c.relying_party_id.is_some());
        if ua.factor_allowed("WEB_AUTHN") && webauthn_ready && !u.ext.passkeys.is_empty() {
            out.push("WEB_AUTHN".into());
        }
        if ua.factor_allowed("EMAIL_OTP") && verified("email") {
            out.push("EMAIL_OTP".into());
        }
        if ua.factor_allowed("SMS_OTP") && verified("phone_number") {
            out.push("SMS_OTP".into());
        }
        out
    }

    fn ua_session(&self, user: Option<usize>, username: &str, client_id: &str, kind: &'static str, now: i64) -> UaSession {
        UaSession {
            user,
            username: username.to_string(),
            client_id: client_id.to_string(),
            kind,
            created: now,
            attempts: 0,
            available: vec![],
            challenge: vec![],
            code: None,
        }
    }

    fn ua_reply(&self, s: UaSession, params: Value) -> ApiResult {
        let id = new_session_id();
        let mut out = json!({ "ChallengeName": s.kind, "Session": id, "ChallengeParameters": params });
        if s.kind == "SELECT_CHALLENGE" {
            out["AvailableChallenges"] = json!(s.available);
        }
        let mut st = self.userauth.sessions();
        st.retain(|_, x| s.created - x.created <= SESSION_TTL);
        st.insert(id, s);
        Ok(out)
    }

    /// InitiateAuth with AuthFlow=USER_AUTH.
    pub(crate) fn initiate_user_auth(&self, client_id: &str, params: &Map<String, Value>, now: i64) -> ApiResult {
        let username = get_str(params, "USERNAME")?;
        self.check_secret_hash(client_id, params.get("SECRET_HASH"), username)?;
        let preferred = match params.get("PREFERRED_CHALLENGE") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if CHALLENGES.contains(&p.as_str()) => Some(p.as_str()),
            Some(_) => {
                return Err(ApiError::invalid_parameter(format!(
                    "PREFERRED_CHALLENGE must be one of {}",
                    CHALLENGES.join(", ")
                )))
            }
        };
        let user = self.find_user(username);
        if user.is_none() && !self.prevent_user_existence_errors {
            return Err(ApiError::new("UserNotFoundException", "User does not exist."));
        }
        let available = self.available_challenges(user);
        let canonical = match user {
            Some(u) => self.users()[u].username.clone(),
            None => username.to_string(),
        };
        match (preferred.filter(|p| available.iter().any(|a| a == p)), user) {
            (Some("PASSWORD"), _) if params.contains_key("PASSWORD") => {
                self.initiate_other("USER_PASSWORD_AUTH", client_id, params, now)
            }
            (Some("PASSWORD_SRP"), _) if params.contains_key("SRP_A") => self.start_srp(client_id, params, now),
            (Some("WEB_AUTHN"), Some(u)) => self.webauthn_challenge(u, &canonical, client_id, now),
            (Some("EMAIL_OTP"), Some(u)) => self.otp_challenge(u, &canonical, "EMAIL_OTP", client_id, now),
            (Some("SMS_OTP"), Some(u)) => self.otp_challenge(u, &canonical, "SMS_OTP", client_id, now),
            _ if available.is_empty() => Err(ApiError::not_authorized("No sign-in method is available for this user.")),
            _ => {
                let mut s = self.ua_session(user, &canonical, client_id, "SELECT_CHALLENGE", now);
                s.available = available;
                self.ua_reply(s, json!({}))
            }
        }
    }

    fn webauthn_challenge(&self, user: usize, username: &str, client_id: &str, now: i64) -> ApiResult {
        let (cfg, rp_id) = self.webauthn_config()?;
        let challenge = crate::pool::random_bytes(32);
        let allow: Vec<Value> = self.users()[user]
            .ext
            .passkeys
            .iter()
            .map(|k| json!({"type": "public-key", "id": b64url_encode(&k.id), "transports": k.transports}))
            .collect();
        let options = json!({
            "challenge": b64url_encode(&challenge),
            "rpId": rp_id,
            "timeout": SESSION_TTL * 1000,
            "userVerification": cfg.user_verification(),
            "allowCredentials": allow,
        });
        let mut s = self.ua_session(Some(user), username, client_id, "WEB_AUTHN", now);
        s.challenge = challenge;
        self.ua_reply(s, json!({ "CREDENTIAL_REQUEST_OPTIONS": options.to_string() }))
    }

    fn otp_challenge(&self, user: usize, username: &str, kind: &'static str, client_id: &str, now: i64) -> ApiResult {
        let (attr, medium) = if kind == "SMS_OTP" { ("phone_number", "SMS") } else { ("email", "EMAIL") };
        let dest = self.users()[user].attributes.get(attr).cloned().unwrap_or_default();
        let code = new_code();
        self.ext.deliver(username, medium, &dest, kind, &code, now);
        let mut s = self.ua_session(Some(user), username, client_id, kind, now);
        s.code = Some((code, now));
        self.ua_reply(s, json!({ "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(&dest) }))
    }

    /// RespondToAuthChallenge for SELECT_CHALLENGE, WEB_AUTHN, SMS_OTP and USER_AUTH's
    /// EMAIL_OTP; `None` for every other challenge (including MFA's EMAIL_OTP).
    pub(crate) fn respond_user_auth(&self, challenge: &str, client_id: &str, req: &Map<String, Value>, now: i64) -> Option<ApiResult> {
        match challenge {
            "SELECT_CHALLENGE" | "WEB_AUTHN" | "SMS_OTP" => {}
            "EMAIL_OTP" => {
                let id = req.get("Session").and_then(Value::as_str)?;
                if !self.userauth.sessions().contains_key(id) {
                    return None;
                }
            }
            _ => return None,
        }
        Some(self.respond_ua(challenge, client_id, req, now))
    }

    fn respond_ua(&self, challenge: &str, client_id: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let session_id = get_str(req, "Session")?.to_string();
        let resp = get_map(req, "ChallengeResponses")?;
        let username = get_str(resp, "USERNAME")?;
        let s = {
            let mut st = self.userauth.sessions();
            match st.remove(&session_id) {
                Some(s) if s.client_id == client_id && s.kind == challenge && now - s.created <= SESSION_TTL => s,
                _ => return Err(ApiError::not_authorized(SESSION_EXPIRED)),
            }
        };
        let same_user = username.eq_ignore_ascii_case(&s.username) || (s.user.is_some() && self.find_user(username) == s.user);
        if !same_user {
            return Err(ApiError::not_authorized(INCORRECT));
        }
        // A bad SECRET_HASH leaves the session usable.
        if let Err(e) = self.check_secret_hash(client_id, resp.get("SECRET_HASH"), username) {
            self.userauth.sessions().insert(session_id, s);
            return Err(e);
        }
        let keep = |mut s: UaSession, e: ApiError| -> ApiResult {
            if s.attempts + 1 < MAX_ATTEMPTS {
                s.attempts += 1;
                self.userauth.sessions().insert(session_id.clone(), s);
                Err(e)
            } else {
                Err(ApiError::not_authorized("Invalid session for the user, too many failed attempts."))
            }
        };
        match challenge {
            "SELECT_CHALLENGE" => {
                let answer = resp.get("ANSWER").and_then(Value::as_str).unwrap_or("");
                if !s.available.iter().any(|a| a == answer) {
                    return keep(s, ApiError::invalid_parameter("ANSWER must be one of AvailableChallenges"));
                }
                let pass_on = |keys: &[&str]| -> Map<String, Value> {
                    let mut p = Map::new();
                    p.insert("USERNAME".into(), json!(username));
                    for k in keys {
                        if let Some(v) = resp.get(*k) {
                            p.insert(k.to_string(), v.clone());
                        }
                    }
                    p
                };
                match (answer, s.user) {
                    ("PASSWORD", _) => {
                        if !resp.contains_key("PASSWORD") {
                            return keep(s, ApiError::invalid_parameter("Missing required parameter PASSWORD"));
                        }
                        self.initiate_other("USER_PASSWORD_AUTH", client_id, &pass_on(&["PASSWORD", "SECRET_HASH"]), now)
                    }
                    ("PASSWORD_SRP", _) => {
                        if !resp.contains_key("SRP_A") {
                            return keep(s, ApiError::invalid_parameter("Missing required parameter SRP_A"));
                        }
                        self.start_srp(client_id, &pass_on(&["SRP_A", "DEVICE_KEY"]), now)
                    }
                    ("WEB_AUTHN", Some(u)) => self.webauthn_challenge(u, &s.username, client_id, now),
                    ("EMAIL_OTP", Some(u)) => self.otp_challenge(u, &s.username, "EMAIL_OTP", client_id, now),
                    ("SMS_OTP", Some(u)) => self.otp_challenge(u, &s.username, "SMS_OTP", client_id, now),
                    _ => Err(ApiError::not_authorized(INCORRECT)),
                }
            }
            "WEB_AUTHN" => {
                let Some(user) = s.user else { return Err(ApiError::not_authorized(INCORRECT)) };
                self.verify_passkey_sign_in(user, &s.challenge, client_id, resp, now)?;
                self.authenticated_with(user, client_id, now, None)
            }
            _ => {
                // EMAIL_OTP / SMS_OTP
                let Some(user) = s.user else { return Err(ApiError::not_authorized(INCORRECT)) };
                let key = if challenge == "SMS_OTP" { "SMS_OTP_CODE" } else { "EMAIL_OTP_CODE" };
                let Some(given) = resp.get(key).and_then(Value::as_str).filter(|c| !c.is_empty()) else {
                    return keep(s, ApiError::invalid_parameter(format!("Missing required parameter {key}")));
                };
                let (code, sent) = s.code.clone().unwrap_or_default();
                if now - sent > self.userauth.otp_ttl() {
                    return Err(ApiError::new("ExpiredCodeException", "Invalid code provided, please request a code again."));
                }
                if crate::srp::ct_eq(code.as_bytes(), given.as_bytes()) {
                    self.authenticated_with(user, client_id, now, None)
                } else {
                    keep(s, ApiError::new("CodeMismatchException", "Invalid code or auth state for the user."))
                }
            }
        }
    }

    /// Checks a WEB_AUTHN answer (CREDENTIAL: AuthenticationResponseJSON as a string) and
    /// records the new sign count. Every failure is NotAuthorizedException.
    fn verify_passkey_sign_in(&self, user: usize, challenge: &[u8], client_id: &str, resp: &Map<String, Value>, now: i64) -> Result<(), ApiError> {
        let (cfg, rp_id) = self.webauthn_config()?;
        let text = get_str(resp, "CREDENTIAL")?;
        let cred = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            _ => return Err(ApiError::invalid_parameter("CREDENTIAL is not a JSON object")),
        };
        let deny = |m: &str| ApiError::not_authorized(m);
        let fail = |f: crate::webauthn::Failure| f.sign_in_error();
        if cred.get("type").and_then(Value::as_str) != Some("public-key") {
            return Err(deny("WebAuthn credential type must be public-key"));
        }
        let raw_id = b64_field(&cred, "rawId").map_err(fail)?;
        if cred.get("id").and_then(Value::as_str).and_then(b64url).as_ref() != Some(&raw_id) {
            return Err(deny("WebAuthn credential id and rawId differ"));
        }
        let response = match cred.get("response") {
            Some(Value::Object(m)) => m,
            _ => return Err(deny("WebAuthn credential without response")),
        };
        let client_data = b64_field(response, "clientDataJSON").map_err(fail)?;
        let auth_data = b64_field(response, "authenticatorData").map_err(fail)?;
        let signature = b64_field(response, "signature").map_err(fail)?;
        match response.get("userHandle") {
            None | Some(Value::Null) => {}
            Some(Value::String(h)) if h.is_empty() => {}
            Some(Value::String(h)) => {
                if b64url(h) != Some(self.user_handle(user)) {
                    return Err(deny("The passkey belongs to a different user"));
                }
            }
            Some(_) => return Err(deny("userHandle must be a string")),
        }
        let (key, count) = {
            let users = self.users();
            match users[user].ext.passkeys.iter().find(|k| k.id == raw_id) {
                Some(k) => (k.public_key.clone(), k.sign_count),
                None => return Err(deny("Unknown WebAuthn credential for this user")),
            }
        };
        let origins = self.webauthn_origins(client_id);
        let policy = Policy { rp_id, origins: &origins, uv_required: cfg.uv_required() };
        let new_count =
            crate::webauthn::verify_assertion(&policy, challenge, &key, count, &client_data, &auth_data, &signature)
                .map_err(fail)?;
        let mut users = self.users();
        match users[user].ext.passkeys.iter_mut().find(|k| k.id == raw_id) {
            // Re-checked under the lock: a concurrent sign-in with the same count loses.
            Some(k) if new_count == 0 || new_count > k.sign_count => {
                k.sign_count = new_count;
                k.last_used_at = Some(now);
                Ok(())
            }
            Some(_) => Err(crate::webauthn::Failure::SignCount.sign_in_error()),
            None => Err(deny("Unknown WebAuthn credential for this user")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Test controls
// ---------------------------------------------------------------------------------------

/// Is this one of this module's `/_emulator/...` endpoints?
pub fn handles_control(method: &str, path: &str) -> bool {
    matches!((method, path), ("GET" | "DELETE", "/_emulator/passkeys") | ("POST", "/_emulator/userauth"))
}

fn control_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
        note: "control".into(),
    }
}

pub fn control(pool: &Pool, req: &Incoming) -> Reply {
    let path = req.url.split('?').next().unwrap_or("");
    if path == "/_emulator/userauth" {
        return match configure(pool, &req.body) {
            Ok(()) => control_reply(200, json!({"ok": true})),
            Err(e) => control_reply(400, json!({"ok": false, "message": e})),
        };
    }
    let query = req.url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let wanted = crate::lifecycle::parse_form(query.as_bytes()).into_iter().find(|(k, _)| k == "username").map(|(_, v)| v);
    let only = match &wanted {
        Some(name) => match pool.find_user(name) {
            Some(i) => Some(i),
            None => return control_reply(404, json!({"ok": false, "message": "no such user"})),
        },
        None => None,
    };
    let mut users = pool.users();
    if req.method == "DELETE" {
        for (i, u) in users.iter_mut().enumerate() {
            if only.is_none_or(|o| o == i) {
                u.ext.passkeys.clear();
            }
        }
        return control_reply(200, json!({"ok": true}));
    }
    let list: Vec<Value> = users
        .iter()
        .enumerate()
        .filter(|(i, u)| only.is_none_or(|o| o == *i) && !u.ext.deleted)
        .flat_map(|(_, u)| u.ext.passkeys.iter().map(|k| k.debug_json(&u.username)).collect::<Vec<_>>())
        .collect();
    control_reply(200, Value::Array(list))
}

fn configure(pool: &Pool, body: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let Value::Object(m) = v else { return Err("expected a JSON object".into()) };
    let secs = |k: &str| -> Result<Option<Option<i64>>, String> {
        match m.get(k) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(v) => v.as_i64().filter(|n| *n >= 0).map(|n| Some(Some(n))).ok_or(format!("{k} must be seconds >= 0")),
        }
    };
    if let Some(k) = m.keys().find(|k| *k != "otpTtlSeconds" && *k != "registrationTtlSeconds") {
        return Err(format!("unknown setting {k:?}"));
    }
    let otp = secs("otpTtlSeconds")?;
    let reg = secs("registrationTtlSeconds")?;
    if let Some(t) = otp {
        *pool.userauth.otp_ttl.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }
    if let Some(t) = reg {
        pool.userauth.webauthn.set_registration_ttl(t);
    }
    Ok(())
}
