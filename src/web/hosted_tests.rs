//! Browser tests of the hosted-UI web layer: WebCrypto RS256 against a vector signed by
//! Node's crypto (tests/fixtures/rs256-vector.json), the request shape, replaceState.

use alloc::string::String;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use super::{current_url, replace_url, send, verify_rs256};
use crate::encoding::base64url_decode;
use crate::idtoken::parse_signed;
use crate::oauth::OAuthRequest;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_recording_fetch() {
  const saved = globalThis.fetch;
  globalThis.__hosted_seen = null;
  globalThis.fetch = async (url, init) => {
    globalThis.__hosted_seen = { url, method: init.method, headers: init.headers, body: init.body ?? null, timed: init.signal instanceof AbortSignal };
    return new Response('{"ok":true}', { status: 201 });
  };
  return saved;
}
export function seen() { return globalThis.__hosted_seen; }
"#)]
extern "C" {
    fn install_recording_fetch() -> js_sys::Function;
    fn seen() -> JsValue;
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

const VECTOR: &str = include_str!("../../tests/fixtures/rs256-vector.json");

#[wasm_bindgen_test]
async fn webcrypto_verifies_an_rs256_vector_from_node() {
    let v = crate::json::parse(VECTOR).unwrap();
    let (n, e, token) = (v.str_field("n").unwrap(), v.str_field("e").unwrap(), v.str_field("token").unwrap());
    let signed = parse_signed(token).unwrap();
    assert_eq!(signed.kid, "vector-kid");
    assert!(verify_rs256(n, e, signed.signing_input, &signed.signature).await.unwrap());
    // One flipped bit in the signature, or in the signed data: refused.
    let mut sig = signed.signature.clone();
    sig[0] ^= 0x80;
    assert!(!verify_rs256(n, e, signed.signing_input, &sig).await.unwrap());
    let mut data = signed.signing_input.to_vec();
    data[5] ^= 1;
    assert!(!verify_rs256(n, e, &data, &signed.signature).await.unwrap());
    // Another key.
    let other_e = "Aw";
    assert!(!verify_rs256(n, other_e, signed.signing_input, &signed.signature).await.unwrap_or(false));
    // A key WebCrypto cannot import is an error, not a pass.
    assert!(verify_rs256("", e, signed.signing_input, &signed.signature).await.is_err());
    assert!(base64url_decode(n).unwrap().len() == 256);
}

#[wasm_bindgen_test]
async fn requests_carry_form_and_bearer_headers() {
    let saved = install_recording_fetch();
    let form = OAuthRequest {
        method: "POST",
        url: String::from("http://127.0.0.1:1/oauth2/token"),
        form: Some(String::from("a=1&b=%20")),
        bearer: None,
    };
    let r = send(&form).await.unwrap();
    assert_eq!((r.status, r.body.as_str()), (201, r#"{"ok":true}"#));
    let s = seen();
    assert_eq!(get(&s, "method").as_string().as_deref(), Some("POST"));
    assert_eq!(get(&s, "body").as_string().as_deref(), Some("a=1&b=%20"));
    assert_eq!(
        get(&get(&s, "headers"), "Content-Type").as_string().as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let info = OAuthRequest {
        method: "GET",
        url: String::from("http://127.0.0.1:1/oauth2/userInfo"),
        form: None,
        bearer: Some(String::from("tok")),
    };
    send(&info).await.unwrap();
    let s = seen();
    assert_eq!(get(&s, "method").as_string().as_deref(), Some("GET"));
    assert!(get(&s, "body").is_null());
    assert_eq!(get(&get(&s, "headers"), "Authorization").as_string().as_deref(), Some("Bearer tok"));
    assert_eq!(get(&s, "timed"), JsValue::TRUE, "a timeout signal: a reply that never comes is a NetworkError");
    let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &saved);
}

#[wasm_bindgen_test]
async fn oauth2_form_posts_time_out() {
    let saved = install_recording_fetch();
    let req = crate::refresh::FormRequest {
        url: String::from("http://127.0.0.1:1/oauth2/token"),
        body: String::from("a=1"),
        authorization: None,
    };
    let r = crate::web::lifecycle::send_form(&req).await.unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(get(&seen(), "timed"), JsValue::TRUE);
    let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &saved);
}

#[wasm_bindgen_test]
fn replace_state_cleans_the_address_bar() {
    let before = current_url().unwrap();
    let base = before.split(['?', '#']).next().unwrap().to_string();
    let mut with_code = base.clone();
    with_code.push_str("?keep=1&code=abc&state=xyz");
    replace_url(&with_code);
    assert_eq!(current_url().unwrap(), with_code);
    replace_url(&crate::oauth::clean_callback_url(&with_code));
    assert_eq!(current_url().unwrap(), format!("{base}?keep=1"));
    replace_url(&before);
}
