//! cognito-emulator: a local stand-in for the AWS Cognito user-pool API, for tests.
//!
//! Modules: [`srp`] (server-side SRP math), [`jwt`] (RS256 tokens, JWKS), [`pool`] (users,
//! sessions, operations), [`server`] (HTTP routing, CORS, test controls), [`hosted`] (hosted UI / OAuth
//! endpoints), [`userauth`] (USER_AUTH, SELECT_CHALLENGE, passwordless codes), [`webauthn`]
//! (passkeys), [`cbor`] (the CBOR decoder WebAuthn needs), [`tls`] (`--tls-port`), [`cli`].

pub mod account;
pub mod cbor;
pub mod challenges;
pub mod cli;
pub mod devices;
pub mod hosted;
pub mod identity;
pub mod jwt;
pub mod lifecycle;
pub mod pool;
pub mod server;
pub mod srp;
pub mod tls;
pub mod userauth;
pub mod webauthn;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

#[cfg(test)]
#[path = "../tests/support/srp_client.rs"]
pub(crate) mod test_srp_client;
