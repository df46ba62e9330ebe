//! Every API call beyond the session lifecycle (`life.rs`): account self-service, devices,
//! challenges, the hosted UI, passkeys, identity-pool credentials and SigV4.
//!
//! An operation is a name ([`Op`]) and the app's argument as JSON text, validated here. It
//! runs as a state machine over the effects of `effect.rs`: [`start`] builds its first
//! effect (or asks for the session first with `Auth::with_current_session`), and every
//! reply comes back through [`resume`] (or [`with_session`]) with the operation's [`State`],
//! until it completes with `Done::Json` (JSON text the runner `JSON.parse`s) or an error.
//!
//! Where a new operation goes: a variant of [`Op`] (and its name in [`Op::parse`]), a
//! variant of [`State`] if it waits for anything, and its branches in [`start`],
//! [`resume`] and [`with_session`]. Request building and reply parsing stay in the pure core
//! (`crate::account`, `crate::device`, …).
#![forbid(unsafe_code)]
// A build with none of the operations' features (the sign-in journey's wasm) keeps only
// `Op::Missing`; the shared machinery below is then unused.
#![cfg_attr(not(feature = "ops"), allow(unused, unreachable_code, unreachable_patterns))]

use super::effect::{Done, Reply};
use super::life::Auth;
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::session::Session;

// account, devices, passkeys
#[cfg(feature = "account")]
use super::account;
#[cfg(feature = "devices")]
use super::devices;
#[cfg(feature = "passkeys")]
use super::passkeys;

/// The operations of `engine::ops`, by the runner's name for them (the facade's method).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    /// A name this build does not know (another release's runner, or a feature left out).
    Missing,
    /// `signIn`: in every build. Without `challenges` (the sign-in journey) it is
    /// USER_SRP_AUTH on the table-driven path (`srp_sign_in.rs`); with it, `challenges.rs`.
    SignIn,
    // challenges
    #[cfg(feature = "challenges")]
    RespondToChallenge,
    #[cfg(feature = "challenges")]
    PrepareSignIn,
    #[cfg(feature = "challenges")]
    SignUp,
    #[cfg(feature = "challenges")]
    ConfirmSignUp,
    // account, devices, passkeys
    #[cfg(feature = "account")]
    Account(account::Op),
    #[cfg(feature = "devices")]
    Devices(devices::Op),
    #[cfg(feature = "passkeys")]
    Passkeys(passkeys::Op),
    // hosted-ui
    #[cfg(feature = "hosted-ui")]
    AuthorizeUrl,
    #[cfg(feature = "hosted-ui")]
    SignInWithRedirect,
    #[cfg(feature = "hosted-ui")]
    HandleRedirectCallback,
    #[cfg(feature = "hosted-ui")]
    VerifyIdToken,
    #[cfg(feature = "hosted-ui")]
    GetUserInfo,
    // server
    #[cfg(feature = "server")]
    VerifyToken,
    // identity
    #[cfg(feature = "identity")]
    GetAwsCredentials,
    #[cfg(feature = "identity")]
    SignRequest,
    #[cfg(feature = "identity")]
    PresignUrl,
    #[cfg(feature = "identity")]
    SignFailed,
    // extras
    #[cfg(feature = "extras")]
    Extras(super::extras::Op),
}

impl Op {
    pub fn parse(name: &str) -> Option<Op> {
        // account, devices, passkeys
        #[cfg(feature = "account")]
        if let Some(o) = account::parse(name) {
            return Some(Op::Account(o));
        }
        #[cfg(feature = "devices")]
        if let Some(o) = devices::parse(name) {
            return Some(Op::Devices(o));
        }
        #[cfg(feature = "passkeys")]
        if let Some(o) = passkeys::parse(name) {
            return Some(Op::Passkeys(o));
        }
        // extras
        #[cfg(feature = "extras")]
        if let Some(o) = super::extras::parse(name) {
            return Some(Op::Extras(o));
        }
        Some(match name {
            "signIn" => Op::SignIn,
            // challenges
            #[cfg(feature = "challenges")]
            "respondToChallenge" => Op::RespondToChallenge,
            #[cfg(feature = "challenges")]
            "prepareSignIn" => Op::PrepareSignIn,
            #[cfg(feature = "challenges")]
            "signUp" => Op::SignUp,
            #[cfg(feature = "challenges")]
            "confirmSignUp" => Op::ConfirmSignUp,
            // hosted-ui
            #[cfg(feature = "hosted-ui")]
            "authorizeUrl" => Op::AuthorizeUrl,
            #[cfg(feature = "hosted-ui")]
            "signInWithRedirect" => Op::SignInWithRedirect,
            #[cfg(feature = "hosted-ui")]
            "handleRedirectCallback" => Op::HandleRedirectCallback,
            #[cfg(feature = "hosted-ui")]
            "verifyIdToken" => Op::VerifyIdToken,
            #[cfg(feature = "hosted-ui")]
            "getUserInfo" => Op::GetUserInfo,
            // server
            #[cfg(feature = "server")]
            "verifyToken" => Op::VerifyToken,
            // identity
            #[cfg(feature = "identity")]
            "getAwsCredentials" => Op::GetAwsCredentials,
            #[cfg(feature = "identity")]
            "signRequest" => Op::SignRequest,
            #[cfg(feature = "identity")]
            "presignUrl" => Op::PresignUrl,
            #[cfg(feature = "identity")]
            "signFailed" => Op::SignFailed,
            _ => return None,
        })
    }
}

/// What an operation waits for.
pub enum State {
    // account, devices, passkeys
    #[cfg(feature = "account")]
    Account(account::State),
    #[cfg(feature = "devices")]
    Devices(devices::State),
    #[cfg(feature = "passkeys")]
    Passkeys(passkeys::State),
    #[cfg(feature = "hosted-ui")]
    Hosted(super::hosted::State),
    #[cfg(feature = "identity")]
    Identity(super::identity::State),
    #[cfg(feature = "challenges")]
    Challenges(super::challenges::State),
    // extras
    #[cfg(feature = "extras")]
    Extras(super::extras::State),
}

/// Per-client state of the features (kept as long as the client).
#[derive(Default)]
pub struct Features {
    #[cfg(feature = "challenges")]
    pub(crate) challenges: super::challenges::Features,
    #[cfg(feature = "hosted-ui")]
    pub(crate) hosted: super::hosted::Features,
    #[cfg(feature = "identity")]
    pub identity: super::identity::Aws,
}

/// The app's argument, parsed once.
fn input(text: &str) -> Result<Json, Error> {
    match json::parse(text) {
        Some(v @ Json::Obj(_)) => Ok(v),
        Some(Json::Null) | None if text.is_empty() => Ok(Json::Obj(alloc::vec::Vec::new())),
        _ => Err(Error::invalid_input("the argument must be an object")),
    }
}

/// `InvalidInput` "{key}{what}" (prose left out with `codes-only`).
pub(crate) fn keyed(key: &str, what: &str) -> Error {
    #[cfg(feature = "codes-only")]
    let m = {
        let _ = (key, what);
        ""
    };
    #[cfg(not(feature = "codes-only"))]
    let m = &{
        let mut m = alloc::string::String::from(key);
        m.push_str(what);
        m
    };
    Error::invalid_input(m)
}

/// `o[key]` as a string: `None` when absent or null, an error for another type.
pub(crate) fn opt_str<'a>(o: &'a Json, key: &str) -> Result<Option<&'a str>, Error> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(keyed(key, " must be a string")),
    }
}

pub(crate) fn req_str<'a>(o: &'a Json, key: &str) -> Result<&'a str, Error> {
    opt_str(o, key)?.ok_or_else(|| keyed(key, " is required"))
}

/// `o[key]` as `{name: string}` pairs (attributes, clientMetadata); empty when absent.
#[cfg(any(feature = "account", feature = "challenges"))]
pub(crate) fn opt_pairs(
    o: &Json,
    key: &str,
) -> Result<alloc::vec::Vec<(alloc::string::String, alloc::string::String)>, Error> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(alloc::vec::Vec::new()),
        Some(Json::Obj(items)) => {
            let mut pairs = alloc::vec::Vec::with_capacity(items.len());
            for (k, v) in items {
                let Json::Str(s) = v else { return Err(keyed(key, " must be an object of strings")) };
                pairs.push((k.clone(), s.clone()));
            }
            Ok(pairs)
        }
        Some(_) => Err(keyed(key, " must be an object of strings")),
    }
}

#[allow(dead_code)] // for the features that complete with a `Json` value
fn json_done(a: &mut Auth, call: u32, r: Result<Json, Error>) {
    a.done(call, r.map(|j| Done::Json(Some(j.to_text()))));
}

/// The user signed out (here, or in another tab): what the features keep for the user
/// (AWS credentials, the pending challenge, …) is forgotten.
pub(crate) fn signed_out(a: &mut Auth, user: Option<&str>) {
    let _ = (&a, user);
    #[cfg(feature = "challenges")]
    super::challenges::signed_out(a);
    #[cfg(feature = "identity")]
    super::identity::signed_out(a, user);
}

/// An API call arrived.
pub(crate) fn start(a: &mut Auth, call: u32, op: Op, text: &str) {
    let input = match input(text) {
        Ok(i) => i,
        Err(e) => return a.done(call, Err(e)),
    };
    match op {
        Op::Missing => a.done(call, Err(Error::invalid_input("this build of cognito-wasm has no such operation"))),
        #[cfg(not(feature = "challenges"))]
        Op::SignIn => {
            let mut input = input;
            match (input.str_field("username"), input.str_field("password")) {
                (Some(u), Some(p)) => a.srp_sign_in(call, u, p),
                _ => a.done(call, Err(keyed("username and password", " are required strings"))),
            }
            // The password's copy in the parsed argument is wiped too.
            if let Json::Obj(members) = &mut input {
                for (_, v) in members.iter_mut() {
                    if let Json::Str(s) = v {
                        zeroize::Zeroize::zeroize(s);
                    }
                }
            }
        }
        // challenges
        #[cfg(feature = "challenges")]
        Op::SignIn | Op::RespondToChallenge | Op::PrepareSignIn | Op::SignUp | Op::ConfirmSignUp => {
            super::challenges::start(a, call, op, input)
        }
        #[cfg(feature = "hosted-ui")]
        Op::AuthorizeUrl
        | Op::SignInWithRedirect
        | Op::HandleRedirectCallback
        | Op::VerifyIdToken
        | Op::GetUserInfo => super::hosted::start(a, call, op, &input),
        // server
        #[cfg(feature = "server")]
        Op::VerifyToken => super::hosted::start(a, call, op, &input),
        #[cfg(feature = "identity")]
        Op::GetAwsCredentials | Op::SignRequest | Op::PresignUrl | Op::SignFailed => {
            super::identity::start(a, call, op, input)
        }
        // extras
        #[cfg(feature = "extras")]
        Op::Extras(op) => super::extras::start(a, call, op, input),
        // account, devices, passkeys
        #[cfg(feature = "account")]
        Op::Account(op) => account::start(a, call, op, input),
        #[cfg(feature = "devices")]
        Op::Devices(op) => devices::start(a, call, op, input),
        #[cfg(feature = "passkeys")]
        Op::Passkeys(op) => passkeys::start(a, call, op, input),
    }
}

/// `currentSession()` answered for an operation that needs the signed-in user.
pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Result<Option<Session>, Error>) {
    #[cfg(feature = "identity")]
    let state = match state {
        State::Identity(st) => return super::identity::with_session(a, call, st, s),
        other => other,
    };
    // extras (no session is an answer there: `null`)
    #[cfg(feature = "extras")]
    let state = match state {
        State::Extras(st) => return super::extras::with_session(a, call, st, s),
        other => other,
    };
    let s = match s {
        Ok(Some(s)) => s,
        Ok(None) => return a.done(call, Err(Error::new(Code::NotSignedIn, "no user is signed in"))),
        Err(e) => return a.done(call, Err(e)),
    };
    match state {
        #[cfg(feature = "challenges")]
        State::Challenges(_) => drop(s),
        #[cfg(feature = "hosted-ui")]
        State::Hosted(st) => super::hosted::with_session(a, call, st, s),
        #[cfg(feature = "identity")]
        State::Identity(_) => {}
        #[cfg(feature = "extras")]
        State::Extras(_) => {}
        // account, devices, passkeys
        #[cfg(feature = "account")]
        State::Account(st) => account::with_session(a, call, st, s),
        #[cfg(feature = "devices")]
        State::Devices(st) => devices::with_session(a, call, st, s),
        #[cfg(feature = "passkeys")]
        State::Passkeys(st) => passkeys::with_session(a, call, st, s),
    }
}

/// A reply for an operation's task.
pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    match state {
        #[cfg(feature = "challenges")]
        State::Challenges(st) => super::challenges::resume(a, call, st, reply),
        #[cfg(feature = "hosted-ui")]
        State::Hosted(st) => super::hosted::resume(a, call, st, reply),
        #[cfg(feature = "identity")]
        State::Identity(st) => super::identity::resume(a, call, st, reply),
        // extras
        #[cfg(feature = "extras")]
        State::Extras(st) => super::extras::resume(a, call, st, reply),
        // account, devices, passkeys
        #[cfg(feature = "account")]
        State::Account(st) => account::resume(a, call, st, reply),
        #[cfg(feature = "devices")]
        State::Devices(st) => devices::resume(a, call, st, reply),
        #[cfg(feature = "passkeys")]
        State::Passkeys(st) => passkeys::resume(a, call, st, reply),
    }
}
