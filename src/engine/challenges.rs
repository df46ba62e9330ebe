//! Sign-in with every form and every challenge (the `challenges` feature), on the pure
//! `flow::SignIn`: `signIn` (USER_SRP_AUTH with the remembered device, USER_PASSWORD_AUTH,
//! CUSTOM_AUTH, USER_AUTH), `respondToChallenge`, `prepareSignIn`, and `signUp` /
//! `confirmSignUp` with `autoSignIn`, which end in a sign-in.
//!
//! ```text
//! signIn ─ USER_SRP_AUTH ─► read the stored device ─► InitiateAuth (DEVICE_KEY) ─┐
//!        ─ other flows ─────────────────────────────► InitiateAuth ─────────────┤
//! respondToChallenge ─ the pending challenge's answer ─► RespondToAuthChallenge ┤
//!                                                                               ▼
//!   flow.handle(reply) ─ Send ──► the next request (PASSWORD_VERIFIER, DEVICE_*, MFA_SETUP)
//!                      ─ WEB_AUTHN ─► Effect::WebAuthn (navigator.credentials.get) ─► answer
//!                      ─ Challenge ─► kept in `Features::pending`, the app gets its JSON
//!                      ─ SignedIn ──► stored, `signedIn` (ConfirmDevice first for a new device)
//! ```
//!
//! A remembered device Cognito no longer knows (ResourceNotFoundException about a device) is
//! forgotten here and the sign-in retried without it. Every SRP ephemeral comes from a
//! different input's random bytes, or is derived from them under its own label (HMAC-SHA256)
//! when one input needs two secrets.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use zeroize::{Zeroize, Zeroizing};

use super::effect::{Done, Reply, StorageOp};
use super::http;
use super::life::Auth;
use super::ops::{self, opt_pairs, opt_str, req_str, Op};
use crate::account::{self, SignUpInput};
use crate::device::{self, DeviceSecrets, NewDevice, PASSWORD_BYTES, SALT_BYTES};
use crate::error::{Code, Error};
use crate::flow::{Answer, ClientSecret, FirstFactor, Password, Pending, SignIn, Step};
use crate::json::Json;
use crate::refresh::TokenSource;
use crate::session::{last_user_key, Session};
use crate::srp::{self, SrpClient, EPHEMERAL_BYTES};
use crate::timestamp::decimal;

/// How `confirmSignUp` signs in after `signUp({ autoSignIn })`.
pub enum AutoSignIn {
    /// `true`: with ConfirmSignUp's Session (InitiateAuth USER_AUTH); no password kept.
    Session,
    /// `'password'`: USER_SRP_AUTH with the password, kept (zeroized on drop) until then.
    Password(Password),
}

/// Per-client state: what waits between two calls of the app.
#[derive(Default)]
pub struct Features {
    /// The challenge last returned to the app, kept for answering it.
    pending: Option<Pending>,
    /// The ephemeral pair `prepareSignIn` computed, used by the next SRP sign-in.
    prepared: Option<SrpClient>,
    /// `signUp({ autoSignIn })`: the username and how to sign in after `confirmSignUp`.
    auto: Option<(String, AutoSignIn)>,
}

/// What a sign-in started by which call does with its end.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SignIn,
    /// `respondToChallenge`: NotAuthorizedException (the session expired) drops the challenge.
    Answer,
    /// The automatic sign-in of `confirmSignUp`: a failure still resolves
    /// `{type: 'confirmed', autoSignInError}`.
    AfterSignUp,
}

/// USER_SRP_AUTH waiting for the stored device.
pub struct SrpStart {
    username: String,
    password: Password,
    srp: SrpClient,
    kind: Kind,
}

/// The sign-in offered a stored device: what retries it without that device.
pub struct Retry {
    username: String,
    password: Password,
    owner: String,
}

/// What an operation of this module waits for.
pub enum State {
    /// The stored device of the user (and `LastAuthUser`) were asked for; `of_last`: the
    /// second read, of the last user's device.
    Device { start: Box<SrpStart>, of_last: Option<String> },
    /// A request of the sign-in is on the wire.
    Flow { flow: Box<SignIn>, retry: Option<Box<Retry>>, kind: Kind },
    /// `navigator.credentials.get` runs for this WEB_AUTHN challenge.
    #[cfg(feature = "passkeys")]
    Passkey { pending: Box<Pending>, kind: Kind },
    /// ConfirmDevice for the device Cognito started tracking at this sign-in.
    Confirm { session: Box<Session>, secrets: Box<DeviceSecrets>, key: String },
    /// SignUp sent; the auto sign-in to remember once it succeeds.
    SignUp(Option<(String, AutoSignIn)>),
    /// ConfirmSignUp sent.
    ConfirmSignUp(String),
}

fn st(s: State) -> ops::State {
    ops::State::Challenges(s)
}

fn feats(a: &mut Auth) -> &mut Features {
    &mut a.features.challenges
}

fn secret(a: &Auth) -> Option<ClientSecret> {
    a.config().secret.as_ref().map(ClientSecret::duplicate)
}

/// Fills `out` with HMAC-SHA256(this input's ephemeral bytes, label ‖ counter) blocks: a
/// second (third, …) secret from the same input, independent of the raw bytes.
fn derive(a: &Auth, label: &[u8], out: &mut [u8]) {
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let block = Zeroizing::new(srp::hmac_sha256(a.ephemeral(), &[label, &[i as u8]]));
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

fn new_srp(bytes: &[u8]) -> Result<SrpClient, Error> {
    SrpClient::new(bytes).map_err(|e| Error::invalid_input(e.message()))
}

/// The pair `prepareSignIn` computed, else one from this input's random bytes.
fn take_ephemeral(a: &mut Auth) -> Result<SrpClient, Error> {
    match feats(a).prepared.take() {
        Some(srp) => Ok(srp),
        None => new_srp(a.ephemeral()),
    }
}

/// Whether an error message is about a device ("Device does not exist.", not a missing app
/// client, which would fail again).
fn mentions_device(message: &str) -> bool {
    message.as_bytes().windows(6).any(|w| w.eq_ignore_ascii_case(b"device"))
}

/// Wipes every string of the app's argument (passwords, codes) once it is handled.
fn wipe(j: &mut Json) {
    match j {
        Json::Str(s) | Json::Num(s) => s.zeroize(),
        Json::Arr(items) => items.iter_mut().for_each(wipe),
        Json::Obj(members) => members.iter_mut().for_each(|(k, v)| {
            k.zeroize();
            wipe(v);
        }),
        Json::Null | Json::Bool(_) => {}
    }
}

fn text(v: &str) -> Json {
    Json::Str(String::from(v))
}

fn member(k: &str, v: Json) -> (String, Json) {
    (String::from(k), v)
}

/// The session as the app sees it (the runner's `Session` object, as JSON).
/// A library error inside a result (`autoSignInError`): `{"$error": [code, status, retryable,
/// message]}`, the fields of the wire's error record, which the runner turns into an `Error`.
fn error_json(e: &Error) -> Json {
    let status = e.status.map_or(String::from("\0"), |s| decimal(u64::from(s)));
    let retryable = if e.retryable() { "1" } else { "0" };
    let fields = [text(e.code.as_str()), Json::Str(status), text(retryable), text(&e.message)];
    Json::Obj(alloc::vec![member("$error", Json::Arr(fields.into()))])
}

/// `{type: 'confirmed'}`, with `autoSignInError` when the automatic sign-in failed.
fn confirmed(e: Option<&Error>) -> Json {
    let mut o = alloc::vec![member("type", text("confirmed"))];
    if let Some(e) = e {
        o.push(member("autoSignInError", error_json(e)));
    }
    Json::Obj(o)
}

fn json_done(a: &mut Auth, call: u32, j: &Json) {
    a.done(call, Ok(Done::Json(Some(j.to_text()))));
}

/// The user signed out (or the session ended): the pending challenge goes.
pub(crate) fn signed_out(a: &mut Auth) {
    feats(a).pending = None;
}

/// A call of this module arrived.
pub(crate) fn start(a: &mut Auth, call: u32, op: Op, mut input: Json) {
    let r = match op {
        Op::SignIn => sign_in(a, call, &input),
        Op::RespondToChallenge => respond(a, call, &input),
        Op::PrepareSignIn => new_srp(a.ephemeral()).map(|srp| {
            feats(a).prepared = Some(srp);
            a.done(call, Ok(Done::Json(None)));
        }),
        Op::SignUp => sign_up(a, call, &input),
        Op::ConfirmSignUp => confirm_sign_up(a, call, &input),
        _ => Err(Error::invalid_input("")),
    };
    wipe(&mut input);
    if let Err(e) = r {
        a.done(call, Err(e));
    }
}

/// The first factor named `name` (PREFERRED_CHALLENGE / ANSWER), with the password it needs.
fn first_factor(a: &mut Auth, name: &str, password: Option<Password>) -> Result<FirstFactor, Error> {
    let need = || Error::invalid_input("password is required for PASSWORD and PASSWORD_SRP");
    Ok(match name {
        "WEB_AUTHN" => FirstFactor::WebAuthn,
        "EMAIL_OTP" => FirstFactor::EmailOtp,
        "SMS_OTP" => FirstFactor::SmsOtp,
        "PASSWORD" => FirstFactor::Password(password.ok_or_else(need)?),
        "PASSWORD_SRP" => FirstFactor::PasswordSrp(password.ok_or_else(need)?, take_ephemeral(a)?),
        _ => {
            return Err(Error::invalid_input(
                "the challenge must be 'WEB_AUTHN', 'EMAIL_OTP', 'SMS_OTP', 'PASSWORD' or 'PASSWORD_SRP'",
            ))
        }
    })
}

fn sign_in(a: &mut Auth, call: u32, input: &Json) -> Result<(), Error> {
    let username = req_str(input, "username")?;
    let password = opt_str(input, "password")?.map(Password::new);
    let metadata = opt_pairs(input, "clientMetadata")?;
    let flow = opt_str(input, "authFlow")?;
    let preferred = opt_str(input, "preferredChallenge")?;
    let cfg = &a.config().client;
    // USER_AUTH: asked for, or a preferredChallenge, or no password.
    if matches!(flow, None | Some("USER_AUTH")) && (flow.is_some() || preferred.is_some() || password.is_none()) {
        let factor = match (preferred, password) {
            (Some(name), p) => Some(first_factor(a, name, p)?),
            (None, Some(p)) => Some(first_factor(a, "PASSWORD_SRP", Some(p))?),
            (None, None) => None,
        };
        let (flow, req) = SignIn::start_user_auth(&a.config().client, secret(a), username, factor, &metadata)?;
        return send(a, call, flow, req, None, Kind::SignIn);
    }
    let need_password = || Error::invalid_input("password is required");
    let (flow, req) = match flow.unwrap_or("USER_SRP_AUTH") {
        "USER_SRP_AUTH" => {
            if !metadata.is_empty() {
                return Err(Error::invalid_input("clientMetadata needs authFlow USER_PASSWORD_AUTH or CUSTOM_AUTH"));
            }
            let password = password.ok_or_else(need_password)?;
            return start_srp(a, call, username, password, Kind::SignIn);
        }
        "USER_PASSWORD_AUTH" => {
            SignIn::start_password(cfg, secret(a), username, password.ok_or_else(need_password)?, &metadata)?
        }
        "CUSTOM_AUTH" => match password {
            Some(p) => {
                let srp = take_ephemeral(a)?;
                SignIn::start_custom_with_srp(&a.config().client, secret(a), username, p, srp, &metadata)?
            }
            None => SignIn::start_custom(cfg, secret(a), username, &metadata)?,
        },
        _ => {
            return Err(Error::invalid_input(
                "authFlow must be 'USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'CUSTOM_AUTH' or 'USER_AUTH'",
            ))
        }
    };
    send(a, call, flow, req, None, Kind::SignIn)
}

/// USER_SRP_AUTH: the device stored for `username` is read first (see [`with_device`]).
fn start_srp(a: &mut Auth, call: u32, username: &str, password: Password, kind: Kind) -> Result<(), Error> {
    if username.is_empty() {
        return Err(Error::invalid_input("username is required"));
    }
    let srp = take_ephemeral(a)?;
    let cid = a.config().client.client_id();
    let mut reads = StorageOp::batch(&device::device_storage_keys(cid, username), true);
    reads.push(StorageOp::Get(last_user_key(cid)));
    let start = Box::new(SrpStart { username: String::from(username), password, srp, kind });
    a.storage_op(reads, call, st(State::Device { start, of_last: None }));
    Ok(())
}

/// The stored device's three values came back (`got`, in `device_storage_keys` order, then
/// `LastAuthUser` on the first read). The device stored for the username is offered, else the
/// last user's (the flow sends it only if Cognito's USER_ID_FOR_SRP is its owner).
fn with_device(a: &mut Auth, call: u32, start: Box<SrpStart>, of_last: Option<String>, got: Vec<Option<String>>) {
    let cid = String::from(a.config().client.client_id());
    let owner = of_last.as_deref().unwrap_or(&start.username);
    // The batch read the device's key, group key and password, in `device_storage_keys`'
    // order (as `device::load_device` reads them): all three, none empty, or no device.
    let value = |i: usize| got.get(i).and_then(|v| v.as_deref()).filter(|v| !v.is_empty());
    let found = match (value(0), value(1), value(2)) {
        (Some(k), Some(g), Some(p)) => Some(device::DeviceSecrets::new(owner, k, g, p)),
        _ => None,
    };
    let found = match (found, of_last) {
        (Some(d), _) => Some(d),
        (None, None) => {
            if let Some(last) = got.get(3).cloned().flatten().filter(|l| !l.is_empty() && *l != start.username) {
                let reads = StorageOp::batch(&device::device_storage_keys(&cid, &last), true);
                a.storage_op(reads, call, st(State::Device { start, of_last: Some(last) }));
                return;
            }
            None
        }
        (None, Some(_)) => None,
    };
    let SrpStart { username, password, srp, kind } = *start;
    let r = match found {
        None => SignIn::start_with(&a.config().client, secret(a), &username, password, srp).map(|fr| (fr, None)),
        Some(d) => {
            // The device's own SRP round needs a second ephemeral: from this input's bytes,
            // under its own label (the first may come from the same input).
            let mut b = Zeroizing::new([0u8; EPHEMERAL_BYTES]);
            derive(a, b"cognito-wasm device SRP", &mut b[..]);
            new_srp(&b[..]).and_then(|dev_srp| {
                let retry = Box::new(Retry {
                    username: username.clone(),
                    password: password.duplicate(),
                    owner: d.owner.clone(),
                });
                SignIn::start_with_device(&a.config().client, secret(a), &username, password, srp, Some((d, dev_srp)))
                    .map(|fr| (fr, Some(retry)))
            })
        }
    };
    match r {
        Ok(((flow, req), retry)) => {
            let _ = send(a, call, flow, req, retry, kind);
        }
        Err(e) => end_with_error(a, call, e, kind),
    }
}

fn send(
    a: &mut Auth,
    call: u32,
    flow: SignIn,
    req: crate::protocol::HttpRequest,
    retry: Option<Box<Retry>>,
    kind: Kind,
) -> Result<(), Error> {
    a.send_op(http::api(req), call, st(State::Flow { flow: Box::new(flow), retry, kind }));
    Ok(())
}

/// A sign-in step failed: how the call ends.
fn end_with_error(a: &mut Auth, call: u32, e: Error, kind: Kind) {
    match kind {
        Kind::AfterSignUp => json_done(a, call, &confirmed(Some(&e))),
        Kind::Answer if e.code == Code::Service(String::from("NotAuthorizedException")) => {
            feats(a).pending = None;
            a.done(call, Err(e));
        }
        _ => a.done(call, Err(e)),
    }
}

/// The flow's next step.
fn step(a: &mut Auth, call: u32, r: Result<Step, Error>, retry: Option<Box<Retry>>, kind: Kind) {
    match r {
        Ok(Step::Send(flow, req)) => {
            let _ = send(a, call, flow, req, retry, kind);
        }
        #[cfg(feature = "passkeys")]
        Ok(Step::Challenge(p)) if p.challenge().name == "WEB_AUTHN" => ceremony(a, call, Box::new(p), kind),
        Ok(Step::Challenge(p)) => {
            let v = p.to_json(&a.config().totp_issuer);
            feats(a).pending = Some(p);
            json_done(a, call, &v);
        }
        Ok(Step::SignedIn(s)) => {
            feats(a).pending = None;
            a.signed_in(call, s, TokenSource::UserPool, super::life::Answer::Session);
        }
        Ok(Step::SignedInNewDevice(s, nd)) => {
            feats(a).pending = None;
            confirm_device(a, call, s, nd);
        }
        Err(e) => match retry {
            Some(r)
                if e.code == Code::Service(String::from("ResourceNotFoundException"))
                    && mentions_device(&e.message) =>
            {
                // Cognito no longer knows the device: forget it here and sign in without it.
                let cid = a.config().client.client_id();
                let removes = StorageOp::batch(&device::device_storage_keys(cid, &r.owner), false);
                a.storage_fire(removes);
                let Retry { username, password, .. } = *r;
                let started = new_srp(a.ephemeral())
                    .and_then(|srp| SignIn::start_with(&a.config().client, secret(a), &username, password, srp));
                match started {
                    Ok((flow, req)) => {
                        let _ = send(a, call, flow, req, None, kind);
                    }
                    Err(e) => end_with_error(a, call, e, kind),
                }
            }
            _ => end_with_error(a, call, e, kind),
        },
    }
}

/// WEB_AUTHN: `navigator.credentials.get` with Cognito's options. When it cannot start or
/// fails (cancelled, …) nothing was sent, and the challenge stays pending so
/// `respondToChallenge({ answer: 'WEB_AUTHN' })` can try again.
#[cfg(feature = "passkeys")]
fn ceremony(a: &mut Auth, call: u32, p: Box<Pending>, kind: Kind) {
    let options = p
        .challenge()
        .param("CREDENTIAL_REQUEST_OPTIONS")
        .ok_or_else(|| Error::invalid_response("WEB_AUTHN challenge lacks CREDENTIAL_REQUEST_OPTIONS"))
        .and_then(crate::passkey::parse_request_options);
    match options {
        Ok(o) => {
            let id = a.task_op(call, st(State::Passkey { pending: p, kind }));
            a.effect(super::effect::Effect::WebAuthn { id, create: false, options: o.json });
        }
        Err(e) => {
            feats(a).pending = Some(*p);
            a.done(call, Err(e));
        }
    }
}

/// The credential in WebAuthn's JSON form (the runner's) → the CREDENTIAL answer, rebuilt from its
/// decoded fields (`passkey::assertion_json`), so nothing but what WebAuthn defines is sent.
#[cfg(feature = "passkeys")]
fn assertion(cred: &str) -> Result<String, Error> {
    let bad = || Error::new(Code::PasskeyFailed, "the browser's credential lacks a field WebAuthn defines");
    let v = crate::json::parse(cred).filter(|v| v.as_obj().is_some()).ok_or_else(bad)?;
    let b64 = |o: Option<&Json>| o.and_then(Json::as_str).and_then(crate::encoding::base64url_decode);
    let r = v.get("response").ok_or_else(bad)?;
    let a = crate::passkey::Assertion {
        raw_id: b64(v.get("rawId")).filter(|id| !id.is_empty()).ok_or_else(bad)?,
        client_data_json: b64(r.get("clientDataJSON")).ok_or_else(bad)?,
        authenticator_data: b64(r.get("authenticatorData")).ok_or_else(bad)?,
        signature: b64(r.get("signature")).ok_or_else(bad)?,
        user_handle: b64(r.get("userHandle")),
        attachment: v.str_field("authenticatorAttachment").map(String::from),
    };
    Ok(crate::passkey::assertion_json(&a))
}

/// ConfirmDevice with fresh secrets for the device Cognito started tracking.
fn confirm_device(a: &mut Auth, call: u32, s: Session, nd: NewDevice) {
    let mut pw = Zeroizing::new([0u8; PASSWORD_BYTES]);
    let mut salt = [0u8; SALT_BYTES];
    derive(a, b"cognito-wasm device password", &mut pw[..]);
    derive(a, b"cognito-wasm device salt", &mut salt);
    let cfg = a.config();
    let name = cfg.user_agent.as_deref().unwrap_or("cognito-wasm");
    match device::confirm_device(&cfg.client, &s.access_token, &s.username, &nd, &pw, &salt, name) {
        Ok((secrets, req)) => {
            let state = State::Confirm { session: Box::new(s), secrets: Box::new(secrets), key: nd.key };
            a.send_op(http::api(req), call, st(state));
        }
        Err(_) => signed_in_new_device(a, call, s, None),
    }
}

/// `{type: 'signedIn', session, newDevice}` (`newDevice` null when ConfirmDevice failed: the
/// sign-in stands).
fn signed_in_new_device(a: &mut Auth, call: u32, s: Session, device: Option<(&str, bool)>) {
    let nd = device.map_or(String::from("null"), |(key, remembered)| {
        let mut d = crate::json::Body::new();
        d.str("deviceKey", key).raw("remembered", if remembered { "true" } else { "false" });
        d.end()
    });
    let mut b = crate::json::Body::new();
    b.str("type", "signedIn").raw("session", &s.to_result_json()).raw("newDevice", &nd);
    a.signed_in(call, s, TokenSource::UserPool, super::life::Answer::Json(b.end()));
}

/// The answer to a pending SELECT_CHALLENGE: `{ answer }` (with `password` for the password
/// factors), or `{ password }` alone (PASSWORD_SRP when offered, else PASSWORD). `None` when
/// no SELECT_CHALLENGE is pending.
fn select_answer(a: &mut Auth, input: &Json) -> Result<Option<Answer>, Error> {
    let srp = match feats(a).pending.as_ref().map(Pending::challenge) {
        Some(c) if c.name == "SELECT_CHALLENGE" => {
            c.available.is_empty() || c.available.iter().any(|x| x == "PASSWORD_SRP")
        }
        _ => return Ok(None),
    };
    let password = opt_str(input, "password")?.map(Password::new);
    let name = match (opt_str(input, "answer")?, &password) {
        (Some(x), _) => x,
        (None, Some(_)) if srp => "PASSWORD_SRP",
        (None, Some(_)) => "PASSWORD",
        (None, None) => {
            return Err(Error::invalid_input(
                "answer SELECT_CHALLENGE with { answer } (one of availableChallenges) or { password }",
            ))
        }
    };
    Ok(Some(Answer::Select(first_factor(a, name, password)?)))
}

fn respond(a: &mut Auth, call: u32, input: &Json) -> Result<(), Error> {
    #[cfg(feature = "passkeys")]
    if feats(a).pending.as_ref().is_some_and(|p| p.challenge().name == "WEB_AUTHN") {
        // Left by a failed ceremony: `{ answer: 'WEB_AUTHN' }` runs it again.
        if opt_str(input, "answer")? != Some("WEB_AUTHN") {
            return Err(Error::invalid_input("a pending WEB_AUTHN is retried with { answer: 'WEB_AUTHN' }"));
        }
        if let Some(p) = feats(a).pending.take() {
            ceremony(a, call, Box::new(p), Kind::Answer);
        }
        return Ok(());
    }
    let metadata = opt_pairs(input, "clientMetadata")?;
    let answer = if let Some(x) = select_answer(a, input)? {
        x
    } else if let Some(p) = opt_str(input, "newPassword")? {
        Answer::NewPassword { password: Password::new(p), attributes: opt_pairs(input, "attributes")? }
    } else if let Some(t) = opt_str(input, "mfaType")? {
        Answer::MfaType(String::from(t))
    } else if let Some(x) = opt_str(input, "answer")? {
        Answer::Custom(String::from(x))
    } else if let Some(code) = opt_str(input, "code")? {
        Answer::Code { code: String::from(code), device_name: opt_str(input, "deviceName")?.map(String::from) }
    } else {
        return Err(Error::invalid_input("give one of code, newPassword, mfaType, answer"));
    };
    let p = feats(a).pending.as_ref().ok_or_else(|| Error::invalid_input("no challenge is waiting for an answer"))?;
    let (flow, req) = p.respond(answer, &metadata)?;
    send(a, call, flow, req, None, Kind::Answer)
}

fn auto_sign_in_option(input: &Json, password: &Password) -> Result<Option<AutoSignIn>, Error> {
    match input.get("autoSignIn") {
        None | Some(Json::Null) | Some(Json::Bool(false)) => Ok(None),
        Some(Json::Bool(true)) => Ok(Some(AutoSignIn::Session)),
        Some(Json::Str(s)) if s == "password" => Ok(Some(AutoSignIn::Password(password.duplicate()))),
        Some(_) => Err(Error::invalid_input("autoSignIn must be true, false or 'password'")),
    }
}

fn sign_up(a: &mut Auth, call: u32, input: &Json) -> Result<(), Error> {
    let username = req_str(input, "username")?;
    let password = Password::new(req_str(input, "password")?);
    let attributes = opt_pairs(input, "attributes")?;
    let validation_data = opt_pairs(input, "validationData")?;
    let metadata = opt_pairs(input, "clientMetadata")?;
    let auto = auto_sign_in_option(input, &password)?;
    let su = SignUpInput {
        username,
        password: &password,
        attributes: &attributes,
        validation_data: &validation_data,
        metadata: &metadata,
    };
    let req = account::sign_up(&a.config().client, a.config().secret.as_ref(), &su)?;
    a.send_op(http::api(req), call, st(State::SignUp(auto.map(|x| (String::from(username), x)))));
    Ok(())
}

fn confirm_sign_up(a: &mut Auth, call: u32, input: &Json) -> Result<(), Error> {
    let username = req_str(input, "username")?;
    let code = req_str(input, "code")?;
    let metadata = opt_pairs(input, "clientMetadata")?;
    let cfg = a.config();
    let req = account::confirm_sign_up(&cfg.client, cfg.secret.as_ref(), username, code, &metadata)?;
    a.send_op(http::api(req), call, st(State::ConfirmSignUp(String::from(username))));
    Ok(())
}

/// ConfirmSignUp succeeded (`session`: its Session, if Cognito sent one): `{type:
/// 'confirmed'}`, or the automatic sign-in `signUp({ autoSignIn })` asked for.
fn confirmed_sign_up(a: &mut Auth, call: u32, username: String, session: Option<Zeroizing<String>>) {
    let auto = match feats(a).auto.take() {
        Some((u, x)) if u == username => Some(x),
        other => {
            feats(a).auto = other;
            None
        }
    };
    match auto {
        Some(AutoSignIn::Password(password)) => {
            if let Err(e) = start_srp(a, call, &username, password, Kind::SignIn) {
                a.done(call, Err(e));
            }
        }
        // Confirmed either way: a sign-in that cannot happen (no Session, an app client
        // without ALLOW_USER_AUTH, …) leaves `{type: 'confirmed', autoSignInError}`.
        Some(AutoSignIn::Session) => {
            let Some(session) = session else {
                let e = Error::invalid_response("ConfirmSignUp returned no Session to sign in with");
                return json_done(a, call, &confirmed(Some(&e)));
            };
            match SignIn::start_after_sign_up(&a.config().client, secret(a), &username, &session) {
                Ok((flow, req)) => {
                    let _ = send(a, call, flow, req, None, Kind::AfterSignUp);
                }
                Err(e) => json_done(a, call, &confirmed(Some(&e))),
            }
        }
        None => json_done(a, call, &confirmed(None)),
    }
}

/// A reply for one of this module's tasks.
pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    match (state, reply) {
        (State::Device { start, of_last }, Reply::Storage(got)) => {
            with_device(a, call, start, of_last, got.unwrap_or_default())
        }
        (State::Flow { flow, retry, kind }, Reply::Http(r)) => {
            let now = a.now();
            let r = r.and_then(|resp| flow.handle(&resp, now));
            step(a, call, r, retry, kind);
        }
        #[cfg(feature = "passkeys")]
        (State::Passkey { pending, kind }, Reply::WebAuthn(r)) => {
            let answered = r.map_err(|name| crate::passkey::dom_error(&name)).and_then(|cred| {
                let credential = assertion(&cred)?;
                pending.respond(Answer::WebAuthn(credential), &[])
            });
            match answered {
                Ok((flow, req)) => {
                    let _ = send(a, call, flow, req, None, kind);
                }
                Err(e) => {
                    feats(a).pending = Some(*pending);
                    a.done(call, Err(e));
                }
            }
        }
        (State::Confirm { session, secrets, key }, Reply::Http(r)) => {
            match r.and_then(|resp| device::parse_confirm_device(&resp)) {
                Ok(confirmation_needed) => {
                    let cid = a.config().client.client_id();
                    let sets = device::device_entries(cid, &secrets).into_iter().map(|(k, v)| StorageOp::Set(k, v));
                    a.storage_fire(sets.collect());
                    signed_in_new_device(a, call, *session, Some((&key, !confirmation_needed)));
                }
                Err(_) => signed_in_new_device(a, call, *session, None),
            }
        }
        (State::SignUp(auto), Reply::Http(r)) => match r.and_then(|resp| account::parse_sign_up(&resp)) {
            Ok(j) => {
                feats(a).auto = auto;
                json_done(a, call, &j);
            }
            Err(e) => a.done(call, Err(e)),
        },
        (State::ConfirmSignUp(username), Reply::Http(r)) => {
            match r.and_then(|resp| account::parse_confirm_sign_up(&resp)) {
                Ok(session) => confirmed_sign_up(a, call, username, session),
                Err(e) => a.done(call, Err(e)),
            }
        }
        // A reply of another kind is a runner bug: the call ends with a typed error.
        _ => a.done(call, Err(Error::invalid_response("the runner answered with the wrong kind of reply"))),
    }
}
