//! Account self-service on the engine (feature `account`): the calls by username
//! (`resendSignUpCode`, `forgotPassword`, `confirmForgotPassword`) and the calls on the
//! signed-in user's access token (`getUser`, `changePassword`, attributes and their
//! verification, `setMfaPreference`, `setUpTotp`, `verifyTotp`, `deleteUser`).
//!
//! Every call is one request built by `crate::account` and one reply parsed by it; the calls
//! on the token first ask for the session (`Auth::with_current_session`: refreshed when
//! due, `NotSignedIn` without one). What is retried is decided by `engine::http` (only the
//! operations `crate::retry` calls safe to repeat). `deleteUser` then forgets the user's
//! device on this browser and signs out locally (state cleared, `signedOut` emitted, other
//! tabs told).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use super::effect::{Done, Reply, StorageOp};
use super::http;
use super::life::Auth;
use super::ops::{self, opt_pairs, opt_str, req_str};
use super::requests::account as build;
use super::results;
use crate::account::{self as core, MfaSetting};
use crate::error::Error;
use crate::flow::{totp_uri, Password};
use crate::json::Body;
use crate::json::Json;
use crate::protocol::{HttpRequest, HttpResponse};
use crate::session::Session;

/// The account operations, by the facade's method name. A closed set: `DeleteUser` is reached
/// only from `deleteUser`, never by an unmatched name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    ResendSignUpCode,
    ForgotPassword,
    ConfirmForgotPassword,
    GetUser,
    ChangePassword,
    UpdateUserAttributes,
    SendUserAttributeVerificationCode,
    VerifyUserAttribute,
    DeleteUserAttributes,
    SetMfaPreference,
    SetUpTotp,
    VerifyTotp,
    DeleteUser,
}

pub(crate) fn parse(name: &str) -> Option<Op> {
    Some(match name {
        "resendSignUpCode" => Op::ResendSignUpCode,
        "forgotPassword" => Op::ForgotPassword,
        "confirmForgotPassword" => Op::ConfirmForgotPassword,
        "getUser" => Op::GetUser,
        "changePassword" => Op::ChangePassword,
        "updateUserAttributes" => Op::UpdateUserAttributes,
        "sendUserAttributeVerificationCode" => Op::SendUserAttributeVerificationCode,
        "verifyUserAttribute" => Op::VerifyUserAttribute,
        "deleteUserAttributes" => Op::DeleteUserAttributes,
        "setMfaPreference" => Op::SetMfaPreference,
        "setUpTotp" => Op::SetUpTotp,
        "verifyTotp" => Op::VerifyTotp,
        "deleteUser" => Op::DeleteUser,
        _ => return None,
    })
}

/// What an account operation waits for.
pub enum State {
    /// The session (the input is validated once it is there, as the shell did).
    Session(Op, Json),
    /// The reply to the operation's request, for the signed-in `user` (empty for the calls
    /// by username): the TOTP URI names them, `deleteUser` forgets their device.
    Reply(Op, String),
    /// `deleteUser` succeeded: the user's device keys are being removed.
    Forgotten(String),
}

fn wrap(s: State) -> ops::State {
    ops::State::Account(s)
}

/// `o[key]` as an array of strings (`deleteUserAttributes({names})`).
fn str_list(o: &Json, key: &str) -> Result<Vec<String>, Error> {
    let bad = || ops::keyed(key, " must be an array of strings");
    match o.get(key) {
        Some(Json::Arr(items)) => {
            let mut v = Vec::with_capacity(items.len());
            for item in items {
                v.push(String::from(item.as_str().ok_or_else(bad)?));
            }
            Ok(v)
        }
        _ => Err(bad()),
    }
}

/// `o[key]` as an MFA setting; `None` leaves that method as it is.
fn setting(o: &Json, key: &str) -> Result<Option<MfaSetting>, Error> {
    match opt_str(o, key)? {
        None => Ok(None),
        Some(v) => MfaSetting::parse(v)
            .map(Some)
            .ok_or_else(|| ops::keyed(key, " must be 'disabled', 'enabled' or 'preferred'")),
    }
}

/// The argument may hold passwords and codes: its strings are wiped once the request is
/// built (the pure core's `Password` wipes its own copy).
fn wipe(mut input: Json) {
    if let Json::Obj(members) = &mut input {
        for (_, v) in members.iter_mut() {
            if let Json::Str(s) = v {
                zeroize::Zeroize::zeroize(s);
            }
        }
    }
}

/// An API call of this module arrived (its argument already parsed as an object).
pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: Json) {
    if !matches!(op, Op::ResendSignUpCode | Op::ForgotPassword | Op::ConfirmForgotPassword) {
        return a.with_current_session(call, wrap(State::Session(op, input)));
    }
    let cfg = a.config();
    let (c, secret) = (&cfg.client, cfg.secret.as_ref());
    let r = (|| {
        let user = req_str(&input, "username")?;
        let meta = opt_pairs(&input, "clientMetadata")?;
        match op {
            Op::ResendSignUpCode => build::resend_confirmation_code(c, secret, user, &meta),
            Op::ForgotPassword => build::forgot_password(c, secret, user, &meta),
            _ => {
                let code = req_str(&input, "code")?;
                let pw = Password::new(req_str(&input, "newPassword")?);
                build::confirm_forgot_password(c, secret, user, code, &pw, &meta)
            }
        }
    })();
    wipe(input);
    send(a, call, op, String::new(), r);
}

fn send(a: &mut Auth, call: u32, op: Op, user: String, r: Result<HttpRequest, Error>) {
    match r {
        Ok(req) => a.send_op(http::api(req), call, wrap(State::Reply(op, user))),
        Err(e) => a.done(call, Err(e)),
    }
}

/// The signed-in user's session arrived: the request on their access token.
pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Session) {
    let State::Session(op, input) = state else { return };
    let c = &a.config().client;
    let t = s.access_token.as_str();
    let r = (|| match op {
        Op::GetUser => build::get_user(c, t),
        Op::ChangePassword => {
            let old = Password::new(req_str(&input, "oldPassword")?);
            let new = Password::new(req_str(&input, "newPassword")?);
            build::change_password(c, t, &old, &new)
        }
        Op::UpdateUserAttributes => build::update_user_attributes(
            c,
            t,
            &opt_pairs(&input, "attributes")?,
            &opt_pairs(&input, "clientMetadata")?,
        ),
        Op::SendUserAttributeVerificationCode => build::get_user_attribute_verification_code(
            c,
            t,
            req_str(&input, "name")?,
            &opt_pairs(&input, "clientMetadata")?,
        ),
        Op::VerifyUserAttribute => {
            build::verify_user_attribute(c, t, req_str(&input, "name")?, req_str(&input, "code")?)
        }
        Op::DeleteUserAttributes => build::delete_user_attributes(c, t, &str_list(&input, "names")?),
        Op::SetMfaPreference => build::set_user_mfa_preference(
            c,
            t,
            setting(&input, "sms")?,
            setting(&input, "totp")?,
            setting(&input, "email")?,
        ),
        Op::SetUpTotp => build::associate_software_token(c, t),
        Op::VerifyTotp => build::verify_software_token(c, t, req_str(&input, "code")?, opt_str(&input, "deviceName")?),
        Op::DeleteUser => build::delete_user(c, t),
        Op::ResendSignUpCode | Op::ForgotPassword | Op::ConfirmForgotPassword => {
            Err(Error::invalid_input("not an operation on the session"))
        }
    })();
    wipe(input);
    send(a, call, op, s.username, r);
}

/// A reply for an account operation's task.
pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    match (state, reply) {
        (State::Reply(op, user), Reply::Http(r)) => match r.and_then(|resp| finish(a, op, &user, &resp)) {
            // Deleted: the device keys go first, then the local sign-out.
            Ok(None) if op == Op::DeleteUser => {
                let keys = crate::device::device_storage_keys(a.config().client.client_id(), &user);
                a.storage_op(keys.into_iter().map(StorageOp::Remove).collect(), call, wrap(State::Forgotten(user)));
            }
            r => a.done(call, r.map(Done::Json)),
        },
        (State::Forgotten(user), Reply::Storage(_)) => {
            a.signed_out_locally(Some(&user));
            a.done(call, Ok(Done::Json(None)));
        }
        _ => {}
    }
}

/// An operation's reply → its result (JSON text, or `None` for `undefined`).
fn finish(a: &Auth, op: Op, user: &str, resp: &HttpResponse) -> Result<Option<String>, Error> {
    // Results written from the reply (`engine::results`, the core parsers' text).
    let text = match op {
        Op::GetUser => results::get_user(resp)?,
        Op::ResendSignUpCode | Op::ForgotPassword | Op::SendUserAttributeVerificationCode => {
            results::code_delivery(resp)?
        }
        Op::UpdateUserAttributes => results::update_attributes(resp)?,
        Op::SetUpTotp => {
            let secret = core::parse_associate(resp)?;
            let uri = totp_uri(&a.config().totp_issuer, user, &secret);
            let mut b = Body::new();
            b.str("secretCode", &secret).str("totpUri", &uri);
            b.end()
        }
        Op::VerifyTotp => return core::parse_verify_software_token(resp).map(|()| None),
        Op::ConfirmForgotPassword
        | Op::ChangePassword
        | Op::VerifyUserAttribute
        | Op::DeleteUserAttributes
        | Op::SetMfaPreference
        | Op::DeleteUser => return core::parse_empty(resp).map(|()| None),
    };
    Ok(Some(text))
}
