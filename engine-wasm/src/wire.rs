//! The text format between the runner and the engine.
//!
//! Input (one per call; `id`, `call` decimal):
//! - `c{call}␟S` currentSession · `c{call}␟O␟{flags}` signOut (1 global + 2 redirect) · `c{call}␟P␟{op}␟{argument as JSON}`
//!   any other operation (`engine::ops::Op::parse` names)
//! - `h{id}␟{status}␟{x-amzn-errortype or ␀}␟{Date header as epoch seconds, or ␀}␟{body}` (status 0:
//!   no response)
//! - `s{id}␟{1|0}` then `␟{value or ␀}` per Get (0: the storage threw)
//! - `t{id}` timer fired · `l{id}␟{1|0}` lock held / no Web Locks
//! - `w{id}␟1␟{credential JSON}` / `w{id}␟0␟{DOMException name}` WebAuthn ·
//!   `y{id}␟{1|0}` RS256 signature valid
//! - `n{notice}` BroadcastChannel message · `v{1|0}` page hidden
//!
//! Output records (␞-separated), first field the kind:
//! - `H id method url timeoutMs body (name value)*` · `D id operation retries` (`logLevel:
//!   'debug'`: the next `H` with this id, to time and log) · `S id (g key | s key value | r key)*`
//!   (`P`: the same on the tab's own storage)
//! - `T id at` · `X id` · `L id name` · `U id` · `B notice` · `N url` · `R url`
//! - `W id create(0|1) optionsJSON` · `V id n e data signature` (base64url)
//! - `E kind [session] [error]` · `C call result`
//! - session: `username idToken accessToken refreshToken|␀ expiresAt clockDrift idClaims
//!   accessClaims`; error: `code status|␀ retryable(0|1) serviceMessage|␀` (the library's
//!   own errors carry their code only: the runner has no prose to show and needs none)
//! - result: `s [session]` session or `n` none · `i session [state|␀]` signed in (`state`: the
//!   app's, after a hosted-UI sign-in) · `h name` challenge
//!   · `o revoked(0|1) [error]` signed out · `j json` an operation's result · `u` undefined
//!   · `e error`
#![forbid(unsafe_code)]

use alloc::string::String;

use cognito_wasm::encoding::{all_bytes, find_byte};
use cognito_wasm::engine::{Call, Done, Effect, Input, Notice, Reply};
use cognito_wasm::error::{Code, Error};
use cognito_wasm::protocol::HttpResponse;
use cognito_wasm::session::Session;
use cognito_wasm::timestamp::decimal;

const US: char = '\u{1f}';
const RS: char = '\u{1e}';
const NUL: &str = "\u{0}";

fn num(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    out.push_str(&decimal(n.unsigned_abs()));
}

/// One field; framing characters inside a value (a hostile reply) become spaces.
fn field(out: &mut String, v: &str) {
    out.push(US);
    // Runs between framing bytes copied whole (they are ASCII: every cut is a char boundary).
    let mut rest = v;
    while let Some(i) = find_byte(rest, |b| b == 0x1f || b == 0x1e || b == 0) {
        out.push_str(rest.get(..i).unwrap_or(""));
        out.push(' ');
        rest = rest.get(i + 1..).unwrap_or("");
    }
    out.push_str(rest);
}

/// A missing value.
fn null(out: &mut String) {
    out.push(US);
    out.push('\0');
}

fn nfield(out: &mut String, n: i64) {
    out.push(US);
    num(out, n);
}

fn session(out: &mut String, s: &Session) {
    field(out, &s.username);
    field(out, &s.id_token);
    field(out, &s.access_token);
    match &s.refresh_token {
        Some(r) => field(out, r),
        None => null(out),
    }
    nfield(out, s.expires_at_ms());
    nfield(out, s.clock_drift);
    field(out, &s.id_claims);
    field(out, &s.access_claims);
}

pub fn error(out: &mut String, e: &Error) {
    field(out, e.code.as_str());
    match e.status {
        Some(st) => nfield(out, i64::from(st)),
        None => null(out),
    }
    field(out, if e.retryable() { "1" } else { "0" });
    // Empty in the `codes-only` build for the library's own errors.
    if e.message.is_empty() {
        null(out)
    } else {
        field(out, &e.message)
    }
}

pub fn effects(out: &mut String, effects: &[Effect]) {
    for e in effects {
        if !out.is_empty() {
            out.push(RS);
        }
        match e {
            Effect::Http { id, request } => {
                out.push('H');
                nfield(out, i64::from(*id));
                field(out, request.method.as_str());
                field(out, &request.url);
                nfield(out, i64::from(request.timeout_ms));
                field(out, &request.body);
                for (k, v) in &request.headers {
                    field(out, k);
                    field(out, v);
                }
            }
            Effect::Log { id, operation, retries } => {
                out.push('D');
                nfield(out, i64::from(*id));
                field(out, operation);
                nfield(out, i64::from(*retries));
            }
            Effect::Storage { id, ops } | Effect::TabStorage { id, ops } => {
                out.push(if matches!(e, Effect::Storage { .. }) { 'S' } else { 'P' });
                nfield(out, i64::from(*id));
                for op in ops.iter() {
                    match op {
                        cognito_wasm::engine::StorageOp::Get(k) => {
                            field(out, "g");
                            field(out, k);
                        }
                        cognito_wasm::engine::StorageOp::Set(k, v) => {
                            field(out, "s");
                            field(out, k);
                            field(out, v);
                        }
                        cognito_wasm::engine::StorageOp::Remove(k) => {
                            field(out, "r");
                            field(out, k);
                        }
                    }
                }
            }
            Effect::Timer { id, at } => {
                out.push('T');
                nfield(out, i64::from(*id));
                nfield(out, *at);
            }
            Effect::CancelTimer { id } => {
                out.push('X');
                nfield(out, i64::from(*id));
            }
            Effect::Lock { id, name } => {
                out.push('L');
                nfield(out, i64::from(*id));
                field(out, name);
            }
            Effect::Unlock { id } => {
                out.push('U');
                nfield(out, i64::from(*id));
            }
            Effect::Broadcast { notice } => {
                out.push('B');
                field(out, notice.as_str());
            }
            Effect::Navigate { url } => {
                out.push('N');
                field(out, url);
            }
            Effect::ReplaceUrl { url } => {
                out.push('R');
                field(out, url);
            }
            Effect::Emit { event } => {
                out.push('E');
                field(out, event.kind.as_str());
                if let Some(s) = &event.session {
                    session(out, s);
                }
                if let Some(e) = &event.error {
                    error(out, e);
                }
            }
            Effect::Complete { call, result } => {
                out.push('C');
                nfield(out, i64::from(*call));
                match result {
                    Ok(Done::Session(Some(s))) => {
                        field(out, "s");
                        session(out, s);
                    }
                    Ok(Done::Session(None)) => field(out, "n"),
                    Ok(Done::SignedIn(s)) => {
                        field(out, "i");
                        session(out, s);
                    }
                    Ok(Done::Redirected(s, state)) => {
                        field(out, "i");
                        session(out, s);
                        match state {
                            Some(st) => field(out, st),
                            None => null(out),
                        }
                    }
                    Ok(Done::Challenge(name)) => {
                        field(out, "h");
                        field(out, name);
                    }
                    Ok(Done::Json(Some(j))) => {
                        field(out, "j");
                        field(out, j);
                    }
                    Ok(Done::Json(None)) => field(out, "u"),
                    Ok(Done::SignedOut { revoked, error: e }) => {
                        field(out, "o");
                        field(out, if *revoked { "1" } else { "0" });
                        if let Some(e) = e {
                            error(out, e);
                        }
                    }
                    Err(e) => {
                        field(out, "e");
                        error(out, e);
                    }
                }
            }
            // Only the passkey and hosted-UI operations emit these: every build but the core
            // engine's (`codes-only`, which has neither) encodes them. An effect left out of the
            // output is a call that never completes.
            #[cfg(not(feature = "codes-only"))]
            Effect::WebAuthn { id, create, options } => {
                out.push('W');
                nfield(out, i64::from(*id));
                field(out, if *create { "1" } else { "0" });
                field(out, options);
            }
            #[cfg(not(feature = "codes-only"))]
            Effect::VerifyRs256 { id, n, e, data, signature } => {
                out.push('V');
                nfield(out, i64::from(*id));
                field(out, n);
                field(out, e);
                field(out, &cognito_wasm::encoding::base64url_encode(data));
                field(out, &cognito_wasm::encoding::base64url_encode(signature));
            }
            #[cfg(feature = "codes-only")]
            Effect::WebAuthn { .. } | Effect::VerifyRs256 { .. } => {}
        }
    }
}

fn int(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !all_bytes(s, |b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0u32, |acc, b| acc.checked_mul(10)?.checked_add(u32::from(b - b'0')))
}

fn opt(s: &str) -> Option<String> {
    (s != NUL).then(|| String::from(s))
}

/// The US-separated fields of an input, split on bytes (US is ASCII, so every cut is on a
/// character boundary): the same pieces as `str::split`, without its searcher.
struct Fields<'a>(Option<&'a str>);

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let r = self.0?;
        match find_byte(r, |b| b == 0x1f) {
            Some(i) => {
                self.0 = r.get(i + 1..);
                r.get(..i)
            }
            None => self.0.take(),
        }
    }
    /// Everything after the fields read so far, separators included (`splitn`'s last piece).
    fn rest(&mut self) -> Option<&'a str> {
        self.0.take()
    }
}

/// Parses one input; `None` for anything malformed (a runner bug, ignored).
pub fn parse_input(text: &str) -> Option<Input> {
    // The kind on bytes (a non-ASCII first character has no `get(1..)`: refused as before).
    let kind = *text.as_bytes().first()?;
    let rest = text.get(1..)?;
    let mut f = Fields(Some(rest));
    let first = f.next()?;
    Some(match kind {
        b'c' => {
            let call = int(first)?;
            let op = match f.next()? {
                "S" => Call::CurrentSession,
                // Flags: 1 global, 2 redirect.
                "O" => {
                    let b = f.next()?.bytes().next()?.wrapping_sub(b'0');
                    Call::SignOut { global: b & 1 != 0, redirect: b & 2 != 0 }
                }
                "P" => {
                    use cognito_wasm::engine::ops::Op;
                    let op = Op::parse(f.next()?).unwrap_or(Op::Missing);
                    Call::Op { op, input: String::from(f.rest().unwrap_or("")) }
                }
                _ => return None,
            };
            Input::Call { call, op }
        }
        b'h' => {
            let id = int(first)?;
            let status = int(f.next()?)?;
            let error_type = opt(f.next()?);
            // The runner's `Date.parse` of the header, in seconds (a decoding, not a decision).
            let date_s = f.next().and_then(int).unwrap_or(0);
            let body = String::from(f.rest().unwrap_or(""));
            let r = if status == 0 {
                Err(Error::new(Code::Network, "no response"))
            } else {
                Ok(HttpResponse { status: u16::try_from(status).ok()?, body, error_type, date_s })
            };
            Input::Reply { id, reply: Reply::Http(r) }
        }
        b's' => {
            let id = int(first)?;
            let ok = f.next()? == "1";
            let mut values = alloc::vec::Vec::new();
            while let Some(v) = f.next() {
                values.push(opt(v));
            }
            let reply = if ok { Reply::Storage(Ok(values)) } else { Reply::Storage(Err(())) };
            Input::Reply { id, reply }
        }
        b't' => Input::Reply { id: int(first)?, reply: Reply::Fired },
        b'l' => Input::Reply { id: int(first)?, reply: Reply::Locked(f.next()? == "1") },
        // `w{id}␟1␟{credential JSON}` or `w{id}␟0␟{DOMException name}` (replies to effects
        // the core engine never emits: it reads neither)
        #[cfg(not(feature = "codes-only"))]
        b'w' => {
            let id = int(first)?;
            let ok = f.next()? == "1";
            let v = String::from(f.rest().unwrap_or(""));
            Input::Reply { id, reply: Reply::WebAuthn(if ok { Ok(v) } else { Err(v) }) }
        }
        #[cfg(not(feature = "codes-only"))]
        b'y' => Input::Reply { id: int(first)?, reply: Reply::Verified(f.next()? == "1") },
        b'n' => Input::Notice(Notice::parse(first)?),
        b'v' => Input::Visibility { hidden: first == "1" },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every effect reaches the runner in every build that can emit it: the hosted engine
    /// once dropped VerifyRs256, so its hosted-UI callback and `verifyIdToken` never
    /// completed. scripts/test.sh runs this for each engine build.
    #[cfg(not(feature = "codes-only"))]
    #[test]
    fn webauthn_and_rs256_effects_are_encoded() {
        let mut out = String::new();
        effects(
            &mut out,
            &[
                Effect::WebAuthn { id: 3, create: false, options: String::from("{}") },
                Effect::VerifyRs256 {
                    id: 4,
                    n: String::from("nn"),
                    e: String::from("AQAB"),
                    data: alloc::vec![1, 2],
                    signature: alloc::vec![3],
                },
            ],
        );
        assert_eq!(out, "W\u{1f}3\u{1f}0\u{1f}{}\u{1e}V\u{1f}4\u{1f}nn\u{1f}AQAB\u{1f}AQI\u{1f}Aw");
    }

    #[test]
    fn inputs_parse_and_malformed_ones_are_refused() {
        assert!(matches!(parse_input("c7\u{1f}S"), Some(Input::Call { call: 7, op: Call::CurrentSession })));
        assert!(matches!(
            parse_input("c7\u{1f}O\u{1f}2"),
            Some(Input::Call { call: 7, op: Call::SignOut { global: false, redirect: true } })
        ));
        assert!(matches!(
            parse_input("c7\u{1f}O\u{1f}1"),
            Some(Input::Call { op: Call::SignOut { global: true, redirect: false }, .. })
        ));
        assert!(matches!(
            parse_input("c7\u{1f}O\u{1f}3"),
            Some(Input::Call { op: Call::SignOut { global: true, redirect: true }, .. })
        ));
        assert!(parse_input("c7\u{1f}O").is_none(), "a sign-out without its flags");
        // The runner signs in with `P signIn {json}` (an operation): `I` is no input.
        assert!(parse_input("c8\u{1f}I\u{1f}alice\u{1f}pw").is_none());
        match parse_input("h3\u{1f}400\u{1f}NotAuthorizedException:\u{1f}1691768409\u{1f}{\"a\":\"\u{1f}\"}") {
            Some(Input::Reply { id: 3, reply: Reply::Http(Ok(r)) }) => {
                assert_eq!(
                    (r.status, r.error_type.as_deref(), r.date_s, r.body.as_str()),
                    (400, Some("NotAuthorizedException:"), 1_691_768_409, "{\"a\":\"\u{1f}\"}")
                );
            }
            other => panic!("{other:?}"),
        }
        // No readable `Date` (␀), or one that is not epoch seconds in a u32: 0, none.
        for date in ["\u{0}", "NaN", "", "-5", "99999999999"] {
            match parse_input(&format!("h3\u{1f}200\u{1f}\u{0}\u{1f}{date}\u{1f}{{}}")) {
                Some(Input::Reply { reply: Reply::Http(Ok(r)), .. }) => {
                    assert_eq!((r.date_s, r.body.as_str()), (0, "{}"))
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            parse_input("h3\u{1f}0\u{1f}\u{0}\u{1f}\u{0}\u{1f}"),
            Some(Input::Reply { reply: Reply::Http(Err(_)), .. })
        ));
        match parse_input("s4\u{1f}1\u{1f}alice\u{1f}\u{0}") {
            Some(Input::Reply { id: 4, reply: Reply::Storage(Ok(v)) }) => assert_eq!(v, [Some("alice".into()), None]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_input("s4\u{1f}0"), Some(Input::Reply { reply: Reply::Storage(Err(())), .. })));
        match parse_input("s4\u{1f}1") {
            Some(Input::Reply { id: 4, reply: Reply::Storage(Ok(v)) }) => assert!(v.is_empty()),
            other => panic!("{other:?}"),
        }
        match parse_input("s4\u{1f}1\u{1f}\u{1f}é") {
            Some(Input::Reply { id: 4, reply: Reply::Storage(Ok(v)) }) => {
                assert_eq!(v, [Some(String::new()), Some("é".into())])
            }
            other => panic!("{other:?}"),
        }
        match parse_input("h3\u{1f}200\u{1f}\u{0}") {
            Some(Input::Reply { id: 3, reply: Reply::Http(Ok(r)) }) => {
                assert_eq!((r.status, r.error_type, r.body.as_str()), (200, None, ""))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_input("l5\u{1f}0"), Some(Input::Reply { id: 5, reply: Reply::Locked(false) })));
        assert!(matches!(parse_input("ntokenRefreshed"), Some(Input::Notice(Notice::TokenRefreshed))));
        for bad in [
            "",
            "x",
            "c\u{1f}S",
            "c1\u{1f}Q",
            "h1\u{1f}99999999999\u{1f}\u{0}\u{1f}",
            "h1\u{1f}70000\u{1f}\u{0}\u{1f}",
            "nsomething",
            "t-1",
            "c4294967296\u{1f}S",
        ] {
            assert!(parse_input(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn effects_are_framed_and_hostile_values_cannot_break_the_frame() {
        let mut out = String::new();
        // A Cognito error, as the protocol reads it (its message is kept in every build).
        let e = cognito_wasm::protocol::parse_error(&HttpResponse {
            status: 400,
            body: String::from(r#"{"__type":"NotAuthorizedException","message":"bad\u001e\u001fx"}"#),
            error_type: None,
            date_s: 0,
        });
        effects(
            &mut out,
            &[
                Effect::Timer { id: 1, at: -5 },
                Effect::Complete { call: 2, result: Err(e) },
                // Natively (no `codes-only`) the library's message crosses too.
                Effect::Complete { call: 3, result: Err(Error::invalid_input("prose stays in Rust")) },
            ],
        );
        let mut f = String::new();
        field(&mut f, "\u{0}é\u{1e}\u{1f}ü\u{0}");
        field(&mut f, "");
        assert_eq!(f, "\u{1f} é  ü \u{1f}");
        let mut d = String::new();
        effects(&mut d, &[Effect::Log { id: 7, operation: "/oauth2/token", retries: 2 }]);
        assert_eq!(d, "D\u{1f}7\u{1f}/oauth2/token\u{1f}2");
        // In the builds without the library's prose (`codes-only`, `core-hosted`): a ␀.
        let prose = if Error::invalid_input("x").message.is_empty() { "\u{0}" } else { "prose stays in Rust" };
        assert_eq!(out, alloc::format!("T\u{1f}1\u{1f}-5\u{1e}C\u{1f}2\u{1f}e\u{1f}NotAuthorizedException\u{1f}400\u{1f}0\u{1f}bad  x\u{1e}C\u{1f}3\u{1f}e\u{1f}InvalidInput\u{1f}\u{0}\u{1f}0\u{1f}{prose}"));
    }

    #[test]
    fn a_sign_in_and_a_redirect_callback_carry_the_session_and_the_apps_state() {
        let s = Session {
            username: String::from("alice"),
            id_token: String::from("i.d.t"),
            access_token: String::from("a.c.c"),
            refresh_token: None,
            clock_drift: -3,
            access_exp: 1_700_000_000,
            id_exp: 1_700_000_100,
            id_claims: String::from("{}"),
            access_claims: String::from("{}"),
        };
        let session = "\u{1f}alice\u{1f}i.d.t\u{1f}a.c.c\u{1f}\u{0}\u{1f}1699999997000\u{1f}-3\u{1f}{}\u{1f}{}";
        for (done, tail) in [
            (Done::SignedIn(s.clone()), ""),
            (Done::Redirected(s.clone(), Some(String::from("/home\u{1f}x"))), "\u{1f}/home x"),
            (Done::Redirected(s.clone(), None), "\u{1f}\u{0}"),
        ] {
            let mut out = String::new();
            effects(&mut out, &[Effect::Complete { call: 4, result: Ok(done) }]);
            assert_eq!(out, alloc::format!("C\u{1f}4\u{1f}i{session}{tail}"));
        }
    }
}
