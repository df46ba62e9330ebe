//! RS256 JWT signing and the JWKS document.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

pub struct Signer {
    key: SigningKey<Sha256>,
    n: Vec<u8>,
    e: Vec<u8>,
    pub kid: String,
}

impl Signer {
    /// Generate a fresh RSA-2048 key. The kid looks like Cognito's (base64 of 32 bytes).
    pub fn generate() -> Self {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key generation");
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        let kid = STANDARD.encode(crate::srp::sha256(&[b"cognito-emulator kid", &n, &e]));
        Signer { key: SigningKey::<Sha256>::new(key), n, e, kid }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "kid": self.kid, "alg": "RS256" });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self.key.sign(signing_input.as_bytes()).to_vec();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
        }]})
    }
}
