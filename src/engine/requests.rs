//! The lifecycle's user-pool requests (refresh, RevokeToken, GlobalSignOut) written from
//! `(key, value)` tables, as the SRP path writes its own: no `Json` tree is built. The bytes
//! are those of `refresh::user_pool_request`, `revoke_request` and
//! `global_sign_out_request` (checked against them below).
#![forbid(unsafe_code)]

use alloc::string::String;

use super::srp_sign_in::body;
use crate::error::Error;
use crate::flow::ClientSecret;
use crate::json::write_str;
use crate::protocol::{ClientConfig, HttpRequest};
use crate::refresh::RefreshOptions;
use crate::session::Session;

/// `{"k":"v",…}` from a table; `None` values are left out.
pub fn flat(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::from("{");
    for (k, v) in pairs {
        if let Some(v) = v {
            if out.len() > 1 {
                out.push(',');
            }
            write_str(&mut out, k);
            out.push(':');
            write_str(&mut out, v);
        }
    }
    out.push('}');
    out
}

fn request(config: &ClientConfig, operation: &'static str, body: String) -> HttpRequest {
    HttpRequest { url: String::from(config.endpoint()), operation, body }
}

/// REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken with rotation.
pub fn refresh(config: &ClientConfig, s: &Session, opts: &RefreshOptions<'_>) -> Result<HttpRequest, Error> {
    let token = s
        .refresh_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::invalid_input("the session has no refresh token"))?;
    let cid = Some(config.client_id());
    let secret = opts.secret.map(ClientSecret::expose);
    if opts.rotation {
        let b = flat(&[
            ("ClientId", cid),
            ("RefreshToken", Some(token)),
            ("ClientSecret", secret),
            ("DeviceKey", opts.device_key),
        ]);
        return Ok(request(config, "GetTokensFromRefreshToken", b));
    }
    let hash = secret.map(|sec| crate::srp::secret_hash(sec, &s.username, config.client_id()));
    let b = body(
        &[("AuthFlow", Some("REFRESH_TOKEN_AUTH")), ("ClientId", cid)],
        "AuthParameters",
        &[("REFRESH_TOKEN", Some(token)), ("DEVICE_KEY", opts.device_key), ("SECRET_HASH", hash.as_deref())],
    );
    Ok(request(config, "InitiateAuth", b))
}

pub fn revoke(config: &ClientConfig, refresh_token: &str, secret: Option<&ClientSecret>) -> HttpRequest {
    let b = flat(&[
        ("Token", Some(refresh_token)),
        ("ClientId", Some(config.client_id())),
        ("ClientSecret", secret.map(ClientSecret::expose)),
    ]);
    request(config, "RevokeToken", b)
}

pub fn global_sign_out(config: &ClientConfig, access_token: &str) -> HttpRequest {
    request(config, "GlobalSignOut", flat(&[("AccessToken", Some(access_token))]))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::refresh;

    fn session(refresh_token: Option<&str>) -> Session {
        Session {
            username: "al\"ice".into(),
            id_token: "i".into(),
            access_token: "acc\\ess".into(),
            refresh_token: refresh_token.map(String::from),
            clock_drift: 0,
            access_exp: 0,
            id_exp: 0,
            id_claims: "{}".into(),
            access_claims: "{}".into(),
        }
    }

    fn same(a: &HttpRequest, b: &HttpRequest) {
        assert_eq!((a.url.as_str(), a.operation, a.body.as_str()), (b.url.as_str(), b.operation, b.body.as_str()));
    }

    #[test]
    fn the_same_bytes_as_the_json_tree_builders() {
        let cfg = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let secret = ClientSecret::new("s3cr\u{e9}t");
        let s = session(Some("rt\n1"));
        for rotation in [false, true] {
            for device_key in [None, Some("us-east-1_dev\"1")] {
                for secret in [None, Some(&secret)] {
                    let opts = RefreshOptions { device_key, secret, rotation };
                    same(&refresh(&cfg, &s, &opts).unwrap(), &refresh::user_pool_request(&cfg, &s, &opts).unwrap());
                }
                same(&revoke(&cfg, "rt\u{1}", Some(&secret)), &refresh::revoke_request(&cfg, "rt\u{1}", Some(&secret)));
            }
        }
        same(&revoke(&cfg, "rt", None), &refresh::revoke_request(&cfg, "rt", None));
        same(&global_sign_out(&cfg, "a\"t"), &refresh::global_sign_out_request(&cfg, "a\"t"));
        let opts = RefreshOptions { device_key: None, secret: None, rotation: false };
        for no_token in [None, Some("")] {
            let e = refresh(&cfg, &session(no_token), &opts).unwrap_err();
            assert_eq!(e, refresh::user_pool_request(&cfg, &session(no_token), &opts).unwrap_err());
        }
        // A known answer, not only agreement.
        assert_eq!(
            refresh(&cfg, &s, &opts).unwrap().body,
            r#"{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"client1","AuthParameters":{"REFRESH_TOKEN":"rt\n1"}}"#
        );
    }
}
