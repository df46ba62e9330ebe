//! The session lifecycle: `currentSession()` with single-flight refresh (in the tab and
//! across tabs), `signOut({ global })` with revocation, `onAuthStateChange`, background
//! refresh, cross-tab notices, and the storage configuration.
//!
//! Single flight: one refresh per tab at a time (a shared Promise); across tabs a Web Lock
//! `cognito-wasm.refresh.{clientId}` (or, without Web Locks, a lease in storage). Whoever
//! gets the lock re-reads storage first and uses tokens another tab just obtained.

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::{opt_string, session_to_js, set, to_js, CognitoAuth, Inner};
use crate::error::{Code, Error};
use crate::flow::ClientSecret;
use crate::refresh::{self, Decision, RefreshOptions, TokenSource};
use crate::session::{self, user_key, Session};
use crate::timestamp::decimal;
use crate::web::lifecycle as webl;
use crate::web::{self, fetch, storage};

/// Refresh attempts per `currentSession()` call on retryable faults (with backoff).
const ATTEMPTS: u32 = 3;
/// How long a storage lease (no Web Locks) is held at most.
const LEASE_MS: i64 = 10_000;

/// Per-client lifecycle state (a field of [`Inner`]).
pub(crate) struct Life {
    leeway: i64,
    auto_refresh: bool,
    rotation: bool,
    domain: Option<String>,
    pub(crate) secret: Option<ClientSecret>,
    fell_back: Cell<bool>,
    listeners: RefCell<Vec<(u32, Function)>>,
    next_id: Cell<u32>,
    /// The refresh in progress in this tab, and where its result lands.
    inflight: RefCell<Option<Promise>>,
    result: RefCell<Option<Result<Option<Session>, Error>>>,
    timer: RefCell<Option<JsValue>>,
    /// A background refresh came due while the page was hidden.
    due: Cell<bool>,
    channel: RefCell<Option<JsValue>>,
    /// Failed refreshes other tabs reported ("refreshFailed" notices), counted.
    peer_failures: Cell<u32>,
}

fn bool_field(config: &JsValue, key: &str) -> Result<bool, Error> {
    let v = Reflect::get(config, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(false);
    }
    v.as_bool().ok_or_else(|| {
        let mut m = String::from(key);
        m.push_str(" must be a boolean");
        Error::invalid_input(&m)
    })
}

fn cookie_options(config: &JsValue) -> Result<storage::CookieOptions, Error> {
    let c = Reflect::get(config, &"cookie".into()).unwrap_or(JsValue::UNDEFINED);
    let mut attributes = String::from("; Path=");
    let path = if c.is_object() { opt_string(&c, "path")? } else { None };
    attributes.push_str(path.as_deref().unwrap_or("/"));
    if c.is_object() {
        if let Some(d) = opt_string(&c, "domain")? {
            attributes.push_str("; Domain=");
            attributes.push_str(&d);
        }
    }
    // `expires`: days, as in amazon-cognito-identity-js's CookieStorage (default 365).
    let days = if c.is_object() { Reflect::get(&c, &"expires".into()).ok().and_then(|v| v.as_f64()) } else { None };
    let days = days.unwrap_or(365.0);
    if !(0.0..=3650.0).contains(&days) {
        return Err(Error::invalid_input("cookie.expires must be a number of days (0..3650)"));
    }
    attributes.push_str("; Max-Age=");
    attributes.push_str(&decimal((days * 86_400.0) as u64));
    let same_site = if c.is_object() { opt_string(&c, "sameSite")? } else { None };
    let same_site = same_site.unwrap_or_else(|| String::from("Lax"));
    let norm = match same_site.to_ascii_lowercase().as_str() {
        "lax" => "Lax",
        "strict" => "Strict",
        "none" => "None",
        _ => return Err(Error::invalid_input("cookie.sameSite must be 'lax', 'strict' or 'none'")),
    };
    attributes.push_str("; SameSite=");
    attributes.push_str(norm);
    let secure = if c.is_object() { bool_field(&c, "secure")? || norm == "None" } else { false };
    if secure {
        attributes.push_str("; Secure");
    }
    if attributes.contains(['\n', '\r']) || attributes.matches(';').count() > 6 {
        return Err(Error::invalid_input("cookie options must not contain ';' or newlines"));
    }
    Ok(storage::CookieOptions { attributes })
}

/// Reads the lifecycle settings and opens the storage (called from `CognitoAuth::build`).
pub(crate) fn parse_session_config(config: &JsValue) -> Result<(storage::Store, Life), Error> {
    let st = Reflect::get(config, &"storage".into()).unwrap_or(JsValue::UNDEFINED);
    let spec = if st.is_undefined() || st.is_null() {
        storage::Spec::Kind(storage::Kind::Local)
    } else if let Some(s) = st.as_string() {
        match storage::Kind::parse(&s) {
            Some(storage::Kind::Cookie) => storage::Spec::Cookie(cookie_options(config)?),
            Some(k) => storage::Spec::Kind(k),
            None => return Err(Error::invalid_input(
                "storage must be 'local', 'session', 'memory', 'cookie' or an object with getItem/setItem/removeItem",
            )),
        }
    } else if ["getItem", "setItem", "removeItem"]
        .iter()
        .all(|m| Reflect::get(&st, &JsValue::from_str(m)).map(|f| f.is_function()).unwrap_or(false))
    {
        storage::Spec::Custom(st)
    } else {
        return Err(Error::invalid_input(
            "storage must be 'local', 'session', 'memory', 'cookie' or an object with getItem/setItem/removeItem",
        ));
    };
    let leeway = match Reflect::get(config, &"refreshLeeway".into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
    {
        None => 60,
        Some(v) => match v.as_f64() {
            Some(n) if (0.0..=86_400.0).contains(&n) => n as i64,
            _ => return Err(Error::invalid_input("refreshLeeway must be a number of seconds (0..86400)")),
        },
    };
    let domain = match opt_string(config, "domain")? {
        Some(d) => Some(refresh::parse_domain(&d)?),
        None => None,
    };
    let secret = opt_string(config, "clientSecret")?.map(|s| ClientSecret::new(&s));
    let (store, fell_back) = storage::Store::open(spec);
    let life = Life {
        leeway,
        auto_refresh: bool_field(config, "autoRefresh")?,
        rotation: bool_field(config, "refreshTokenRotation")?,
        domain,
        secret,
        fell_back: Cell::new(fell_back),
        listeners: RefCell::new(Vec::new()),
        next_id: Cell::new(1),
        inflight: RefCell::new(None),
        result: RefCell::new(None),
        timer: RefCell::new(None),
        due: Cell::new(false),
        channel: RefCell::new(None),
        peer_failures: Cell::new(0),
    };
    Ok((store, life))
}

/// Starts what runs in the background: the cross-tab channel, the visibility hook, the
/// deferred `storageFallback` event and the first background-refresh timer.
pub(crate) fn start(inner: &Rc<Inner>) {
    let weak = Rc::downgrade(inner);
    let mut name = String::from("cognito-wasm.");
    name.push_str(inner.config.client_id());
    let w = weak.clone();
    let ch = webl::channel(
        &name,
        Box::new(move |msg: String| {
            if let Some(inner) = w.upgrade() {
                spawn_local(async move { inner.on_notice(&msg).await });
            }
        }),
    );
    *inner.life.channel.borrow_mut() = ch;
    if inner.life.auto_refresh {
        let w = weak.clone();
        webl::on_visible(Box::new(move || {
            if let Some(inner) = w.upgrade() {
                if inner.life.due.replace(false) || inner.life.timer.borrow().is_none() {
                    spawn_local(async move { inner.background_refresh().await });
                }
            }
        }));
    }
    spawn_local(async move {
        let Some(inner) = weak.upgrade() else { return };
        // Listeners added right after the constructor still hear about the fallback.
        if inner.life.fell_back.get() {
            inner.emit("storageFallback", None, None);
        }
        inner.schedule().await;
    });
}

fn event(kind: &str, s: Option<&Session>, e: Option<&Error>) -> JsValue {
    let o = Object::new();
    set(&o, "type", &JsValue::from_str(kind));
    if let Some(s) = s {
        set(&o, "session", &session_to_js(s));
    }
    if let Some(e) = e {
        set(&o, "error", &to_js(e.clone()));
    }
    o.into()
}

impl Inner {
    pub(crate) fn emit(&self, kind: &str, s: Option<&Session>, e: Option<&Error>) {
        // Copy the list first: a listener may unsubscribe (or subscribe) while called.
        let listeners: Vec<Function> = self.life.listeners.borrow().iter().map(|(_, f)| f.clone()).collect();
        if listeners.is_empty() {
            return;
        }
        let ev = event(kind, s, e);
        for f in listeners {
            // A throwing listener must not stop the others or the library.
            let _ = f.call1(&JsValue::NULL, &ev);
        }
    }

    pub(crate) fn notify_tabs(&self, msg: &str) {
        if let Some(ch) = &*self.life.channel.borrow() {
            webl::post(ch, msg);
        }
    }

    async fn on_notice(self: Rc<Self>, msg: &str) {
        match msg {
            "signedOut" => {
                self.emit("signedOut", None, None);
                self.cancel_timer();
            }
            // Another tab's refresh failed: a tab waiting behind it for new tokens stops
            // waiting for a write that will not come (refresh_under_lock).
            "refreshFailed" => self.life.peer_failures.set(self.life.peer_failures.get().wrapping_add(1)),
            "signedIn" | "tokenRefreshed" => {
                // The notice can overtake the other tab's localStorage write (another
                // renderer process): give the write up to 2 s to show up here.
                for _ in 0..40 {
                    if let Some(s) = self.load_session().await {
                        self.emit(msg, Some(&s), None);
                        self.schedule().await;
                        return;
                    }
                    webl::sleep(50).await;
                }
            }
            _ => {}
        }
    }

    fn note_fallback(&self, kept: bool) {
        if !kept && !self.life.fell_back.replace(true) {
            self.emit("storageFallback", None, None);
        }
    }

    pub(crate) async fn load_session(&self) -> Option<Session> {
        let cid = self.config.client_id();
        let user = self.store.get(&session::last_user_key(cid)).await.filter(|u| !u.is_empty())?;
        let mut vals: Vec<(String, String)> = Vec::with_capacity(5);
        vals.push((session::last_user_key(cid), user.clone()));
        for f in ["idToken", "accessToken", "refreshToken", "clockDrift"] {
            let k = user_key(cid, &user, f);
            if let Some(v) = self.store.get(&k).await {
                vals.push((k, v));
            }
        }
        Session::load(&self.config, |k| vals.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    pub(crate) async fn token_source(&self, username: &str) -> TokenSource {
        TokenSource::parse(self.store.get(&TokenSource::key(self.config.client_id(), username)).await.as_deref())
    }

    /// Stores a session (and how it was obtained) in one write; `LastAuthUser` last.
    pub(crate) async fn save_session(&self, s: &Session, source: TokenSource) {
        let cid = self.config.client_id();
        // A different user signing in replaces the previous user's session.
        let prev: Option<String> = self.store.get(&session::last_user_key(cid)).await;
        if let Some(prev) = prev {
            if prev != s.username {
                for k in session::session_keys(cid, &prev) {
                    self.store.remove(&k).await;
                }
            }
        }
        let mut entries = s.to_entries(cid);
        let tk = TokenSource::key(cid, &s.username);
        if source == TokenSource::HostedUi {
            entries.insert(0, (tk, String::from(source.as_str())));
        } else {
            self.store.remove(&tk).await;
        }
        let kept = self.store.set_all(&entries).await;
        self.note_fallback(kept);
    }

    pub(crate) async fn clear_session(&self) {
        let cid = self.config.client_id();
        let user: Option<String> = self.store.get(&session::last_user_key(cid)).await;
        if let Some(user) = user {
            for k in session::session_keys(cid, &user) {
                self.store.remove(&k).await;
            }
        }
        self.store.remove(&session::last_user_key(cid)).await;
    }

    /// A new session from a sign-in (password here; the hosted UI calls it too): store it,
    /// tell listeners and the other tabs, schedule the background refresh.
    pub(crate) async fn session_started(self: &Rc<Self>, s: &Session, source: TokenSource) {
        self.save_session(s, source).await;
        self.emit("signedIn", Some(s), None);
        self.notify_tabs("signedIn");
        Rc::clone(self).schedule().await;
    }

    async fn end_session(&self) {
        self.clear_session().await;
        self.cancel_timer();
        self.emit("sessionExpired", None, None);
        self.notify_tabs("signedOut");
    }

    /// `currentSession()`: the stored session, refreshed first when it expires within the
    /// leeway. `Ok(None)` when signed out (or the session just ended).
    pub(crate) async fn current(self: Rc<Self>) -> Result<Option<Session>, Error> {
        let Some(s) = self.load_session().await else { return Ok(None) };
        match refresh::decide(&s, web::now_ms(), self.life.leeway) {
            Decision::Use => Ok(Some(s)),
            Decision::Expired => {
                self.end_session().await;
                Ok(None)
            }
            Decision::Refresh { usable } => match self.shared_refresh(s.access_token.clone()).await {
                Err(e) if usable && !refresh::ends_session(&e) => Ok(Some(s)),
                other => other,
            },
        }
    }

    /// Joins the refresh in progress in this tab, or starts one.
    pub(crate) async fn shared_refresh(self: Rc<Self>, seen_access: String) -> Result<Option<Session>, Error> {
        let running = self.life.inflight.borrow().clone();
        let p = match running {
            Some(p) => p,
            None => {
                let me = Rc::clone(&self);
                let p = future_to_promise(async move {
                    let r = Rc::clone(&me).refresh_locked(seen_access).await;
                    *me.life.result.borrow_mut() = Some(r);
                    me.life.inflight.borrow_mut().take();
                    Ok(JsValue::UNDEFINED)
                });
                *self.life.inflight.borrow_mut() = Some(p.clone());
                p
            }
        };
        let _ = JsFuture::from(p).await;
        let r = self.life.result.borrow().clone();
        r.unwrap_or(Ok(None))
    }

    /// The cross-tab part: under the lock, re-read storage; refresh only if nobody did.
    async fn refresh_locked(self: Rc<Self>, seen_access: String) -> Result<Option<Session>, Error> {
        let mut lock_name = String::from("cognito-wasm.refresh.");
        lock_name.push_str(self.config.client_id());
        let t0 = web::now_ms();
        let failures = self.life.peer_failures.get();
        let guard = webl::lock(&lock_name).await;
        let lease = if guard.is_none() && self.store.shared() { self.lease().await } else { None };
        // Waiting means another tab probably refreshed; its write may take a moment to
        // reach this tab's view of storage (another renderer process).
        let waited = self.store.shared() && web::now_ms() - t0 > 20;
        let r = self.refresh_under_lock(&seen_access, waited, failures).await;
        if let Some(mine) = lease {
            let k = self.lease_key();
            if self.store.get(&k).await.as_deref() == Some(mine.as_str()) {
                self.store.remove(&k).await;
            }
        }
        drop(guard);
        r
    }

    async fn refresh_under_lock(
        self: &Rc<Self>,
        seen_access: &str,
        waited: bool,
        failures: u32,
    ) -> Result<Option<Session>, Error> {
        // Another renderer's localStorage write reaches this tab asynchronously (usually in
        // milliseconds; seconds on a starved machine). A tab that waited behind the lock
        // gives it up to 2 s before refreshing itself: refreshing on a stale read would spend
        // the old refresh token a second time, which rotation punishes. When the tab it waited
        // for says its refresh failed (`failures` changed), there is no write to wait for:
        // without this every waiting tab lost 2 s in turn (3 tabs: 4 s more for the last).
        let mut polls = if waited { 40 } else { 0 };
        let cur = loop {
            let Some(cur) = self.load_session().await else { return Ok(None) };
            if refresh::decide(&cur, web::now_ms(), self.life.leeway) == Decision::Use {
                // Fresh tokens: another tab refreshed while this one waited for the lock.
                return Ok(Some(cur));
            }
            if polls == 0 || cur.access_token != seen_access || self.life.peer_failures.get() != failures {
                break cur;
            }
            polls -= 1;
            webl::sleep(50).await;
        };
        let source = self.token_source(&cur.username).await;
        let mut attempt = 0;
        loop {
            match self.refresh_once(&cur, source).await {
                Ok(new) => {
                    self.save_session(&new, source).await;
                    self.emit("tokenRefreshed", Some(&new), None);
                    self.notify_tabs("tokenRefreshed");
                    Rc::clone(self).schedule().await;
                    return Ok(Some(new));
                }
                Err(e) if refresh::ends_session(&e) => {
                    self.end_session().await;
                    return Err(e);
                }
                Err(e) if e.retryable() && attempt + 1 < ATTEMPTS => {
                    let mut r = [0u8; 4];
                    let _ = web::random_bytes(&mut r);
                    webl::sleep(refresh::backoff_ms(attempt, u32::from_le_bytes(r))).await;
                    attempt += 1;
                }
                Err(e) => {
                    self.emit("tokenRefreshFailed", Some(&cur), Some(&e));
                    self.notify_tabs("refreshFailed");
                    return Err(e);
                }
            }
        }
    }

    pub(crate) async fn refresh_once(&self, cur: &Session, source: TokenSource) -> Result<Session, Error> {
        let secret = self.life.secret.as_ref();
        if source == TokenSource::HostedUi {
            let domain = self.life.domain.as_deref().ok_or_else(|| {
                Error::invalid_input("this session came from the hosted UI: set `domain` to refresh it")
            })?;
            let req = refresh::oauth_request(domain, &self.config, cur, secret)?;
            let resp = webl::send_form(&req).await?;
            return refresh::parse_oauth_reply(&self.config, cur, &resp, web::now_ms());
        }
        let device = self.store.get(&user_key(self.config.client_id(), &cur.username, "deviceKey")).await;
        let opts = RefreshOptions { device_key: device.as_deref(), secret, rotation: self.life.rotation };
        let req = refresh::user_pool_request(&self.config, cur, &opts)?;
        let resp = fetch::send(&req).await?;
        refresh::parse_user_pool_reply(&self.config, cur, &resp, web::now_ms())
    }

    fn lease_key(&self) -> String {
        let mut k = session::key_prefix(self.config.client_id());
        k.push_str(".refreshLease");
        k
    }

    /// Without Web Locks: a lease `{nonce}:{expiry ms}` in shared storage. Write, wait,
    /// read back; the tab whose nonce stays wins. Gives up after one lease period and
    /// refreshes anyway (a stale lease must not block refresh forever).
    async fn lease(&self) -> Option<String> {
        let key = self.lease_key();
        let mut nonce = [0u8; 8];
        web::random_bytes(&mut nonce).ok()?;
        let started = web::now_ms();
        while web::now_ms() - started < LEASE_MS {
            let now = web::now_ms();
            let held = self.store.get(&key).await.and_then(|v| {
                let (_, exp) = v.rsplit_once(':')?;
                crate::json::Json::Num(String::from(exp)).as_i64()
            });
            if held.is_none_or(|exp| exp < now) {
                let mut mine = crate::encoding::hex_encode(&nonce);
                mine.push(':');
                mine.push_str(&decimal((now + LEASE_MS) as u64));
                self.store.set_all(&[(key.clone(), mine.clone())]).await;
                webl::sleep(40).await;
                if self.store.get(&key).await.as_deref() == Some(mine.as_str()) {
                    return Some(mine);
                }
            }
            webl::sleep(60).await;
        }
        None
    }

    pub(crate) fn cancel_timer(&self) {
        if let Some(id) = self.life.timer.borrow_mut().take() {
            webl::clear_timeout(&id);
        }
    }

    /// (Re)arms the background refresh for the stored session (`autoRefresh: true`).
    async fn schedule(self: Rc<Self>) {
        if !self.life.auto_refresh {
            return;
        }
        self.cancel_timer();
        let Some(s) = self.load_session().await else { return };
        let now = web::now_ms();
        let at = refresh::refresh_at_ms(&s, now, self.life.leeway);
        self.arm((at - now) as f64);
    }

    fn arm(self: &Rc<Self>, ms: f64) {
        let weak: Weak<Inner> = Rc::downgrade(self);
        let id = webl::set_timeout(
            Box::new(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.life.timer.borrow_mut().take();
                    if webl::page_hidden() {
                        // Caught up on `visibilitychange`.
                        inner.life.due.set(true);
                    } else {
                        spawn_local(async move { inner.background_refresh().await });
                    }
                }
            }),
            ms,
        );
        *self.life.timer.borrow_mut() = id;
    }

    async fn background_refresh(self: Rc<Self>) {
        match Rc::clone(&self).current().await {
            Ok(Some(_)) => {
                if self.life.timer.borrow().is_none() {
                    self.schedule().await;
                }
            }
            Ok(None) => {}
            // A fault: try again in a while (the session is kept).
            Err(_) => self.arm(30_000.0),
        }
    }

    async fn sign_out(self: Rc<Self>, opts: JsValue) -> Result<JsValue, Error> {
        let global = if opts.is_object() { bool_field(&opts, "global")? } else { false };
        // `{ redirect: true }` (hosted UI): after all of this, go to /logout (hosted.rs).
        let logout = self.logout_redirect(&opts)?;
        self.pending.borrow_mut().take();
        let s = self.load_session().await;
        let source = match &s {
            Some(s) => self.token_source(&s.username).await,
            None => TokenSource::UserPool,
        };
        // Local state goes first: a revocation that fails must not leave the user signed in.
        self.forget_aws_credentials().await;
        self.clear_session().await;
        self.cancel_timer();
        self.emit("signedOut", None, None);
        self.notify_tabs("signedOut");
        let mut revoked = false;
        let mut error: Option<Error> = None;
        if let Some(s) = s {
            let secret = self.life.secret.as_ref();
            let r = if global {
                match fetch::send(&refresh::global_sign_out_request(&self.config, &s.access_token)).await {
                    Ok(resp) => refresh::parse_empty_reply(&resp, false),
                    Err(e) => Err(e),
                }
            } else if let Some(rt) = s.refresh_token.as_deref() {
                match (source, self.life.domain.as_deref()) {
                    (TokenSource::HostedUi, Some(d)) => {
                        match webl::send_form(&refresh::oauth_revoke_request(d, &self.config, rt, secret)).await {
                            Ok(resp) => refresh::parse_empty_reply(&resp, true),
                            Err(e) => Err(e),
                        }
                    }
                    (TokenSource::HostedUi, None) => {
                        Err(Error::invalid_input("set `domain` to revoke hosted-UI sessions"))
                    }
                    (TokenSource::UserPool, _) => {
                        match fetch::send(&refresh::revoke_request(&self.config, rt, secret)).await {
                            Ok(resp) => refresh::parse_empty_reply(&resp, false),
                            Err(e) => Err(e),
                        }
                    }
                }
            } else {
                Err(Error::new(Code::InvalidInput, "the session had no refresh token to revoke"))
            };
            match r {
                Ok(()) => revoked = true,
                Err(e) => error = Some(e),
            }
        }
        if let Some(url) = logout {
            super::hosted::navigate(&url)?;
        }
        let o = Object::new();
        set(&o, "revoked", &JsValue::from_bool(revoked));
        set(&o, "error", &error.map_or(JsValue::NULL, to_js));
        Ok(o.into())
    }
}

#[wasm_bindgen]
impl CognitoAuth {
    /// The session, refreshed first when it expires within `refreshLeeway`; null when
    /// signed out. Rejects (typed error) only when the tokens are expired and could not be
    /// refreshed because of a fault; a rejected refresh token ends the session (null,
    /// `sessionExpired`).
    #[wasm_bindgen(js_name = currentSession)]
    pub fn current_session(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            match inner.current().await {
                Ok(s) => Ok(s.map_or(JsValue::NULL, |s| session_to_js(&s))),
                Err(e) if refresh::ends_session(&e) => Ok(JsValue::NULL),
                Err(e) => Err(to_js(e)),
            }
        })
    }

    /// Signs out: local state is cleared first, then the refresh token is revoked
    /// (RevokeToken, or `/oauth2/revoke` for hosted-UI sessions), or with
    /// `{ global: true }` every session of the user is ended (GlobalSignOut). Resolves
    /// `{ revoked, error }`; never rejects because of the network.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self, opts: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.sign_out(opts).await.map_err(to_js) })
    }

    /// Calls `listener({ type, session?, error? })` on auth events; returns a function that
    /// removes the listener.
    #[wasm_bindgen(js_name = onAuthStateChange)]
    pub fn on_auth_state_change(&self, listener: JsValue) -> Result<JsValue, JsValue> {
        let f: Function =
            listener.dyn_into().map_err(|_| to_js(Error::invalid_input("listener must be a function")))?;
        let life = &self.inner.life;
        let id = life.next_id.get();
        life.next_id.set(id.wrapping_add(1));
        life.listeners.borrow_mut().push((id, f));
        let weak = Rc::downgrade(&self.inner);
        let unsubscribe = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.life.listeners.borrow_mut().retain(|(i, _)| *i != id);
            }
        });
        Ok(unsubscribe.into_js_value())
    }
}
