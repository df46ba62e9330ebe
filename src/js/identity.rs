//! Identity-pool credentials (`getAwsCredentials`) and SigV4 signing (`signRequest`,
//! `fetchSigned`, `presignUrl`).
//!
//! Storage: the signed-in user's identity id under
//! `CognitoIdentityServiceProvider.{clientId}.{username}.identityId` (removed on sign-out);
//! the ID token comes from the session as `currentSession` returns it (refreshed when it
//! expires soon), and an expired-token reply from the pool triggers one token refresh;
//! a guest identity id under Amplify's `com.amplify.Cognito.{identityPoolId}.identityId`,
//! offered to Cognito for linking on the user's first credentials after sign-in (see
//! `crate::identity`) and removed then.
//! Credentials stay in memory only, one set per client, renewed before they expire and
//! whenever the ID token changes; one request at a time per client (single flight).

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::{Cell, RefCell};

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{opt_string, req_string, set, to_js, CognitoAuth, Inner};
use crate::error::{Code, Error};
use crate::identity::{cache_key, AwsCredentials, Cache, CredentialsFlow, IdentityConfig, Login, Step};
use crate::session;
use crate::sigv4::{self, Credentials, Payload, Scope};
use crate::web::{self, fetch, request};

/// The identity-pool part of a client's state.
pub(crate) struct Aws {
    config: Option<IdentityConfig>,
    cache: RefCell<Cache>,
    /// The credentials request in progress, shared by concurrent callers.
    flight: RefCell<Option<Promise>>,
    /// Bumped by sign-out: a flight that started before does not store its result.
    epoch: Cell<u32>,
}

/// Reads `identityPoolId` and `identityEndpoint` from the constructor's config.
pub(crate) fn parse_identity_config(config: &JsValue) -> Result<Aws, Error> {
    let cfg = match opt_string(config, "identityPoolId")? {
        Some(id) => Some(IdentityConfig::new(&id, opt_string(config, "identityEndpoint")?.as_deref())?),
        None => None,
    };
    Ok(Aws { config: cfg, cache: RefCell::new(Cache::default()), flight: RefCell::new(None), epoch: Cell::new(0) })
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn credentials_to_js(c: &AwsCredentials) -> JsValue {
    let o = Object::new();
    set(&o, "accessKeyId", &JsValue::from_str(&c.credentials.access_key_id));
    set(&o, "secretAccessKey", &JsValue::from_str(&c.credentials.secret_access_key));
    set(&o, "sessionToken", &c.credentials.session_token.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    set(&o, "expiration", &js_sys::Date::new(&JsValue::from_f64(c.expiration_ms as f64)).into());
    set(&o, "identityId", &JsValue::from_str(&c.identity_id));
    o.into()
}

fn credentials_from_js(v: &JsValue) -> Result<Credentials, Error> {
    Ok(Credentials {
        access_key_id: req_string(v, "accessKeyId")?,
        secret_access_key: req_string(v, "secretAccessKey")?,
        session_token: opt_string(v, "sessionToken")?,
    })
}

fn not_configured() -> Error {
    Error::invalid_input("identityPoolId is not configured")
}

fn login_of(inner: &Inner, s: &crate::session::Session) -> Login {
    let exp_ms = s.id_exp.saturating_add(s.clock_drift).saturating_mul(1000);
    Login::new(&inner.config, &s.id_token, exp_ms)
}

impl Inner {
    /// The signed-in user's login for the identity pool (tokens refreshed first when they
    /// expire soon, as `currentSession` does), and their username.
    async fn aws_login(self: &Rc<Self>) -> Option<(Login, String)> {
        let s = match Rc::clone(self).current().await {
            Ok(s) => s,
            // A fault while refreshing: try the stored tokens; the pool will say if expired.
            Err(_) => self.load_session().await,
        }?;
        Some((login_of(self, &s), s.username))
    }

    fn identity_id_key(&self, cfg: &IdentityConfig, username: Option<&str>) -> String {
        match username {
            Some(u) => session::user_key(self.config.client_id(), u, "identityId"),
            None => cfg.guest_id_key(),
        }
    }

    /// Fresh tokens after the identity pool said the ID token expired: the stored session if
    /// another refresh already replaced the token we used; else the shared refresh of
    /// `currentSession` (single flight, across tabs) when the local clock also says the
    /// tokens are due; else (the pool's clock disagrees with ours) one direct refresh.
    /// `None` when signed out or the refresh failed.
    async fn fresh_login_for_identity(self: &Rc<Self>, used: Option<&Login>) -> Option<Login> {
        let s = self.load_session().await?;
        if used.map(|l| l.id_token.as_str()) != Some(s.id_token.as_str()) {
            return Some(login_of(self, &s));
        }
        if let Ok(Some(n)) = Rc::clone(self).shared_refresh(s.access_token.clone()).await {
            if n.access_token != s.access_token {
                return Some(login_of(self, &n));
            }
        }
        let source = self.token_source(&s.username).await;
        let n = self.refresh_once(&s, source).await.ok()?;
        self.save_session(&n, source).await;
        self.emit("tokenRefreshed", Some(&n), None);
        Some(login_of(self, &n))
    }

    /// Forgets the credentials, any request in progress, and the signed-in user's identity
    /// id (a guest identity id stays, as in Amplify). Called by `signOut`.
    pub(crate) async fn forget_aws_credentials(&self) {
        self.aws.cache.borrow_mut().clear();
        self.aws.flight.borrow_mut().take();
        self.aws.epoch.set(self.aws.epoch.get().wrapping_add(1));
        let user = self.store.get(&session::last_user_key(self.config.client_id())).await;
        if let Some(user) = user {
            self.store.remove(&session::user_key(self.config.client_id(), &user, "identityId")).await;
        }
    }
}

async fn run_flow(
    inner: &Rc<Inner>,
    cfg: IdentityConfig,
    login: Option<(Login, String)>,
    epoch: u32,
) -> Result<(), Error> {
    let (mut current, username) = match login {
        Some((l, u)) => (Some(l), Some(u)),
        None => (None, None),
    };
    let id_key = inner.identity_id_key(&cfg, username.as_deref());
    let stored = inner.store.get(&id_key).await;
    // Signed in without an identity id yet: offer the guest's, for Cognito to link.
    let guest = match (&username, &stored) {
        (Some(_), None) => inner.store.get(&cfg.guest_id_key()).await,
        _ => None,
    };
    let (mut flow, mut req) =
        CredentialsFlow::start_linking(&cfg, current.clone(), stored.as_deref(), guest.as_deref());
    // GetId + GetCredentials, at most one identity drop and one token refresh: 6 is a guard.
    for _ in 0..6 {
        let resp = fetch::send(&req).await?;
        match flow.handle(&resp, web::now_ms())? {
            Step::Send(next, next_req) => {
                if next.dropped_identity() {
                    inner.store.remove(&id_key).await;
                }
                flow = next;
                req = next_req;
            }
            Step::NeedFreshTokens(next) => {
                let fresh = inner.fresh_login_for_identity(current.as_ref()).await.ok_or_else(|| {
                    Error::new(
                        Code::Service(String::from("NotAuthorizedException")),
                        "The ID token expired and could not be refreshed: sign in again",
                    )
                    .with_status(resp.status)
                })?;
                current = Some(fresh.clone());
                let (next, next_req) = next.retry_with(fresh);
                flow = next;
                req = next_req;
            }
            Step::Done(c) => {
                if inner.aws.epoch.get() == epoch {
                    if guest.is_some() {
                        // Linked to this user now (or refused): no longer a guest identity.
                        inner.store.remove(&cfg.guest_id_key()).await;
                    }
                    inner.store.set_all(&[(id_key, c.identity_id.clone())]).await;
                    inner.aws.cache.borrow_mut().put(cache_key(current.as_ref()), c);
                }
                return Ok(());
            }
        }
    }
    Err(Error::invalid_response("the identity pool kept the request going for too many steps"))
}

/// Cached credentials, or new ones (one request at a time).
async fn credentials(inner: &Rc<Inner>, force: bool) -> Result<AwsCredentials, JsValue> {
    let cfg = inner.aws.config.clone().ok_or_else(|| to_js(not_configured()))?;
    let login = inner.aws_login().await;
    let key = cache_key(login.as_ref().map(|(l, _)| l));
    if !force {
        if let Some(c) = inner.aws.cache.borrow().get(&key, web::now_ms()) {
            return Ok(c.clone());
        }
    }
    let running = inner.aws.flight.borrow().clone();
    let promise = match running {
        Some(p) => p,
        None => {
            let i2 = Rc::clone(inner);
            let epoch = inner.aws.epoch.get();
            let p = future_to_promise(async move {
                let r = run_flow(&i2, cfg, login, epoch).await;
                if i2.aws.epoch.get() == epoch {
                    i2.aws.flight.borrow_mut().take();
                }
                r.map(|()| JsValue::UNDEFINED).map_err(to_js)
            });
            *inner.aws.flight.borrow_mut() = Some(p.clone());
            p
        }
    };
    JsFuture::from(promise).await?;
    let latest = inner.aws.cache.borrow().latest().cloned();
    latest.ok_or_else(|| to_js(Error::invalid_input("signed out while the credentials were being fetched")))
}

struct SignOptions {
    service: String,
    region: String,
    credentials: Option<Credentials>,
}

fn sign_options(inner: &Inner, opts: &JsValue, default_service: Option<&str>) -> Result<SignOptions, Error> {
    if !opts.is_object() {
        return Err(Error::invalid_input("options must be an object with service and region"));
    }
    let service = match (opt_string(opts, "service")?, default_service) {
        (Some(s), _) => s,
        (None, Some(d)) => String::from(d),
        (None, None) => return Err(Error::invalid_input("service is required (e.g. 'execute-api')")),
    };
    let region = match (opt_string(opts, "region")?, &inner.aws.config) {
        (Some(r), _) => r,
        (None, Some(c)) => String::from(c.region()),
        (None, None) => return Err(Error::invalid_input("region is required")),
    };
    let c = get(opts, "credentials");
    let credentials = if c.is_object() { Some(credentials_from_js(&c)?) } else { None };
    Ok(SignOptions { service, region, credentials })
}

async fn signing_credentials(inner: &Rc<Inner>, o: &mut SignOptions) -> Result<Credentials, JsValue> {
    match o.credentials.take() {
        Some(c) => Ok(c),
        None => Ok(credentials(inner, false).await?.credentials.clone()),
    }
}

/// The four entry points, run by one async function so that the wasm has one
/// `future_to_promise` state machine instead of four (each costs kilobytes).
enum Op {
    Credentials,
    Sign(JsValue),
    Fetch(JsValue, JsValue),
    Presign(JsValue),
}

async fn run(inner: Rc<Inner>, op: Op, options: JsValue) -> Result<JsValue, JsValue> {
    let options = if options.is_object() { options } else { Object::new().into() };
    if let Op::Credentials = op {
        let c = credentials(&inner, get(&options, "forceRefresh").is_truthy()).await?;
        return Ok(credentials_to_js(&c));
    }
    let presign = matches!(op, Op::Presign(_));
    let mut o = sign_options(&inner, &options, presign.then_some("s3")).map_err(to_js)?;
    // What to read: the request itself, or `{ url, ...init }`.
    let described = match &op {
        Op::Sign(input) => input.clone(),
        Op::Fetch(url, init) => {
            let d = Object::assign(
                &Object::new(),
                &Object::from(if init.is_object() { init.clone() } else { Object::new().into() }),
            );
            set(&d, "url", url);
            d.into()
        }
        Op::Presign(url) => {
            let d = Object::new();
            set(&d, "url", url);
            d.into()
        }
        Op::Credentials => JsValue::UNDEFINED,
    };
    let parts = request::read(&described).await.map_err(to_js)?;
    let creds = signing_credentials(&inner, &mut o).await?;
    let now_secs = web::now_ms().div_euclid(1000);
    if presign {
        let expires = match get(&options, "expiresIn").as_f64() {
            None => 900,
            Some(e) if e >= 1.0 && e <= sigv4::MAX_EXPIRES as f64 && e == (e as u32) as f64 => e as u32,
            Some(_) => return Err(to_js(Error::invalid_input("expiresIn must be 1 to 604800 seconds"))),
        };
        let scope = Scope { service: &o.service, region: &o.region };
        return sigv4::presign(&parts.url, &creds, &scope, now_secs, expires)
            .map(|u| JsValue::from_str(&u))
            .map_err(to_js);
    }
    let payload =
        if get(&options, "unsignedPayload").is_truthy() { Payload::Unsigned } else { Payload::Bytes(&parts.body) };
    let req = sigv4::Request { method: &parts.method, url: &parts.url, headers: &parts.headers, payload };
    let headers =
        sigv4::sign(&req, &creds, &Scope { service: &o.service, region: &o.region }, now_secs).map_err(to_js)?;
    match &op {
        Op::Fetch(_, init) => request::fetch_signed(&parts.url, init, &parts, &headers).await.map_err(to_js),
        _ => request::signed(&described, &parts, &headers).map_err(to_js),
    }
}

#[wasm_bindgen]
impl CognitoAuth {
    fn run_identity(&self, op: Op, options: JsValue) -> Promise {
        future_to_promise(run(Rc::clone(&self.inner), op, options))
    }

    /// Temporary AWS credentials from the identity pool (see index.d.ts).
    #[wasm_bindgen(js_name = getAwsCredentials)]
    pub fn get_aws_credentials(&self, options: JsValue) -> Promise {
        self.run_identity(Op::Credentials, options)
    }

    /// Signs a `Request` or `{ url, method, headers, body }` with SigV4.
    #[wasm_bindgen(js_name = signRequest)]
    pub fn sign_request(&self, input: JsValue, options: JsValue) -> Promise {
        self.run_identity(Op::Sign(input), options)
    }

    /// `fetch(url, init)` signed with the identity pool's credentials.
    #[wasm_bindgen(js_name = fetchSigned)]
    pub fn fetch_signed(&self, url: JsValue, init: JsValue, options: JsValue) -> Promise {
        self.run_identity(Op::Fetch(url, init), options)
    }

    /// A presigned GET URL (query-string SigV4, `X-Amz-Expires`), for S3 by default.
    #[wasm_bindgen(js_name = presignUrl)]
    pub fn presign_url(&self, url: JsValue, options: JsValue) -> Promise {
        self.run_identity(Op::Presign(url), options)
    }
}
