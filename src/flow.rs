//! The sign-in flow as a sans-IO state machine.
//!
//! ```text
//! SignIn::start(config, username, password, a)  ──► InitiateAuth USER_SRP_AUTH
//! flow.handle(reply, now)  ── PASSWORD_VERIFIER ──► RespondToAuthChallenge (claim signed)
//! flow.handle(reply, now)  ── tokens ──► Step::SignedIn(session)
//!                          └─ other challenge ──► Step::Challenge(pending)
//! pending.respond(answer, metadata)  ──► (SignIn, RespondToAuthChallenge) ──► handle …
//! ```
//!
//! Other starts: [`SignIn::start_password`] (USER_PASSWORD_AUTH), [`SignIn::start_custom`]
//! (CUSTOM_AUTH), [`SignIn::start_custom_with_srp`] (CUSTOM_AUTH, password first) and
//! [`SignIn::start_user_auth`] (USER_AUTH, choice-based: a [`FirstFactor`] is preferred or
//! picked at SELECT_CHALLENGE; WEB_AUTHN is answered with [`Answer::WebAuthn`], the
//! credential JSON from [`crate::passkey::assertion_json`]; PASSWORD_SRP continues on the
//! USER_SRP_AUTH path, PASSWORD on USER_PASSWORD_AUTH's, MFA and NEW_PASSWORD_REQUIRED
//! after them as usual).
//! MFA_SETUP for TOTP is continued inside the flow: AssociateSoftwareToken is sent before
//! the challenge reaches the app (so it can show the secret / QR code), and the app's code
//! goes to VerifySoftwareToken and then RespondToAuthChallenge.
//!
//! The flow never reads a clock, draws randomness or does I/O: the caller passes the random
//! ephemeral `a`, the time, and each reply; each step consumes the flow, so a step cannot be
//! replayed.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::device::{DeviceSecrets, NewDevice};
use crate::encoding::base64_decode;
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::protocol::{self, AuthReply, ChallengeReply, ClientConfig, HttpRequest, HttpResponse};
use crate::session::Session;
use crate::srp::{self, SrpClient};
use crate::timestamp::cognito_timestamp;

/// A password. Wiped from wasm memory on drop; `Debug` is redacted. (The JavaScript string
/// the app passed in stays in the JS heap until it is garbage-collected; nothing here can
/// clear it.)
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(p: &str) -> Password {
        Password(Zeroizing::new(String::from(p)))
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
    #[cfg_attr(not(feature = "challenges"), allow(dead_code))]
    pub(crate) fn duplicate(&self) -> Password {
        Password(self.0.clone())
    }
}

impl core::fmt::Debug for Password {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A client secret (confidential app clients; never in a browser build's config).
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn new(s: &str) -> ClientSecret {
        ClientSecret(Zeroizing::new(String::from(s)))
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
    /// SECRET_HASH for `username` (see [`srp::secret_hash`]).
    pub fn hash(&self, username: &str, client_id: &str) -> String {
        srp::secret_hash(&self.0, username, client_id)
    }
    pub(crate) fn duplicate(&self) -> ClientSecret {
        ClientSecret(self.0.clone())
    }
}

impl core::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

// Moved by value through the flow's few steps; boxing measured larger in wasm (BENCHMARKS.md).
#[allow(clippy::large_enum_variant)]
#[allow(clippy::enum_variant_names)] // each stage awaits a different reply
enum Stage {
    /// InitiateAuth sent; expecting PASSWORD_VERIFIER.
    AwaitVerifier { srp: SrpClient, password: Password },
    /// The claim (or an answer) was sent; expecting tokens or a further challenge.
    AwaitTokens { user_id: String },
    /// MFA_SETUP: AssociateSoftwareToken sent with the challenge's session.
    AwaitAssociate { challenge: Challenge },
    /// MFA_SETUP: VerifySoftwareToken sent; RespondToAuthChallenge(MFA_SETUP) follows.
    AwaitTotpVerified { user_id: String },
    /// DEVICE_SRP_AUTH answered; expecting DEVICE_PASSWORD_VERIFIER.
    AwaitDeviceVerifier { user_id: String },
}

/// A remembered device and the fresh ephemeral pair for its SRP round.
struct Device {
    secrets: DeviceSecrets,
    srp: SrpClient,
}

/// A sign-in in progress.
pub struct SignIn {
    config: ClientConfig,
    secret: Option<ClientSecret>,
    stage: Stage,
    device: Option<Device>,
}

impl core::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let stage = match self.stage {
            Stage::AwaitVerifier { .. } => "AwaitVerifier",
            Stage::AwaitTokens { .. } => "AwaitTokens",
            Stage::AwaitAssociate { .. } => "AwaitAssociate",
            Stage::AwaitTotpVerified { .. } => "AwaitTotpVerified",
            Stage::AwaitDeviceVerifier { .. } => "AwaitDeviceVerifier",
        };
        f.debug_struct("SignIn").field("stage", &stage).finish_non_exhaustive()
    }
}

/// A challenge the app must answer (MFA, new password, …). The `session` string continues
/// the conversation with Cognito.
pub struct Challenge {
    pub name: String,
    /// Parameters as Cognito sent them.
    pub parameters: Vec<(String, String)>,
    pub session: Option<String>,
    /// The user id Cognito uses from here on (USER_ID_FOR_SRP).
    pub username: String,
    /// SELECT_CHALLENGE: the first factors Cognito offers (`AvailableChallenges`).
    pub available: Vec<String>,
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Challenge").field("name", &self.name).field("username", &self.username).finish_non_exhaustive()
    }
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.parameters.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The app's answer to a [`Challenge`].
#[allow(clippy::large_enum_variant)] // built once per answer, moved into the flow
pub enum Answer {
    /// SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, and MFA_SETUP (the first TOTP code;
    /// `device_name` is the authenticator's friendly name).
    Code { code: String, device_name: Option<String> },
    /// NEW_PASSWORD_REQUIRED, with values for `requiredAttributes` (names without the
    /// `userAttributes.` prefix).
    NewPassword { password: Password, attributes: Vec<(String, String)> },
    /// SELECT_MFA_TYPE: one of the allowed types (`SMS_MFA`, `EMAIL_OTP`, `SOFTWARE_TOKEN_MFA`).
    MfaType(String),
    /// CUSTOM_CHALLENGE.
    Custom(String),
    /// SELECT_CHALLENGE: the first factor the user picked.
    Select(FirstFactor),
    /// WEB_AUTHN: the assertion as JSON text ([`crate::passkey::assertion_json`]).
    WebAuthn(String),
}

/// A first factor of USER_AUTH: preferred in InitiateAuth (`PREFERRED_CHALLENGE`) or picked
/// at SELECT_CHALLENGE (`ANSWER`). The password ones carry what they send.
#[allow(clippy::large_enum_variant)] // built once per sign-in, moved into the flow
pub enum FirstFactor {
    WebAuthn,
    EmailOtp,
    SmsOtp,
    /// The password goes to Cognito (over TLS), as USER_PASSWORD_AUTH.
    Password(Password),
    /// SRP with this fresh ephemeral pair, as USER_SRP_AUTH.
    PasswordSrp(Password, SrpClient),
}

impl FirstFactor {
    /// The wire name (`WEB_AUTHN`, `EMAIL_OTP`, `SMS_OTP`, `PASSWORD`, `PASSWORD_SRP`).
    pub fn name(&self) -> &'static str {
        match self {
            FirstFactor::WebAuthn => "WEB_AUTHN",
            FirstFactor::EmailOtp => "EMAIL_OTP",
            FirstFactor::SmsOtp => "SMS_OTP",
            FirstFactor::Password(_) => "PASSWORD",
            FirstFactor::PasswordSrp(..) => "PASSWORD_SRP",
        }
    }

    /// Adds the factor's own parameters (`PASSWORD` / `SRP_A`) and returns the stage that
    /// waits for the reply.
    fn into_stage(self, params: &mut Vec<(String, Json)>, user_id: &str) -> Result<Stage, Error> {
        Ok(match self {
            FirstFactor::Password(p) => {
                require(user_id, Some(&p))?;
                params.push((k("PASSWORD"), s(p.expose())));
                Stage::AwaitTokens { user_id: k(user_id) }
            }
            FirstFactor::PasswordSrp(password, srp) => {
                require(user_id, Some(&password))?;
                params.push((k("SRP_A"), Json::Str(srp.public_hex())));
                Stage::AwaitVerifier { srp, password }
            }
            _ => Stage::AwaitTokens { user_id: k(user_id) },
        })
    }
}

impl core::fmt::Debug for Answer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Answer(<redacted>)")
    }
}

/// A challenge waiting for the app's answer. Answering does not consume it: after a wrong
/// code (`CodeMismatchException`) the same challenge can be answered again, until Cognito
/// says the session expired.
pub struct Pending {
    config: ClientConfig,
    secret: Option<ClientSecret>,
    challenge: Challenge,
    /// MFA_SETUP: the TOTP secret from AssociateSoftwareToken (base32).
    totp_secret: Option<Zeroizing<String>>,
}

impl core::fmt::Debug for Pending {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pending").field("challenge", &self.challenge).finish_non_exhaustive()
    }
}

/// What to do next.
#[derive(Debug)]
// Moved by value through the flow's few steps; boxing measured larger in wasm (BENCHMARKS.md).
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// Send this request and pass its reply to the returned flow.
    Send(SignIn, HttpRequest),
    /// Ask the user.
    Challenge(Pending),
    /// Signed in.
    SignedIn(Session),
    /// Signed in, and Cognito tracks this device (`NewDeviceMetadata`): confirm it with
    /// [`crate::device::confirm_device`] to remember it.
    SignedInNewDevice(Session, NewDevice),
}

fn missing(name: &str) -> Error {
    let mut m = String::from("PASSWORD_VERIFIER challenge lacks ");
    m.push_str(name);
    Error::invalid_response(&m)
}

fn s(v: &str) -> Json {
    Json::Str(String::from(v))
}

fn k(v: &str) -> String {
    String::from(v)
}

/// `{"k": "v", ...}` from owned pairs (client metadata, attributes).
pub(crate) fn pairs_object(pairs: &[(String, String)]) -> Json {
    let mut members = Vec::with_capacity(pairs.len());
    for (a, b) in pairs {
        members.push((a.clone(), s(b)));
    }
    Json::Obj(members)
}

fn initiate(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    flow: &str,
    username: &str,
    mut params: Vec<(String, Json)>,
    metadata: &[(String, String)],
) -> HttpRequest {
    params.insert(0, (k("USERNAME"), s(username)));
    if let Some(sec) = secret {
        params.push((k("SECRET_HASH"), s(&sec.hash(username, config.client_id()))));
    }
    let mut body = alloc::vec![
        (k("AuthFlow"), s(flow)),
        (k("ClientId"), s(config.client_id())),
        (k("AuthParameters"), Json::Obj(params)),
    ];
    if !metadata.is_empty() {
        body.push((k("ClientMetadata"), pairs_object(metadata)));
    }
    protocol::request(config, "InitiateAuth", &Json::Obj(body))
}

fn respond_request(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    name: &str,
    username: &str,
    mut responses: Vec<(String, Json)>,
    session: Option<&str>,
    metadata: &[(String, String)],
) -> HttpRequest {
    responses.insert(0, (k("USERNAME"), s(username)));
    if let Some(sec) = secret {
        responses.push((k("SECRET_HASH"), s(&sec.hash(username, config.client_id()))));
    }
    let mut body = alloc::vec![
        (k("ChallengeName"), s(name)),
        (k("ClientId"), s(config.client_id())),
        (k("ChallengeResponses"), Json::Obj(responses)),
    ];
    if let Some(session) = session {
        body.push((k("Session"), s(session)));
    }
    if !metadata.is_empty() {
        body.push((k("ClientMetadata"), pairs_object(metadata)));
    }
    protocol::request(config, "RespondToAuthChallenge", &Json::Obj(body))
}

fn require(username: &str, password: Option<&Password>) -> Result<(), Error> {
    if username.is_empty() {
        return Err(Error::invalid_input("username is required"));
    }
    if password.is_some_and(|p| p.expose().is_empty()) {
        return Err(Error::invalid_input("password is required"));
    }
    Ok(())
}

impl SignIn {
    /// Starts USER_SRP_AUTH. `a` is the ephemeral secret: [`srp::EPHEMERAL_BYTES`] random
    /// bytes from a CSPRNG.
    pub fn start(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        a: &[u8],
    ) -> Result<(SignIn, HttpRequest), Error> {
        let srp = SrpClient::new(a).map_err(|e| Error::invalid_input(e.message()))?;
        SignIn::start_with(config, secret, username, password, srp)
    }

    /// Like [`SignIn::start`], with an ephemeral pair computed ahead of time (A is the
    /// expensive half of the client's work and needs no user input). A pair must not be
    /// used for two sign-ins; this takes it by value.
    pub fn start_with(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        srp: SrpClient,
    ) -> Result<(SignIn, HttpRequest), Error> {
        SignIn::start_with_device(config, secret, username, password, srp, None)
    }

    /// USER_SRP_AUTH with a remembered device: `DEVICE_KEY` is sent (when the device belongs
    /// to the user), and DEVICE_SRP_AUTH is answered with `device_srp`, a second fresh
    /// ephemeral pair, so a remembered device can skip MFA.
    pub fn start_with_device(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        srp: SrpClient,
        device: Option<(DeviceSecrets, SrpClient)>,
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, Some(&password))?;
        let mut params = alloc::vec![(k("SRP_A"), Json::Str(srp.public_hex()))];
        if let Some((d, _)) = device.as_ref().filter(|(d, _)| d.owner == username) {
            params.push((k("DEVICE_KEY"), s(&d.key)));
        }
        let req = initiate(config, secret.as_ref(), "USER_SRP_AUTH", username, params, &[]);
        let device = device.map(|(secrets, srp)| Device { secrets, srp });
        Ok((SignIn { config: config.clone(), secret, stage: Stage::AwaitVerifier { srp, password }, device }, req))
    }

    /// CUSTOM_AUTH with the password checked first by SRP (`CHALLENGE_NAME: SRP_A`): the
    /// CUSTOM_CHALLENGE comes after PASSWORD_VERIFIER.
    pub fn start_custom_with_srp(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        srp: SrpClient,
        metadata: &[(String, String)],
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, Some(&password))?;
        let params = alloc::vec![(k("SRP_A"), Json::Str(srp.public_hex())), (k("CHALLENGE_NAME"), s("SRP_A"))];
        let req = initiate(config, secret.as_ref(), "CUSTOM_AUTH", username, params, metadata);
        Ok((
            SignIn { config: config.clone(), secret, stage: Stage::AwaitVerifier { srp, password }, device: None },
            req,
        ))
    }

    /// USER_PASSWORD_AUTH: the password goes to Cognito (over TLS) instead of an SRP proof.
    /// Needed by user-migration Lambda triggers; opt-in.
    pub fn start_password(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        password: Password,
        metadata: &[(String, String)],
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, Some(&password))?;
        let params = alloc::vec![(k("PASSWORD"), s(password.expose()))];
        let req = initiate(config, secret.as_ref(), "USER_PASSWORD_AUTH", username, params, metadata);
        Ok((
            SignIn { config: config.clone(), secret, stage: Stage::AwaitTokens { user_id: k(username) }, device: None },
            req,
        ))
    }

    /// USER_AUTH (choice-based sign-in). With `preferred`, `PREFERRED_CHALLENGE` names it
    /// (plus `PASSWORD` / `SRP_A` for the password factors); without, or when the user lacks
    /// the preferred factor, Cognito answers SELECT_CHALLENGE with the factors on offer.
    pub fn start_user_auth(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        preferred: Option<FirstFactor>,
        metadata: &[(String, String)],
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, None)?;
        let mut params = Vec::new();
        let stage = match preferred {
            Some(f) => {
                params.push((k("PREFERRED_CHALLENGE"), s(f.name())));
                f.into_stage(&mut params, username)?
            }
            None => Stage::AwaitTokens { user_id: k(username) },
        };
        let req = initiate(config, secret.as_ref(), "USER_AUTH", username, params, metadata);
        Ok((SignIn { config: config.clone(), secret, stage, device: None }, req))
    }

    /// USER_AUTH with the `Session` ConfirmSignUp returned: Cognito signs the confirmed user
    /// in, the confirmation code having been the first factor (API reference:
    /// ConfirmSignUpResponse `Session`, InitiateAuth `Session`). No password involved.
    pub fn start_after_sign_up(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        session: &str,
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, None)?;
        if session.is_empty() {
            return Err(Error::invalid_input("the sign-up session is empty"));
        }
        let mut params = alloc::vec![(k("USERNAME"), s(username))];
        if let Some(sec) = &secret {
            params.push((k("SECRET_HASH"), s(&sec.hash(username, config.client_id()))));
        }
        let body = alloc::vec![
            (k("AuthFlow"), s("USER_AUTH")),
            (k("ClientId"), s(config.client_id())),
            (k("AuthParameters"), Json::Obj(params)),
            (k("Session"), s(session)),
        ];
        let req = protocol::request(config, "InitiateAuth", &Json::Obj(body));
        Ok((
            SignIn { config: config.clone(), secret, stage: Stage::AwaitTokens { user_id: k(username) }, device: None },
            req,
        ))
    }

    /// CUSTOM_AUTH without a password: the Lambda triggers decide the challenges.
    pub fn start_custom(
        config: &ClientConfig,
        secret: Option<ClientSecret>,
        username: &str,
        metadata: &[(String, String)],
    ) -> Result<(SignIn, HttpRequest), Error> {
        require(username, None)?;
        let req = initiate(config, secret.as_ref(), "CUSTOM_AUTH", username, Vec::new(), metadata);
        Ok((
            SignIn { config: config.clone(), secret, stage: Stage::AwaitTokens { user_id: k(username) }, device: None },
            req,
        ))
    }

    /// Feeds the reply to the last request. `now_ms` is the local clock (milliseconds since
    /// the epoch): it dates the claim and measures clock drift.
    pub fn handle(self, resp: &HttpResponse, now_ms: i64) -> Result<Step, Error> {
        self.handle_reply(resp, now_ms).map_err(|e| e.for_reply(resp.status))
    }

    fn handle_reply(self, resp: &HttpResponse, now_ms: i64) -> Result<Step, Error> {
        let body = protocol::parse_success(resp)?;
        let SignIn { config, secret, stage, device } = self;
        match stage {
            Stage::AwaitAssociate { mut challenge } => {
                let code = body
                    .str_field("SecretCode")
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| Error::invalid_response("AssociateSoftwareToken reply lacks SecretCode"))?;
                if let Some(sess) = body.str_field("Session") {
                    challenge.session = Some(k(sess));
                }
                let totp_secret = Some(Zeroizing::new(k(code)));
                return Ok(Step::Challenge(Pending { config, secret, challenge, totp_secret }));
            }
            Stage::AwaitTotpVerified { user_id } => {
                if body.str_field("Status") != Some("SUCCESS") {
                    return Err(Error::new(
                        crate::error::Code::Service(k("EnableSoftwareTokenMFAException")),
                        "VerifySoftwareToken did not succeed",
                    ));
                }
                let session = body.str_field("Session");
                let req = respond_request(&config, secret.as_ref(), "MFA_SETUP", &user_id, Vec::new(), session, &[]);
                return Ok(Step::Send(SignIn { config, secret, stage: Stage::AwaitTokens { user_id }, device }, req));
            }
            _ => {}
        }
        let reply = protocol::parse_auth_reply(&body)?;
        match stage {
            Stage::AwaitVerifier { srp, password } => match reply {
                AuthReply::Challenge(c) if c.name == "PASSWORD_VERIFIER" => {
                    let user_id = k(c.param("USER_ID_FOR_SRP").unwrap_or_default());
                    let device_key =
                        device.as_ref().filter(|d| d.secrets.owner == user_id).map(|d| d.secrets.key.as_str());
                    let req = answer_verifier(
                        &config,
                        secret.as_ref(),
                        &srp,
                        &password,
                        &c,
                        protocol::srp_now_ms(resp, now_ms),
                        device_key,
                    )?;
                    Ok(Step::Send(SignIn { config, secret, stage: Stage::AwaitTokens { user_id }, device }, req))
                }
                AuthReply::Challenge(c) => challenge_step(config, secret, device, into_challenge(c, "")),
                AuthReply::Authenticated(_) => {
                    Err(Error::invalid_response("Cognito returned tokens before the password was verified"))
                }
            },
            Stage::AwaitTokens { user_id } => match reply {
                AuthReply::Authenticated(r) => {
                    let new_device = r.new_device.clone();
                    let session = Session::from_tokens(&config, r, None, now_ms)?;
                    Ok(match new_device {
                        Some((key, group_key)) => Step::SignedInNewDevice(session, NewDevice { key, group_key }),
                        None => Step::SignedIn(session),
                    })
                }
                AuthReply::Challenge(c) => challenge_step(config, secret, device, into_challenge(c, &user_id)),
            },
            Stage::AwaitDeviceVerifier { user_id } => match (reply, device) {
                (AuthReply::Challenge(c), Some(d)) if c.name == "DEVICE_PASSWORD_VERIFIER" => {
                    let req = answer_device_verifier(
                        &config,
                        secret.as_ref(),
                        &d,
                        &user_id,
                        &c,
                        protocol::srp_now_ms(resp, now_ms),
                    )?;
                    Ok(Step::Send(SignIn { config, secret, stage: Stage::AwaitTokens { user_id }, device: None }, req))
                }
                _ => Err(Error::invalid_response("expected DEVICE_PASSWORD_VERIFIER after DEVICE_SRP_AUTH")),
            },
            Stage::AwaitAssociate { .. } | Stage::AwaitTotpVerified { .. } => {
                Err(Error::invalid_response("unexpected sign-in stage"))
            }
        }
    }
}

/// Parses a parameter Cognito sends as a JSON array in a string (`MFAS_CAN_CHOOSE`, …).
pub fn string_list(text: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Json::Arr(items)) = text.and_then(json::parse) {
        for i in items {
            if let Some(v) = i.as_str() {
                out.push(k(v));
            }
        }
    }
    out
}

/// The challenges an app can answer through `respondToChallenge` (PASSWORD_VERIFIER and the
/// device ones are answered inside the flow).
const ANSWERABLE: [&str; 10] = [
    "NEW_PASSWORD_REQUIRED",
    "SMS_MFA",
    "EMAIL_OTP",
    "SMS_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "WEB_AUTHN",
];

fn challenge_step(
    config: ClientConfig,
    secret: Option<ClientSecret>,
    device: Option<Device>,
    challenge: Challenge,
) -> Result<Step, Error> {
    // A remembered device answers DEVICE_SRP_AUTH itself (it replaces MFA).
    if let Some(d) = device.filter(|d| challenge.name == "DEVICE_SRP_AUTH" && d.secrets.owner == challenge.username) {
        let user_id = challenge.username.clone();
        let responses = alloc::vec![(k("DEVICE_KEY"), s(&d.secrets.key)), (k("SRP_A"), Json::Str(d.srp.public_hex()))];
        let req = respond_request(
            &config,
            secret.as_ref(),
            "DEVICE_SRP_AUTH",
            &user_id,
            responses,
            challenge.session.as_deref(),
            &[],
        );
        return Ok(Step::Send(
            SignIn { config, secret, stage: Stage::AwaitDeviceVerifier { user_id }, device: Some(d) },
            req,
        ));
    }
    if challenge.name == "MFA_SETUP"
        && string_list(challenge.param("MFAS_CAN_SETUP")).iter().any(|m| m == "SOFTWARE_TOKEN_MFA")
    {
        let mut body = Vec::new();
        if let Some(sess) = &challenge.session {
            body.push((k("Session"), s(sess)));
        }
        let req = protocol::request(&config, "AssociateSoftwareToken", &Json::Obj(body));
        return Ok(Step::Send(
            SignIn { config, secret, stage: Stage::AwaitAssociate { challenge }, device: None },
            req,
        ));
    }
    if !ANSWERABLE.contains(&challenge.name.as_str()) {
        let mut m = String::from("Cognito asked for the challenge ");
        // The name is the server's: clipped, so an error message stays short.
        m.push_str(protocol::truncate(&challenge.name, 64));
        m.push_str(", which this library cannot answer");
        return Err(Error::new(Code::UnsupportedChallenge, &m));
    }
    Ok(Step::Challenge(Pending { config, secret, challenge, totp_secret: None }))
}

fn wrong_answer(expected: &str) -> Error {
    let mut m = String::from("this challenge is answered with ");
    m.push_str(expected);
    Error::invalid_input(&m)
}

impl Pending {
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// MFA_SETUP: the TOTP secret (base32) to show or put in a QR code.
    pub fn totp_secret(&self) -> Option<&str> {
        self.totp_secret.as_deref().map(String::as_str)
    }

    /// Builds the request that answers the challenge. `metadata` is passed to the Lambda
    /// triggers as `ClientMetadata`.
    pub fn respond(&self, answer: Answer, metadata: &[(String, String)]) -> Result<(SignIn, HttpRequest), Error> {
        let c = &self.challenge;
        let user = c.username.as_str();
        let mut responses = Vec::new();
        match (c.name.as_str(), answer) {
            (name @ ("SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" | "SOFTWARE_TOKEN_MFA"), Answer::Code { code, .. }) => {
                if code.is_empty() {
                    return Err(Error::invalid_input("code is required"));
                }
                let key = match name {
                    "SMS_MFA" => "SMS_MFA_CODE",
                    "EMAIL_OTP" => "EMAIL_OTP_CODE",
                    "SMS_OTP" => "SMS_OTP_CODE",
                    _ => "SOFTWARE_TOKEN_MFA_CODE",
                };
                responses.push((k(key), s(&code)));
            }
            ("MFA_SETUP", Answer::Code { code, device_name }) => {
                if self.totp_secret.is_none() {
                    return Err(Error::invalid_input("MFA_SETUP offers no TOTP setup to answer"));
                }
                if code.is_empty() {
                    return Err(Error::invalid_input("code is required"));
                }
                let mut body = alloc::vec![(k("UserCode"), s(&code))];
                if let Some(sess) = &c.session {
                    body.push((k("Session"), s(sess)));
                }
                if let Some(n) = device_name.filter(|n| !n.is_empty()) {
                    body.push((k("FriendlyDeviceName"), s(&n)));
                }
                let req = protocol::request(&self.config, "VerifySoftwareToken", &Json::Obj(body));
                let stage = Stage::AwaitTotpVerified { user_id: k(user) };
                return Ok((
                    SignIn {
                        config: self.config.clone(),
                        secret: self.secret.as_ref().map(ClientSecret::duplicate),
                        stage,
                        device: None,
                    },
                    req,
                ));
            }
            ("NEW_PASSWORD_REQUIRED", Answer::NewPassword { password, attributes }) => {
                if password.expose().is_empty() {
                    return Err(Error::invalid_input("newPassword is required"));
                }
                responses.push((k("NEW_PASSWORD"), s(password.expose())));
                for (name, value) in attributes {
                    let mut key = k("userAttributes.");
                    key.push_str(&name);
                    responses.push((key, Json::Str(value)));
                }
            }
            ("SELECT_MFA_TYPE", Answer::MfaType(t)) => {
                let allowed = string_list(c.param("MFAS_CAN_CHOOSE"));
                if !allowed.is_empty() && !allowed.contains(&t) {
                    return Err(Error::invalid_input("mfaType is not one of the allowed types"));
                }
                responses.push((k("ANSWER"), Json::Str(t)));
            }
            ("CUSTOM_CHALLENGE", Answer::Custom(a)) => responses.push((k("ANSWER"), Json::Str(a))),
            ("SELECT_CHALLENGE", Answer::Select(f)) => {
                if !c.available.is_empty() && !c.available.iter().any(|a| a == f.name()) {
                    return Err(Error::invalid_input("answer is not one of the available challenges"));
                }
                responses.push((k("ANSWER"), s(f.name())));
                let stage = f.into_stage(&mut responses, user)?;
                let req = respond_request(
                    &self.config,
                    self.secret.as_ref(),
                    &c.name,
                    user,
                    responses,
                    c.session.as_deref(),
                    metadata,
                );
                return Ok((
                    SignIn {
                        config: self.config.clone(),
                        secret: self.secret.as_ref().map(ClientSecret::duplicate),
                        stage,
                        device: None,
                    },
                    req,
                ));
            }
            ("WEB_AUTHN", Answer::WebAuthn(credential)) => responses.push((k("CREDENTIAL"), Json::Str(credential))),
            ("SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" | "SOFTWARE_TOKEN_MFA" | "MFA_SETUP", _) => {
                return Err(wrong_answer("{ code }"))
            }
            ("SELECT_CHALLENGE", _) => {
                return Err(wrong_answer("{ answer } (and a password for PASSWORD / PASSWORD_SRP)"))
            }
            ("WEB_AUTHN", _) => return Err(wrong_answer("a passkey")),
            ("NEW_PASSWORD_REQUIRED", _) => return Err(wrong_answer("{ newPassword }")),
            ("SELECT_MFA_TYPE", _) => return Err(wrong_answer("{ mfaType }")),
            ("CUSTOM_CHALLENGE", _) => return Err(wrong_answer("{ answer }")),
            _ => return Err(Error::invalid_input("this challenge cannot be answered by this library")),
        }
        let req = respond_request(
            &self.config,
            self.secret.as_ref(),
            &c.name,
            user,
            responses,
            c.session.as_deref(),
            metadata,
        );
        let stage = Stage::AwaitTokens { user_id: k(user) };
        Ok((
            SignIn {
                config: self.config.clone(),
                secret: self.secret.as_ref().map(ClientSecret::duplicate),
                stage,
                device: None,
            },
            req,
        ))
    }

    /// The challenge as the app sees it (the JavaScript result shape): `type`, `name`,
    /// `parameters` (SRP values removed) and per challenge `codeDelivery`,
    /// `requiredAttributes` + `userAttributes`, `allowedMfaTypes`, or `secretCode` +
    /// `totpUri` (`issuer` names the app in authenticator apps).
    pub fn to_json(&self, issuer: &str) -> Json {
        let c = &self.challenge;
        let mut o = alloc::vec![(k("type"), s("challenge")), (k("name"), s(&c.name)), (k("username"), s(&c.username))];
        let mut params: Vec<(String, Json)> = Vec::with_capacity(c.parameters.len());
        for (a, b) in &c.parameters {
            if !matches!(a.as_str(), "SECRET_BLOCK" | "SRP_B" | "SALT") {
                params.push((a.clone(), s(b)));
            }
        }
        o.push((k("parameters"), Json::Obj(params)));
        match c.name.as_str() {
            "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP" => {
                let mut d = Vec::new();
                if let Some(m) = c.param("CODE_DELIVERY_DELIVERY_MEDIUM") {
                    d.push((k("medium"), s(m)));
                }
                if let Some(m) = c.param("CODE_DELIVERY_DESTINATION") {
                    d.push((k("destination"), s(m)));
                }
                o.push((k("codeDelivery"), Json::Obj(d)));
            }
            "NEW_PASSWORD_REQUIRED" => {
                let mut req = string_list(c.param("requiredAttributes"));
                for a in &mut req {
                    if let Some(short) = a.strip_prefix("userAttributes.") {
                        *a = k(short);
                    }
                }
                o.push((k("requiredAttributes"), json::string_array(req)));
                let mut attrs = Vec::new();
                if let Some(Json::Obj(m)) = c.param("userAttributes").and_then(json::parse) {
                    for (name, v) in m {
                        // As amazon-cognito-identity-js: these cannot be sent back.
                        if name != "email_verified" && name != "phone_number_verified" {
                            attrs.push((name, v));
                        }
                    }
                }
                o.push((k("userAttributes"), Json::Obj(attrs)));
            }
            "SELECT_MFA_TYPE" => {
                o.push((k("allowedMfaTypes"), json::string_array(string_list(c.param("MFAS_CAN_CHOOSE")))));
            }
            "SELECT_CHALLENGE" => {
                o.push((k("availableChallenges"), json::string_array(c.available.clone())));
            }
            "MFA_SETUP" => {
                o.push((k("allowedMfaTypes"), json::string_array(string_list(c.param("MFAS_CAN_SETUP")))));
                if let Some(secret) = self.totp_secret() {
                    o.push((k("secretCode"), s(secret)));
                    o.push((k("totpUri"), s(&totp_uri(issuer, &c.username, secret))));
                }
            }
            _ => {}
        }
        Json::Obj(o)
    }
}

/// `otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}` (Google
/// Authenticator key URI format), issuer and account percent-encoded.
pub fn totp_uri(issuer: &str, account: &str, secret: &str) -> String {
    use crate::encoding::percent_encode_into as enc;
    let mut u = String::from("otpauth://totp/");
    enc(&mut u, issuer);
    u.push(':');
    enc(&mut u, account);
    u.push_str("?secret=");
    enc(&mut u, secret);
    u.push_str("&issuer=");
    enc(&mut u, issuer);
    u
}

fn into_challenge(c: ChallengeReply, user_id: &str) -> Challenge {
    let username = c
        .param("USER_ID_FOR_SRP")
        .or_else(|| c.param("USERNAME"))
        .map(String::from)
        .unwrap_or_else(|| String::from(user_id));
    Challenge { name: c.name, parameters: c.parameters, session: c.session, username, available: c.available }
}

fn answer_verifier(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    srp: &SrpClient,
    password: &Password,
    c: &ChallengeReply,
    now_ms: i64,
    device_key: Option<&str>,
) -> Result<HttpRequest, Error> {
    let b = c.param("SRP_B").ok_or_else(|| missing("SRP_B"))?;
    let salt = c.param("SALT").ok_or_else(|| missing("SALT"))?;
    let block_b64 = c.param("SECRET_BLOCK").ok_or_else(|| missing("SECRET_BLOCK"))?;
    let user_id = c.param("USER_ID_FOR_SRP").filter(|u| !u.is_empty()).ok_or_else(|| missing("USER_ID_FOR_SRP"))?;
    let block = base64_decode(block_b64).ok_or_else(|| Error::invalid_response("SECRET_BLOCK is not base64"))?;
    let key = srp
        .password_key(config.pool_name(), user_id, password.expose(), salt, b)
        .map_err(|e| Error::invalid_response(e.message()))?;
    let timestamp = cognito_timestamp(now_ms.div_euclid(1000));
    let signature = srp::claim_signature(&key, config.pool_name(), user_id, &block, &timestamp);
    let mut responses = alloc::vec![
        (k("PASSWORD_CLAIM_SECRET_BLOCK"), s(block_b64)),
        (k("TIMESTAMP"), s(&timestamp)),
        (k("PASSWORD_CLAIM_SIGNATURE"), s(&signature)),
    ];
    if let Some(key) = device_key {
        responses.push((k("DEVICE_KEY"), s(key)));
    }
    Ok(respond_request(config, secret, "PASSWORD_VERIFIER", user_id, responses, c.session.as_deref(), &[]))
}

/// DEVICE_PASSWORD_VERIFIER: the PASSWORD_VERIFIER math with the device group key as the
/// pool name, the device key as the user id and the device password.
fn answer_device_verifier(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    d: &Device,
    user_id: &str,
    c: &ChallengeReply,
    now_ms: i64,
) -> Result<HttpRequest, Error> {
    let b = c.param("SRP_B").ok_or_else(|| missing("SRP_B"))?;
    let salt = c.param("SALT").ok_or_else(|| missing("SALT"))?;
    let block_b64 = c.param("SECRET_BLOCK").ok_or_else(|| missing("SECRET_BLOCK"))?;
    let block = base64_decode(block_b64).ok_or_else(|| Error::invalid_response("SECRET_BLOCK is not base64"))?;
    let (group, key) = (d.secrets.group_key.as_str(), d.secrets.key.as_str());
    let pk = d
        .srp
        .password_key(group, key, d.secrets.password(), salt, b)
        .map_err(|e| Error::invalid_response(e.message()))?;
    let timestamp = cognito_timestamp(now_ms.div_euclid(1000));
    let signature = srp::claim_signature(&pk, group, key, &block, &timestamp);
    let responses = alloc::vec![
        (k("PASSWORD_CLAIM_SECRET_BLOCK"), s(block_b64)),
        (k("TIMESTAMP"), s(&timestamp)),
        (k("PASSWORD_CLAIM_SIGNATURE"), s(&signature)),
        (k("DEVICE_KEY"), s(key)),
    ];
    Ok(respond_request(config, secret, "DEVICE_PASSWORD_VERIFIER", user_id, responses, c.session.as_deref(), &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{base64_encode, hex_encode, pad_bytes};
    use crate::error::Code;
    use crate::session::tests::{emulator_config as config, ok, tokens, CLIENT};
    use crate::srp::sha256;
    use num_bigint::BigUint;

    const NOW_MS: i64 = 1_704_164_645_000; // Tue Jan 2 03:04:05 UTC 2024

    /// A minimal server side in num-bigint, to check the claim end to end.
    struct Server {
        pool: String,
        v: BigUint,
        b: BigUint,
        big_b: BigUint,
        salt: Vec<u8>,
    }

    impl Server {
        fn new(user_id: &str, password: &str) -> Server {
            Server::for_pool("EmuPool01", user_id, password)
        }
        /// A device is a "pool" named by its group key with the device key as user id.
        fn for_pool(pool: &str, user_id: &str, password: &str) -> Server {
            let n = BigUint::from_bytes_be(&crate::bigint::N_BYTES);
            let g = BigUint::from(2u8);
            let salt = vec![0xa1, 0x05, 0x33, 0x44];
            let inner = sha256(&[pool.as_bytes(), user_id.as_bytes(), b":", password.as_bytes()]);
            let x = BigUint::from_bytes_be(&sha256(&[&pad_bytes(&salt), &inner]));
            let v = g.modpow(&x, &n);
            let b = BigUint::from_bytes_be(&[0x77; 32]);
            let k = BigUint::from_bytes_be(&srp::multiplier_k());
            let big_b = (&k * &v + g.modpow(&b, &n)) % &n;
            Server { pool: pool.into(), v, b, big_b, salt }
        }
        fn challenge(&self, user_id: &str) -> String {
            format!(
                r#"{{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{{"SALT":"{}","SECRET_BLOCK":"{}","SRP_B":"{}","USERNAME":"{user_id}","USER_ID_FOR_SRP":"{user_id}"}},"Session":"sess-1"}}"#,
                hex_encode(&self.salt),
                base64_encode(b"opaque secret block"),
                self.big_b.to_str_radix(16)
            )
        }
        fn expected_signature(&self, a_hex: &str, user_id: &str, timestamp: &str) -> String {
            let n = BigUint::from_bytes_be(&crate::bigint::N_BYTES);
            let big_a = BigUint::parse_bytes(a_hex.as_bytes(), 16).unwrap();
            let u = BigUint::from_bytes_be(&sha256(&[
                &pad_bytes(&big_a.to_bytes_be()),
                &pad_bytes(&self.big_b.to_bytes_be()),
            ]));
            let s = (&big_a * self.v.modpow(&u, &n)).modpow(&self.b, &n);
            let prk = srp::hmac_sha256(&pad_bytes(&u.to_bytes_be()), &[&pad_bytes(&s.to_bytes_be())]);
            let okm = srp::hmac_sha256(&prk, &[b"Caldera Derived Key", &[1]]);
            let sig = srp::hmac_sha256(
                &okm[..16],
                &[self.pool.as_bytes(), user_id.as_bytes(), b"opaque secret block", timestamp.as_bytes()],
            );
            base64_encode(&sig)
        }
    }

    fn field(body: &str, path: &[&str]) -> Option<String> {
        let v = json::parse(body).unwrap();
        let mut cur = &v;
        for p in path {
            cur = cur.get(p)?;
        }
        cur.as_str().map(String::from)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn full_sign_in_with_alias_username() {
        // The user types an email; Cognito answers with USER_ID_FOR_SRP = "alice".
        let server = Server::new("alice", "Alice-Passw0rd!");
        let (flow, req) =
            SignIn::start(&config(), None, "alice@example.com", Password::new("Alice-Passw0rd!"), &[0x11; 48]).unwrap();
        assert_eq!(req.operation, "InitiateAuth");
        assert_eq!(req.url, "http://127.0.0.1:9229/");
        assert_eq!(field(&req.body, &["AuthFlow"]).as_deref(), Some("USER_SRP_AUTH"));
        assert_eq!(field(&req.body, &["ClientId"]).as_deref(), Some(CLIENT));
        assert_eq!(field(&req.body, &["AuthParameters", "USERNAME"]).as_deref(), Some("alice@example.com"));
        let a_hex = field(&req.body, &["AuthParameters", "SRP_A"]).unwrap();
        assert!(!req.body.contains("Alice-Passw0rd!"));

        let Step::Send(flow, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else {
            panic!("expected a request")
        };
        assert_eq!(req.operation, "RespondToAuthChallenge");
        assert_eq!(field(&req.body, &["ChallengeName"]).as_deref(), Some("PASSWORD_VERIFIER"));
        assert_eq!(field(&req.body, &["Session"]).as_deref(), Some("sess-1"));
        assert_eq!(field(&req.body, &["ChallengeResponses", "USERNAME"]).as_deref(), Some("alice"));
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "TIMESTAMP"]).as_deref(),
            Some("Tue Jan 2 03:04:05 UTC 2024")
        );
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SECRET_BLOCK"]).as_deref(),
            Some(base64_encode(b"opaque secret block").as_str())
        );
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE"]).unwrap(),
            server.expected_signature(&a_hex, "alice", "Tue Jan 2 03:04:05 UTC 2024")
        );
        assert_eq!(field(&req.body, &["ChallengeResponses", "SECRET_HASH"]), None);

        let t = tokens(NOW_MS / 1000 - 3, "alice");
        let reply = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","RefreshToken":"r","ExpiresIn":3600,"TokenType":"Bearer"}},"ChallengeParameters":{{}}}}"#,
            t.access_token, t.id_token
        );
        let Step::SignedIn(s) = flow.handle(&ok(&reply), NOW_MS).unwrap() else { panic!("expected a session") };
        assert_eq!(s.username, "alice");
        assert_eq!(s.clock_drift, 3);
        assert_eq!(s.refresh_token.as_deref(), Some("r"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn secret_hash_uses_typed_name_then_user_id() {
        let server = Server::new("alice", "pw");
        let secret = ClientSecret::new("s3cr3t");
        let (flow, req) =
            SignIn::start(&config(), Some(secret), "alice@example.com", Password::new("pw"), &[9; 48]).unwrap();
        assert_eq!(
            field(&req.body, &["AuthParameters", "SECRET_HASH"]).unwrap(),
            srp::secret_hash("s3cr3t", "alice@example.com", CLIENT)
        );
        let Step::Send(_, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "SECRET_HASH"]).unwrap(),
            srp::secret_hash("s3cr3t", "alice", CLIENT)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn other_challenges_are_handed_to_the_app() {
        let server = Server::new("bob", "pw");
        let (flow, _) = SignIn::start(&config(), None, "bob", Password::new("pw"), &[5; 48]).unwrap();
        let Step::Send(flow, _) = flow.handle(&ok(&server.challenge("bob")), NOW_MS).unwrap() else { panic!() };
        let reply = r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{},"Session":"s2"}"#;
        let Step::Challenge(p) = flow.handle(&ok(reply), NOW_MS).unwrap() else { panic!() };
        let c = p.challenge();
        assert_eq!(c.name, "SOFTWARE_TOKEN_MFA");
        assert_eq!(c.username, "bob");
        assert_eq!(c.session.as_deref(), Some("s2"));
    }

    fn start() -> SignIn {
        SignIn::start(&config(), None, "bob", Password::new("pw"), &[5; 48]).unwrap().0
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn bad_challenges_are_typed_errors() {
        let server = Server::new("bob", "pw");
        let good = server.challenge("bob");
        let n_hex = BigUint::from_bytes_be(&crate::bigint::N_BYTES).to_str_radix(16);
        let cases = [
            good.replace(&server.big_b.to_str_radix(16), "0"),
            good.replace(&server.big_b.to_str_radix(16), &n_hex),
            good.replace(&server.big_b.to_str_radix(16), "not-hex"),
            good.replace(&base64_encode(b"opaque secret block"), "%%%not base64%%%"),
            good.replace(r#""SALT""#, r#""XSALT""#),
            good.replace(r#""SRP_B""#, r#""XSRP_B""#),
            good.replace(r#""SECRET_BLOCK""#, r#""XSECRET_BLOCK""#),
            good.replace(r#""USER_ID_FOR_SRP""#, r#""XUSER_ID""#),
            good.replace(r#""ChallengeParameters":{"#, r#""ChallengeParameters":{"X":1,"#),
            "{".into(),
            "<html>oops</html>".into(),
            r#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"b"}}"#.into(),
        ];
        for body in cases {
            let e = start().handle(&ok(&body), NOW_MS).unwrap_err();
            assert_eq!(e.code, Code::InvalidResponse, "{body}");
            assert!(!e.message.contains("pw"));
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn service_errors_pass_through() {
        let resp = HttpResponse {
            status: 400,
            body: r#"{"__type":"UserNotConfirmedException","message":"User is not confirmed."}"#.into(),
            error_type: Some("UserNotConfirmedException:".into()),
            date_s: 0,
        };
        let e = start().handle(&resp, NOW_MS).unwrap_err();
        assert_eq!(e.code, Code::Service("UserNotConfirmedException".into()));
        assert_eq!(e.status, Some(400));
        let html =
            HttpResponse { status: 500, body: "<html>Internal error</html>".into(), error_type: None, date_s: 0 };
        let e = start().handle(&html, NOW_MS).unwrap_err();
        assert_eq!(e.code, Code::InvalidResponse);
        assert!(e.retryable());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn input_validation() {
        assert_eq!(
            SignIn::start(&config(), None, "", Password::new("x"), &[1; 48]).unwrap_err().code,
            Code::InvalidInput
        );
        assert_eq!(
            SignIn::start(&config(), None, "u", Password::new(""), &[1; 48]).unwrap_err().code,
            Code::InvalidInput
        );
        assert_eq!(
            SignIn::start(&config(), None, "u", Password::new("x"), &[0; 48]).unwrap_err().code,
            Code::InvalidInput
        );
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(<redacted>)");
        let (flow, _) = SignIn::start(&config(), None, "u", Password::new("hunter2"), &[1; 48]).unwrap();
        assert!(!format!("{flow:?}").contains("hunter2"));
    }

    const TOKENS_REPLY_USER: &str = "bob";

    fn tokens_reply() -> String {
        let t = tokens(NOW_MS / 1000, TOKENS_REPLY_USER);
        format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","RefreshToken":"r","ExpiresIn":3600}},"ChallengeParameters":{{}}}}"#,
            t.access_token, t.id_token
        )
    }

    fn password_flow(secret: Option<&str>) -> SignIn {
        SignIn::start_password(&config(), secret.map(ClientSecret::new), "bob", Password::new("pw"), &[]).unwrap().0
    }

    fn challenge_of(flow: SignIn, reply: &str) -> Pending {
        match flow.handle(&ok(reply), NOW_MS).unwrap() {
            Step::Challenge(p) => p,
            other => panic!("expected a challenge, got {other:?}"),
        }
    }

    fn code(c: &str) -> Answer {
        Answer::Code { code: c.into(), device_name: None }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn password_custom_and_custom_srp_starts() {
        let md = [("app".to_string(), "demo".to_string())];
        let (_, req) = SignIn::start_password(&config(), None, "bob", Password::new("pw"), &md).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","PASSWORD":"pw"}},"ClientMetadata":{{"app":"demo"}}}}"#
            )
        );
        let (_, req) = SignIn::start_custom(&config(), Some(ClientSecret::new("k")), "bob", &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"CUSTOM_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","SECRET_HASH":"{}"}}}}"#,
                srp::secret_hash("k", "bob", CLIENT)
            )
        );
        let srp = SrpClient::new(&[3; 48]).unwrap();
        let a = srp.public_hex();
        let (flow, req) = SignIn::start_custom_with_srp(&config(), None, "bob", Password::new("pw"), srp, &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"CUSTOM_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","SRP_A":"{a}","CHALLENGE_NAME":"SRP_A"}}}}"#
            )
        );
        // After the password: the custom challenge, answered with the app's answer.
        let server = Server::new("bob", "pw");
        let Step::Send(flow, _) = flow.handle(&ok(&server.challenge("bob")), NOW_MS).unwrap() else { panic!() };
        let p = challenge_of(
            flow,
            r#"{"ChallengeName":"CUSTOM_CHALLENGE","ChallengeParameters":{"USERNAME":"bob","question":"6x7?"},"Session":"c1"}"#,
        );
        assert_eq!(
            p.to_json("App").to_text(),
            r#"{"type":"challenge","name":"CUSTOM_CHALLENGE","username":"bob","parameters":{"USERNAME":"bob","question":"6x7?"}}"#
        );
        assert_eq!(p.respond(code("1"), &[]).unwrap_err().code, Code::InvalidInput);
        let (flow, req) = p.respond(Answer::Custom("42".into()), &md).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"CUSTOM_CHALLENGE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"42"}},"Session":"c1","ClientMetadata":{{"app":"demo"}}}}"#
            )
        );
        assert!(matches!(flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap(), Step::SignedIn(_)));
        assert!(SignIn::start_custom(&config(), None, "", &[]).is_err());
        assert!(SignIn::start_password(&config(), None, "bob", Password::new(""), &[]).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sms_email_and_totp_codes() {
        for (name, key, extra) in [
            (
                "SMS_MFA",
                "SMS_MFA_CODE",
                r#","CODE_DELIVERY_DELIVERY_MEDIUM":"SMS","CODE_DELIVERY_DESTINATION":"+*******0123""#,
            ),
            (
                "EMAIL_OTP",
                "EMAIL_OTP_CODE",
                r#","CODE_DELIVERY_DELIVERY_MEDIUM":"EMAIL","CODE_DELIVERY_DESTINATION":"b***@e***""#,
            ),
            ("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE", ""),
        ] {
            let reply = format!(
                r#"{{"ChallengeName":"{name}","ChallengeParameters":{{"USER_ID_FOR_SRP":"bob"{extra}}},"Session":"m1"}}"#
            );
            let p = challenge_of(password_flow(Some("sec")), &reply);
            let view = p.to_json("App").to_text();
            match name {
                "SMS_MFA" => assert!(
                    view.ends_with(r#""codeDelivery":{"medium":"SMS","destination":"+*******0123"}}"#),
                    "{view}"
                ),
                "EMAIL_OTP" => {
                    assert!(view.ends_with(r#""codeDelivery":{"medium":"EMAIL","destination":"b***@e***"}}"#), "{view}")
                }
                _ => assert!(!view.contains("codeDelivery")),
            }
            assert_eq!(p.respond(code(""), &[]).unwrap_err().code, Code::InvalidInput);
            assert_eq!(p.respond(Answer::MfaType("SMS_MFA".into()), &[]).unwrap_err().code, Code::InvalidInput);
            // A wrong code: Cognito says CodeMismatchException and the challenge stays answerable.
            let (flow, first) = p.respond(code("111111"), &[]).unwrap();
            let mismatch = HttpResponse {
                status: 400,
                body: r#"{"__type":"CodeMismatchException","message":"Invalid code"}"#.into(),
                error_type: None,
                date_s: 0,
            };
            assert_eq!(flow.handle(&mismatch, NOW_MS).unwrap_err().code, Code::Service("CodeMismatchException".into()));
            let (flow, req) = p.respond(code("123456"), &[]).unwrap();
            assert_ne!(first.body, req.body);
            assert_eq!(
                req.body,
                format!(
                    r#"{{"ChallengeName":"{name}","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","{key}":"123456","SECRET_HASH":"{}"}},"Session":"m1"}}"#,
                    srp::secret_hash("sec", "bob", CLIENT)
                )
            );
            let Step::SignedIn(s) = flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap() else { panic!() };
            assert_eq!(s.username, "bob");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn new_password_required() {
        let reply = r#"{"ChallengeName":"NEW_PASSWORD_REQUIRED","ChallengeParameters":{"USER_ID_FOR_SRP":"bob","requiredAttributes":"[\"userAttributes.name\"]","userAttributes":"{\"email_verified\":\"true\",\"email\":\"bob@example.com\"}"},"Session":"n1"}"#;
        let p = challenge_of(password_flow(None), reply);
        let view = p.to_json("App").to_text();
        assert!(
            view.ends_with(r#""requiredAttributes":["name"],"userAttributes":{"email":"bob@example.com"}}"#),
            "{view}"
        );
        assert_eq!(p.respond(code("1"), &[]).unwrap_err().code, Code::InvalidInput);
        let empty = Answer::NewPassword { password: Password::new(""), attributes: vec![] };
        assert_eq!(p.respond(empty, &[]).unwrap_err().code, Code::InvalidInput);
        let a =
            Answer::NewPassword { password: Password::new("N3w-pw!"), attributes: vec![("name".into(), "Bob".into())] };
        assert_eq!(format!("{a:?}"), "Answer(<redacted>)");
        let (flow, req) = p.respond(a, &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"NEW_PASSWORD_REQUIRED","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","NEW_PASSWORD":"N3w-pw!","userAttributes.name":"Bob"}},"Session":"n1"}}"#
            )
        );
        // The new password can lead to MFA.
        let p = challenge_of(flow, r#"{"ChallengeName":"SMS_MFA","ChallengeParameters":{},"Session":"n2"}"#);
        assert_eq!(p.challenge().username, "bob");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn select_mfa_type() {
        let reply = r#"{"ChallengeName":"SELECT_MFA_TYPE","ChallengeParameters":{"USER_ID_FOR_SRP":"bob","MFAS_CAN_CHOOSE":"[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"},"Session":"s1"}"#;
        let p = challenge_of(password_flow(None), reply);
        assert!(p.to_json("x").to_text().ends_with(r#""allowedMfaTypes":["SMS_MFA","SOFTWARE_TOKEN_MFA"]}"#));
        assert_eq!(p.respond(Answer::MfaType("EMAIL_OTP".into()), &[]).unwrap_err().code, Code::InvalidInput);
        let (flow, req) = p.respond(Answer::MfaType("SOFTWARE_TOKEN_MFA".into()), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"SELECT_MFA_TYPE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"SOFTWARE_TOKEN_MFA"}},"Session":"s1"}}"#
            )
        );
        let p = challenge_of(flow, r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{},"Session":"s2"}"#);
        assert_eq!(p.challenge().session.as_deref(), Some("s2"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn mfa_setup_associates_verifies_and_continues() {
        let reply = r#"{"ChallengeName":"MFA_SETUP","ChallengeParameters":{"USER_ID_FOR_SRP":"bob","MFAS_CAN_SETUP":"[\"SOFTWARE_TOKEN_MFA\"]"},"Session":"t1"}"#;
        let Step::Send(flow, req) = password_flow(None).handle(&ok(reply), NOW_MS).unwrap() else { panic!() };
        assert_eq!(req.operation, "AssociateSoftwareToken");
        assert_eq!(req.body, r#"{"Session":"t1"}"#);
        let bad = password_flow(None).handle(&ok(reply), NOW_MS).unwrap();
        let Step::Send(bad, _) = bad else { panic!() };
        assert_eq!(bad.handle(&ok("{}"), NOW_MS).unwrap_err().code, Code::InvalidResponse);
        let p = challenge_of(flow, r#"{"SecretCode":"JBSWY3DPEHPK3PXP","Session":"t2"}"#);
        assert_eq!(p.totp_secret(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            p.to_json("My App").to_text(),
            r#"{"type":"challenge","name":"MFA_SETUP","username":"bob","parameters":{"USER_ID_FOR_SRP":"bob","MFAS_CAN_SETUP":"[\"SOFTWARE_TOKEN_MFA\"]"},"allowedMfaTypes":["SOFTWARE_TOKEN_MFA"],"secretCode":"JBSWY3DPEHPK3PXP","totpUri":"otpauth://totp/My%20App:bob?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"}"#
        );
        let (flow, req) =
            p.respond(Answer::Code { code: "123456".into(), device_name: Some("Phone".into()) }, &[]).unwrap();
        assert_eq!(req.operation, "VerifySoftwareToken");
        assert_eq!(req.body, r#"{"UserCode":"123456","Session":"t2","FriendlyDeviceName":"Phone"}"#);
        let Step::Send(flow, req) = flow.handle(&ok(r#"{"Status":"SUCCESS","Session":"t3"}"#), NOW_MS).unwrap() else {
            panic!()
        };
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"MFA_SETUP","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob"}},"Session":"t3"}}"#
            )
        );
        assert!(matches!(flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap(), Step::SignedIn(_)));
        // A failed verification is an error, and the pending challenge can be answered again.
        let (flow, _) = p.respond(code("000000"), &[]).unwrap();
        assert_eq!(
            flow.handle(&ok(r#"{"Status":"ERROR"}"#), NOW_MS).unwrap_err().code,
            Code::Service("EnableSoftwareTokenMFAException".into())
        );
        assert!(p.respond(code("654321"), &[]).is_ok());
        // MFA_SETUP without TOTP on offer goes to the app as is and cannot be answered here.
        let sms_only =
            r#"{"ChallengeName":"MFA_SETUP","ChallengeParameters":{"MFAS_CAN_SETUP":"[\"SMS_MFA\"]"},"Session":"t1"}"#;
        let p = challenge_of(password_flow(None), sms_only);
        assert_eq!(p.respond(code("1"), &[]).unwrap_err().code, Code::InvalidInput);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn totp_uri_and_lists() {
        assert_eq!(
            totp_uri("Acme Co", "alice@example.com", "ABC"),
            "otpauth://totp/Acme%20Co:alice%40example.com?secret=ABC&issuer=Acme%20Co"
        );
        assert_eq!(string_list(Some(r#"["A","B"]"#)), vec!["A".to_string(), "B".to_string()]);
        assert!(string_list(Some("nope")).is_empty());
        assert!(string_list(None).is_empty());
        // A challenge the app cannot answer (device SRP without a device, an admin-only or a
        // future one) ends the sign-in with a typed error instead of a dead-end challenge.
        for name in ["DEVICE_SRP_AUTH", "ADMIN_NO_SRP_AUTH", "SOME_FUTURE_CHALLENGE"] {
            let reply = format!(r#"{{"ChallengeName":"{name}","ChallengeParameters":{{}},"Session":"d"}}"#);
            let e = password_flow(None).handle(&ok(&reply), NOW_MS).unwrap_err();
            assert_eq!(e.code, Code::UnsupportedChallenge);
            assert_eq!(e.message, format!("Cognito asked for the challenge {name}, which this library cannot answer"));
        }
        // Found by fuzzing (target `replies`): a long name was echoed whole into the message.
        let long = "X".repeat(700);
        let reply = format!(r#"{{"ChallengeName":"{long}","Session":"d"}}"#);
        let e = password_flow(None).handle(&ok(&reply), NOW_MS).unwrap_err();
        assert_eq!(
            e.message,
            format!("Cognito asked for the challenge {}, which this library cannot answer", &long[..64])
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn remembered_device_answers_device_srp() {
        let server = Server::new("alice", "Alice-Passw0rd!");
        let device_pw = "ZGV2aWNlLXBhc3N3b3Jk";
        let dev_server = Server::for_pool("-grp1", "us-east-1_dev1", device_pw);
        let device = || DeviceSecrets::new("alice", "us-east-1_dev1", "-grp1", device_pw);
        let dev_srp = SrpClient::new(&[0x22; 48]).unwrap();
        let dev_a = dev_srp.public_hex();
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        // Typed name = owner: DEVICE_KEY goes in InitiateAuth and PASSWORD_VERIFIER.
        let (flow, req) = SignIn::start_with_device(
            &config(),
            None,
            "alice",
            Password::new("Alice-Passw0rd!"),
            srp,
            Some((device(), dev_srp)),
        )
        .unwrap();
        assert_eq!(field(&req.body, &["AuthParameters", "DEVICE_KEY"]).as_deref(), Some("us-east-1_dev1"));
        let Step::Send(flow, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(field(&req.body, &["ChallengeResponses", "DEVICE_KEY"]).as_deref(), Some("us-east-1_dev1"));
        // DEVICE_SRP_AUTH is answered by the flow, with the second ephemeral.
        let reply = r#"{"ChallengeName":"DEVICE_SRP_AUTH","ChallengeParameters":{"USERNAME":"alice"},"Session":"d1"}"#;
        let Step::Send(flow, req) = flow.handle(&ok(reply), NOW_MS).unwrap() else { panic!("device SRP is automatic") };
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"DEVICE_SRP_AUTH","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"alice","DEVICE_KEY":"us-east-1_dev1","SRP_A":"{dev_a}"}},"Session":"d1"}}"#
            )
        );
        let verifier_reply = dev_server
            .challenge("alice")
            .replace("PASSWORD_VERIFIER", "DEVICE_PASSWORD_VERIFIER")
            .replace("sess-1", "d2");
        let Step::Send(flow, req) = flow.handle(&ok(&verifier_reply), NOW_MS).unwrap() else { panic!() };
        assert_eq!(field(&req.body, &["ChallengeName"]).as_deref(), Some("DEVICE_PASSWORD_VERIFIER"));
        assert_eq!(field(&req.body, &["Session"]).as_deref(), Some("d2"));
        assert_eq!(field(&req.body, &["ChallengeResponses", "USERNAME"]).as_deref(), Some("alice"));
        assert_eq!(field(&req.body, &["ChallengeResponses", "DEVICE_KEY"]).as_deref(), Some("us-east-1_dev1"));
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE"]).unwrap(),
            dev_server.expected_signature(&dev_a, "us-east-1_dev1", "Tue Jan 2 03:04:05 UTC 2024")
        );
        let t = tokens(NOW_MS / 1000, "alice");
        let with_device = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","NewDeviceMetadata":{{"DeviceKey":"us-east-1_new","DeviceGroupKey":"-g2"}}}}}}"#,
            t.access_token, t.id_token
        );
        let Step::SignedInNewDevice(s, nd) = flow.handle(&ok(&with_device), NOW_MS).unwrap() else { panic!() };
        assert_eq!((s.username.as_str(), nd.key.as_str(), nd.group_key.as_str()), ("alice", "us-east-1_new", "-g2"));

        // Signed in by alias: no DEVICE_KEY in InitiateAuth (the owner is "alice"), then in
        // PASSWORD_VERIFIER once USER_ID_FOR_SRP says who it is.
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let dev_srp = SrpClient::new(&[0x22; 48]).unwrap();
        let (flow, req) = SignIn::start_with_device(
            &config(),
            None,
            "alice@example.com",
            Password::new("Alice-Passw0rd!"),
            srp,
            Some((device(), dev_srp)),
        )
        .unwrap();
        assert_eq!(field(&req.body, &["AuthParameters", "DEVICE_KEY"]), None);
        let Step::Send(_, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(field(&req.body, &["ChallengeResponses", "DEVICE_KEY"]).as_deref(), Some("us-east-1_dev1"));

        // Another user's device is never sent, and DEVICE_SRP_AUTH then cannot be answered.
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let other = DeviceSecrets::new("bob", "us-east-1_bobdev", "-g", "pw");
        let (flow, req) = SignIn::start_with_device(
            &config(),
            None,
            "alice",
            Password::new("Alice-Passw0rd!"),
            srp,
            Some((other, SrpClient::new(&[3; 48]).unwrap())),
        )
        .unwrap();
        assert!(!req.body.contains("bobdev"));
        let Step::Send(flow, req) = flow.handle(&ok(&server.challenge("alice")), NOW_MS).unwrap() else { panic!() };
        assert!(!req.body.contains("bobdev"));
        assert_eq!(flow.handle(&ok(reply), NOW_MS).unwrap_err().code, Code::UnsupportedChallenge);
    }

    fn user_auth(preferred: Option<FirstFactor>, secret: Option<&str>) -> (SignIn, HttpRequest) {
        SignIn::start_user_auth(&config(), secret.map(ClientSecret::new), "bob", preferred, &[]).unwrap()
    }

    const SELECT: &str = r#"{"ChallengeName":"SELECT_CHALLENGE","Session":"u1","ChallengeParameters":{},"AvailableChallenges":["PASSWORD","PASSWORD_SRP","WEB_AUTHN","EMAIL_OTP","SMS_OTP"]}"#;

    /// ConfirmSignUp's Session → InitiateAuth USER_AUTH with it (SECRET_HASH for secret
    /// clients), and the tokens of the reply.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sign_in_after_sign_up_with_the_session() {
        let (flow, req) = SignIn::start_after_sign_up(&config(), None, "bob", "sess-1").unwrap();
        assert_eq!(req.operation, "InitiateAuth");
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"USER_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob"}},"Session":"sess-1"}}"#
            )
        );
        let t = tokens(NOW_MS / 1000, "bob");
        let reply = format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{}","IdToken":"{}","RefreshToken":"r"}},"ChallengeParameters":{{}}}}"#,
            t.access_token, t.id_token
        );
        let Step::SignedIn(s) = flow.handle(&ok(&reply), NOW_MS).unwrap() else { panic!("expected a session") };
        assert_eq!(s.username, "bob");
        let secret = ClientSecret::new("s3cr3t");
        let (_, req) = SignIn::start_after_sign_up(&config(), Some(secret.duplicate()), "bob", "sess-1").unwrap();
        assert!(req.body.contains(&format!(r#""SECRET_HASH":"{}""#, secret.hash("bob", CLIENT))), "{}", req.body);
        assert_eq!(SignIn::start_after_sign_up(&config(), None, "bob", "").err().unwrap().code, Code::InvalidInput);
        assert_eq!(SignIn::start_after_sign_up(&config(), None, "", "s").err().unwrap().code, Code::InvalidInput);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn user_auth_initiate_bodies() {
        let (_, req) = user_auth(None, None);
        assert_eq!(req.operation, "InitiateAuth");
        assert_eq!(
            req.body,
            format!(r#"{{"AuthFlow":"USER_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob"}}}}"#)
        );
        for (f, name) in [
            (FirstFactor::WebAuthn, "WEB_AUTHN"),
            (FirstFactor::EmailOtp, "EMAIL_OTP"),
            (FirstFactor::SmsOtp, "SMS_OTP"),
        ] {
            let (_, req) = user_auth(Some(f), None);
            assert_eq!(
                req.body,
                format!(
                    r#"{{"AuthFlow":"USER_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","PREFERRED_CHALLENGE":"{name}"}}}}"#
                )
            );
        }
        let md = [("app".to_string(), "demo".to_string())];
        let (_, req) = SignIn::start_user_auth(
            &config(),
            Some(ClientSecret::new("sec")),
            "bob",
            Some(FirstFactor::Password(Password::new("pw"))),
            &md,
        )
        .unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"USER_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","PREFERRED_CHALLENGE":"PASSWORD","PASSWORD":"pw","SECRET_HASH":"{}"}},"ClientMetadata":{{"app":"demo"}}}}"#,
                srp::secret_hash("sec", "bob", CLIENT)
            )
        );
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let a = srp.public_hex();
        let (_, req) = user_auth(Some(FirstFactor::PasswordSrp(Password::new("pw"), srp)), None);
        assert_eq!(
            req.body,
            format!(
                r#"{{"AuthFlow":"USER_AUTH","ClientId":"{CLIENT}","AuthParameters":{{"USERNAME":"bob","PREFERRED_CHALLENGE":"PASSWORD_SRP","SRP_A":"{a}"}}}}"#
            )
        );
        assert!(!req.body.contains("pw"));
        // Rejected before anything is sent.
        assert_eq!(SignIn::start_user_auth(&config(), None, "", None, &[]).unwrap_err().code, Code::InvalidInput);
        let empty = Some(FirstFactor::Password(Password::new("")));
        assert_eq!(SignIn::start_user_auth(&config(), None, "bob", empty, &[]).unwrap_err().code, Code::InvalidInput);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn select_challenge_then_passkey() {
        let p = challenge_of(user_auth(None, None).0, SELECT);
        assert_eq!(p.challenge().available, ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"]);
        assert_eq!(
            p.to_json("x").to_text(),
            r#"{"type":"challenge","name":"SELECT_CHALLENGE","username":"bob","parameters":{},"availableChallenges":["PASSWORD","PASSWORD_SRP","WEB_AUTHN","EMAIL_OTP","SMS_OTP"]}"#
        );
        assert_eq!(p.respond(code("1"), &[]).unwrap_err().code, Code::InvalidInput);
        assert_eq!(p.respond(Answer::WebAuthn("{}".into()), &[]).unwrap_err().code, Code::InvalidInput);
        let (flow, req) = p.respond(Answer::Select(FirstFactor::WebAuthn), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"SELECT_CHALLENGE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"WEB_AUTHN"}},"Session":"u1"}}"#
            )
        );
        let options = r#"{\"challenge\":\"AQID\",\"rpId\":\"localhost\"}"#;
        let reply = format!(
            r#"{{"ChallengeName":"WEB_AUTHN","Session":"w1","ChallengeParameters":{{"CREDENTIAL_REQUEST_OPTIONS":"{options}"}}}}"#
        );
        let w = challenge_of(flow, &reply);
        assert_eq!(w.challenge().username, "bob");
        assert_eq!(
            w.challenge().param("CREDENTIAL_REQUEST_OPTIONS"),
            Some(r#"{"challenge":"AQID","rpId":"localhost"}"#)
        );
        assert_eq!(w.respond(code("1"), &[]).unwrap_err().code, Code::InvalidInput);
        let cred = r#"{"id":"AQ","rawId":"AQ","type":"public-key"}"#;
        let (flow, req) = w.respond(Answer::WebAuthn(cred.into()), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"WEB_AUTHN","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","CREDENTIAL":"{{\"id\":\"AQ\",\"rawId\":\"AQ\",\"type\":\"public-key\"}}"}},"Session":"w1"}}"#
            )
        );
        let Step::SignedIn(s) = flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap() else { panic!() };
        assert_eq!(s.username, "bob");
        // A stale credential: Cognito's error comes through as is.
        let (flow, _) = w.respond(Answer::WebAuthn(cred.into()), &[]).unwrap();
        let denied = HttpResponse {
            status: 400,
            body: r#"{"__type":"NotAuthorizedException","message":"m"}"#.into(),
            error_type: None,
            date_s: 0,
        };
        assert_eq!(flow.handle(&denied, NOW_MS).unwrap_err().code, Code::Service("NotAuthorizedException".into()));
        // Preferred WEB_AUTHN answered directly with the WEB_AUTHN challenge.
        assert_eq!(challenge_of(user_auth(Some(FirstFactor::WebAuthn), None).0, &reply).challenge().name, "WEB_AUTHN");
        // Only what is on offer can be picked.
        let only = r#"{"ChallengeName":"SELECT_CHALLENGE","Session":"u1","ChallengeParameters":{},"AvailableChallenges":["PASSWORD_SRP","EMAIL_OTP"]}"#;
        let p = challenge_of(user_auth(Some(FirstFactor::WebAuthn), None).0, only);
        assert_eq!(p.respond(Answer::Select(FirstFactor::SmsOtp), &[]).unwrap_err().code, Code::InvalidInput);
        assert!(p.respond(Answer::Select(FirstFactor::EmailOtp), &[]).is_ok());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn select_password_srp_reuses_the_srp_path() {
        let server = Server::new("bob", "Bob-Passw0rd!");
        let p = challenge_of(user_auth(None, Some("sec")).0, SELECT);
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let a = srp.public_hex();
        let (flow, req) =
            p.respond(Answer::Select(FirstFactor::PasswordSrp(Password::new("Bob-Passw0rd!"), srp)), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"SELECT_CHALLENGE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"PASSWORD_SRP","SRP_A":"{a}","SECRET_HASH":"{}"}},"Session":"u1"}}"#,
                srp::secret_hash("sec", "bob", CLIENT)
            )
        );
        let Step::Send(flow, req) = flow.handle(&ok(&server.challenge("bob")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(field(&req.body, &["ChallengeName"]).as_deref(), Some("PASSWORD_VERIFIER"));
        assert_eq!(field(&req.body, &["Session"]).as_deref(), Some("sess-1"));
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE"]).unwrap(),
            server.expected_signature(&a, "bob", "Tue Jan 2 03:04:05 UTC 2024")
        );
        assert!(matches!(flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap(), Step::SignedIn(_)));

        // Preferred PASSWORD_SRP: the same, from InitiateAuth.
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let (flow, _) = user_auth(Some(FirstFactor::PasswordSrp(Password::new("Bob-Passw0rd!"), srp)), None);
        let Step::Send(_, req) = flow.handle(&ok(&server.challenge("bob")), NOW_MS).unwrap() else { panic!() };
        assert_eq!(
            field(&req.body, &["ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE"]).unwrap(),
            server.expected_signature(&a, "bob", "Tue Jan 2 03:04:05 UTC 2024")
        );
        // …and when the user cannot use it, SELECT_CHALLENGE reaches the app.
        let srp = SrpClient::new(&[0x11; 48]).unwrap();
        let (flow, _) = user_auth(Some(FirstFactor::PasswordSrp(Password::new("pw"), srp)), None);
        assert_eq!(challenge_of(flow, SELECT).challenge().name, "SELECT_CHALLENGE");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn select_password_then_mfa_or_new_password() {
        let p = challenge_of(user_auth(None, None).0, SELECT);
        let (flow, req) = p.respond(Answer::Select(FirstFactor::Password(Password::new("pw"))), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"SELECT_CHALLENGE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"PASSWORD","PASSWORD":"pw"}},"Session":"u1"}}"#
            )
        );
        assert_eq!(
            p.respond(Answer::Select(FirstFactor::Password(Password::new(""))), &[]).unwrap_err().code,
            Code::InvalidInput
        );
        let mfa = challenge_of(
            flow,
            r#"{"ChallengeName":"SMS_MFA","ChallengeParameters":{"CODE_DELIVERY_DELIVERY_MEDIUM":"SMS","CODE_DELIVERY_DESTINATION":"+*******0123"},"Session":"m1"}"#,
        );
        let (flow, req) = mfa.respond(code("123456"), &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"SMS_MFA","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","SMS_MFA_CODE":"123456"}},"Session":"m1"}}"#
            )
        );
        assert!(matches!(flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap(), Step::SignedIn(_)));
        // Preferred PASSWORD straight to NEW_PASSWORD_REQUIRED.
        let (flow, _) = user_auth(Some(FirstFactor::Password(Password::new("pw"))), None);
        let np = challenge_of(
            flow,
            r#"{"ChallengeName":"NEW_PASSWORD_REQUIRED","ChallengeParameters":{"requiredAttributes":"[]","userAttributes":"{}"},"Session":"n1"}"#,
        );
        let (_, req) =
            np.respond(Answer::NewPassword { password: Password::new("N3w-pw!"), attributes: vec![] }, &[]).unwrap();
        assert_eq!(
            req.body,
            format!(
                r#"{{"ChallengeName":"NEW_PASSWORD_REQUIRED","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","NEW_PASSWORD":"N3w-pw!"}},"Session":"n1"}}"#
            )
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn passwordless_email_and_sms_codes() {
        for (factor, name, key, medium, dest) in [
            (FirstFactor::EmailOtp, "EMAIL_OTP", "EMAIL_OTP_CODE", "EMAIL", "b***@e***"),
            (FirstFactor::SmsOtp, "SMS_OTP", "SMS_OTP_CODE", "SMS", "+*******1234"),
        ] {
            let p = challenge_of(user_auth(None, None).0, SELECT);
            let (flow, req) = p.respond(Answer::Select(factor), &[]).unwrap();
            assert_eq!(
                req.body,
                format!(
                    r#"{{"ChallengeName":"SELECT_CHALLENGE","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","ANSWER":"{name}"}},"Session":"u1"}}"#
                )
            );
            let reply = format!(
                r#"{{"ChallengeName":"{name}","Session":"o1","ChallengeParameters":{{"CODE_DELIVERY_DELIVERY_MEDIUM":"{medium}","CODE_DELIVERY_DESTINATION":"{dest}"}}}}"#
            );
            let otp = challenge_of(flow, &reply);
            assert_eq!(
                otp.to_json("x").to_text(),
                format!(
                    r#"{{"type":"challenge","name":"{name}","username":"bob","parameters":{{"CODE_DELIVERY_DELIVERY_MEDIUM":"{medium}","CODE_DELIVERY_DESTINATION":"{dest}"}},"codeDelivery":{{"medium":"{medium}","destination":"{dest}"}}}}"#
                )
            );
            assert_eq!(otp.respond(Answer::Custom("x".into()), &[]).unwrap_err().code, Code::InvalidInput);
            // Wrong code: CodeMismatchException, and the challenge can be answered again.
            let (flow, _) = otp.respond(code("000000"), &[]).unwrap();
            let mismatch = HttpResponse {
                status: 400,
                body: r#"{"__type":"CodeMismatchException","message":"Invalid code"}"#.into(),
                error_type: None,
                date_s: 0,
            };
            assert_eq!(flow.handle(&mismatch, NOW_MS).unwrap_err().code, Code::Service("CodeMismatchException".into()));
            let (flow, req) = otp.respond(code("123456"), &[]).unwrap();
            assert_eq!(
                req.body,
                format!(
                    r#"{{"ChallengeName":"{name}","ClientId":"{CLIENT}","ChallengeResponses":{{"USERNAME":"bob","{key}":"123456"}},"Session":"o1"}}"#
                )
            );
            assert!(matches!(flow.handle(&ok(&tokens_reply()), NOW_MS).unwrap(), Step::SignedIn(_)));
        }
    }
}
