//! `CognitoAuth.fromAmplifyConfig(config)`: an Amplify configuration mapped to this library's
//! configuration (the object `new CognitoAuth(…)` takes), so an app that migrates keeps its
//! `amplify_outputs.json` (Gen 2) or `aws-exports.js` / `amplifyconfiguration.json` (Gen 1).
//! The `ResourcesConfig` Amplify's own `parseAmplifyConfig` returns (`{ Auth: { Cognito } }`)
//! is accepted too, with the members only it can carry (`userPoolEndpoint`,
//! `identityPoolEndpoint`).
//!
//! What is mapped: user pool and client, identity pool, the hosted UI's domain, redirects
//! and scopes, the user-pool endpoint; MFA is reported as Amplify reports it (`mfa: { status,
//! totpEnabled, smsEnabled }`): the pool enforces MFA, the library only answers challenges.
//! Where Amplify lists several redirect URLs it uses the one on the page's origin: so does
//! this (`origin`, the runner's `location.origin`), else the first.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::cut;
use crate::error::Error;
use crate::json::{self, Json};

/// Which file the configuration came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// `amplify_outputs.json`: `{ version: "1…", auth: { user_pool_id, … } }`.
    Gen2,
    /// `aws-exports.js` / `amplifyconfiguration.json`: `aws_user_pools_id`, `oauth`, ….
    Gen1,
    /// Amplify's parsed `ResourcesConfig`: `{ Auth: { Cognito: { userPoolId, … } } }`.
    Resources,
}

/// The auth members of any shape, read once.
struct Auth<'a> {
    user_pool: Option<&'a str>,
    client: Option<&'a str>,
    endpoint: Option<&'a str>,
    identity_pool: Option<&'a str>,
    identity_endpoint: Option<&'a str>,
    domain: Option<&'a str>,
    sign_in: Vec<&'a str>,
    sign_out: Vec<&'a str>,
    scopes: Option<Vec<&'a str>>,
    /// (status, totp, sms)
    mfa: Option<(&'static str, bool, bool)>,
}

fn bad(what: &str) -> Error {
    Error::invalid_input(what)
}

fn s<'a>(o: Option<&'a Json>, key: &str) -> Result<Option<&'a str>, Error> {
    match o.and_then(|o| o.get(key)) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(v)) if v.is_empty() => Ok(None),
        Some(Json::Str(v)) => Ok(Some(v)),
        Some(_) => Err(super::ops::keyed(key, " must be a string")),
    }
}

/// A list of strings, or (Gen 1's redirects) one comma-separated string.
fn list<'a>(o: Option<&'a Json>, key: &str) -> Result<Option<Vec<&'a str>>, Error> {
    match o.and_then(|o| o.get(key)) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(v)) => {
            // Comma-separated, cut on bytes (no `str` searcher in the wasm).
            let mut out = Vec::new();
            let mut rest = Some(v.as_str());
            while let Some(r) = rest {
                let (item, next) = match cut(r, b',') {
                    Some((i, n)) => (i, Some(n)),
                    None => (r, None),
                };
                let item = item.trim_ascii();
                if !item.is_empty() {
                    out.push(item);
                }
                rest = next;
            }
            Ok(Some(out))
        }
        Some(Json::Arr(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(i.as_str().ok_or_else(|| super::ops::keyed(key, " must be an array of strings"))?);
            }
            Ok(Some(out))
        }
        Some(_) => Err(super::ops::keyed(key, " must be an array of strings")),
    }
}

fn has(o: Option<&Json>, key: &str, want: &str) -> Result<bool, Error> {
    Ok(list(o, key)?.is_some_and(|l| l.iter().any(|m| m.eq_ignore_ascii_case(want))))
}

fn obj<'a>(o: Option<&'a Json>, key: &str) -> Option<&'a Json> {
    o.and_then(|o| o.get(key)).filter(|v| v.as_obj().is_some())
}

pub fn shape(o: &Json) -> Option<Shape> {
    let m = o.as_obj()?;
    if m.iter().any(|(k, _)| k.starts_with("aws_")) {
        Some(Shape::Gen1)
    } else if o.str_field("version").is_some_and(|v| v.starts_with('1')) {
        Some(Shape::Gen2)
    } else if obj(obj(Some(o), "Auth"), "Cognito").is_some() {
        Some(Shape::Resources)
    } else {
        None
    }
}

fn read(o: &Json, shape: Shape) -> Result<Auth<'_>, Error> {
    Ok(match shape {
        Shape::Gen2 => {
            let a = obj(Some(o), "auth");
            let oauth = obj(a, "oauth");
            let mfa = match s(a, "mfa_configuration")? {
                None => None,
                Some(m) => Some((
                    match m {
                        "OPTIONAL" => "optional",
                        "REQUIRED" => "on",
                        _ => "off",
                    },
                    has(a, "mfa_methods", "TOTP")?,
                    has(a, "mfa_methods", "SMS")?,
                )),
            };
            Auth {
                user_pool: s(a, "user_pool_id")?,
                client: s(a, "user_pool_client_id")?,
                endpoint: None,
                identity_pool: s(a, "identity_pool_id")?,
                identity_endpoint: None,
                domain: s(oauth, "domain")?,
                sign_in: list(oauth, "redirect_sign_in_uri")?.unwrap_or_default(),
                sign_out: list(oauth, "redirect_sign_out_uri")?.unwrap_or_default(),
                scopes: list(oauth, "scopes")?,
                mfa,
            }
        }
        Shape::Gen1 => {
            let oauth = obj(Some(o), "oauth");
            let mfa = match s(Some(o), "aws_cognito_mfa_configuration")? {
                None => None,
                Some(m) => Some((
                    if m.eq_ignore_ascii_case("optional") {
                        "optional"
                    } else if m.eq_ignore_ascii_case("on") {
                        "on"
                    } else {
                        "off"
                    },
                    has(Some(o), "aws_cognito_mfa_types", "TOTP")?,
                    has(Some(o), "aws_cognito_mfa_types", "SMS")?,
                )),
            };
            Auth {
                user_pool: s(Some(o), "aws_user_pools_id")?,
                client: s(Some(o), "aws_user_pools_web_client_id")?,
                endpoint: None,
                identity_pool: s(Some(o), "aws_cognito_identity_pool_id")?,
                identity_endpoint: None,
                domain: s(oauth, "domain")?,
                sign_in: list(oauth, "redirectSignIn")?.unwrap_or_default(),
                sign_out: list(oauth, "redirectSignOut")?.unwrap_or_default(),
                scopes: list(oauth, "scope")?,
                mfa,
            }
        }
        Shape::Resources => {
            let c = obj(obj(Some(o), "Auth"), "Cognito");
            let oauth = obj(obj(c, "loginWith"), "oauth");
            let m = obj(c, "mfa");
            let flag = |k: &str| matches!(m.and_then(|m| m.get(k)), Some(Json::Bool(true)));
            let mfa = match s(m, "status")? {
                None => None,
                Some(st) => Some((
                    match st {
                        "optional" => "optional",
                        "on" => "on",
                        _ => "off",
                    },
                    flag("totpEnabled"),
                    flag("smsEnabled"),
                )),
            };
            Auth {
                user_pool: s(c, "userPoolId")?,
                client: s(c, "userPoolClientId")?,
                endpoint: s(c, "userPoolEndpoint")?,
                identity_pool: s(c, "identityPoolId")?,
                identity_endpoint: s(c, "identityPoolEndpoint")?,
                domain: s(oauth, "domain")?,
                sign_in: list(oauth, "redirectSignIn")?.unwrap_or_default(),
                sign_out: list(oauth, "redirectSignOut")?.unwrap_or_default(),
                scopes: list(oauth, "scopes")?,
                mfa,
            }
        }
    })
}

/// `scheme` and the rest of `scheme://rest`.
fn scheme(url: &str) -> Option<(&str, &str)> {
    let (s, rest) = cut(url, b':')?;
    Some((s, rest.strip_prefix("//")?))
}

/// `scheme://host[:port]` of a URL (lowercase scheme and host), for matching redirects.
fn origin_of(url: &str) -> Option<String> {
    let (s, rest) = scheme(url)?;
    let end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let mut o = s.to_ascii_lowercase();
    o.push_str("://");
    o.push_str(&rest.get(..end)?.to_ascii_lowercase());
    Some(o)
}

/// The host name of a URL, without the port.
fn host_of(url: &str) -> Option<String> {
    let o = origin_of(url)?;
    let h = scheme(&o)?.1;
    let h = if h.starts_with('[') {
        h.get(..h.bytes().position(|b| b == b']').map_or(h.len(), |i| i + 1))?
    } else {
        cut(h, b':').map_or(h, |(h, _)| h)
    };
    Some(String::from(h))
}

/// Amplify's choice among several redirects, for the page at `origin` + `path`: the one
/// under this page's origin and path, else one on this host name (any port or scheme); none when there is none (Amplify then refuses to redirect: so does this,
/// the hosted UI is left unconfigured). Without a page (Node, SSR): the first.
fn pick<'a>(urls: &[&'a str], here: Option<(&str, &str)>) -> Option<&'a str> {
    let Some((origin, path)) = here else { return urls.first().copied() };
    let origin = origin_of(origin)?;
    let mut prefix = origin.clone();
    prefix.push_str(if path.is_empty() { "/" } else { path });
    let host = host_of(&origin);
    let find = |f: &dyn Fn(&str) -> bool| urls.iter().copied().find(|u| f(u));
    find(&|u| u.starts_with(&prefix)).or_else(|| find(&|u| host.is_some() && host_of(u) == host))
}

/// `{"config": <Amplify configuration>, "origin": "https://app.example"|null, "path":
/// "/app/"|null}` (the page's `location`) → this library's configuration as JSON text.
pub fn from_amplify(text: &str) -> Result<String, Error> {
    let input = json::parse(text).ok_or_else(|| bad("the argument must be JSON"))?;
    let config = input.get("config").ok_or_else(|| bad("an Amplify configuration object is required"))?;
    let here = s(Some(&input), "origin")?.map(|o| (o, s(Some(&input), "path").ok().flatten().unwrap_or("/")));
    let shape = shape(config).ok_or_else(|| {
        bad("not an Amplify configuration: expected amplify_outputs.json (version 1), aws-exports.js (aws_* keys) or { Auth: { Cognito } }")
    })?;
    let a = read(config, shape)?;
    let (Some(pool), Some(client)) = (a.user_pool, a.client) else {
        return Err(bad("the Amplify configuration has no user pool and app client"));
    };
    let mut out: Vec<(String, Json)> = Vec::new();
    let mut put = |k: &str, v: Json| out.push((String::from(k), v));
    let text = |v: &str| Json::Str(String::from(v));
    put("userPoolId", text(pool));
    put("clientId", text(client));
    if let Some(e) = a.endpoint {
        put("endpoint", text(e));
    }
    if let Some(i) = a.identity_pool {
        put("identityPoolId", text(i));
    }
    if let Some(e) = a.identity_endpoint {
        put("identityEndpoint", text(e));
    }
    if let Some(d) = a.domain {
        // Amplify's domain is a host name; this library's is an origin.
        let mut o = String::new();
        if scheme(d).is_none() {
            o.push_str("https://");
        }
        o.push_str(crate::encoding::trim_end_byte(d, b'/'));
        put("domain", Json::Str(o));
        if let Some(r) = pick(&a.sign_in, here) {
            put("redirectSignIn", text(r));
        }
        if let Some(r) = pick(&a.sign_out, here) {
            put("redirectSignOut", text(r));
        }
        if let Some(sc) = &a.scopes {
            put("scopes", Json::Arr(sc.iter().map(|v| text(v)).collect()));
        }
    }
    if let Some((status, totp, sms)) = a.mfa {
        put(
            "mfa",
            Json::Obj(alloc::vec![
                (String::from("status"), text(status)),
                (String::from("totpEnabled"), Json::Bool(totp)),
                (String::from("smsEnabled"), Json::Bool(sms)),
            ]),
        );
    }
    let mapped = Json::Obj(out).to_text();
    // What it maps to must be a configuration `new CognitoAuth` accepts (a bad domain or
    // pool id fails here, with the same typed error).
    super::Config::parse(&mapped)?;
    Ok(mapped)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn map(config: &str, origin: Option<&str>) -> Result<String, Error> {
        let mut t = String::from("{\"config\":");
        t.push_str(config);
        if let Some(o) = origin {
            t.push_str(",\"origin\":\"");
            t.push_str(o);
            t.push('"');
        }
        t.push('}');
        from_amplify(&t)
    }

    #[test]
    fn gen2_gen1_and_resources_map_to_the_same_config() {
        let gen2 = r#"{"version":"1.3","auth":{"aws_region":"us-east-1","user_pool_id":"us-east-1_Abc123","user_pool_client_id":"cl1","identity_pool_id":"us-east-1:0000-11","mfa_configuration":"OPTIONAL","mfa_methods":["TOTP"],"oauth":{"identity_providers":[],"domain":"app.auth.us-east-1.amazoncognito.com","scopes":["openid","email"],"redirect_sign_in_uri":["http://localhost:3000/","https://app.example/cb"],"redirect_sign_out_uri":["https://app.example/"],"response_type":"code"}}}"#;
        let gen1 = r#"{"aws_project_region":"us-east-1","aws_user_pools_id":"us-east-1_Abc123","aws_user_pools_web_client_id":"cl1","aws_cognito_identity_pool_id":"us-east-1:0000-11","aws_cognito_mfa_configuration":"OPTIONAL","aws_cognito_mfa_types":["TOTP"],"oauth":{"domain":"app.auth.us-east-1.amazoncognito.com","scope":["openid","email"],"redirectSignIn":"http://localhost:3000/,https://app.example/cb","redirectSignOut":"https://app.example/","responseType":"code"}}"#;
        let res = r#"{"Auth":{"Cognito":{"userPoolId":"us-east-1_Abc123","userPoolClientId":"cl1","identityPoolId":"us-east-1:0000-11","mfa":{"status":"optional","totpEnabled":true,"smsEnabled":false},"loginWith":{"oauth":{"domain":"app.auth.us-east-1.amazoncognito.com","scopes":["openid","email"],"redirectSignIn":["http://localhost:3000/","https://app.example/cb"],"redirectSignOut":["https://app.example/"],"responseType":"code"}}}}}"#;
        let want = r#"{"userPoolId":"us-east-1_Abc123","clientId":"cl1","identityPoolId":"us-east-1:0000-11","domain":"https://app.auth.us-east-1.amazoncognito.com","redirectSignIn":"https://app.example/cb","redirectSignOut":"https://app.example/","scopes":["openid","email"],"mfa":{"status":"optional","totpEnabled":true,"smsEnabled":false}}"#;
        for c in [gen2, gen1, res] {
            assert_eq!(map(c, Some("https://APP.example")).unwrap(), want, "{c}");
            // No origin (or none matching): the first redirect, as Amplify.
            assert!(map(c, None).unwrap().contains(r#""redirectSignIn":"http://localhost:3000/""#));
            // On another port of localhost: that host's redirect. On another site: none (the
            // hosted UI is left unconfigured, as Amplify refuses to redirect there).
            assert!(map(c, Some("http://localhost:5173"))
                .unwrap()
                .contains(r#""redirectSignIn":"http://localhost:3000/""#));
            let elsewhere = map(c, Some("https://other.example")).unwrap();
            assert!(!elsewhere.contains("redirectSign") && elsewhere.contains(r#""domain":"#), "{elsewhere}");
        }
        let plain = map(
            r#"{"aws_project_region":"eu-west-1","aws_user_pools_id":"eu-west-1_X1","aws_user_pools_web_client_id":"c"}"#,
            None,
        );
        assert_eq!(plain.unwrap(), r#"{"userPoolId":"eu-west-1_X1","clientId":"c"}"#);
        let required = map(
            r#"{"version":"1","auth":{"user_pool_id":"eu-west-1_X1","user_pool_client_id":"c","mfa_configuration":"REQUIRED","mfa_methods":["SMS","TOTP"]}}"#,
            None,
        );
        assert_eq!(
            required.unwrap(),
            r#"{"userPoolId":"eu-west-1_X1","clientId":"c","mfa":{"status":"on","totpEnabled":true,"smsEnabled":true}}"#
        );
        let ep = map(
            r#"{"Auth":{"Cognito":{"userPoolId":"eu-west-1_X1","userPoolClientId":"c","userPoolEndpoint":"http://localhost:9229/","identityPoolId":"eu-west-1:1","identityPoolEndpoint":"http://localhost:9230/"}}}"#,
            None,
        );
        assert_eq!(
            ep.unwrap(),
            r#"{"userPoolId":"eu-west-1_X1","clientId":"c","endpoint":"http://localhost:9229/","identityPoolId":"eu-west-1:1","identityEndpoint":"http://localhost:9230/"}"#
        );
    }

    #[test]
    fn what_is_not_an_amplify_config_is_a_typed_error() {
        for (bad, msg) in [
            ("[1]", "not an Amplify configuration"),
            (r#"{"userPoolId":"x"}"#, "not an Amplify configuration"),
            (r#"{"version":"1","auth":{"user_pool_id":"eu-west-1_X1"}}"#, "the Amplify configuration has no user pool"),
            (r#"{"version":"1"}"#, "the Amplify configuration has no user pool"),
            (r#"{"aws_user_pools_id":5}"#, "aws_user_pools_id must be a string"),
            (r#"{"aws_user_pools_id":"nope","aws_user_pools_web_client_id":"c"}"#, ""),
            (
                r#"{"aws_user_pools_id":"eu-west-1_X1","aws_user_pools_web_client_id":"c","oauth":{"domain":"a b"}}"#,
                "domain must be",
            ),
        ] {
            let e = map(bad, None).unwrap_err();
            assert_eq!(e.code, crate::error::Code::InvalidInput, "{bad}");
            assert!(e.message.starts_with(msg), "{bad}: {}", e.message);
        }
        assert_eq!(from_amplify("{").unwrap_err().code, crate::error::Code::InvalidInput);
        assert_eq!(from_amplify("{}").unwrap_err().code, crate::error::Code::InvalidInput);
    }
}
