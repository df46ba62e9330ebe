//! Remembered devices on the engine (feature `devices`): `rememberDevice`,
//! `doNotRememberDevice`, `forgetDevice`, `listDevices` (every ListDevices page) and
//! `getDevice` for the signed-in user.
//!
//! This browser's device is the one stored for the user under amazon-cognito-identity-js's
//! keys (`crate::device::device_storage_keys`: `….{username}.deviceKey`, `deviceGroupKey`,
//! `randomPasswordKey`), in the configured storage, where the sign-in flow keeps it
//! (ConfirmDevice after a sign-in with `NewDeviceMetadata`, device SRP on the next one).
//! `forgetDevice` of that device also removes those keys.
#![forbid(unsafe_code)]

use alloc::string::String;

use super::effect::{Done, Reply, StorageOp};
use super::http;
use super::life::Auth;
use super::ops::{self, opt_str};
use crate::account::parse_empty;
use crate::device;
use crate::error::Error;
use crate::json::Json;
use crate::session::Session;

/// The device calls, a closed set: `ForgetDevice` (destructive) is reached only from
/// `forgetDevice`, never by an unmatched name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    ListDevices,
    GetDevice,
    RememberDevice,
    DoNotRememberDevice,
    ForgetDevice,
}

pub(crate) fn parse(name: &str) -> Option<Op> {
    Some(match name {
        "listDevices" => Op::ListDevices,
        "getDevice" => Op::GetDevice,
        "rememberDevice" => Op::RememberDevice,
        "doNotRememberDevice" => Op::DoNotRememberDevice,
        "forgetDevice" => Op::ForgetDevice,
        _ => return None,
    })
}

/// At most this many ListDevices pages (of 60) for one `listDevices()`: a server that keeps
/// answering with a `PaginationToken` ends in an error, not in a loop.
const MAX_PAGES: u32 = 100;

/// What a device operation waits for.
pub enum State {
    Session(Op, Json),
    /// This browser's device key for `user` (read from storage); `given`: `forgetDevice`'s
    /// `{deviceKey}`.
    Key {
        op: Op,
        given: Option<String>,
        token: String,
        user: String,
    },
    /// The request's reply; `Some(user)` when the device forgotten is this browser's.
    Reply(Op, Option<String>),
    /// A ListDevices page: the access token, the devices so far (JSON text, comma-separated)
    /// and how many more pages may be asked for.
    Page {
        token: String,
        items: String,
        left: u32,
    },
    /// This browser's device keys are being removed.
    Forgotten,
}

fn wrap(s: State) -> ops::State {
    ops::State::Devices(s)
}

pub(crate) fn start(a: &mut Auth, call: u32, op: Op, input: Json) {
    a.with_current_session(call, wrap(State::Session(op, input)));
}

/// The session arrived: read this browser's device key for the user.
pub(crate) fn with_session(a: &mut Auth, call: u32, state: State, s: Session) {
    let State::Session(op, input) = state else { return };
    let given = match opt_str(&input, "deviceKey") {
        Ok(k) if matches!(op, Op::ForgetDevice | Op::GetDevice) => k.map(String::from),
        Ok(_) => None,
        Err(e) => return a.done(call, Err(e)),
    };
    let [key, ..] = device::device_storage_keys(a.config().client.client_id(), &s.username);
    let state = State::Key { op, given, token: s.access_token, user: s.username };
    a.storage_op(alloc::vec![StorageOp::Get(key)], call, wrap(state));
}

pub(crate) fn resume(a: &mut Auth, call: u32, state: State, reply: Reply) {
    match (state, reply) {
        (State::Key { op, given, token, user }, Reply::Storage(got)) => {
            // A read that threw finds nothing.
            let current = got.ok().and_then(|mut v| v.pop()).flatten().filter(|k| !k.is_empty());
            let c = &a.config().client;
            let mut forget_local = None;
            let r = match op {
                Op::ListDevices => {
                    let state = State::Page { token, items: String::new(), left: MAX_PAGES - 1 };
                    return page(a, call, state, None);
                }
                Op::GetDevice => match given.or(current) {
                    Some(k) => super::requests::device::get_device(c, &token, &k),
                    None => Err(Error::invalid_input("no deviceKey given and none stored")),
                },
                Op::RememberDevice | Op::DoNotRememberDevice => match current {
                    Some(k) => super::requests::device::update_device_status(c, &token, &k, op == Op::RememberDevice),
                    None => Err(Error::invalid_input("this browser has no device key for the user")),
                },
                Op::ForgetDevice => match given.or_else(|| current.clone()) {
                    Some(k) => {
                        if current.as_deref() == Some(k.as_str()) {
                            forget_local = Some(user);
                        }
                        super::requests::device::forget_device(c, &token, &k)
                    }
                    None => Err(Error::invalid_input("no deviceKey given and none stored")),
                },
            };
            match r {
                Ok(req) => a.send_op(http::api(req), call, wrap(State::Reply(op, forget_local))),
                Err(e) => a.done(call, Err(e)),
            }
        }
        (State::Reply(op, forget_local), Reply::Http(r)) => {
            let r = r.and_then(|resp| match op {
                Op::GetDevice => super::results::get_device(&resp).map(Some),
                _ => parse_empty(&resp).map(|()| None),
            });
            match (r, forget_local) {
                (Ok(_), Some(user)) => {
                    let keys = device::device_storage_keys(a.config().client.client_id(), &user);
                    a.storage_op(StorageOp::batch(&keys, false), call, wrap(State::Forgotten));
                }
                (r, _) => a.done(call, r.map(Done::Json)),
            }
        }
        (State::Page { token, mut items, left }, Reply::Http(r)) => {
            match r.and_then(|resp| super::results::devices_page(&resp, &mut items)) {
                Ok(Some(next)) if left > 0 => page(a, call, State::Page { token, items, left: left - 1 }, Some(&next)),
                Ok(Some(_)) => a.done(call, Err(Error::invalid_response("ListDevices did not end within 100 pages"))),
                Ok(None) => {
                    let mut list = String::from("[");
                    list.push_str(&items);
                    list.push(']');
                    a.done(call, Ok(Done::Json(Some(list))))
                }
                Err(e) => a.done(call, Err(e)),
            }
        }
        (State::Forgotten, Reply::Storage(_)) => a.done(call, Ok(Done::Json(None))),
        _ => {}
    }
}

/// Asks for the ListDevices page after `next` (the first without it).
fn page(a: &mut Auth, call: u32, state: State, next: Option<&str>) {
    let State::Page { token, .. } = &state else { return };
    match super::requests::device::list_devices(&a.config().client, token, next) {
        Ok(req) => a.send_op(http::api(req), call, wrap(state)),
        Err(e) => a.done(call, Err(e)),
    }
}
