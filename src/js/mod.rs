//! The JavaScript API: the only `#[wasm_bindgen]` code.
//!
//! `CognitoAuth` and its shared state live here; each feature adds its methods in its own
//! file with its own `#[wasm_bindgen] impl CognitoAuth` block (`sign_in.rs`, …).
//!
//! Every method returns a Promise and never holds a borrow across an `.await`: state lives
//! in `Rc<Inner>`, cloned into each future. Every rejection is a real `Error` whose `name`
//! and `code` are the error code (see `Code::as_str`), with `status` and `retryable`.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::flow::Pending;
use crate::protocol::ClientConfig;
use crate::session::Session;
use crate::srp::{SrpClient, EPHEMERAL_BYTES};
use crate::web;

pub(crate) fn to_js(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(e.code.as_str());
    let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(e.code.as_str()));
    if let Some(st) = e.status {
        let _ = Reflect::set(&err, &"status".into(), &JsValue::from(st));
    }
    let _ = Reflect::set(&err, &"retryable".into(), &JsValue::from_bool(e.retryable()));
    err.into()
}

pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Reads `obj[key]` as a string: `Ok(None)` when absent/undefined/null, an error when it
/// has another type.
pub(crate) fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) => Ok(Some(s)),
        None => {
            let mut m = String::from(key);
            m.push_str(" must be a string");
            Err(Error::invalid_input(&m))
        }
    }
}

pub(crate) fn req_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    opt_string(obj, key)?.ok_or_else(|| {
        let mut m = String::from(key);
        m.push_str(" is required");
        Error::invalid_input(&m)
    })
}

pub(crate) fn require_object(v: &JsValue, what: &str) -> Result<(), Error> {
    if v.is_object() {
        Ok(())
    } else {
        let mut m = String::from(what);
        m.push_str(" must be an object");
        Err(Error::invalid_input(&m))
    }
}

pub(crate) fn session_to_js(s: &Session) -> JsValue {
    let o = Object::new();
    set(&o, "username", &JsValue::from_str(&s.username));
    set(&o, "idToken", &JsValue::from_str(&s.id_token));
    set(&o, "accessToken", &JsValue::from_str(&s.access_token));
    set(&o, "refreshToken", &s.refresh_token.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    set(&o, "expiresAt", &JsValue::from_f64(s.expires_at_ms() as f64));
    set(&o, "clockDrift", &JsValue::from_f64(s.clock_drift as f64));
    // The claims were validated as JSON objects when the session was built.
    set(&o, "idTokenClaims", &JSON::parse(&s.id_claims).unwrap_or_else(|_| Object::new().into()));
    set(&o, "accessTokenClaims", &JSON::parse(&s.access_claims).unwrap_or_else(|_| Object::new().into()));
    o.into()
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) store: web::storage::Store,
    /// The challenge last returned to the app, kept for answering it.
    pub(crate) pending: RefCell<Option<Pending>>,
    /// totpIssuer and the auto sign-in after confirmation (account.rs).
    pub(crate) account: account::AccountState,
    /// An ephemeral SRP pair computed ahead by `prepareSignIn`, used by the next sign-in.
    pub(crate) prepared: RefCell<Option<SrpClient>>,
    /// Refresh, events, cross-tab sync (session.rs).
    pub(crate) life: session::Life,
    pub(crate) aws: identity::Aws,
    /// Hosted UI configuration and the cached JWKS (hosted.rs).
    pub(crate) hosted: hosted::Hosted,
}

pub(crate) fn new_ephemeral() -> Result<SrpClient, Error> {
    let mut a = zeroize::Zeroizing::new([0u8; EPHEMERAL_BYTES]);
    web::random_bytes(&mut a[..])?;
    SrpClient::new(&a[..]).map_err(|e| Error::invalid_input(e.message()))
}

/// A Cognito user-pool client. See `index.d.ts` for the documented API.
#[wasm_bindgen]
pub struct CognitoAuth {
    pub(crate) inner: Rc<Inner>,
}

#[wasm_bindgen]
impl CognitoAuth {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<CognitoAuth, JsValue> {
        Self::build(&config).map_err(to_js)
    }

    fn build(config: &JsValue) -> Result<CognitoAuth, Error> {
        require_object(config, "config")?;
        let pool = req_string(config, "userPoolId")?;
        let client = req_string(config, "clientId")?;
        let endpoint = opt_string(config, "endpoint")?;
        let client_config = ClientConfig::new(&pool, &client, endpoint.as_deref())?
            .with_issuer(opt_string(config, "issuer")?.as_deref())?;
        let (store, life) = session::parse_session_config(config)?;
        let aws = identity::parse_identity_config(config)?;
        let hosted = hosted::parse_hosted_config(config)?;
        let account = account::parse_account_config(config)?;
        let inner = Rc::new(Inner {
            config: client_config,
            store,
            pending: RefCell::new(None),
            prepared: RefCell::new(None),
            life,
            aws,
            hosted,
            account,
        });
        session::start(&inner);
        Ok(CognitoAuth { inner })
    }

    /// The storage in use: `'local'`, `'session'`, `'cookie'`, `'custom'`, or `'memory'`
    /// (also after a fallback).
    #[wasm_bindgen(getter, js_name = storageKind)]
    pub fn storage_kind(&self) -> String {
        String::from(self.inner.store.kind())
    }
}

mod account;
mod device;
mod hosted;
mod identity;
mod passkey;
mod session;
mod sign_in;
