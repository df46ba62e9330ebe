//! Requests to sign: reading a `Request` or `{ url, method, headers, body }`, building the
//! signed equivalent, and fetching it.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit};

use crate::error::{Code, Error};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_request(r: &Request) -> Result<Promise, JsValue>;
}

/// A request as the signer sees it.
pub struct Parts {
    /// Absolute and normalised by the browser's URL parser.
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The `Request` it came from, if any.
    pub request: Option<Request>,
}

fn input_error(m: &str) -> Error {
    Error::invalid_input(m)
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// `[name, value]` pairs from a `Headers`, an array of pairs, or a plain object.
fn header_pairs(h: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let bad = || input_error("headers must be a Headers, an array of [name, value] or an object of strings");
    let mut out = Vec::new();
    if h.is_undefined() || h.is_null() {
        return Ok(out);
    }
    let pairs: Vec<JsValue> = if h.is_instance_of::<Headers>() || Array::is_array(h) {
        let it = js_sys::try_iter(h).map_err(|_| bad())?.ok_or_else(bad)?;
        it.map(|p| p.unwrap_or(JsValue::UNDEFINED)).collect()
    } else if h.is_object() {
        Object::entries(h.unchecked_ref()).iter().collect()
    } else {
        return Err(bad());
    };
    for p in pairs {
        let (Some(k), Some(v)) = (
            Reflect::get_u32(&p, 0).ok().and_then(|k| k.as_string()),
            Reflect::get_u32(&p, 1).ok().and_then(|v| v.as_string()),
        ) else {
            return Err(bad());
        };
        out.push((k, v));
    }
    Ok(out)
}

/// The bytes of a body given as a string, ArrayBuffer or typed array (or none).
fn body_bytes(b: &JsValue) -> Result<Vec<u8>, Error> {
    if b.is_undefined() || b.is_null() {
        return Ok(Vec::new());
    }
    if let Some(s) = b.as_string() {
        return Ok(s.into_bytes());
    }
    if b.is_instance_of::<ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    if ArrayBuffer::is_view(b) {
        let buffer = get(b, "buffer");
        let offset = get(b, "byteOffset").as_f64().unwrap_or(0.0) as u32;
        let len = get(b, "byteLength").as_f64().unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buffer, offset, len).to_vec());
    }
    Err(input_error("body must be a string, an ArrayBuffer or a typed array to be signed"))
}

/// Resolves `url` against the page and normalises it (percent-encoding, default ports).
fn normalise_url(url: &str) -> Result<String, Error> {
    Request::new_with_str(url).map(|r| r.url()).map_err(|_| input_error("url is not a valid URL"))
}

/// Reads a `Request` (its body from a clone) or a `{ url, method, headers, body }` object.
pub async fn read(input: &JsValue) -> Result<Parts, Error> {
    if let Some(r) = input.dyn_ref::<Request>() {
        let method = r.method();
        let body = if method == "GET" || method == "HEAD" {
            Vec::new()
        } else {
            let copy = r.clone().map_err(|_| input_error("the Request's body was already used"))?;
            let ab = copy.array_buffer().map_err(|_| input_error("the Request's body cannot be read"))?;
            let ab = JsFuture::from(ab).await.map_err(|_| input_error("the Request's body cannot be read"))?;
            Uint8Array::new(&ab).to_vec()
        };
        return Ok(Parts {
            url: r.url(),
            method,
            headers: header_pairs(&r.headers().into())?,
            body,
            request: Some(<Request as Clone>::clone(r)),
        });
    }
    if !input.is_object() {
        return Err(input_error("the request must be a Request or { url, method, headers, body }"));
    }
    let url = get(input, "url").as_string().ok_or_else(|| input_error("url is required"))?;
    let method = match get(input, "method") {
        m if m.is_undefined() => String::from("GET"),
        m => m.as_string().ok_or_else(|| input_error("method must be a string"))?.to_ascii_uppercase(),
    };
    Ok(Parts {
        url: normalise_url(&url)?,
        method,
        headers: header_pairs(&get(input, "headers"))?,
        body: body_bytes(&get(input, "body"))?,
        request: None,
    })
}

fn headers_with(parts: &Parts, signed: &[(String, String)]) -> Result<Headers, Error> {
    let h = Headers::new().map_err(|_| input_error("cannot build Headers"))?;
    for (k, v) in parts.headers.iter().chain(signed) {
        h.set(k, v).map_err(|_| input_error("a header name or value is not valid"))?;
    }
    Ok(h)
}

/// The signed equivalent of what `read` read: a new `Request` for a `Request`, else a
/// plain `{ url, method, headers, body }` with `headers` as an object.
pub fn signed(input: &JsValue, parts: &Parts, signed: &[(String, String)]) -> Result<JsValue, Error> {
    if let Some(r) = &parts.request {
        let init = RequestInit::new();
        init.set_headers(&headers_with(parts, signed)?.into());
        return Request::new_with_request_and_init(r, &init)
            .map(Into::into)
            .map_err(|_| input_error("cannot build the signed Request"));
    }
    let out = Object::assign(&Object::new(), input.unchecked_ref());
    let headers = Object::new();
    for (k, v) in parts.headers.iter().chain(signed) {
        // Later entries (the signature's) replace same-named ones, case-insensitively.
        let keys = Object::keys(&headers);
        for old in keys.iter() {
            if old.as_string().is_some_and(|o| o.eq_ignore_ascii_case(k)) {
                let _ = Reflect::delete_property(&headers, &old);
            }
        }
        let _ = Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let _ = Reflect::set(&out, &"url".into(), &JsValue::from_str(&parts.url));
    let _ = Reflect::set(&out, &"method".into(), &JsValue::from_str(&parts.method));
    let _ = Reflect::set(&out, &"headers".into(), &headers);
    Ok(out.into())
}

/// `fetch(url, init)` with the signed headers; resolves to the `Response`.
pub async fn fetch_signed(
    url: &str,
    init: &JsValue,
    parts: &Parts,
    signed: &[(String, String)],
) -> Result<JsValue, Error> {
    let ri = Object::assign(
        &Object::new(),
        &Object::from(if init.is_object() { init.clone() } else { Object::new().into() }),
    );
    let _ = Reflect::set(&ri, &"headers".into(), &headers_with(parts, signed)?.into());
    let req = Request::new_with_str_and_init(url, ri.unchecked_ref::<RequestInit>())
        .map_err(|_| input_error("cannot build the request (method, body or headers not allowed)"))?;
    let p = fetch_request(&req).map_err(|_| Error::new(Code::Network, "fetch is not available"))?;
    JsFuture::from(p)
        .await
        .map_err(|_| Error::new(Code::Network, "the signed request failed (offline, blocked by CORS, or refused)"))
}
