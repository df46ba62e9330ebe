//! Every reply parser: sign-in (with the challenges it leads to), refresh, account, devices,
//! passkey options, identity pool (with STS's XML), OAuth token and userInfo replies, and the error mapping.
//! Input: a parser byte, a status byte, then one or more bodies separated by a 0x1e byte
//! (a multi-step flow takes the next body for each request it sends). Checks: no panic,
//! and an error that describes a reply carries that reply's status.
#![no_main]
#[path = "common.rs"]
mod common;
use cognito_wasm::error::Error;
use cognito_wasm::flow::{self, Answer, FirstFactor, Password, SignIn, Step};
use cognito_wasm::identity::{self, CredentialsFlow, IdentityConfig, Login};
use cognito_wasm::protocol::{self, HttpResponse};
use cognito_wasm::{account, device, idtoken, oauth, passkey, refresh};
use common::*;
use libfuzzer_sys::fuzz_target;

fn status(b: u8) -> u16 {
    match b % 8 {
        0..=3 => 200,
        4 => 400,
        5 => 500,
        6 => 503,
        _ => 100 + u16::from(b),
    }
}

fn sign_in(kind: u8, bodies: &mut dyn Iterator<Item = HttpResponse>) {
    let c = config();
    let pw = || Password::new("correct horse");
    let started = match kind % 3 {
        0 => SignIn::start_password(&c, None, "dave", pw(), &[]),
        1 => SignIn::start_custom(&c, None, "dave", &[]),
        _ => SignIn::start_user_auth(&c, None, "dave", None, &[]),
    };
    let (mut flow, _) = started.unwrap();
    for round in 0..6u8 {
        let Some(resp) = bodies.next() else { return };
        let step = flow.handle(&resp, NOW_MS);
        check(&step, &resp);
        let pending = match step {
            Ok(Step::Send(next, _)) => {
                flow = next;
                continue;
            }
            Ok(Step::Challenge(p)) => p,
            Ok(Step::SignedIn(s)) | Ok(Step::SignedInNewDevice(s, _)) => {
                assert!(!s.username.is_empty());
                return;
            }
            Err(_) => return,
        };
        let ch = pending.challenge();
        let _ = (ch.param("USER_ID_FOR_SRP"), pending.totp_secret(), flow::string_list(ch.param("MFAS_CAN_CHOOSE")));
        let answer = match (ch.name.as_str(), round % 3) {
            ("SELECT_MFA_TYPE", _) => Answer::MfaType("SOFTWARE_TOKEN_MFA".into()),
            ("NEW_PASSWORD_REQUIRED", _) => {
                Answer::NewPassword { password: pw(), attributes: vec![("name".into(), "D".into())] }
            }
            ("CUSTOM_CHALLENGE", _) => Answer::Custom("42".into()),
            ("SELECT_CHALLENGE", 0) => Answer::Select(FirstFactor::Password(pw())),
            ("SELECT_CHALLENGE", _) => Answer::Select(FirstFactor::EmailOtp),
            ("WEB_AUTHN", _) => Answer::WebAuthn("{}".into()),
            _ => Answer::Code { code: "123456".into(), device_name: None },
        };
        match pending.respond(answer, &[]) {
            Ok((next, _)) => flow = next,
            Err(_) => return,
        }
    }
}

fn run(which: u8, resp: &HttpResponse, rest: &mut dyn Iterator<Item = HttpResponse>) {
    let c = config();
    match which % 10 {
        0..=1 => sign_in(which / 10, &mut std::iter::once(resp.clone()).chain(rest)),
        2 => {
            let old = session();
            let r = refresh::parse_user_pool_reply(&c, &old, resp, NOW_MS);
            check(&r, resp);
            if let Ok(s) = r {
                assert_eq!(s.username, old.username);
            }
            let r = refresh::parse_oauth_reply(&c, &old, resp, NOW_MS);
            check(&r, resp);
            check(&refresh::parse_empty_reply(resp, which & 0x80 != 0), resp);
        }
        3 => {
            check(&account::parse_sign_up(resp), resp);
            check(&account::parse_code_delivery(resp), resp);
            check(&account::parse_update_attributes(resp), resp);
            check(&account::parse_empty(resp), resp);
            check(&account::parse_get_user(resp), resp);
            check(&account::parse_associate(resp), resp);
            check(&account::parse_verify_software_token(resp), resp);
        }
        4 => {
            check(&device::parse_confirm_device(resp), resp);
            check(&device::parse_list_devices(resp), resp);
        }
        5 => {
            // CREDENTIAL_REQUEST_OPTIONS arrives as a challenge parameter (text, no status).
            let _ = passkey::parse_request_options(&resp.body);
            check(&passkey::parse_creation_options(resp), resp);
            check(&passkey::parse_list_passkeys(resp), resp);
        }
        6 => {
            check(&identity::parse_get_id(resp), resp);
            check(&identity::parse_credentials(resp, NOW_MS), resp);
            let cfg = IdentityConfig::new("us-east-1:0000-1111", Some("http://127.0.0.1:9229/")).unwrap();
            let login = Login::new(&c, &tokens("dave").id_token, NOW_MS + 3_600_000);
            // The basic flow's replies too (GetOpenIdToken, STS's XML).
            check(&identity::parse_open_id_token(resp), resp);
            check(&identity::parse_assume_role(resp, "us-east-1:id", NOW_MS), resp);
            let stored = if which & 0x80 != 0 { Some("us-east-1:id") } else { None };
            let (mut f, _) = if which & 0x40 != 0 {
                CredentialsFlow::start_basic(&cfg, Some(login), stored, "arn:aws:iam::123456789012:role/R")
            } else {
                CredentialsFlow::start(&cfg, Some(login), stored)
            };
            let mut next = Some(resp.clone());
            for _ in 0..4 {
                let Some(r) = next.take() else { return };
                let step = f.handle(&r, NOW_MS);
                check(&step, &r);
                match step {
                    Ok(identity::Step::Send(g, _) | identity::Step::Sts(g, _)) => f = g,
                    Ok(identity::Step::NeedFreshTokens(g)) => {
                        f = g.retry_with(Login::new(&c, &tokens("dave").id_token, NOW_MS + 3_600_000)).0;
                    }
                    Ok(identity::Step::Done(creds)) => {
                        let _ = creds.needs_renewal(NOW_MS);
                        return;
                    }
                    Err(_) => return,
                }
                next = rest.next();
            }
        }
        7 => {
            check(&oauth::parse_token_reply(resp), resp);
            check(&oauth::parse_userinfo_reply(resp), resp);
            check_err(&oauth::parse_oauth_error(resp), resp);
        }
        8 => {
            if let Ok(k) = idtoken::parse_jwks(&resp.body) {
                let _ = k.find("k");
            }
        }
        _ => {
            let e: Error = protocol::parse_error(resp);
            check_err(&e, resp);
            let ok = protocol::parse_success(resp);
            check(&ok, resp);
            if let Ok(body) = ok {
                let _ = protocol::parse_auth_reply(&body);
            }
            let _ = flow::string_list(Some(&resp.body));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, st, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);
    let error_type = (st & 0x10 != 0).then(|| String::from("NotAuthorizedException:http://internal.amazon.com/"));
    let mut bodies = text.split('\u{1e}').map(|b| HttpResponse {
        status: status(*st),
        body: b.to_string(),
        error_type: error_type.clone(),
        date_s: 0,
    });
    let Some(first) = bodies.next() else { return };
    run(*which, &first, &mut bodies);
});
