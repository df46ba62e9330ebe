//! Passkey management on the engine (feature `passkeys`): `registerPasskey`,
//! `listPasskeys` and `deletePasskey` for the signed-in user. (Signing in with a passkey is
//! the WEB_AUTHN challenge of the sign-in flow.)
//!
//! ```text
//! registerPasskey: session ─► StartWebAuthnRegistration ─► passkey::parse_creation_options
//!   ─► WebAuthn {create, options} (the runner: navigator.credentials.create)
//!   ─► the credential's JSON ─► Attestation ─► CompleteWebAuthnRegistration ─► {credentialId}
//! ```
//!
//! The runner hands back the credential as WebAuthn's `RegistrationResponseJSON` (binary
//! members base64url), or the `DOMException` name, which becomes a typed `Passkey*` error
//! here (`passkey::dom_error`). The credential is read back into the pure core's
//! `Attestation`, so CompleteWebAuthnRegistration's body is the one `passkey::attestation_json`
//! writes, whatever else the browser put in its JSON.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::effect::{Done, Effect, Reply};
use super::http;
use super::life::Auth;
use super::ops::{self, opt_str, req_str};
use crate::account::parse_empty;
use crate::encoding::{base64url_decode, base64url_encode};
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::passkey::{self, Attestation};
use crate::session::Session;

/// At most this many ListWebAuthnCredentials pages for `listPasskeys()` without paging.
pub const MAX_PAGES: u32 = 50;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    RegisterPasskey,
    ListPasskeys,
    DeletePasskey,
}

pub(crate) fn parse(name: &str) -> Option<Op> {
    Some(match name {
        "registerPasskey" => Op::RegisterPasskey,
        "listPasskeys" => Op::ListPasskeys,
        "deletePasskey" => Op::DeletePasskey,
        _ => return None,
    })
}

/// `listPasskeys` in progress.
pub struct Pages {
    token: String,
    max: Option<u32>,
    /// `{maxResults}` or `{nextToken}` given: that one page only.
    one_page: bool,
    /// The passkeys of the pages so far, as JSON text (`engine::results::passkeys_page`).
    items: String,
    left: u32,
}

/// What a passkey operation waits for. (`String`s: the session's access token, held for
/// the calls of one operation.)
pub enum State {
    Session(Op, Json),
    /// StartWebAuthnRegistration's reply.
    Options(String),
    /// `navigator.credentials.create`'s credential.
    Ceremony(String),
    /// CompleteWebAuthnRegistration's reply, for the credential with this id (base64url).
    Registered(String),
    Page(Box<Pages>),
    Deleted,
}

fn wrap(s: State) -> ops::State {
    ops::State::Passkeys(s)
}

pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: Json) {
    a.with_current_session(call, wrap(State::Session(op, input)));
}

/// `listPasskeys`' `{maxResults?: 1..20, nextToken?}`.
fn page_input(input: &Json) -> Result<(Option<u32>, Option<&str>), Error> {
    let max = match input.get("maxResults") {
        None | Some(Json::Null) => None,
        Some(n @ Json::Num(_)) => Some(
            n.as_i64()
                .filter(|n| (1..=20).contains(n))
                .ok_or_else(|| Error::invalid_input("maxResults must be from 1 to 20"))? as u32,
        ),
        Some(_) => return Err(Error::invalid_input("maxResults must be a number")),
    };
    Ok((max, opt_str(input, "nextToken")?))
}

pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Session) {
    let State::Session(op, input) = state else { return };
    let c = &a.config().client;
    let token = s.access_token;
    let r = match op {
        Op::RegisterPasskey => {
            super::requests::passkey::start_registration(c, &token).map(|req| (req, State::Options(token)))
        }
        Op::DeletePasskey => req_str(&input, "credentialId")
            .and_then(|id| super::requests::passkey::delete_passkey(c, &token, id))
            .map(|req| (req, State::Deleted)),
        Op::ListPasskeys => page_input(&input).and_then(|(max, next)| {
            let req = super::requests::passkey::list_passkeys(c, &token, max, next)?;
            let one_page = max.is_some() || next.is_some();
            Ok((req, State::Page(Box::new(Pages { token, max, one_page, items: String::new(), left: MAX_PAGES - 1 }))))
        }),
    };
    match r {
        Ok((req, state)) => a.send_op(http::api(req), call, wrap(state)),
        Err(e) => a.done(call, Err(e)),
    }
}

fn failed(what: &str) -> Error {
    #[cfg(feature = "codes-only")]
    let m = {
        let _ = what;
        ""
    };
    #[cfg(not(feature = "codes-only"))]
    let m = &{
        let mut m = String::from("the credential lacks ");
        m.push_str(what);
        m
    };
    Error::new(Code::PasskeyFailed, m)
}

/// The runner's `RegistrationResponseJSON` → the pure core's [`Attestation`] (`rawId`,
/// `clientDataJSON` and `attestationObject` required; the rest optional, as the browsers'
/// `getTransports()` etc. may be missing).
pub fn attestation(text: &str) -> Result<Attestation, Error> {
    let v = json::parse(text).filter(|v| v.as_obj().is_some()).ok_or_else(|| failed("a JSON form"))?;
    let null = Json::Null;
    let r = v.get("response").unwrap_or(&null);
    let bytes = |o: &Json, f: &str| o.str_field(f).and_then(base64url_decode);
    let need = |o: &Json, f: &str| bytes(o, f).filter(|b| !b.is_empty()).ok_or_else(|| failed(f));
    let transports = match r.get("transports") {
        Some(Json::Arr(t)) => crate::json::strings_of(t),
        _ => Vec::new(),
    };
    Ok(Attestation {
        raw_id: need(&v, "rawId")?,
        client_data_json: need(r, "clientDataJSON")?,
        attestation_object: need(r, "attestationObject")?,
        transports,
        attachment: v.str_field("authenticatorAttachment").filter(|a| !a.is_empty()).map(String::from),
        authenticator_data: bytes(r, "authenticatorData"),
        public_key_algorithm: r.get("publicKeyAlgorithm").and_then(Json::as_i64),
        public_key: bytes(r, "publicKey"),
    })
}

pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    let r: Result<Option<String>, Error> = match (state, reply) {
        (State::Options(token), Reply::Http(r)) => match r.and_then(|resp| passkey::parse_creation_options(&resp)) {
            Ok(o) => {
                let id = a.task_op(call, wrap(State::Ceremony(token)));
                return a.effect(Effect::WebAuthn { id, create: true, options: o.json });
            }
            Err(e) => Err(e),
        },
        (State::Ceremony(token), Reply::WebAuthn(r)) => {
            let r = r.map_err(|name| passkey::dom_error(&name)).and_then(|text| attestation(&text)).and_then(|att| {
                let req = super::requests::passkey::complete_registration(&a.config().client, &token, &att)?;
                Ok((req, base64url_encode(&att.raw_id)))
            });
            match r {
                Ok((req, id)) => return a.send_op(http::api(req), call, wrap(State::Registered(id))),
                Err(e) => Err(e),
            }
        }
        (State::Registered(id), Reply::Http(r)) => r.and_then(|resp| parse_empty(&resp)).map(|()| {
            let mut o = crate::json::Body::new();
            o.str("credentialId", &id);
            Some(o.end())
        }),
        (State::Page(mut p), Reply::Http(r)) => {
            match r.and_then(|resp| super::results::passkeys_page(&resp, &mut p.items)) {
                Ok(next) => match next {
                    Some(t) if !p.one_page && p.left > 0 => {
                        p.left -= 1;
                        match super::requests::passkey::list_passkeys(&a.config().client, &p.token, p.max, Some(&t)) {
                            Ok(req) => return a.send_op(http::api(req), call, wrap(State::Page(p))),
                            Err(e) => Err(e),
                        }
                    }
                    next => Ok(Some(super::results::passkeys_result(&p.items, next.as_deref()))),
                },
                Err(e) => Err(e),
            }
        }
        (State::Deleted, Reply::Http(r)) => r.and_then(|resp| parse_empty(&resp)).map(|()| None),
        _ => return,
    };
    a.done(call, r.map(Done::Json));
}
