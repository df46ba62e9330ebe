//! Account self-service as pure request builders and reply parsers: sign-up and
//! confirmation, forgotten and changed passwords, attributes and their verification, MFA
//! preferences, TOTP setup, deleting the user.
//!
//! Every builder returns the [`HttpRequest`] to send; every parser takes the reply and
//! returns the value the JavaScript API resolves with, as [`Json`] (camelCase, ready for
//! `JSON.parse`), so the shapes are tested here with known answers.
//!
//! Operations by username (sign-up, confirmation, forgot password) send `SecretHash` when
//! the client has a secret; the others are authorised by the user's access token.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::flow::{pairs_object, ClientSecret, Password};
use crate::json::Json;
use crate::protocol::{self, ClientConfig, HttpRequest, HttpResponse};

fn s(v: &str) -> Json {
    Json::Str(String::from(v))
}

fn k(v: &str) -> String {
    String::from(v)
}

pub(crate) fn required(value: &str, name: &str) -> Result<(), Error> {
    if value.is_empty() {
        let mut m = String::from(name);
        m.push_str(" is required");
        return Err(Error::invalid_input(&m));
    }
    Ok(())
}

/// `[{"Name": n, "Value": v}, ...]`
fn attribute_list(attrs: &[(String, String)]) -> Json {
    let mut items = Vec::with_capacity(attrs.len());
    for (n, v) in attrs {
        items.push(Json::Obj(alloc::vec![(k("Name"), s(n)), (k("Value"), s(v))]));
    }
    Json::Arr(items)
}

/// A body for the operations addressed by username: ClientId, Username, SecretHash.
fn by_username(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    username: &str,
    mut fields: Vec<(String, Json)>,
    metadata: &[(String, String)],
) -> Result<Json, Error> {
    required(username, "username")?;
    let mut body = alloc::vec![(k("ClientId"), s(config.client_id())), (k("Username"), s(username))];
    if let Some(sec) = secret {
        body.push((k("SecretHash"), s(&sec.hash(username, config.client_id()))));
    }
    body.append(&mut fields);
    if !metadata.is_empty() {
        body.push((k("ClientMetadata"), pairs_object(metadata)));
    }
    Ok(Json::Obj(body))
}

fn with_token(access_token: &str, mut fields: Vec<(String, Json)>) -> Result<Json, Error> {
    required(access_token, "access token")?;
    let mut body = alloc::vec![(k("AccessToken"), s(access_token))];
    body.append(&mut fields);
    Ok(Json::Obj(body))
}

fn metadata_field(fields: &mut Vec<(String, Json)>, metadata: &[(String, String)]) {
    if !metadata.is_empty() {
        fields.push((k("ClientMetadata"), pairs_object(metadata)));
    }
}

/// What a sign-up sends.
pub struct SignUpInput<'a> {
    pub username: &'a str,
    pub password: &'a Password,
    pub attributes: &'a [(String, String)],
    pub validation_data: &'a [(String, String)],
    pub metadata: &'a [(String, String)],
}

pub fn sign_up(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    input: &SignUpInput<'_>,
) -> Result<HttpRequest, Error> {
    if input.password.expose().is_empty() {
        return Err(Error::invalid_input("password is required"));
    }
    let mut fields = alloc::vec![(k("Password"), s(input.password.expose()))];
    if !input.attributes.is_empty() {
        fields.push((k("UserAttributes"), attribute_list(input.attributes)));
    }
    if !input.validation_data.is_empty() {
        fields.push((k("ValidationData"), attribute_list(input.validation_data)));
    }
    let body = by_username(config, secret, input.username, fields, input.metadata)?;
    Ok(protocol::request(config, "SignUp", &body))
}

pub fn confirm_sign_up(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    username: &str,
    code: &str,
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    required(code, "code")?;
    let body = by_username(config, secret, username, alloc::vec![(k("ConfirmationCode"), s(code))], metadata)?;
    Ok(protocol::request(config, "ConfirmSignUp", &body))
}

pub fn resend_confirmation_code(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    username: &str,
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    let body = by_username(config, secret, username, Vec::new(), metadata)?;
    Ok(protocol::request(config, "ResendConfirmationCode", &body))
}

pub fn forgot_password(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    username: &str,
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    let body = by_username(config, secret, username, Vec::new(), metadata)?;
    Ok(protocol::request(config, "ForgotPassword", &body))
}

pub fn confirm_forgot_password(
    config: &ClientConfig,
    secret: Option<&ClientSecret>,
    username: &str,
    code: &str,
    new_password: &Password,
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    required(code, "code")?;
    required(new_password.expose(), "newPassword")?;
    let fields = alloc::vec![(k("ConfirmationCode"), s(code)), (k("Password"), s(new_password.expose()))];
    let body = by_username(config, secret, username, fields, metadata)?;
    Ok(protocol::request(config, "ConfirmForgotPassword", &body))
}

pub fn change_password(
    config: &ClientConfig,
    access_token: &str,
    previous: &Password,
    proposed: &Password,
) -> Result<HttpRequest, Error> {
    required(previous.expose(), "oldPassword")?;
    required(proposed.expose(), "newPassword")?;
    let fields =
        alloc::vec![(k("PreviousPassword"), s(previous.expose())), (k("ProposedPassword"), s(proposed.expose())),];
    Ok(protocol::request(config, "ChangePassword", &with_token(access_token, fields)?))
}

pub fn get_user(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
    Ok(protocol::request(config, "GetUser", &with_token(access_token, Vec::new())?))
}

pub fn update_user_attributes(
    config: &ClientConfig,
    access_token: &str,
    attributes: &[(String, String)],
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    if attributes.is_empty() {
        return Err(Error::invalid_input("attributes must name at least one attribute"));
    }
    let mut fields = alloc::vec![(k("UserAttributes"), attribute_list(attributes))];
    metadata_field(&mut fields, metadata);
    Ok(protocol::request(config, "UpdateUserAttributes", &with_token(access_token, fields)?))
}

pub fn get_user_attribute_verification_code(
    config: &ClientConfig,
    access_token: &str,
    attribute: &str,
    metadata: &[(String, String)],
) -> Result<HttpRequest, Error> {
    required(attribute, "attribute")?;
    let mut fields = alloc::vec![(k("AttributeName"), s(attribute))];
    metadata_field(&mut fields, metadata);
    Ok(protocol::request(config, "GetUserAttributeVerificationCode", &with_token(access_token, fields)?))
}

pub fn verify_user_attribute(
    config: &ClientConfig,
    access_token: &str,
    attribute: &str,
    code: &str,
) -> Result<HttpRequest, Error> {
    required(attribute, "attribute")?;
    required(code, "code")?;
    let fields = alloc::vec![(k("AttributeName"), s(attribute)), (k("Code"), s(code))];
    Ok(protocol::request(config, "VerifyUserAttribute", &with_token(access_token, fields)?))
}

pub fn delete_user_attributes(
    config: &ClientConfig,
    access_token: &str,
    names: &[String],
) -> Result<HttpRequest, Error> {
    if names.is_empty() || names.iter().any(String::is_empty) {
        return Err(Error::invalid_input("names must list at least one attribute name"));
    }
    let fields = alloc::vec![(k("UserAttributeNames"), Json::Arr(names.iter().map(|n| s(n)).collect()))];
    Ok(protocol::request(config, "DeleteUserAttributes", &with_token(access_token, fields)?))
}

/// One MFA method's setting in SetUserMFAPreference.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MfaSetting {
    Disabled,
    Enabled,
    /// Enabled and preferred (the one Cognito asks for first).
    Preferred,
}

impl MfaSetting {
    pub fn parse(v: &str) -> Option<MfaSetting> {
        match v {
            "disabled" => Some(MfaSetting::Disabled),
            "enabled" => Some(MfaSetting::Enabled),
            "preferred" => Some(MfaSetting::Preferred),
            _ => None,
        }
    }
    fn to_json(self) -> Json {
        Json::Obj(alloc::vec![
            (k("Enabled"), Json::Bool(self != MfaSetting::Disabled)),
            (k("PreferredMfa"), Json::Bool(self == MfaSetting::Preferred)),
        ])
    }
}

pub fn set_user_mfa_preference(
    config: &ClientConfig,
    access_token: &str,
    sms: Option<MfaSetting>,
    totp: Option<MfaSetting>,
    email: Option<MfaSetting>,
) -> Result<HttpRequest, Error> {
    let mut fields = Vec::new();
    for (key, v) in [("SMSMfaSettings", sms), ("SoftwareTokenMfaSettings", totp), ("EmailMfaSettings", email)] {
        if let Some(v) = v {
            fields.push((k(key), v.to_json()));
        }
    }
    if fields.is_empty() {
        return Err(Error::invalid_input("give at least one of sms, totp, email"));
    }
    Ok(protocol::request(config, "SetUserMFAPreference", &with_token(access_token, fields)?))
}

pub fn associate_software_token(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
    Ok(protocol::request(config, "AssociateSoftwareToken", &with_token(access_token, Vec::new())?))
}

pub fn verify_software_token(
    config: &ClientConfig,
    access_token: &str,
    code: &str,
    device_name: Option<&str>,
) -> Result<HttpRequest, Error> {
    required(code, "code")?;
    let mut fields = alloc::vec![(k("UserCode"), s(code))];
    if let Some(n) = device_name.filter(|n| !n.is_empty()) {
        fields.push((k("FriendlyDeviceName"), s(n)));
    }
    Ok(protocol::request(config, "VerifySoftwareToken", &with_token(access_token, fields)?))
}

pub fn delete_user(config: &ClientConfig, access_token: &str) -> Result<HttpRequest, Error> {
    Ok(protocol::request(config, "DeleteUser", &with_token(access_token, Vec::new())?))
}

// ---------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------

/// `{medium, destination, attributeName}` from a `CodeDeliveryDetails` object.
fn delivery(d: &Json) -> Json {
    let mut o = Vec::new();
    for (from, to) in [("DeliveryMedium", "medium"), ("Destination", "destination"), ("AttributeName", "attributeName")]
    {
        if let Some(v) = d.str_field(from) {
            o.push((k(to), s(v)));
        }
    }
    Json::Obj(o)
}

fn delivery_field(body: &Json) -> Json {
    body.get("CodeDeliveryDetails").filter(|d| d.as_obj().is_some()).map_or(Json::Null, delivery)
}

/// SignUp → `{userConfirmed, userSub, codeDelivery}` (`codeDelivery` null when nothing
/// was sent, e.g. a pre-sign-up trigger confirmed the user).
pub fn parse_sign_up(resp: &HttpResponse) -> Result<Json, Error> {
    parse_sign_up_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_sign_up_body(resp: &HttpResponse) -> Result<Json, Error> {
    let body = protocol::parse_success(resp)?;
    let confirmed = matches!(body.get("UserConfirmed"), Some(Json::Bool(true)));
    let sub = body.str_field("UserSub").ok_or_else(|| Error::invalid_response("SignUp reply lacks UserSub"))?;
    Ok(Json::Obj(alloc::vec![
        (k("userConfirmed"), Json::Bool(confirmed)),
        (k("userSub"), s(sub)),
        (k("codeDelivery"), delivery_field(&body)),
    ]))
}

/// ResendConfirmationCode, ForgotPassword, GetUserAttributeVerificationCode →
/// `{codeDelivery}`.
pub fn parse_code_delivery(resp: &HttpResponse) -> Result<Json, Error> {
    let body = protocol::parse_success(resp)?;
    Ok(Json::Obj(alloc::vec![(k("codeDelivery"), delivery_field(&body))]))
}

/// UpdateUserAttributes → `{codeDeliveries: [...]}` (one per attribute to verify).
pub fn parse_update_attributes(resp: &HttpResponse) -> Result<Json, Error> {
    let body = protocol::parse_success(resp)?;
    let list = match body.get("CodeDeliveryDetailsList") {
        Some(Json::Arr(items)) => items.iter().map(delivery).collect(),
        _ => Vec::new(),
    };
    Ok(Json::Obj(alloc::vec![(k("codeDeliveries"), Json::Arr(list))]))
}

/// Operations with an empty reply: only the status matters.
/// ConfirmSignUp → the `Session` that signs the confirmed user in with USER_AUTH, if
/// Cognito sent one.
pub fn parse_confirm_sign_up(resp: &HttpResponse) -> Result<Option<zeroize::Zeroizing<String>>, Error> {
    let body = protocol::parse_success(resp)?;
    Ok(body.str_field("Session").filter(|x| !x.is_empty()).map(|x| zeroize::Zeroizing::new(String::from(x))))
}

pub fn parse_empty(resp: &HttpResponse) -> Result<(), Error> {
    protocol::parse_success(resp).map(|_| ())
}

/// GetUser → `{username, attributes: {name: value}, preferredMfa, mfaMethods: [...]}`.
pub fn parse_get_user(resp: &HttpResponse) -> Result<Json, Error> {
    parse_get_user_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_get_user_body(resp: &HttpResponse) -> Result<Json, Error> {
    let body = protocol::parse_success(resp)?;
    let username = body.str_field("Username").ok_or_else(|| Error::invalid_response("GetUser reply lacks Username"))?;
    let mut attrs = Vec::new();
    if let Some(Json::Arr(items)) = body.get("UserAttributes") {
        for a in items {
            if let (Some(n), Some(v)) = (a.str_field("Name"), a.str_field("Value")) {
                attrs.push((k(n), s(v)));
            }
        }
    }
    let methods = match body.get("UserMFASettingList") {
        Some(Json::Arr(items)) => items.iter().filter_map(|m| m.as_str().map(s)).collect(),
        _ => Vec::new(),
    };
    Ok(Json::Obj(alloc::vec![
        (k("username"), s(username)),
        (k("attributes"), Json::Obj(attrs)),
        (k("preferredMfa"), body.str_field("PreferredMfaSetting").map_or(Json::Null, s)),
        (k("mfaMethods"), Json::Arr(methods)),
    ]))
}

/// AssociateSoftwareToken (signed in) → the base32 secret.
pub fn parse_associate(resp: &HttpResponse) -> Result<String, Error> {
    parse_associate_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_associate_body(resp: &HttpResponse) -> Result<String, Error> {
    let body = protocol::parse_success(resp)?;
    body.str_field("SecretCode")
        .filter(|c| !c.is_empty())
        .map(String::from)
        .ok_or_else(|| Error::invalid_response("AssociateSoftwareToken reply lacks SecretCode"))
}

/// VerifySoftwareToken (signed in): `Status` must be SUCCESS.
pub fn parse_verify_software_token(resp: &HttpResponse) -> Result<(), Error> {
    parse_verify_software_token_body(resp).map_err(|e| e.for_reply(resp.status))
}

fn parse_verify_software_token_body(resp: &HttpResponse) -> Result<(), Error> {
    let body = protocol::parse_success(resp)?;
    if body.str_field("Status") == Some("SUCCESS") {
        Ok(())
    } else {
        Err(Error::new(
            crate::error::Code::Service(k("EnableSoftwareTokenMFAException")),
            "VerifySoftwareToken did not succeed",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;
    use crate::session::tests::{emulator_config as config, ok, CLIENT};

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sign_up_requests() {
        let pw = Password::new("Passw0rd!");
        let attrs = pairs(&[("email", "a@example.com")]);
        let vd = pairs(&[("invite", "x")]);
        let md = pairs(&[("src", "web")]);
        let input =
            SignUpInput { username: "ann", password: &pw, attributes: &attrs, validation_data: &vd, metadata: &md };
        let r = sign_up(&config(), None, &input).unwrap();
        assert_eq!(r.operation, "SignUp");
        assert_eq!(
            r.body,
            format!(
                r#"{{"ClientId":"{CLIENT}","Username":"ann","Password":"Passw0rd!","UserAttributes":[{{"Name":"email","Value":"a@example.com"}}],"ValidationData":[{{"Name":"invite","Value":"x"}}],"ClientMetadata":{{"src":"web"}}}}"#
            )
        );
        let sec = ClientSecret::new("k");
        let hash = crate::srp::secret_hash("k", "ann", CLIENT);
        let r = confirm_sign_up(&config(), Some(&sec), "ann", "123456", &[]).unwrap();
        assert_eq!(
            r.body,
            format!(r#"{{"ClientId":"{CLIENT}","Username":"ann","SecretHash":"{hash}","ConfirmationCode":"123456"}}"#)
        );
        let r = resend_confirmation_code(&config(), Some(&sec), "ann", &[]).unwrap();
        assert_eq!(
            (r.operation, r.body),
            ("ResendConfirmationCode", format!(r#"{{"ClientId":"{CLIENT}","Username":"ann","SecretHash":"{hash}"}}"#))
        );
        let r = forgot_password(&config(), None, "ann", &[]).unwrap();
        assert_eq!((r.operation, r.body), ("ForgotPassword", format!(r#"{{"ClientId":"{CLIENT}","Username":"ann"}}"#)));
        let r = confirm_forgot_password(&config(), None, "ann", "999", &Password::new("N3w!pass"), &[]).unwrap();
        assert_eq!(
            r.body,
            format!(r#"{{"ClientId":"{CLIENT}","Username":"ann","ConfirmationCode":"999","Password":"N3w!pass"}}"#)
        );
        // Input checks before anything is sent.
        let empty = Password::new("");
        let bad =
            SignUpInput { username: "ann", password: &empty, attributes: &[], validation_data: &[], metadata: &[] };
        assert_eq!(sign_up(&config(), None, &bad).unwrap_err().code, Code::InvalidInput);
        assert_eq!(confirm_sign_up(&config(), None, "", "1", &[]).unwrap_err().code, Code::InvalidInput);
        assert_eq!(confirm_sign_up(&config(), None, "ann", "", &[]).unwrap_err().code, Code::InvalidInput);
        assert!(confirm_forgot_password(&config(), None, "ann", "1", &empty, &[]).is_err());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn token_requests() {
        let c = config();
        let t = "tok";
        let cases = [
            (
                change_password(&c, t, &Password::new("a"), &Password::new("b")).unwrap(),
                "ChangePassword",
                r#"{"AccessToken":"tok","PreviousPassword":"a","ProposedPassword":"b"}"#,
            ),
            (get_user(&c, t).unwrap(), "GetUser", r#"{"AccessToken":"tok"}"#),
            (
                update_user_attributes(&c, t, &pairs(&[("email", "n@example.com")]), &[]).unwrap(),
                "UpdateUserAttributes",
                r#"{"AccessToken":"tok","UserAttributes":[{"Name":"email","Value":"n@example.com"}]}"#,
            ),
            (
                get_user_attribute_verification_code(&c, t, "email", &[]).unwrap(),
                "GetUserAttributeVerificationCode",
                r#"{"AccessToken":"tok","AttributeName":"email"}"#,
            ),
            (
                verify_user_attribute(&c, t, "email", "123").unwrap(),
                "VerifyUserAttribute",
                r#"{"AccessToken":"tok","AttributeName":"email","Code":"123"}"#,
            ),
            (
                delete_user_attributes(&c, t, &["name".into(), "locale".into()]).unwrap(),
                "DeleteUserAttributes",
                r#"{"AccessToken":"tok","UserAttributeNames":["name","locale"]}"#,
            ),
            (
                set_user_mfa_preference(&c, t, Some(MfaSetting::Disabled), Some(MfaSetting::Preferred), None).unwrap(),
                "SetUserMFAPreference",
                r#"{"AccessToken":"tok","SMSMfaSettings":{"Enabled":false,"PreferredMfa":false},"SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true}}"#,
            ),
            (
                set_user_mfa_preference(&c, t, None, None, Some(MfaSetting::Enabled)).unwrap(),
                "SetUserMFAPreference",
                r#"{"AccessToken":"tok","EmailMfaSettings":{"Enabled":true,"PreferredMfa":false}}"#,
            ),
            (associate_software_token(&c, t).unwrap(), "AssociateSoftwareToken", r#"{"AccessToken":"tok"}"#),
            (
                verify_software_token(&c, t, "123456", Some("Phone")).unwrap(),
                "VerifySoftwareToken",
                r#"{"AccessToken":"tok","UserCode":"123456","FriendlyDeviceName":"Phone"}"#,
            ),
            (delete_user(&c, t).unwrap(), "DeleteUser", r#"{"AccessToken":"tok"}"#),
        ];
        for (req, op, body) in cases {
            assert_eq!((req.operation, req.body.as_str()), (op, body));
        }
        assert!(get_user(&c, "").is_err());
        assert!(update_user_attributes(&c, t, &[], &[]).is_err());
        assert!(delete_user_attributes(&c, t, &[]).is_err());
        assert!(set_user_mfa_preference(&c, t, None, None, None).is_err());
        assert!(verify_software_token(&c, t, "", None).is_err());
        assert_eq!(MfaSetting::parse("preferred"), Some(MfaSetting::Preferred));
        assert_eq!(MfaSetting::parse("on"), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn replies() {
        let r = parse_sign_up(&ok(r#"{"UserConfirmed":false,"UserSub":"u-1","CodeDeliveryDetails":{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"a***@e***"}}"#)).unwrap();
        assert_eq!(
            r.to_text(),
            r#"{"userConfirmed":false,"userSub":"u-1","codeDelivery":{"medium":"EMAIL","destination":"a***@e***","attributeName":"email"}}"#
        );
        let r = parse_sign_up(&ok(r#"{"UserConfirmed":true,"UserSub":"u-2"}"#)).unwrap();
        assert_eq!(r.to_text(), r#"{"userConfirmed":true,"userSub":"u-2","codeDelivery":null}"#);
        assert_eq!(parse_sign_up(&ok("{}")).unwrap_err().code, Code::InvalidResponse);
        let r = parse_code_delivery(&ok(
            r#"{"CodeDeliveryDetails":{"DeliveryMedium":"SMS","Destination":"+*******0123"}}"#,
        ))
        .unwrap();
        assert_eq!(r.to_text(), r#"{"codeDelivery":{"medium":"SMS","destination":"+*******0123"}}"#);
        let r = parse_update_attributes(&ok(r#"{"CodeDeliveryDetailsList":[{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"n***@e***"}]}"#)).unwrap();
        assert_eq!(
            r.to_text(),
            r#"{"codeDeliveries":[{"medium":"EMAIL","destination":"n***@e***","attributeName":"email"}]}"#
        );
        assert_eq!(parse_update_attributes(&ok("{}")).unwrap().to_text(), r#"{"codeDeliveries":[]}"#);
        let r = parse_get_user(&ok(r#"{"Username":"ann","UserAttributes":[{"Name":"sub","Value":"u-1"},{"Name":"email","Value":"a@example.com"}],"PreferredMfaSetting":"SOFTWARE_TOKEN_MFA","UserMFASettingList":["SOFTWARE_TOKEN_MFA"]}"#)).unwrap();
        assert_eq!(
            r.to_text(),
            r#"{"username":"ann","attributes":{"sub":"u-1","email":"a@example.com"},"preferredMfa":"SOFTWARE_TOKEN_MFA","mfaMethods":["SOFTWARE_TOKEN_MFA"]}"#
        );
        let r = parse_get_user(&ok(r#"{"Username":"bob","UserAttributes":[]}"#)).unwrap();
        assert_eq!(r.to_text(), r#"{"username":"bob","attributes":{},"preferredMfa":null,"mfaMethods":[]}"#);
        assert_eq!(parse_associate(&ok(r#"{"SecretCode":"ABC"}"#)).unwrap(), "ABC");
        assert!(parse_associate(&ok("{}")).is_err());
        assert!(parse_verify_software_token(&ok(r#"{"Status":"SUCCESS"}"#)).is_ok());
        assert_eq!(
            parse_verify_software_token(&ok(r#"{"Status":"ERROR"}"#)).unwrap_err().code,
            Code::Service("EnableSoftwareTokenMFAException".into())
        );
        let e = parse_empty(&HttpResponse {
            status: 400,
            body: r#"{"__type":"CodeMismatchException","message":"m"}"#.into(),
            error_type: None,
            date_s: 0,
        })
        .unwrap_err();
        assert_eq!(e.code, Code::Service("CodeMismatchException".into()));
        assert!(parse_empty(&ok("{}")).is_ok());
        // ConfirmSignUp: Cognito's Session when there is one ({} from older servers).
        assert_eq!(
            parse_confirm_sign_up(&ok(r#"{"Session":"s-1"}"#)).unwrap().as_deref().map(String::as_str),
            Some("s-1")
        );
        assert!(parse_confirm_sign_up(&ok("{}")).unwrap().is_none());
        assert!(parse_confirm_sign_up(&ok(r#"{"Session":""}"#)).unwrap().is_none());
    }
}
