//! Choice-based sign-in (USER_AUTH) and passkeys: `signIn` without a password or with
//! `preferredChallenge`, answers to SELECT_CHALLENGE, the WEB_AUTHN ceremony run for the
//! app, and `registerPasskey` / `listPasskeys` / `deletePasskey` / `isPasskeySupported`.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::account::json_to_js;
use super::{opt_string, set, to_js, CognitoAuth, Inner};
use crate::account::parse_empty;
use crate::encoding::base64url_encode;
use crate::error::Error;
use crate::flow::{Answer, FirstFactor, Password, Pending, SignIn};
use crate::json::Json;
use crate::passkey;
use crate::protocol::HttpRequest;
use crate::web::{retry, webauthn};

/// At most this many ListWebAuthnCredentials pages for `listPasskeys()` without paging.
const MAX_PAGES: usize = 50;

impl Inner {
    /// The factor named `name` (PREFERRED_CHALLENGE / ANSWER), with the password it needs.
    fn first_factor(&self, name: &str, password: Option<Password>) -> Result<FirstFactor, Error> {
        let need = || Error::invalid_input("password is required for PASSWORD and PASSWORD_SRP");
        Ok(match name {
            "WEB_AUTHN" => FirstFactor::WebAuthn,
            "EMAIL_OTP" => FirstFactor::EmailOtp,
            "SMS_OTP" => FirstFactor::SmsOtp,
            "PASSWORD" => FirstFactor::Password(password.ok_or_else(need)?),
            "PASSWORD_SRP" => FirstFactor::PasswordSrp(password.ok_or_else(need)?, self.take_ephemeral()?),
            _ => {
                return Err(Error::invalid_input(
                    "the challenge must be 'WEB_AUTHN', 'EMAIL_OTP', 'SMS_OTP', 'PASSWORD' or 'PASSWORD_SRP'",
                ))
            }
        })
    }

    /// `signIn` with USER_AUTH. A password without `preferredChallenge` prefers PASSWORD_SRP.
    pub(crate) async fn sign_in_user_auth(
        self: &Rc<Self>,
        username: &str,
        password: Option<Password>,
        preferred: Option<String>,
        metadata: &[(String, String)],
    ) -> Result<JsValue, Error> {
        let factor = match (preferred, password) {
            (Some(name), p) => Some(self.first_factor(&name, p)?),
            (None, Some(p)) => Some(self.first_factor("PASSWORD_SRP", Some(p))?),
            (None, None) => None,
        };
        let (flow, req) = SignIn::start_user_auth(&self.config, self.secret(), username, factor, metadata)?;
        self.drive(flow, req).await
    }

    /// The answer to a pending SELECT_CHALLENGE: `{ answer }` (with `password` for the
    /// password factors), or `{ password }` alone (PASSWORD_SRP when offered, else
    /// PASSWORD). `None` when no SELECT_CHALLENGE is pending.
    pub(crate) fn select_answer(&self, input: &JsValue) -> Result<Option<Answer>, Error> {
        // Whether `{ password }` alone means PASSWORD_SRP.
        let srp = match self.pending.borrow().as_ref().map(Pending::challenge) {
            Some(c) if c.name == "SELECT_CHALLENGE" => {
                c.available.is_empty() || c.available.iter().any(|a| a == "PASSWORD_SRP")
            }
            _ => return Ok(None),
        };
        let password = opt_string(input, "password")?.map(|p| Password::new(&p));
        let name = match (opt_string(input, "answer")?, &password) {
            (Some(a), _) => a,
            (None, Some(_)) if srp => String::from("PASSWORD_SRP"),
            (None, Some(_)) => String::from("PASSWORD"),
            (None, None) => {
                return Err(Error::invalid_input(
                    "answer SELECT_CHALLENGE with { answer } (one of availableChallenges) or { password }",
                ))
            }
        };
        Ok(Some(Answer::Select(self.first_factor(&name, password)?)))
    }

    /// Whether the pending challenge is a WEB_AUTHN left by a failed ceremony.
    pub(crate) fn passkey_pending(&self) -> bool {
        self.pending.borrow().as_ref().is_some_and(|p| p.challenge().name == "WEB_AUTHN")
    }

    /// Answers WEB_AUTHN: `navigator.credentials.get` with Cognito's options, then the
    /// CREDENTIAL answer. When the ceremony fails (cancelled, …) nothing was sent, and the
    /// challenge stays pending so `respondToChallenge({ answer: 'WEB_AUTHN' })` can try again.
    pub(crate) async fn passkey_answer(&self, p: Pending) -> Result<(SignIn, HttpRequest), Error> {
        self.pending.borrow_mut().take();
        let result = async {
            let text = p
                .challenge()
                .param("CREDENTIAL_REQUEST_OPTIONS")
                .ok_or_else(|| Error::invalid_response("WEB_AUTHN challenge lacks CREDENTIAL_REQUEST_OPTIONS"))?;
            let assertion = webauthn::get_assertion(&passkey::parse_request_options(text)?).await?;
            p.respond(Answer::WebAuthn(passkey::assertion_json(&assertion)), &[])
        }
        .await;
        if result.is_err() {
            *self.pending.borrow_mut() = Some(p);
        }
        result
    }

    /// `respondToChallenge({ answer: 'WEB_AUTHN' })` while a WEB_AUTHN challenge is pending:
    /// the ceremony again.
    pub(crate) async fn retry_passkey(self: &Rc<Self>, input: &JsValue) -> Result<JsValue, Error> {
        if opt_string(input, "answer")?.as_deref() != Some("WEB_AUTHN") {
            return Err(Error::invalid_input("a pending WEB_AUTHN is retried with { answer: 'WEB_AUTHN' }"));
        }
        let p = self
            .pending
            .borrow_mut()
            .take()
            .ok_or_else(|| Error::invalid_input("no challenge is waiting for an answer"))?;
        let (flow, req) = self.passkey_answer(p).await?;
        self.drive(flow, req).await
    }

    /// The management calls, in one async body (each `future_to_promise` closure costs
    /// kilobytes of wasm).
    async fn passkey_call(self: &Rc<Self>, op: Op, input: JsValue) -> Result<JsValue, Error> {
        let s = self.fresh_session().await?;
        let token = s.access_token.as_str();
        match op {
            Op::Register => self.register_passkey(token).await,
            Op::List => self.list_passkeys(token, input).await,
            Op::Delete => {
                let id = input.as_string().ok_or_else(|| Error::invalid_input("credentialId must be a string"))?;
                parse_empty(&retry::send(&passkey::delete_passkey(&self.config, token, &id)?).await?)?;
                Ok(JsValue::UNDEFINED)
            }
        }
    }

    async fn register_passkey(&self, token: &str) -> Result<JsValue, Error> {
        let resp = retry::send(&passkey::start_registration(&self.config, token)?).await?;
        let options = passkey::parse_creation_options(&resp)?;
        let credential = webauthn::create_credential(&options).await?;
        let req = passkey::complete_registration(&self.config, token, &credential)?;
        parse_empty(&retry::send(&req).await?)?;
        let o = Object::new();
        set(&o, "credentialId", &JsValue::from_str(&base64url_encode(&credential.raw_id)));
        Ok(o.into())
    }

    async fn list_passkeys(&self, token: &str, input: JsValue) -> Result<JsValue, Error> {
        let (max, mut next) = if input.is_object() {
            let max = Reflect::get(&input, &"maxResults".into()).unwrap_or(JsValue::UNDEFINED);
            let max = match max.as_f64() {
                Some(n) if (1.0..=20.0).contains(&n) && n == (n as u32) as f64 => Some(n as u32),
                Some(_) => return Err(Error::invalid_input("maxResults must be from 1 to 20")),
                None if max.is_undefined() || max.is_null() => None,
                None => return Err(Error::invalid_input("maxResults must be a number")),
            };
            (max, opt_string(&input, "nextToken")?)
        } else {
            (None, None)
        };
        let one_page = max.is_some() || next.is_some();
        let mut all: Vec<Json> = Vec::new();
        for _ in 0..MAX_PAGES {
            let req = passkey::list_passkeys(&self.config, token, max, next.as_deref())?;
            let (mut items, token) = passkey::parse_list_passkeys(&retry::send(&req).await?)?;
            all.append(&mut items);
            next = token;
            if one_page || next.is_none() {
                break;
            }
        }
        let o = Object::new();
        set(&o, "passkeys", &json_to_js(&Json::Arr(all)));
        set(&o, "nextToken", &next.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        Ok(o.into())
    }
}

#[derive(Clone, Copy)]
enum Op {
    Register,
    List,
    Delete,
}

fn spawn(a: &CognitoAuth, op: Op, input: JsValue) -> Promise {
    let inner = Rc::clone(&a.inner);
    future_to_promise(async move { inner.passkey_call(op, input).await.map_err(to_js) })
}

#[wasm_bindgen]
impl CognitoAuth {
    /// True where passkeys can work: a secure context with WebAuthn (`PublicKeyCredential`
    /// and `navigator.credentials`). Synchronous; says nothing about the pool's settings.
    #[wasm_bindgen(js_name = isPasskeySupported)]
    pub fn is_passkey_supported() -> bool {
        webauthn::is_supported()
    }

    /// StartWebAuthnRegistration → `navigator.credentials.create` →
    /// CompleteWebAuthnRegistration, for the signed-in user.
    #[wasm_bindgen(js_name = registerPasskey)]
    pub fn register_passkey(&self) -> Promise {
        spawn(self, Op::Register, JsValue::UNDEFINED)
    }

    /// ListWebAuthnCredentials: every page, or one page with `{ maxResults, nextToken }`.
    #[wasm_bindgen(js_name = listPasskeys)]
    pub fn list_passkeys(&self, input: JsValue) -> Promise {
        spawn(self, Op::List, input)
    }

    /// DeleteWebAuthnCredential.
    #[wasm_bindgen(js_name = deletePasskey)]
    pub fn delete_passkey(&self, credential_id: JsValue) -> Promise {
        spawn(self, Op::Delete, credential_id)
    }
}
