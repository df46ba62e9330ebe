// Shared by the reply and storage targets (included with `#[path]`).
#![allow(dead_code)]
use cognito_wasm::encoding::base64url_encode;
use cognito_wasm::error::{Code, Error};
use cognito_wasm::protocol::{AuthenticationResult, ClientConfig, HttpResponse};
use cognito_wasm::session::Session;

pub const POOL: &str = "us-east-1_EmuPool01";
pub const CLIENT: &str = "7f3kq2m9emulatorclient0001";
pub const NOW_MS: i64 = 1_700_000_100_000;

pub fn config() -> ClientConfig {
    ClientConfig::new(POOL, CLIENT, Some("http://127.0.0.1:9229/")).unwrap()
}

pub fn token(claims: &str) -> String {
    format!(
        "{}.{}.{}",
        base64url_encode(br#"{"alg":"RS256","kid":"k"}"#),
        base64url_encode(claims.as_bytes()),
        base64url_encode(b"sig")
    )
}

pub fn tokens(username: &str) -> AuthenticationResult {
    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}");
    let iat = NOW_MS / 1000;
    AuthenticationResult {
        id_token: token(&format!(
            r#"{{"sub":"s-1","iss":"{iss}","aud":"{CLIENT}","token_use":"id","cognito:username":"{username}","iat":{iat},"exp":{}}}"#,
            iat + 3600
        )),
        access_token: token(&format!(
            r#"{{"sub":"s-1","iss":"{iss}","client_id":"{CLIENT}","token_use":"access","username":"{username}","iat":{iat},"exp":{}}}"#,
            iat + 3600
        )),
        refresh_token: Some("refresh-opaque".into()),
        expires_in: Some(3600),
        new_device: None,
    }
}

pub fn session() -> Session {
    Session::from_tokens(&config(), tokens("dave"), None, NOW_MS).unwrap()
}

/// An error that describes a reply carries the reply's HTTP status, whatever the status.
pub fn check_err(e: &Error, resp: &HttpResponse) {
    if matches!(e.code, Code::InvalidResponse | Code::Service(_)) {
        assert_eq!(
            e.status,
            Some(resp.status),
            "{:?} from a {} reply has status {:?}",
            e.code.as_str(),
            resp.status,
            e.status
        );
    }
    if !(200..300).contains(&resp.status) {
        assert!(e.status == Some(resp.status) || !matches!(e.code, Code::InvalidResponse | Code::Service(_)));
    }
    assert!(!e.message.is_empty() && e.message.len() <= 600, "message of {} bytes", e.message.len());
}

pub fn check<T>(r: &Result<T, Error>, resp: &HttpResponse) {
    if let Err(e) = r {
        check_err(e, resp);
    }
}
