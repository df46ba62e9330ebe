//! Account self-service: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, ChangePassword, GetUser, UpdateUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUserAttributes,
//! SetUserMFAPreference, AssociateSoftwareToken, VerifySoftwareToken, DeleteUser.
//! Codes go to the outbox (`GET /_emulator/outbox`).

use crate::challenges::{check_password_policy, mask, new_code, totp_ok, MfaConfig, UserExt, CODE_TTL};
use crate::pool::{get_str, uuid_v4, ApiError, ApiResult, Pool, User};
use crate::srp;
use num_bigint::BigUint;
use serde_json::{json, Map, Value};

pub const OPERATIONS: [&str; 15] = [
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "GetUser",
    "UpdateUserAttributes",
    "GetUserAttributeVerificationCode",
    "VerifyUserAttribute",
    "DeleteUserAttributes",
    "SetUserMFAPreference",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "DeleteUser",
];

const READ_ONLY: [&str; 3] = ["sub", "email_verified", "phone_number_verified"];

fn attribute_list(req: &Map<String, Value>, key: &str) -> Result<Vec<(String, String)>, ApiError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                let name = x.get("Name").and_then(Value::as_str).filter(|n| !n.is_empty());
                let value = x.get("Value").and_then(Value::as_str).unwrap_or("");
                name.map(|n| (n.to_string(), value.to_string()))
                    .ok_or_else(|| ApiError::invalid_parameter(format!("{key}: every attribute needs a Name")))
            })
            .collect(),
        Some(_) => Err(ApiError::new("SerializationException", format!("{key} must be a list"))),
    }
}

fn code_delivery(attr: &str, dest: &str) -> Value {
    let medium = if attr == "phone_number" { "SMS" } else { "EMAIL" };
    json!({ "AttributeName": attr, "DeliveryMedium": medium, "Destination": mask(dest) })
}

impl Pool {
    pub(crate) fn account_operation(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        match op {
            "SignUp" => self.sign_up(req, now),
            "ConfirmSignUp" | "ResendConfirmationCode" | "ForgotPassword" | "ConfirmForgotPassword" => {
                self.code_operation(op, req, now)
            }
            op if crate::devices::OPERATIONS.contains(&op) => self.device_operation(op, req, now),
            "AssociateSoftwareToken" | "VerifySoftwareToken" if req.contains_key("Session") => {
                self.totp_setup_with_session(op, req, now)
            }
            _ => self.token_operation(op, req, now),
        }
    }

    fn send_code(&self, user: usize, purpose: &str, attr: &str, now: i64) -> Value {
        let code = new_code();
        let (username, dest) = {
            let mut users = self.users();
            let u = &mut users[user];
            u.ext.codes.retain(|(p, _, _)| p != purpose);
            u.ext.codes.push((purpose.to_string(), code.clone(), now + CODE_TTL));
            (u.username.clone(), u.attributes.get(attr).cloned().unwrap_or_default())
        };
        let medium = if attr == "phone_number" { "SMS" } else { "EMAIL" };
        self.ext.deliver(&username, medium, &dest, purpose, &code, now);
        code_delivery(attr, &dest)
    }

    /// Checks and consumes a code; CodeMismatchException / ExpiredCodeException otherwise.
    fn take_code(&self, user: usize, purpose: &str, code: &str, now: i64) -> Result<(), ApiError> {
        let mut users = self.users();
        let codes = &mut users[user].ext.codes;
        let Some(i) = codes.iter().position(|(p, _, _)| p == purpose) else {
            return Err(ApiError::new(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            ));
        };
        if codes[i].2 < now {
            return Err(ApiError::new("ExpiredCodeException", "Invalid code provided, please request a code again."));
        }
        if !srp::ct_eq(codes[i].1.as_bytes(), code.as_bytes()) {
            return Err(ApiError::new(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            ));
        }
        codes.remove(i);
        Ok(())
    }

    fn sign_up(&self, req: &Map<String, Value>, now: i64) -> ApiResult {
        let client_id = self.check_client(req)?;
        let username = get_str(req, "Username")?;
        let password = get_str(req, "Password")?;
        self.check_secret_hash(client_id, req.get("SecretHash"), username)?;
        let attrs = attribute_list(req, "UserAttributes")?;
        attribute_list(req, "ValidationData")?;
        if self.find_user(username).is_some() {
            return Err(ApiError::new("UsernameExistsException", "User already exists"));
        }
        check_password_policy(password)?;
        if attrs.iter().any(|(k, _)| READ_ONLY.contains(&k.as_str())) {
            return Err(ApiError::invalid_parameter("Cannot modify the non-mutable attribute"));
        }
        let salt = loop {
            let s = crate::pool::random_bytes(16);
            if s[0] != 0 {
                break s;
            }
        };
        let verifier = srp::compute_verifier(&BigUint::from_bytes_be(&salt), &self.pool_name, username, password);
        let sub = uuid_v4();
        let user = {
            let mut users = self.users();
            users.push(User {
                username: username.to_string(),
                attributes: attrs.into_iter().collect(),
                status: "UNCONFIRMED".into(),
                sub: sub.clone(),
                salt_hex: srp::to_hex(&salt),
                verifier,
                ext: UserExt::from_config(&MfaConfig::default()),
            });
            users.len() - 1
        };
        let has_email = self.users()[user].attributes.contains_key("email");
        let attr = if has_email { "email" } else { "phone_number" };
        let delivery = self.send_code(user, "SIGN_UP", attr, now);
        let session = self.sign_up_session(user, client_id, "SIGN_UP", now);
        Ok(json!({ "UserConfirmed": false, "UserSub": sub, "CodeDeliveryDetails": delivery, "Session": session }))
    }

    /// Operations by username with a client (and SecretHash for secret clients).
    fn code_operation(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let client_id = self.check_client(req)?;
        let username = get_str(req, "Username")?;
        self.check_secret_hash(client_id, req.get("SecretHash"), username)?;
        let Some(user) = self.find_user(username) else {
            return Err(ApiError::new("UserNotFoundException", "Username/client id combination not found."));
        };
        let status = self.users()[user].status.clone();
        let email_attr =
            |p: &Pool| if p.users()[user].attributes.contains_key("email") { "email" } else { "phone_number" };
        match op {
            "ConfirmSignUp" => {
                let code = get_str(req, "ConfirmationCode")?;
                if status != "UNCONFIRMED" {
                    return Err(ApiError::not_authorized("User cannot be confirmed. Current status is CONFIRMED"));
                }
                // SignUp's Session is optional (Amplify does not send it); a wrong one is refused.
                match req.get("Session") {
                    None | Some(Value::Null) => {}
                    Some(Value::String(id)) => self.take_sign_up_session(id, user, client_id, "SIGN_UP", now)?,
                    Some(_) => return Err(ApiError::new("SerializationException", "Session must be a string")),
                }
                self.take_code(user, "SIGN_UP", code, now)?;
                {
                    let mut users = self.users();
                    let u = &mut users[user];
                    u.status = "CONFIRMED".into();
                    let attr =
                        if u.attributes.contains_key("email") { "email_verified" } else { "phone_number_verified" };
                    u.attributes.insert(attr.into(), "true".into());
                }
                // For InitiateAuth USER_AUTH: signs the confirmed user in without a password.
                Ok(json!({ "Session": self.sign_up_session(user, client_id, "CONFIRM_SIGN_UP", now) }))
            }
            "ResendConfirmationCode" => {
                if status != "UNCONFIRMED" {
                    return Err(ApiError::invalid_parameter("User is already confirmed."));
                }
                let d = self.send_code(user, "SIGN_UP", email_attr(self), now);
                Ok(json!({ "CodeDeliveryDetails": d }))
            }
            "ForgotPassword" => {
                let d = self.send_code(user, "FORGOT_PASSWORD", email_attr(self), now);
                Ok(json!({ "CodeDeliveryDetails": d }))
            }
            _ => {
                let code = get_str(req, "ConfirmationCode")?;
                let password = get_str(req, "Password")?;
                check_password_policy(password)?;
                self.take_code(user, "FORGOT_PASSWORD", code, now)?;
                self.set_password(user, password);
                let mut users = self.users();
                if users[user].status == "RESET_REQUIRED" || users[user].status == "FORCE_CHANGE_PASSWORD" {
                    users[user].status = "CONFIRMED".into();
                }
                Ok(json!({}))
            }
        }
    }

    /// The user an access token belongs to: one this emulator issued, unexpired, not revoked
    /// (`lifecycle`), and the user not deleted.
    pub fn user_for_access_token(&self, token: &str, now: i64) -> Result<usize, ApiError> {
        let user = self.check_access_token(token, now)?;
        if self.users()[user].ext.deleted {
            return Err(ApiError::new("UserNotFoundException", "User does not exist."));
        }
        Ok(user)
    }

    fn token_operation(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let user = self.user_for_access_token(get_str(req, "AccessToken")?, now)?;
        match op {
            "ChangePassword" => {
                let prev = get_str(req, "PreviousPassword")?;
                let proposed = get_str(req, "ProposedPassword")?;
                if !self.password_matches(user, prev) {
                    return Err(ApiError::not_authorized("Incorrect username or password."));
                }
                check_password_policy(proposed)?;
                self.set_password(user, proposed);
                Ok(json!({}))
            }
            "GetUser" => {
                let users = self.users();
                let u = &users[user];
                let mut attrs = vec![json!({"Name": "sub", "Value": u.sub})];
                attrs.extend(u.attributes.iter().map(|(k, v)| json!({"Name": k, "Value": v})));
                let mut mfa = vec![];
                if u.ext.sms_mfa {
                    mfa.push("SMS_MFA");
                }
                if u.ext.email_mfa {
                    mfa.push("EMAIL_OTP");
                }
                if u.ext.totp_secret.is_some() {
                    mfa.push("SOFTWARE_TOKEN_MFA");
                }
                let mut out = json!({ "Username": u.username, "UserAttributes": attrs, "UserMFASettingList": mfa });
                if let Some(p) = &u.ext.preferred {
                    out["PreferredMfaSetting"] = json!(p);
                }
                Ok(out)
            }
            "UpdateUserAttributes" => {
                let attrs = attribute_list(req, "UserAttributes")?;
                if attrs.iter().any(|(k, _)| READ_ONLY.contains(&k.as_str())) {
                    return Err(ApiError::invalid_parameter("Cannot modify the non-mutable attribute"));
                }
                let mut to_verify = vec![];
                {
                    let mut users = self.users();
                    let u = &mut users[user];
                    for (k, v) in attrs {
                        if (k == "email" || k == "phone_number") && u.attributes.get(&k) != Some(&v) {
                            u.attributes.insert(format!("{k}_verified"), "false".into());
                            to_verify.push(k.clone());
                        }
                        u.attributes.insert(k, v);
                    }
                }
                let list: Vec<Value> =
                    to_verify.iter().map(|k| self.send_code(user, &format!("VERIFY_{k}"), k, now)).collect();
                Ok(json!({ "CodeDeliveryDetailsList": list }))
            }
            "GetUserAttributeVerificationCode" => {
                let attr = get_str(req, "AttributeName")?;
                if attr != "email" && attr != "phone_number" {
                    return Err(ApiError::invalid_parameter("Only email and phone_number can be verified"));
                }
                if !self.users()[user].attributes.contains_key(attr) {
                    return Err(ApiError::invalid_parameter(format!("The user has no {attr}")));
                }
                let d = self.send_code(user, &format!("VERIFY_{attr}"), attr, now);
                Ok(json!({ "CodeDeliveryDetails": d }))
            }
            "VerifyUserAttribute" => {
                let attr = get_str(req, "AttributeName")?;
                let code = get_str(req, "Code")?;
                self.take_code(user, &format!("VERIFY_{attr}"), code, now)?;
                self.users()[user].attributes.insert(format!("{attr}_verified"), "true".into());
                Ok(json!({}))
            }
            "DeleteUserAttributes" => {
                let names = match req.get("UserAttributeNames") {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(String::from).collect::<Vec<_>>(),
                    _ => return Err(ApiError::invalid_parameter("Missing required parameter UserAttributeNames")),
                };
                if names.iter().any(|n| READ_ONLY.contains(&n.as_str())) {
                    return Err(ApiError::invalid_parameter("Cannot delete the non-mutable attribute"));
                }
                let mut users = self.users();
                for n in names {
                    users[user].attributes.remove(&n);
                }
                Ok(json!({}))
            }
            "SetUserMFAPreference" => {
                let setting = |key: &str| -> (Option<bool>, bool) {
                    let s = req.get(key);
                    (
                        s.and_then(|s| s.get("Enabled")).and_then(Value::as_bool),
                        s.and_then(|s| s.get("PreferredMfa")).and_then(Value::as_bool).unwrap_or(false),
                    )
                };
                let (sms, sms_pref) = setting("SMSMfaSettings");
                let (totp, totp_pref) = setting("SoftwareTokenMfaSettings");
                let (email, email_pref) = setting("EmailMfaSettings");
                let mut users = self.users();
                let u = &mut users[user];
                if totp == Some(true) && u.ext.totp_secret.is_none() {
                    return Err(ApiError::invalid_parameter("User has not verified software token mfa"));
                }
                if let Some(v) = sms {
                    u.ext.sms_mfa = v;
                }
                if let Some(v) = email {
                    u.ext.email_mfa = v;
                }
                if totp == Some(false) {
                    u.ext.totp_secret = None;
                }
                for (pref, name) in
                    [(sms_pref, "SMS_MFA"), (totp_pref, "SOFTWARE_TOKEN_MFA"), (email_pref, "EMAIL_OTP")]
                {
                    if pref {
                        u.ext.preferred = Some(name.into());
                    }
                }
                Ok(json!({}))
            }
            "AssociateSoftwareToken" => {
                let secret = self.new_totp_secret(user);
                self.users()[user].ext.pending_totp = Some(secret.clone());
                Ok(json!({ "SecretCode": secret }))
            }
            "VerifySoftwareToken" => {
                let code = get_str(req, "UserCode")?;
                let mut users = self.users();
                let u = &mut users[user];
                match u.ext.pending_totp.clone() {
                    Some(s) if totp_ok(&s, code, now) => {
                        u.ext.totp_secret = Some(s);
                        u.ext.pending_totp = None;
                        Ok(json!({ "Status": "SUCCESS" }))
                    }
                    _ => Err(ApiError::new(
                        "EnableSoftwareTokenMFAException",
                        "Code mismatch and fail enable Software Token MFA",
                    )),
                }
            }
            _ => {
                // DeleteUser
                self.users()[user].ext.deleted = true;
                Ok(json!({}))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::challenges::{base32_decode, hotp, secret_hash, CustomChallenge, PoolAuthConfig};
    use crate::pool::tests::{signer, CLIENT, NOW};
    use crate::pool::{ClientConfig, Config, Pool, UserConfig};
    use serde_json::{json, Value};

    fn pool(mfa: &str) -> Pool {
        let user = |name: &str, status: &str, mfa: crate::challenges::MfaConfig| UserConfig {
            username: name.into(),
            password: "Passw0rd!".into(),
            attributes: [("email", format!("{name}@example.com")), ("phone_number", "+15555550123".into())]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            status: status.into(),
            sub: None,
            mfa,
        };
        let config = Config {
            user_pool_id: "us-east-1_EmuPool01".into(),
            clients: vec![
                ClientConfig {
                    client_id: CLIENT.into(),
                    client_secret: None,
                    device_tracking: None,
                    ..Default::default()
                },
                ClientConfig {
                    client_id: "secretclient".into(),
                    client_secret: Some("s3cret".into()),
                    device_tracking: Some("OPT_IN".into()),
                    ..Default::default()
                },
            ],
            users: vec![
                user("plain", "CONFIRMED", Default::default()),
                user("forced", "FORCE_CHANGE_PASSWORD", Default::default()),
                user("sms", "CONFIRMED", crate::challenges::MfaConfig { sms: true, ..Default::default() }),
                user(
                    "both",
                    "CONFIRMED",
                    crate::challenges::MfaConfig { sms: true, email: true, ..Default::default() },
                ),
                user(
                    "totp",
                    "CONFIRMED",
                    crate::challenges::MfaConfig {
                        totp_secret: Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()),
                        ..Default::default()
                    },
                ),
            ],
            prevent_user_existence_errors: true,
            token_ttl_seconds: 3600,
            session_optional: false,
            identity: Default::default(),
            auth: PoolAuthConfig {
                mfa_configuration: Some(mfa.into()),
                custom_challenge: Some(CustomChallenge { question: "2+2?".into(), answer: "4".into() }),
                ..Default::default()
            },
            issuer: None,
        };
        Pool::new(config, "http://127.0.0.1:9229", signer()).unwrap()
    }

    fn call(p: &Pool, op: &str, body: Value) -> Result<Value, (String, String)> {
        p.handle(op, body.to_string().as_bytes(), NOW).map_err(|e| (e.code, e.message))
    }

    fn password_auth(p: &Pool, user: &str, password: &str) -> Result<Value, (String, String)> {
        call(
            p,
            "InitiateAuth",
            json!({"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": user, "PASSWORD": password}}),
        )
    }

    fn respond(p: &Pool, ch: &Value, responses: Value) -> Result<Value, (String, String)> {
        call(
            p,
            "RespondToAuthChallenge",
            json!({"ClientId": CLIENT, "ChallengeName": ch["ChallengeName"], "Session": ch["Session"], "ChallengeResponses": responses}),
        )
    }

    fn outbox_code(p: &Pool) -> String {
        let o = p.ext.outbox_json();
        o.as_array().unwrap().last().unwrap()["code"].as_str().unwrap().to_string()
    }

    #[test]
    fn user_password_auth_and_force_change() {
        let p = pool("OFF");
        assert!(password_auth(&p, "plain", "Passw0rd!").unwrap()["AuthenticationResult"]["AccessToken"].is_string());
        assert_eq!(password_auth(&p, "plain", "wrong").unwrap_err().0, "NotAuthorizedException");
        let ch = password_auth(&p, "forced", "Passw0rd!").unwrap();
        assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
        assert_eq!(ch["ChallengeParameters"]["requiredAttributes"], "[\"userAttributes.name\"]");
        let e = respond(&p, &ch, json!({"USERNAME": "forced", "NEW_PASSWORD": "weak"})).unwrap_err();
        assert_eq!(e.0, "InvalidPasswordException");
        let e = respond(&p, &ch, json!({"USERNAME": "forced", "NEW_PASSWORD": "N3w-Passw0rd!"})).unwrap_err();
        assert_eq!(e.0, "InvalidParameterException");
        let r = respond(
            &p,
            &ch,
            json!({"USERNAME": "forced", "NEW_PASSWORD": "N3w-Passw0rd!", "userAttributes.name": "F"}),
        )
        .unwrap();
        assert!(r["AuthenticationResult"]["IdToken"].is_string());
        assert!(password_auth(&p, "forced", "N3w-Passw0rd!").unwrap()["AuthenticationResult"].is_object());
    }

    #[test]
    fn sms_select_and_totp_mfa() {
        let p = pool("OPTIONAL");
        assert!(password_auth(&p, "plain", "Passw0rd!").unwrap()["AuthenticationResult"].is_object());
        let ch = password_auth(&p, "sms", "Passw0rd!").unwrap();
        assert_eq!(ch["ChallengeName"], "SMS_MFA");
        assert_eq!(ch["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "+*******0123");
        let code = outbox_code(&p);
        assert_eq!(
            respond(&p, &ch, json!({"USERNAME": "sms", "SMS_MFA_CODE": "x"})).unwrap_err().0,
            "CodeMismatchException"
        );
        assert!(respond(&p, &ch, json!({"USERNAME": "sms", "SMS_MFA_CODE": code})).unwrap()["AuthenticationResult"]
            .is_object());

        let ch = password_auth(&p, "both", "Passw0rd!").unwrap();
        assert_eq!(ch["ChallengeName"], "SELECT_MFA_TYPE");
        assert_eq!(ch["ChallengeParameters"]["MFAS_CAN_CHOOSE"], "[\"SMS_MFA\",\"EMAIL_OTP\"]");
        let ch2 = respond(&p, &ch, json!({"USERNAME": "both", "ANSWER": "EMAIL_OTP"})).unwrap();
        assert_eq!(ch2["ChallengeName"], "EMAIL_OTP");
        assert_eq!(ch2["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "b***@e***");
        let code = outbox_code(&p);
        assert!(respond(&p, &ch2, json!({"USERNAME": "both", "EMAIL_OTP_CODE": code})).unwrap()
            ["AuthenticationResult"]
            .is_object());

        let ch = password_auth(&p, "totp", "Passw0rd!").unwrap();
        assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        let code = hotp(&base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(), (NOW / 30) as u64, 6);
        for _ in 0..2 {
            assert_eq!(
                respond(&p, &ch, json!({"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": "000000"})).unwrap_err().0,
                "CodeMismatchException"
            );
        }
        // Third wrong code ends the session.
        assert_eq!(
            respond(&p, &ch, json!({"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": "000000"})).unwrap_err().0,
            "NotAuthorizedException"
        );
        assert_eq!(
            respond(&p, &ch, json!({"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": code})).unwrap_err().0,
            "NotAuthorizedException"
        );
        let ch = password_auth(&p, "totp", "Passw0rd!").unwrap();
        assert!(respond(&p, &ch, json!({"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": code})).unwrap()
            ["AuthenticationResult"]
            .is_object());
    }

    #[test]
    fn mfa_setup_with_session() {
        let p = pool("ON");
        let ch = password_auth(&p, "plain", "Passw0rd!").unwrap();
        assert_eq!(ch["ChallengeName"], "MFA_SETUP");
        let a = call(&p, "AssociateSoftwareToken", json!({"Session": ch["Session"]})).unwrap();
        let secret = a["SecretCode"].as_str().unwrap();
        let code = hotp(&base32_decode(secret).unwrap(), (NOW / 30) as u64, 6);
        let bad = call(&p, "VerifySoftwareToken", json!({"Session": a["Session"], "UserCode": "123"})).unwrap_err();
        assert_eq!(bad.0, "EnableSoftwareTokenMFAException");
        let v = call(
            &p,
            "VerifySoftwareToken",
            json!({"Session": a["Session"], "UserCode": code, "FriendlyDeviceName": "phone"}),
        )
        .unwrap();
        assert_eq!(v["Status"], "SUCCESS");
        let r =
            respond(&p, &json!({"ChallengeName": "MFA_SETUP", "Session": v["Session"]}), json!({"USERNAME": "plain"}))
                .unwrap();
        assert!(r["AuthenticationResult"].is_object());
        assert_eq!(password_auth(&p, "plain", "Passw0rd!").unwrap()["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    }

    #[test]
    fn custom_auth_and_secret_hash() {
        let p = pool("OFF");
        let ch = call(
            &p,
            "InitiateAuth",
            json!({"ClientId": CLIENT, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": "plain"}}),
        )
        .unwrap();
        assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
        assert_eq!(ch["ChallengeParameters"]["question"], "2+2?");
        let ch2 = respond(&p, &ch, json!({"USERNAME": "plain", "ANSWER": "5"})).unwrap();
        assert_eq!(ch2["ChallengeName"], "CUSTOM_CHALLENGE");
        assert!(
            respond(&p, &ch2, json!({"USERNAME": "plain", "ANSWER": "4"})).unwrap()["AuthenticationResult"].is_object()
        );

        let init = |hash: Option<String>| {
            let mut params = json!({"USERNAME": "plain", "PASSWORD": "Passw0rd!"});
            if let Some(h) = hash {
                params["SECRET_HASH"] = json!(h);
            }
            call(
                &p,
                "InitiateAuth",
                json!({"ClientId": "secretclient", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}),
            )
        };
        assert_eq!(init(None).unwrap_err().0, "NotAuthorizedException");
        assert_eq!(init(Some(secret_hash("wrong", "plain", "secretclient"))).unwrap_err().0, "NotAuthorizedException");
        assert!(init(Some(secret_hash("s3cret", "plain", "secretclient"))).unwrap()["AuthenticationResult"].is_object());
    }

    #[test]
    fn sign_up_confirm_forgot_and_self_service() {
        let p = pool("OFF");
        let su = |name: &str, pw: &str| {
            call(
                &p,
                "SignUp",
                json!({"ClientId": CLIENT, "Username": name, "Password": pw, "UserAttributes": [{"Name": "email", "Value": "new@example.com"}]}),
            )
        };
        assert_eq!(su("plain", "Passw0rd!").unwrap_err().0, "UsernameExistsException");
        assert_eq!(su("newbie", "short").unwrap_err().0, "InvalidPasswordException");
        let r = su("newbie", "Passw0rd!").unwrap();
        assert_eq!(r["UserConfirmed"], false);
        assert_eq!(
            r["CodeDeliveryDetails"],
            json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "n***@e***"})
        );
        assert_eq!(password_auth(&p, "newbie", "Passw0rd!").unwrap_err().0, "UserNotConfirmedException");
        let confirm = |code: &str| {
            call(&p, "ConfirmSignUp", json!({"ClientId": CLIENT, "Username": "newbie", "ConfirmationCode": code}))
        };
        assert_eq!(confirm("000000x").unwrap_err().0, "CodeMismatchException");
        call(&p, "ResendConfirmationCode", json!({"ClientId": CLIENT, "Username": "newbie"})).unwrap();
        confirm(&outbox_code(&p)).unwrap();
        let tokens = password_auth(&p, "newbie", "Passw0rd!").unwrap();
        let access = tokens["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string();

        let u = call(&p, "GetUser", json!({"AccessToken": access})).unwrap();
        assert_eq!(u["Username"], "newbie");
        assert!(u["UserAttributes"].as_array().unwrap().contains(&json!({"Name": "email_verified", "Value": "true"})));
        assert_eq!(call(&p, "GetUser", json!({"AccessToken": "x.y.z"})).unwrap_err().0, "NotAuthorizedException");

        let r = call(&p, "UpdateUserAttributes", json!({"AccessToken": access, "UserAttributes": [{"Name": "email", "Value": "changed@example.com"}, {"Name": "name", "Value": "N"}]})).unwrap();
        assert_eq!(r["CodeDeliveryDetailsList"][0]["Destination"], "c***@e***");
        let code = outbox_code(&p);
        assert_eq!(
            call(&p, "VerifyUserAttribute", json!({"AccessToken": access, "AttributeName": "email", "Code": "1"}))
                .unwrap_err()
                .0,
            "CodeMismatchException"
        );
        call(&p, "VerifyUserAttribute", json!({"AccessToken": access, "AttributeName": "email", "Code": code}))
            .unwrap();
        call(&p, "DeleteUserAttributes", json!({"AccessToken": access, "UserAttributeNames": ["name"]})).unwrap();
        let u = call(&p, "GetUser", json!({"AccessToken": access})).unwrap();
        let attrs = u["UserAttributes"].as_array().unwrap();
        assert!(attrs.contains(&json!({"Name": "email", "Value": "changed@example.com"})));
        assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));
        assert!(!attrs.iter().any(|a| a["Name"] == "name"));

        assert_eq!(
            call(
                &p,
                "ChangePassword",
                json!({"AccessToken": access, "PreviousPassword": "bad", "ProposedPassword": "N3w-Passw0rd!"})
            )
            .unwrap_err()
            .0,
            "NotAuthorizedException"
        );
        call(
            &p,
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": "Passw0rd!", "ProposedPassword": "N3w-Passw0rd!"}),
        )
        .unwrap();
        assert!(password_auth(&p, "newbie", "N3w-Passw0rd!").is_ok());

        call(&p, "ForgotPassword", json!({"ClientId": CLIENT, "Username": "newbie"})).unwrap();
        let code = outbox_code(&p);
        call(
            &p,
            "ConfirmForgotPassword",
            json!({"ClientId": CLIENT, "Username": "newbie", "ConfirmationCode": code, "Password": "Th1rd-Passw0rd!"}),
        )
        .unwrap();
        assert!(password_auth(&p, "newbie", "Th1rd-Passw0rd!").is_ok());

        let a = call(&p, "AssociateSoftwareToken", json!({"AccessToken": access})).unwrap();
        assert_eq!(
            call(
                &p,
                "SetUserMFAPreference",
                json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true}})
            )
            .unwrap_err()
            .0,
            "InvalidParameterException"
        );
        let code = hotp(&base32_decode(a["SecretCode"].as_str().unwrap()).unwrap(), (NOW / 30) as u64, 6);
        call(&p, "VerifySoftwareToken", json!({"AccessToken": access, "UserCode": code})).unwrap();
        call(
            &p,
            "SetUserMFAPreference",
            json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        )
        .unwrap();
        let u = call(&p, "GetUser", json!({"AccessToken": access})).unwrap();
        assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
        assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));

        call(&p, "DeleteUser", json!({"AccessToken": access})).unwrap();
        assert_eq!(call(&p, "GetUser", json!({"AccessToken": access})).unwrap_err().0, "UserNotFoundException");
        assert_eq!(password_auth(&p, "newbie", "Th1rd-Passw0rd!").unwrap_err().0, "NotAuthorizedException");
    }
}
