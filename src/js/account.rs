//! Account self-service for the signed-in (or signing-up) user: the JavaScript side of
//! `crate::account`. Also the `clientSecret` / `totpIssuer` options.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{opt_string, req_string, require_object, set, to_js, CognitoAuth, Inner};
use crate::account::{self, MfaSetting, SignUpInput};
use crate::error::{Code, Error};
use crate::flow::{totp_uri, Password, SignIn};
use crate::json::Json;
use crate::protocol::{HttpRequest, HttpResponse};
use crate::session::Session;
use crate::web::retry;

/// Per-client options and state of this feature (a field of `Inner`). (`clientSecret` is
/// parsed with the session options: `Inner::secret()`.)
pub(crate) struct AccountState {
    /// `totpIssuer`: the name authenticator apps show (default `AWSCognito`, as Amplify).
    pub(crate) totp_issuer: String,
    /// `signUp({autoSignIn})`: signs in after `confirmSignUp` for that username.
    auto_sign_in: RefCell<Option<(String, AutoSignIn)>>,
}

/// How `confirmSignUp` signs in after `signUp({autoSignIn})`.
enum AutoSignIn {
    /// `true`: with ConfirmSignUp's Session (InitiateAuth USER_AUTH); no password kept.
    Session,
    /// `'password'`: USER_SRP_AUTH with the password kept in wasm memory until then (for app
    /// clients without ALLOW_USER_AUTH).
    Password(Password),
}

fn auto_sign_in_option(input: &JsValue, password: &Password) -> Result<Option<AutoSignIn>, Error> {
    let v = Reflect::get(input, &"autoSignIn".into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() || v == JsValue::FALSE {
        return Ok(None);
    }
    if v == JsValue::TRUE {
        return Ok(Some(AutoSignIn::Session));
    }
    match v.as_string().as_deref() {
        Some("password") => Ok(Some(AutoSignIn::Password(password.duplicate()))),
        _ => Err(Error::invalid_input("autoSignIn must be true, false or 'password'")),
    }
}

pub(crate) fn parse_account_config(config: &JsValue) -> Result<AccountState, Error> {
    let totp_issuer = opt_string(config, "totpIssuer")?.unwrap_or_else(|| String::from("AWSCognito"));
    Ok(AccountState { totp_issuer, auto_sign_in: RefCell::new(None) })
}

/// A result built in the pure core as JSON, handed to JS as a plain object.
pub(crate) fn json_to_js(j: &Json) -> JsValue {
    JSON::parse(&j.to_text()).unwrap_or(JsValue::NULL)
}

/// Reads `obj[key]` as `{name: string}` pairs (attributes, clientMetadata).
pub(crate) fn opt_pairs(obj: &JsValue, key: &str) -> Result<Vec<(String, String)>, Error> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let bad = || {
        let mut m = String::from(key);
        m.push_str(" must be an object of strings");
        Error::invalid_input(&m)
    };
    if !v.is_object() || Array::is_array(&v) {
        return Err(bad());
    }
    let mut out = Vec::new();
    for entry in Object::entries(&Object::from(v)).iter() {
        let pair = Array::from(&entry);
        let (Some(k), Some(val)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            return Err(bad());
        };
        out.push((k, val));
    }
    Ok(out)
}

fn opt_list(obj: &JsValue, key: &str) -> Result<Vec<String>, Error> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let bad = || {
        let mut m = String::from(key);
        m.push_str(" must be an array of strings");
        Error::invalid_input(&m)
    };
    if !Array::is_array(&v) {
        return Err(bad());
    }
    Array::from(&v).iter().map(|x| x.as_string().ok_or_else(bad)).collect()
}

fn opt_setting(obj: &JsValue, key: &str) -> Result<Option<MfaSetting>, Error> {
    match opt_string(obj, key)? {
        None => Ok(None),
        Some(v) => MfaSetting::parse(&v).map(Some).ok_or_else(|| {
            let mut m = String::from(key);
            m.push_str(" must be 'disabled', 'enabled' or 'preferred'");
            Error::invalid_input(&m)
        }),
    }
}

/// `{type: 'confirmed', autoSignInError}`: confirmed, but the automatic sign-in failed.
fn confirmed_after(e: Error) -> JsValue {
    let o = typed("confirmed");
    set(&Object::from(o.clone()), "autoSignInError", &to_js(e));
    o
}

fn typed(kind: &str) -> JsValue {
    let o = Object::new();
    set(&o, "type", &JsValue::from_str(kind));
    o.into()
}

/// The operations that take a username, named by the caller's method: a closed set, so no
/// unknown name can reach one of them by falling through a string match.
#[derive(Clone, Copy)]
enum UsernameOp {
    ResendCode,
    ForgotPassword,
    ConfirmForgotPassword,
}

/// The operations on the signed-in user's access token. `DeleteUser` is destructive: only
/// the `deleteUser` method names it.
#[derive(Clone, Copy)]
enum TokenOp {
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

impl Inner {
    /// The session, refreshed first when its tokens are about to expire.
    pub(crate) async fn fresh_session(self: &Rc<Self>) -> Result<Session, Error> {
        Rc::clone(self).current().await?.ok_or_else(|| Error::new(Code::NotSignedIn, "no user is signed in"))
    }

    async fn call(&self, req: Result<HttpRequest, Error>) -> Result<HttpResponse, Error> {
        retry::send(&req?).await
    }

    async fn sign_up(&self, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "signUp input")?;
        let username = req_string(&input, "username")?;
        let password = Password::new(&req_string(&input, "password")?);
        let attributes = opt_pairs(&input, "attributes")?;
        let validation_data = opt_pairs(&input, "validationData")?;
        let metadata = opt_pairs(&input, "clientMetadata")?;
        let auto = auto_sign_in_option(&input, &password)?;
        let su = SignUpInput {
            username: &username,
            password: &password,
            attributes: &attributes,
            validation_data: &validation_data,
            metadata: &metadata,
        };
        let req = account::sign_up(&self.config, self.life.secret.as_ref(), &su);
        let result = account::parse_sign_up(&self.call(req).await?)?;
        drop(password);
        *self.account.auto_sign_in.borrow_mut() = auto.map(|a| (username, a));
        Ok(json_to_js(&result))
    }

    async fn confirm_sign_up(self: &Rc<Self>, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "confirmSignUp input")?;
        let username = req_string(&input, "username")?;
        let code = req_string(&input, "code")?;
        let metadata = opt_pairs(&input, "clientMetadata")?;
        let req = account::confirm_sign_up(&self.config, self.life.secret.as_ref(), &username, &code, &metadata);
        let session = account::parse_confirm_sign_up(&self.call(req).await?)?;
        let auto = {
            let mut slot = self.account.auto_sign_in.borrow_mut();
            match slot.take() {
                Some((u, p)) if u == username => Some(p),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        match auto {
            Some(AutoSignIn::Password(password)) => self.sign_in_srp(&username, password).await,
            Some(AutoSignIn::Session) => {
                // Confirmed either way: a sign-in that cannot happen (no Session, an app client
                // without ALLOW_USER_AUTH, …) leaves `{type: 'confirmed', autoSignInError}`.
                let Some(session) = session else {
                    return Ok(confirmed_after(Error::invalid_response(
                        "ConfirmSignUp returned no Session to sign in with",
                    )));
                };
                let started = SignIn::start_after_sign_up(&self.config, self.secret(), &username, &session);
                let result = match started {
                    Ok((flow, req)) => self.drive(flow, req).await,
                    Err(e) => Err(e),
                };
                Ok(result.unwrap_or_else(confirmed_after))
            }
            None => Ok(typed("confirmed")),
        }
    }

    async fn by_username(&self, op: UsernameOp, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "input")?;
        let username = req_string(&input, "username")?;
        let metadata = opt_pairs(&input, "clientMetadata")?;
        let secret = self.life.secret.as_ref();
        let req = match op {
            UsernameOp::ResendCode => account::resend_confirmation_code(&self.config, secret, &username, &metadata),
            UsernameOp::ForgotPassword => account::forgot_password(&self.config, secret, &username, &metadata),
            UsernameOp::ConfirmForgotPassword => {
                let code = req_string(&input, "code")?;
                let pw = Password::new(&req_string(&input, "newPassword")?);
                let req = account::confirm_forgot_password(&self.config, secret, &username, &code, &pw, &metadata);
                account::parse_empty(&self.call(req).await?)?;
                return Ok(JsValue::UNDEFINED);
            }
        };
        Ok(json_to_js(&account::parse_code_delivery(&self.call(req).await?)?))
    }

    async fn with_token(self: &Rc<Self>, op: TokenOp, input: JsValue) -> Result<JsValue, Error> {
        let session = self.fresh_session().await?;
        let token = session.access_token.clone();
        let c = &self.config;
        let t = token.as_str();
        let needs_input = !matches!(op, TokenOp::GetUser | TokenOp::SetUpTotp | TokenOp::DeleteUser);
        if needs_input {
            require_object(&input, "input")?;
        }
        match op {
            TokenOp::GetUser => Ok(json_to_js(&account::parse_get_user(&self.call(account::get_user(c, t)).await?)?)),
            TokenOp::ChangePassword => {
                let old = Password::new(&req_string(&input, "oldPassword")?);
                let new = Password::new(&req_string(&input, "newPassword")?);
                account::parse_empty(&self.call(account::change_password(c, t, &old, &new)).await?)?;
                Ok(JsValue::UNDEFINED)
            }
            TokenOp::UpdateUserAttributes => {
                let attrs = opt_pairs(&input, "attributes")?;
                let md = opt_pairs(&input, "clientMetadata")?;
                let resp = self.call(account::update_user_attributes(c, t, &attrs, &md)).await?;
                Ok(json_to_js(&account::parse_update_attributes(&resp)?))
            }
            TokenOp::SendUserAttributeVerificationCode => {
                let name = req_string(&input, "name")?;
                let md = opt_pairs(&input, "clientMetadata")?;
                let resp = self.call(account::get_user_attribute_verification_code(c, t, &name, &md)).await?;
                Ok(json_to_js(&account::parse_code_delivery(&resp)?))
            }
            TokenOp::VerifyUserAttribute => {
                let name = req_string(&input, "name")?;
                let code = req_string(&input, "code")?;
                account::parse_empty(&self.call(account::verify_user_attribute(c, t, &name, &code)).await?)?;
                Ok(JsValue::UNDEFINED)
            }
            TokenOp::DeleteUserAttributes => {
                let names = opt_list(&input, "names")?;
                account::parse_empty(&self.call(account::delete_user_attributes(c, t, &names)).await?)?;
                Ok(JsValue::UNDEFINED)
            }
            TokenOp::SetMfaPreference => {
                let (sms, totp, email) =
                    (opt_setting(&input, "sms")?, opt_setting(&input, "totp")?, opt_setting(&input, "email")?);
                account::parse_empty(&self.call(account::set_user_mfa_preference(c, t, sms, totp, email)).await?)?;
                Ok(JsValue::UNDEFINED)
            }
            TokenOp::SetUpTotp => {
                let secret = account::parse_associate(&self.call(account::associate_software_token(c, t)).await?)?;
                let account_name = session.username.clone();
                let o = Object::new();
                set(&o, "secretCode", &JsValue::from_str(&secret));
                set(&o, "totpUri", &JsValue::from_str(&totp_uri(&self.account.totp_issuer, &account_name, &secret)));
                Ok(o.into())
            }
            TokenOp::VerifyTotp => {
                let code = req_string(&input, "code")?;
                let name = opt_string(&input, "deviceName")?;
                let resp = self.call(account::verify_software_token(c, t, &code, name.as_deref())).await?;
                account::parse_verify_software_token(&resp)?;
                Ok(JsValue::UNDEFINED)
            }
            TokenOp::DeleteUser => {
                account::parse_empty(&self.call(account::delete_user(c, t)).await?)?;
                self.pending.borrow_mut().take();
                self.forget_local_device(&session.username).await;
                // As a local sign-out: state cleared, listeners and other tabs told.
                self.clear_session().await;
                self.cancel_timer();
                self.emit("signedOut", None, None);
                self.notify_tabs("signedOut");
                Ok(JsValue::UNDEFINED)
            }
        }
    }
}

#[wasm_bindgen]
impl CognitoAuth {
    /// SignUp. With `autoSignIn: true` the next successful `confirmSignUp` for this user
    /// signs in with ConfirmSignUp's Session (USER_AUTH); with `autoSignIn: 'password'` by
    /// USER_SRP_AUTH, the password kept in wasm memory until then.
    #[wasm_bindgen(js_name = signUp)]
    pub fn sign_up(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.sign_up(input).await.map_err(to_js) })
    }

    /// ConfirmSignUp: `{type: 'confirmed'}`, or a sign-in result after `autoSignIn`.
    #[wasm_bindgen(js_name = confirmSignUp)]
    pub fn confirm_sign_up(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.confirm_sign_up(input).await.map_err(to_js) })
    }

    /// ResendConfirmationCode.
    #[wasm_bindgen(js_name = resendSignUpCode)]
    pub fn resend_sign_up_code(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.by_username(UsernameOp::ResendCode, input).await.map_err(to_js) })
    }
    /// ForgotPassword: sends a code.
    #[wasm_bindgen(js_name = forgotPassword)]
    pub fn forgot_password(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.by_username(UsernameOp::ForgotPassword, input).await.map_err(to_js) })
    }
    /// ConfirmForgotPassword: the code and the new password.
    #[wasm_bindgen(js_name = confirmForgotPassword)]
    pub fn confirm_forgot_password(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(
            async move { inner.by_username(UsernameOp::ConfirmForgotPassword, input).await.map_err(to_js) },
        )
    }
    /// GetUser: attributes and MFA settings.
    #[wasm_bindgen(js_name = getUser)]
    pub fn get_user(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::GetUser, input).await.map_err(to_js) })
    }
    /// ChangePassword.
    #[wasm_bindgen(js_name = changePassword)]
    pub fn change_password(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::ChangePassword, input).await.map_err(to_js) })
    }
    /// UpdateUserAttributes.
    #[wasm_bindgen(js_name = updateUserAttributes)]
    pub fn update_user_attributes(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::UpdateUserAttributes, input).await.map_err(to_js) })
    }
    /// GetUserAttributeVerificationCode.
    #[wasm_bindgen(js_name = sendUserAttributeVerificationCode)]
    pub fn send_user_attribute_verification_code(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            inner.with_token(TokenOp::SendUserAttributeVerificationCode, input).await.map_err(to_js)
        })
    }
    /// VerifyUserAttribute.
    #[wasm_bindgen(js_name = verifyUserAttribute)]
    pub fn verify_user_attribute(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::VerifyUserAttribute, input).await.map_err(to_js) })
    }
    /// DeleteUserAttributes.
    #[wasm_bindgen(js_name = deleteUserAttributes)]
    pub fn delete_user_attributes(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::DeleteUserAttributes, input).await.map_err(to_js) })
    }
    /// SetUserMFAPreference.
    #[wasm_bindgen(js_name = setMfaPreference)]
    pub fn set_mfa_preference(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::SetMfaPreference, input).await.map_err(to_js) })
    }
    /// AssociateSoftwareToken for the signed-in user: the secret and an otpauth URI.
    #[wasm_bindgen(js_name = setUpTotp)]
    pub fn set_up_totp(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::SetUpTotp, input).await.map_err(to_js) })
    }
    /// VerifySoftwareToken for the signed-in user.
    #[wasm_bindgen(js_name = verifyTotp)]
    pub fn verify_totp(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::VerifyTotp, input).await.map_err(to_js) })
    }
    /// DeleteUser; clears the local session.
    #[wasm_bindgen(js_name = deleteUser)]
    pub fn delete_user(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.with_token(TokenOp::DeleteUser, input).await.map_err(to_js) })
    }
}
