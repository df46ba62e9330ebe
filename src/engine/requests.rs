//! The lifecycle's user-pool requests (refresh, RevokeToken, GlobalSignOut) written from
//! `(key, value)` tables, as the SRP path writes its own: no `Json` tree is built. The bytes
//! are those of `refresh::user_pool_request`, `revoke_request` and
//! `global_sign_out_request` (checked against them below).
#![forbid(unsafe_code)]

use alloc::string::String;

use super::srp_sign_in::body;
use crate::error::Error;
use crate::flow::ClientSecret;
use crate::json::write_str;
use crate::protocol::{ClientConfig, HttpRequest};
use crate::refresh::RefreshOptions;
use crate::session::Session;

/// `{"k":"v",…}` from a table; `None` values are left out.
pub fn flat(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::from("{");
    for (k, v) in pairs {
        if let Some(v) = v {
            if out.len() > 1 {
                out.push(',');
            }
            write_str(&mut out, k);
            out.push(':');
            write_str(&mut out, v);
        }
    }
    out.push('}');
    out
}

fn request(config: &ClientConfig, operation: &'static str, body: String) -> HttpRequest {
    HttpRequest { url: String::from(config.endpoint()), operation, body }
}

/// REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken with rotation.
pub fn refresh(config: &ClientConfig, s: &Session, opts: &RefreshOptions<'_>) -> Result<HttpRequest, Error> {
    let token = s
        .refresh_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::invalid_input("the session has no refresh token"))?;
    let cid = Some(config.client_id());
    let secret = opts.secret.map(ClientSecret::expose);
    if opts.rotation {
        let b = flat(&[
            ("ClientId", cid),
            ("RefreshToken", Some(token)),
            ("ClientSecret", secret),
            ("DeviceKey", opts.device_key),
        ]);
        return Ok(request(config, "GetTokensFromRefreshToken", b));
    }
    let hash = secret.map(|sec| crate::srp::secret_hash(sec, &s.username, config.client_id()));
    let b = body(
        &[("AuthFlow", Some("REFRESH_TOKEN_AUTH")), ("ClientId", cid)],
        "AuthParameters",
        &[("REFRESH_TOKEN", Some(token)), ("DEVICE_KEY", opts.device_key), ("SECRET_HASH", hash.as_deref())],
    );
    Ok(request(config, "InitiateAuth", b))
}

pub fn revoke(config: &ClientConfig, refresh_token: &str, secret: Option<&ClientSecret>) -> HttpRequest {
    let b = flat(&[
        ("Token", Some(refresh_token)),
        ("ClientId", Some(config.client_id())),
        ("ClientSecret", secret.map(ClientSecret::expose)),
    ]);
    request(config, "RevokeToken", b)
}

pub fn global_sign_out(config: &ClientConfig, access_token: &str) -> HttpRequest {
    request(config, "GlobalSignOut", flat(&[("AccessToken", Some(access_token))]))
}

pub use crate::json::Body;

/// `{"AccessToken":t` for the calls on the signed-in user's token (the core's check first).
pub fn with_token(access_token: &str) -> Result<Body, Error> {
    crate::account::required(access_token, "access token")?;
    let mut b = Body::new();
    b.str("AccessToken", access_token);
    Ok(b)
}

pub fn send(config: &ClientConfig, operation: &'static str, b: Body) -> Result<HttpRequest, Error> {
    Ok(request(config, operation, b.end()))
}

/// The account builders of `crate::account` the engine uses, written from tables: the same
/// checks in the same order, the same bytes (checked below).
#[cfg(feature = "account")]
pub mod account {
    use alloc::string::String;

    use super::{send, with_token, Body};
    use crate::account::{required, MfaSetting};
    use crate::error::Error;
    use crate::flow::{ClientSecret, Password};
    use crate::protocol::{ClientConfig, HttpRequest};

    fn by_username(
        config: &ClientConfig,
        secret: Option<&ClientSecret>,
        username: &str,
        fields: &[(&str, &str)],
        metadata: &[(String, String)],
        operation: &'static str,
    ) -> Result<HttpRequest, Error> {
        required(username, "username")?;
        let mut b = Body::new();
        b.str("ClientId", config.client_id()).str("Username", username);
        if let Some(sec) = secret {
            b.str("SecretHash", &sec.hash(username, config.client_id()));
        }
        for (k, v) in fields {
            b.str(k, v);
        }
        if !metadata.is_empty() {
            b.pairs("ClientMetadata", metadata);
        }
        send(config, operation, b)
    }

    fn metadata(mut b: Body, metadata: &[(String, String)]) -> Body {
        if !metadata.is_empty() {
            b.pairs("ClientMetadata", metadata);
        }
        b
    }

    pub fn resend_confirmation_code(
        config: &ClientConfig,
        secret: Option<&ClientSecret>,
        username: &str,
        meta: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        by_username(config, secret, username, &[], meta, "ResendConfirmationCode")
    }

    pub fn forgot_password(
        config: &ClientConfig,
        secret: Option<&ClientSecret>,
        username: &str,
        meta: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        by_username(config, secret, username, &[], meta, "ForgotPassword")
    }

    pub fn confirm_forgot_password(
        config: &ClientConfig,
        secret: Option<&ClientSecret>,
        username: &str,
        code: &str,
        new_password: &Password,
        meta: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        required(code, "code")?;
        required(new_password.expose(), "newPassword")?;
        let fields = [("ConfirmationCode", code), ("Password", new_password.expose())];
        by_username(config, secret, username, &fields, meta, "ConfirmForgotPassword")
    }

    pub fn change_password(
        config: &ClientConfig,
        access_token: &str,
        previous: &Password,
        proposed: &Password,
    ) -> Result<HttpRequest, Error> {
        required(previous.expose(), "oldPassword")?;
        required(proposed.expose(), "newPassword")?;
        let mut b = with_token(access_token)?;
        b.str("PreviousPassword", previous.expose()).str("ProposedPassword", proposed.expose());
        send(config, "ChangePassword", b)
    }

    pub fn get_user(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
        send(config, "GetUser", with_token(access_token)?)
    }

    pub fn update_user_attributes(
        config: &ClientConfig,
        access_token: &str,
        attributes: &[(String, String)],
        meta: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        if attributes.is_empty() {
            return Err(Error::invalid_input("attributes must name at least one attribute"));
        }
        let mut b = with_token(access_token)?;
        b.attributes("UserAttributes", attributes);
        send(config, "UpdateUserAttributes", metadata(b, meta))
    }

    pub fn get_user_attribute_verification_code(
        config: &ClientConfig,
        access_token: &str,
        attribute: &str,
        meta: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        required(attribute, "attribute")?;
        let mut b = with_token(access_token)?;
        b.str("AttributeName", attribute);
        send(config, "GetUserAttributeVerificationCode", metadata(b, meta))
    }

    pub fn verify_user_attribute(
        config: &ClientConfig,
        access_token: &str,
        attribute: &str,
        code: &str,
    ) -> Result<HttpRequest, Error> {
        required(attribute, "attribute")?;
        required(code, "code")?;
        let mut b = with_token(access_token)?;
        b.str("AttributeName", attribute).str("Code", code);
        send(config, "VerifyUserAttribute", b)
    }

    pub fn delete_user_attributes(
        config: &ClientConfig,
        access_token: &str,
        names: &[String],
    ) -> Result<HttpRequest, Error> {
        if names.is_empty() || names.iter().any(String::is_empty) {
            return Err(Error::invalid_input("names must list at least one attribute name"));
        }
        let mut b = with_token(access_token)?;
        b.list("UserAttributeNames", names);
        send(config, "DeleteUserAttributes", b)
    }

    pub fn set_user_mfa_preference(
        config: &ClientConfig,
        access_token: &str,
        sms: Option<MfaSetting>,
        totp: Option<MfaSetting>,
        email: Option<MfaSetting>,
    ) -> Result<HttpRequest, Error> {
        if sms.is_none() && totp.is_none() && email.is_none() {
            return Err(Error::invalid_input("give at least one of sms, totp, email"));
        }
        let mut b = with_token(access_token)?;
        for (key, v) in [("SMSMfaSettings", sms), ("SoftwareTokenMfaSettings", totp), ("EmailMfaSettings", email)] {
            if let Some(v) = v {
                b.raw(
                    key,
                    match v {
                        MfaSetting::Disabled => r#"{"Enabled":false,"PreferredMfa":false}"#,
                        MfaSetting::Enabled => r#"{"Enabled":true,"PreferredMfa":false}"#,
                        MfaSetting::Preferred => r#"{"Enabled":true,"PreferredMfa":true}"#,
                    },
                );
            }
        }
        send(config, "SetUserMFAPreference", b)
    }

    pub fn associate_software_token(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
        send(config, "AssociateSoftwareToken", with_token(access_token)?)
    }

    pub fn verify_software_token(
        config: &ClientConfig,
        access_token: &str,
        code: &str,
        device_name: Option<&str>,
    ) -> Result<HttpRequest, Error> {
        required(code, "code")?;
        let mut b = with_token(access_token)?;
        b.str("UserCode", code);
        if let Some(n) = device_name.filter(|n| !n.is_empty()) {
            b.str("FriendlyDeviceName", n);
        }
        send(config, "VerifySoftwareToken", b)
    }

    pub fn delete_user(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
        send(config, "DeleteUser", with_token(access_token)?)
    }
}

/// The remembered-device calls of `crate::device` the engine uses, from tables.
#[cfg(feature = "devices")]
pub mod device {
    use super::{send, with_token};
    use crate::error::Error;
    use crate::protocol::{ClientConfig, HttpRequest};

    fn key(device_key: &str) -> Result<(), Error> {
        if device_key.is_empty() {
            return Err(Error::invalid_input("deviceKey is required"));
        }
        Ok(())
    }

    pub fn update_device_status(
        config: &ClientConfig,
        access_token: &str,
        device_key: &str,
        remembered: bool,
    ) -> Result<HttpRequest, Error> {
        key(device_key)?;
        let mut b = with_token(access_token)?;
        b.str("DeviceKey", device_key)
            .str("DeviceRememberedStatus", if remembered { "remembered" } else { "not_remembered" });
        send(config, "UpdateDeviceStatus", b)
    }

    pub fn forget_device(config: &ClientConfig, access_token: &str, device_key: &str) -> Result<HttpRequest, Error> {
        key(device_key)?;
        let mut b = with_token(access_token)?;
        b.str("DeviceKey", device_key);
        send(config, "ForgetDevice", b)
    }

    pub fn list_devices(
        config: &ClientConfig,
        access_token: &str,
        pagination_token: Option<&str>,
    ) -> Result<HttpRequest, Error> {
        let mut b = with_token(access_token)?;
        b.raw("Limit", "60");
        if let Some(t) = pagination_token {
            b.str("PaginationToken", t);
        }
        send(config, "ListDevices", b)
    }

    pub fn get_device(config: &ClientConfig, access_token: &str, device_key: &str) -> Result<HttpRequest, Error> {
        key(device_key)?;
        let mut b = with_token(access_token)?;
        b.str("DeviceKey", device_key);
        send(config, "GetDevice", b)
    }
}

/// The passkey-management calls of `crate::passkey` the engine uses, from tables
/// (CompleteWebAuthnRegistration's credential is the core's `attestation_json`).
#[cfg(feature = "passkeys")]
pub mod passkey {
    use super::{send, with_token};
    use crate::error::Error;
    use crate::passkey::{attestation_json, Attestation};
    use crate::protocol::{ClientConfig, HttpRequest};

    pub fn start_registration(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
        send(config, "StartWebAuthnRegistration", with_token(access_token)?)
    }

    pub fn complete_registration(
        config: &ClientConfig,
        access_token: &str,
        a: &Attestation,
    ) -> Result<HttpRequest, Error> {
        let mut b = with_token(access_token)?;
        b.raw("Credential", &attestation_json(a));
        send(config, "CompleteWebAuthnRegistration", b)
    }

    pub fn list_passkeys(
        config: &ClientConfig,
        access_token: &str,
        max_results: Option<u32>,
        next_token: Option<&str>,
    ) -> Result<HttpRequest, Error> {
        if max_results.is_some_and(|n| !(1..=20).contains(&n)) {
            return Err(Error::invalid_input("maxResults must be from 1 to 20"));
        }
        let mut b = with_token(access_token)?;
        if let Some(n) = max_results {
            b.raw("MaxResults", &crate::timestamp::decimal(u64::from(n)));
        }
        if let Some(t) = next_token.filter(|t| !t.is_empty()) {
            b.str("NextToken", t);
        }
        send(config, "ListWebAuthnCredentials", b)
    }

    pub fn delete_passkey(
        config: &ClientConfig,
        access_token: &str,
        credential_id: &str,
    ) -> Result<HttpRequest, Error> {
        if credential_id.is_empty() {
            return Err(Error::invalid_input("credentialId is required"));
        }
        let mut b = with_token(access_token)?;
        b.str("CredentialId", credential_id);
        send(config, "DeleteWebAuthnCredential", b)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::refresh;

    fn session(refresh_token: Option<&str>) -> Session {
        Session {
            username: "al\"ice".into(),
            id_token: "i".into(),
            access_token: "acc\\ess".into(),
            refresh_token: refresh_token.map(String::from),
            clock_drift: 0,
            access_exp: 0,
            id_exp: 0,
            id_claims: "{}".into(),
            access_claims: "{}".into(),
        }
    }

    fn same(a: &HttpRequest, b: &HttpRequest) {
        assert_eq!((a.url.as_str(), a.operation, a.body.as_str()), (b.url.as_str(), b.operation, b.body.as_str()));
    }

    #[test]
    fn the_same_bytes_as_the_json_tree_builders() {
        let cfg = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let secret = ClientSecret::new("s3cr\u{e9}t");
        let s = session(Some("rt\n1"));
        for rotation in [false, true] {
            for device_key in [None, Some("us-east-1_dev\"1")] {
                for secret in [None, Some(&secret)] {
                    let opts = RefreshOptions { device_key, secret, rotation };
                    same(&refresh(&cfg, &s, &opts).unwrap(), &refresh::user_pool_request(&cfg, &s, &opts).unwrap());
                }
                same(&revoke(&cfg, "rt\u{1}", Some(&secret)), &refresh::revoke_request(&cfg, "rt\u{1}", Some(&secret)));
            }
        }
        same(&revoke(&cfg, "rt", None), &refresh::revoke_request(&cfg, "rt", None));
        same(&global_sign_out(&cfg, "a\"t"), &refresh::global_sign_out_request(&cfg, "a\"t"));
        let opts = RefreshOptions { device_key: None, secret: None, rotation: false };
        for no_token in [None, Some("")] {
            let e = refresh(&cfg, &session(no_token), &opts).unwrap_err();
            assert_eq!(e, refresh::user_pool_request(&cfg, &session(no_token), &opts).unwrap_err());
        }
        // A known answer, not only agreement.
        assert_eq!(
            refresh(&cfg, &s, &opts).unwrap().body,
            r#"{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"client1","AuthParameters":{"REFRESH_TOKEN":"rt\n1"}}"#
        );
    }

    fn same_result(a: Result<HttpRequest, Error>, b: Result<HttpRequest, Error>) {
        match (a, b) {
            (Ok(a), Ok(b)) => same(&a, &b),
            (a, b) => assert_eq!(a.map(|r| r.body).unwrap_err(), b.map(|r| r.body).unwrap_err()),
        }
    }

    #[cfg(feature = "account")]
    #[test]
    fn account_bodies_are_the_json_tree_builders_bytes() {
        use super::account as table;
        use crate::account::{self as tree, MfaSetting};
        use crate::flow::Password;
        let cfg = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let secret = ClientSecret::new("s3cr\u{e9}t");
        let pairs =
            |v: &[(&str, &str)]| v.iter().map(|(a, b)| (String::from(*a), String::from(*b))).collect::<Vec<_>>();
        let metas = [pairs(&[]), pairs(&[("a", "1")]), pairs(&[("k\"1", "v\n"), ("x", ""), ("x", "dup")])];
        let attrs = [pairs(&[]), pairs(&[("email", "a@b.c")]), pairs(&[("name", "Al \u{2028}"), ("custom:x", "\\")])];
        let texts = ["", "al\"ice", "123456", "p\u{1}w"];
        let names =
            [vec![], vec![String::new()], vec![String::from("email")], vec![String::from("a"), String::from("b\"")]];
        let settings = [None, Some(MfaSetting::Disabled), Some(MfaSetting::Enabled), Some(MfaSetting::Preferred)];
        for sec in [None, Some(&secret)] {
            for m in &metas {
                for u in texts {
                    same_result(
                        table::resend_confirmation_code(&cfg, sec, u, m),
                        tree::resend_confirmation_code(&cfg, sec, u, m),
                    );
                    same_result(table::forgot_password(&cfg, sec, u, m), tree::forgot_password(&cfg, sec, u, m));
                    for code in texts {
                        for pw in ["", "n\"ew"] {
                            let pw = Password::new(pw);
                            same_result(
                                table::confirm_forgot_password(&cfg, sec, u, code, &pw, m),
                                tree::confirm_forgot_password(&cfg, sec, u, code, &pw, m),
                            );
                        }
                    }
                }
            }
        }
        for t in texts {
            same_result(table::get_user(&cfg, t), tree::get_user(&cfg, t));
            same_result(table::associate_software_token(&cfg, t), tree::associate_software_token(&cfg, t));
            same_result(table::delete_user(&cfg, t), tree::delete_user(&cfg, t));
            for (old, new) in [("", "b"), ("a", ""), ("o\"ld", "n\\ew")] {
                let (old, new) = (Password::new(old), Password::new(new));
                same_result(table::change_password(&cfg, t, &old, &new), tree::change_password(&cfg, t, &old, &new));
            }
            for m in &metas {
                for a in &attrs {
                    same_result(
                        table::update_user_attributes(&cfg, t, a, m),
                        tree::update_user_attributes(&cfg, t, a, m),
                    );
                }
                for name in texts {
                    same_result(
                        table::get_user_attribute_verification_code(&cfg, t, name, m),
                        tree::get_user_attribute_verification_code(&cfg, t, name, m),
                    );
                }
            }
            for name in texts {
                for code in texts {
                    same_result(
                        table::verify_user_attribute(&cfg, t, name, code),
                        tree::verify_user_attribute(&cfg, t, name, code),
                    );
                }
            }
            for n in &names {
                same_result(table::delete_user_attributes(&cfg, t, n), tree::delete_user_attributes(&cfg, t, n));
            }
            for sms in settings {
                for totp in settings {
                    for email in settings {
                        same_result(
                            table::set_user_mfa_preference(&cfg, t, sms, totp, email),
                            tree::set_user_mfa_preference(&cfg, t, sms, totp, email),
                        );
                    }
                }
            }
            for code in texts {
                for dev in [None, Some(""), Some("my \"phone\"")] {
                    same_result(
                        table::verify_software_token(&cfg, t, code, dev),
                        tree::verify_software_token(&cfg, t, code, dev),
                    );
                }
            }
        }
        // Known answers, not only agreement.
        let m = pairs(&[("k", "v")]);
        assert_eq!(
            table::update_user_attributes(&cfg, "t", &pairs(&[("email", "a@b.c")]), &m).unwrap().body,
            r#"{"AccessToken":"t","UserAttributes":[{"Name":"email","Value":"a@b.c"}],"ClientMetadata":{"k":"v"}}"#
        );
        assert_eq!(
            table::set_user_mfa_preference(&cfg, "t", None, Some(MfaSetting::Preferred), None).unwrap().body,
            r#"{"AccessToken":"t","SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true}}"#
        );
    }

    #[cfg(all(feature = "devices", feature = "passkeys"))]
    #[test]
    fn device_and_passkey_bodies_are_the_json_tree_builders_bytes() {
        use crate::passkey::Attestation;
        let cfg = ClientConfig::new("us-east-1_AbC123", "client1", None).unwrap();
        let texts = ["", "t\"1", "us-east-1_d\u{1}"];
        for t in texts {
            for k in texts {
                for remembered in [false, true] {
                    same_result(
                        super::device::update_device_status(&cfg, t, k, remembered),
                        crate::device::update_device_status(&cfg, t, k, remembered),
                    );
                }
                same_result(super::device::forget_device(&cfg, t, k), crate::device::forget_device(&cfg, t, k));
                same_result(super::device::get_device(&cfg, t, k), crate::device::get_device(&cfg, t, k));
                same_result(
                    super::device::list_devices(&cfg, t, Some(k)),
                    crate::device::list_devices(&cfg, t, Some(k)),
                );
                same_result(super::passkey::delete_passkey(&cfg, t, k), crate::passkey::delete_passkey(&cfg, t, k));
            }
            same_result(super::device::list_devices(&cfg, t, None), crate::device::list_devices(&cfg, t, None));
            same_result(super::passkey::start_registration(&cfg, t), crate::passkey::start_registration(&cfg, t));
            for max in [None, Some(0), Some(1), Some(20), Some(21)] {
                for next in [None, Some(""), Some("n\"x")] {
                    same_result(
                        super::passkey::list_passkeys(&cfg, t, max, next),
                        crate::passkey::list_passkeys(&cfg, t, max, next),
                    );
                }
            }
            let att = Attestation {
                raw_id: vec![1, 2, 250],
                client_data_json: b"{}".to_vec(),
                attestation_object: vec![0, 255],
                transports: vec![String::from("usb"), String::from("in\"ternal")],
                authenticator_data: Some(vec![7]),
                public_key_algorithm: Some(-7),
                public_key: None,
                attachment: Some(String::from("platform")),
            };
            same_result(
                super::passkey::complete_registration(&cfg, t, &att),
                crate::passkey::complete_registration(&cfg, t, &att),
            );
        }
        assert_eq!(
            super::passkey::list_passkeys(&cfg, "t", Some(5), Some("n")).unwrap().body,
            r#"{"AccessToken":"t","MaxResults":5,"NextToken":"n"}"#
        );
        assert_eq!(super::device::list_devices(&cfg, "t", None).unwrap().body, r#"{"AccessToken":"t","Limit":60}"#);
    }
}
