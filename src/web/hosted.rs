//! Web APIs the hosted UI needs: requests to the user-pool domain and the JWKS (`fetch`),
//! RS256 verification (WebCrypto `RSASSA-PKCS1-v1_5`, so no RSA code ships in the wasm),
//! navigation (`location.assign`) and cleaning the address bar (`history.replaceState`).
//! Everything is reached through the global object, so a missing API is an error, not a
//! panic.

use alloc::string::String;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestCredentials, RequestInit, Response};

use crate::error::{Code, Error};
use crate::oauth::OAuthRequest;
use crate::protocol::HttpResponse;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

fn network(message: &str) -> Error {
    Error::new(Code::Network, message)
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    get(obj, name)?.dyn_into::<Function>().ok()
}

/// Sends a request to the user-pool domain (or GETs the JWKS when `req.form` and
/// `req.bearer` are `None`). Any HTTP status is a response; only a failed fetch is an error.
pub async fn send(req: &OAuthRequest) -> Result<HttpResponse, Error> {
    let headers = Object::new();
    let set = |k: &str, v: &str| {
        let _ = Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    let init = RequestInit::new();
    init.set_method(req.method);
    if let Some(form) = &req.form {
        set("Content-Type", "application/x-www-form-urlencoded");
        init.set_body(&JsValue::from_str(form));
    }
    if let Some(token) = &req.bearer {
        let mut v = String::from("Bearer ");
        v.push_str(token);
        set("Authorization", &v);
    }
    init.set_headers(&headers);
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    // Without it a reply that never comes would leave the callback pending forever.
    if let Some(signal) = super::fetch::timeout_signal() {
        let _ = Reflect::set(&init, &JsValue::from_str("signal"), &signal);
    }
    let promise = global_fetch(&req.url, &init).map_err(|_| network("fetch is not available"))?;
    let resp: Response = JsFuture::from(promise)
        .await
        .map_err(|_| network("could not reach the user-pool domain (offline, blocked by CORS, refused, or timed out)"))?
        .dyn_into()
        .map_err(|_| network("fetch returned something that is not a Response"))?;
    let status = resp.status();
    let text = resp.text().map_err(|_| network("could not read the reply"))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|_| network("the connection failed while reading the reply"))?
        .as_string()
        .unwrap_or_default();
    Ok(HttpResponse { status, body, error_type: None })
}

async fn call_promise(f: &Function, this: &JsValue, args: &Array) -> Result<JsValue, JsValue> {
    let p: Promise = f.apply(this, args)?.dyn_into()?;
    JsFuture::from(p).await
}

/// RSASSA-PKCS1-v1_5 / SHA-256 with the RSA public key `{n, e}` (base64url), by WebCrypto.
/// `Ok(false)` for a wrong signature; an error when WebCrypto is missing (insecure origin)
/// or refuses the key.
pub async fn verify_rs256(n: &str, e: &str, data: &[u8], signature: &[u8]) -> Result<bool, Error> {
    let unavailable =
        || Error::new(Code::InvalidIdToken, "WebCrypto (crypto.subtle) is not available: use https:// or localhost");
    let subtle = get(&js_sys::global(), "crypto").and_then(|c| get(&c, "subtle")).ok_or_else(unavailable)?;
    let (import, verify) =
        (method(&subtle, "importKey").ok_or_else(unavailable)?, method(&subtle, "verify").ok_or_else(unavailable)?);
    let jwk = Object::new();
    for (k, v) in [("kty", "RSA"), ("n", n), ("e", e), ("alg", "RS256")] {
        let _ = Reflect::set(&jwk, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let alg = Object::new();
    let _ = Reflect::set(&alg, &"name".into(), &"RSASSA-PKCS1-v1_5".into());
    let _ = Reflect::set(&alg, &"hash".into(), &"SHA-256".into());
    let args = Array::of5(&"jwk".into(), &jwk, &alg, &JsValue::FALSE, &Array::of1(&"verify".into()));
    let key = call_promise(&import, &subtle, &args)
        .await
        .map_err(|_| Error::new(Code::InvalidIdToken, "the user pool's signing key could not be imported"))?;
    let args = Array::of4(&alg, &key, &Uint8Array::from(signature), &Uint8Array::from(data));
    let ok = call_promise(&verify, &subtle, &args)
        .await
        .map_err(|_| Error::new(Code::InvalidIdToken, "WebCrypto could not verify the signature"))?;
    Ok(ok.as_bool() == Some(true))
}

fn session_storage() -> Option<web_sys::Storage> {
    get(&js_sys::global(), "sessionStorage")?.dyn_into::<web_sys::Storage>().ok()
}

/// `sessionStorage.getItem`; `None` when absent or blocked.
pub fn session_get(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// `sessionStorage.setItem`; `false` when blocked or full.
pub fn session_set(key: &str, value: &str) -> bool {
    session_storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn session_remove(key: &str) {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(key);
    }
}

/// `location.href`, if there is a location (not in workers).
pub fn current_url() -> Option<String> {
    get(&js_sys::global(), "location").and_then(|l| get(&l, "href")).and_then(|h| h.as_string())
}

/// `location.assign(url)`.
pub fn navigate(url: &str) -> Result<(), Error> {
    let fail = || Error::invalid_input("navigation needs a window (location.assign)");
    let loc = get(&js_sys::global(), "location").ok_or_else(fail)?;
    let assign = method(&loc, "assign").ok_or_else(fail)?;
    assign.call1(&loc, &JsValue::from_str(url)).map_err(|_| fail())?;
    Ok(())
}

/// `history.replaceState(history.state, '', url)`; ignored where there is no history.
pub fn replace_url(url: &str) {
    if let Some(h) = get(&js_sys::global(), "history") {
        if let Some(f) = method(&h, "replaceState") {
            let state = get(&h, "state").unwrap_or(JsValue::NULL);
            let _ = f.call3(&h, &state, &JsValue::from_str(""), &JsValue::from_str(url));
        }
    }
}

#[cfg(test)]
#[path = "hosted_tests.rs"]
mod tests;
