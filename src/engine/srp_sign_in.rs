//! USER_SRP_AUTH to tokens, and nothing else: the sign-in journey's path, with request
//! bodies written from `(key, value)` tables and only the reply fields it needs read.
//! Any other challenge ends here with its name (the full challenge set is `flow::SignIn`,
//! still on the previous path).
#![forbid(unsafe_code)]

use alloc::string::String;

use crate::encoding::base64_decode;
use crate::error::Error;
use crate::flow::{ClientSecret, Password};
use crate::json::write_str;
use crate::protocol::{self, AuthReply, ClientConfig, HttpRequest, HttpResponse};
use crate::session::Session;
use crate::srp::{self, SrpClient};
use crate::timestamp::cognito_timestamp;

/// `{"k":"v",…[,"{nested}":{…}]}` from tables; `None` values are left out.
pub fn body(top: &[(&str, Option<&str>)], nested: &str, inner: &[(&str, Option<&str>)]) -> String {
    fn members(out: &mut String, pairs: &[(&str, Option<&str>)]) {
        let mut first = true;
        for (k, v) in pairs {
            if let Some(v) = v {
                if !first {
                    out.push(',');
                }
                first = false;
                write_str(out, k);
                out.push(':');
                write_str(out, v);
            }
        }
    }
    let mut out = String::from("{");
    members(&mut out, top);
    out.push(',');
    write_str(&mut out, nested);
    out.push_str(":{");
    members(&mut out, inner);
    out.push_str("}}");
    out
}

pub struct SrpSignIn {
    srp: SrpClient,
    password: Password,
    username: String,
    /// After PASSWORD_VERIFIER was answered.
    answered: bool,
}

impl core::fmt::Debug for SrpSignIn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SrpSignIn").field("username", &self.username).finish_non_exhaustive()
    }
}

// Moved by value through the flow's few steps; boxing measured larger in wasm (BENCHMARKS.md).
#[allow(clippy::large_enum_variant)]
pub enum Next {
    Send(SrpSignIn, HttpRequest),
    SignedIn(Session),
    Challenge(String),
}

fn missing() -> Error {
    Error::invalid_response("PASSWORD_VERIFIER challenge lacks a parameter")
}

impl SrpSignIn {
    /// InitiateAuth USER_SRP_AUTH with A = g^a (`a`: [`srp::EPHEMERAL_BYTES`] random bytes).
    pub fn start(
        cfg: &ClientConfig,
        secret: Option<&ClientSecret>,
        username: &str,
        password: Password,
        a: &[u8],
    ) -> Result<(SrpSignIn, HttpRequest), Error> {
        if username.is_empty() {
            return Err(Error::invalid_input("username is required"));
        }
        let srp = SrpClient::new(a).map_err(|e| Error::invalid_input(e.message()))?;
        let hash = secret.map(|s| s.hash(username, cfg.client_id()));
        let a_hex = srp.public_hex();
        let b = body(
            &[("AuthFlow", Some("USER_SRP_AUTH")), ("ClientId", Some(cfg.client_id()))],
            "AuthParameters",
            &[("USERNAME", Some(username)), ("SRP_A", Some(&a_hex)), ("SECRET_HASH", hash.as_deref())],
        );
        let req = HttpRequest { url: String::from(cfg.endpoint()), operation: "InitiateAuth", body: b };
        Ok((SrpSignIn { srp, password, username: String::from(username), answered: false }, req))
    }

    pub fn handle(
        self,
        cfg: &ClientConfig,
        secret: Option<&ClientSecret>,
        resp: &HttpResponse,
        now_ms: i64,
    ) -> Result<Next, Error> {
        let reply = protocol::parse_auth_reply(&protocol::parse_success(resp)?)?;
        let c = match reply {
            AuthReply::Authenticated(r) => return Ok(Next::SignedIn(Session::from_tokens(cfg, r, None, now_ms)?)),
            AuthReply::Challenge(c) if c.name == "PASSWORD_VERIFIER" && !self.answered => c,
            AuthReply::Challenge(c) => return Ok(Next::Challenge(c.name)),
        };
        let (b, salt, block_b64) = (
            c.param("SRP_B").ok_or_else(missing)?,
            c.param("SALT").ok_or_else(missing)?,
            c.param("SECRET_BLOCK").ok_or_else(missing)?,
        );
        let user_id = c.param("USER_ID_FOR_SRP").filter(|u| !u.is_empty()).ok_or_else(missing)?;
        let block = base64_decode(block_b64).ok_or_else(missing)?;
        let key = self
            .srp
            .password_key(cfg.pool_name(), user_id, self.password.expose(), salt, b)
            .map_err(|e| Error::invalid_response(e.message()))?;
        let timestamp = cognito_timestamp(protocol::srp_now_ms(resp, now_ms).div_euclid(1000));
        let signature = srp::claim_signature(&key, cfg.pool_name(), user_id, &block, &timestamp);
        let hash = secret.map(|s| s.hash(user_id, cfg.client_id()));
        let b = body(
            &[
                ("ChallengeName", Some("PASSWORD_VERIFIER")),
                ("ClientId", Some(cfg.client_id())),
                ("Session", c.session.as_deref()),
            ],
            "ChallengeResponses",
            &[
                ("USERNAME", Some(user_id)),
                ("PASSWORD_CLAIM_SECRET_BLOCK", Some(block_b64)),
                ("TIMESTAMP", Some(&timestamp)),
                ("PASSWORD_CLAIM_SIGNATURE", Some(&signature)),
                ("SECRET_HASH", hash.as_deref()),
            ],
        );
        let req = HttpRequest { url: String::from(cfg.endpoint()), operation: "RespondToAuthChallenge", body: b };
        Ok(Next::Send(SrpSignIn { answered: true, ..self }, req))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::flow::{SignIn, Step};

    fn json(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    /// The table-driven requests are the same JSON as the full flow's for the same inputs,
    /// and the claim signature is the one amazon-cognito-identity-js and pycognito computed
    /// for the published vector (tests/vectors/srp-vectors.json).
    #[test]
    fn same_requests_as_the_full_flow_and_the_vectors_signature() {
        let v = json(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/srp-vectors.json")).unwrap(),
        );
        let case = &v["srpVectors"][0];
        let f = |k: &str| case[k].as_str().unwrap().to_string();
        let cfg = ClientConfig::new(&format!("us-east-1_{}", f("poolName")), "client1", None).unwrap();
        let a = crate::encoding::hex_decode_number(&f("a")).unwrap();
        let secret = ClientSecret::new("s3cret");
        let user = f("userIdForSrp");
        let (mine, r1) = SrpSignIn::start(&cfg, Some(&secret), &user, Password::new(&f("password")), &a).unwrap();
        let (flow, f1) =
            SignIn::start(&cfg, Some(ClientSecret::new("s3cret")), &user, Password::new(&f("password")), &a).unwrap();
        assert_eq!(json(&r1.body), json(&f1.body));
        assert_eq!(
            json(&r1.body)["AuthParameters"]["SRP_A"].as_str().unwrap().trim_start_matches('0'),
            f("A").trim_start_matches('0')
        );
        let reply = HttpResponse {
            status: 200,
            body: format!(
                r#"{{"ChallengeName":"PASSWORD_VERIFIER","Session":"sess","ChallengeParameters":{{"SRP_B":"{}","SALT":"{}","SECRET_BLOCK":"{}","USER_ID_FOR_SRP":"{user}","USERNAME":"{user}"}}}}"#,
                f("B"),
                f("salt"),
                f("secretBlock")
            ),
            error_type: None,
            date_s: 0,
        };
        let now = case["timestampEpochMs"].as_i64().unwrap();
        let Next::Send(_, r2) = mine.handle(&cfg, Some(&secret), &reply, now).unwrap() else {
            panic!("expected a request")
        };
        let Step::Send(_, f2) = flow.handle(&reply, now).unwrap() else { panic!("expected a request") };
        assert_eq!(r2.operation, f2.operation);
        assert_eq!(json(&r2.body), json(&f2.body));
        let responses = &json(&r2.body)["ChallengeResponses"];
        assert_eq!(responses["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap(), f("signature"));
        assert_eq!(responses["TIMESTAMP"].as_str().unwrap(), f("timestamp"));

        // A device clock far off: the TIMESTAMP (and so the signature) follows the reply's
        // `Date`, on both paths; within SRP_SKEW_MS the local clock is kept, as CIJ sends it.
        for (local, expect) in
            [(now + 3_600_000, Some(f("timestamp"))), (now - 3_600_000, Some(f("timestamp"))), (now + 60_000, None)]
        {
            let dated = HttpResponse { date_s: (now / 1000) as u32, ..reply.clone() };
            let (mine, _) = SrpSignIn::start(&cfg, Some(&secret), &user, Password::new(&f("password")), &a).unwrap();
            let (flow, _) =
                SignIn::start(&cfg, Some(ClientSecret::new("s3cret")), &user, Password::new(&f("password")), &a)
                    .unwrap();
            let Next::Send(_, r2) = mine.handle(&cfg, Some(&secret), &dated, local).unwrap() else { panic!() };
            let Step::Send(_, f2) = flow.handle(&dated, local).unwrap() else { panic!() };
            assert_eq!(json(&r2.body), json(&f2.body));
            let responses = &json(&r2.body)["ChallengeResponses"];
            let ts = responses["TIMESTAMP"].as_str().unwrap();
            match &expect {
                Some(t) => {
                    assert_eq!(ts, t, "local {local}: the server's time");
                    assert_eq!(responses["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap(), f("signature"));
                }
                None => assert_eq!(ts, crate::timestamp::cognito_timestamp(local / 1000), "small skew: local time"),
            }
        }
    }

    #[test]
    fn other_challenges_and_errors_stop_with_their_name() {
        let cfg = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let (s, _) = SrpSignIn::start(&cfg, None, "alice", Password::new("pw"), &[7; srp::EPHEMERAL_BYTES]).unwrap();
        let r = HttpResponse {
            status: 200,
            body: r#"{"ChallengeName":"SMS_MFA","Session":"x","ChallengeParameters":{}}"#.into(),
            error_type: None,
            date_s: 0,
        };
        assert!(matches!(s.handle(&cfg, None, &r, 0), Ok(Next::Challenge(n)) if n == "SMS_MFA"));
        let (s, _) = SrpSignIn::start(&cfg, None, "alice", Password::new("pw"), &[7; srp::EPHEMERAL_BYTES]).unwrap();
        let r = HttpResponse { status: 200, body: r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SRP_B":"00","SALT":"01","SECRET_BLOCK":"AA==","USER_ID_FOR_SRP":"a"}}"#.into(), error_type: None, date_s: 0 };
        assert_eq!(
            s.handle(&cfg, None, &r, 0).err().unwrap().code,
            crate::error::Code::InvalidResponse,
            "B ≡ 0 is refused"
        );
        assert_eq!(
            SrpSignIn::start(&cfg, None, "", Password::new("pw"), &[7; 48]).err().unwrap().code,
            crate::error::Code::InvalidInput
        );
    }
}
