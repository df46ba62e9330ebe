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

    /// Checks an RS256 token signed by this key and returns its claims (no claim checks).
    pub fn verify(&self, token: &str) -> Option<Value> {
        use rsa::signature::{Keypair, Verifier};
        let (input, sig) = token.rsplit_once('.')?;
        let (header, claims) = input.split_once('.')?;
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header["alg"] != "RS256" || header["kid"] != self.kid.as_str() {
            return None;
        }
        let sig = rsa::pkcs1v15::Signature::try_from(URL_SAFE_NO_PAD.decode(sig).ok()?.as_slice()).ok()?;
        self.key.verifying_key().verify(input.as_bytes(), &sig).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
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
