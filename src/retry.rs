//! Backoff for throttled or failed calls that are safe to repeat.
//!
//! TooManyRequestsException, LimitExceededException, 5xx replies and network failures are
//! retried with exponential backoff and full jitter, at most [`MAX_ATTEMPTS`] tries, but
//! only for operations where sending the same request twice cannot do harm: reads,
//! idempotent settings, and starting a sign-in. One-time answers (RespondToAuthChallenge,
//! ConfirmSignUp, ConfirmForgotPassword, VerifySoftwareToken, …) and operations that send a
//! message or create something (SignUp, ForgotPassword, …) are never repeated blindly: the
//! error goes to the app with `retryable` set so the user can decide.
#![forbid(unsafe_code)]

use crate::error::Error;

/// Tries per call, the first one included.
pub const MAX_ATTEMPTS: u32 = 3;
/// The first backoff window (ms); it doubles per retry up to [`MAX_DELAY_MS`].
pub const BASE_DELAY_MS: u32 = 200;
pub const MAX_DELAY_MS: u32 = 2_000;

/// Operations that may be sent again with the same body.
pub fn safe_to_repeat(operation: &str) -> bool {
    // Only the operations this build can send are listed (each with the feature that sends it).
    match operation {
        "InitiateAuth" => true,
        #[cfg(feature = "account")]
        "GetUser" | "SetUserMFAPreference" | "DeleteUserAttributes" => true,
        #[cfg(feature = "devices")]
        "GetDevice" | "ListDevices" | "UpdateDeviceStatus" | "ForgetDevice" => true,
        #[cfg(feature = "passkeys")]
        "ListWebAuthnCredentials" => true,
        _ => false,
    }
}

pub fn should_retry(operation: &str, attempt: u32, error: &Error) -> bool {
    attempt < MAX_ATTEMPTS && safe_to_repeat(operation) && error.retryable()
}

/// How long to wait after failed try `attempt` (1-based): uniform in
/// `[0, min(MAX_DELAY_MS, BASE_DELAY_MS · 2^(attempt−1))]` ("full jitter"), from a random
/// `u32` the caller draws.
pub fn backoff_ms(attempt: u32, random: u32) -> u32 {
    let shift = attempt.saturating_sub(1).min(16);
    let window = BASE_DELAY_MS.saturating_mul(1 << shift).min(MAX_DELAY_MS);
    random % (window + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn svc(code: &str, status: u16) -> Error {
        Error::new(Code::Service(code.into()), "m").with_status(status)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn policy() {
        let throttled = svc("TooManyRequestsException", 400);
        assert!(should_retry("GetUser", 1, &throttled));
        assert!(should_retry("GetUser", 2, &throttled));
        assert!(!should_retry("GetUser", 3, &throttled));
        assert!(should_retry("InitiateAuth", 1, &svc("LimitExceededException", 400)));
        assert!(should_retry("ListDevices", 1, &Error::invalid_response("x").with_status(503)));
        assert!(should_retry("ListWebAuthnCredentials", 1, &throttled));
        assert!(should_retry("GetUser", 1, &Error::new(Code::Network, "offline")));
        // Not safe to repeat: one-time codes, answers, messages.
        for op in [
            "CompleteWebAuthnRegistration",
            "ConfirmSignUp",
            "RespondToAuthChallenge",
            "SignUp",
            "ForgotPassword",
            "ConfirmForgotPassword",
            "VerifySoftwareToken",
            "ChangePassword",
        ] {
            assert!(!should_retry(op, 1, &throttled), "{op}");
        }
        // Not retryable errors.
        assert!(!should_retry("GetUser", 1, &svc("NotAuthorizedException", 400)));
        assert!(!should_retry("GetUser", 1, &Error::invalid_input("x")));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn backoff_windows() {
        assert_eq!(backoff_ms(1, u32::MAX), u32::MAX % 201);
        assert_eq!(backoff_ms(1, 200), 200);
        assert_eq!(backoff_ms(1, 201), 0);
        assert_eq!(backoff_ms(2, 400), 400);
        assert_eq!(backoff_ms(2, 401), 0);
        assert_eq!(backoff_ms(3, 800), 800);
        assert_eq!(backoff_ms(5, 2_000), 2_000);
        assert_eq!(backoff_ms(40, 2_001), 0);
        assert_eq!(backoff_ms(0, 7), 7);
        for a in 1..10 {
            for r in [0, 1, 12345, u32::MAX] {
                assert!(backoff_ms(a, r) <= MAX_DELAY_MS);
            }
        }
    }
}
