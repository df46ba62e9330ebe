//! Browser tests of the WebAuthn conversions: the options objects `navigator.credentials`
//! receives (ArrayBuffers where WebAuthn wants them, everything else passed through), a
//! credential read back as bytes, and DOMExceptions as codes — with `navigator.credentials`
//! replaced by a recording fake (the real authenticator path runs in tests/e2e/passkey).

use alloc::string::String;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use super::{
    assertion_from, attestation_from, create_credential, creation_options, get_assertion, is_supported, request_options,
};
use crate::error::Code;
use crate::passkey::{self, assertion_json, parse_creation_options, parse_request_options};
use crate::protocol::HttpResponse;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
// JSON with every ArrayBuffer shown as "buf:<hex>" (and anything else binary as "other").
export function describe(v) {
  return JSON.stringify(v, (k, x) => x instanceof ArrayBuffer ? 'buf:' + hex(x)
    : ArrayBuffer.isView(x) ? 'other' : x);
}
const bytes = (s) => new TextEncoder().encode(s).buffer;
export function fake_assertion(withHandle) {
  return {
    id: 'q83v-_8', type: 'public-key', rawId: new Uint8Array([0xab, 0xcd, 0xef, 0xfb, 0xff]).buffer,
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: bytes('{"type":"webauthn.get"}'),
      // A view into a larger buffer: only its bytes count.
      authenticatorData: new Uint8Array([9, 0x49, 0x96, 0x0d, 0xe5, 0x05, 9]).subarray(1, 6),
      signature: new Uint8Array([0x30, 0x44]).buffer,
      userHandle: withHandle ? bytes('alice-sub') : null,
    },
    getClientExtensionResults() { return {}; },
  };
}
export function fake_attestation() {
  return {
    id: 'AQID', type: 'public-key', rawId: new Uint8Array([1, 2, 3]).buffer,
    authenticatorAttachment: 'cross-platform',
    response: {
      clientDataJSON: bytes('{"type":"webauthn.create"}'),
      attestationObject: new Uint8Array([0xa3, 0x63, 0x66, 0x6d, 0x74]).buffer,
      getTransports() { return ['usb', 'nfc']; },
      getAuthenticatorData() { return new Uint8Array([0x49, 0x96]).buffer; },
      getPublicKeyAlgorithm() { return -7; },
      getPublicKey() { return null; },
    },
    getClientExtensionResults() { return { credProps: { rk: true } }; },
  };
}
// Replaces navigator.credentials[method]: records the options, then resolves with
// `result`, rejects with a DOMException named `reject`, or throws `throwSync` at once.
export function fake_credentials(method, result, reject, throwSync) {
  globalThis.__webauthn_seen = null;
  navigator.credentials[method] = (options) => {
    globalThis.__webauthn_seen = describe(options);
    if (throwSync) throw new DOMException('x', throwSync);
    return reject ? Promise.reject(new DOMException('x', reject)) : Promise.resolve(result);
  };
}
export function restore_credentials() {
  delete navigator.credentials.get;
  delete navigator.credentials.create;
}
export function seen() { return globalThis.__webauthn_seen; }
export function hide_public_key_credential() {
  const saved = globalThis.PublicKeyCredential;
  delete globalThis.PublicKeyCredential;
  return () => { globalThis.PublicKeyCredential = saved; };
}
"#)]
extern "C" {
    fn describe(v: &JsValue) -> String;
    fn fake_assertion(with_handle: bool) -> JsValue;
    fn fake_attestation() -> JsValue;
    fn fake_credentials(method: &str, result: &JsValue, reject: Option<String>, throw_sync: Option<String>);
    fn restore_credentials();
    fn seen() -> Option<String>;
    fn hide_public_key_credential() -> js_sys::Function;
}

const GET_OPTIONS: &str = r#"{"challenge":"AAECAwQFBgcICQoLDA0ODw","rpId":"localhost","timeout":180000,"userVerification":"required","allowCredentials":[{"type":"public-key","id":"q83v","transports":["internal","hybrid"]},{"type":"public-key","id":"-_8"}]}"#;
const CREATE_REPLY: &str = r#"{"CredentialCreationOptions":{"challenge":"3q2-7w","rp":{"id":"localhost","name":"Demo"},"user":{"id":"YWxpY2Utc3Vi","name":"alice","displayName":"Alice"},"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],"timeout":300000,"attestation":"none","excludeCredentials":[{"type":"public-key","id":"AQID","transports":["internal"]}],"authenticatorSelection":{"residentKey":"required","userVerification":"required"}}}"#;

const GET_SEEN: &str = r#"{"publicKey":{"challenge":"buf:000102030405060708090a0b0c0d0e0f","rpId":"localhost","timeout":180000,"userVerification":"required","allowCredentials":[{"type":"public-key","id":"buf:abcdef","transports":["internal","hybrid"]},{"type":"public-key","id":"buf:fbff"}]}}"#;
const CREATE_SEEN: &str = r#"{"publicKey":{"challenge":"buf:deadbeef","rp":{"id":"localhost","name":"Demo"},"user":{"id":"buf:616c6963652d737562","name":"alice","displayName":"Alice"},"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],"timeout":300000,"attestation":"none","excludeCredentials":[{"type":"public-key","id":"buf:010203","transports":["internal"]}],"authenticatorSelection":{"residentKey":"required","userVerification":"required"}}}"#;

fn creation() -> passkey::CreationOptions {
    parse_creation_options(&HttpResponse { status: 200, body: CREATE_REPLY.into(), error_type: None }).unwrap()
}

#[wasm_bindgen_test]
fn options_become_array_buffers() {
    let o = parse_request_options(GET_OPTIONS).unwrap();
    assert_eq!(describe(&request_options(&o).unwrap()), GET_SEEN);
    assert_eq!(describe(&creation_options(&creation()).unwrap()), CREATE_SEEN);
    // Discoverable: no allowCredentials at all.
    let o = parse_request_options(r#"{"challenge":"AQ"}"#).unwrap();
    assert_eq!(describe(&request_options(&o).unwrap()), r#"{"publicKey":{"challenge":"buf:01"}}"#);
}

#[wasm_bindgen_test]
fn credentials_are_read_as_bytes() {
    let a = assertion_from(&fake_assertion(true)).unwrap();
    assert_eq!(
        assertion_json(&a),
        r#"{"id":"q83v-_8","rawId":"q83v-_8","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","authenticatorData":"SZYN5QU","signature":"MEQ","userHandle":"YWxpY2Utc3Vi"},"clientExtensionResults":{},"authenticatorAttachment":"platform"}"#
    );
    assert_eq!(assertion_from(&fake_assertion(false)).unwrap().user_handle, None);
    let t = attestation_from(&fake_attestation()).unwrap();
    assert_eq!(
        passkey::attestation_json(&t).to_text(),
        r#"{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0","attestationObject":"o2NmbXQ","transports":["usb","nfc"],"authenticatorData":"SZY","publicKeyAlgorithm":-7},"clientExtensionResults":{},"authenticatorAttachment":"cross-platform"}"#
    );
    // Missing members: a typed error, not a panic.
    let e = assertion_from(&js_sys::Object::new().into()).unwrap_err();
    assert_eq!(e.code, Code::PasskeyFailed);
    assert_eq!(attestation_from(&JsValue::NULL).unwrap_err().code, Code::PasskeyFailed);
}

#[wasm_bindgen_test]
async fn ceremonies_and_browser_errors() {
    // The test page is served from 127.0.0.1: a secure context with WebAuthn.
    assert!(is_supported());
    let o = parse_request_options(GET_OPTIONS).unwrap();
    fake_credentials("get", &fake_assertion(true), None, None);
    let a = get_assertion(&o).await.unwrap();
    assert_eq!(seen().as_deref(), Some(GET_SEEN));
    assert_eq!(a.signature, [0x30, 0x44]);
    fake_credentials("create", &fake_attestation(), None, None);
    let t = create_credential(&creation()).await.unwrap();
    assert_eq!(seen().as_deref(), Some(CREATE_SEEN));
    assert_eq!(t.transports, ["usb", "nfc"]);
    for (name, code) in [
        ("NotAllowedError", Code::PasskeyCancelled),
        ("InvalidStateError", Code::PasskeyAlreadyRegistered),
        ("SecurityError", Code::PasskeyRpMismatch),
        ("AbortError", Code::PasskeyAborted),
        ("NotSupportedError", Code::PasskeyNotSupported),
        ("UnknownError", Code::PasskeyFailed),
    ] {
        fake_credentials("create", &JsValue::NULL, Some(name.into()), None);
        assert_eq!(create_credential(&creation()).await.unwrap_err().code, code, "{name}");
    }
    fake_credentials("get", &JsValue::NULL, None, Some("SecurityError".into()));
    assert_eq!(get_assertion(&o).await.unwrap_err().code, Code::PasskeyRpMismatch);
    fake_credentials("get", &JsValue::NULL, None, None);
    assert_eq!(get_assertion(&o).await.unwrap_err().code, Code::PasskeyFailed);
    restore_credentials();
    // No PublicKeyCredential: not supported, and nothing is called.
    let restore = hide_public_key_credential();
    assert!(!is_supported());
    assert_eq!(get_assertion(&o).await.unwrap_err().code, Code::PasskeyNotSupported);
    let _ = restore.call0(&JsValue::NULL);
    assert!(is_supported());
}
