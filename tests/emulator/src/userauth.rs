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
            Some(list) => list.contains(&flag),
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
            u.attributes.contains_key(attr)
                && u.attributes.get(&format!("{attr}_verified")).map(String::as_str) == Some("true")
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

    fn ua_session(
        &self,
        user: Option<usize>,
        username: &str,
        client_id: &str,
        kind: &'static str,
        now: i64,
    ) -> UaSession {
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

    /// A sign-up session: `kind` is `SIGN_UP` (SignUp's reply, optional input of
    /// ConfirmSignUp) or `CONFIRM_SIGN_UP` (ConfirmSignUp's reply, for InitiateAuth USER_AUTH).
    pub(crate) fn sign_up_session(&self, user: usize, client_id: &str, kind: &'static str, now: i64) -> String {
        let username = self.users()[user].username.clone();
        let s = self.ua_session(Some(user), &username, client_id, kind, now);
        let id = new_session_id();
        let mut st = self.userauth.sessions();
        st.retain(|_, x| now - x.created <= SESSION_TTL);
        st.insert(id.clone(), s);
        id
    }

    /// Takes the sign-up session `id` of `kind` for `user` and `client_id`, if it is valid.
    pub(crate) fn take_sign_up_session(
        &self,
        id: &str,
        user: usize,
        client_id: &str,
        kind: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        match self.userauth.sessions().remove(id) {
            Some(s)
                if s.kind == kind
                    && s.user == Some(user)
                    && s.client_id == client_id
                    && now - s.created <= SESSION_TTL =>
            {
                Ok(())
            }
            _ => Err(ApiError::not_authorized(SESSION_EXPIRED)),
        }
    }

    /// InitiateAuth with AuthFlow=USER_AUTH. With the `Session` of a ConfirmSignUp, the
    /// confirmed user is signed in directly: the confirmation code was the first factor
    /// (API reference: InitiateAuth `Session`, ConfirmSignUpResponse `Session`).
    pub(crate) fn initiate_user_auth(
        &self,
        client_id: &str,
        params: &Map<String, Value>,
        session: Option<&Value>,
        now: i64,
    ) -> ApiResult {
        let username = get_str(params, "USERNAME")?;
        self.check_secret_hash(client_id, params.get("SECRET_HASH"), username)?;
        match session {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) => {
                let user = self.find_user(username).ok_or_else(|| ApiError::not_authorized(SESSION_EXPIRED))?;
                self.take_sign_up_session(id, user, client_id, "CONFIRM_SIGN_UP", now)?;
                if self.users()[user].status != "CONFIRMED" {
                    return Err(ApiError::new("UserNotConfirmedException", "User is not confirmed."));
                }
                return self.authenticated_with(user, client_id, now, None);
            }
            Some(_) => return Err(ApiError::new("SerializationException", "Session must be a string")),
        }
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
    pub(crate) fn respond_user_auth(
        &self,
        challenge: &str,
        client_id: &str,
        req: &Map<String, Value>,
        now: i64,
    ) -> Option<ApiResult> {
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
        let same_user =
            username.eq_ignore_ascii_case(&s.username) || (s.user.is_some() && self.find_user(username) == s.user);
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
                        self.initiate_other(
                            "USER_PASSWORD_AUTH",
                            client_id,
                            &pass_on(&["PASSWORD", "SECRET_HASH"]),
                            now,
                        )
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
                    return Err(ApiError::new(
                        "ExpiredCodeException",
                        "Invalid code provided, please request a code again.",
                    ));
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
    fn verify_passkey_sign_in(
        &self,
        user: usize,
        challenge: &[u8],
        client_id: &str,
        resp: &Map<String, Value>,
        now: i64,
    ) -> Result<(), ApiError> {
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
        cut_after: None,
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
    let wanted =
        crate::lifecycle::parse_form(query.as_bytes()).into_iter().find(|(k, _)| k == "username").map(|(_, v)| v);
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

#[cfg(test)]
mod tests {
    use crate::challenges::secret_hash;
    use crate::pool::tests::{respond_request, signer, NOW};
    use crate::pool::{ApiError, ApiResult, Config, Pool};
    use crate::test_srp_client::{timestamp, SrpClient};
    use crate::webauthn::soft::Soft;
    use serde_json::{json, Value};

    const CLIENT: &str = "7f3kq2m9emulatorclient0001";
    const SECRET_CLIENT: &str = "9secretclient0000emulator1";
    const SECRET: &str = "emulator-demo-client-secret-0001";
    const DEVICES_CLIENT: &str = "3devicesclient00emulator01";

    fn config() -> Config {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/demo-pool.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn fixture() -> Pool {
        Pool::new(config(), "http://127.0.0.1:9229", signer()).unwrap()
    }

    fn call_at(p: &Pool, op: &str, body: Value, now: i64) -> ApiResult {
        p.handle(op, body.to_string().as_bytes(), now)
    }

    fn call(p: &Pool, op: &str, body: Value) -> ApiResult {
        call_at(p, op, body, NOW)
    }

    fn err(r: ApiResult) -> String {
        r.expect_err("expected an error").code
    }

    fn start(p: &Pool, client: &str, params: Value) -> ApiResult {
        call(p, "InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": params}))
    }

    fn respond_at(p: &Pool, client: &str, ch: &Value, responses: Value, now: i64) -> ApiResult {
        call_at(
            p,
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": ch["ChallengeName"], "Session": ch["Session"], "ChallengeResponses": responses}),
            now,
        )
    }

    fn respond(p: &Pool, client: &str, ch: &Value, responses: Value) -> ApiResult {
        respond_at(p, client, ch, responses, NOW)
    }

    fn last_code(p: &Pool, username: &str, purpose: &str) -> String {
        let outbox = p.ext.outbox_json();
        let m = outbox
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|m| m["username"] == username && m["purpose"] == purpose)
            .unwrap()
            .clone();
        m["code"].as_str().unwrap().to_string()
    }

    fn access_token(p: &Pool, client: &str, user: &str, password: &str) -> String {
        let r = start(p, client, json!({"USERNAME": user, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": password}))
            .unwrap();
        r["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string()
    }

    fn tokens(r: &Value) -> bool {
        r["AuthenticationResult"]["AccessToken"].as_str().is_some_and(|t| t.len() > 100)
    }

    fn register(p: &Pool, token: &str, soft: &Soft) -> ApiResult {
        let opts = call(p, "StartWebAuthnRegistration", json!({"AccessToken": token}))?;
        let cred = soft.register(&opts["CredentialCreationOptions"]);
        call(p, "CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": cred}))
    }

    fn passkey_sign_in(p: &Pool, user: &str, soft: &mut Soft) -> ApiResult {
        let ch = start(p, CLIENT, json!({"USERNAME": user, "PREFERRED_CHALLENGE": "WEB_AUTHN"}))?;
        assert_eq!(ch["ChallengeName"], "WEB_AUTHN");
        let cred = soft.get(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap());
        respond(p, CLIENT, &ch, json!({"USERNAME": user, "CREDENTIAL": cred}))
    }

    /// SignUp → ConfirmSignUp → InitiateAuth(USER_AUTH, Session): signed in without the
    /// password; the Session works once, for that user, that client, within 3 minutes.
    #[test]
    fn confirm_sign_up_session_signs_in() {
        let p = fixture();
        let sign_up = |name: &str| {
            call(&p, "SignUp", json!({"ClientId": CLIENT, "Username": name, "Password": "Fresh-Passw0rd!", "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]})).unwrap()
        };
        let su = sign_up("fresh");
        let signup_session = su["Session"].as_str().unwrap().to_string();
        let confirm = |name: &str, session: Option<&str>| {
            let mut body =
                json!({"ClientId": CLIENT, "Username": name, "ConfirmationCode": last_code(&p, name, "SIGN_UP")});
            if let Some(s) = session {
                body["Session"] = json!(s);
            }
            call(&p, "ConfirmSignUp", body)
        };
        // A Session that is not this user's sign-up session is refused (the code stays usable).
        assert_eq!(err(confirm("fresh", Some("bogus"))), "NotAuthorizedException");
        let c = confirm("fresh", Some(&signup_session)).unwrap();
        let session = c["Session"].as_str().unwrap().to_string();
        assert!(session.len() > 100);
        let init = |name: &str, client: &str, session: &str, now: i64| {
            call_at(
                &p,
                "InitiateAuth",
                json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": name}, "Session": session}),
                now,
            )
        };
        // Another user, another client: refused (and the session is spent).
        assert_eq!(err(init("demo", CLIENT, &session, NOW)), "NotAuthorizedException");
        let c2 = confirm("fresh", None);
        assert_eq!(err(c2), "NotAuthorizedException", "already confirmed");
        sign_up("fresh2");
        let s2 = confirm("fresh2", None).unwrap()["Session"].as_str().unwrap().to_string();
        assert_eq!(
            err(init("fresh2", SECRET_CLIENT, &s2, NOW)),
            "NotAuthorizedException",
            "the secret client needs SECRET_HASH"
        );
        sign_up("fresh3");
        let s3 = confirm("fresh3", None).unwrap()["Session"].as_str().unwrap().to_string();
        assert_eq!(
            err(init("fresh3", CLIENT, &s3, NOW + crate::pool::SESSION_TTL + 1)),
            "NotAuthorizedException",
            "expired"
        );
        sign_up("fresh4");
        let s4 = confirm("fresh4", None).unwrap()["Session"].as_str().unwrap().to_string();
        let r = init("fresh4", CLIENT, &s4, NOW + 5).unwrap();
        assert!(tokens(&r), "{r}");
        assert_eq!(err(init("fresh4", CLIENT, &s4, NOW + 6)), "NotAuthorizedException", "one use");
        // The app client must allow USER_AUTH.
        sign_up("fresh5");
        let s5 = confirm("fresh5", None).unwrap()["Session"].as_str().unwrap().to_string();
        assert_eq!(err(init("fresh5", DEVICES_CLIENT, &s5, NOW)), "InvalidParameterException");
    }

    #[test]
    fn client_must_allow_user_auth_and_select_challenge_lists_what_the_user_has() {
        let p = fixture();
        let e = start(&p, DEVICES_CLIENT, json!({"USERNAME": "demo"})).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("InvalidParameterException", "USER_AUTH flow not enabled for this client")
        );
        // The fixture's clients that list flows still take every legacy flow they list.
        assert!(tokens(
            &call(
                &p,
                "InitiateAuth",
                json!({"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "demo", "PASSWORD": "Demo-Passw0rd!"}})
            )
            .unwrap()
        ));
        let available = |user: &str| {
            let r = start(&p, CLIENT, json!({"USERNAME": user})).unwrap();
            assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
            assert_eq!(r["ChallengeParameters"], json!({}));
            assert!(r["Session"].as_str().unwrap().len() > 32);
            r["AvailableChallenges"].clone()
        };
        assert_eq!(available("passkey"), json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]));
        assert_eq!(available("demo"), json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
        assert_eq!(available("DEMO@example.com"), json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
        assert_eq!(available("pending"), json!(["PASSWORD", "PASSWORD_SRP"]));
        assert_eq!(available("forced"), json!(["PASSWORD", "PASSWORD_SRP"]));
        assert_eq!(available("nobody"), json!(["PASSWORD", "PASSWORD_SRP"]));
        // A preferred challenge the user lacks falls back to SELECT_CHALLENGE.
        let r = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
        assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
        let r = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "SMS_OTP"})).unwrap();
        assert_eq!(r["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
        let r = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "PASSWORD"})).unwrap();
        assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE", "no PASSWORD given");
        assert_eq!(
            err(start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "MAGIC_LINK"}))),
            "InvalidParameterException"
        );
        assert_eq!(err(start(&p, CLIENT, json!({}))), "InvalidParameterException");
        // Without preventUserExistenceErrors an unknown user is UserNotFoundException.
        let mut c = config();
        c.prevent_user_existence_errors = false;
        let strict = Pool::new(c, "http://127.0.0.1:9229", signer()).unwrap();
        assert_eq!(err(start(&strict, CLIENT, json!({"USERNAME": "nobody"}))), "UserNotFoundException");
        // allowedFirstAuthFactors narrows the list.
        let mut c = config();
        c.auth.allowed_first_auth_factors = Some(vec!["EMAIL_OTP".into(), "PASSWORD".into()]);
        let narrow = Pool::new(c, "http://127.0.0.1:9229", signer()).unwrap();
        let r = start(&narrow, CLIENT, json!({"USERNAME": "passkey"})).unwrap();
        assert_eq!(r["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
        let mut c = config();
        c.auth.allowed_first_auth_factors = Some(vec!["FACE".into()]);
        assert!(Pool::new(c, "http://127.0.0.1:9229", signer()).is_err());
    }

    #[test]
    fn email_and_sms_codes() {
        let p = fixture();
        // EMAIL_OTP as the preferred challenge.
        let ch = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "EMAIL_OTP"})).unwrap();
        assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
        assert_eq!(
            ch["ChallengeParameters"],
            json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "p***@e***"})
        );
        let code = last_code(&p, "passkey", "EMAIL_OTP");
        let outbox = p.ext.outbox_json();
        assert_eq!(outbox.as_array().unwrap().last().unwrap()["destination"], "passkey@example.com");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        // Two wrong codes keep the session; the right one then signs in (no MFA).
        for _ in 0..2 {
            assert_eq!(
                err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "EMAIL_OTP_CODE": wrong}))),
                "CodeMismatchException"
            );
        }
        let r = respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "EMAIL_OTP_CODE": code})).unwrap();
        assert!(tokens(&r));
        // One-time.
        assert_eq!(
            err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "EMAIL_OTP_CODE": code}))),
            "NotAuthorizedException"
        );
        // Three wrong codes end the session.
        let ch = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "EMAIL_OTP"})).unwrap();
        let code = last_code(&p, "passkey", "EMAIL_OTP");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for want in
            ["CodeMismatchException", "CodeMismatchException", "NotAuthorizedException", "NotAuthorizedException"]
        {
            assert_eq!(err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "EMAIL_OTP_CODE": wrong}))), want);
        }
        // SMS_OTP through SELECT_CHALLENGE; smsuser has SMS MFA, which a passwordless
        // sign-in skips.
        let sel = start(&p, CLIENT, json!({"USERNAME": "smsuser"})).unwrap();
        assert_eq!(sel["AvailableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]));
        assert_eq!(
            err(respond(&p, CLIENT, &sel, json!({"USERNAME": "smsuser", "ANSWER": "WEB_AUTHN"}))),
            "InvalidParameterException"
        );
        let ch = respond(&p, CLIENT, &sel, json!({"USERNAME": "smsuser", "ANSWER": "SMS_OTP"})).unwrap();
        assert_eq!(ch["ChallengeName"], "SMS_OTP");
        assert_eq!(
            ch["ChallengeParameters"],
            json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0123"})
        );
        let code = last_code(&p, "smsuser", "SMS_OTP");
        assert_eq!(
            err(respond(&p, CLIENT, &ch, json!({"USERNAME": "smsuser", "EMAIL_OTP_CODE": code}))),
            "InvalidParameterException"
        );
        assert_eq!(
            err(respond(&p, DEVICES_CLIENT, &ch, json!({"USERNAME": "smsuser", "SMS_OTP_CODE": code}))),
            "NotAuthorizedException"
        );
        // (a session answered from another client is gone)
        let ch = start(&p, CLIENT, json!({"USERNAME": "smsuser", "PREFERRED_CHALLENGE": "SMS_OTP"})).unwrap();
        let code = last_code(&p, "smsuser", "SMS_OTP");
        assert!(tokens(&respond(&p, CLIENT, &ch, json!({"USERNAME": "smsuser", "SMS_OTP_CODE": code})).unwrap()));
        // Expired code (test control: 0 s), and an expired session.
        crate::userauth::configure(&p, br#"{"otpTtlSeconds":0}"#).unwrap();
        let ch = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "EMAIL_OTP"})).unwrap();
        let code = last_code(&p, "demo", "EMAIL_OTP");
        assert_eq!(
            err(respond_at(&p, CLIENT, &ch, json!({"USERNAME": "demo", "EMAIL_OTP_CODE": code}), NOW + 1)),
            "ExpiredCodeException"
        );
        crate::userauth::configure(&p, br#"{"otpTtlSeconds":null}"#).unwrap();
        let ch = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "EMAIL_OTP"})).unwrap();
        let code = last_code(&p, "demo", "EMAIL_OTP");
        assert_eq!(
            err(respond_at(&p, CLIENT, &ch, json!({"USERNAME": "demo", "EMAIL_OTP_CODE": code}), NOW + 181)),
            "NotAuthorizedException"
        );
        // The USERNAME may be the email alias the user typed.
        let ch =
            start(&p, CLIENT, json!({"USERNAME": "demo@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"})).unwrap();
        let code = last_code(&p, "demo", "EMAIL_OTP");
        assert!(tokens(
            &respond(&p, CLIENT, &ch, json!({"USERNAME": "demo@example.com", "EMAIL_OTP_CODE": code})).unwrap()
        ));
        assert!(crate::userauth::configure(&p, br#"{"nope":1}"#).is_err());
    }

    #[test]
    fn password_and_srp_continue_into_the_existing_paths() {
        let p = fixture();
        // PASSWORD preferred: tokens; wrong password; MFA still applies to passwords.
        assert!(tokens(
            &start(
                &p,
                CLIENT,
                json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Demo-Passw0rd!"})
            )
            .unwrap()
        ));
        let e = start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "nope"}))
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("NotAuthorizedException", "Incorrect username or password.")
        );
        let e = start(&p, CLIENT, json!({"USERNAME": "nobody", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "x"}))
            .unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        let r = start(
            &p,
            CLIENT,
            json!({"USERNAME": "smsuser", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Sms-Passw0rd!"}),
        )
        .unwrap();
        assert_eq!(r["ChallengeName"], "SMS_MFA");
        let r = start(
            &p,
            CLIENT,
            json!({"USERNAME": "forced", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Temp-Passw0rd!"}),
        )
        .unwrap();
        assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
        // PASSWORD through SELECT_CHALLENGE.
        let sel = start(&p, CLIENT, json!({"USERNAME": "demo"})).unwrap();
        assert_eq!(
            err(respond(&p, CLIENT, &sel, json!({"USERNAME": "demo", "ANSWER": "PASSWORD"}))),
            "InvalidParameterException"
        );
        assert_eq!(
            err(respond(
                &p,
                CLIENT,
                &sel,
                json!({"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": "Alice-Passw0rd!"})
            )),
            "NotAuthorizedException"
        );
        let sel = start(&p, CLIENT, json!({"USERNAME": "demo"})).unwrap();
        assert!(tokens(
            &respond(&p, CLIENT, &sel, json!({"USERNAME": "demo", "ANSWER": "PASSWORD", "PASSWORD": "Demo-Passw0rd!"}))
                .unwrap()
        ));
        // PASSWORD_SRP preferred: PASSWORD_VERIFIER exactly as USER_SRP_AUTH, then tokens.
        let c = SrpClient::new();
        let ch =
            start(&p, CLIENT, json!({"USERNAME": "demo", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.a_hex()}))
                .unwrap();
        assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
        assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], "demo");
        let r = p.respond_to_auth_challenge(&respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW)), NOW).unwrap();
        assert!(tokens(&r));
        // PASSWORD_SRP through SELECT_CHALLENGE, with a wrong password.
        let c = SrpClient::new();
        let sel = start(&p, CLIENT, json!({"USERNAME": "alice@example.com"})).unwrap();
        let ch = respond(
            &p,
            CLIENT,
            &sel,
            json!({"USERNAME": "alice@example.com", "ANSWER": "PASSWORD_SRP", "SRP_A": c.a_hex()}),
        )
        .unwrap();
        assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], "alice");
        let e = p.respond_to_auth_challenge(&respond_request(&ch, &c, "wrong", &timestamp(NOW)), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        // Unknown user: a stand-in SELECT_CHALLENGE and a fake PASSWORD_VERIFIER.
        let c = SrpClient::new();
        let sel = start(&p, CLIENT, json!({"USERNAME": "nobody"})).unwrap();
        let ch = respond(&p, CLIENT, &sel, json!({"USERNAME": "nobody", "ANSWER": "PASSWORD_SRP", "SRP_A": c.a_hex()}))
            .unwrap();
        assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
        let e = p.respond_to_auth_challenge(&respond_request(&ch, &c, "x", &timestamp(NOW)), NOW).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
    }

    #[test]
    fn secret_hash_is_required_for_secret_clients() {
        let p = fixture();
        let e = start(&p, SECRET_CLIENT, json!({"USERNAME": "demo"})).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        let h = secret_hash(SECRET, "demo", SECRET_CLIENT);
        assert_eq!(
            err(start(&p, SECRET_CLIENT, json!({"USERNAME": "demo", "SECRET_HASH": "AAAA"}))),
            "NotAuthorizedException"
        );
        let sel = start(&p, SECRET_CLIENT, json!({"USERNAME": "demo", "SECRET_HASH": h})).unwrap();
        // A missing SECRET_HASH on the answer leaves the session usable.
        assert_eq!(
            err(respond(&p, SECRET_CLIENT, &sel, json!({"USERNAME": "demo", "ANSWER": "EMAIL_OTP"}))),
            "NotAuthorizedException"
        );
        let ch = respond(&p, SECRET_CLIENT, &sel, json!({"USERNAME": "demo", "ANSWER": "EMAIL_OTP", "SECRET_HASH": h}))
            .unwrap();
        let code = last_code(&p, "demo", "EMAIL_OTP");
        assert!(tokens(
            &respond(&p, SECRET_CLIENT, &ch, json!({"USERNAME": "demo", "EMAIL_OTP_CODE": code, "SECRET_HASH": h}))
                .unwrap()
        ));
        let r = start(
            &p,
            SECRET_CLIENT,
            json!({"USERNAME": "demo", "SECRET_HASH": h, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Demo-Passw0rd!"}),
        );
        assert!(tokens(&r.unwrap()));
    }

    #[test]
    fn passkey_register_list_sign_in_delete() {
        let p = fixture();
        let token = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        let opts = call(&p, "StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap();
        let o = &opts["CredentialCreationOptions"];
        assert!(o.is_object(), "an object, not a JSON string");
        assert_eq!(o["rp"]["id"], "localhost");
        assert_eq!(o["user"]["name"], "passkey");
        assert_eq!(o["user"]["displayName"], "Passkey User");
        let idx = p.find_user("passkey").unwrap();
        let sub = p.users()[idx].sub.clone();
        assert_eq!(o["user"]["id"], crate::webauthn::b64url_encode(sub.as_bytes()));
        assert_eq!(
            o["pubKeyCredParams"],
            json!([{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}])
        );
        assert_eq!(o["authenticatorSelection"], json!({"residentKey": "required", "userVerification": "required"}));
        assert_eq!(o["excludeCredentials"], json!([]));
        assert_eq!(crate::webauthn::b64url(o["challenge"].as_str().unwrap()).unwrap().len(), 32);
        assert_eq!(o["timeout"], 300_000);
        // Register an ES256 and an RS256 passkey (the second Start replaces the first).
        let mut es = Soft::es256();
        es.count = 5;
        let mut rs = Soft::rs256();
        register(&p, &token, &es).unwrap();
        register(&p, &token, &rs).unwrap();
        let opts = call(&p, "StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap();
        assert_eq!(opts["CredentialCreationOptions"]["excludeCredentials"].as_array().unwrap().len(), 2);
        let list = call(&p, "ListWebAuthnCredentials", json!({"AccessToken": token})).unwrap();
        let creds = list["Credentials"].as_array().unwrap();
        assert_eq!(creds.len(), 2);
        assert!(list.get("NextToken").is_none());
        assert_eq!(creds[0]["CredentialId"], crate::webauthn::b64url_encode(&es.id));
        assert_eq!(creds[0]["RelyingPartyId"], "localhost");
        assert_eq!(creds[0]["AuthenticatorAttachment"], "platform");
        assert_eq!(creds[0]["AuthenticatorTransports"], json!(["internal"]));
        assert_eq!(creds[0]["CreatedAt"], crate::server::aws_date(NOW * 1000), "written as 1.7E9 on the wire");
        assert!(creds[0]["FriendlyCredentialName"].is_string());
        // WEB_AUTHN is now offered; the request options list both credentials.
        let sel = start(&p, CLIENT, json!({"USERNAME": "passkey"})).unwrap();
        assert_eq!(
            sel["AvailableChallenges"],
            json!(["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"])
        );
        let ch = respond(&p, CLIENT, &sel, json!({"USERNAME": "passkey", "ANSWER": "WEB_AUTHN"})).unwrap();
        assert_eq!(ch["ChallengeName"], "WEB_AUTHN");
        let ro: Value =
            serde_json::from_str(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()).unwrap();
        assert_eq!(ro["rpId"], "localhost");
        assert_eq!(ro["userVerification"], "required");
        assert_eq!(ro["timeout"], 180_000);
        assert_eq!(
            ro["allowCredentials"][1],
            json!({"type": "public-key", "id": crate::webauthn::b64url_encode(&rs.id), "transports": ["internal"]})
        );
        // Sign in with each (userHandle present for one), no MFA, sign count recorded.
        es.user_handle = Some(sub.as_bytes().to_vec());
        let cred = es.get(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap());
        assert!(tokens(&respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": cred})).unwrap()));
        assert!(tokens(&passkey_sign_in(&p, "passkey", &mut rs).unwrap()));
        assert!(tokens(&passkey_sign_in(&p, "passkey", &mut es).unwrap()));
        let debug = crate::userauth::tests::controls(&p, "GET", "/_emulator/passkeys?username=passkey", "");
        assert_eq!(debug[0]["signCount"], 7);
        assert_eq!(debug[0]["alg"], -7);
        assert_eq!(debug[0]["lastUsedAt"], NOW);
        assert_eq!(debug[1]["signCount"], 0);
        assert_eq!(debug[1]["alg"], -257);
        assert_eq!(debug[1]["fmt"], "none");
        // Delete one; deleting again is ResourceNotFoundException; the other still works.
        let id = crate::webauthn::b64url_encode(&es.id);
        call(&p, "DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": id})).unwrap();
        assert_eq!(
            err(call(&p, "DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": id}))),
            "ResourceNotFoundException"
        );
        assert_eq!(err(passkey_sign_in(&p, "passkey", &mut es)), "NotAuthorizedException");
        assert!(tokens(&passkey_sign_in(&p, "passkey", &mut rs).unwrap()));
        let id = crate::webauthn::b64url_encode(&rs.id);
        call(&p, "DeleteWebAuthnCredential", json!({"AccessToken": token, "CredentialId": id})).unwrap();
        // No passkey left: WEB_AUTHN is no longer offered.
        let r = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
        assert_eq!(r["ChallengeName"], "SELECT_CHALLENGE");
        // Credential as a JSON string (older clients) is accepted too.
        let opts = call(&p, "StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap();
        let cred = Soft::es256().register(&opts["CredentialCreationOptions"]).to_string();
        call(&p, "CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": cred})).unwrap();
        // Reset forgets passkeys.
        p.reset();
        assert_eq!(crate::userauth::tests::controls(&p, "GET", "/_emulator/passkeys", ""), json!([]));
    }

    #[test]
    fn passkey_sign_in_failures_are_not_authorized() {
        let p = fixture();
        let token = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        let mut good = Soft::es256();
        good.count = 1;
        register(&p, &token, &good).unwrap();
        let attempt = |soft: &mut Soft, tweak: &dyn Fn(&mut Value)| -> ApiError {
            let ch = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
            let mut cred: Value = serde_json::from_str(
                &soft.get(ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap()),
            )
            .unwrap();
            tweak(&mut cred);
            let e =
                respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": cred.to_string()})).unwrap_err();
            // The WEB_AUTHN session is one-time.
            assert_eq!(
                err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": cred.to_string()}))),
                "NotAuthorizedException"
            );
            e
        };
        let no_tweak = |_: &mut Value| {};
        let check = |e: ApiError, needle: &str| {
            assert_eq!(e.code, "NotAuthorizedException", "{}", e.message);
            assert!(e.message.contains(needle), "{:?} lacks {needle:?}", e.message);
        };
        // Unknown credential (same key material, other id).
        let mut stranger = good.clone();
        stranger.id = vec![9; 16];
        check(attempt(&mut stranger, &no_tweak), "Unknown WebAuthn credential");
        // Wrong challenge.
        check(
            attempt(&mut good.clone(), &|c: &mut Value| {
                let mut other = Soft::es256();
                other.id = vec![];
                let cd =
                    json!({"type": "webauthn.get", "challenge": "AAAA", "origin": "http://localhost:8123"}).to_string();
                c["response"]["clientDataJSON"] = json!(crate::webauthn::b64url_encode(cd.as_bytes()));
            }),
            "challenge",
        );
        // Wrong origin, wrong RP ID, UP clear, UV clear (required), wrong type.
        let mut t = good.clone();
        t.origin = "http://evil.example:8123".into();
        check(attempt(&mut t, &no_tweak), "origin");
        let mut t = good.clone();
        t.rp_id = "example.com".into();
        check(attempt(&mut t, &no_tweak), "relying party");
        let mut t = good.clone();
        t.flags = crate::webauthn::FLAG_UV;
        check(attempt(&mut t, &no_tweak), "user not present");
        let mut t = good.clone();
        t.flags = crate::webauthn::FLAG_UP;
        check(attempt(&mut t, &no_tweak), "user verification required");
        let mut t = good.clone();
        t.kind_override = Some("webauthn.create".into());
        check(attempt(&mut t, &no_tweak), "type");
        // Bad signature: a different key under the registered id.
        let mut t = Soft::es256();
        t.id = good.id.clone();
        t.count = 50;
        check(attempt(&mut t, &no_tweak), "signature");
        // userHandle of someone else.
        let mut t = good.clone();
        t.user_handle = Some(b"another-sub".to_vec());
        check(attempt(&mut t, &no_tweak), "different user");
        // Sign count: a clone of the authenticator replays an old count.
        let mut clone = good.clone();
        assert!(tokens(&passkey_sign_in(&p, "passkey", &mut good).unwrap()));
        check(attempt(&mut clone, &no_tweak), "counter");
        assert!(tokens(&passkey_sign_in(&p, "passkey", &mut good).unwrap()));
        // Malformed CREDENTIAL.
        let ch = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
        assert_eq!(
            err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey", "CREDENTIAL": "{nope"}))),
            "InvalidParameterException"
        );
        let ch = start(&p, CLIENT, json!({"USERNAME": "passkey", "PREFERRED_CHALLENGE": "WEB_AUTHN"})).unwrap();
        assert_eq!(err(respond(&p, CLIENT, &ch, json!({"USERNAME": "passkey"}))), "InvalidParameterException");
    }

    #[test]
    fn registration_failures() {
        let p = fixture();
        let token = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        let complete = |cred: Value, now: i64| {
            call_at(&p, "CompleteWebAuthnRegistration", json!({"AccessToken": token, "Credential": cred}), now)
        };
        let begin = || {
            call(&p, "StartWebAuthnRegistration", json!({"AccessToken": token})).unwrap()["CredentialCreationOptions"]
                .clone()
        };
        let s = Soft::es256();
        // No started registration; expired; one-time.
        assert_eq!(err(complete(s.register(&json!({"challenge": "AAAA"})), NOW)), "WebAuthnChallengeNotFoundException");
        let o = begin();
        assert_eq!(err(complete(s.register(&o), NOW + 301)), "WebAuthnChallengeNotFoundException");
        let o = begin();
        assert_eq!(err(complete(s.register(&json!({"challenge": "AAAA"})), NOW)), "WebAuthnClientMismatchException");
        assert_eq!(err(complete(s.register(&o), NOW)), "WebAuthnChallengeNotFoundException");
        // Wrong origin / RP ID / type; unsupported key; CBOR garbage; UV clear.
        let with = |f: &dyn Fn(&mut Soft)| {
            let mut t = Soft::es256();
            f(&mut t);
            complete(t.register(&begin()), NOW)
        };
        assert_eq!(err(with(&|t| t.origin = "https://localhost:8123".into())), "WebAuthnOriginNotAllowedException");
        assert_eq!(err(with(&|t| t.rp_id = "127.0.0.1".into())), "WebAuthnRelyingPartyMismatchException");
        assert_eq!(err(with(&|t| t.kind_override = Some("webauthn.get".into()))), "WebAuthnClientMismatchException");
        assert_eq!(err(with(&|t| t.flags = crate::webauthn::FLAG_UP)), "InvalidParameterException");
        assert_eq!(err(with(&|t| t.fmt = "android-safetynet".into())), "WebAuthnCredentialNotSupportedException");
        use crate::cbor::{encode, int, Value as C};
        let ed = encode(&C::Map(vec![
            (int(1), int(1)),
            (int(3), int(-8)),
            (int(-1), int(6)),
            (int(-2), C::Bytes(vec![3; 32])),
        ]));
        let o = begin();
        let (cd, att) = s.attest_with_key(o["challenge"].as_str().unwrap(), &ed);
        assert_eq!(err(complete(s.registration_json(&cd, &att), NOW)), "WebAuthnCredentialNotSupportedException");
        let o = begin();
        let (cd, _) = s.attest(o["challenge"].as_str().unwrap());
        assert_eq!(err(complete(s.registration_json(&cd, b"\xa1\x63fmt"), NOW)), "InvalidParameterException");
        // rawId that is not the credential in the authenticator data.
        let o = begin();
        let mut cred = s.register(&o);
        cred["id"] = json!("AAAA");
        cred["rawId"] = json!("AAAA");
        assert_eq!(err(complete(cred, NOW)), "InvalidParameterException");
        // An access token of another app client than the one that started.
        let other_token = access_token_legacy(&p, DEVICES_CLIENT);
        let o = begin();
        let r =
            call(&p, "CompleteWebAuthnRegistration", json!({"AccessToken": other_token, "Credential": s.register(&o)}));
        assert_eq!(err(r), "WebAuthnClientMismatchException");
        // Registered twice.
        complete(s.register(&begin()), NOW).unwrap();
        assert_eq!(err(complete(s.register(&begin()), NOW)), "InvalidParameterException");
        // Missing Credential, bad token.
        assert_eq!(
            err(call(&p, "CompleteWebAuthnRegistration", json!({"AccessToken": token}))),
            "InvalidParameterException"
        );
        assert_eq!(
            err(call(&p, "StartWebAuthnRegistration", json!({"AccessToken": "x.y.z"}))),
            "NotAuthorizedException"
        );
    }

    /// A token from a client without explicitAuthFlows (every legacy flow, no USER_AUTH).
    fn access_token_legacy(p: &Pool, client: &str) -> String {
        let r = call(
            p,
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "passkey", "PASSWORD": "Passkey-Passw0rd!"}}),
        )
        .unwrap();
        r["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string()
    }

    #[test]
    fn not_enabled_missing_config_paging() {
        let mut c = config();
        c.auth.web_authn = None;
        let p = Pool::new(c, "http://127.0.0.1:9229", signer()).unwrap();
        let t = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        assert_eq!(
            err(call(&p, "StartWebAuthnRegistration", json!({"AccessToken": t}))),
            "WebAuthnNotEnabledException"
        );
        assert_eq!(call(&p, "ListWebAuthnCredentials", json!({"AccessToken": t})).unwrap(), json!({"Credentials": []}));
        let mut c = config();
        c.auth.web_authn.as_mut().unwrap().relying_party_id = None;
        let p = Pool::new(c, "http://127.0.0.1:9229", signer()).unwrap();
        let t = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        assert_eq!(
            err(call(&p, "StartWebAuthnRegistration", json!({"AccessToken": t}))),
            "WebAuthnConfigurationMissingException"
        );
        let mut c = config();
        c.auth.web_authn.as_mut().unwrap().user_verification = Some("always".into());
        assert!(Pool::new(c, "http://127.0.0.1:9229", signer()).is_err());
        // userVerification "preferred" reaches the options and lets UV-less authenticators in.
        let mut c = config();
        c.auth.web_authn.as_mut().unwrap().user_verification = Some("preferred".into());
        let p = Pool::new(c, "http://127.0.0.1:9229", signer()).unwrap();
        let t = access_token_legacy(&p, DEVICES_CLIENT);
        let o = call(&p, "StartWebAuthnRegistration", json!({"AccessToken": t})).unwrap();
        assert_eq!(o["CredentialCreationOptions"]["authenticatorSelection"]["userVerification"], "preferred");
        let mut s = Soft::es256();
        s.flags = crate::webauthn::FLAG_UP;
        call(
            &p,
            "CompleteWebAuthnRegistration",
            json!({"AccessToken": t, "Credential": s.register(&o["CredentialCreationOptions"])}),
        )
        .unwrap();
        // Paging with MaxResults / NextToken.
        let p = fixture();
        let t = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        let ids: Vec<String> = (0..3)
            .map(|_| {
                let s = Soft::es256();
                register(&p, &t, &s).unwrap();
                crate::webauthn::b64url_encode(&s.id)
            })
            .collect();
        let page = call(&p, "ListWebAuthnCredentials", json!({"AccessToken": t, "MaxResults": 2})).unwrap();
        let got: Vec<&str> =
            page["Credentials"].as_array().unwrap().iter().map(|c| c["CredentialId"].as_str().unwrap()).collect();
        assert_eq!(got, [ids[0].as_str(), ids[1].as_str()]);
        let next = page["NextToken"].as_str().unwrap();
        let page =
            call(&p, "ListWebAuthnCredentials", json!({"AccessToken": t, "MaxResults": 2, "NextToken": next})).unwrap();
        assert_eq!(page["Credentials"][0]["CredentialId"], ids[2].as_str());
        assert!(page.get("NextToken").is_none());
        for bad in [
            json!({"AccessToken": t, "MaxResults": 0}),
            json!({"AccessToken": t, "MaxResults": 21}),
            json!({"AccessToken": t, "NextToken": "zzz"}),
        ] {
            assert_eq!(err(call(&p, "ListWebAuthnCredentials", bad)), "InvalidParameterException");
        }
        // Hosted-UI tokens without the admin scope may not manage passkeys.
        let u = p.find_user("passkey").unwrap();
        let (access, _, _) = p.hosted_tokens(u, CLIENT, NOW, "openid email", Default::default());
        assert_eq!(err(call(&p, "ListWebAuthnCredentials", json!({"AccessToken": access}))), "NotAuthorizedException");
    }

    pub(super) fn controls(p: &Pool, method: &str, url: &str, body: &str) -> Value {
        let req = crate::server::Incoming { method, url, headers: vec![], body: body.as_bytes().to_vec() };
        let r = crate::server::route(p, &req);
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn test_controls() {
        let p = fixture();
        let t = access_token(&p, CLIENT, "passkey", "Passkey-Passw0rd!");
        register(&p, &t, &Soft::es256()).unwrap();
        let all = controls(&p, "GET", "/_emulator/passkeys", "");
        assert_eq!(all.as_array().unwrap().len(), 1);
        let k = &all[0];
        assert_eq!(k["username"], "passkey");
        assert_eq!(k["signCount"], 0);
        assert_eq!(k["userVerified"], true);
        assert_eq!(k["aaguid"], "11111111-1111-1111-1111-111111111111");
        assert_eq!(controls(&p, "GET", "/_emulator/passkeys?username=demo", ""), json!([]));
        assert_eq!(controls(&p, "GET", "/_emulator/passkeys?username=nobody", "")["ok"], false);
        assert_eq!(controls(&p, "POST", "/_emulator/userauth", r#"{"registrationTtlSeconds":0}"#), json!({"ok": true}));
        assert_eq!(controls(&p, "POST", "/_emulator/userauth", r#"{"otpTtlSeconds":-1}"#)["ok"], false);
        let o = call(&p, "StartWebAuthnRegistration", json!({"AccessToken": t})).unwrap();
        let r = call_at(
            &p,
            "CompleteWebAuthnRegistration",
            json!({"AccessToken": t, "Credential": Soft::es256().register(&o["CredentialCreationOptions"])}),
            NOW + 1,
        );
        assert_eq!(err(r), "WebAuthnChallengeNotFoundException");
        assert_eq!(controls(&p, "DELETE", "/_emulator/passkeys?username=passkey", ""), json!({"ok": true}));
        assert_eq!(controls(&p, "GET", "/_emulator/passkeys", ""), json!([]));
    }
}
