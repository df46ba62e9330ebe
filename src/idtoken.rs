//! ID-token validation: RS256 signature against the pool's JWKS, and the claims
//! (`iss`, `aud`, `token_use`, `exp` with a small leeway, `nonce`).
//!
//! The RSA arithmetic is not here: [`verify`] asks its [`KeySource`] to check the
//! signature (the web layer uses WebCrypto's `RSASSA-PKCS1-v1_5`, so no RSA code ships in
//! the wasm). This module finds the key (`kid`), refetching the JWKS once when the `kid` is
//! unknown (key rotation), and extracts the exact signing input and signature bytes.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::base64url_decode;
use crate::error::{Code, Error};
use crate::json::{self, Json};
use crate::jwt::{self, Jwt};
use crate::protocol::ClientConfig;

/// Allowed clock difference for `exp`, in seconds.
pub const LEEWAY_S: i64 = 300;

/// Cognito's issuer for the pool: `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
/// Cognito puts it in every token whatever endpoint the client called (the default one, a
/// FIPS or VPC endpoint, a proxy).
pub fn aws_issuer(config: &ClientConfig) -> String {
    cognito_issuer(config, "https://cognito-idp.")
}

fn cognito_issuer(config: &ClientConfig, host: &str) -> String {
    let mut s = String::from(host);
    s.push_str(config.region());
    s.push_str(".amazonaws.com/");
    s.push_str(config.user_pool_id());
    s
}

/// Cognito's *updated* issuer for the pool, `https://issuer-cognito-idp.{region}.amazonaws.com/{poolId}`
/// (region: the pool's primary one, its ID's prefix): what a pool whose issuer configuration
/// is `UPDATED` puts in its tokens (AWS recommends it for every pool, and it is the one for
/// multi-Region replication; API reference, `IssuerConfigurationType`). aws-jwt-verify
/// accepts both formats for a pool ID too.
pub fn updated_issuer(config: &ClientConfig) -> String {
    cognito_issuer(config, "https://issuer-cognito-idp.")
}

fn endpoint_issuer(config: &ClientConfig) -> String {
    let mut s = String::from(crate::encoding::trim_end_byte(config.endpoint(), b'/'));
    s.push('/');
    s.push_str(config.user_pool_id());
    s
}

/// The `iss` values an ID token may carry: the `issuer` option alone when given; else
/// Cognito's issuer in both of its formats (original and updated, whichever the pool is
/// configured for), plus `{endpoint}/{poolId}` when a custom endpoint is set (what
/// cognito-local and similar emulators issue).
pub fn issuers(config: &ClientConfig) -> Vec<String> {
    if let Some(i) = config.issuer() {
        return alloc::vec![String::from(i)];
    }
    let mut v = alloc::vec![aws_issuer(config), updated_issuer(config)];
    if config.custom_endpoint() {
        v.push(endpoint_issuer(config));
    }
    v
}

/// `{endpoint}/{poolId}/.well-known/jwks.json`: Cognito serves the JWKS on the API's host
/// (`https://cognito-idp.{region}.amazonaws.com/…` by default), so it is fetched wherever the
/// API calls go.
pub fn jwks_url(config: &ClientConfig) -> String {
    let mut s = endpoint_issuer(config);
    s.push_str("/.well-known/jwks.json");
    s
}

/// One RSA public key of the JWKS (base64url `n` and `e`, as WebCrypto's JWK import takes
/// them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    pub kid: String,
    pub n: String,
    pub e: String,
}

/// The pool's signing keys.
#[derive(Clone, Debug, Default)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// Parses `{"keys":[{"kty":"RSA","kid":..,"n":..,"e":..,"alg":"RS256","use":"sig"}]}`,
/// keeping the RSA signature keys (a missing `alg`/`use` is accepted).
pub fn parse_jwks(text: &str) -> Result<Jwks, Error> {
    let bad = || Error::invalid_response("the user pool's JWKS is not a JSON Web Key Set");
    let doc = json::parse(text).ok_or_else(bad)?;
    let Some(Json::Arr(items)) = doc.get("keys") else { return Err(bad()) };
    let mut keys = Vec::new();
    for k in items {
        let usable = k.str_field("kty") == Some("RSA")
            && k.str_field("alg").is_none_or(|a| a == "RS256")
            && k.str_field("use").is_none_or(|u| u == "sig");
        if let (true, Some(kid), Some(n), Some(e)) = (usable, k.str_field("kid"), k.str_field("n"), k.str_field("e")) {
            if base64url_decode(n).is_some() && base64url_decode(e).is_some() {
                keys.push(Jwk { kid: String::from(kid), n: String::from(n), e: String::from(e) });
            }
        }
    }
    Ok(Jwks { keys })
}

fn invalid(message: &str) -> Error {
    Error::new(Code::InvalidIdToken, message)
}

/// A JWS split for verification.
pub struct SignedJwt<'a> {
    pub jwt: Jwt,
    pub kid: String,
    /// `base64url(header) "." base64url(payload)`: the bytes RS256 signs.
    pub signing_input: &'a [u8],
    pub signature: Vec<u8>,
}

/// Decodes `token` and checks that it is an RS256 JWS with a `kid`.
pub fn parse_signed(token: &str) -> Result<SignedJwt<'_>, Error> {
    let jwt = jwt::decode(token).ok_or_else(|| invalid("the ID token is not a well-formed JWT"))?;
    if jwt.header.str_field("alg") != Some("RS256") {
        return Err(invalid("the ID token is not signed with RS256"));
    }
    let kid = String::from(jwt.header.str_field("kid").ok_or_else(|| invalid("the ID token has no kid"))?);
    // On bytes and with `get`: a `str` split that could panic would bring the formatting
    // panic path into the wasm.
    let b = token.as_bytes();
    let dot = b.iter().rposition(|&c| c == b'.').ok_or_else(|| invalid("the ID token is not a well-formed JWT"))?;
    let input = b.get(..dot).unwrap_or_default();
    let signature = base64url_decode(token.get(dot + 1..).unwrap_or(""))
        .ok_or_else(|| invalid("the ID token's signature is not base64url"))?;
    // RSA-2048 .. RSA-4096 signatures.
    if !(256..=512).contains(&signature.len()) {
        return Err(invalid("the ID token's signature has the wrong length"));
    }
    Ok(SignedJwt { jwt, kid, signing_input: input, signature })
}

/// What a valid ID token must say.
pub struct Expected<'a> {
    /// `iss` must be one of these (see [`issuers`]).
    pub issuers: &'a [String],
    pub client_id: &'a str,
    /// The `nonce` sent in the authorize request (hosted-UI sign-ins).
    pub nonce: Option<&'a str>,
    /// Local clock, seconds since the epoch.
    pub now_s: i64,
    pub leeway_s: i64,
}

/// Checks the claims of an ID token.
pub fn check_claims(jwt: &Jwt, expected: &Expected<'_>) -> Result<(), Error> {
    if !jwt.str_claim("iss").is_some_and(|iss| expected.issuers.iter().any(|i| i == iss)) {
        return Err(invalid("the ID token was issued by another user pool (iss)"));
    }
    if jwt.str_claim("aud") != Some(expected.client_id) {
        return Err(invalid("the ID token was issued to another app client (aud)"));
    }
    if jwt.str_claim("token_use") != Some("id") {
        return Err(invalid("the token is not an ID token (token_use)"));
    }
    match jwt.int_claim("exp") {
        Some(exp) if expected.now_s <= exp.saturating_add(expected.leeway_s) => {}
        Some(_) => return Err(invalid("the ID token has expired (exp)")),
        None => return Err(invalid("the ID token has no exp")),
    }
    if let Some(nonce) = expected.nonce {
        if jwt.str_claim("nonce") != Some(nonce) {
            return Err(invalid("the ID token's nonce does not match this sign-in"));
        }
    }
    Ok(())
}

/// The token a server expects (`cognito-wasm/server`): its `token_use`.
#[cfg(feature = "server")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenUse {
    Id,
    Access,
}

#[cfg(feature = "server")]
impl TokenUse {
    pub fn parse(s: &str) -> Option<TokenUse> {
        match s {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }
}

/// A server's first check, on the token as it came (before any key is looked up): `iss` is
/// one of `issuers`, so a token of another pool costs no JWKS fetch (aws-jwt-verify also
/// checks the issuer before it fetches keys).
#[cfg(feature = "server")]
pub fn check_server_issuer(jwt: &Jwt, issuers: &[String]) -> Result<(), Error> {
    if !jwt.str_claim("iss").is_some_and(|iss| issuers.iter().any(|i| i == iss)) {
        return Err(Error::new(Code::TokenWrongIssuer, "the token was issued by another user pool (iss)"));
    }
    Ok(())
}

/// A server's checks after the signature, each with its own code: `token_use`, then the
/// app client (`client_id` of an access token, `aud` of an ID token: Cognito's access tokens
/// have no `aud`), then `exp` (required) and `nbf` (when present), both with `leeway_s`.
#[cfg(feature = "server")]
pub fn check_server_claims(
    jwt: &Jwt,
    token_use: TokenUse,
    client_id: &str,
    now_s: i64,
    leeway_s: i64,
) -> Result<(), Error> {
    if jwt.str_claim("token_use") != Some(token_use.as_str()) {
        let m = match token_use {
            TokenUse::Access => "the token is not an access token (token_use)",
            TokenUse::Id => "the token is not an ID token (token_use)",
        };
        return Err(Error::new(Code::TokenWrongUse, m));
    }
    let (claim, m) = match token_use {
        TokenUse::Access => ("client_id", "the token was issued to another app client (client_id)"),
        TokenUse::Id => ("aud", "the token was issued to another app client (aud)"),
    };
    if jwt.str_claim(claim) != Some(client_id) {
        return Err(Error::new(Code::TokenWrongClient, m));
    }
    match jwt.int_claim("exp") {
        Some(exp) if now_s <= exp.saturating_add(leeway_s) => {}
        Some(_) => return Err(Error::new(Code::TokenExpired, "the token has expired (exp)")),
        None => return Err(Error::new(Code::TokenExpired, "the token has no exp")),
    }
    match jwt.claims.get("nbf") {
        None => {}
        Some(v) => match v.as_i64() {
            Some(nbf) if nbf.saturating_sub(leeway_s) <= now_s => {}
            _ => return Err(Error::new(Code::TokenNotYetValid, "the token is not valid yet (nbf)")),
        },
    }
    Ok(())
}

/// Where keys come from and how signatures are checked. The web layer caches the JWKS in
/// the client, fetches it with `fetch` and verifies with WebCrypto.
#[allow(async_fn_in_trait)]
pub trait KeySource {
    /// The cached key with this `kid`, if the JWKS was fetched and has it.
    async fn cached_key(&self, kid: &str) -> Option<Jwk>;
    /// Fetches the JWKS again and replaces the cache.
    async fn refetch(&self) -> Result<(), Error>;
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    async fn verify_rs256(&self, key: &Jwk, data: &[u8], signature: &[u8]) -> Result<bool, Error>;
}

/// Verifies an ID token: signature (the JWKS is fetched when the `kid` is not cached — at
/// most once per call, so a rotated key is found and a bogus `kid` costs one fetch), then
/// the claims. Returns the decoded token.
pub async fn verify<K: KeySource>(keys: &K, token: &str, expected: &Expected<'_>) -> Result<Jwt, Error> {
    let signed = parse_signed(token)?;
    let key = match keys.cached_key(&signed.kid).await {
        Some(k) => k,
        None => {
            keys.refetch().await?;
            keys.cached_key(&signed.kid)
                .await
                .ok_or_else(|| invalid("the ID token's kid is not in the user pool's JWKS"))?
        }
    };
    if !keys.verify_rs256(&key, signed.signing_input, &signed.signature).await? {
        return Err(invalid("the ID token's signature is not valid"));
    }
    check_claims(&signed.jwt, expected)?;
    Ok(signed.jwt)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::encoding::base64url_encode;
    use crate::oauth::tests::block_on;
    use crate::session::tests::{CLIENT, POOL};
    use core::cell::{Cell, RefCell};
    use sha2::{Digest, Sha256};

    pub const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";
    /// The same pool's issuer in Cognito's updated format (`IssuerConfigurationType` UPDATED).
    pub const UPDATED_ISS: &str = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01";

    /// A stand-in signature scheme for pure tests: the "signature" of `data` under key `n`
    /// is SHA-256(n ‖ data) repeated to 256 bytes. Real RSA is tested natively against the
    /// emulator's signer and in the browser against WebCrypto.
    pub struct FakeKeys {
        /// What the JWKS endpoint serves now.
        pub published: RefCell<Vec<String>>,
        cache: RefCell<Option<Jwks>>,
        pub fetches: Cell<u32>,
    }

    fn fake_sig(n: &str, data: &[u8]) -> Vec<u8> {
        let d = Sha256::new().chain_update(n.as_bytes()).chain_update(data).finalize();
        d.iter().copied().cycle().take(256).collect()
    }

    fn n_of(kid: &str) -> String {
        base64url_encode(format!("modulus-of-{kid}").as_bytes())
    }

    impl FakeKeys {
        pub fn new(kids: &[&str]) -> FakeKeys {
            FakeKeys {
                published: RefCell::new(kids.iter().map(|k| k.to_string()).collect()),
                cache: RefCell::new(None),
                fetches: Cell::new(0),
            }
        }
        pub fn jwks_text(&self) -> String {
            let keys: Vec<String> = self
                .published
                .borrow()
                .iter()
                .map(|kid| {
                    format!(r#"{{"kty":"RSA","alg":"RS256","use":"sig","kid":"{kid}","n":"{}","e":"AQAB"}}"#, n_of(kid))
                })
                .collect();
            format!(r#"{{"keys":[{}]}}"#, keys.join(","))
        }
        pub fn sign(&self, kid: &str, claims: &str) -> String {
            let input = format!(
                "{}.{}",
                base64url_encode(format!(r#"{{"kid":"{kid}","alg":"RS256"}}"#).as_bytes()),
                base64url_encode(claims.as_bytes())
            );
            let sig = fake_sig(&n_of(kid), input.as_bytes());
            format!("{input}.{}", base64url_encode(&sig))
        }
    }

    impl KeySource for FakeKeys {
        async fn cached_key(&self, kid: &str) -> Option<Jwk> {
            self.cache.borrow().as_ref()?.find(kid).cloned()
        }
        async fn refetch(&self) -> Result<(), Error> {
            self.fetches.set(self.fetches.get() + 1);
            *self.cache.borrow_mut() = Some(parse_jwks(&self.jwks_text())?);
            Ok(())
        }
        async fn verify_rs256(&self, key: &Jwk, data: &[u8], sig: &[u8]) -> Result<bool, Error> {
            Ok(fake_sig(&key.n, data) == sig)
        }
    }

    const NOW: i64 = 1_700_000_000;

    fn claims(iss: &str, aud: &str, token_use: &str, exp: i64, nonce: &str) -> String {
        format!(
            r#"{{"sub":"s","iss":"{iss}","aud":"{aud}","token_use":"{token_use}","iat":{},"exp":{exp},"nonce":"{nonce}"}}"#,
            exp - 3600
        )
    }

    fn expected(nonce: Option<&str>) -> Expected<'_> {
        // A few bytes leaked per call: tests only.
        let issuers: &'static [String] = Vec::leak(alloc::vec![String::from(ISS)]);
        Expected { issuers, client_id: CLIENT, nonce, now_s: NOW, leeway_s: LEEWAY_S }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn issuer_and_jwks_url() {
        let aws = ClientConfig::new(POOL, CLIENT, None).unwrap();
        assert_eq!(issuers(&aws), [ISS, UPDATED_ISS]);
        assert_eq!(
            jwks_url(&aws),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01/.well-known/jwks.json"
        );
        // The default endpoint spelt out is not custom.
        let spelt = ClientConfig::new(POOL, CLIENT, Some("https://cognito-idp.us-east-1.amazonaws.com")).unwrap();
        assert_eq!(issuers(&spelt), [ISS, UPDATED_ISS]);
        // A custom endpoint (emulator, FIPS, VPC endpoint, proxy): Cognito's issuer stays
        // accepted (Cognito issues it whatever URL was called), `{endpoint}/{poolId}` too;
        // the JWKS comes from the endpoint's host.
        let emu = ClientConfig::new(POOL, CLIENT, Some("http://127.0.0.1:9229/")).unwrap();
        assert_eq!(issuers(&emu), [ISS, UPDATED_ISS, "http://127.0.0.1:9229/us-east-1_EmuPool01"]);
        assert_eq!(jwks_url(&emu), "http://127.0.0.1:9229/us-east-1_EmuPool01/.well-known/jwks.json");
        let fips = ClientConfig::new(POOL, CLIENT, Some("https://cognito-idp-fips.us-east-1.amazonaws.com/")).unwrap();
        assert_eq!(
            issuers(&fips),
            [ISS, UPDATED_ISS, "https://cognito-idp-fips.us-east-1.amazonaws.com/us-east-1_EmuPool01"]
        );
        assert_eq!(
            jwks_url(&fips),
            "https://cognito-idp-fips.us-east-1.amazonaws.com/us-east-1_EmuPool01/.well-known/jwks.json"
        );
        let other_region =
            ClientConfig::new(POOL, CLIENT, Some("https://cognito-idp.eu-west-1.amazonaws.com/")).unwrap();
        assert!(other_region.custom_endpoint());
        // The `issuer` option overrides both.
        let custom = emu.clone().with_issuer(Some("https://auth.example.com/pool/")).unwrap();
        assert_eq!(issuers(&custom), ["https://auth.example.com/pool"]);
        assert_eq!(jwks_url(&custom), "http://127.0.0.1:9229/us-east-1_EmuPool01/.well-known/jwks.json");
        for bad in ["http://auth.example.com/p", "ftp://x.example/p", "https://a b/c", "https://"] {
            assert_eq!(emu.clone().with_issuer(Some(bad)).err().unwrap().code, Code::InvalidInput, "{bad}");
        }
        assert!(emu.clone().with_issuer(Some("http://localhost:9229/us-east-1_EmuPool01")).is_ok());
    }

    /// Cognito behind a custom endpoint: its tokens carry Cognito's `iss`, which verifies;
    /// the endpoint style verifies too; any other issuer does not.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn custom_endpoint_accepts_cognitos_issuer() {
        let keys = FakeKeys::new(&["k1"]);
        let emu =
            ClientConfig::new(POOL, CLIENT, Some("https://vpce-1.cognito-idp.us-east-1.vpce.amazonaws.com/")).unwrap();
        let accepted = issuers(&emu);
        let exp = Expected { issuers: &accepted, client_id: CLIENT, nonce: None, now_s: NOW, leeway_s: LEEWAY_S };
        let local = format!("https://vpce-1.cognito-idp.us-east-1.vpce.amazonaws.com/{POOL}");
        for iss in [ISS, UPDATED_ISS, local.as_str()] {
            assert!(
                block_on(verify(&keys, &keys.sign("k1", &claims(iss, CLIENT, "id", NOW + 10, "n")), &exp)).is_ok(),
                "{iss}"
            );
        }
        for iss in [
            "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_EmuPool01",
            // The updated format names the pool's primary region, nothing else.
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/us-east-1_EmuPool01",
            "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
            "http://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_EmuPool01",
            "https://evil.example/us-east-1_EmuPool01",
        ] {
            let e = block_on(verify(&keys, &keys.sign("k1", &claims(iss, CLIENT, "id", NOW + 10, "n")), &exp))
                .err()
                .unwrap();
            assert!(e.message.contains("iss"), "{iss}");
        }
        // With the `issuer` option, only that one.
        let only = emu.with_issuer(Some("https://auth.example.com/p")).unwrap();
        let accepted = issuers(&only);
        let exp = Expected { issuers: &accepted, client_id: CLIENT, nonce: None, now_s: NOW, leeway_s: LEEWAY_S };
        assert!(block_on(verify(
            &keys,
            &keys.sign("k1", &claims("https://auth.example.com/p", CLIENT, "id", NOW + 10, "n")),
            &exp
        ))
        .is_ok());
        assert!(block_on(verify(&keys, &keys.sign("k1", &claims(ISS, CLIENT, "id", NOW + 10, "n")), &exp)).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn jwks_parsing() {
        let j = parse_jwks(
            r#"{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","alg":"RS256","use":"sig"},
            {"kty":"EC","kid":"b","crv":"P-256","x":"AA","y":"AA"},
            {"kty":"RSA","kid":"c","n":"AQAB","e":"AQAB","alg":"RS512"},
            {"kty":"RSA","kid":"d","n":"AQAB","e":"AQAB","use":"enc"},
            {"kty":"RSA","kid":"e","n":"!!","e":"AQAB"},
            {"kty":"RSA","kid":"f","n":"AQAB","e":"AQAB"}]}"#,
        )
        .unwrap();
        let kids: Vec<&str> = j.keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["a", "f"]);
        assert_eq!(j.find("f").unwrap().n, "AQAB");
        assert!(j.find("b").is_none());
        for bad in ["", "[]", r#"{"keys":{}}"#, r#"{"nokeys":[]}"#] {
            assert_eq!(parse_jwks(bad).err().unwrap().code, Code::InvalidResponse, "{bad}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn signing_input_and_signature_bytes() {
        let keys = FakeKeys::new(&["k1"]);
        let t = keys.sign("k1", r#"{"a":1}"#);
        let s = parse_signed(&t).unwrap();
        assert_eq!(s.kid, "k1");
        assert_eq!(s.signing_input, b"eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJhIjoxfQ");
        assert_eq!(s.signature.len(), 256);
        let hs = format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"HS256","kid":"k1"}"#),
            base64url_encode(b"{}"),
            base64url_encode(&[0; 256])
        );
        assert_eq!(parse_signed(&hs).err().unwrap().code, Code::InvalidIdToken);
        let none = format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"none","kid":"k1"}"#),
            base64url_encode(b"{}"),
            base64url_encode(&[0; 256])
        );
        assert_eq!(parse_signed(&none).err().unwrap().code, Code::InvalidIdToken);
        let nokid = format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"RS256"}"#),
            base64url_encode(b"{}"),
            base64url_encode(&[0; 256])
        );
        assert_eq!(parse_signed(&nokid).err().unwrap().code, Code::InvalidIdToken);
        let short = format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"RS256","kid":"k"}"#),
            base64url_encode(b"{}"),
            base64url_encode(&[0; 64])
        );
        assert_eq!(parse_signed(&short).err().unwrap().code, Code::InvalidIdToken);
        assert_eq!(parse_signed("a.b.c").err().unwrap().code, Code::InvalidIdToken);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn claim_checks() {
        let keys = FakeKeys::new(&["k1"]);
        let ok = |c: &str, n: Option<&str>| block_on(verify(&keys, &keys.sign("k1", c), &expected(n)));
        assert!(ok(&claims(ISS, CLIENT, "id", NOW + 10, "n1"), Some("n1")).is_ok());
        assert!(ok(&claims(ISS, CLIENT, "id", NOW + 10, "n1"), None).is_ok(), "nonce checked only when expected");
        // Expired, but within the leeway; then beyond it.
        assert!(ok(&claims(ISS, CLIENT, "id", NOW - LEEWAY_S, "n1"), Some("n1")).is_ok());
        let cases = [
            (
                claims("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other", CLIENT, "id", NOW + 10, "n1"),
                "iss",
            ),
            (claims(&format!("{ISS}/"), CLIENT, "id", NOW + 10, "n1"), "iss"),
            (claims(ISS, "otherclient", "id", NOW + 10, "n1"), "aud"),
            (claims(ISS, CLIENT, "access", NOW + 10, "n1"), "token_use"),
            (claims(ISS, CLIENT, "id", NOW - LEEWAY_S - 1, "n1"), "expired"),
            (claims(ISS, CLIENT, "id", NOW + 10, "n2"), "nonce"),
            (format!(r#"{{"iss":"{ISS}","aud":"{CLIENT}","token_use":"id","nonce":"n1"}}"#), "no exp"),
        ];
        for (c, what) in cases {
            let e = ok(&c, Some("n1")).err().unwrap();
            assert_eq!(e.code, Code::InvalidIdToken, "{what}");
            assert!(e.message.contains(what), "{what}: {}", e.message);
        }
        // A bad signature: the payload swapped after signing.
        let good = keys.sign("k1", &claims(ISS, CLIENT, "id", NOW + 10, "n1"));
        let evil = keys.sign("k1", &claims(ISS, CLIENT, "id", NOW + 10, "n2"));
        let parts: Vec<&str> = good.split('.').collect();
        let evil_parts: Vec<&str> = evil.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], evil_parts[1], parts[2]);
        let e = block_on(verify(&keys, &tampered, &expected(None))).err().unwrap();
        assert_eq!(e.code, Code::InvalidIdToken);
        assert!(e.message.contains("signature"), "{}", e.message);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn unknown_kid_refetches_once() {
        let keys = FakeKeys::new(&["k1"]);
        let c = claims(ISS, CLIENT, "id", NOW + 10, "n");
        assert!(block_on(verify(&keys, &keys.sign("k1", &c), &expected(None))).is_ok());
        assert!(block_on(verify(&keys, &keys.sign("k1", &c), &expected(None))).is_ok());
        assert_eq!(keys.fetches.get(), 1, "the JWKS is cached");
        // The pool rotates to k2: the first k2 token makes one refetch, then it is cached.
        *keys.published.borrow_mut() = vec!["k1".into(), "k2".into()];
        assert!(block_on(verify(&keys, &keys.sign("k2", &c), &expected(None))).is_ok());
        assert_eq!(keys.fetches.get(), 2);
        assert!(block_on(verify(&keys, &keys.sign("k2", &c), &expected(None))).is_ok());
        assert_eq!(keys.fetches.get(), 2);
        // A kid the pool never published: one refetch, then an error.
        let e = block_on(verify(&keys, &keys.sign("k9", &c), &expected(None))).err().unwrap();
        assert_eq!(e.code, Code::InvalidIdToken);
        assert!(e.message.contains("kid"));
        assert_eq!(keys.fetches.get(), 3);
    }

    /// Real RS256: tokens signed by the emulator's `rsa`-crate signer, keys from its JWKS,
    /// signatures checked with the emulator's verifier over the bytes this module extracts.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn real_rs256_against_the_emulator_signer() {
        use cognito_emulator::jwt::{verify_rs256, Signer};
        struct Rsa {
            signer: Signer,
            cache: RefCell<Option<Jwks>>,
        }
        impl KeySource for Rsa {
            async fn cached_key(&self, kid: &str) -> Option<Jwk> {
                self.cache.borrow().as_ref()?.find(kid).cloned()
            }
            async fn refetch(&self) -> Result<(), Error> {
                *self.cache.borrow_mut() = Some(parse_jwks(&self.signer.jwks().to_string())?);
                Ok(())
            }
            async fn verify_rs256(&self, key: &Jwk, data: &[u8], sig: &[u8]) -> Result<bool, Error> {
                Ok(verify_rs256(&base64url_decode(&key.n).unwrap(), &base64url_decode(&key.e).unwrap(), data, sig))
            }
        }
        let env = Rsa { signer: Signer::generate(), cache: RefCell::new(None) };
        let claims: serde_json::Value = serde_json::from_str(&claims(ISS, CLIENT, "id", NOW + 10, "n")).unwrap();
        let token = env.signer.sign(&claims);
        let jwt = block_on(verify(&env, &token, &expected(Some("n")))).unwrap();
        assert_eq!(jwt.str_claim("sub"), Some("s"));
        // One flipped bit in the signature.
        let mut sig = base64url_decode(token.rsplit('.').next().unwrap()).unwrap();
        sig[10] ^= 1;
        let bad = format!("{}.{}", &token[..token.rfind('.').unwrap()], base64url_encode(&sig));
        assert_eq!(block_on(verify(&env, &bad, &expected(None))).err().unwrap().code, Code::InvalidIdToken);
        // The old key stops verifying after a rotation.
        env.signer.rotate();
        let token2 = env.signer.sign(&claims);
        assert!(block_on(verify(&env, &token2, &expected(None))).is_ok(), "rotated kid found after a refetch");
    }
}
