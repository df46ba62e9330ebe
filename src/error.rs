//! The one error type of the library.
//!
//! `code` is what callers branch on: the Cognito exception name as the service sent it
//! (`NotAuthorizedException`, …) or one of the library's own codes. Messages are written
//! for developers and never contain a password, token, key or SRP value.
#![forbid(unsafe_code)]

use alloc::string::String;
#[cfg(test)]
use alloc::string::ToString;

/// What went wrong, as a code a program can act on.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Code {
    /// An exception returned by Cognito, by name (the part after any `namespace#`).
    Service(String),
    /// The request did not get an HTTP response (offline, DNS, CORS, refused).
    Network,
    /// The reply does not follow the protocol: unparsable body, missing fields, SRP
    /// values a correct server never sends, tokens that do not belong to this client.
    InvalidResponse,
    /// The caller's input was rejected before anything was sent.
    InvalidInput,
    /// Browser storage threw; the library kept going with memory.
    StorageUnavailable,
    /// `crypto.getRandomValues` was unavailable.
    RandomUnavailable,
    /// A hosted-UI callback does not belong to the sign-in in progress: no attempt pending
    /// (already handled, another tab), `state` missing or different, or expired.
    InvalidState,
    /// An ID token failed verification: signature, `kid`, `iss`, `aud`, `token_use`, `exp`
    /// or `nonce`.
    InvalidIdToken,
    /// The operation needs a signed-in user and there is no session.
    NotSignedIn,
    /// Passkeys cannot be used here: no WebAuthn API (`PublicKeyCredential`,
    /// `navigator.credentials`), not a secure context, or `NotSupportedError` from the browser.
    PasskeyNotSupported,
    /// The browser's `NotAllowedError`: the user cancelled or timed out, user verification
    /// failed, or no authenticator holds an allowed credential.
    PasskeyCancelled,
    /// The browser's `InvalidStateError` at registration: this authenticator already holds a
    /// passkey of the user (`excludeCredentials`).
    PasskeyAlreadyRegistered,
    /// The browser's `SecurityError`: the relying-party id is not this page's domain (or the
    /// page is not a secure context).
    PasskeyRpMismatch,
    /// The browser's `AbortError`: the ceremony was aborted.
    PasskeyAborted,
    /// Any other WebAuthn failure (an unexpected exception, or a credential without the
    /// fields WebAuthn defines).
    PasskeyFailed,
    /// Cognito asked for a challenge this library cannot answer (one added after this
    /// release, or an admin-only one); the sign-in cannot go on.
    UnsupportedChallenge,
    // server: a token refused by a server's verification (`cognito-wasm/server`), one code
    // per reason (the browser's `verifyIdToken` answers `InvalidIdToken` for all of them).
    /// Not an RS256 JWS with a `kid` (three base64url parts of JSON, a 2048..4096-bit
    /// signature).
    #[cfg(feature = "server")]
    TokenMalformed,
    /// `iss` is not the user pool's: a token of another pool (or issuer).
    #[cfg(feature = "server")]
    TokenWrongIssuer,
    /// The `kid` is not in the pool's JWKS, fetched again once.
    #[cfg(feature = "server")]
    TokenUnknownKid,
    /// The RS256 signature does not verify with the pool's key.
    #[cfg(feature = "server")]
    TokenBadSignature,
    /// `token_use` is not the one asked for: an ID token given as an access token, or the
    /// other way round.
    #[cfg(feature = "server")]
    TokenWrongUse,
    /// Issued to another app client (`client_id` of an access token, `aud` of an ID token).
    #[cfg(feature = "server")]
    TokenWrongClient,
    /// `exp` has passed (beyond the leeway), or is missing.
    #[cfg(feature = "server")]
    TokenExpired,
    /// `nbf` is still ahead (beyond the leeway).
    #[cfg(feature = "server")]
    TokenNotYetValid,
}

impl Code {
    pub fn as_str(&self) -> &str {
        match self {
            Code::Service(s) => s,
            Code::Network => "NetworkError",
            Code::InvalidResponse => "InvalidResponse",
            Code::InvalidInput => "InvalidInput",
            Code::StorageUnavailable => "StorageUnavailable",
            Code::RandomUnavailable => "RandomUnavailable",
            Code::InvalidState => "InvalidState",
            Code::InvalidIdToken => "InvalidIdToken",
            Code::NotSignedIn => "NotSignedIn",
            Code::PasskeyNotSupported => "PasskeyNotSupported",
            Code::PasskeyCancelled => "PasskeyCancelled",
            Code::PasskeyAlreadyRegistered => "PasskeyAlreadyRegistered",
            Code::PasskeyRpMismatch => "PasskeyRpMismatch",
            Code::PasskeyAborted => "PasskeyAborted",
            Code::PasskeyFailed => "PasskeyFailed",
            Code::UnsupportedChallenge => "UnsupportedChallenge",
            // server
            #[cfg(feature = "server")]
            Code::TokenMalformed => "TokenMalformed",
            #[cfg(feature = "server")]
            Code::TokenWrongIssuer => "TokenWrongIssuer",
            #[cfg(feature = "server")]
            Code::TokenUnknownKid => "TokenUnknownKid",
            #[cfg(feature = "server")]
            Code::TokenBadSignature => "TokenBadSignature",
            #[cfg(feature = "server")]
            Code::TokenWrongUse => "TokenWrongUse",
            #[cfg(feature = "server")]
            Code::TokenWrongClient => "TokenWrongClient",
            #[cfg(feature = "server")]
            Code::TokenExpired => "TokenExpired",
            #[cfg(feature = "server")]
            Code::TokenNotYetValid => "TokenNotYetValid",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// HTTP status of the reply, when there was one.
    pub status: Option<u16>,
}

/// 5xx (the server failed) and 429 (Too Many Requests, whatever the body says).
fn retryable_status(status: u16) -> bool {
    status >= 500 || status == 429
}

impl Error {
    pub fn new(code: Code, message: &str) -> Error {
        // `codes-only` (the engine's wasm build): the library's own prose stays out of the
        // binary; callers branch on `code`, and the runner shows the code.
        #[cfg(feature = "codes-only")]
        let message = {
            let _ = message;
            String::new()
        };
        #[cfg(not(feature = "codes-only"))]
        let message = String::from(message);
        Error { code, message, status: None }
    }
    pub fn invalid_input(message: &str) -> Error {
        Error::new(Code::InvalidInput, message)
    }
    pub fn invalid_response(message: &str) -> Error {
        Error::new(Code::InvalidResponse, message)
    }
    pub fn with_status(mut self, status: u16) -> Error {
        self.status = Some(status);
        self
    }

    /// An error read from a reply carries that reply's HTTP status, a 200 included: an
    /// `InvalidResponse` or service error without one gets `status` (others, and errors
    /// that already have a status, are unchanged). Every reply parser ends with this.
    pub fn for_reply(mut self, status: u16) -> Error {
        if self.status.is_none() && matches!(self.code, Code::InvalidResponse | Code::Service(_)) {
            self.status = Some(status);
        }
        self
    }

    /// True when the same request may succeed later: network faults, server errors and
    /// throttling. A rejected password or refresh token is not retryable.
    pub fn retryable(&self) -> bool {
        match &self.code {
            Code::Network => true,
            Code::Service(s) => {
                matches!(
                    s.as_str(),
                    "TooManyRequestsException"
                        | "LimitExceededException"
                        | "InternalErrorException"
                        | "ServiceUnavailableException"
                        | "ThrottlingException"
                ) || self.status.is_some_and(retryable_status)
            }
            _ => self.status.is_some_and(retryable_status),
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn retryable_classification() {
        let svc = |c: &str, st| Error::new(Code::Service(c.into()), "m").with_status(st);
        assert!(svc("TooManyRequestsException", 400).retryable());
        assert!(svc("LimitExceededException", 400).retryable());
        assert!(svc("InternalErrorException", 500).retryable());
        assert!(!svc("NotAuthorizedException", 400).retryable());
        assert!(!svc("UserNotFoundException", 400).retryable());
        assert!(Error::new(Code::Network, "m").retryable());
        assert!(Error::invalid_response("m").with_status(502).retryable());
        assert!(!Error::invalid_response("m").with_status(200).retryable());
        assert!(!Error::invalid_input("m").retryable());
        // HTTP 429 is "too many requests" whatever the body says (an OAuth endpoint, a proxy).
        assert!(Error::invalid_response("m").with_status(429).retryable());
        assert!(svc("BrandNewException", 429).retryable());
        assert!(!svc("BrandNewException", 400).retryable());
        assert!(!Error::invalid_response("m").with_status(400).retryable());
        assert_eq!(svc("X", 400).to_string(), "X: m");
    }

    /// A reply that is a JSON object but lacks what the call needs is `InvalidResponse`
    /// with the reply's status — 200 here — from every parser, the same as a non-JSON 200
    /// and as an error reply (issue 13: some paths used to drop the status).
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_reply_error_carries_the_status() {
        use crate::flow::{Password, SignIn};
        use crate::protocol::HttpResponse;
        use crate::session::tests::{emulator_config, tokens};
        let c = emulator_config();
        let reply = |status: u16, body: &str| HttpResponse { status, body: body.into(), error_type: None, date_s: 0 };
        let sign_in = || SignIn::start_password(&c, None, "bob", Password::new("pw"), &[]).unwrap().0;
        let old =
            crate::session::Session::from_tokens(&c, tokens(1_700_000_000, "bob"), None, 1_700_000_000_000).unwrap();
        let idc = crate::identity::IdentityConfig::new("us-east-1:0000-1111", Some("http://127.0.0.1:9229/")).unwrap();
        for (status, body) in [
            (200, "{}"),
            (200, "not json"),
            (201, r#"{"AuthenticationResult":{"AccessToken":"x"}}"#),
            (400, "{}"),
            (503, "<html>"),
        ] {
            let r = reply(status, body);
            let errs: Vec<(&str, Error)> = vec![
                ("sign-in", sign_in().handle(&r, 0).unwrap_err()),
                ("refresh", crate::refresh::parse_user_pool_reply(&c, &old, &r, 0).unwrap_err()),
                ("oauth refresh", crate::refresh::parse_oauth_reply(&c, &old, &r, 0).unwrap_err()),
                ("token", crate::oauth::parse_token_reply(&r).err().unwrap()),
                ("GetUser", crate::account::parse_get_user(&r).unwrap_err()),
                ("SignUp", crate::account::parse_sign_up(&r).unwrap_err()),
                ("AssociateSoftwareToken", crate::account::parse_associate(&r).unwrap_err()),
                ("VerifySoftwareToken", crate::account::parse_verify_software_token(&r).unwrap_err()),
                ("StartWebAuthnRegistration", crate::passkey::parse_creation_options(&r).err().unwrap()),
                ("GetId", crate::identity::parse_get_id(&r).unwrap_err()),
                ("GetCredentialsForIdentity", crate::identity::parse_credentials(&r, 0).err().unwrap()),
                (
                    "identity flow",
                    crate::identity::CredentialsFlow::start(&idc, None, None).0.handle(&r, 0).err().unwrap(),
                ),
            ];
            for (what, e) in errs {
                assert_eq!(e.status, Some(status), "{what} with {status} {body:?}: {e}");
                if status < 300 {
                    assert!(
                        matches!(e.code, Code::InvalidResponse | Code::Service(_)),
                        "{what} with {status} {body:?}: {}",
                        e.code.as_str()
                    );
                }
            }
        }
        // Errors that are not about the reply get no status.
        assert_eq!(Error::invalid_input("m").for_reply(200).status, None);
        assert_eq!(Error::invalid_response("m").with_status(502).for_reply(200).status, Some(502));
    }
}
