//! JWT decoding (`jwt::decode`, `idtoken::parse_signed`, the ID-token claim checks) and the
//! JWKS reader. The first byte picks how the rest is used: as a whole token, or as the
//! header and claims JSON of a token built around them (so the claim checks are reached
//! without the fuzzer having to find base64url first), or as a JWKS document.
#![no_main]
use cognito_wasm::encoding::base64url_encode;
use cognito_wasm::{idtoken, jwt};
use libfuzzer_sys::fuzz_target;

const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";
const ISS_LOCAL: &str = "http://127.0.0.1:9229/us-east-1_EmuPool01";

fn check(token: &str) {
    let decoded = jwt::decode(token);
    if let Some(j) = &decoded {
        let _ = (j.str_claim("sub"), j.int_claim("exp"), j.int_claim("iat"));
        assert!(j.header.as_obj().is_some() && j.claims.as_obj().is_some());
    }
    match idtoken::parse_signed(token) {
        Ok(s) => {
            assert!(decoded.is_some(), "parse_signed accepts what decode rejects");
            assert!((256..=512).contains(&s.signature.len()));
            assert!(token.as_bytes().starts_with(s.signing_input));
            // Cognito's own issuer, and the `{endpoint}/{poolId}` one a custom endpoint adds.
            let issuers = [ISS.to_string(), ISS_LOCAL.to_string()];
            for nonce in [None, Some("n-1")] {
                let expected = idtoken::Expected {
                    issuers: &issuers,
                    client_id: "client",
                    nonce,
                    now_s: 1_700_000_000,
                    leeway_s: 300,
                };
                let _ = idtoken::check_claims(&s.jwt, &expected);
            }
        }
        Err(e) => assert_eq!(e.code.as_str(), "InvalidIdToken"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match mode % 3 {
        0 => check(&text),
        1 => {
            // header \n claims, signature of RSA-2048 length.
            let (h, c) = text.split_once('\n').unwrap_or((r#"{"alg":"RS256","kid":"k"}"#, &text));
            let token = format!(
                "{}.{}.{}",
                base64url_encode(h.as_bytes()),
                base64url_encode(c.as_bytes()),
                base64url_encode(&[7u8; 256])
            );
            check(&token);
        }
        _ => {
            if let Ok(jwks) = idtoken::parse_jwks(&text) {
                for k in &jwks.keys {
                    assert_eq!(jwks.find(&k.kid).map(|f| f.kid.as_str()), Some(k.kid.as_str()));
                }
            }
        }
    }
});
