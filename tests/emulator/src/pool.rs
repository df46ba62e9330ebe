//! The user pool: configuration, users, sessions, refresh tokens and the API operations.

use crate::jwt::Signer;
use crate::srp;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

pub const DEFAULT_POOL_ID: &str = "us-east-1_EmuPool01";
pub const DEFAULT_CLIENT_ID: &str = "7f3kq2m9emulatorclient0001";
/// PASSWORD_VERIFIER sessions live this long (seconds).
pub const SESSION_TTL: i64 = 180;
/// Allowed difference between TIMESTAMP and the server clock (seconds).
pub const TIMESTAMP_SKEW: i64 = 300;

pub(crate) const INCORRECT: &str = "Incorrect username or password.";
pub(crate) const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfig {
    pub client_id: String,
    /// Hosted UI: the allowed `redirect_uri`s (exact match).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Hosted UI: the allowed `logout_uri`s (exact match).
    #[serde(default)]
    pub logout_urls: Vec<String>,
    /// A confidential client: every operation that takes SECRET_HASH must send it.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Device tracking for sign-ins with this client: `"ALWAYS"` (devices are remembered
    /// when confirmed) or `"OPT_IN"` (remembered after UpdateDeviceStatus). Per client here
    /// (per pool in Cognito) so one emulator serves both kinds of tests.
    #[serde(default)]
    pub device_tracking: Option<String>,
    /// `ALLOW_*` auth flows; when given, only these flows work (see `userauth`). Absent:
    /// every flow but USER_AUTH.
    #[serde(default)]
    pub explicit_auth_flows: Option<Vec<String>>,
    /// Cognito's `RefreshTokenRotation` (`{"feature": "ENABLED", "retryGracePeriodSeconds": 10}`):
    /// refreshes then return a new refresh token, and REFRESH_TOKEN_AUTH is refused. Absent or
    /// `DISABLED`: refreshes return no refresh token, the one in use stays.
    #[serde(default)]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshTokenRotation {
    /// `ENABLED` or `DISABLED`.
    pub feature: String,
    /// How long a rotated-out refresh token keeps working (0..=60 s; default 0).
    #[serde(default)]
    pub retry_grace_period_seconds: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserConfig {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default)]
    pub sub: Option<String>,
    /// MFA settings (see `challenges::MfaConfig`).
    #[serde(default)]
    pub mfa: crate::challenges::MfaConfig,
}

fn default_status() -> String {
    "CONFIRMED".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    #[serde(default = "default_pool_id")]
    pub user_pool_id: String,
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    #[serde(default)]
    pub users: Vec<UserConfig>,
    #[serde(default = "default_true")]
    pub prevent_user_existence_errors: bool,
    #[serde(default = "default_ttl")]
    pub token_ttl_seconds: u64,
    /// Accept RespondToAuthChallenge(PASSWORD_VERIFIER) without `Session`, finding the
    /// challenge by its SECRET_BLOCK (real Cognito does; pycognito relies on it). Default off
    /// so that clients are held to sending the Session as CIJ and Amplify do.
    #[serde(default)]
    pub session_optional: bool,
    /// The identity pool in front of this user pool (see `identity.rs`).
    #[serde(default)]
    pub identity: crate::identity::IdentityConfig,
    /// MFA, custom challenge and other sign-in options (see `challenges::PoolAuthConfig`).
    #[serde(default, flatten)]
    pub auth: crate::challenges::PoolAuthConfig,
    /// The tokens' `iss`: `"aws"` (default, as Cognito:
    /// `https://cognito-idp.{region}.amazonaws.com/{poolId}` whatever URL the client called),
    /// `"local"` (`{emulator URL}/{poolId}`, as cognito-local), or an explicit URL.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// The `iss` of the pool's tokens for the `issuer` setting (see [`Config::issuer`]).
pub fn issuer_for(setting: Option<&str>, base: &str, pool_id: &str) -> Result<String, String> {
    match setting.unwrap_or("aws") {
        "aws" => {
            let region = pool_id.split('_').next().unwrap_or("");
            Ok(format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"))
        }
        // A pool whose issuer configuration is UPDATED (IssuerConfigurationType): the same
        // host with `issuer-` in front, the pool's primary region.
        "aws-updated" => {
            let region = pool_id.split('_').next().unwrap_or("");
            Ok(format!("https://issuer-cognito-idp.{region}.amazonaws.com/{pool_id}"))
        }
        "local" => Ok(format!("{}/{}", base.trim_end_matches('/'), pool_id)),
        url if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace) => {
            Ok(url.trim_end_matches('/').to_string())
        }
        other => Err(format!("issuer must be \"aws\", \"aws-updated\", \"local\" or an http(s) URL, got {other:?}")),
    }
}

fn default_pool_id() -> String {
    DEFAULT_POOL_ID.into()
}
fn default_true() -> bool {
    true
}
fn default_ttl() -> u64 {
    3600
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user_pool_id: default_pool_id(),
            clients: vec![],
            users: vec![],
            prevent_user_existence_errors: true,
            token_ttl_seconds: default_ttl(),
            session_optional: false,
            identity: Default::default(),
            auth: Default::default(),
            issuer: None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError { status: 400, code: code.into(), message: message.into() }
    }
    pub fn not_authorized(message: &str) -> Self {
        Self::new("NotAuthorizedException", message)
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }
    pub fn body(&self) -> Value {
        json!({ "__type": self.code, "message": self.message })
    }
}

pub type ApiResult = Result<Value, ApiError>;

// ---------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
pub struct User {
    pub username: String,
    pub attributes: BTreeMap<String, String>,
    pub status: String,
    pub sub: String,
    /// Salt as sent on the wire (lowercase hex of 16 random bytes, first byte non-zero).
    pub salt_hex: String,
    pub verifier: BigUint,
    /// MFA settings, pending codes, deletion (see `challenges`).
    pub ext: crate::challenges::UserExt,
}

impl User {
    pub fn email(&self) -> Option<&str> {
        self.attributes.get("email").map(String::as_str)
    }
}

struct Session {
    client_id: String,
    /// Index into `users`; None for the fake challenge given to unknown users.
    user: Option<usize>,
    user_id_for_srp: String,
    a_pub: BigUint,
    b_pub: BigUint,
    b: BigUint,
    verifier: BigUint,
    secret_block_b64: String,
    secret_block: Vec<u8>,
    created: i64,
    /// CUSTOM_AUTH with SRP first: a CUSTOM_CHALLENGE follows the password.
    pub(crate) custom: bool,
    /// DEVICE_KEY from InitiateAuth (checked to belong to the user).
    pub(crate) device_key: Option<String>,
}

pub(crate) struct RefreshRecord {
    pub(crate) user: usize,
    pub(crate) client_id: String,
    pub(crate) auth_time: i64,
    pub(crate) origin_jti: String,
    /// When GetTokensFromRefreshToken replaced this token (rotation); it keeps working
    /// for the reuse window after that.
    pub(crate) rotated_at: Option<i64>,
}

const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// A fault rule for the next `count` requests of one operation (`target`, the X-Amz-Target
/// operation, or a name such as `OAuth2Token`) or of one path (`path`, e.g. `/oauth2/token`,
/// `/_protected/hello`, `/{pool}/.well-known/jwks.json`): a canned reply (`status`, `body`,
/// `headers`), a delay (`delayMs`, alone it delays the real reply), a dropped connection
/// (`drop`), or a reply cut off after `cutAfter` body bytes (`cutAfter`, of the canned or
/// the real reply).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    #[serde(default)]
    pub target: String,
    /// Match the request path instead of the operation (then `target` stays empty).
    #[serde(default)]
    pub path: String,
    /// HTTP status of the canned reply (default 500). A fault with only `delayMs` delays
    /// the real reply instead.
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default = "default_fault_content_type")]
    pub content_type: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default = "default_fault_count")]
    pub count: u32,
    /// Wait this long before replying.
    #[serde(default)]
    pub delay_ms: u64,
    /// Close the connection without a valid HTTP reply.
    #[serde(default)]
    pub drop: bool,
    /// Send the status line, the headers and this many bytes of the body, then break the
    /// stream (an invalid chunk), as a connection lost mid-reply.
    #[serde(default)]
    pub cut_after: Option<usize>,
}

impl Fault {
    /// True when the fault replaces the reply (not only delays it).
    pub fn replaces_reply(&self) -> bool {
        self.drop || self.status.is_some() || !self.body.is_empty() || (self.delay_ms == 0 && self.cut_after.is_none())
    }

    /// The key the rule is registered under: the path (paths start with `/`) or the operation.
    pub fn key(&self) -> &str {
        if self.path.is_empty() {
            &self.target
        } else {
            &self.path
        }
    }
}

fn default_fault_content_type() -> String {
    "text/html".into()
}
fn default_fault_count() -> u32 {
    1
}

#[derive(Default)]
pub(crate) struct State {
    sessions: HashMap<String, Session>,
    pub(crate) refresh_tokens: HashMap<String, RefreshRecord>,
    faults: HashMap<String, Fault>,
    /// Access tokens issued: token → (user, origin_jti).
    pub(crate) access_tokens: HashMap<String, (usize, String)>,
    /// origin_jti values revoked by RevokeToken / GlobalSignOut.
    pub(crate) revoked_origins: std::collections::HashSet<String>,
    /// Requests per operation (`GET /_emulator/stats`).
    pub(crate) stats: BTreeMap<String, u64>,
    /// `POST /_emulator/config` overrides.
    pub(crate) ttl_override: Option<u64>,
    pub(crate) reuse_window: Option<i64>,
    pub(crate) timestamp_skew: Option<i64>,
}

pub struct Pool {
    pub pool_id: String,
    pub pool_name: String,
    pub clients: Vec<String>,
    /// The clients' full configuration (hosted-UI callback and logout URLs).
    pub client_configs: Vec<ClientConfig>,
    /// Users; mutable (sign-up, password changes, MFA). Never removed (deletion is a flag)
    /// so indices held by sessions stay valid.
    pub users: Mutex<Vec<User>>,
    pub prevent_user_existence_errors: bool,
    pub token_ttl: u64,
    pub session_optional: bool,
    /// The tokens' `iss` (see [`Config::issuer`]); the Logins key of the identity pool is
    /// this without its scheme.
    pub issuer: String,
    /// Where this emulator is reached (`http://127.0.0.1:PORT`): the JWKS and the hosted UI.
    pub base_url: String,
    pub signer: Arc<Signer>,
    pub identity: crate::identity::IdentityPool,
    /// Per-process secret for the fake verifiers of unknown users.
    fake_secret: [u8; 32],
    state: Mutex<State>,
    /// Hosted UI (managed login) state: login transactions, codes, counters.
    pub hosted: crate::hosted::HostedState,
    /// Challenge sessions, outbox, client secrets (see `challenges`).
    pub ext: crate::challenges::PoolExt,
    /// USER_AUTH sessions and WebAuthn (see `userauth`, `webauthn`).
    pub userauth: crate::userauth::UserAuthState,
}

pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf
}

pub fn uuid_v4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = srp::to_hex(&b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub(crate) fn get_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiError> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(ApiError::invalid_parameter(format!("Missing required parameter {key}")))
        }
        Some(_) => Err(ApiError::new("SerializationException", format!("{key} must be a string"))),
    }
}

pub(crate) fn get_map<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Map<String, Value>, ApiError> {
    match obj.get(key) {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Err(ApiError::invalid_parameter(format!("Missing required parameter {key}"))),
        Some(_) => Err(ApiError::new("SerializationException", format!("{key} must be a map"))),
    }
}

impl Pool {
    /// Build a pool. Passwords are turned into salt + verifier here and then dropped.
    pub fn new(config: Config, base_url: &str, signer: Arc<Signer>) -> Result<Pool, String> {
        let pool_id = config.user_pool_id.clone();
        let issuer = issuer_for(config.issuer.as_deref(), base_url, &pool_id)?;
        let pool_name = match pool_id.split_once('_') {
            Some((region, name)) if !region.is_empty() && !name.is_empty() => name.to_string(),
            _ => return Err(format!("invalid user pool id {pool_id:?} (expected region_name)")),
        };
        let ext = crate::challenges::PoolExt::new(&config);
        let userauth = crate::userauth::UserAuthState::new(&config.auth)?;
        let mut client_configs = config.clients.clone();
        if client_configs.is_empty() {
            client_configs.push(ClientConfig { client_id: DEFAULT_CLIENT_ID.into(), ..Default::default() });
        }
        let clients: Vec<String> = client_configs.iter().map(|c| c.client_id.clone()).collect();
        for c in &client_configs {
            if let Some(r) = &c.refresh_token_rotation {
                if !["ENABLED", "DISABLED"].contains(&r.feature.as_str())
                    || !(0..=60).contains(&r.retry_grace_period_seconds)
                {
                    return Err(format!("client {}: refreshTokenRotation needs feature ENABLED|DISABLED and retryGracePeriodSeconds 0..=60", c.client_id));
                }
            }
        }
        let mut users: Vec<User> = Vec::new();
        for u in config.users {
            if u.username.is_empty() {
                return Err("user with empty username".into());
            }
            if users.iter().any(|x| x.username == u.username) {
                return Err(format!("duplicate user {:?}", u.username));
            }
            if !["CONFIRMED", "UNCONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"].contains(&u.status.as_str()) {
                return Err(format!("user {:?}: unsupported status {:?}", u.username, u.status));
            }
            let salt = loop {
                let s = random_bytes(16);
                if s[0] != 0 {
                    break s;
                }
            };
            let salt_num = BigUint::from_bytes_be(&salt);
            let verifier = srp::compute_verifier(&salt_num, &pool_name, &u.username, &u.password);
            // `u.password` is dropped at the end of this iteration; only salt + verifier stay.
            users.push(User {
                username: u.username,
                attributes: u.attributes.into_iter().filter(|(k, _)| k != "sub").collect(),
                status: u.status,
                sub: u.sub.unwrap_or_else(uuid_v4),
                salt_hex: srp::to_hex(&salt),
                verifier,
                ext: crate::challenges::UserExt::from_config(&u.mfa),
            });
        }
        let identity = crate::identity::IdentityPool::new(config.identity)?;
        let mut fake_secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fake_secret);
        Ok(Pool {
            issuer,
            base_url: base_url.trim_end_matches('/').to_string(),
            pool_id,
            pool_name,
            clients,
            client_configs,
            ext: {
                ext.set_initial(&users);
                ext
            },
            users: Mutex::new(users),
            prevent_user_existence_errors: config.prevent_user_existence_errors,
            token_ttl: config.token_ttl_seconds,
            session_optional: config.session_optional,
            signer,
            identity,
            fake_secret,
            state: Mutex::new(State::default()),
            hosted: Default::default(),
            userauth,
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn users(&self) -> MutexGuard<'_, Vec<User>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Find a user by username (exact, then case-insensitive like a default Cognito pool),
    /// or by email alias (case-insensitive).
    pub fn find_user(&self, name: &str) -> Option<usize> {
        let users = self.users();
        let live = |u: &&User| !u.ext.deleted;
        users
            .iter()
            .position(|u| live(&u) && u.username == name)
            .or_else(|| users.iter().position(|u| live(&u) && u.username.eq_ignore_ascii_case(name)))
            .or_else(|| users.iter().position(|u| live(&u) && u.email().is_some_and(|e| e.eq_ignore_ascii_case(name))))
    }

    pub(crate) fn check_client<'a>(&self, req: &'a Map<String, Value>) -> Result<&'a str, ApiError> {
        let client_id = get_str(req, "ClientId")?;
        if !self.clients.iter().any(|c| c == client_id) {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            ));
        }
        Ok(client_id)
    }

    /// Dispatch one JSON API operation (`op` without the service prefix).
    pub fn handle(&self, op: &str, body: &[u8], now: i64) -> ApiResult {
        let known = [
            "InitiateAuth",
            "RespondToAuthChallenge",
            "GetTokensFromRefreshToken",
            "GlobalSignOut",
            "RevokeToken",
            "GetUser",
        ];
        if !known.contains(&op)
            && !crate::account::OPERATIONS.contains(&op)
            && !crate::devices::OPERATIONS.contains(&op)
            && !crate::webauthn::OPERATIONS.contains(&op)
        {
            return Err(ApiError::new("UnknownOperationException", format!("Unknown operation {op}")));
        }
        let req: Value = serde_json::from_slice(body)
            .map_err(|_| ApiError::new("SerializationException", "Malformed request body"))?;
        let Value::Object(req) = req else {
            return Err(ApiError::new("SerializationException", "Request body must be a JSON object"));
        };
        match op {
            "InitiateAuth" => self.initiate_auth(&req, now),
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(&req, now),
            "GetTokensFromRefreshToken" | "GlobalSignOut" | "RevokeToken" => {
                crate::lifecycle::handle(self, op, &req, now)
            }
            op if crate::webauthn::OPERATIONS.contains(&op) => self.webauthn_operation(op, &req, now),
            _ => self.account_operation(op, &req, now),
        }
    }

    pub fn initiate_auth(&self, req: &Map<String, Value>, now: i64) -> ApiResult {
        let client_id = self.check_client(req)?;
        let flow = get_str(req, "AuthFlow")?;
        let params = get_map(req, "AuthParameters")?;
        self.check_auth_flow(client_id, flow)?;
        match flow {
            "USER_AUTH" => self.initiate_user_auth(client_id, params, req.get("Session"), now),
            "USER_SRP_AUTH" => {
                self.check_secret_hash(client_id, params.get("SECRET_HASH"), get_str(params, "USERNAME")?)?;
                self.start_srp(client_id, params, now)
            }
            "USER_PASSWORD_AUTH" | "CUSTOM_AUTH" => self.initiate_other(flow, client_id, params, now),
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => self.refresh(client_id, params, now),
            other => Err(ApiError::invalid_parameter(format!(
                "1 validation error detected: AuthFlow {other:?} is not supported by this emulator"
            ))),
        }
    }

    pub(crate) fn start_srp(&self, client_id: &str, params: &Map<String, Value>, now: i64) -> ApiResult {
        let username = get_str(params, "USERNAME")?;
        let srp_a = get_str(params, "SRP_A")?;
        if srp_a.len() > 1024 {
            return Err(ApiError::invalid_parameter("SRP_A is too long"));
        }
        let a_pub =
            srp::parse_hex(srp_a).ok_or_else(|| ApiError::invalid_parameter("SRP_A must be a hexadecimal number"))?;
        if (&a_pub % srp::n()) == BigUint::default() {
            return Err(ApiError::not_authorized(INCORRECT));
        }
        let (user, user_id, salt_hex, verifier) = match self.find_user(username) {
            Some(i) => {
                let users = self.users();
                let u = &users[i];
                (Some(i), u.username.clone(), u.salt_hex.clone(), u.verifier.clone())
            }
            None if self.prevent_user_existence_errors => {
                let (salt_hex, verifier) = self.fake_credentials(username);
                (None, username.to_string(), salt_hex, verifier)
            }
            None => return Err(ApiError::new("UserNotFoundException", "User does not exist.")),
        };
        let device_key = match (params.get("DEVICE_KEY").and_then(Value::as_str), user) {
            (Some(k), Some(u)) => {
                self.check_device(u, k)?;
                Some(k.to_string())
            }
            _ => None,
        };
        let (b, b_pub) = loop {
            let b = srp::random_nonzero(64);
            let b_pub = srp::compute_b_pub(&verifier, &b);
            if b_pub != BigUint::default() {
                break (b, b_pub);
            }
        };
        let secret_block = random_bytes(128);
        let secret_block_b64 = STANDARD.encode(&secret_block);
        let session_id = URL_SAFE_NO_PAD.encode(random_bytes(96));
        let reply = json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": salt_hex,
                "SECRET_BLOCK": secret_block_b64,
                "SRP_B": format!("{b_pub:x}"),
                "USERNAME": user_id,
                "USER_ID_FOR_SRP": user_id,
            },
            "Session": session_id,
        });
        let session = Session {
            client_id: client_id.to_string(),
            user,
            user_id_for_srp: user_id,
            a_pub,
            b_pub,
            b,
            verifier,
            secret_block_b64,
            secret_block,
            created: now,
            custom: params.get("CHALLENGE_NAME").and_then(Value::as_str) == Some("SRP_A"),
            device_key,
        };
        let mut st = self.state();
        st.sessions.retain(|_, s| now - s.created <= SESSION_TTL);
        st.sessions.insert(session_id, session);
        Ok(reply)
    }

    /// Salt and verifier for a user that does not exist: deterministic per username (so
    /// repeated probes see the same salt) but not computable from outside.
    fn fake_credentials(&self, username: &str) -> (String, BigUint) {
        let mut salt = srp::sha256(&[b"fake-salt", self.pool_id.as_bytes(), &self.fake_secret, username.as_bytes()]);
        if salt[0] == 0 {
            salt[0] = 1;
        }
        let x = srp::sha256(&[b"fake-verifier", &self.fake_secret, username.as_bytes()]);
        let v = srp::g().modpow(&BigUint::from_bytes_be(&x), srp::n());
        (srp::to_hex(&salt[..16]), v)
    }

    pub fn respond_to_auth_challenge(&self, req: &Map<String, Value>, now: i64) -> ApiResult {
        let client_id = self.check_client(req)?;
        let challenge = get_str(req, "ChallengeName")?;
        if let Some(r) = self.respond_user_auth(challenge, client_id, req, now) {
            return r;
        }
        if challenge != "PASSWORD_VERIFIER" {
            return self.respond_other(challenge, client_id, req, now);
        }
        let session_id = match get_str(req, "Session") {
            Ok(id) => Some(id),
            Err(_) if self.session_optional && req.get("Session").is_none_or(Value::is_null) => None,
            Err(e) => return Err(e),
        };
        let resp = get_map(req, "ChallengeResponses")?;
        let username = get_str(resp, "USERNAME")?;
        let block = get_str(resp, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let claimed = get_str(resp, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = get_str(resp, "TIMESTAMP")?;

        // One-time: the session is consumed whatever happens next.
        let session = {
            let mut st = self.state();
            let id = match session_id {
                Some(id) => Some(id.to_string()),
                None => st.sessions.iter().find(|(_, s)| s.secret_block_b64 == block).map(|(k, _)| k.clone()),
            };
            id.and_then(|id| st.sessions.remove(&id))
        };
        let session = match session {
            Some(s) if s.client_id == client_id && now - s.created <= SESSION_TTL && now >= s.created - 5 => s,
            _ => return Err(ApiError::not_authorized(SESSION_EXPIRED)),
        };
        let fail = || Err(ApiError::not_authorized(INCORRECT));
        if username != session.user_id_for_srp || block != session.secret_block_b64 {
            return fail();
        }
        match srp::parse_timestamp(timestamp) {
            Some(ts) if (now - ts).abs() <= self.timestamp_skew() => {}
            _ => return fail(),
        }
        let Ok(claimed) = STANDARD.decode(claimed) else {
            return fail();
        };
        let proof = srp::ServerProof {
            a_pub: &session.a_pub,
            b_pub: &session.b_pub,
            b: &session.b,
            v: &session.verifier,
            pool_name: &self.pool_name,
            user_id: &session.user_id_for_srp,
            secret_block: &session.secret_block,
            timestamp,
        };
        if !proof.verify(&claimed) {
            return fail();
        }
        let Some(user) = session.user else {
            return fail();
        };
        self.check_secret_hash(client_id, resp.get("SECRET_HASH"), username)?;
        let status = self.users()[user].status.clone();
        match status.as_str() {
            "UNCONFIRMED" => return Err(ApiError::new("UserNotConfirmedException", "User is not confirmed.")),
            "RESET_REQUIRED" => {
                return Err(ApiError::new("PasswordResetRequiredException", "Password reset required for the user"))
            }
            _ => {}
        }
        let device = match resp.get("DEVICE_KEY").and_then(Value::as_str) {
            Some(k) => {
                self.check_device(user, k)?;
                Some(k.to_string())
            }
            None => session.device_key.clone(),
        };
        self.after_password(user, client_id, session.custom, device, now)
    }

    /// Tokens for a user who passed every challenge; with device tracking on and no device
    /// used, also `NewDeviceMetadata`.
    pub(crate) fn authenticated_with(&self, user: usize, client_id: &str, now: i64, device: Option<&str>) -> ApiResult {
        let origin_jti = uuid_v4();
        let refresh_token =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(random_bytes(32)), URL_SAFE_NO_PAD.encode(random_bytes(96)));
        self.state().refresh_tokens.insert(
            refresh_token.clone(),
            RefreshRecord {
                user,
                client_id: client_id.to_string(),
                auth_time: now,
                origin_jti: origin_jti.clone(),
                rotated_at: None,
            },
        );
        let (access, id) = self.issue_tokens(user, client_id, now, now, &origin_jti);
        let mut out = json!({
            "AuthenticationResult": {
                "AccessToken": access,
                "ExpiresIn": self.ttl(),
                "IdToken": id,
                "RefreshToken": refresh_token,
                "TokenType": "Bearer",
            },
            "ChallengeParameters": {},
        });
        if device.is_none() {
            if let Some(md) = self.new_device_metadata(user, client_id, now) {
                out["AuthenticationResult"]["NewDeviceMetadata"] = md;
            }
        }
        Ok(out)
    }

    fn refresh(&self, client_id: &str, params: &Map<String, Value>, now: i64) -> ApiResult {
        let token = get_str(params, "REFRESH_TOKEN")?;
        if self.rotation_grace(client_id).is_some() {
            // Cognito: "Refresh token rotation must be completed with GetTokensFromRefreshToken".
            return Err(ApiError::invalid_parameter(
                "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation: use GetTokensFromRefreshToken",
            ));
        }
        let (user, auth_time, origin_jti) = self.use_refresh_token(token, client_id, now)?;
        let (access, id) = self.issue_tokens(user, client_id, auth_time, now, &origin_jti);
        Ok(json!({
            "AuthenticationResult": {
                "AccessToken": access,
                "ExpiresIn": self.ttl(),
                "IdToken": id,
                "TokenType": "Bearer",
            },
            "ChallengeParameters": {},
        }))
    }

    /// (access token, id token)
    pub(crate) fn issue_tokens(
        &self,
        user: usize,
        client_id: &str,
        auth_time: i64,
        now: i64,
        origin_jti: &str,
    ) -> (String, String) {
        // Hosted-UI sessions keep their OAuth scopes through refreshes.
        let scope = self.hosted.scope_of(origin_jti).unwrap_or_else(|| ADMIN_SCOPE.into());
        self.issue_tokens_with(user, client_id, auth_time, now, origin_jti, &scope, Map::new())
    }

    /// (access token, id token) with the access token's `scope` and extra ID-token claims
    /// (`nonce`, `identities`).
    #[allow(clippy::too_many_arguments)]
    pub fn issue_tokens_with(
        &self,
        user: usize,
        client_id: &str,
        auth_time: i64,
        now: i64,
        origin_jti: &str,
        scope: &str,
        extra_id: Map<String, Value>,
    ) -> (String, String) {
        let users = self.users();
        let u = &users[user];
        let exp = now + self.ttl() as i64;
        let event_id = uuid_v4();
        let mut id = Map::new();
        for (k, v) in &u.attributes {
            let value = if k.ends_with("_verified") { Value::Bool(v == "true") } else { Value::String(v.clone()) };
            id.insert(k.clone(), value);
        }
        let common = json!({
            "sub": u.sub,
            "iss": self.issuer,
            "origin_jti": origin_jti,
            "event_id": event_id,
            "auth_time": auth_time,
            "iat": now,
            "exp": exp,
        });
        if let Value::Object(common) = &common {
            for (k, v) in common {
                id.insert(k.clone(), v.clone());
            }
        }
        id.insert("cognito:username".into(), json!(u.username));
        id.insert("aud".into(), json!(client_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("jti".into(), json!(uuid_v4()));
        id.extend(extra_id);

        let mut access = match common {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        access.insert("client_id".into(), json!(client_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(scope));
        access.insert("jti".into(), json!(uuid_v4()));
        access.insert("username".into(), json!(u.username));
        let access = self.signer.sign(&Value::Object(access));
        self.state().access_tokens.insert(access.clone(), (user, origin_jti.to_string()));
        (access, self.signer.sign(&Value::Object(id)))
    }

    // -----------------------------------------------------------------------------------
    // Test controls
    // -----------------------------------------------------------------------------------

    pub fn add_fault(&self, mut fault: Fault) -> Result<(), String> {
        if let Some(op) = fault.target.strip_prefix(crate::TARGET_PREFIX) {
            fault.target = op.to_string();
        }
        if fault.target.is_empty() == fault.path.is_empty() {
            return Err("fault needs a target or a path (one of them)".into());
        }
        if !fault.path.is_empty() && (!fault.path.starts_with('/') || fault.path.starts_with("/_emulator/")) {
            return Err("fault path must start with / and not be a control path".into());
        }
        if fault.status.is_some_and(|s| !(100..=599).contains(&s)) {
            return Err("fault status must be 100..=599".into());
        }
        if fault.count == 0 {
            return Err("fault count must be at least 1".into());
        }
        self.state().faults.insert(fault.key().to_string(), fault);
        Ok(())
    }

    /// Take one use of the fault registered for `op` (or a path), if any.
    pub fn take_fault(&self, op: &str) -> Option<Fault> {
        let mut st = self.state();
        let f = st.faults.get_mut(op)?;
        f.count -= 1;
        let out = f.clone();
        if f.count == 0 {
            st.faults.remove(op);
        }
        Some(out)
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    pub fn reset(&self) {
        self.hosted.reset();
        let mut st = self.state();
        st.sessions.clear();
        st.faults.clear();
        st.refresh_tokens.clear();
        st.access_tokens.clear();
        st.revoked_origins.clear();
        st.stats.clear();
        st.ttl_override = None;
        st.reuse_window = None;
        st.timestamp_skew = None;
        drop(st);
        self.ext.reset();
        self.userauth.reset();
        *self.users() = self.ext.initial_users();
        self.identity.reset();
    }
}

// ---------------------------------------------------------------------------------------
// Hosted UI support (used by crate::hosted)
// ---------------------------------------------------------------------------------------

impl Pool {
    pub fn client_config(&self, client_id: &str) -> Option<&ClientConfig> {
        self.client_configs.iter().find(|c| c.client_id == client_id)
    }

    /// Checks a password typed into the hosted login form against the stored verifier.
    pub fn check_password(&self, name: &str, password: &str) -> Option<usize> {
        let i = self.find_user(name)?;
        let users = self.users();
        let u = &users[i];
        let salt = BigUint::parse_bytes(u.salt_hex.as_bytes(), 16)?;
        (srp::compute_verifier(&salt, &self.pool_name, &u.username, password) == u.verifier).then_some(i)
    }

    /// Tokens for a hosted-UI sign-in: (access, id, refresh). The refresh token works with
    /// REFRESH_TOKEN_AUTH and the `/oauth2/token` refresh grant (crate::lifecycle), and keeps
    /// the OAuth `scope`.
    pub fn hosted_tokens(
        &self,
        user: usize,
        client_id: &str,
        now: i64,
        scope: &str,
        extra_id: Map<String, Value>,
    ) -> (String, String, String) {
        let origin_jti = uuid_v4();
        let refresh =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(random_bytes(32)), URL_SAFE_NO_PAD.encode(random_bytes(96)));
        self.hosted.set_scope(&origin_jti, scope);
        self.state().refresh_tokens.insert(
            refresh.clone(),
            RefreshRecord {
                user,
                client_id: client_id.into(),
                auth_time: now,
                origin_jti: origin_jti.clone(),
                rotated_at: None,
            },
        );
        let (access, id) = self.issue_tokens_with(user, client_id, now, now, &origin_jti, scope, extra_id);
        (access, id, refresh)
    }

    /// Has the family of this `origin_jti` been revoked (RevokeToken, `/oauth2/revoke`,
    /// GlobalSignOut)?
    pub fn origin_revoked(&self, origin_jti: &str) -> bool {
        self.state().revoked_origins.contains(origin_jti)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_srp_client::{timestamp, SrpClient};
    use std::sync::OnceLock;

    /// 2024-01-02 03:04:05 UTC: a day < 10, so zero-padding matters.
    pub const NOW: i64 = 1_704_164_645;
    pub const CLIENT: &str = DEFAULT_CLIENT_ID;

    pub fn signer() -> Arc<Signer> {
        static S: OnceLock<Arc<Signer>> = OnceLock::new();
        S.get_or_init(|| Arc::new(Signer::generate())).clone()
    }

    fn user(name: &str, password: &str, email: &str, status: &str) -> UserConfig {
        UserConfig {
            username: name.into(),
            password: password.into(),
            attributes: [("email", email), ("email_verified", "true"), ("name", "Test User")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            status: status.into(),
            sub: None,
            mfa: Default::default(),
        }
    }

    pub fn test_pool(prevent: bool) -> Pool {
        Pool::new(test_config(prevent), "http://127.0.0.1:9229", signer()).unwrap()
    }

    pub fn test_config(prevent: bool) -> Config {
        Config {
            user_pool_id: "us-east-1_EmuPool01".into(),
            clients: vec![ClientConfig {
                client_id: CLIENT.into(),
                callback_urls: vec!["http://127.0.0.1:8080/".into()],
                logout_urls: vec!["http://127.0.0.1:8080/?signedout=1".into()],
                ..Default::default()
            }],
            users: vec![
                user("demo", "Demo-Passw0rd!", "demo@example.com", "CONFIRMED"),
                user("alice", "Alice-Passw0rd!", "alice@example.com", "CONFIRMED"),
                user("pending", "Pending-Passw0rd!", "pending@example.com", "UNCONFIRMED"),
            ],
            prevent_user_existence_errors: prevent,
            token_ttl_seconds: 3600,
            session_optional: false,
            identity: Default::default(),
            auth: Default::default(),
            issuer: None,
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    pub fn initiate(pool: &Pool, username: &str, client: &SrpClient) -> ApiResult {
        pool.initiate_auth(
            &obj(json!({
                "ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": username, "SRP_A": client.a_hex()},
            })),
            NOW,
        )
    }

    /// Build the RespondToAuthChallenge request for `challenge` with the given password.
    pub fn respond_request(challenge: &Value, client: &SrpClient, password: &str, ts: &str) -> Map<String, Value> {
        let p = &challenge["ChallengeParameters"];
        let s = |k: &str| p[k].as_str().unwrap().to_string();
        let sig = client.signature(
            "EmuPool01",
            &s("USER_ID_FOR_SRP"),
            password,
            &s("SALT"),
            &s("SRP_B"),
            &s("SECRET_BLOCK"),
            ts,
        );
        obj(json!({
            "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER", "Session": challenge["Session"],
            "ChallengeResponses": {
                "USERNAME": s("USER_ID_FOR_SRP"), "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"),
                "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
            },
        }))
    }

    fn sign_in(pool: &Pool, username: &str, password: &str) -> ApiResult {
        let c = SrpClient::new();
        let ch = initiate(pool, username, &c)?;
        pool.respond_to_auth_challenge(&respond_request(&ch, &c, password, &timestamp(NOW)), NOW)
    }

    fn claims(jwt: &str) -> Value {
        let part = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn assert_err(r: ApiResult, code: &str, message: &str) {
        let e = r.expect_err("expected an error");
        assert_eq!((e.code.as_str(), e.message.as_str()), (code, message));
    }

    #[test]
    fn challenge_shape() {
        let pool = test_pool(true);
        let ch = initiate(&pool, "demo", &SrpClient::new()).unwrap();
        assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
        let p = &ch["ChallengeParameters"];
        assert_eq!(p["USERNAME"], "demo");
        assert_eq!(p["USER_ID_FOR_SRP"], "demo");
        let salt = p["SALT"].as_str().unwrap();
        assert_eq!(salt.len(), 32);
        assert_eq!(salt, pool.users()[0].salt_hex);
        let b = p["SRP_B"].as_str().unwrap();
        assert!(b.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert!(STANDARD.decode(p["SECRET_BLOCK"].as_str().unwrap()).unwrap().len() >= 64);
        assert!(ch["Session"].as_str().unwrap().len() > 32);
    }

    #[test]
    fn round_trip_succeeds_and_tokens_have_cognito_claims() {
        let pool = test_pool(true);
        let r = sign_in(&pool, "demo", "Demo-Passw0rd!").unwrap();
        let ar = &r["AuthenticationResult"];
        assert_eq!(ar["TokenType"], "Bearer");
        assert_eq!(ar["ExpiresIn"], 3600);
        assert!(ar["RefreshToken"].as_str().unwrap().len() > 40);
        let id = claims(ar["IdToken"].as_str().unwrap());
        assert_eq!(id["iss"], "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01");
        assert_eq!(id["aud"], CLIENT);
        assert_eq!(id["token_use"], "id");
        assert_eq!(id["cognito:username"], "demo");
        assert_eq!(id["email"], "demo@example.com");
        assert_eq!(id["email_verified"], true);
        assert_eq!(id["sub"], pool.users()[0].sub.as_str());
        assert_eq!(id["exp"], NOW + 3600);
        assert_eq!(id["auth_time"], NOW);
        let access = claims(ar["AccessToken"].as_str().unwrap());
        assert_eq!(access["token_use"], "access");
        assert_eq!(access["client_id"], CLIENT);
        assert_eq!(access["username"], "demo");
        assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
        assert_eq!(access["origin_jti"], id["origin_jti"]);
        assert_ne!(access["jti"], id["jti"]);
    }

    #[test]
    fn email_alias_gives_real_user_id_for_srp() {
        let pool = test_pool(true);
        let c = SrpClient::new();
        let ch = initiate(&pool, "alice@example.com", &c).unwrap();
        assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], "alice");
        let r = pool.respond_to_auth_challenge(&respond_request(&ch, &c, "Alice-Passw0rd!", &timestamp(NOW)), NOW);
        let id = claims(r.unwrap()["AuthenticationResult"]["IdToken"].as_str().unwrap());
        assert_eq!(id["cognito:username"], "alice");
        // Usernames are case-insensitive, as in a default pool; the canonical name comes back.
        let ch = initiate(&pool, "DEMO", &SrpClient::new()).unwrap();
        assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], "demo");
        let ch = initiate(&pool, "Alice@Example.COM", &SrpClient::new()).unwrap();
        assert_eq!(ch["ChallengeParameters"]["USER_ID_FOR_SRP"], "alice");
    }

    #[test]
    fn wrong_password_fails() {
        let pool = test_pool(true);
        assert_err(sign_in(&pool, "demo", "demo-passw0rd!"), "NotAuthorizedException", INCORRECT);
    }

    #[test]
    fn session_is_one_time() {
        let pool = test_pool(true);
        let c = SrpClient::new();
        let ch = initiate(&pool, "demo", &c).unwrap();
        let req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        pool.respond_to_auth_challenge(&req, NOW).unwrap();
        assert_err(pool.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", SESSION_EXPIRED);
        // Also consumed by a failure.
        let c = SrpClient::new();
        let ch = initiate(&pool, "demo", &c).unwrap();
        let bad = respond_request(&ch, &c, "wrong", &timestamp(NOW));
        assert_err(pool.respond_to_auth_challenge(&bad, NOW), "NotAuthorizedException", INCORRECT);
        let good = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        assert_err(pool.respond_to_auth_challenge(&good, NOW), "NotAuthorizedException", SESSION_EXPIRED);
    }

    #[test]
    fn session_expires_after_three_minutes() {
        let pool = test_pool(true);
        let c = SrpClient::new();
        let ch = initiate(&pool, "demo", &c).unwrap();
        let later = NOW + SESSION_TTL + 1;
        let req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(later));
        assert_err(pool.respond_to_auth_challenge(&req, later), "NotAuthorizedException", SESSION_EXPIRED);
    }

    #[test]
    fn timestamp_must_be_fresh_and_unpadded() {
        let pool = test_pool(true);
        let attempt = |ts: &str| {
            let c = SrpClient::new();
            let ch = initiate(&pool, "demo", &c).unwrap();
            pool.respond_to_auth_challenge(&respond_request(&ch, &c, "Demo-Passw0rd!", ts), NOW)
        };
        assert_err(attempt(&timestamp(NOW - 360)), "NotAuthorizedException", INCORRECT);
        assert_err(attempt(&timestamp(NOW + 360)), "NotAuthorizedException", INCORRECT);
        assert!(attempt(&timestamp(NOW - 240)).is_ok());
        assert_eq!(timestamp(NOW), "Tue Jan 2 03:04:05 UTC 2024");
        assert_err(attempt("Tue Jan 02 03:04:05 UTC 2024"), "NotAuthorizedException", INCORRECT);
        assert!(attempt("Tue Jan 2 03:04:05 UTC 2024").is_ok());
    }

    #[test]
    fn wrong_secret_block_or_username_fails() {
        let pool = test_pool(true);
        let c = SrpClient::new();
        let ch = initiate(&pool, "demo", &c).unwrap();
        let mut req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        req["ChallengeResponses"]["PASSWORD_CLAIM_SECRET_BLOCK"] = json!(STANDARD.encode([7u8; 128]));
        assert_err(pool.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", INCORRECT);

        // Signature computed over a different secret block (but the issued block sent back).
        let c = SrpClient::new();
        let mut ch = initiate(&pool, "demo", &c).unwrap();
        let issued = ch["ChallengeParameters"]["SECRET_BLOCK"].clone();
        ch["ChallengeParameters"]["SECRET_BLOCK"] = json!(STANDARD.encode([9u8; 128]));
        let mut req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        req["ChallengeResponses"]["PASSWORD_CLAIM_SECRET_BLOCK"] = issued;
        assert_err(pool.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", INCORRECT);

        let c = SrpClient::new();
        let ch = initiate(&pool, "alice@example.com", &c).unwrap();
        let mut req = respond_request(&ch, &c, "Alice-Passw0rd!", &timestamp(NOW));
        req["ChallengeResponses"]["USERNAME"] = json!("alice@example.com");
        assert_err(pool.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", INCORRECT);
    }

    #[test]
    fn unknown_user_with_and_without_existence_errors() {
        let pool = test_pool(true);
        let c = SrpClient::new();
        let ch1 = initiate(&pool, "nobody", &c).unwrap();
        let ch2 = initiate(&pool, "nobody", &SrpClient::new()).unwrap();
        let ch3 = initiate(&pool, "somebody", &SrpClient::new()).unwrap();
        let salt = |ch: &Value| ch["ChallengeParameters"]["SALT"].as_str().unwrap().to_string();
        assert_eq!(salt(&ch1), salt(&ch2));
        assert_ne!(salt(&ch1), salt(&ch3));
        assert_eq!(salt(&ch1).len(), 32);
        assert_eq!(ch1["ChallengeParameters"]["USER_ID_FOR_SRP"], "nobody");
        let req = respond_request(&ch1, &c, "anything", &timestamp(NOW));
        assert_err(pool.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", INCORRECT);

        let strict = test_pool(false);
        assert_err(initiate(&strict, "nobody", &SrpClient::new()), "UserNotFoundException", "User does not exist.");
    }

    #[test]
    fn unconfirmed_user_after_password_check() {
        let pool = test_pool(true);
        assert_err(sign_in(&pool, "pending", "wrong"), "NotAuthorizedException", INCORRECT);
        assert_err(
            sign_in(&pool, "pending", "Pending-Passw0rd!"),
            "UserNotConfirmedException",
            "User is not confirmed.",
        );
    }

    #[test]
    fn rejects_a_equal_zero_mod_n() {
        let pool = test_pool(true);
        for a in [format!("{:x}", crate::srp::n()), "0".into(), format!("{:x}", crate::srp::n() * 2u32)] {
            let r = pool.initiate_auth(
                &obj(json!({"ClientId": CLIENT, "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": {"USERNAME": "demo", "SRP_A": a}})),
                NOW,
            );
            assert_err(r, "NotAuthorizedException", INCORRECT);
        }
    }

    #[test]
    fn refresh_token_flow() {
        let pool = test_pool(true);
        let r = sign_in(&pool, "demo", "Demo-Passw0rd!").unwrap();
        let rt = r["AuthenticationResult"]["RefreshToken"].as_str().unwrap().to_string();
        let refresh = |token: &str| {
            pool.initiate_auth(
                &obj(json!({"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": {"REFRESH_TOKEN": token}})),
                NOW + 100,
            )
        };
        let r2 = refresh(&rt).unwrap();
        let ar = &r2["AuthenticationResult"];
        assert!(ar.get("RefreshToken").is_none());
        let id = claims(ar["IdToken"].as_str().unwrap());
        assert_eq!(id["iat"], NOW + 100);
        assert_eq!(id["auth_time"], NOW);
        assert_eq!(id["cognito:username"], "demo");
        assert_err(refresh("not-a-token"), "NotAuthorizedException", "Invalid Refresh Token");
        pool.reset();
        assert_err(refresh(&rt), "NotAuthorizedException", "Invalid Refresh Token");
    }

    #[test]
    fn parameter_and_client_errors() {
        let pool = test_pool(true);
        let code = |op: &str, body: &str| pool.handle(op, body.as_bytes(), NOW).unwrap_err().code;
        assert_eq!(code("Nope", "{}"), "UnknownOperationException");
        assert_eq!(code("InitiateAuth", "{not json"), "SerializationException");
        assert_eq!(code("InitiateAuth", "[]"), "SerializationException");
        assert_eq!(
            code("InitiateAuth", r#"{"ClientId":"nope","AuthFlow":"USER_SRP_AUTH","AuthParameters":{}}"#),
            "ResourceNotFoundException"
        );
        assert_eq!(code("InitiateAuth", r#"{"AuthFlow":"USER_SRP_AUTH"}"#), "InvalidParameterException");
        let c = format!(r#"{{"ClientId":"{CLIENT}","AuthFlow":"USER_SRP_AUTH","AuthParameters":{{"SRP_A":"02"}}}}"#);
        assert_eq!(code("InitiateAuth", &c), "InvalidParameterException");
        let c = format!(r#"{{"ClientId":"{CLIENT}","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{{}}}}"#);
        assert_eq!(code("InitiateAuth", &c), "InvalidParameterException");
        let c = format!(
            r#"{{"ClientId":"{CLIENT}","AuthFlow":"USER_SRP_AUTH","AuthParameters":{{"USERNAME":"demo","SRP_A":"xyz"}}}}"#
        );
        assert_eq!(code("InitiateAuth", &c), "InvalidParameterException");
        let c = format!(r#"{{"ClientId":"{CLIENT}","ChallengeName":"PASSWORD_VERIFIER","ChallengeResponses":{{}}}}"#);
        assert_eq!(code("RespondToAuthChallenge", &c), "InvalidParameterException");
        let c = format!(
            r#"{{"ClientId":"{CLIENT}","ChallengeName":"PASSWORD_VERIFIER","Session":"x","ChallengeResponses":
            {{"USERNAME":"demo","PASSWORD_CLAIM_SECRET_BLOCK":"a","PASSWORD_CLAIM_SIGNATURE":"b","TIMESTAMP":"c"}}}}"#
        );
        let e = pool.handle("RespondToAuthChallenge", c.as_bytes(), NOW).unwrap_err();
        assert_eq!((e.code.as_str(), e.message.as_str()), ("NotAuthorizedException", SESSION_EXPIRED));
    }

    #[test]
    fn session_optional_finds_challenge_by_secret_block() {
        let strict = test_pool(true);
        let c = SrpClient::new();
        let ch = initiate(&strict, "demo", &c).unwrap();
        let mut req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        req.remove("Session");
        assert_eq!(strict.respond_to_auth_challenge(&req, NOW).unwrap_err().code, "InvalidParameterException");

        let mut lenient = test_pool(true);
        lenient.session_optional = true;
        let c = SrpClient::new();
        let ch = initiate(&lenient, "demo", &c).unwrap();
        let mut req = respond_request(&ch, &c, "Demo-Passw0rd!", &timestamp(NOW));
        req.remove("Session");
        assert!(lenient.respond_to_auth_challenge(&req, NOW).is_ok());
        assert_err(lenient.respond_to_auth_challenge(&req, NOW), "NotAuthorizedException", SESSION_EXPIRED);
    }

    #[test]
    fn faults_count_down() {
        let pool = test_pool(true);
        let f: Fault =
            serde_json::from_str(r#"{"target":"AWSCognitoIdentityProviderService.InitiateAuth","count":2}"#).unwrap();
        pool.add_fault(f).unwrap();
        assert_eq!(pool.take_fault("InitiateAuth").unwrap().status, None);
        assert!(pool.take_fault("RespondToAuthChallenge").is_none());
        assert!(pool.take_fault("InitiateAuth").is_some());
        assert!(pool.take_fault("InitiateAuth").is_none());
    }
}
