//! Session storage: `localStorage`, `sessionStorage` or memory.
//!
//! Storage can be blocked (Safari private mode, sandboxed iframes, disabled cookies),
//! full, or absent (workers). The store is probed when it is opened and falls back to
//! memory; a write that throws later moves the store to memory with the data it was
//! writing, so a sign-in never fails or loses its session because of storage.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Storage;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    Session,
    Memory,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "local" => Some(Kind::Local),
            "session" => Some(Kind::Session),
            "memory" => Some(Kind::Memory),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Local => "local",
            Kind::Session => "session",
            Kind::Memory => "memory",
        }
    }
}

enum Backend {
    Web(Storage, Kind),
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
        Kind::Memory => return None,
    };
    let v = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok()?;
    let s: Storage = v.dyn_into().ok()?;
    s.set_item(PROBE_KEY, "1").ok()?;
    s.remove_item(PROBE_KEY).ok()?;
    Some(s)
}

impl Store {
    pub fn open(kind: Kind) -> Store {
        let backend = match web_storage(kind) {
            Some(s) => Backend::Web(s, kind),
            None => Backend::Memory(Vec::new()),
        };
        Store { backend: RefCell::new(backend) }
    }

    /// The storage actually in use (`"memory"` after a fallback).
    pub fn kind(&self) -> &'static str {
        match &*self.backend.borrow() {
            Backend::Web(_, k) => k.as_str(),
            Backend::Memory(_) => Kind::Memory.as_str(),
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        match &*self.backend.borrow() {
            Backend::Web(s, _) => s.get_item(key).ok().flatten(),
            Backend::Memory(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
        }
    }

    /// Writes all entries, in order. If web storage throws, the entries already written
    /// there are removed again and everything moves to memory. Returns `false` when that
    /// fallback happened.
    pub fn set_all(&self, entries: &[(String, String)]) -> bool {
        let mut backend = self.backend.borrow_mut();
        let failed = match &*backend {
            Backend::Web(s, _) => {
                let mut written = 0;
                for (k, v) in entries {
                    if s.set_item(k, v).is_err() {
                        break;
                    }
                    written += 1;
                }
                if written < entries.len() {
                    for (k, _) in entries.iter().take(written) {
                        let _ = s.remove_item(k);
                    }
                    true
                } else {
                    false
                }
            }
            Backend::Memory(_) => false,
        };
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

    pub fn remove(&self, key: &str) {
        match &mut *self.backend.borrow_mut() {
            Backend::Web(s, _) => {
                let _ = s.remove_item(key);
            }
            Backend::Memory(m) => m.retain(|(k, _)| k != key),
        }
    }
}
