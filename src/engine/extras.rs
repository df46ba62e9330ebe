//! The conveniences Amplify and amazon-cognito-identity-js users expect (feature `extras`):
//! `currentSession({ forceRefresh: true })` and the synchronous `getCurrentUser()`.
//!
//! - `currentSession({ forceRefresh })`: without the flag it is `currentSession()`. With it,
//!   the stored session is refreshed even when its tokens are fresh, through the one
//!   single-flight refresh every other caller uses (`Auth::refresh_op`, as identity's
//!   expired-token retry): a refresh already in progress is joined, another tab that refreshed
//!   meanwhile is used, and a refresh token Cognito rejects ends the session (`null`, as
//!   `currentSession()`). No session: `null`.
//! - `getCurrentUser()` reads storage and sends nothing: `{ username, userId }` (the stored
//!   `LastAuthUser` and the ID token's `sub`) or `null`. The tokens are not refreshed and may
//!   be expired: it says who is signed in on this device, not that the session still works.
//!   The engine cannot wait inside a synchronous call, so for shared storage it names the keys
//!   it needs (`{"read": [keys]}`) and the runner calls again with their values
//!   (`{"values": {key: value|null}}`); with memory storage (configured, or after a
//!   fallback) it reads its own memory. A storage whose `getItem` returns a promise
//!   (`{"async": true}`) is an `InvalidInput` error; one that throws (`{"failed": true}`) a
//!   `StorageUnavailable` one.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use super::effect::{Done, Reply, StorageOp};
use super::life::Auth;
use super::ops;
use super::StorageKind;
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::session::{self, Session};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    CurrentSession,
    GetCurrentUser,
}

pub(crate) fn parse(name: &str) -> Option<Op> {
    Some(match name {
        "currentSession" => Op::CurrentSession,
        "getCurrentUser" => Op::GetCurrentUser,
        _ => return None,
    })
}

pub enum State {
    /// The session (refreshed when due, or forced): the call's answer.
    Answer,
    /// The stored session, to refresh.
    Force,
    /// Memory storage: `LastAuthUser` read.
    Last,
    /// Memory storage: the user's session keys read.
    Keys(Vec<String>),
}

fn wrap(s: State) -> ops::State {
    ops::State::Extras(s)
}

const USER_FIELDS: [&str; 4] = ["idToken", "accessToken", "refreshToken", "clockDrift"];

pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: Json) {
    match op {
        Op::CurrentSession => match input.get("forceRefresh") {
            None | Some(Json::Null) | Some(Json::Bool(false)) => a.with_current_session(call, wrap(State::Answer)),
            Some(Json::Bool(true)) => a.with_stored_session(call, wrap(State::Force)),
            Some(_) => a.done(call, Err(ops::keyed("forceRefresh", " must be a boolean"))),
        },
        Op::GetCurrentUser => {
            if input.get("async").is_some() {
                return a.done(
                    call,
                    Err(Error::invalid_input(
                        "getCurrentUser() reads storage synchronously and this storage is asynchronous: use currentSession()",
                    )),
                );
            }
            if input.get("failed").is_some() {
                return a.done(call, Err(Error::new(Code::StorageUnavailable, "the storage threw")));
            }
            let last = session::last_user_key(a.config().client.client_id());
            if a.storage_kind() == StorageKind::Memory {
                return a.storage_op(alloc::vec![StorageOp::Get(last)], call, wrap(State::Last));
            }
            let values = input.get("values");
            let known = |k: &str| -> Option<Option<String>> {
                match values?.get(k)? {
                    Json::Str(v) => Some(Some(v.clone())),
                    _ => Some(None),
                }
            };
            let Some(user) = known(&last) else { return read(a, call, alloc::vec![last]) };
            let Some(user) = user.filter(|u| !u.is_empty()) else {
                return a.done(call, Ok(Done::Json(Some(String::from("null")))));
            };
            let mut keys = alloc::vec![last];
            keys.extend(USER_FIELDS.iter().map(|f| a.user_key(&user, f)));
            if keys.iter().any(|k| known(k).is_none()) {
                return read(a, call, keys);
            }
            let user = load_user(a, &|k| known(k).flatten());
            a.done(call, Ok(Done::Json(Some(user))));
        }
    }
}

/// `{"read": keys}`: the runner reads them and asks again.
fn read(a: &mut Auth, call: u32, keys: Vec<String>) {
    let o = Json::Obj(alloc::vec![(String::from("read"), json::string_array(keys))]);
    a.done(call, Ok(Done::Json(Some(o.to_text()))));
}

/// `{"username", "userId"}` of the session stored for this pool and client, or `null` (one
/// instance of `Session::load` for both paths).
fn load_user(a: &Auth, get: &dyn Fn(&str) -> Option<String>) -> String {
    let Some(s) = Session::load(&a.config().client, get) else { return String::from("null") };
    let sub = json::parse(&s.id_claims).and_then(|c| c.str_field("sub").map(String::from)).unwrap_or_default();
    json::str_object(&[("username", s.username.as_str()), ("userId", sub.as_str())]).to_text()
}

/// The session answered (`currentSession()` or the stored one). Called for every answer,
/// including none (`null`, not `NotSignedIn`).
pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Result<Option<Session>, Error>) {
    match (state, s) {
        (State::Force, Ok(Some(s))) => a.refresh_op(call, wrap(State::Answer), s),
        (_, Ok(s)) => a.done(call, Ok(Done::Session(s))),
        (_, Err(e)) => a.done(call, Err(e)),
    }
}

/// Memory storage's reads for `getCurrentUser()`.
pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    let Reply::Storage(Ok(got)) = reply else {
        return a.done(call, Err(Error::new(Code::StorageUnavailable, "the storage threw")));
    };
    match state {
        State::Last => match got.into_iter().next().flatten().filter(|u| !u.is_empty()) {
            None => a.done(call, Ok(Done::Json(Some(String::from("null"))))),
            Some(user) => {
                let mut keys = alloc::vec![session::last_user_key(a.config().client.client_id())];
                keys.extend(USER_FIELDS.iter().map(|f| a.user_key(&user, f)));
                let ops = StorageOp::batch(&keys, true);
                a.storage_op(ops, call, wrap(State::Keys(keys)));
            }
        },
        State::Keys(keys) => {
            let user = load_user(a, &|k| keys.iter().position(|n| n == k).and_then(|i| got.get(i).cloned().flatten()));
            a.done(call, Ok(Done::Json(Some(user))));
        }
        State::Answer | State::Force => {}
    }
}
