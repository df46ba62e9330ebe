//! The hosted-UI callback URL: `parse_callback`, `check_callback` against a pending sign-in,
//! `state_matches` and `clean_callback_url`. Checks: no panic; the cleaned URL is stable
//! (cleaning it again changes nothing) and carries no OAuth reply any more.
#![no_main]
use cognito_wasm::oauth::{self, Callback, PendingSignIn, PkceVerifier};
use libfuzzer_sys::fuzz_target;

const NOW_MS: i64 = 1_700_000_000_000;

fn pending(state: &str) -> PendingSignIn {
    PendingSignIn {
        state: state.into(),
        nonce: "n".into(),
        verifier: PkceVerifier::from_random(&[7; oauth::VERIFIER_BYTES]),
        redirect_uri: "http://localhost:5173/callback".into(),
        app_state: None,
        created_ms: NOW_MS - 1000,
    }
}

fuzz_target!(|data: &[u8]| {
    let url = String::from_utf8_lossy(data);
    match oauth::parse_callback(&url) {
        Ok(Some(cb)) => {
            let state = cb.state().map(String::from);
            let is_code = matches!(cb, Callback::Code { .. });
            let r = oauth::check_callback(&pending(state.as_deref().unwrap_or("S")), cb, NOW_MS);
            match (&state, is_code) {
                (Some(_), true) => assert!(r.is_ok(), "a code with our own state was refused"),
                (Some(_), false) => assert!(r.is_err()),
                (None, _) => assert_eq!(r.unwrap_err().code.as_str(), "InvalidState"),
            }
            if let Some(s) = &state {
                assert!(oauth::state_matches(s, s));
            }
        }
        Ok(None) => {}
        Err(e) => assert_eq!(e.code.as_str(), "InvalidState"),
    }
    let clean = oauth::clean_callback_url(&url);
    assert_eq!(oauth::clean_callback_url(&clean), clean, "cleaning is not idempotent");
    assert!(
        !matches!(oauth::parse_callback(&clean), Ok(Some(_))),
        "the cleaned URL {clean:?} still carries an OAuth reply"
    );
});
