//! Web APIs the session lifecycle needs: form POSTs to the user-pool domain, timers,
//! Web Locks (`navigator.locks`), BroadcastChannel and page visibility. Everything is
//! looked up on the global object, so a missing API is a `None`, never a throw.

use alloc::boxed::Box;
use alloc::string::String;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestCredentials, RequestInit, Response};

use crate::error::{Code, Error};
use crate::protocol::HttpResponse;
use crate::refresh::FormRequest;

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn global_fn(name: &str) -> Option<Function> {
    get(&js_sys::global(), name)?.dyn_into().ok()
}

fn network(message: &str) -> Error {
    Error::new(Code::Network, message)
}

/// `POST` a form to the user-pool domain (`/oauth2/token`, `/oauth2/revoke`).
pub async fn send_form(req: &FormRequest) -> Result<HttpResponse, Error> {
    let headers = Object::new();
    let _ = Reflect::set(&headers, &"Content-Type".into(), &"application/x-www-form-urlencoded".into());
    if let Some(a) = &req.authorization {
        let _ = Reflect::set(&headers, &"Authorization".into(), &JsValue::from_str(a));
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&req.body));
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    // Without it a reply that never comes would hold the refresh (and its lock) forever.
    if let Some(signal) = super::fetch::timeout_signal() {
        let _ = Reflect::set(&init, &JsValue::from_str("signal"), &signal);
    }
    let fetch = global_fn("fetch").ok_or_else(|| network("fetch is not available"))?;
    let p = fetch.call2(&JsValue::NULL, &JsValue::from_str(&req.url), &init).map_err(|_| network("fetch threw"))?;
    let resp: Response = JsFuture::from(Promise::resolve(&p))
        .await
        .map_err(|_| network("could not reach the user-pool domain (offline, blocked by CORS, dropped, or timed out)"))?
        .dyn_into()
        .map_err(|_| network("fetch returned something that is not a Response"))?;
    let status = resp.status();
    let text = resp.text().map_err(|_| network("could not read the reply"))?;
    let body = JsFuture::from(text).await.map_err(|_| network("the connection failed while reading the reply"))?;
    Ok(HttpResponse { status, body: body.as_string().unwrap_or_default(), error_type: None })
}

/// `setTimeout(f, ms)`; returns the timer id.
pub fn set_timeout(f: Box<dyn FnOnce()>, ms: f64) -> Option<JsValue> {
    let st = global_fn("setTimeout")?;
    let cb = Closure::once_into_js(f);
    st.call2(&JsValue::NULL, &cb, &JsValue::from_f64(ms.clamp(0.0, 2_147_000_000.0))).ok()
}

pub fn clear_timeout(id: &JsValue) {
    if let Some(ct) = global_fn("clearTimeout") {
        let _ = ct.call1(&JsValue::NULL, id);
    }
}

pub async fn sleep(ms: u32) {
    let p = Promise::new(&mut |resolve, _| {
        let f: Box<dyn FnOnce()> = Box::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        if set_timeout(f, ms as f64).is_none() {
            // No timers (unusual host): do not wait.
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Holds a Web Lock until dropped.
pub struct LockGuard {
    release: Function,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// Waits for the exclusive Web Lock `name`. `None` when `navigator.locks` is missing
/// (or refuses), so the caller uses its fallback.
pub async fn lock(name: &str) -> Option<LockGuard> {
    let locks = get(&get(&js_sys::global(), "navigator")?, "locks")?;
    let request: Function = get(&locks, "request")?.dyn_into().ok()?;
    // `held` resolves when the lock is granted; the callback's Promise (`release`) keeps
    // the lock until the guard resolves it.
    let mut release_fn: Option<Function> = None;
    let release = Promise::new(&mut |resolve, _| release_fn = Some(resolve));
    let mut granted_fn: Option<Function> = None;
    let granted = Promise::new(&mut |resolve, _| granted_fn = Some(resolve));
    let (release_fn, granted_fn) = (release_fn?, granted_fn?);
    let cb = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = granted_fn.call0(&JsValue::NULL);
        release.into()
    });
    let done = request.call2(&locks, &JsValue::from_str(name), &cb).ok()?;
    // A rejected request (e.g. an opaque origin) must not stay unhandled.
    let noop = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let _ = Promise::resolve(&done).catch(&noop);
    noop.forget();
    JsFuture::from(granted).await.ok()?;
    Some(LockGuard { release: release_fn })
}

/// A BroadcastChannel for tab-to-tab notices; `None` where it does not exist.
pub fn channel(name: &str, on_message: Box<dyn FnMut(String)>) -> Option<JsValue> {
    let ctor: Function = get(&js_sys::global(), "BroadcastChannel")?.dyn_into().ok()?;
    let args: js_sys::Array = core::iter::once(JsValue::from_str(name)).collect();
    let ch = Reflect::construct(&ctor, &args).ok()?;
    let mut on_message = on_message;
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        if let Some(s) = get(&ev, "data").and_then(|d| d.as_string()) {
            on_message(s);
        }
    });
    let _ = Reflect::set(&ch, &"onmessage".into(), cb.as_ref());
    cb.forget();
    // Node (tests, SSR) keeps a process alive while a channel listens; let it exit.
    if let Some(unref) = get(&ch, "unref").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = unref.call0(&ch);
    }
    Some(ch)
}

pub fn post(channel: &JsValue, message: &str) {
    if let Some(f) = get(channel, "postMessage").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call1(channel, &JsValue::from_str(message));
    }
}

/// `document.visibilityState === 'hidden'` (false where there is no document).
pub fn page_hidden() -> bool {
    get(&js_sys::global(), "document")
        .and_then(|d| get(&d, "visibilityState"))
        .and_then(|v| v.as_string())
        .is_some_and(|v| v == "hidden")
}

/// Calls `f` on every `visibilitychange` to visible.
pub fn on_visible(f: Box<dyn FnMut()>) {
    let Some(doc) = get(&js_sys::global(), "document") else { return };
    let Some(add) = get(&doc, "addEventListener").and_then(|f| f.dyn_into::<Function>().ok()) else { return };
    let mut f = f;
    let cb = Closure::<dyn FnMut()>::new(move || {
        if !page_hidden() {
            f();
        }
    });
    let _ = add.call2(&doc, &"visibilitychange".into(), cb.as_ref());
    cb.forget();
}
