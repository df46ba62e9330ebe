//! Session storage: `localStorage`, `sessionStorage`, cookies, memory, or an object of the
//! app's with `getItem/setItem/removeItem` (synchronous or Promise-returning).
//!
//! Storage can be blocked (Safari private mode, sandboxed iframes, disabled cookies),
//! full, or absent (workers). The store is probed when it is opened and falls back to
//! memory; a write that throws later moves the store to memory with the data it was
//! writing, so a sign-in never fails or loses its session because of storage.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Storage;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    Session,
    Memory,
    Cookie,
    Custom,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "local" => Some(Kind::Local),
            "session" => Some(Kind::Session),
            "memory" => Some(Kind::Memory),
            "cookie" => Some(Kind::Cookie),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Local => "local",
            Kind::Session => "session",
            Kind::Memory => "memory",
            Kind::Cookie => "cookie",
            Kind::Custom => "custom",
        }
    }
}

/// Cookie attributes (`storage: 'cookie'`, `cookie: {...}`), as a ready-made suffix
/// `; Path=/; Domain=…; Max-Age=…; SameSite=…; Secure`.
pub struct CookieOptions {
    pub attributes: String,
}

/// What the app configured.
pub enum Spec {
    Kind(Kind),
    Cookie(CookieOptions),
    /// An object with `getItem/setItem/removeItem`.
    Custom(JsValue),
}

enum Backend {
    Web(Storage, Kind),
    Cookie(CookieOptions),
    Custom(JsValue),
    /// A handful of keys: a vector is smaller (in code) than a map and as fast.
    Memory(Vec<(String, String)>),
}

pub struct Store {
    backend: RefCell<Backend>,
}

const PROBE_KEY: &str = "cognito-wasm.probe";

/// Gets `localStorage`/`sessionStorage` from the global object without assuming a window;
/// the getter itself may throw (SecurityError), which is a `None` here.
fn web_storage(kind: Kind) -> Option<Storage> {
    let name = match kind {
        Kind::Local => "localStorage",
        Kind::Session => "sessionStorage",
        _ => return None,
    };
    let v = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok()?;
    let s: Storage = v.dyn_into().ok()?;
    s.set_item(PROBE_KEY, "1").ok()?;
    s.remove_item(PROBE_KEY).ok()?;
    Some(s)
}

fn document() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("document")).ok().filter(|d| d.is_object())
}

fn cookie_string() -> Option<String> {
    Reflect::get(&document()?, &JsValue::from_str("cookie")).ok()?.as_string()
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn cookie_get(key: &str) -> Option<String> {
    let all = cookie_string()?;
    let name = encode(key);
    for part in all.split(';') {
        if let Some((k, v)) = part.trim_start().split_once('=') {
            if k == name {
                return js_sys::decode_uri_component(v).ok().map(String::from);
            }
        }
    }
    None
}

/// Writes one cookie; false when cookies are unavailable or the write did not stick.
fn cookie_set(key: &str, value: Option<&str>, opts: &CookieOptions) -> bool {
    let Some(doc) = document() else { return false };
    let mut c = encode(key);
    c.push('=');
    if let Some(v) = value {
        c.push_str(&encode(v));
        c.push_str(&opts.attributes);
    } else {
        c.push_str(&opts.attributes);
        c.push_str("; Max-Age=0");
    }
    if Reflect::set(&doc, &JsValue::from_str("cookie"), &JsValue::from_str(&c)).is_err() {
        return false;
    }
    value.is_none() || cookie_get(key).as_deref() == value
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(obj, &JsValue::from_str(name)).ok()?.dyn_into::<Function>().ok()
}

/// Calls `obj[name](args…)` and awaits the result if it is a Promise (or any value).
async fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, ()> {
    let f = method(obj, name).ok_or(())?;
    let arr: js_sys::Array = args.iter().collect();
    let v = f.apply(obj, &arr).map_err(|_| ())?;
    JsFuture::from(Promise::resolve(&v)).await.map_err(|_| ())
}

impl Store {
    /// Opens the configured storage, probing it. The flag is true when it was unusable and
    /// memory is used instead.
    pub fn open(spec: Spec) -> (Store, bool) {
        let (backend, fell_back) = match spec {
            Spec::Kind(Kind::Memory) => (Backend::Memory(Vec::new()), false),
            Spec::Kind(kind) => match web_storage(kind) {
                Some(s) => (Backend::Web(s, kind), false),
                None => (Backend::Memory(Vec::new()), true),
            },
            Spec::Cookie(opts) => {
                if cookie_set(PROBE_KEY, Some("1"), &opts) && cookie_set(PROBE_KEY, None, &opts) {
                    (Backend::Cookie(opts), false)
                } else {
                    (Backend::Memory(Vec::new()), true)
                }
            }
            Spec::Custom(obj) => (Backend::Custom(obj), false),
        };
        (Store { backend: RefCell::new(backend) }, fell_back)
    }

    /// The storage actually in use (`"memory"` after a fallback).
    pub fn kind(&self) -> &'static str {
        match &*self.backend.borrow() {
            Backend::Web(_, k) => k.as_str(),
            Backend::Cookie(_) => Kind::Cookie.as_str(),
            Backend::Custom(_) => Kind::Custom.as_str(),
            Backend::Memory(_) => Kind::Memory.as_str(),
        }
    }

    /// True when other tabs see the same data (localStorage, cookies, an app's store).
    pub fn shared(&self) -> bool {
        !matches!(self.kind(), "memory" | "session")
    }

    fn custom(&self) -> Option<JsValue> {
        match &*self.backend.borrow() {
            Backend::Custom(o) => Some(o.clone()),
            _ => None,
        }
    }

    /// Reads a key; a read that throws is `None` (the session is then simply not found).
    pub async fn get(&self, key: &str) -> Option<String> {
        if let Some(obj) = self.custom() {
            return call(&obj, "getItem", &[JsValue::from_str(key)]).await.ok()?.as_string();
        }
        match &*self.backend.borrow() {
            Backend::Web(s, _) => s.get_item(key).ok().flatten(),
            Backend::Cookie(_) => cookie_get(key),
            Backend::Memory(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
            Backend::Custom(_) => None,
        }
    }

    /// Writes all entries, in order. If the storage throws, the entries already written
    /// there are removed again and everything moves to memory. Returns `false` when that
    /// fallback happened.
    pub async fn set_all(&self, entries: &[(String, String)]) -> bool {
        let mut written = 0;
        if let Some(obj) = self.custom() {
            for (k, v) in entries {
                if call(&obj, "setItem", &[JsValue::from_str(k), JsValue::from_str(v)]).await.is_err() {
                    break;
                }
                written += 1;
            }
            if written < entries.len() {
                for (k, _) in entries.iter().take(written) {
                    let _ = call(&obj, "removeItem", &[JsValue::from_str(k)]).await;
                }
            }
        } else {
            let backend = self.backend.borrow();
            match &*backend {
                Backend::Web(s, _) => {
                    for (k, v) in entries {
                        if s.set_item(k, v).is_err() {
                            break;
                        }
                        written += 1;
                    }
                    for (k, _) in entries.iter().take(if written < entries.len() { written } else { 0 }) {
                        let _ = s.remove_item(k);
                    }
                }
                Backend::Cookie(o) => {
                    for (k, v) in entries {
                        if !cookie_set(k, Some(v), o) {
                            break;
                        }
                        written += 1;
                    }
                    for (k, _) in entries.iter().take(if written < entries.len() { written } else { 0 }) {
                        cookie_set(k, None, o);
                    }
                }
                _ => written = entries.len(),
            }
        }
        let failed = written < entries.len();
        let mut backend = self.backend.borrow_mut();
        if failed {
            *backend = Backend::Memory(Vec::new());
        }
        if let Backend::Memory(m) = &mut *backend {
            for (k, v) in entries {
                m.retain(|(old, _)| old != k);
                m.push((k.clone(), v.clone()));
            }
        }
        !failed
    }

    pub async fn remove(&self, key: &str) {
        if let Some(obj) = self.custom() {
            let _ = call(&obj, "removeItem", &[JsValue::from_str(key)]).await;
            return;
        }
        match &mut *self.backend.borrow_mut() {
            Backend::Web(s, _) => {
                let _ = s.remove_item(key);
            }
            Backend::Cookie(o) => {
                cookie_set(key, None, o);
            }
            Backend::Memory(m) => m.retain(|(k, _)| k != key),
            Backend::Custom(_) => {}
        }
    }
}
