//! `fetch` to the Cognito user-pool endpoint.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestCredentials, RequestInit, Response};

use crate::error::{Code, Error};
use crate::protocol::{HttpRequest, HttpResponse, CONTENT_TYPE};

/// How long a request may take before it counts as a network failure. Every sender of the
/// library (this one, the hosted-UI requests and the `/oauth2` form posts) sets it.
pub(crate) const TIMEOUT_MS: u32 = 30_000;

#[wasm_bindgen]
extern "C" {
    // The global `fetch`, so this works in windows and workers alike.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

fn network(message: &str) -> Error {
    Error::new(Code::Network, message)
}

/// `AbortSignal.timeout(TIMEOUT_MS)` where the browser has it.
pub(crate) fn timeout_signal() -> Option<JsValue> {
    let ctor = Reflect::get(&js_sys::global(), &JsValue::from_str("AbortSignal")).ok()?;
    let f = Reflect::get(&ctor, &JsValue::from_str("timeout")).ok()?.dyn_into::<js_sys::Function>().ok()?;
    f.call1(&ctor, &JsValue::from(TIMEOUT_MS)).ok()
}

/// Sends one API call. Any HTTP status is a response; only a failed fetch is an error.
pub async fn send(req: &HttpRequest) -> Result<HttpResponse, Error> {
    let headers = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    set("Content-Type", CONTENT_TYPE).map_err(|_| network("could not build request headers"))?;
    set("X-Amz-Target", &req.target_header()).map_err(|_| network("could not build request headers"))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&req.body));
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    if let Some(signal) = timeout_signal() {
        let _ = Reflect::set(&init, &JsValue::from_str("signal"), &signal);
    }
    let promise = global_fetch(&req.url, &init).map_err(|_| network("fetch is not available"))?;
    let resp: Response = JsFuture::from(promise)
        .await
        .map_err(|_| network("could not reach Cognito (offline, blocked by CORS, or timed out)"))?
        .dyn_into()
        .map_err(|_| network("fetch returned something that is not a Response"))?;
    let status = resp.status();
    let error_type = resp.headers().get("x-amzn-errortype").ok().flatten();
    let text = resp.text().map_err(|_| network("could not read Cognito's reply"))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|_| network("the connection failed while reading Cognito's reply"))?
        .as_string()
        .unwrap_or_default();
    Ok(HttpResponse { status, body, error_type })
}
