//! Decoding (not verifying) the JWTs Cognito issues, to read their claims.
//! Signature checks against the pool's JWKS belong to the hosted-UI work.
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::encoding::{base64url_decode, cut};
use crate::json::{self, Json};

/// A decoded JWT: the header and payload as JSON, and the payload's text.
pub struct Jwt {
    pub header: Json,
    pub claims: Json,
    /// The payload's JSON text, handed to JavaScript as is.
    pub claims_text: String,
}

/// Splits `header.payload.signature`, base64url-decodes the first two and parses them.
/// `None` when the token is not a well-formed JWS compact serialization with JSON objects.
pub fn decode(token: &str) -> Option<Jwt> {
    // Exactly two dots, found on bytes (no `str` searcher in the wasm).
    let (h, rest) = cut(token, b'.')?;
    let (p, s) = cut(rest, b'.')?;
    if cut(s, b'.').is_some() || s.is_empty() {
        return None;
    }
    base64url_decode(s)?;
    let header_text = crate::utf8::string(base64url_decode(h)?)?;
    let claims_text = crate::utf8::string(base64url_decode(p)?)?;
    let header = json::parse(&header_text)?;
    let claims = json::parse(&claims_text)?;
    header.as_obj()?;
    claims.as_obj()?;
    Some(Jwt { header, claims, claims_text })
}

impl Jwt {
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.str_field(name)
    }
    pub fn int_claim(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Json::as_i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64url_encode;

    pub(crate) fn make(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.{}",
            base64url_encode(header.as_bytes()),
            base64url_encode(claims.as_bytes()),
            base64url_encode(b"sig")
        )
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decodes_claims() {
        let t = make(r#"{"alg":"RS256","kid":"k1"}"#, r#"{"sub":"abc","exp":1700000000,"token_use":"id"}"#);
        let j = decode(&t).unwrap();
        assert_eq!(j.header.str_field("kid"), Some("k1"));
        assert_eq!(j.str_claim("sub"), Some("abc"));
        assert_eq!(j.int_claim("exp"), Some(1_700_000_000));
        assert_eq!(j.claims_text, r#"{"sub":"abc","exp":1700000000,"token_use":"id"}"#);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rejects_malformed_tokens() {
        let good = make("{}", "{}");
        assert!(decode(&good).is_some());
        for bad in [
            String::new(),
            "a.b".into(),
            format!("{good}.x"),
            make("{}", "[]"),
            make("{}", "not json"),
            good.replace('.', "!."),
            format!("{}.", &good[..good.rfind('.').unwrap()]),
        ] {
            assert!(decode(&bad).is_none(), "{bad}");
        }
    }
}
