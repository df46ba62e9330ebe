//! One request type, one retry policy. Every request the core sends is an
//! [`Http`](super::effect::Http) built here from the pure builders' output
//! (`protocol::HttpRequest` for the JSON API, `refresh::FormRequest` for `/oauth2/*`), and
//! every failure goes through [`retry_after`].
#![forbid(unsafe_code)]

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::effect::{Http, Method};
use crate::error::Error;
use crate::protocol::{self, HttpRequest, HttpResponse, CONTENT_TYPE};
use crate::refresh::FormRequest;
use crate::retry;

/// How long a request may take before the runner aborts it (a network failure).
pub const TIMEOUT_MS: u32 = 30_000;

/// Which error format a reply uses (and so how a failure is read for the retry policy).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wire {
    /// The user-pool JSON 1.1 API (`__type`, `x-amzn-errortype`).
    Json,
    /// OAuth 2.0 endpoints (`{"error": …}`).
    OAuth,
}

/// A request and what the retry policy needs to know about it.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub http: Rc<Http>,
    /// The operation (`InitiateAuth`, `/oauth2/token`, …): decides whether it may be repeated.
    pub operation: &'static str,
    pub wire: Wire,
}

pub fn api(req: HttpRequest) -> Outgoing {
    let target = req.target_header();
    Outgoing {
        http: Rc::new(Http {
            method: Method::Post,
            url: req.url,
            headers: alloc::vec![("Content-Type", String::from(CONTENT_TYPE)), ("X-Amz-Target", target)],
            body: req.body,
            timeout_ms: TIMEOUT_MS,
        }),
        operation: req.operation,
        wire: Wire::Json,
    }
}

pub fn form(req: FormRequest, operation: &'static str) -> Outgoing {
    oauth(req.url, Some(req.body), req.authorization, operation)
}

/// A request to the user-pool domain (or the JWKS): a form POST when there is a body, else a
/// GET; with its `Authorization` header (Basic for a client secret, Bearer for userInfo).
pub fn oauth(url: String, form: Option<String>, authorization: Option<String>, operation: &'static str) -> Outgoing {
    let mut headers: Vec<(&'static str, String)> = Vec::new();
    let method = if form.is_some() {
        headers.push(("Content-Type", String::from("application/x-www-form-urlencoded")));
        Method::Post
    } else {
        Method::Get
    };
    if let Some(a) = authorization {
        headers.push(("Authorization", a));
    }
    Outgoing {
        http: Rc::new(Http { method, url, headers, body: form.unwrap_or_default(), timeout_ms: TIMEOUT_MS }),
        operation,
        wire: Wire::OAuth,
    }
}

/// Operations that may be sent again with the same body: `retry::safe_to_repeat`'s list,
/// plus the refresh calls (a refresh token may be presented again; with rotation the
/// server's reuse window covers a repeat).
pub fn repeatable(operation: &str) -> bool {
    retry::safe_to_repeat(operation) || matches!(operation, "GetTokensFromRefreshToken" | "/oauth2/token")
}

/// The failure a reply (or its absence) stands for; `None` for a 2xx.
pub fn failure(wire: Wire, result: &Result<HttpResponse, Error>) -> Option<Error> {
    match result {
        Ok(r) if (200..300).contains(&r.status) => None,
        Ok(r) if cfg!(feature = "hosted-ui") && wire == Wire::OAuth => Some(crate::oauth::parse_oauth_error(r)),
        Ok(r) => Some(protocol::parse_error(r)),
        Err(e) => Some(e.clone()),
    }
}

/// THE retry policy: after failed try `attempt` (1-based) of `out`, how long to wait
/// before the next try, or `None` to hand the result to the operation. At most
/// `retry::MAX_ATTEMPTS` tries, full-jitter exponential backoff from `random`.
pub fn retry_after(out: &Outgoing, attempt: u32, result: &Result<HttpResponse, Error>, random: u32) -> Option<u32> {
    let e = failure(out.wire, result)?;
    (attempt < retry::MAX_ATTEMPTS && repeatable(out.operation) && e.retryable())
        .then(|| retry::backoff_ms(attempt, random))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::error::Code;

    fn reply(status: u16, body: &str) -> Result<HttpResponse, Error> {
        Ok(HttpResponse { status, body: body.into(), error_type: None, date_s: 0 })
    }

    #[test]
    fn one_policy_for_every_endpoint() {
        let init = api(HttpRequest { url: "https://x/".into(), operation: "InitiateAuth", body: "{}".into() });
        assert_eq!(init.http.headers[1].1, "AWSCognitoIdentityProviderService.InitiateAuth");
        let throttled = reply(400, r#"{"__type":"TooManyRequestsException","message":"m"}"#);
        assert_eq!(retry_after(&init, 1, &throttled, 201), Some(0));
        assert_eq!(retry_after(&init, 1, &throttled, 150), Some(150));
        assert_eq!(retry_after(&init, 2, &reply(500, ""), 399), Some(399));
        assert_eq!(retry_after(&init, 3, &reply(500, ""), 1), None, "three tries at most");
        assert_eq!(retry_after(&init, 1, &Err(Error::new(Code::Network, "x")), 7), Some(7));
        assert_eq!(retry_after(&init, 1, &reply(400, r#"{"__type":"NotAuthorizedException"}"#), 7), None);
        assert_eq!(retry_after(&init, 1, &reply(200, "{}"), 7), None);
        let respond =
            api(HttpRequest { url: "https://x/".into(), operation: "RespondToAuthChallenge", body: "{}".into() });
        assert_eq!(retry_after(&respond, 1, &throttled, 7), None, "one-time answers are never repeated");
        let token = form(
            FormRequest {
                url: "https://d/oauth2/token".into(),
                body: "a=b".into(),
                authorization: Some("Basic x".into()),
            },
            "/oauth2/token",
        );
        assert_eq!(token.http.headers.len(), 2);
        assert_eq!(retry_after(&token, 1, &reply(503, "<html>"), 9), Some(9));
        assert_eq!(retry_after(&token, 1, &reply(400, r#"{"error":"invalid_grant"}"#), 9), None);
        let revoke = form(
            FormRequest { url: "https://d/oauth2/revoke".into(), body: "a=b".into(), authorization: None },
            "/oauth2/revoke",
        );
        assert_eq!(retry_after(&revoke, 1, &reply(503, ""), 9), None);
    }
}
