//! The hosted UI (managed login): `authorizeUrl`, `signInWithRedirect`,
//! `handleRedirectCallback`, `verifyIdToken`, `getUserInfo`, and the redirecting sign-out.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{opt_string, session_to_js, set, to_js, CognitoAuth, Inner};
use crate::error::{Code, Error};
use crate::idtoken::{self, Expected, Jwk, Jwks, KeySource};
use crate::oauth::{self, AuthorizeOptions, HostedConfig, HostedEnv, OAuthRequest, PendingSignIn, PkceVerifier};
use crate::protocol::HttpResponse;
use crate::refresh::TokenSource;
use crate::web::{self, hosted as webh};

/// The hosted-UI configuration (if any), the cached JWKS, and the pending attempt when
/// sessionStorage is blocked.
pub(crate) struct Hosted {
    config: Option<HostedConfig>,
    jwks: RefCell<Option<Jwks>>,
    pending_fallback: RefCell<Option<String>>,
}

fn opt_string_list(obj: &JsValue, key: &str) -> Result<Option<Vec<String>>, Error> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let mut m = String::from(key);
    m.push_str(" must be an array of strings");
    if !Array::is_array(&v) {
        return Err(Error::invalid_input(&m));
    }
    Array::from(&v)
        .iter()
        .map(|s| s.as_string().ok_or_else(|| Error::invalid_input(&m)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Reads `domain`, `redirectSignIn`, `redirectSignOut`, `scopes` from the constructor's
/// config. Without `domain` and `redirectSignIn` the sign-in methods reject with
/// `InvalidInput`.
pub(crate) fn parse_hosted_config(config: &JsValue) -> Result<Hosted, Error> {
    let domain = opt_string(config, "domain")?;
    let sign_in = opt_string(config, "redirectSignIn")?;
    let sign_out = opt_string(config, "redirectSignOut")?;
    let scopes = opt_string_list(config, "scopes")?;
    let config = match (domain, sign_in) {
        (Some(d), Some(r)) => Some(HostedConfig::new(&d, &r, sign_out.as_deref(), scopes)?),
        // `domain` alone: refresh and revocation of hosted-UI sessions only (session.rs).
        (_, None) => None,
        (None, Some(_)) => return Err(Error::invalid_input("redirectSignIn needs domain")),
    };
    Ok(Hosted { config, jwks: RefCell::new(None), pending_fallback: RefCell::new(None) })
}

fn pending_key(client_id: &str) -> String {
    let mut k = String::from("cognito-wasm.hostedUI.");
    k.push_str(client_id);
    k
}

// The one-time attempt data lives in sessionStorage (per tab, gone when the tab closes; it
// must survive the trip to the hosted UI and back), or in memory when that is blocked.
impl Hosted {
    fn pending_get(&self, key: &str) -> Option<String> {
        webh::session_get(key).or_else(|| self.pending_fallback.borrow().clone())
    }
    fn pending_set(&self, key: &str, value: String) {
        let in_session = webh::session_set(key, &value);
        *self.pending_fallback.borrow_mut() = if in_session { None } else { Some(value) };
    }
    fn pending_remove(&self, key: &str) {
        webh::session_remove(key);
        self.pending_fallback.borrow_mut().take();
    }
}

struct WebEnv<'a>(&'a Inner);

impl KeySource for WebEnv<'_> {
    async fn cached_key(&self, kid: &str) -> Option<Jwk> {
        self.0.hosted.jwks.borrow().as_ref()?.find(kid).cloned()
    }
    async fn refetch(&self) -> Result<(), Error> {
        let req = OAuthRequest { method: "GET", url: idtoken::jwks_url(&self.0.config), form: None, bearer: None };
        let resp = webh::send(&req).await?;
        if resp.status != 200 {
            return Err(Error::invalid_response("could not fetch the user pool's JWKS").with_status(resp.status));
        }
        let jwks = idtoken::parse_jwks(&resp.body)?;
        *self.0.hosted.jwks.borrow_mut() = Some(jwks);
        Ok(())
    }
    async fn verify_rs256(&self, key: &Jwk, data: &[u8], signature: &[u8]) -> Result<bool, Error> {
        webh::verify_rs256(&key.n, &key.e, data, signature).await
    }
}

impl HostedEnv for WebEnv<'_> {
    async fn send(&self, req: &OAuthRequest) -> Result<HttpResponse, Error> {
        webh::send(req).await
    }
    fn now_ms(&self) -> i64 {
        web::now_ms()
    }
}

impl Inner {
    fn hosted_config(&self) -> Result<&HostedConfig, Error> {
        self.hosted
            .config
            .as_ref()
            .ok_or_else(|| Error::invalid_input("the hosted UI needs domain and redirectSignIn in the config"))
    }

    fn authorize_url(&self, opts: &JsValue) -> Result<String, Error> {
        let hosted = self.hosted_config()?;
        let mut o = AuthorizeOptions::default();
        let mut app_state = None;
        if !opts.is_undefined() && !opts.is_null() {
            super::require_object(opts, "options")?;
            o.provider = opt_string(opts, "provider")?;
            o.idp_identifier = opt_string(opts, "idpIdentifier")?;
            o.scopes = opt_string_list(opts, "scopes")?;
            o.lang = opt_string(opts, "lang")?;
            o.prompt = opt_string(opts, "prompt")?;
            app_state = opt_string(opts, "state")?;
        }
        let mut rnd = zeroize::Zeroizing::new([0u8; oauth::VERIFIER_BYTES + 2 * oauth::STATE_BYTES]);
        web::random_bytes(&mut rnd[..])?;
        let (v, rest) = rnd.split_at(oauth::VERIFIER_BYTES);
        let (s, n) = rest.split_at(oauth::STATE_BYTES);
        let (Ok(v), Ok(s), Ok(n)) = (
            <[u8; oauth::VERIFIER_BYTES]>::try_from(v),
            <[u8; oauth::STATE_BYTES]>::try_from(s),
            <[u8; oauth::STATE_BYTES]>::try_from(n),
        ) else {
            return Err(Error::new(Code::RandomUnavailable, "could not split random bytes"));
        };
        let pending = PendingSignIn {
            state: oauth::random_token(&s),
            nonce: oauth::random_token(&n),
            verifier: PkceVerifier::from_random(&v),
            redirect_uri: hosted.redirect_sign_in.clone(),
            app_state,
            created_ms: web::now_ms(),
        };
        let url = oauth::authorize_url(hosted, self.config.client_id(), &o, &pending)?;
        self.hosted.pending_set(&pending_key(self.config.client_id()), pending.to_json());
        Ok(url)
    }

    async fn handle_redirect_callback(self: &Rc<Self>, url: JsValue) -> Result<JsValue, Error> {
        let hosted = self.hosted_config()?;
        let here = webh::current_url();
        let url = match url.as_string() {
            Some(u) => u,
            None if url.is_undefined() || url.is_null() => {
                here.clone().ok_or_else(|| Error::invalid_input("no URL given and no location"))?
            }
            None => return Err(Error::invalid_input("url must be a string")),
        };
        let cb = oauth::parse_callback(&url)?
            .ok_or_else(|| Error::invalid_input("the URL carries no hosted-UI reply (code or error)"))?;
        // The code is single-use whatever happens: take it out of the address bar now.
        if here.as_deref() == Some(url.as_str()) {
            webh::replace_url(&oauth::clean_callback_url(&url));
        }
        let key = pending_key(self.config.client_id());
        let pending = self.hosted.pending_get(&key).and_then(|t| PendingSignIn::from_json(&t)).ok_or_else(|| {
            Error::new(Code::InvalidState, "no hosted-UI sign-in is in progress in this tab (already handled?)")
        })?;
        // A callback for another attempt (or a forged one) leaves ours in place.
        if !cb.state().is_some_and(|st| oauth::state_matches(st, &pending.state)) {
            return Err(Error::new(Code::InvalidState, "the callback's state does not match the sign-in in progress"));
        }
        // One attempt, one exchange: the verifier is gone before the request is sent.
        self.hosted.pending_remove(&key);
        let code = oauth::check_callback(&pending, cb, web::now_ms())?;
        let app_state = pending.app_state.clone();
        let s = oauth::redeem(&WebEnv(self), &self.config, hosted, pending, &code).await?;
        // Stored with tokenSource = hostedUI (refreshed at /oauth2/token), listeners told.
        self.session_started(&s, TokenSource::HostedUi).await;
        let o = Object::new();
        set(&o, "type", &"signedIn".into());
        set(&o, "session", &session_to_js(&s));
        set(&o, "state", &app_state.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        Ok(o.into())
    }

    async fn verify_id_token(&self, token: JsValue) -> Result<JsValue, Error> {
        let token = token.as_string().ok_or_else(|| Error::invalid_input("token must be a string"))?;
        let issuers = idtoken::issuers(&self.config);
        let expected = Expected {
            issuers: &issuers,
            client_id: self.config.client_id(),
            nonce: None,
            now_s: web::now_ms().div_euclid(1000),
            leeway_s: idtoken::LEEWAY_S,
        };
        let jwt = idtoken::verify(&WebEnv(self), &token, &expected).await?;
        Ok(JSON::parse(&jwt.claims_text).unwrap_or_else(|_| Object::new().into()))
    }

    async fn get_user_info(&self) -> Result<JsValue, Error> {
        let hosted = self.hosted_config()?;
        let s = self
            .load_session()
            .await
            .ok_or_else(|| Error::new(Code::Service(String::from("NotAuthorizedException")), "nobody is signed in"))?;
        let resp = webh::send(&oauth::userinfo_request(hosted, &s.access_token)).await?;
        let text = oauth::parse_userinfo_reply(&resp)?;
        JSON::parse(&text).map_err(|_| Error::invalid_response("userInfo's reply is not JSON"))
    }

    /// `signOut({ redirect: true })`: the `/logout` URL to go to after the local sign-out and
    /// the revocation (checked first, so a missing `redirectSignOut` changes nothing).
    pub(crate) fn logout_redirect(&self, opts: &JsValue) -> Result<Option<String>, Error> {
        let redirect = opts.is_object() && Reflect::get(opts, &"redirect".into()).is_ok_and(|v| v.is_truthy());
        if !redirect {
            return Ok(None);
        }
        oauth::logout_url(self.hosted_config()?, self.config.client_id()).map(Some)
    }
}

/// `location.assign` for the sign-out redirect.
pub(crate) fn navigate(url: &str) -> Result<(), Error> {
    webh::navigate(url)
}

#[wasm_bindgen]
impl CognitoAuth {
    /// The `/oauth2/authorize` URL for a new sign-in (stores its one-time PKCE verifier,
    /// state and nonce in sessionStorage).
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, options: JsValue) -> Result<String, JsValue> {
        self.inner.authorize_url(&options).map_err(to_js)
    }

    /// Sends the browser to the hosted UI.
    #[wasm_bindgen(js_name = signInWithRedirect)]
    pub fn sign_in_with_redirect(&self, options: JsValue) -> Promise {
        let r = self.inner.authorize_url(&options).and_then(|u| webh::navigate(&u));
        match r {
            Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
            Err(e) => Promise::reject(&to_js(e)),
        }
    }

    /// Completes a hosted-UI sign-in from the callback URL (default: `location.href`).
    #[wasm_bindgen(js_name = handleRedirectCallback)]
    pub fn handle_redirect_callback(&self, url: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.handle_redirect_callback(url).await.map_err(to_js) })
    }

    /// Verifies an ID token of this pool and client (RS256 against the JWKS, iss, aud,
    /// token_use, exp); resolves with its claims.
    #[wasm_bindgen(js_name = verifyIdToken)]
    pub fn verify_id_token(&self, token: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.verify_id_token(token).await.map_err(to_js) })
    }

    /// `/oauth2/userInfo` for the signed-in user.
    #[wasm_bindgen(js_name = getUserInfo)]
    pub fn get_user_info(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.get_user_info().await.map_err(to_js) })
    }
}
