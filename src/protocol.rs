//! The Cognito user-pool JSON API: configuration, request building and reply parsing, as
//! pure functions. Exactly one place (the web layer's fetch) does I/O in between.
//!
//! Wire names (`AuthFlow`, `ChallengeParameters`, …) appear only in this module.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Code, Error};
use crate::json::{self, Json};

/// The app's user pool and client, validated.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    user_pool_id: String,
    region: String,
    pool_name: String,
    client_id: String,
    endpoint: String,
    /// The `issuer` option: the only `iss` ID tokens may carry (see `idtoken::issuers`).
    issuer: Option<String>,
}

// Not inlined: the identity pool's configuration calls it too, and a build without
// identity pools then keeps the same code (and the same size) as one with them.
#[inline(never)]
pub(crate) fn is_region(s: &str) -> bool {
    !s.is_empty()
        && crate::encoding::all_bytes(s, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && s.as_bytes().first() != Some(&b'-')
        && s.as_bytes().last() != Some(&b'-')
}

/// True for `http(s)://localhost`, `127.x.x.x` and `[::1]` hosts (any port).
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    let Some(rest) = rest else { return false };
    // Bytes, not `str` patterns: the same checks without the splitting machinery.
    let b = rest.as_bytes();
    let host_port = &b[..b.iter().position(|c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(b.len())];
    if host_port.first() == Some(&b'[') {
        return host_port.starts_with(b"[::1]");
    }
    let host = &host_port[..host_port.iter().position(|&c| c == b':').unwrap_or(host_port.len())];
    if host == b"localhost" {
        return true;
    }
    // A dotted-quad IPv4 address in 127.0.0.0/8: four groups of 1 to 3 digits.
    if !host.starts_with(b"127.") {
        return false;
    }
    let (mut groups, mut digits) = (1, 0);
    for &c in host {
        if c == b'.' && digits > 0 {
            groups += 1;
            digits = 0;
        } else if c.is_ascii_digit() && digits < 3 {
            digits += 1;
        } else {
            return false;
        }
    }
    groups == 4 && digits > 0
}

/// An AWS service endpoint: `{prefix}{region}.amazonaws.com/` unless one is given, which
/// must be `https://` (plain `http://` only for loopback hosts: local emulators), with no
/// whitespace.
/// A URL's bytes are printable ASCII (no space, control, or non-ASCII character: a URL
/// with any of them is not one an HTTP client can send as it is).
fn url_bytes(u: &str) -> bool {
    crate::encoding::all_bytes(u, |b| b > b' ' && b < 0x7f)
}

#[inline(never)]
pub(crate) fn service_endpoint(given: Option<&str>, prefix: &str, region: &str, bad: &str) -> Result<String, Error> {
    match given {
        None => {
            let mut e = String::from(prefix);
            e.push_str(region);
            e.push_str(".amazonaws.com/");
            Ok(e)
        }
        Some(e) => {
            let ok = e.starts_with("https://") || (e.starts_with("http://") && is_loopback_url(e));
            if !ok || e.len() < 10 || !url_bytes(e) {
                return Err(Error::invalid_input(bad));
            }
            Ok(String::from(e))
        }
    }
}

impl ClientConfig {
    /// `endpoint` defaults to `https://cognito-idp.{region}.amazonaws.com/`. Plain `http://`
    /// is accepted only for loopback hosts (local emulators): tokens must not cross a
    /// network in clear text.
    pub fn new(user_pool_id: &str, client_id: &str, endpoint: Option<&str>) -> Result<ClientConfig, Error> {
        // The first `_`, found on bytes (no `str` searcher in the wasm).
        let (region, pool_name) = crate::encoding::cut(user_pool_id, b'_')
            .filter(|(r, p)| {
                is_region(r) && !p.is_empty() && crate::encoding::all_bytes(p, |c| c.is_ascii_alphanumeric())
            })
            .ok_or_else(|| Error::invalid_input("userPoolId must look like 'us-east-1_AbC123'"))?;
        if client_id.is_empty() || !crate::encoding::all_bytes(client_id, |c| c.is_ascii_alphanumeric()) {
            return Err(Error::invalid_input("clientId must be the app client id (letters and digits)"));
        }
        let endpoint = service_endpoint(
            endpoint,
            "https://cognito-idp.",
            region,
            "endpoint must be an https:// URL (http:// only for localhost)",
        )?;
        Ok(ClientConfig {
            user_pool_id: String::from(user_pool_id),
            region: String::from(region),
            pool_name: String::from(pool_name),
            client_id: String::from(client_id),
            endpoint,
            issuer: None,
        })
    }

    /// The `issuer` option: ID tokens must carry exactly this `iss` (a trailing `/` is
    /// ignored). `https://` only (`http://` for loopback hosts), no whitespace.
    pub fn with_issuer(mut self, issuer: Option<&str>) -> Result<ClientConfig, Error> {
        if let Some(i) = issuer {
            let i = crate::encoding::trim_end_byte(i, b'/');
            let ok = i.starts_with("https://") || (i.starts_with("http://") && is_loopback_url(i));
            if !ok || i.len() < 10 || !url_bytes(i) {
                return Err(Error::invalid_input("issuer must be an https:// URL (http:// only for localhost)"));
            }
            self.issuer = Some(String::from(i));
        }
        Ok(self)
    }

    /// The `issuer` option, if given.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// True when `endpoint` is not Cognito's default one for the region (a FIPS or VPC
    /// endpoint, a proxy, an emulator).
    pub fn custom_endpoint(&self) -> bool {
        let e = crate::encoding::trim_end_byte(&self.endpoint, b'/');
        e.strip_prefix("https://cognito-idp.")
            .and_then(|r| r.strip_suffix(".amazonaws.com"))
            .is_none_or(|r| r != self.region)
    }
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }
    pub fn region(&self) -> &str {
        &self.region
    }
    /// The part of the pool id after `_`, hashed into SRP's x and the claim signature.
    pub fn pool_name(&self) -> &str {
        &self.pool_name
    }
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// An API call to make: `POST {url}` with `Content-Type: application/x-amz-json-1.1` and
/// `X-Amz-Target: AWSCognitoIdentityProviderService.{operation}`. An `operation` that
/// already contains a `.` is a complete target of another JSON 1.1 service (the identity
/// pool API: `AWSCognitoIdentityService.GetId`) and is sent as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub operation: &'static str,
    pub body: String,
}

impl core::fmt::Debug for HttpRequest {
    // The body carries SRP values and tokens: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpRequest").field("url", &self.url).field("operation", &self.operation).finish()
    }
}

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

impl HttpRequest {
    pub fn target_header(&self) -> String {
        if crate::encoding::find_byte(self.operation, |c| c == b'.').is_some() {
            return String::from(self.operation);
        }
        let mut s = String::from("AWSCognitoIdentityProviderService.");
        s.push_str(self.operation);
        s
    }
}

/// What came back: status, body text and the `x-amzn-errortype` header if present.
#[derive(Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    pub error_type: Option<String>,
    /// The reply's `Date` header in seconds since the epoch (0: none, or unreadable). Cognito
    /// lists `Date` in `Access-Control-Expose-Headers`, so a browser can read the server's
    /// clock; the SRP `TIMESTAMP` follows it when the local clock is far off (`srp_now_ms`).
    /// Seconds in a `u32` (the header has no finer unit): the struct keeps its 4-byte layout.
    pub date_s: u32,
}

/// How far the local clock may be from the server's before the SRP `TIMESTAMP` states the
/// server's time instead (Cognito refuses a `TIMESTAMP` about 5 minutes off).
pub const SRP_SKEW_MS: i64 = 120_000;

/// The time a PASSWORD_VERIFIER answer's `TIMESTAMP` states, for a challenge that came in
/// `resp` at local time `now_ms`: the local clock, as amazon-cognito-identity-js and Amplify
/// send it, unless the reply's `Date` is more than [`SRP_SKEW_MS`] away from it. Then it is
/// the server's, so a device whose clock is wrong still signs in.
pub fn srp_now_ms(resp: &HttpResponse, now_ms: i64) -> i64 {
    let d = i64::from(resp.date_s) * 1000;
    if resp.date_s != 0 && (d - now_ms).abs() > SRP_SKEW_MS {
        d
    } else {
        now_ms
    }
}

impl core::fmt::Debug for HttpResponse {
    // The body can carry tokens: never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("error_type", &self.error_type)
            .field("date_s", &self.date_s)
            .finish_non_exhaustive()
    }
}

pub fn request(config: &ClientConfig, operation: &'static str, body: &Json) -> HttpRequest {
    HttpRequest { url: String::from(config.endpoint()), operation, body: body.to_text() }
}

pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// Maps an error reply to an [`Error`]: the code from the body's `__type` (after the last
/// `#`) or else from `x-amzn-errortype` (before the first `:`); a reply with neither is
/// `InvalidResponse` with the HTTP status (retryable when 5xx).
pub fn parse_error(resp: &HttpResponse) -> Error {
    let body = json::parse(&resp.body);
    let from_body = body
        .as_ref()
        .and_then(|b| b.str_field("__type"))
        .map(|t| t.bytes().rposition(|c| c == b'#').and_then(|i| t.get(i + 1..)).unwrap_or(t));
    let from_header =
        resp.error_type.as_deref().map(|h| crate::encoding::cut(h, b':').map_or(h, |(t, _)| t).trim_ascii());
    let code = from_body.or(from_header).filter(|c| !c.is_empty() && c.len() <= 128);
    let message = body
        .as_ref()
        .and_then(|b| b.str_field("message").or_else(|| b.str_field("Message")))
        // An empty message says nothing: the code stands in for it.
        .filter(|m| !m.trim_ascii().is_empty())
        .map(|m| truncate(m, 500));
    match code {
        Some(c) => Error {
            code: Code::Service(String::from(c)),
            message: String::from(message.unwrap_or(c)),
            status: Some(resp.status),
        },
        None => Error::invalid_response(if resp.status >= 500 {
            "Cognito replied with a server error and no error code"
        } else {
            "Cognito replied with an error and no error code"
        })
        .with_status(resp.status),
    }
}

/// Parses a 2xx body as a JSON object; anything else becomes an error.
pub fn parse_success(resp: &HttpResponse) -> Result<Json, Error> {
    if !(200..300).contains(&resp.status) {
        return Err(parse_error(resp));
    }
    let v = json::parse(&resp.body)
        .filter(|v| v.as_obj().is_some())
        .ok_or_else(|| Error::invalid_response("Cognito's reply is not a JSON object").with_status(resp.status))?;
    Ok(v)
}

/// Tokens from `AuthenticationResult`.
pub struct AuthenticationResult {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<i64>,
    /// `NewDeviceMetadata {DeviceKey, DeviceGroupKey}` when device tracking is on.
    pub new_device: Option<(String, String)>,
}

/// A challenge Cognito asks the client to answer.
pub struct ChallengeReply {
    pub name: String,
    pub parameters: Vec<(String, String)>,
    pub session: Option<String>,
    /// `AvailableChallenges` (USER_AUTH's SELECT_CHALLENGE): the first factors on offer.
    pub available: Vec<String>,
}

/// The reply of InitiateAuth or RespondToAuthChallenge.
pub enum AuthReply {
    Authenticated(AuthenticationResult),
    Challenge(ChallengeReply),
}

pub fn parse_auth_reply(body: &Json) -> Result<AuthReply, Error> {
    if let Some(r) = body.get("AuthenticationResult").filter(|r| !matches!(r, Json::Null)) {
        let access_token = r.str_field("AccessToken");
        let id_token = r.str_field("IdToken");
        let (Some(access_token), Some(id_token)) = (access_token, id_token) else {
            return Err(Error::invalid_response("AuthenticationResult lacks AccessToken or IdToken"));
        };
        let new_device = r.get("NewDeviceMetadata").and_then(|d| {
            Some((String::from(d.str_field("DeviceKey")?), String::from(d.str_field("DeviceGroupKey")?)))
        });
        return Ok(AuthReply::Authenticated(AuthenticationResult {
            access_token: String::from(access_token),
            id_token: String::from(id_token),
            refresh_token: r.str_field("RefreshToken").map(String::from),
            expires_in: r.get("ExpiresIn").and_then(Json::as_i64),
            new_device,
        }));
    }
    let name = body
        .str_field("ChallengeName")
        .ok_or_else(|| Error::invalid_response("reply has neither AuthenticationResult nor ChallengeName"))?;
    let mut parameters = Vec::new();
    if let Some(params) = body.get("ChallengeParameters").and_then(Json::as_obj) {
        for (k, v) in params {
            // Cognito sends every parameter as a string; a non-string is a protocol error.
            let v = v.as_str().ok_or_else(|| Error::invalid_response("ChallengeParameters must be strings"))?;
            parameters.push((k.clone(), String::from(v)));
        }
    }
    let mut available = Vec::new();
    if let Some(Json::Arr(items)) = body.get("AvailableChallenges") {
        for i in items {
            if let Some(v) = i.as_str() {
                available.push(String::from(v));
            }
        }
    }
    Ok(AuthReply::Challenge(ChallengeReply {
        name: String::from(name),
        parameters,
        session: body.str_field("Session").map(String::from),
        available,
    }))
}

impl ChallengeReply {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.parameters.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str, header: Option<&str>) -> HttpResponse {
        HttpResponse { status, body: body.into(), error_type: header.map(String::from), date_s: 0 }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn config_validation() {
        let c = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        assert_eq!(c.region(), "us-east-1");
        assert_eq!(c.pool_name(), "AbC123");
        assert_eq!(c.endpoint(), "https://cognito-idp.us-east-1.amazonaws.com/");
        for (url, loopback) in [
            ("http://127.0.0.1:9229/", true),
            ("https://127.255.0.1", true),
            ("http://localhost", true),
            ("http://localhost:80/x?y", true),
            ("http://[::1]:1/", true),
            ("http://[::2]/", false),
            ("http://127.0.0.1.evil.example/", false),
            ("http://127.0.0/", false),
            ("http://127..0.1/", false),
            ("http://127.0.0.1234/", false),
            ("http://127.0.0./", false),
            ("http://128.0.0.1/", false),
            ("http://localhost.evil/", false),
            ("http://evil/127.0.0.1", false),
            ("ftp://localhost/", false),
            ("localhost", false),
        ] {
            assert_eq!(is_loopback_url(url), loopback, "{url}");
        }
        let e = ClientConfig::new("eu-west-2_X", "c", Some("http://127.0.0.1:9229/")).unwrap();
        assert_eq!(e.endpoint(), "http://127.0.0.1:9229/");
        assert!(ClientConfig::new("eu-west-2_X", "c", Some("http://localhost:1/")).is_ok());
        assert!(ClientConfig::new("eu-west-2_X", "c", Some("http://[::1]:1/")).is_ok());
        assert!(
            ClientConfig::new("eu-west-2_X", "c", Some("https://cognito-idp-fips.us-east-1.amazonaws.com/")).is_ok()
        );
        for (pool, client, ep) in [
            ("useast1", "c", None),
            ("us-east-1_", "c", None),
            ("_abc", "c", None),
            ("us-east-1_a-b", "c", None),
            ("US-east-1_ab", "c", None),
            ("us-east-1_ab", "", None),
            ("us-east-1_ab", "c d", None),
            ("us-east-1_ab", "c", Some("http://evil.example/")),
            ("us-east-1_ab", "c", Some("http://127.0.0.1.evil.example/")),
            ("us-east-1_ab", "c", Some("ftp://x")),
            ("us-east-1_ab", "c", Some("https://a b/")),
            // No whitespace, control or non-ASCII character (a no-break space, a tab, é).
            ("us-east-1_ab", "c", Some("https://cognito-idp.us-east-1.amazonaws.com/\u{a0}")),
            ("us-east-1_ab", "c", Some("https://cognito-idp.us-east-1.amazonaws.com/\t")),
            ("us-east-1_ab", "c", Some("https://cognito-idé.example/")),
            ("-us-east-1_ab", "c", None),
            ("us-east-1-_ab", "c", None),
        ] {
            let e = ClientConfig::new(pool, client, ep).unwrap_err();
            assert_eq!(e.code, Code::InvalidInput, "{pool} {client} {ep:?}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn request_shape() {
        let c = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let r = request(&c, "InitiateAuth", &json::str_object(&[("ClientId", "client1")]));
        assert_eq!(r.target_header(), "AWSCognitoIdentityProviderService.InitiateAuth");
        assert_eq!(r.body, r#"{"ClientId":"client1"}"#);
        let other = HttpRequest { operation: "AWSCognitoIdentityService.GetId", ..r.clone() };
        assert_eq!(other.target_header(), "AWSCognitoIdentityService.GetId");
        assert_eq!(
            format!("{r:?}"),
            r#"HttpRequest { url: "https://cognito-idp.us-east-1.amazonaws.com/", operation: "InitiateAuth" }"#
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn error_mapping() {
        let e = parse_error(&resp(
            400,
            r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
            None,
        ));
        assert_eq!(e.code, Code::Service("NotAuthorizedException".into()));
        assert_eq!(e.message, "Incorrect username or password.");
        assert_eq!(e.status, Some(400));
        let e = parse_error(&resp(
            400,
            r#"{"__type":"com.amazonaws.cognito#UserNotFoundException","Message":"User does not exist."}"#,
            None,
        ));
        assert_eq!(e.code, Code::Service("UserNotFoundException".into()));
        assert_eq!(e.message, "User does not exist.");
        let e = parse_error(&resp(400, "not json", Some("TooManyRequestsException:http://internal.amazon.com/coral/")));
        assert_eq!(e.code, Code::Service("TooManyRequestsException".into()));
        assert!(e.retryable());
        let e = parse_error(&resp(500, "<html><body>Internal Server Error</body></html>", None));
        assert_eq!(e.code, Code::InvalidResponse);
        assert_eq!(e.status, Some(500));
        assert!(e.retryable());
        let e = parse_error(&resp(403, "", None));
        assert_eq!(e.code, Code::InvalidResponse);
        assert!(!e.retryable());
        let e = parse_error(&resp(400, r#"{"__type":"","message":"x"}"#, None));
        assert_eq!(e.code, Code::InvalidResponse);
        let long = format!(r#"{{"__type":"X","message":"{}"}}"#, "é".repeat(400));
        assert!(parse_error(&resp(400, &long, None)).message.len() <= 500);
        // Found by fuzzing (target `replies`): an empty message gave an error with no text.
        for body in [r#"{"__type":"hor","message":""}"#, r#"{"__type":"hor","Message":"  "}"#] {
            let e = parse_error(&resp(400, body, None));
            assert_eq!((e.code.as_str(), e.message.as_str()), ("hor", "hor"));
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn success_parsing() {
        assert_eq!(parse_success(&resp(200, "[]", None)).unwrap_err().code, Code::InvalidResponse);
        assert_eq!(parse_success(&resp(200, "<html>", None)).unwrap_err().code, Code::InvalidResponse);
        let ok =
            parse_success(&resp(200, r#"{"ChallengeName":"X","ChallengeParameters":{"A":"1"},"Session":"s"}"#, None))
                .unwrap();
        match parse_auth_reply(&ok).unwrap() {
            AuthReply::Challenge(c) => {
                assert_eq!(c.name, "X");
                assert_eq!(c.param("A"), Some("1"));
                assert_eq!(c.session.as_deref(), Some("s"));
                assert!(c.available.is_empty());
            }
            AuthReply::Authenticated(_) => panic!("expected a challenge"),
        }
        // USER_AUTH: AvailableChallenges is a top-level array (non-strings skipped).
        let select = json::parse(r#"{"ChallengeName":"SELECT_CHALLENGE","Session":"s","ChallengeParameters":{},"AvailableChallenges":["PASSWORD_SRP","WEB_AUTHN",7,"EMAIL_OTP"]}"#).unwrap();
        match parse_auth_reply(&select).unwrap() {
            AuthReply::Challenge(c) => assert_eq!(c.available, ["PASSWORD_SRP", "WEB_AUTHN", "EMAIL_OTP"]),
            AuthReply::Authenticated(_) => panic!("expected a challenge"),
        }
        let bad = json::parse(r#"{"ChallengeName":"X","ChallengeParameters":{"A":1}}"#).unwrap();
        assert!(parse_auth_reply(&bad).is_err());
        let none = json::parse(r#"{"Session":"s"}"#).unwrap();
        assert_eq!(parse_auth_reply(&none).err().unwrap().code, Code::InvalidResponse);
        let partial = json::parse(r#"{"AuthenticationResult":{"AccessToken":"a"}}"#).unwrap();
        assert!(parse_auth_reply(&partial).is_err());
        let full = json::parse(r#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"i","ExpiresIn":3600,"NewDeviceMetadata":{"DeviceKey":"k","DeviceGroupKey":"g"}},"ChallengeParameters":{}}"#).unwrap();
        match parse_auth_reply(&full).unwrap() {
            AuthReply::Authenticated(r) => {
                assert_eq!(r.expires_in, Some(3600));
                assert_eq!(r.refresh_token, None);
                assert_eq!(r.new_device, Some(("k".into(), "g".into())));
            }
            AuthReply::Challenge(_) => panic!("expected tokens"),
        }
    }
}
