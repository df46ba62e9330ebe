//! Browser tests of the web layer and the JS API (wasm-bindgen-test in headless Chromium;
//! `scripts/test.sh` runs them). Fetch faults are produced for real (a closed port) or by
//! swapping the page's global `fetch`; storage faults by making `Storage.setItem` throw.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use super::fetch;
use super::storage::{CookieOptions, Kind, Spec, Store};
use crate::error::Code;
use crate::protocol::HttpRequest;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fake_fetch(status, body, errorType) {
  const saved = globalThis.fetch;
  globalThis.__seen = null;
  globalThis.fetch = async (url, init) => {
    globalThis.__seen = { url, method: init.method, headers: init.headers, body: init.body,
                          credentials: init.credentials, cache: init.cache };
    const headers = errorType ? { 'x-amzn-errortype': errorType } : {};
    return new Response(body, { status, headers });
  };
  return () => { globalThis.fetch = saved; };
}
export function install_broken_body_fetch() {
  const saved = globalThis.fetch;
  globalThis.fetch = async () => {
    const stream = new ReadableStream({ start(c) { c.error(new TypeError('connection reset')); } });
    return new Response(stream, { status: 200 });
  };
  return () => { globalThis.fetch = saved; };
}
export function seen() { return globalThis.__seen; }
export function break_set_item() {
  const saved = Storage.prototype.setItem;
  Storage.prototype.setItem = function () { throw new DOMException('quota', 'QuotaExceededError'); };
  return () => { Storage.prototype.setItem = saved; };
}
export function break_local_storage_getter() {
  const desc = Object.getOwnPropertyDescriptor(window, 'localStorage');
  Object.defineProperty(window, 'localStorage', { configurable: true,
    get() { throw new DOMException('blocked', 'SecurityError'); } });
  return () => Object.defineProperty(window, 'localStorage', desc);
}
export function new_auth(Ctor, config) {
  try { return new Ctor(config); } catch (e) { return e; }
}
"#)]
extern "C" {
    fn install_fake_fetch(status: u16, body: &str, error_type: Option<String>) -> js_sys::Function;
    fn install_broken_body_fetch() -> js_sys::Function;
    fn seen() -> JsValue;
    fn break_set_item() -> js_sys::Function;
    fn break_local_storage_getter() -> js_sys::Function;
}

fn restore(f: js_sys::Function) {
    let _ = f.call0(&JsValue::NULL);
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

fn req() -> HttpRequest {
    HttpRequest {
        url: String::from("http://127.0.0.1:9/"),
        operation: "InitiateAuth",
        body: String::from(r#"{"AuthFlow":"USER_SRP_AUTH"}"#),
    }
}

#[wasm_bindgen_test]
async fn fetch_to_a_closed_port_is_a_network_error() {
    let e = fetch::send(&req()).await.unwrap_err();
    assert_eq!(e.code, Code::Network);
    assert!(e.retryable());
    assert_eq!(e.status, None);
}

#[wasm_bindgen_test]
async fn fetch_sends_cognito_headers_and_reads_errors() {
    let undo = install_fake_fetch(400, r#"{"__type":"X"}"#, Some(String::from("NotAuthorizedException:http://x")));
    let resp = fetch::send(&req()).await;
    let s = seen();
    restore(undo);
    let resp = resp.unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(resp.body, r#"{"__type":"X"}"#);
    assert_eq!(resp.error_type.as_deref(), Some("NotAuthorizedException:http://x"));
    assert_eq!(get(&s, "url").as_string().unwrap(), "http://127.0.0.1:9/");
    assert_eq!(get(&s, "method").as_string().unwrap(), "POST");
    assert_eq!(get(&s, "body").as_string().unwrap(), r#"{"AuthFlow":"USER_SRP_AUTH"}"#);
    assert_eq!(get(&s, "credentials").as_string().unwrap(), "omit");
    assert_eq!(get(&s, "cache").as_string().unwrap(), "no-store");
    let h = get(&s, "headers");
    assert_eq!(get(&h, "Content-Type").as_string().unwrap(), "application/x-amz-json-1.1");
    assert_eq!(get(&h, "X-Amz-Target").as_string().unwrap(), "AWSCognitoIdentityProviderService.InitiateAuth");
}

#[wasm_bindgen_test]
async fn a_body_that_fails_midway_is_a_network_error() {
    let undo = install_broken_body_fetch();
    let r = fetch::send(&req()).await;
    restore(undo);
    assert_eq!(r.unwrap_err().code, Code::Network);
}

fn entries(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (String::from(*k), String::from(*v))).collect()
}

fn open(kind: Kind) -> Store {
    Store::open(Spec::Kind(kind)).0
}

#[wasm_bindgen_test]
async fn storage_round_trips_in_each_backend() {
    let cookie = || Spec::Cookie(CookieOptions { attributes: String::from("; Path=/; SameSite=Lax") });
    for (spec, name) in [
        (Spec::Kind(Kind::Local), "local"),
        (Spec::Kind(Kind::Session), "session"),
        (Spec::Kind(Kind::Memory), "memory"),
        (cookie(), "cookie"),
    ] {
        let (s, fell_back) = Store::open(spec);
        assert!(!fell_back);
        assert_eq!(s.kind(), name);
        assert!(s.set_all(&entries(&[("cw.test.a", "1"), ("cw.test.b", "2 ;=%é")])).await);
        assert_eq!(s.get("cw.test.a").await.as_deref(), Some("1"));
        assert_eq!(s.get("cw.test.b").await.as_deref(), Some("2 ;=%é"), "{name}");
        assert!(s.set_all(&entries(&[("cw.test.a", "3")])).await);
        assert_eq!(s.get("cw.test.a").await.as_deref(), Some("3"));
        s.remove("cw.test.a").await;
        s.remove("cw.test.b").await;
        assert_eq!(s.get("cw.test.a").await, None);
        assert_eq!(s.get("cw.test.b").await, None);
    }
    // localStorage really holds what the local store wrote; cookies are real cookies.
    let s = open(Kind::Local);
    s.set_all(&entries(&[("cw.test.visible", "yes")])).await;
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(ls.get_item("cw.test.visible").unwrap().as_deref(), Some("yes"));
    s.remove("cw.test.visible").await;
    let (c, _) = Store::open(cookie());
    c.set_all(&entries(&[("cw.test.c", "v1")])).await;
    let doc_cookie = Reflect::get(&get(&js_sys::global(), "document"), &"cookie".into()).unwrap().as_string().unwrap();
    assert!(doc_cookie.contains("cw.test.c=v1"), "{doc_cookie}");
    c.remove("cw.test.c").await;
}

#[wasm_bindgen(inline_js = r#"
export function sync_store() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => { m.set(k, v); },
           removeItem: (k) => { m.delete(k); }, map: m };
}
export function async_store(failSet) {
  const m = new Map();
  return { getItem: async (k) => (m.has(k) ? m.get(k) : null),
           setItem: (k, v) => failSet ? Promise.reject(new Error('quota')) : Promise.resolve(m.set(k, v)),
           removeItem: async (k) => { m.delete(k); }, map: m };
}
"#)]
extern "C" {
    fn sync_store() -> JsValue;
    fn async_store(fail_set: bool) -> JsValue;
}

#[wasm_bindgen_test]
async fn app_storage_objects_sync_and_promise_based() {
    for obj in [sync_store(), async_store(false)] {
        let (s, fell_back) = Store::open(Spec::Custom(obj.clone()));
        assert!(!fell_back);
        assert_eq!(s.kind(), "custom");
        assert!(s.set_all(&entries(&[("k1", "v1"), ("k2", "v2")])).await);
        assert_eq!(s.get("k1").await.as_deref(), Some("v1"));
        let map: js_sys::Map = get(&obj, "map").dyn_into().unwrap();
        assert_eq!(map.get(&"k2".into()).as_string().as_deref(), Some("v2"));
        s.remove("k1").await;
        assert_eq!(s.get("k1").await, None);
        assert_eq!(s.get("missing").await, None);
    }
    // A rejecting setItem: the data moves to memory.
    let (s, _) = Store::open(Spec::Custom(async_store(true)));
    assert!(!s.set_all(&entries(&[("k", "v")])).await);
    assert_eq!(s.kind(), "memory");
    assert_eq!(s.get("k").await.as_deref(), Some("v"));
}

#[wasm_bindgen_test]
async fn a_throwing_write_moves_the_data_to_memory() {
    let s = open(Kind::Local);
    assert_eq!(s.kind(), "local");
    let undo = break_set_item();
    let kept = s.set_all(&entries(&[("cw.test.x", "1"), ("cw.test.y", "2")])).await;
    restore(undo);
    assert!(!kept);
    assert_eq!(s.kind(), "memory");
    assert_eq!(s.get("cw.test.x").await.as_deref(), Some("1"));
    assert_eq!(s.get("cw.test.y").await.as_deref(), Some("2"));
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(ls.get_item("cw.test.x").unwrap(), None, "no half-written session is left behind");
}

#[wasm_bindgen_test]
async fn blocked_storage_falls_back_at_open() {
    let undo = break_set_item();
    let (s, fell_back) = Store::open(Spec::Kind(Kind::Local));
    restore(undo);
    assert!(fell_back);
    assert_eq!(s.kind(), "memory");
    let undo = break_local_storage_getter();
    let (s, fell_back) = Store::open(Spec::Kind(Kind::Local));
    restore(undo);
    assert!(fell_back);
    assert_eq!(s.kind(), "memory");
    assert!(s.set_all(&entries(&[("k", "v")])).await);
    assert_eq!(s.get("k").await.as_deref(), Some("v"));
}

#[wasm_bindgen_test]
async fn web_locks_are_exclusive_and_released_on_drop() {
    use super::lifecycle::{lock, sleep};
    let first = lock("cw.test.lock").await.expect("navigator.locks exists in Chromium");
    let order = alloc::rc::Rc::new(core::cell::RefCell::new(Vec::new()));
    let o = order.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _second = lock("cw.test.lock").await.unwrap();
        o.borrow_mut().push("second");
    });
    sleep(50).await;
    order.borrow_mut().push("first releases");
    drop(first);
    sleep(50).await;
    assert_eq!(*order.borrow(), ["first releases", "second"]);
}

#[wasm_bindgen_test]
fn random_bytes_come_from_the_browser() {
    let (mut a, mut b) = ([0u8; 48], [0u8; 48]);
    super::random_bytes(&mut a).unwrap();
    super::random_bytes(&mut b).unwrap();
    assert_ne!(a, b);
    assert!(a.iter().any(|&x| x != 0));
}

#[wasm_bindgen_test]
fn clock_is_close_to_date_now() {
    let d = js_sys::Date::now() as i64;
    assert!((super::now_ms() - d).abs() < 1000);
}

// --- The JS API, called the way JavaScript calls it ---

use crate::js::CognitoAuth;

fn config(storage: &str) -> JsValue {
    let o = js_sys::Object::new();
    Reflect::set(&o, &"userPoolId".into(), &"us-east-1_EmuPool01".into()).unwrap();
    Reflect::set(&o, &"clientId".into(), &"7f3kq2m9emulatorclient0001".into()).unwrap();
    Reflect::set(&o, &"endpoint".into(), &"http://127.0.0.1:9/".into()).unwrap();
    Reflect::set(&o, &"storage".into(), &storage.into()).unwrap();
    o.into()
}

fn assert_js_error(e: &JsValue, code: &str) {
    assert!(e.is_instance_of::<js_sys::Error>(), "rejections are Error objects");
    assert_eq!(get(e, "code").as_string().unwrap(), code);
    assert_eq!(get(e, "name").as_string().unwrap(), code);
    assert!(get(e, "retryable").as_bool().is_some());
}

#[wasm_bindgen_test]
fn bad_config_throws_a_typed_error() {
    for bad in [JsValue::NULL, JsValue::from_str("x"), config("disk")] {
        let Err(e) = CognitoAuth::new(bad) else { panic!("expected an error") };
        assert_js_error(&e, "InvalidInput");
    }
    let o = config("memory");
    Reflect::set(&o, &"endpoint".into(), &"http://example.com/".into()).unwrap();
    let Err(e) = CognitoAuth::new(o) else { panic!("plain http to a remote host is refused") };
    assert_js_error(&e, "InvalidInput");
}

async fn rejection(p: Promise) -> JsValue {
    JsFuture::from(p).await.expect_err("expected a rejection")
}

#[wasm_bindgen_test]
async fn sign_in_faults_reject_with_typed_errors_and_store_nothing() {
    let auth = CognitoAuth::new(config("session")).unwrap();
    assert_eq!(auth.storage_kind(), "session");
    // Bad input.
    assert_js_error(&rejection(auth.sign_in(JsValue::from_str("alice"))).await, "InvalidInput");
    let input = js_sys::Object::new();
    Reflect::set(&input, &"username".into(), &"alice".into()).unwrap();
    // (No password starts USER_AUTH; PASSWORD needs one.)
    Reflect::set(&input, &"preferredChallenge".into(), &"PASSWORD".into()).unwrap();
    assert_js_error(&rejection(auth.sign_in(input.clone().into())).await, "InvalidInput");
    Reflect::set(&input, &"preferredChallenge".into(), &"TOTP".into()).unwrap();
    assert_js_error(&rejection(auth.sign_in(input.clone().into())).await, "InvalidInput");
    Reflect::delete_property(&input, &"preferredChallenge".into()).unwrap();
    Reflect::set(&input, &"password".into(), &JsValue::from(5)).unwrap();
    assert_js_error(&rejection(auth.sign_in(input.clone().into())).await, "InvalidInput");
    Reflect::set(&input, &"password".into(), &"pw".into()).unwrap();
    // Network down (port 9 is closed).
    let e = rejection(auth.sign_in(input.clone().into())).await;
    assert_js_error(&e, "NetworkError");
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    // An HTML 500 page.
    let undo = install_fake_fetch(500, "<html><body>Internal Server Error</body></html>", None);
    let e = rejection(auth.sign_in(input.clone().into())).await;
    restore(undo);
    assert_js_error(&e, "InvalidResponse");
    assert_eq!(get(&e, "status").as_f64(), Some(500.0));
    assert_eq!(get(&e, "retryable").as_bool(), Some(true));
    // A Cognito error reply.
    let undo = install_fake_fetch(400, r#"{"__type":"UserNotFoundException","message":"User does not exist."}"#, None);
    let e = rejection(auth.sign_in(input.clone().into())).await;
    restore(undo);
    assert_js_error(&e, "UserNotFoundException");
    assert_eq!(get(&e, "message").as_string().unwrap(), "User does not exist.");
    // A challenge whose B is 0 mod N: refused before anything is answered.
    let undo = install_fake_fetch(
        200,
        r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"0","SECRET_BLOCK":"AAAA","USER_ID_FOR_SRP":"alice","USERNAME":"alice"},"Session":"s"}"#,
        None,
    );
    let e = rejection(auth.sign_in(input.into())).await;
    restore(undo);
    assert_js_error(&e, "InvalidResponse");
    // Nothing was stored, and there is no session.
    let ss = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    for i in 0..ss.length().unwrap() {
        let k = ss.key(i).unwrap().unwrap_or_default();
        assert!(!k.starts_with("CognitoIdentityServiceProvider."), "stored {k}");
    }
    assert!(JsFuture::from(auth.current_session()).await.unwrap().is_null());
    // prepareSignIn is usable and does not break sign-in.
    auth.prepare_sign_in().unwrap();
}

#[wasm_bindgen(inline_js = r#"
export function plain_request() {
  return { url: 'https://api.example.com/a b?q=1', method: 'post', headers: [['X-One', '1'], ['content-type', 'text/plain']],
           body: new Uint8Array([104, 105, 33, 33]).subarray(0, 2), extra: 'kept' };
}
export function object_headers() { return { url: 'https://x.example/', headers: { 'Authorization': 'old', 'x-two': '2' }, body: 'hi' }; }
export function blob_body() { return { url: 'https://x.example/', method: 'POST', body: new Blob(['x']) }; }
export function a_request() { return new Request('https://x.example/p?z', { method: 'PUT', body: 'payload', headers: { 'X-A': 'a' } }); }
"#)]
extern "C" {
    fn plain_request() -> JsValue;
    fn object_headers() -> JsValue;
    fn blob_body() -> JsValue;
    fn a_request() -> JsValue;
}

fn pair(k: &str, v: &str) -> (String, String) {
    (String::from(k), String::from(v))
}

#[wasm_bindgen_test]
async fn requests_to_sign_are_read_and_rebuilt() {
    use super::request;
    // A plain object: URL normalised by the browser, method upper-cased, typed-array view.
    let input = plain_request();
    let p = request::read(&input).await.unwrap();
    assert_eq!(p.url, "https://api.example.com/a%20b?q=1");
    assert_eq!(p.method, "POST");
    assert_eq!(p.headers, [pair("X-One", "1"), pair("content-type", "text/plain")]);
    assert_eq!(p.body, b"hi");
    let out = request::signed(&input, &p, &[pair("Authorization", "AWS4 sig")]).unwrap();
    assert_eq!(get(&out, "extra").as_string().unwrap(), "kept");
    assert_eq!(get(&get(&out, "headers"), "Authorization").as_string().unwrap(), "AWS4 sig");
    // Object headers; a signed header replaces an existing one whatever its case.
    let input = object_headers();
    let p = request::read(&input).await.unwrap();
    assert_eq!((p.method.as_str(), p.body.as_slice()), ("GET", b"hi".as_slice()));
    let out = request::signed(&input, &p, &[pair("authorization", "new")]).unwrap();
    let h = get(&out, "headers");
    assert!(get(&h, "Authorization").is_undefined());
    assert_eq!(get(&h, "authorization").as_string().unwrap(), "new");
    // A body that cannot be read synchronously is refused.
    assert_eq!(request::read(&blob_body()).await.err().unwrap().code, Code::InvalidInput);
    assert_eq!(request::read(&JsValue::from_str("x")).await.err().unwrap().code, Code::InvalidInput);
    // A Request: its body is read from a clone and the original stays usable.
    let input = a_request();
    let p = request::read(&input).await.unwrap();
    assert_eq!((p.method.as_str(), p.body.as_slice()), ("PUT", b"payload".as_slice()));
    // The browser added the string body's Content-Type: it is sent, so it is signed.
    assert_eq!(p.headers, [pair("content-type", "text/plain;charset=UTF-8"), pair("x-a", "a")]);
    let out: web_sys::Request =
        request::signed(&input, &p, &[pair("X-Amz-Date", "20260101T000000Z")]).unwrap().dyn_into().unwrap();
    assert_eq!(out.method(), "PUT");
    assert_eq!(out.headers().get("x-amz-date").unwrap().as_deref(), Some("20260101T000000Z"));
    assert_eq!(out.headers().get("x-a").unwrap().as_deref(), Some("a"));
    let text = JsFuture::from(out.text().unwrap()).await.unwrap();
    assert_eq!(text.as_string().unwrap(), "payload");
}
