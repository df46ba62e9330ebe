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
}
