//! Passkeys (WebAuthn) with Cognito, as pure functions: the options Cognito sends for
//! `navigator.credentials.get` / `create` (base64url fields decoded), the credential JSON
//! Cognito takes back, the management calls (StartWebAuthnRegistration,
//! CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential) and
//! the mapping of the browser's `DOMException` names to error codes.
//!
//! ```text
//! sign-in:  WEB_AUTHN challenge ─ CREDENTIAL_REQUEST_OPTIONS ─► parse_request_options
//!           web layer: navigator.credentials.get ─► Assertion ─► assertion_json
//!           ─► Answer::WebAuthn (RespondToAuthChallenge CREDENTIAL)
//! register: start_registration ─► parse_creation_options ─► navigator.credentials.create
//!           ─► Attestation ─► complete_registration
//! ```
//!
//! Binary WebAuthn values travel as base64url without padding (RFC 4648 §5), as in the
//! WebAuthn Level 3 JSON forms (`PublicKeyCredentialRequestOptionsJSON`, …).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::device::{epoch_ms, token_call};
use crate::encoding::{base64url_decode, base64url_encode};
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::protocol::{self, ClientConfig, HttpRequest, HttpResponse};

fn k(v: &str) -> String {
    String::from(v)
}

/// Decodes a base64url WebAuthn value; empty or malformed is an error naming `what`.
fn bytes_of(v: Option<&Json>, what: &str) -> Result<Vec<u8>, Error> {
    v.and_then(Json::as_str).filter(|t| !t.is_empty()).and_then(base64url_decode).ok_or_else(|| {
        let mut m = String::from("passkey options: ");
        m.push_str(what);
        m.push_str(" is missing or not base64url");
        Error::invalid_response(&m)
    })
}

/// The ids of `allowCredentials` / `excludeCredentials` (absent = none), in order.
fn credential_ids(options: &Json, field: &str) -> Result<Vec<Vec<u8>>, Error> {
    match options.get(field) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Arr(items)) => {
            let mut ids = Vec::with_capacity(items.len());
            for c in items {
                ids.push(bytes_of(c.get("id"), field)?);
            }
            Ok(ids)
        }
        Some(_) => Err(Error::invalid_response("passkey options: a credential list is not an array")),
    }
}

/// Options for `navigator.credentials.get`: the JSON as Cognito sent it (every other member
/// passed through: `rpId`, `timeout`, `userVerification`, `allowCredentials[].type` and
/// `transports`, …) and the binary members decoded, to be set as ArrayBuffers.
#[derive(Debug, PartialEq, Eq)]
pub struct RequestOptions {
    /// The options object as JSON text.
    pub json: String,
    pub challenge: Vec<u8>,
    /// `allowCredentials[i].id`, same order and length as the array.
    pub allow: Vec<Vec<u8>>,
}

/// Parses `CREDENTIAL_REQUEST_OPTIONS` (a JSON string in the WEB_AUTHN challenge).
pub fn parse_request_options(text: &str) -> Result<RequestOptions, Error> {
    let v = json::parse(text)
        .filter(|v| v.as_obj().is_some())
        .ok_or_else(|| Error::invalid_response("CREDENTIAL_REQUEST_OPTIONS is not a JSON object"))?;
    let challenge = bytes_of(v.get("challenge"), "challenge")?;
    let allow = credential_ids(&v, "allowCredentials")?;
    Ok(RequestOptions { json: v.to_text(), challenge, allow })
}

/// Options for `navigator.credentials.create`, as [`RequestOptions`]: `rp`,
/// `user.name`/`displayName`, `pubKeyCredParams`, `timeout`, `authenticatorSelection`,
/// `attestation`, … pass through.
#[derive(Debug, PartialEq, Eq)]
pub struct CreationOptions {
    pub json: String,
    pub challenge: Vec<u8>,
    pub user_id: Vec<u8>,
    /// `excludeCredentials[i].id`, same order and length as the array.
    pub exclude: Vec<Vec<u8>>,
}

/// StartWebAuthnRegistration for the signed-in user.
pub fn start_registration(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
    token_call(config, "StartWebAuthnRegistration", access_token, Vec::new())
}

/// StartWebAuthnRegistration's reply: `CredentialCreationOptions`, an object (a JSON string
/// is accepted too).
pub fn parse_creation_options(resp: &HttpResponse) -> Result<CreationOptions, Error> {
    parse_creation_options_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_creation_options_body(resp: &HttpResponse) -> Result<CreationOptions, Error> {
    let body = protocol::parse_success(resp)?;
    let parsed;
    let v = match body.get("CredentialCreationOptions") {
        Some(Json::Str(t)) => {
            parsed = json::parse(t);
            parsed.as_ref()
        }
        other => other,
    }
    .filter(|v| v.as_obj().is_some())
    .ok_or_else(|| Error::invalid_response("StartWebAuthnRegistration reply lacks CredentialCreationOptions"))?;
    let challenge = bytes_of(v.get("challenge"), "challenge")?;
    let user_id = bytes_of(v.get("user").and_then(|u| u.get("id")), "user.id")?;
    let exclude = credential_ids(v, "excludeCredentials")?;
    Ok(CreationOptions { json: v.to_text(), challenge, user_id, exclude })
}

/// What `navigator.credentials.get` returned, as bytes.
pub struct Assertion {
    pub raw_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
    /// `authenticatorAttachment` (`platform` / `cross-platform`), when the browser gives it.
    pub attachment: Option<String>,
}

impl core::fmt::Debug for Assertion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Assertion(<redacted>)")
    }
}

/// The credential object. `clientExtensionResults` is `{}`: Cognito requests no extensions.
/// Written member by member (`json::Body`; the bytes of the `Json` tree it was, see the tests).
fn credential(raw_id: &[u8], response: json::Body, attachment: Option<&str>) -> String {
    let id = base64url_encode(raw_id);
    let mut o = json::Body::new();
    o.str("id", &id).str("rawId", &id).str("type", "public-key").raw("response", &response.end());
    o.raw("clientExtensionResults", "{}");
    if let Some(a) = attachment.filter(|a| !a.is_empty()) {
        o.str("authenticatorAttachment", a);
    }
    o.end()
}

/// The WEB_AUTHN answer (`CREDENTIAL`): an `AuthenticationResponseJSON` as text.
pub fn assertion_json(a: &Assertion) -> String {
    let mut r = json::Body::new();
    r.str("clientDataJSON", &base64url_encode(&a.client_data_json));
    r.str("authenticatorData", &base64url_encode(&a.authenticator_data))
        .str("signature", &base64url_encode(&a.signature));
    if let Some(h) = a.user_handle.as_deref().filter(|h| !h.is_empty()) {
        r.str("userHandle", &base64url_encode(h));
    }
    credential(&a.raw_id, r, a.attachment.as_deref())
}

/// What `navigator.credentials.create` returned, as bytes.
pub struct Attestation {
    pub raw_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub attestation_object: Vec<u8>,
    /// `response.getTransports()`, when the browser has it.
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    /// `response.getAuthenticatorData()`, `getPublicKeyAlgorithm()`, `getPublicKey()` (WebAuthn
    /// Level 2 conveniences, sent as Amplify and the browsers' `toJSON()` do).
    pub authenticator_data: Option<Vec<u8>>,
    pub public_key_algorithm: Option<i64>,
    pub public_key: Option<Vec<u8>>,
}

impl core::fmt::Debug for Attestation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Attestation(<redacted>)")
    }
}

fn integer(n: i64) -> Json {
    let mut t = String::new();
    if n < 0 {
        t.push('-');
    }
    t.push_str(&crate::timestamp::decimal(n.unsigned_abs()));
    Json::Num(t)
}

/// A `RegistrationResponseJSON` object, as text.
pub fn attestation_json(a: &Attestation) -> String {
    let mut r = json::Body::new();
    r.str("clientDataJSON", &base64url_encode(&a.client_data_json));
    r.str("attestationObject", &base64url_encode(&a.attestation_object)).list("transports", &a.transports);
    if let Some(d) = &a.authenticator_data {
        r.str("authenticatorData", &base64url_encode(d));
    }
    if let Some(alg) = a.public_key_algorithm {
        r.raw("publicKeyAlgorithm", &integer(alg).to_text());
    }
    if let Some(p) = &a.public_key {
        r.str("publicKey", &base64url_encode(p));
    }
    credential(&a.raw_id, r, a.attachment.as_deref())
}

/// CompleteWebAuthnRegistration with the new credential (an object, not a string).
pub fn complete_registration(config: &ClientConfig, access_token: &str, a: &Attestation) -> Result<HttpRequest, Error> {
    if access_token.is_empty() {
        return Err(Error::invalid_input("access token is required"));
    }
    let mut b = json::Body::new();
    b.str("AccessToken", access_token).raw("Credential", &attestation_json(a));
    Ok(HttpRequest { url: String::from(config.endpoint()), operation: "CompleteWebAuthnRegistration", body: b.end() })
}

/// ListWebAuthnCredentials: one page (`MaxResults` 1–20 when given), after `next_token`.
pub fn list_passkeys(
    config: &ClientConfig,
    access_token: &str,
    max_results: Option<u32>,
    next_token: Option<&str>,
) -> Result<HttpRequest, Error> {
    let mut fields = Vec::new();
    if let Some(n) = max_results {
        if !(1..=20).contains(&n) {
            return Err(Error::invalid_input("maxResults must be from 1 to 20"));
        }
        fields.push((k("MaxResults"), Json::Num(crate::timestamp::decimal(u64::from(n)))));
    }
    if let Some(t) = next_token.filter(|t| !t.is_empty()) {
        fields.push((k("NextToken"), Json::Str(k(t))));
    }
    token_call(config, "ListWebAuthnCredentials", access_token, fields)
}

/// ListWebAuthnCredentials' reply → (`[{credentialId, friendlyName, relyingPartyId,
/// authenticatorAttachment, transports, createdAt}]`, `NextToken`), `createdAt` in ms since
/// the epoch; missing optional fields are null.
pub fn parse_list_passkeys(resp: &HttpResponse) -> Result<(Vec<Json>, Option<String>), Error> {
    parse_list_passkeys_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_list_passkeys_body(resp: &HttpResponse) -> Result<(Vec<Json>, Option<String>), Error> {
    let body = protocol::parse_success(resp)?;
    let mut out = Vec::new();
    if let Some(Json::Arr(items)) = body.get("Credentials") {
        for c in items {
            let Some(id) = c.str_field("CredentialId") else { continue };
            let text = |f: &str| c.str_field(f).map_or(Json::Null, |v| Json::Str(k(v)));
            let transports = match c.get("AuthenticatorTransports") {
                Some(Json::Arr(t)) => t.iter().filter(|x| x.as_str().is_some()).cloned().collect(),
                _ => Vec::new(),
            };
            let created = match c.get("CreatedAt") {
                Some(Json::Num(n)) => epoch_ms(n).map_or(Json::Null, |ms| Json::Num(crate::timestamp::decimal(ms))),
                _ => Json::Null,
            };
            out.push(Json::Obj(alloc::vec![
                (k("credentialId"), Json::Str(k(id))),
                (k("friendlyName"), text("FriendlyCredentialName")),
                (k("relyingPartyId"), text("RelyingPartyId")),
                (k("authenticatorAttachment"), text("AuthenticatorAttachment")),
                (k("transports"), Json::Arr(transports)),
                (k("createdAt"), created),
            ]));
        }
    }
    let next = body.str_field("NextToken").filter(|t| !t.is_empty()).map(k);
    Ok((out, next))
}

/// DeleteWebAuthnCredential.
pub fn delete_passkey(config: &ClientConfig, access_token: &str, credential_id: &str) -> Result<HttpRequest, Error> {
    if credential_id.is_empty() {
        return Err(Error::invalid_input("credentialId is required"));
    }
    token_call(
        config,
        "DeleteWebAuthnCredential",
        access_token,
        alloc::vec![(k("CredentialId"), Json::Str(k(credential_id)))],
    )
}

/// The library error for a `DOMException` (by `name`) thrown by `navigator.credentials`.
pub fn dom_error(name: &str) -> Error {
    let (code, m) = match name {
        "NotAllowedError" => (Code::PasskeyCancelled, "the passkey request was cancelled, timed out or not allowed"),
        "InvalidStateError" => {
            (Code::PasskeyAlreadyRegistered, "this authenticator already holds a passkey for this user")
        }
        "SecurityError" => (Code::PasskeyRpMismatch, "the passkey relying-party id does not match this page's domain"),
        "NotSupportedError" => (Code::PasskeyNotSupported, "no authenticator supports the requested passkey options"),
        "AbortError" => (Code::PasskeyAborted, "the passkey request was aborted"),
        _ => (Code::PasskeyFailed, "the browser's WebAuthn call failed"),
    };
    Error::new(code, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The `Json`-tree writers the credentials had, to check the member-by-member ones against.
    fn b64(bytes: &[u8]) -> Json {
        Json::Str(base64url_encode(bytes))
    }
    /// The credential object. `clientExtensionResults` is `{}`: Cognito requests no extensions.
    fn tree_credential(raw_id: &[u8], response: Vec<(String, Json)>, attachment: Option<&str>) -> Json {
        let mut o = alloc::vec![
            (k("id"), b64(raw_id)),
            (k("rawId"), b64(raw_id)),
            (k("type"), Json::Str(k("public-key"))),
            (k("response"), Json::Obj(response)),
            (k("clientExtensionResults"), Json::Obj(Vec::new())),
        ];
        if let Some(a) = attachment.filter(|a| !a.is_empty()) {
            o.push((k("authenticatorAttachment"), Json::Str(k(a))));
        }
        Json::Obj(o)
    }

    /// The WEB_AUTHN answer (`CREDENTIAL`): an `AuthenticationResponseJSON` as text.
    fn tree_assertion_json(a: &Assertion) -> String {
        let mut r = alloc::vec![
            (k("clientDataJSON"), b64(&a.client_data_json)),
            (k("authenticatorData"), b64(&a.authenticator_data)),
            (k("signature"), b64(&a.signature)),
        ];
        if let Some(h) = a.user_handle.as_deref().filter(|h| !h.is_empty()) {
            r.push((k("userHandle"), b64(h)));
        }
        tree_credential(&a.raw_id, r, a.attachment.as_deref()).to_text()
    }

    /// A `RegistrationResponseJSON` object.
    fn tree_attestation_json(a: &Attestation) -> Json {
        let mut r = alloc::vec![
            (k("clientDataJSON"), b64(&a.client_data_json)),
            (k("attestationObject"), b64(&a.attestation_object)),
            (k("transports"), Json::Arr(a.transports.iter().map(|t| Json::Str(t.clone())).collect())),
        ];
        if let Some(d) = &a.authenticator_data {
            r.push((k("authenticatorData"), b64(d)));
        }
        if let Some(alg) = a.public_key_algorithm {
            r.push((k("publicKeyAlgorithm"), integer(alg)));
        }
        if let Some(p) = &a.public_key {
            r.push((k("publicKey"), b64(p)));
        }
        tree_credential(&a.raw_id, r, a.attachment.as_deref())
    }

    #[test]
    fn credentials_are_the_json_trees_bytes() {
        for attachment in [None, Some(String::new()), Some(String::from("cross-\"platform"))] {
            for handle in [None, Some(vec![]), Some(vec![0xff, 1])] {
                let a = Assertion {
                    raw_id: vec![1, 2, 3, 250],
                    client_data_json: b"{\"x\":1}".to_vec(),
                    authenticator_data: vec![9; 37],
                    signature: vec![0x30, 0x44],
                    user_handle: handle,
                    attachment: attachment.clone(),
                };
                assert_eq!(assertion_json(&a), tree_assertion_json(&a));
            }
            for (d, alg, key) in [(None, None, None), (Some(vec![1]), Some(-257), Some(vec![2, 3]))] {
                let a = Attestation {
                    raw_id: vec![7],
                    client_data_json: vec![],
                    attestation_object: vec![0xa3, 0],
                    transports: vec![String::from("usb"), String::from("h\"y")],
                    attachment: attachment.clone(),
                    authenticator_data: d,
                    public_key_algorithm: alg,
                    public_key: key,
                };
                assert_eq!(attestation_json(&a), tree_attestation_json(&a).to_text());
            }
        }
    }
    use crate::encoding::base64_decode;
    use crate::session::tests::{emulator_config as config, ok};

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn base64url_for_webauthn() {
        // RFC 4648 §10 vectors without padding, and with it (accepted when decoding).
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_decode("Zm9vYg==").unwrap(), b"foob");
        // The URL alphabet: 62 → '-', 63 → '_' (standard base64 has '+' and '/').
        assert_eq!(base64url_encode(&[0xfb, 0xef, 0xff]), "--__");
        assert_eq!(base64url_decode("--__").unwrap(), [0xfb, 0xef, 0xff]);
        assert_eq!(base64_decode("++//").unwrap(), [0xfb, 0xef, 0xff]);
        // All 256 byte values round-trip.
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64url_decode(&base64url_encode(&all)).unwrap(), all);
        // Rejected: the standard alphabet, spaces, a lone char, non-zero unused bits, bad padding.
        for bad in ["++//", "ab/c", "Zm9v Yg", "Z", "Zh", "Zm9=", "Zg=", "Zm9vYg=x", "é"] {
            assert_eq!(base64url_decode(bad), None, "{bad}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn request_options_from_cognito() {
        let text = r#"{"challenge":"AAECAwQFBgcICQoLDA0ODw","rpId":"localhost","timeout":180000,"userVerification":"required","allowCredentials":[{"type":"public-key","id":"q83v","transports":["internal","hybrid"]},{"type":"public-key","id":"-_8"}]}"#;
        let o = parse_request_options(text).unwrap();
        assert_eq!(o.challenge, (0u8..16).collect::<Vec<_>>());
        assert_eq!(o.allow, vec![vec![0xab, 0xcd, 0xef], vec![0xfb, 0xff]]);
        assert_eq!(o.json, text, "every member passes through unchanged");
        // No allowCredentials (discoverable credentials): none to convert.
        let o = parse_request_options(r#"{"challenge":"AQ","rpId":"example.com"}"#).unwrap();
        assert_eq!((o.challenge, o.allow), (vec![1], vec![]));
        for bad in [
            "",
            "[]",
            r#"{"rpId":"localhost"}"#,
            r#"{"challenge":""}"#,
            r#"{"challenge":"a+b/"}"#,
            r#"{"challenge":"AQ","allowCredentials":{}}"#,
            r#"{"challenge":"AQ","allowCredentials":[{"type":"public-key"}]}"#,
            r#"{"challenge":"AQ","allowCredentials":[{"id":"A"}]}"#,
        ] {
            assert_eq!(parse_request_options(bad).unwrap_err().code, Code::InvalidResponse, "{bad}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn creation_options_from_cognito() {
        let options = r#"{"challenge":"3q2-7w","rp":{"id":"localhost","name":"Demo"},"user":{"id":"YWxpY2Utc3Vi","name":"alice","displayName":"Alice"},"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],"timeout":300000,"excludeCredentials":[{"type":"public-key","id":"AQID"}],"authenticatorSelection":{"residentKey":"required","userVerification":"required"}}"#;
        let reply = ["{\"CredentialCreationOptions\":", options, "}"].concat();
        let o = parse_creation_options(&ok(&reply)).unwrap();
        assert_eq!(o.challenge, [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(o.user_id, b"alice-sub");
        assert_eq!(o.exclude, vec![vec![1, 2, 3]]);
        assert_eq!(o.json, options);
        // A JSON string instead of an object is accepted.
        let mut quoted = String::new();
        json::write_str(&mut quoted, options);
        let o2 = parse_creation_options(&ok(&["{\"CredentialCreationOptions\":", &quoted, "}"].concat())).unwrap();
        assert_eq!(o2, o);
        assert_eq!(parse_creation_options(&ok("{}")).unwrap_err().code, Code::InvalidResponse);
        assert_eq!(
            parse_creation_options(&ok(r#"{"CredentialCreationOptions":{"challenge":"AQ","user":{"name":"a"}}}"#))
                .unwrap_err()
                .code,
            Code::InvalidResponse
        );
        assert_eq!(parse_creation_options(&ok(r#"{"CredentialCreationOptions":{"challenge":"AQ","user":{"id":"AQ"},"excludeCredentials":[{"id":"!"}]}}"#)).unwrap_err().code, Code::InvalidResponse);
        let denied = HttpResponse {
            status: 400,
            body: r#"{"__type":"WebAuthnNotEnabledException","message":"m"}"#.into(),
            error_type: None,
            date_s: 0,
        };
        assert_eq!(
            parse_creation_options(&denied).unwrap_err().code,
            Code::Service("WebAuthnNotEnabledException".into())
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn assertion_credential_json() {
        let a = Assertion {
            raw_id: vec![0xab, 0xcd, 0xef, 0xfb, 0xff],
            client_data_json: br#"{"type":"webauthn.get"}"#.to_vec(),
            authenticator_data: vec![0x49, 0x96, 0x0d, 0xe5, 0x05],
            signature: vec![0x30, 0x44],
            user_handle: Some(b"alice-sub".to_vec()),
            attachment: Some("platform".into()),
        };
        assert_eq!(format!("{a:?}"), "Assertion(<redacted>)");
        assert_eq!(
            assertion_json(&a),
            r#"{"id":"q83v-_8","rawId":"q83v-_8","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","authenticatorData":"SZYN5QU","signature":"MEQ","userHandle":"YWxpY2Utc3Vi"},"clientExtensionResults":{},"authenticatorAttachment":"platform"}"#
        );
        // No user handle, no attachment.
        let b = Assertion { user_handle: None, attachment: None, ..a };
        assert_eq!(
            assertion_json(&b),
            r#"{"id":"q83v-_8","rawId":"q83v-_8","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","authenticatorData":"SZYN5QU","signature":"MEQ"},"clientExtensionResults":{}}"#
        );
        let c = Assertion { user_handle: Some(vec![]), ..b };
        assert!(assertion_json(&c).ends_with(r#""signature":"MEQ"},"clientExtensionResults":{}}"#));
    }

    fn attestation() -> Attestation {
        Attestation {
            raw_id: vec![1, 2, 3],
            client_data_json: br#"{"type":"webauthn.create"}"#.to_vec(),
            attestation_object: vec![0xa3, 0x63, 0x66, 0x6d, 0x74],
            transports: vec!["internal".into(), "hybrid".into()],
            attachment: Some("platform".into()),
            authenticator_data: None,
            public_key_algorithm: None,
            public_key: None,
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn registration_requests() {
        let c = config();
        let start = start_registration(&c, "tok").unwrap();
        assert_eq!((start.operation, start.body.as_str()), ("StartWebAuthnRegistration", r#"{"AccessToken":"tok"}"#));
        assert_eq!(start.target_header(), "AWSCognitoIdentityProviderService.StartWebAuthnRegistration");
        assert!(start_registration(&c, "").is_err());
        let req = complete_registration(&c, "tok", &attestation()).unwrap();
        assert_eq!(req.operation, "CompleteWebAuthnRegistration");
        assert_eq!(
            req.body,
            r#"{"AccessToken":"tok","Credential":{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0","attestationObject":"o2NmbXQ","transports":["internal","hybrid"]},"clientExtensionResults":{},"authenticatorAttachment":"platform"}}"#
        );
        let full = Attestation {
            authenticator_data: Some(vec![0x49, 0x96]),
            public_key_algorithm: Some(-7),
            public_key: Some(vec![0x30, 0x59]),
            transports: vec![],
            attachment: None,
            ..attestation()
        };
        assert_eq!(
            attestation_json(&full),
            r#"{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0","attestationObject":"o2NmbXQ","transports":[],"authenticatorData":"SZY","publicKeyAlgorithm":-7,"publicKey":"MFk"},"clientExtensionResults":{}}"#
        );
        assert_eq!(integer(-257).to_text(), "-257");
        assert_eq!(integer(8).to_text(), "8");
        assert_eq!(integer(i64::MIN).to_text(), "-9223372036854775808");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn list_and_delete() {
        let c = config();
        assert_eq!(list_passkeys(&c, "t", None, None).unwrap().body, r#"{"AccessToken":"t"}"#);
        assert_eq!(
            list_passkeys(&c, "t", Some(20), Some("n1")).unwrap().body,
            r#"{"AccessToken":"t","MaxResults":20,"NextToken":"n1"}"#
        );
        assert_eq!(list_passkeys(&c, "t", Some(1), Some("")).unwrap().body, r#"{"AccessToken":"t","MaxResults":1}"#);
        assert_eq!(list_passkeys(&c, "t", Some(0), None).unwrap_err().code, Code::InvalidInput);
        assert_eq!(list_passkeys(&c, "t", Some(21), None).unwrap_err().code, Code::InvalidInput);
        assert_eq!(list_passkeys(&c, "t", None, None).unwrap().operation, "ListWebAuthnCredentials");
        let (items, next) = parse_list_passkeys(&ok(r#"{"Credentials":[{"CredentialId":"q83v","FriendlyCredentialName":"Chrome on Linux","RelyingPartyId":"localhost","AuthenticatorAttachment":"platform","AuthenticatorTransports":["internal"],"CreatedAt":1763780000.123},{"CredentialId":"AQID","CreatedAt":"x"},{"FriendlyCredentialName":"no id"}],"NextToken":"p2"}"#)).unwrap();
        assert_eq!(
            Json::Arr(items).to_text(),
            r#"[{"credentialId":"q83v","friendlyName":"Chrome on Linux","relyingPartyId":"localhost","authenticatorAttachment":"platform","transports":["internal"],"createdAt":1763780000123},{"credentialId":"AQID","friendlyName":null,"relyingPartyId":null,"authenticatorAttachment":null,"transports":[],"createdAt":null}]"#
        );
        assert_eq!(next.as_deref(), Some("p2"));
        assert_eq!(parse_list_passkeys(&ok(r#"{"Credentials":[],"NextToken":""}"#)).unwrap(), (vec![], None));
        let del = delete_passkey(&c, "t", "q83v").unwrap();
        assert_eq!(
            (del.operation, del.body.as_str()),
            ("DeleteWebAuthnCredential", r#"{"AccessToken":"t","CredentialId":"q83v"}"#)
        );
        assert_eq!(delete_passkey(&c, "t", "").unwrap_err().code, Code::InvalidInput);
        assert_eq!(delete_passkey(&c, "", "q83v").unwrap_err().code, Code::InvalidInput);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn browser_errors_become_codes() {
        for (name, code) in [
            ("NotAllowedError", "PasskeyCancelled"),
            ("InvalidStateError", "PasskeyAlreadyRegistered"),
            ("SecurityError", "PasskeyRpMismatch"),
            ("NotSupportedError", "PasskeyNotSupported"),
            ("AbortError", "PasskeyAborted"),
            ("UnknownError", "PasskeyFailed"),
            ("", "PasskeyFailed"),
        ] {
            let e = dom_error(name);
            assert_eq!(e.code.as_str(), code);
            assert!(!e.retryable());
        }
    }
}
