//! Passkeys in the browser: `navigator.credentials.get` / `create` with the options Cognito
//! sent ([`crate::passkey`] decoded them; here the binary members become ArrayBuffers), and
//! the `PublicKeyCredential` back as bytes. A `DOMException` becomes a typed error
//! ([`crate::passkey::dom_error`]); a missing API is `PasskeyNotSupported`. Bound through
//! `Reflect` (no web-sys features), so it also loads where WebAuthn does not exist.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::{Code, Error};
use crate::passkey::{dom_error, Assertion, Attestation, CreationOptions, RequestOptions};

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn set(v: &JsValue, k: &str, value: &JsValue) {
    let _ = Reflect::set(v, &JsValue::from_str(k), value);
}

fn buffer(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).buffer().into()
}

/// The bytes of an ArrayBuffer or a typed array / DataView.
fn bytes(v: &JsValue) -> Option<Vec<u8>> {
    if v.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(v).to_vec());
    }
    if ArrayBuffer::is_view(v) {
        let offset = get(v, "byteOffset").as_f64()? as u32;
        let len = get(v, "byteLength").as_f64()? as u32;
        return Some(Uint8Array::new_with_byte_offset_and_length(&get(v, "buffer"), offset, len).to_vec());
    }
    None
}

/// `obj[name]()` when it is a function and does not throw.
fn call(obj: &JsValue, name: &str) -> Option<JsValue> {
    get(obj, name).dyn_into::<Function>().ok()?.call0(obj).ok()
}

fn failed(m: &str) -> Error {
    Error::new(Code::PasskeyFailed, m)
}

fn navigator_credentials() -> JsValue {
    get(&get(&js_sys::global(), "navigator"), "credentials")
}

/// Passkeys can be used here: a secure context with `PublicKeyCredential` and
/// `navigator.credentials` (as Amplify's `getIsPasskeySupported`).
pub fn is_supported() -> bool {
    let g = js_sys::global();
    get(&g, "isSecureContext").as_bool() == Some(true)
        && get(&g, "PublicKeyCredential").is_function()
        && navigator_credentials().is_object()
}

/// Parses the options JSON and sets each binary member to an ArrayBuffer.
fn options_object(text: &str, challenge: &[u8]) -> Result<JsValue, Error> {
    let v = JSON::parse(text).map_err(|_| Error::invalid_response("passkey options are not JSON"))?;
    set(&v, "challenge", &buffer(challenge));
    Ok(v)
}

/// Sets `list[i].id` to the ArrayBuffer of `ids[i]` (the core checked every entry has one).
fn set_ids(list: &JsValue, ids: &[Vec<u8>]) {
    if Array::is_array(list) {
        let arr = Array::from(list);
        for (i, id) in ids.iter().enumerate() {
            set(&arr.get(i as u32), "id", &buffer(id));
        }
    }
}

/// `{ publicKey: PublicKeyCredentialRequestOptions }` for `navigator.credentials.get`.
pub fn request_options(o: &RequestOptions) -> Result<JsValue, Error> {
    let pk = options_object(&o.json, &o.challenge)?;
    set_ids(&get(&pk, "allowCredentials"), &o.allow);
    let out = Object::new();
    set(&out, "publicKey", &pk);
    Ok(out.into())
}

/// `{ publicKey: PublicKeyCredentialCreationOptions }` for `navigator.credentials.create`.
pub fn creation_options(o: &CreationOptions) -> Result<JsValue, Error> {
    let pk = options_object(&o.json, &o.challenge)?;
    set(&get(&pk, "user"), "id", &buffer(&o.user_id));
    set_ids(&get(&pk, "excludeCredentials"), &o.exclude);
    let out = Object::new();
    set(&out, "publicKey", &pk);
    Ok(out.into())
}

/// `navigator.credentials[method](options)`; a rejection becomes a typed error.
async fn ceremony(method: &str, options: &JsValue) -> Result<JsValue, Error> {
    let not_supported =
        || Error::new(Code::PasskeyNotSupported, "passkeys are not supported here (WebAuthn needs a secure context)");
    if !is_supported() {
        return Err(not_supported());
    }
    let c = navigator_credentials();
    let f = get(&c, method).dyn_into::<Function>().map_err(|_| not_supported())?;
    let p = f.call1(&c, options).map_err(|e| dom_error(&get(&e, "name").as_string().unwrap_or_default()))?;
    let p = p.dyn_into::<Promise>().map_err(|_| failed("navigator.credentials did not return a Promise"))?;
    let cred = JsFuture::from(p).await.map_err(|e| dom_error(&get(&e, "name").as_string().unwrap_or_default()))?;
    if cred.is_object() {
        Ok(cred)
    } else {
        Err(failed("the browser returned no credential"))
    }
}

fn required(v: &JsValue, what: &str) -> Result<Vec<u8>, Error> {
    bytes(v).ok_or_else(|| {
        let mut m = String::from("the credential lacks ");
        m.push_str(what);
        failed(&m)
    })
}

fn attachment(cred: &JsValue) -> Option<String> {
    get(cred, "authenticatorAttachment").as_string()
}

/// A `PublicKeyCredential` with an `AuthenticatorAssertionResponse`, as bytes.
pub fn assertion_from(cred: &JsValue) -> Result<Assertion, Error> {
    let r = get(cred, "response");
    let handle = get(&r, "userHandle");
    Ok(Assertion {
        raw_id: required(&get(cred, "rawId"), "rawId")?,
        client_data_json: required(&get(&r, "clientDataJSON"), "clientDataJSON")?,
        authenticator_data: required(&get(&r, "authenticatorData"), "authenticatorData")?,
        signature: required(&get(&r, "signature"), "signature")?,
        user_handle: bytes(&handle),
        attachment: attachment(cred),
    })
}

/// A `PublicKeyCredential` with an `AuthenticatorAttestationResponse`, as bytes.
pub fn attestation_from(cred: &JsValue) -> Result<Attestation, Error> {
    let r = get(cred, "response");
    let transports = call(&r, "getTransports")
        .filter(Array::is_array)
        .map(|t| Array::from(&t).iter().filter_map(|x| x.as_string()).collect())
        .unwrap_or_default();
    Ok(Attestation {
        raw_id: required(&get(cred, "rawId"), "rawId")?,
        client_data_json: required(&get(&r, "clientDataJSON"), "clientDataJSON")?,
        attestation_object: required(&get(&r, "attestationObject"), "attestationObject")?,
        transports,
        attachment: attachment(cred),
        authenticator_data: call(&r, "getAuthenticatorData").and_then(|d| bytes(&d)),
        public_key_algorithm: call(&r, "getPublicKeyAlgorithm").and_then(|a| a.as_f64()).map(|a| a as i64),
        public_key: call(&r, "getPublicKey").and_then(|d| bytes(&d)),
    })
}

/// `navigator.credentials.get` with Cognito's request options.
pub async fn get_assertion(o: &RequestOptions) -> Result<Assertion, Error> {
    let cred = ceremony("get", &request_options(o)?).await?;
    assertion_from(&cred)
}

/// `navigator.credentials.create` with Cognito's creation options.
pub async fn create_credential(o: &CreationOptions) -> Result<Attestation, Error> {
    let cred = ceremony("create", &creation_options(o)?).await?;
    attestation_from(&cred)
}

#[cfg(test)]
#[path = "webauthn_tests.rs"]
mod tests;
