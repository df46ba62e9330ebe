//! Sign-in (USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_AUTH, remembered devices) and
//! answering challenges. (The current session and sign-out: session.rs.)

use alloc::rc::Rc;
use alloc::string::String;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::account::{json_to_js, opt_pairs};
use super::{new_ephemeral, opt_string, req_string, require_object, session_to_js, set, to_js, CognitoAuth, Inner};
use crate::error::{Code, Error};
use crate::flow::{Answer, ClientSecret, Password, SignIn, Step};
use crate::protocol::HttpRequest;
use crate::refresh::TokenSource;
use crate::web::{self, retry};

impl Inner {
    pub(crate) fn secret(&self) -> Option<ClientSecret> {
        self.life.secret.as_ref().map(ClientSecret::duplicate)
    }

    pub(crate) fn take_ephemeral(&self) -> Result<crate::srp::SrpClient, Error> {
        let prepared = self.prepared.borrow_mut().take();
        match prepared {
            Some(srp) => Ok(srp),
            None => new_ephemeral(),
        }
    }

    /// USER_SRP_AUTH with a username and password (also the auto sign-in after sign-up),
    /// offering the remembered device. A device Cognito no longer knows
    /// (ResourceNotFoundException) is forgotten here and the sign-in retried without it.
    pub(crate) async fn sign_in_srp(self: &Rc<Self>, username: &str, password: Password) -> Result<JsValue, Error> {
        let srp = self.take_ephemeral()?;
        let device = self.device_for_sign_in(username).await?;
        let Some((d, dev_srp)) = device else {
            let (flow, req) = SignIn::start_with(&self.config, self.secret(), username, password, srp)?;
            return self.drive(flow, req).await;
        };
        let owner = d.owner.clone();
        let again = password.duplicate();
        let (flow, req) =
            SignIn::start_with_device(&self.config, self.secret(), username, password, srp, Some((d, dev_srp)))?;
        match self.drive(flow, req).await {
            // "Device does not exist." (not a missing app client, which would fail again).
            Err(e)
                if e.code == Code::Service(String::from("ResourceNotFoundException"))
                    && mentions_device(&e.message) =>
            {
                self.forget_local_device(&owner).await;
                let (flow, req) = SignIn::start_with(&self.config, self.secret(), username, again, new_ephemeral()?)?;
                self.drive(flow, req).await
            }
            other => other,
        }
    }

    async fn sign_in(self: &Rc<Self>, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "signIn input")?;
        let username = req_string(&input, "username")?;
        let password = opt_string(&input, "password")?.map(|p| Password::new(&p));
        let metadata = opt_pairs(&input, "clientMetadata")?;
        let flow = opt_string(&input, "authFlow")?;
        let preferred = opt_string(&input, "preferredChallenge")?;
        // USER_AUTH (passkey.rs): asked for, or a preferredChallenge, or no password.
        if matches!(flow.as_deref(), None | Some("USER_AUTH"))
            && (flow.is_some() || preferred.is_some() || password.is_none())
        {
            return self.sign_in_user_auth(&username, password, preferred, &metadata).await;
        }
        let need_password = || Error::invalid_input("password is required");
        let (flow, req) = match flow.as_deref().unwrap_or("USER_SRP_AUTH") {
            "USER_SRP_AUTH" => {
                if !metadata.is_empty() {
                    return Err(Error::invalid_input(
                        "clientMetadata needs authFlow USER_PASSWORD_AUTH or CUSTOM_AUTH",
                    ));
                }
                return self.sign_in_srp(&username, password.ok_or_else(need_password)?).await;
            }
            "USER_PASSWORD_AUTH" => SignIn::start_password(
                &self.config,
                self.secret(),
                &username,
                password.ok_or_else(need_password)?,
                &metadata,
            )?,
            "CUSTOM_AUTH" => match password {
                Some(p) => {
                    let srp = self.take_ephemeral()?;
                    SignIn::start_custom_with_srp(&self.config, self.secret(), &username, p, srp, &metadata)?
                }
                None => SignIn::start_custom(&self.config, self.secret(), &username, &metadata)?,
            },
            _ => {
                return Err(Error::invalid_input(
                    "authFlow must be 'USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'CUSTOM_AUTH' or 'USER_AUTH'",
                ))
            }
        };
        self.drive(flow, req).await
    }

    /// Runs a sign-in until it needs the user or is done.
    pub(crate) async fn drive(self: &Rc<Self>, mut flow: SignIn, mut req: HttpRequest) -> Result<JsValue, Error> {
        // At most: InitiateAuth, PASSWORD_VERIFIER, Associate/Verify/MFA_SETUP; a guard,
        // not a retry loop.
        for _ in 0..6 {
            let resp = retry::send(&req).await?;
            match flow.handle(&resp, web::now_ms())? {
                Step::Send(next, next_req) => {
                    flow = next;
                    req = next_req;
                }
                // The passkey ceremony runs here: one call for the app.
                Step::Challenge(p) if p.challenge().name == "WEB_AUTHN" => (flow, req) = self.passkey_answer(p).await?,
                Step::Challenge(p) => {
                    let v = json_to_js(&p.to_json(&self.account.totp_issuer));
                    *self.pending.borrow_mut() = Some(p);
                    return Ok(v);
                }
                Step::SignedIn(s) => {
                    self.pending.borrow_mut().take();
                    self.session_started(&s, TokenSource::UserPool).await;
                    let o = Object::new();
                    set(&o, "type", &"signedIn".into());
                    set(&o, "session", &session_to_js(&s));
                    return Ok(o.into());
                }
                Step::SignedInNewDevice(s, nd) => {
                    self.pending.borrow_mut().take();
                    self.session_started(&s, TokenSource::UserPool).await;
                    let o = Object::new();
                    set(&o, "type", &"signedIn".into());
                    set(&o, "session", &session_to_js(&s));
                    set(&o, "newDevice", &self.confirm_new_device(&s, &nd).await);
                    return Ok(o.into());
                }
            }
        }
        Err(Error::invalid_response("Cognito kept the sign-in going for too many steps"))
    }

    async fn respond(self: &Rc<Self>, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "respondToChallenge input")?;
        if self.passkey_pending() {
            return self.retry_passkey(&input).await;
        }
        let metadata = opt_pairs(&input, "clientMetadata")?;
        let answer = if let Some(a) = self.select_answer(&input)? {
            a
        } else if let Some(p) = opt_string(&input, "newPassword")? {
            Answer::NewPassword { password: Password::new(&p), attributes: opt_pairs(&input, "attributes")? }
        } else if let Some(t) = opt_string(&input, "mfaType")? {
            Answer::MfaType(t)
        } else if let Some(a) = opt_string(&input, "answer")? {
            Answer::Custom(a)
        } else if let Some(code) = opt_string(&input, "code")? {
            Answer::Code { code, device_name: opt_string(&input, "deviceName")? }
        } else {
            return Err(Error::invalid_input("give one of code, newPassword, mfaType, answer"));
        };
        let started = {
            let pending = self.pending.borrow();
            let p = pending.as_ref().ok_or_else(|| Error::invalid_input("no challenge is waiting for an answer"))?;
            p.respond(answer, &metadata)?
        };
        let (flow, req) = started;
        let result = self.drive(flow, req).await;
        // A wrong code keeps the challenge answerable; an expired session does not.
        if let Err(e) = &result {
            if e.code == Code::Service(String::from("NotAuthorizedException")) {
                self.pending.borrow_mut().take();
            }
        }
        result
    }
}

/// Whether an error message is about a device (`str::contains` would link the two-way
/// string searcher: ~9 KB of wasm).
fn mentions_device(message: &str) -> bool {
    message.as_bytes().windows(6).any(|w| w.eq_ignore_ascii_case(b"device"))
}

#[wasm_bindgen]
impl CognitoAuth {
    /// Signs in (USER_SRP_AUTH by default; `authFlow` selects USER_PASSWORD_AUTH or
    /// CUSTOM_AUTH).
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.sign_in(input).await.map_err(to_js) })
    }

    /// Answers the challenge the last sign-in step returned.
    #[wasm_bindgen(js_name = respondToChallenge)]
    pub fn respond_to_challenge(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.respond(input).await.map_err(to_js) })
    }

    /// Computes the SRP ephemeral pair (a, A = 2^a mod N) for the next `signIn` now, so the
    /// sign-in itself only does the password-dependent half. Call it when the sign-in form
    /// is shown. Each pair is used once; calling again replaces it.
    #[wasm_bindgen(js_name = prepareSignIn)]
    pub fn prepare_sign_in(&self) -> Result<(), JsValue> {
        let srp = new_ephemeral().map_err(to_js)?;
        *self.inner.prepared.borrow_mut() = Some(srp);
        Ok(())
    }
}
