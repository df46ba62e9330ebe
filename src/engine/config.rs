//! The configuration, parsed once from one JSON value (the object the app passed to
//! `new CognitoAuth(…)`, serialized by the runner; an app-provided storage object is sent as
//! `"storage": "custom"`). Unknown members belong to features not on this path and are
//! ignored; a known member of the wrong type is an `InvalidInput` error.
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::error::Error;
use crate::flow::ClientSecret;
use crate::json::{self, Json};
use crate::protocol::ClientConfig;
use crate::timestamp::decimal;

/// Where sessions are stored. The runner opens it (probing it); the core decides what is
/// shared between tabs and what happens when it throws.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StorageKind {
    Local,
    Session,
    Memory,
    Cookie,
    /// An object of the app's with getItem/setItem/removeItem.
    Custom,
}

impl StorageKind {
    /// True when other tabs see the same data.
    pub fn shared(self) -> bool {
        matches!(self, StorageKind::Local | StorageKind::Cookie | StorageKind::Custom)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::Local => "local",
            StorageKind::Session => "session",
            StorageKind::Memory => "memory",
            StorageKind::Cookie => "cookie",
            StorageKind::Custom => "custom",
        }
    }
}

#[derive(Debug)]
pub struct Config {
    pub client: ClientConfig,
    pub secret: Option<ClientSecret>,
    pub storage: StorageKind,
    /// `; Path=/; Max-Age=…; SameSite=…[; Domain=…][; Secure]` for `storage: 'cookie'`.
    pub cookie_attributes: Option<String>,
    /// Seconds before expiry at which a session is refreshed (clamped per session to half
    /// the tokens' lifetime, see `life::leeway_for`).
    pub leeway_s: i64,
    pub auto_refresh: bool,
    pub rotation: bool,
    /// `logLevel: 'debug'`: each request's operation, status, time and retries are logged
    /// (`Effect::Log`); `'none'` (the default): nothing.
    pub debug: bool,
    /// The user-pool domain origin (hosted UI sessions are refreshed and revoked there).
    pub domain: Option<String>,
    /// `totpIssuer`: the name authenticator apps show in the TOTP URI (default `AWSCognito`,
    /// as Amplify): `setUpTotp` and the MFA_SETUP challenge.
    #[cfg(any(feature = "account", feature = "challenges"))]
    pub totp_issuer: String,
    /// The hosted UI's sign-in settings (`domain` + `redirectSignIn`, see `engine::hosted`).
    #[cfg(feature = "hosted-ui")]
    pub hosted: Option<crate::oauth::HostedConfig>,
    /// `identityPoolId` (+ `identityEndpoint`), for `getAwsCredentials` and signing.
    #[cfg(feature = "identity")]
    pub identity: Option<crate::identity::IdentityConfig>,
    /// `navigator.userAgent`, added by the runner: the name ConfirmDevice gives a new device.
    #[cfg(feature = "challenges")]
    pub user_agent: Option<String>,
}

/// `InvalidInput` "{key}{what}" (with `codes-only` the prose is not built at all).
fn keyed(key: &str, what: &str) -> Error {
    #[cfg(feature = "codes-only")]
    let m = {
        let _ = (key, what);
        ""
    };
    #[cfg(not(feature = "codes-only"))]
    let m = &{
        let mut m = String::from(key);
        m.push_str(what);
        m
    };
    Error::invalid_input(m)
}

fn opt_str<'a>(o: &'a Json, key: &str) -> Result<Option<&'a str>, Error> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(keyed(key, " must be a string")),
    }
}

fn opt_bool(o: &Json, key: &str) -> Result<bool, Error> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(false),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(keyed(key, " must be a boolean")),
    }
}

fn req_str<'a>(o: &'a Json, key: &str) -> Result<&'a str, Error> {
    opt_str(o, key)?.ok_or_else(|| keyed(key, " is required"))
}

/// `cookie: { path, domain, expires (days), sameSite, secure }`, as in
/// amazon-cognito-identity-js's CookieStorage (expires defaults to 365 days).
fn cookie_attributes(c: Option<&Json>) -> Result<String, Error> {
    let empty = Json::Obj(alloc::vec::Vec::new());
    let c = match c {
        None | Some(Json::Null) => &empty,
        Some(o @ Json::Obj(_)) => o,
        Some(_) => return Err(Error::invalid_input("cookie must be an object")),
    };
    let mut a = String::from("; Path=");
    a.push_str(opt_str(c, "path")?.unwrap_or("/"));
    if let Some(d) = opt_str(c, "domain")? {
        a.push_str("; Domain=");
        a.push_str(d);
    }
    let days = match c.get("expires") {
        None | Some(Json::Null) => 365,
        Some(v) => v
            .as_i64()
            .filter(|d| (0..=3650).contains(d))
            .ok_or_else(|| Error::invalid_input("cookie.expires must be a number of days (0..3650)"))?,
    };
    a.push_str("; Max-Age=");
    a.push_str(&decimal(days as u64 * 86_400));
    let same_site = opt_str(c, "sameSite")?.unwrap_or("lax");
    let Some(norm) = ["Lax", "Strict", "None"].into_iter().find(|n| n.eq_ignore_ascii_case(same_site)) else {
        return Err(Error::invalid_input("cookie.sameSite must be 'lax', 'strict' or 'none'"));
    };
    a.push_str("; SameSite=");
    a.push_str(norm);
    if opt_bool(c, "secure")? || norm == "None" {
        a.push_str("; Secure");
    }
    if crate::encoding::find_byte(&a, |b| b == b'\n' || b == b'\r').is_some()
        || a.bytes().filter(|&b| b == b';').count() > 6
    {
        return Err(Error::invalid_input("cookie options must not contain ';' or newlines"));
    }
    Ok(a)
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, Error> {
        let o = json::parse(text)
            .filter(|v| v.as_obj().is_some())
            .ok_or_else(|| Error::invalid_input("config must be an object"))?;
        let client = ClientConfig::new(req_str(&o, "userPoolId")?, req_str(&o, "clientId")?, opt_str(&o, "endpoint")?)?;
        // The `iss` ID tokens must carry (only the hosted-UI module verifies ID tokens).
        #[cfg(feature = "hosted-ui")]
        let client = client.with_issuer(opt_str(&o, "issuer")?)?;
        let storage = match opt_str(&o, "storage")? {
            None | Some("local") => StorageKind::Local,
            Some("session") => StorageKind::Session,
            Some("memory") => StorageKind::Memory,
            Some("cookie") => StorageKind::Cookie,
            Some("custom") => StorageKind::Custom,
            Some(_) => return Err(Error::invalid_input(
                "storage must be 'local', 'session', 'memory', 'cookie' or an object with getItem/setItem/removeItem",
            )),
        };
        let cookie_attributes =
            if storage == StorageKind::Cookie { Some(cookie_attributes(o.get("cookie"))?) } else { None };
        let leeway_s = match o.get("refreshLeeway") {
            None | Some(Json::Null) => 60,
            Some(v) => v
                .as_i64()
                .filter(|n| (0..=86_400).contains(n))
                .ok_or_else(|| Error::invalid_input("refreshLeeway must be a number of seconds (0..86400)"))?,
        };
        // Only hosted-UI sessions are refreshed and revoked there.
        #[cfg(feature = "hosted-ui")]
        let domain = match opt_str(&o, "domain")? {
            Some(d) => Some(crate::refresh::parse_domain(d)?),
            None => None,
        };
        #[cfg(not(feature = "hosted-ui"))]
        let domain = None;
        Ok(Config {
            client,
            secret: opt_str(&o, "clientSecret")?.map(ClientSecret::new),
            storage,
            cookie_attributes,
            leeway_s,
            auto_refresh: opt_bool(&o, "autoRefresh")?,
            rotation: opt_bool(&o, "refreshTokenRotation")?,
            debug: match opt_str(&o, "logLevel")? {
                None | Some("none") => false,
                Some("debug") => true,
                Some(_) => return Err(keyed("logLevel", " must be 'debug' or 'none'")),
            },
            domain,
            #[cfg(any(feature = "account", feature = "challenges"))]
            totp_issuer: String::from(opt_str(&o, "totpIssuer")?.unwrap_or("AWSCognito")),
            #[cfg(feature = "hosted-ui")]
            hosted: super::hosted::parse_config(&o)?,
            #[cfg(feature = "identity")]
            identity: super::identity::parse_config(&o)?,
            #[cfg(feature = "challenges")]
            user_agent: opt_str(&o, "userAgent")?.filter(|u| !u.is_empty()).map(String::from),
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn parses_once_with_defaults_and_typed_errors() {
        let c = Config::parse(r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","onUnknown":[1]}"#).unwrap();
        assert_eq!((c.storage, c.leeway_s, c.auto_refresh, c.rotation), (StorageKind::Local, 60, false, false));
        assert!(!c.debug, "no logging by default");
        for (level, debug) in [("debug", true), ("none", false)] {
            let text = format!(r#"{{"userPoolId":"us-east-1_AbC123","clientId":"c1","logLevel":"{level}"}}"#);
            assert_eq!(Config::parse(&text).unwrap().debug, debug);
        }
        assert_eq!(c.client.endpoint(), "https://cognito-idp.us-east-1.amazonaws.com/");
        let c = Config::parse(r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","storage":"cookie","cookie":{"domain":"example.com","expires":1,"sameSite":"none"},"refreshLeeway":300,"autoRefresh":true}"#).unwrap();
        assert_eq!(
            c.cookie_attributes.as_deref(),
            Some("; Path=/; Domain=example.com; Max-Age=86400; SameSite=None; Secure")
        );
        assert_eq!((c.leeway_s, c.auto_refresh), (300, true));
        let c = Config::parse(r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","storage":"cookie","cookie":{"sameSite":"STRICT","expires":0}}"#).unwrap();
        assert_eq!(c.cookie_attributes.as_deref(), Some("; Path=/; Max-Age=0; SameSite=Strict"));
        let e = Config::parse(
            r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","storage":"cookie","cookie":{"sameSite":"laxx"}}"#,
        )
        .unwrap_err();
        assert!(e.message.starts_with("cookie.sameSite must be"), "{}", e.message);
        for (bad, msg) in [
            (r#"[]"#, "config must be an object"),
            (r#"{"clientId":"c1"}"#, "userPoolId is required"),
            (r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","storage":"disk"}"#, "storage must be"),
            (r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","refreshLeeway":-1}"#, "refreshLeeway must be"),
            (
                r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","autoRefresh":"yes"}"#,
                "autoRefresh must be a boolean",
            ),
            (
                r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","logLevel":"DEBUG"}"#,
                "logLevel must be 'debug' or 'none'",
            ),
            (r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","logLevel":true}"#, "logLevel must be a string"),
            (
                r#"{"userPoolId":"us-east-1_AbC123","clientId":"c1","storage":"cookie","cookie":{"path":"/\nx"}}"#,
                "cookie options must not contain",
            ),
        ] {
            let e = Config::parse(bad).unwrap_err();
            assert_eq!(e.code, crate::error::Code::InvalidInput);
            assert!(e.message.starts_with(msg), "{bad}: {}", e.message);
        }
    }
}
