//! The JavaScript API: the only `#[wasm_bindgen]` code.
//!
//! Every method returns a Promise and never holds a borrow across an `.await`: state lives
//! in `Rc<Inner>`, cloned into each future. Every rejection is a real `Error` whose `name`
//! and `code` are the error code (see `Code::as_str`), with `status` and `retryable`.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use js_sys::{Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::Error;
use crate::flow::{Challenge, Password, SignIn, Step};
use crate::protocol::ClientConfig;
use crate::session::{self, Session};
use crate::srp::{SrpClient, EPHEMERAL_BYTES};
use crate::web::{self, fetch, storage};

fn to_js(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(e.code.as_str());
    let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(e.code.as_str()));
    if let Some(st) = e.status {
        let _ = Reflect::set(&err, &"status".into(), &JsValue::from(st));
    }
    let _ = Reflect::set(&err, &"retryable".into(), &JsValue::from_bool(e.retryable()));
    err.into()
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Reads `obj[key]` as a string: `Ok(None)` when absent/undefined/null, an error when it
/// has another type.
fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
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

fn req_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    opt_string(obj, key)?.ok_or_else(|| {
        let mut m = String::from(key);
        m.push_str(" is required");
        Error::invalid_input(&m)
    })
}

fn require_object(v: &JsValue, what: &str) -> Result<(), Error> {
    if v.is_object() {
        Ok(())
    } else {
        let mut m = String::from(what);
        m.push_str(" must be an object");
        Err(Error::invalid_input(&m))
    }
}

fn session_to_js(s: &Session) -> JsValue {
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

fn challenge_to_js(c: &Challenge) -> JsValue {
    let o = Object::new();
    set(&o, "type", &"challenge".into());
    set(&o, "name", &JsValue::from_str(&c.name));
    let params = Object::new();
    for (k, v) in &c.parameters {
        // SRP values belong to the library, never to the app.
        if !matches!(k.as_str(), "SECRET_BLOCK" | "SRP_B" | "SALT") {
            set(&params, k, &JsValue::from_str(v));
        }
    }
    set(&o, "parameters", &params.into());
    o.into()
}

struct Inner {
    config: ClientConfig,
    store: storage::Store,
    /// The challenge last returned to the app, kept for answering it.
    pending: RefCell<Option<Challenge>>,
    /// An ephemeral SRP pair computed ahead by `prepareSignIn`, used by the next sign-in.
    prepared: RefCell<Option<SrpClient>>,
}

fn new_ephemeral() -> Result<SrpClient, Error> {
    let mut a = zeroize::Zeroizing::new([0u8; EPHEMERAL_BYTES]);
    web::random_bytes(&mut a[..])?;
    SrpClient::new(&a[..]).map_err(|e| Error::invalid_input(e.message()))
}

impl Inner {
    fn load_session(&self) -> Option<Session> {
        Session::load(&self.config, |k| self.store.get(k))
    }

    fn save_session(&self, s: &Session) {
        let cid = self.config.client_id();
        // A different user signing in replaces the previous user's session.
        if let Some(prev) = self.store.get(&session::last_user_key(cid)) {
            if prev != s.username {
                for k in session::session_keys(cid, &prev) {
                    self.store.remove(&k);
                }
            }
        }
        self.store.set_all(&s.to_entries(cid));
    }

    fn clear_session(&self) {
        let cid = self.config.client_id();
        if let Some(user) = self.store.get(&session::last_user_key(cid)) {
            for k in session::session_keys(cid, &user) {
                self.store.remove(&k);
            }
        }
        self.store.remove(&session::last_user_key(cid));
    }

    async fn sign_in(&self, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "signIn input")?;
        let username = req_string(&input, "username")?;
        let password = Password::new(&req_string(&input, "password")?);
        let prepared = self.prepared.borrow_mut().take();
        let srp = match prepared {
            Some(srp) => srp,
            None => new_ephemeral()?,
        };
        let (mut flow, mut req) = SignIn::start_with(&self.config, None, &username, password, srp)?;
        // USER_SRP_AUTH takes two round trips; the bound is a guard, not a retry loop.
        for _ in 0..4 {
            let resp = fetch::send(&req).await?;
            match flow.handle(&resp, web::now_ms())? {
                Step::Send(next, next_req) => {
                    flow = next;
                    req = next_req;
                }
                Step::Challenge(c) => {
                    let v = challenge_to_js(&c);
                    *self.pending.borrow_mut() = Some(c);
                    return Ok(v);
                }
                Step::SignedIn(s) => {
                    self.pending.borrow_mut().take();
                    self.save_session(&s);
                    let o = Object::new();
                    set(&o, "type", &"signedIn".into());
                    set(&o, "session", &session_to_js(&s));
                    return Ok(o.into());
                }
            }
        }
        Err(Error::invalid_response("Cognito kept the sign-in going for too many steps"))
    }
}

/// A Cognito user-pool client. See `index.d.ts` for the documented API.
#[wasm_bindgen]
pub struct CognitoAuth {
    inner: Rc<Inner>,
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
        let kind = match opt_string(config, "storage")? {
            None => storage::Kind::Local,
            Some(s) => storage::Kind::parse(&s)
                .ok_or_else(|| Error::invalid_input("storage must be 'local', 'session' or 'memory'"))?,
        };
        let config = ClientConfig::new(&pool, &client, endpoint.as_deref())?;
        Ok(CognitoAuth {
            inner: Rc::new(Inner { config, store: storage::Store::open(kind), pending: RefCell::new(None), prepared: RefCell::new(None) }),
        })
    }

    /// Signs in with USER_SRP_AUTH.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.sign_in(input).await.map_err(to_js) })
    }

    /// The stored session, or null. (A Promise: refreshing expired tokens will need the
    /// network.)
    #[wasm_bindgen(js_name = currentSession)]
    pub fn current_session(&self) -> Promise {
        Promise::resolve(&self.inner.load_session().map_or(JsValue::NULL, |s| session_to_js(&s)))
    }

    /// Local sign-out: forgets the session on this device.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self) -> Promise {
        self.inner.pending.borrow_mut().take();
        self.inner.clear_session();
        Promise::resolve(&JsValue::UNDEFINED)
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

    /// The storage in use: `'local'`, `'session'`, or `'memory'` (also after a fallback).
    #[wasm_bindgen(getter, js_name = storageKind)]
    pub fn storage_kind(&self) -> String {
        String::from(self.inner.store.kind())
    }
}

