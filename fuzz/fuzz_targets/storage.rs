//! Reading what storage holds, after anyone (another script, an old version, a user with
//! devtools) may have changed it: the session (`Session::load`), the remembered device,
//! the token source, and the pending hosted-UI sign-in with its PKCE verifier.
//!
//! Input: fields separated by 0x00 — username, ID-token claims, access-token claims,
//! refresh token, clock drift, device key, device group key, device password, token source,
//! pending-sign-in JSON. A claims field starting with `=` is stored as it is (a raw token);
//! otherwise it is wrapped into a JWT, so the claim checks are reached. Checks: no panic; a
//! loaded session is consistent with what was stored and stores back to the same entries.
#![no_main]
#[path = "common.rs"]
mod common;
use cognito_wasm::device;
use cognito_wasm::oauth::{PendingSignIn, PkceVerifier};
use cognito_wasm::refresh::TokenSource;
use cognito_wasm::session::{self, Session};
use common::*;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut f = text.split('\0');
    let mut next = || f.next().map(String::from);
    let (user, id, access, refresh, drift) = (next(), next(), next(), next(), next());
    let (dkey, dgroup, dpass, source, pending) = (next(), next(), next(), next(), next());
    let as_token = |c: String| c.strip_prefix('=').map(String::from).unwrap_or_else(|| token(&c));

    let mut store: HashMap<String, String> = HashMap::new();
    let username = user.clone().unwrap_or_default();
    let mut put = |field: &str, v: Option<String>| {
        if let Some(v) = v {
            store.insert(session::user_key(CLIENT, &username, field), v);
        }
    };
    put("idToken", id.map(as_token));
    put("accessToken", access.map(as_token));
    put("refreshToken", refresh);
    put("clockDrift", drift);
    put("tokenSource", source);
    if let Some(u) = &user {
        store.insert(session::last_user_key(CLIENT), u.clone());
    }
    let [k, g, p] = device::device_storage_keys(CLIENT, &username);
    for (key, v) in [(k, dkey), (g, dgroup), (p, dpass)] {
        if let Some(v) = v {
            store.insert(key, v);
        }
    }
    let get = |k: &str| store.get(k).cloned();

    if let Some(s) = Session::load(&config(), get) {
        assert_eq!(Some(&s.username), user.as_ref());
        assert!(!s.username.is_empty());
        let _ = (s.expires_at_ms(), cognito_wasm::refresh::decide(&s, NOW_MS, 300));
        // Stored back, it reads back the same (a drift that did not parse reads as 0).
        let entries: HashMap<String, String> = s.to_entries(CLIENT).into_iter().collect();
        let again =
            Session::load(&config(), |k: &str| entries.get(k).cloned()).expect("a stored session does not load");
        assert_eq!(
            (&again.username, &again.id_token, &again.access_token),
            (&s.username, &s.id_token, &s.access_token)
        );
        assert_eq!(
            (&again.refresh_token, again.clock_drift, again.access_exp),
            (&s.refresh_token, s.clock_drift, s.access_exp)
        );
    }
    if let Some(d) = device::load_device(CLIENT, &username, get) {
        let entries = device::device_entries(CLIENT, &d);
        assert_eq!(entries.len(), 3);
    }
    let _ = device::device_key(CLIENT, &username, get);
    let src = TokenSource::parse(get(&TokenSource::key(CLIENT, &username)).as_deref());
    assert_eq!(TokenSource::parse(Some(src.as_str())), src);
    if let Some(text) = pending {
        if let Some(p) = PendingSignIn::from_json(&text) {
            let back = PendingSignIn::from_json(&p.to_json()).expect("a stored pending sign-in does not read back");
            assert_eq!(
                (&back.state, &back.nonce, &back.redirect_uri, &back.app_state),
                (&p.state, &p.nonce, &p.redirect_uri, &p.app_state)
            );
            assert_eq!(back.verifier.expose(), p.verifier.expose());
            assert_eq!(back.created_ms, p.created_ms.max(0));
        }
        if let Some(v) = PkceVerifier::from_stored(&text) {
            assert_eq!(v.challenge().len(), 43);
        }
    }
});
