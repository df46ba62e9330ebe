//! RS256 JWT signing and the JWKS document. The key can be rotated (`rotate`, or
//! `POST /_emulator/rotate-keys`): new tokens are signed with a new `kid`, and the JWKS
//! publishes the new key next to the previous one, as Cognito does.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::RwLock;

struct Key {
    signing: SigningKey<Sha256>,
    n: Vec<u8>,
    e: Vec<u8>,
    kid: String,
}

impl Key {
    fn generate() -> Key {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key generation");
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        let kid = STANDARD.encode(crate::srp::sha256(&[b"cognito-emulator kid", &n, &e]));
        Key { signing: SigningKey::<Sha256>::new(key), n, e, kid }
    }
}

pub struct Signer {
    /// Newest last; at most two are kept.
    keys: RwLock<Vec<Key>>,
}

impl Signer {
    /// Generate a fresh RSA-2048 key. The kid looks like Cognito's (base64 of 32 bytes).
    pub fn generate() -> Self {
        Signer { keys: RwLock::new(vec![Key::generate()]) }
    }

    /// Switch to a new key; the JWKS keeps the previous one too. Returns the new kid.
    pub fn rotate(&self) -> String {
        let key = Key::generate();
        let kid = key.kid.clone();
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.push(key);
        if keys.len() > 2 {
            keys.remove(0);
        }
        kid
    }

    /// The kid new tokens are signed with.
    pub fn kid(&self) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.last().map(|k| k.kid.clone()).unwrap_or_default()
    }

    pub fn sign(&self, claims: &Value) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let key = keys.last().expect("a signing key");
        let header = json!({ "kid": key.kid, "alg": "RS256" });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let sig = key.signing.sign(signing_input.as_bytes()).to_vec();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    pub fn jwks(&self) -> Value {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let list: Vec<Value> = keys
            .iter()
            .rev()
            .map(|k| {
                json!({
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": k.kid,
                    "n": URL_SAFE_NO_PAD.encode(&k.n),
                    "e": URL_SAFE_NO_PAD.encode(&k.e),
                })
            })
            .collect();
        json!({ "keys": list })
    }

    /// Verifies a token signed by one of the published keys; returns its claims.
    pub fn verify(&self, token: &str) -> Option<Value> {
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        if header.get("alg")?.as_str()? != "RS256" {
            return None;
        }
        let kid = header.get("kid")?.as_str()?;
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let key = keys.iter().find(|k| k.kid == kid)?;
        let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
        let input_len = h.len() + 1 + p.len();
        if !verify_rs256(&key.n, &key.e, &token.as_bytes()[..input_len], &sig) {
            return None;
        }
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
    }
}

/// RSASSA-PKCS1-v1_5 / SHA-256 verification with a public key given as big-endian n, e.
pub fn verify_rs256(n: &[u8], e: &[u8], data: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)) else { return false };
    let Ok(sig) = Signature::try_from(signature) else { return false };
    VerifyingKey::<Sha256>::new(key).verify(data, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_rotate() {
        let s = Signer::generate();
        let t = s.sign(&json!({"a": 1}));
        assert_eq!(s.verify(&t), Some(json!({"a": 1})));
        let mut bad = t.clone();
        bad.push('A');
        assert_eq!(s.verify(&bad), None);
        let old_kid = s.kid();
        let new_kid = s.rotate();
        assert_ne!(old_kid, new_kid);
        assert_eq!(s.kid(), new_kid);
        let kids: Vec<String> =
            s.jwks()["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
        assert_eq!(kids, [new_kid.clone(), old_kid]);
        assert_eq!(s.verify(&t), Some(json!({"a": 1})), "old tokens stay valid while the old key is published");
        s.rotate();
        assert_eq!(s.verify(&t), None, "after two rotations the first key is gone");
    }
}
