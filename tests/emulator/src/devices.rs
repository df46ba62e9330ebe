//! Device tracking: NewDeviceMetadata, ConfirmDevice (stores the device verifier),
//! DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER (real SRP against that verifier, group key as
//! the pool name and device key as the user id), UpdateDeviceStatus, ForgetDevice,
//! ListDevices (paged: `Limit`, `PaginationToken`), GetDevice. Enabled per client with `"deviceTracking": "ALWAYS" | "OPT_IN"`.

use crate::pool::{get_str, random_bytes, uuid_v4, ApiError, ApiResult, Pool, TIMESTAMP_SKEW};
use crate::srp;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use serde_json::{json, Map, Value};

pub const OPERATIONS: [&str; 5] = ["ConfirmDevice", "UpdateDeviceStatus", "ForgetDevice", "ListDevices", "GetDevice"];

#[derive(Clone)]
pub struct Device {
    pub key: String,
    pub group_key: String,
    pub name: Option<String>,
    /// Salt bytes as the client sent them (padHex form).
    pub salt: Vec<u8>,
    /// None until ConfirmDevice.
    pub verifier: Option<BigUint>,
    pub remembered: bool,
    pub created: i64,
    pub modified: i64,
    pub last_auth: i64,
}

/// Server state between DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
pub struct DeviceSrp {
    key: String,
    group_key: String,
    a_pub: BigUint,
    b: BigUint,
    b_pub: BigUint,
    v: BigUint,
    secret_block: Vec<u8>,
}

fn not_found() -> ApiError {
    ApiError::new("ResourceNotFoundException", "Device does not exist.")
}

impl Pool {
    /// `NewDeviceMetadata` for a sign-in without a device, when the client tracks devices.
    pub(crate) fn new_device_metadata(&self, user: usize, client_id: &str, now: i64) -> Option<Value> {
        self.ext.device_tracking.get(client_id)?;
        let region = self.pool_id.split('_').next().unwrap_or("us-east-1");
        let key = format!("{region}_{}", uuid_v4());
        let group_key = format!("-{}", URL_SAFE_NO_PAD.encode(random_bytes(6)));
        self.users()[user].ext.devices.push(Device {
            key: key.clone(),
            group_key: group_key.clone(),
            name: None,
            salt: vec![],
            verifier: None,
            remembered: false,
            created: now,
            modified: now,
            last_auth: now,
        });
        Some(json!({ "DeviceKey": key, "DeviceGroupKey": group_key }))
    }

    /// DEVICE_KEY sent by a client: it must be one of the user's confirmed devices.
    pub(crate) fn check_device(&self, user: usize, key: &str) -> Result<(), ApiError> {
        let users = self.users();
        users[user].ext.devices.iter().any(|d| d.key == key && d.verifier.is_some()).then_some(()).ok_or_else(not_found)
    }

    pub(crate) fn device_remembered(&self, user: usize, key: &str) -> bool {
        self.users()[user].ext.devices.iter().any(|d| d.key == key && d.remembered && d.verifier.is_some())
    }

    /// DEVICE_SRP_AUTH: B from the device verifier → DEVICE_PASSWORD_VERIFIER parameters.
    pub(crate) fn device_srp_start(&self, user: usize, key: &str, a_hex: &str) -> Result<(Value, DeviceSrp), ApiError> {
        let a_pub = srp::parse_hex(a_hex)
            .filter(|_| a_hex.len() <= 1024)
            .ok_or_else(|| ApiError::invalid_parameter("SRP_A must be a hexadecimal number"))?;
        if (&a_pub % srp::n()) == BigUint::default() {
            return Err(ApiError::not_authorized(crate::pool::INCORRECT));
        }
        let (group_key, salt, v) = {
            let users = self.users();
            let d = users[user].ext.devices.iter().find(|d| d.key == key).ok_or_else(not_found)?;
            (d.group_key.clone(), d.salt.clone(), d.verifier.clone().ok_or_else(not_found)?)
        };
        let (b, b_pub) = loop {
            let b = srp::random_nonzero(64);
            let b_pub = srp::compute_b_pub(&v, &b);
            if b_pub != BigUint::default() {
                break (b, b_pub);
            }
        };
        let secret_block = random_bytes(128);
        let username = self.users()[user].username.clone();
        let params = json!({
            "SRP_B": format!("{b_pub:x}"),
            "SALT": srp::to_hex(&salt),
            "SECRET_BLOCK": STANDARD.encode(&secret_block),
            "USERNAME": username,
            "DEVICE_KEY": key,
        });
        Ok((params, DeviceSrp { key: key.into(), group_key, a_pub, b, b_pub, v, secret_block }))
    }

    /// DEVICE_PASSWORD_VERIFIER: the claim, checked like PASSWORD_VERIFIER's.
    pub(crate) fn device_srp_verify(&self, d: &DeviceSrp, resp: &Map<String, Value>, now: i64) -> bool {
        let field = |k: &str| get_str(resp, k).unwrap_or("");
        if field("DEVICE_KEY") != d.key
            || STANDARD.decode(field("PASSWORD_CLAIM_SECRET_BLOCK")).ok().as_deref() != Some(&d.secret_block[..])
        {
            return false;
        }
        let timestamp = field("TIMESTAMP");
        match srp::parse_timestamp(timestamp) {
            Some(ts) if (now - ts).abs() <= TIMESTAMP_SKEW => {}
            _ => return false,
        }
        let Ok(claimed) = STANDARD.decode(field("PASSWORD_CLAIM_SIGNATURE")) else { return false };
        srp::ServerProof {
            a_pub: &d.a_pub,
            b_pub: &d.b_pub,
            b: &d.b,
            v: &d.v,
            pool_name: &d.group_key,
            user_id: &d.key,
            secret_block: &d.secret_block,
            timestamp,
        }
        .verify(&claimed)
    }

    pub(crate) fn device_authenticated(&self, user: usize, key: &str, now: i64) {
        if let Some(d) = self.users()[user].ext.devices.iter_mut().find(|d| d.key == key) {
            d.last_auth = now;
        }
    }

    pub(crate) fn device_operation(&self, op: &str, req: &Map<String, Value>, now: i64) -> ApiResult {
        let user = self.user_for_access_token(get_str(req, "AccessToken")?, now)?;
        if op == "ListDevices" {
            return self.list_devices(user, req);
        }
        let key = get_str(req, "DeviceKey")?;
        let client_tracking = {
            // The token's client decides ALWAYS / OPT_IN for ConfirmDevice.
            let token = get_str(req, "AccessToken")?;
            let claims = self.signer.verify(token).unwrap_or(Value::Null);
            claims["client_id"].as_str().and_then(|c| self.ext.device_tracking.get(c).cloned())
        };
        let mut users = self.users();
        let devices = &mut users[user].ext.devices;
        let i = devices.iter().position(|d| d.key == key).ok_or_else(not_found)?;
        match op {
            "ConfirmDevice" => {
                let cfg = match req.get("DeviceSecretVerifierConfig") {
                    Some(Value::Object(m)) => m,
                    _ => {
                        return Err(ApiError::invalid_parameter(
                            "Missing required parameter DeviceSecretVerifierConfig",
                        ))
                    }
                };
                let decode = |k: &str| -> Result<Vec<u8>, ApiError> {
                    STANDARD
                        .decode(get_str(cfg, k)?)
                        .ok()
                        .filter(|b| !b.is_empty())
                        .ok_or_else(|| ApiError::invalid_parameter(format!("{k} must be base64")))
                };
                let (v, salt) = (decode("PasswordVerifier")?, decode("Salt")?);
                let d = &mut devices[i];
                if d.verifier.is_some() {
                    return Err(ApiError::invalid_parameter("Device already confirmed"));
                }
                d.verifier = Some(BigUint::from_bytes_be(&v));
                d.salt = salt;
                d.name = req.get("DeviceName").and_then(Value::as_str).map(String::from);
                let opt_in = client_tracking.as_deref() == Some("OPT_IN");
                d.remembered = !opt_in;
                d.modified = now;
                Ok(json!({ "UserConfirmationNecessary": opt_in }))
            }
            "UpdateDeviceStatus" => {
                let status = get_str(req, "DeviceRememberedStatus")?;
                if status != "remembered" && status != "not_remembered" {
                    return Err(ApiError::invalid_parameter(
                        "DeviceRememberedStatus must be remembered or not_remembered",
                    ));
                }
                let d = &mut devices[i];
                d.remembered = status == "remembered";
                d.modified = now;
                Ok(json!({}))
            }
            "GetDevice" => Ok(json!({ "Device": device_json(&devices[i]) })),
            _ => {
                devices.remove(i);
                Ok(json!({}))
            }
        }
    }
}

impl Pool {
    /// ListDevices: the confirmed devices in creation order, `Limit` (0..60, Cognito's range;
    /// 0 or absent: 60) at a time, with an opaque `PaginationToken` while more follow. A
    /// token that is not one this user was given is an InvalidParameterException.
    fn list_devices(&self, user: usize, req: &Map<String, Value>) -> ApiResult {
        let limit = match req.get("Limit") {
            None | Some(Value::Null) => 60,
            Some(v) => match v.as_u64() {
                Some(0) => 60,
                Some(n @ 1..=60) => n as usize,
                _ => {
                    return Err(ApiError::invalid_parameter(
                        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
                    ))
                }
            },
        };
        let users = self.users();
        let username = &users[user].username;
        let start = match req.get("PaginationToken") {
            None | Some(Value::Null) => 0,
            Some(Value::String(t)) => {
                parse_page_token(t, username).ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token"))?
            }
            Some(_) => return Err(ApiError::invalid_parameter("PaginationToken must be a string")),
        };
        let confirmed: Vec<&Device> = users[user].ext.devices.iter().filter(|d| d.verifier.is_some()).collect();
        if start > confirmed.len() {
            return Err(ApiError::invalid_parameter("Invalid pagination token"));
        }
        let page: Vec<Value> = confirmed.iter().skip(start).take(limit).map(|d| device_json(d)).collect();
        let mut out = json!({ "Devices": page });
        if start + limit < confirmed.len() {
            out["PaginationToken"] = json!(URL_SAFE_NO_PAD.encode(format!("devices:{username}:{}", start + limit)));
        }
        Ok(out)
    }
}

/// The offset a ListDevices token stands for, when it was issued to `username`.
fn parse_page_token(t: &str, username: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(t).ok()?;
    let rest = std::str::from_utf8(&raw).ok()?.strip_prefix("devices:")?;
    let (who, n) = rest.rsplit_once(':')?;
    (who == username).then_some(())?;
    n.parse().ok()
}

fn device_json(d: &Device) -> Value {
    let status = if d.remembered { "remembered" } else { "not_remembered" };
    let mut attrs = vec![
        json!({"Name": "device_status", "Value": "valid"}),
        json!({"Name": "dev:device_remembered_status", "Value": status}),
        json!({"Name": "last_ip_used", "Value": "127.0.0.1"}),
    ];
    if let Some(n) = &d.name {
        attrs.push(json!({"Name": "device_name", "Value": n}));
    }
    json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attrs,
        // Written as Cognito writes dates: `1.7E9` (`server::aws_date`).
        "DeviceCreateDate": crate::server::aws_date(d.created * 1000),
        "DeviceLastModifiedDate": crate::server::aws_date(d.modified * 1000),
        "DeviceLastAuthenticatedDate": crate::server::aws_date(d.last_auth * 1000),
    })
}

#[cfg(test)]
mod tests {
    use crate::pool::tests::{signer, NOW};
    use crate::pool::{ClientConfig, Config, Pool, UserConfig};
    use crate::srp;
    use crate::test_srp_client::{timestamp, SrpClient};
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    use num_bigint::BigUint;
    use serde_json::{json, Value};

    const ALWAYS: &str = "alwaysclient";
    const OPT_IN: &str = "optinclient";

    fn pool() -> Pool {
        let config = Config {
            user_pool_id: "us-east-1_EmuPool01".into(),
            clients: vec![
                ClientConfig {
                    client_id: ALWAYS.into(),
                    client_secret: None,
                    device_tracking: Some("ALWAYS".into()),
                    ..Default::default()
                },
                ClientConfig {
                    client_id: OPT_IN.into(),
                    client_secret: None,
                    device_tracking: Some("OPT_IN".into()),
                    ..Default::default()
                },
            ],
            users: vec![
                UserConfig {
                    username: "dev".into(),
                    password: "Passw0rd!".into(),
                    attributes: [("email".to_string(), "dev@example.com".to_string())].into_iter().collect(),
                    status: "CONFIRMED".into(),
                    sub: None,
                    mfa: crate::challenges::MfaConfig {
                        totp_secret: Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into()),
                        ..Default::default()
                    },
                },
                UserConfig {
                    username: "many".into(),
                    password: "Passw0rd!".into(),
                    attributes: Default::default(),
                    status: "CONFIRMED".into(),
                    sub: None,
                    mfa: Default::default(),
                },
            ],
            prevent_user_existence_errors: true,
            token_ttl_seconds: 3600,
            session_optional: false,
            identity: Default::default(),
            auth: crate::challenges::PoolAuthConfig {
                mfa_configuration: Some("OPTIONAL".into()),
                ..Default::default()
            },
            issuer: None,
        };
        Pool::new(config, "http://127.0.0.1:9229", signer()).unwrap()
    }

    fn call(p: &Pool, op: &str, body: Value) -> Result<Value, String> {
        p.handle(op, body.to_string().as_bytes(), NOW).map_err(|e| e.code)
    }

    /// SRP sign-in (with an optional DEVICE_KEY) up to the reply after PASSWORD_VERIFIER.
    fn srp_sign_in(p: &Pool, client: &str, device: Option<&str>) -> Result<Value, String> {
        let c = SrpClient::new();
        let mut params = json!({"USERNAME": "dev", "SRP_A": c.a_hex()});
        if let Some(d) = device {
            params["DEVICE_KEY"] = json!(d);
        }
        let ch = call(
            p,
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params}),
        )?;
        let q = &ch["ChallengeParameters"];
        let s = |k: &str| q[k].as_str().unwrap().to_string();
        let ts = timestamp(NOW);
        let sig = c.signature("EmuPool01", "dev", "Passw0rd!", &s("SALT"), &s("SRP_B"), &s("SECRET_BLOCK"), &ts);
        call(
            p,
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "Session": ch["Session"],
            "ChallengeResponses": {"USERNAME": "dev", "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"), "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}}),
        )
    }

    fn totp_answer(p: &Pool, client: &str, ch: &Value) -> Value {
        let code = crate::challenges::hotp(
            &crate::challenges::base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
            (NOW / 30) as u64,
            6,
        );
        call(
            p,
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": ch["Session"],
            "ChallengeResponses": {"USERNAME": "dev", "SOFTWARE_TOKEN_MFA_CODE": code}}),
        )
        .unwrap()
    }

    /// The client's side of ConfirmDevice: salt, verifier for `password`.
    fn confirm(p: &Pool, access: &str, key: &str, group: &str, password: &str) -> Value {
        let salt = BigUint::from_bytes_be(&[0x9a; 16]);
        let v = srp::compute_verifier(&salt, group, key, password);
        call(p, "ConfirmDevice", json!({"AccessToken": access, "DeviceKey": key, "DeviceName": "Test",
            "DeviceSecretVerifierConfig": {"PasswordVerifier": STANDARD.encode(srp::pad_bytes(&v)), "Salt": STANDARD.encode(srp::pad_bytes(&salt))}})).unwrap()
    }

    #[test]
    fn remembered_device_skips_mfa_via_device_srp() {
        let p = pool();
        let ch = srp_sign_in(&p, ALWAYS, None).unwrap();
        assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        let r = totp_answer(&p, ALWAYS, &ch);
        let ar = &r["AuthenticationResult"];
        let key = ar["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap().to_string();
        let group = ar["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap().to_string();
        assert!(key.starts_with("us-east-1_"));
        let access = ar["AccessToken"].as_str().unwrap().to_string();
        // Not yet confirmed: unknown to sign-in.
        assert_eq!(srp_sign_in(&p, ALWAYS, Some(&key)).unwrap_err(), "ResourceNotFoundException");
        assert_eq!(confirm(&p, &access, &key, &group, "devpw")["UserConfirmationNecessary"], false);

        let ch = srp_sign_in(&p, ALWAYS, Some(&key)).unwrap();
        assert_eq!(ch["ChallengeName"], "DEVICE_SRP_AUTH");
        let c = SrpClient::new();
        let dch = call(
            &p,
            "RespondToAuthChallenge",
            json!({"ClientId": ALWAYS, "ChallengeName": "DEVICE_SRP_AUTH", "Session": ch["Session"],
            "ChallengeResponses": {"USERNAME": "dev", "DEVICE_KEY": key, "SRP_A": c.a_hex()}}),
        )
        .unwrap();
        assert_eq!(dch["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
        let q = &dch["ChallengeParameters"];
        let s = |k: &str| q[k].as_str().unwrap().to_string();
        let ts = timestamp(NOW);
        let answer = |password: &str| {
            let sig = c.signature(&group, &key, password, &s("SALT"), &s("SRP_B"), &s("SECRET_BLOCK"), &ts);
            json!({"ClientId": ALWAYS, "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": dch["Session"],
                "ChallengeResponses": {"USERNAME": "dev", "DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"), "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
        };
        assert_eq!(call(&p, "RespondToAuthChallenge", answer("wrong")).unwrap_err(), "NotAuthorizedException");
        // The session was consumed by the failure: start again, answer right.
        let ch = srp_sign_in(&p, ALWAYS, Some(&key)).unwrap();
        let c2 = SrpClient::new();
        let dch = call(
            &p,
            "RespondToAuthChallenge",
            json!({"ClientId": ALWAYS, "ChallengeName": "DEVICE_SRP_AUTH", "Session": ch["Session"],
            "ChallengeResponses": {"USERNAME": "dev", "DEVICE_KEY": key, "SRP_A": c2.a_hex()}}),
        )
        .unwrap();
        let q = &dch["ChallengeParameters"];
        let s = |k: &str| q[k].as_str().unwrap().to_string();
        let sig = c2.signature(&group, &key, "devpw", &s("SALT"), &s("SRP_B"), &s("SECRET_BLOCK"), &ts);
        let r = call(&p, "RespondToAuthChallenge", json!({"ClientId": ALWAYS, "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": dch["Session"],
            "ChallengeResponses": {"USERNAME": "dev", "DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": s("SECRET_BLOCK"), "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})).unwrap();
        assert!(r["AuthenticationResult"]["AccessToken"].is_string());
        assert!(r["AuthenticationResult"].get("NewDeviceMetadata").is_none());

        let list = call(&p, "ListDevices", json!({"AccessToken": access})).unwrap();
        assert_eq!(list["Devices"].as_array().unwrap().len(), 1);
        assert_eq!(list["Devices"][0]["DeviceKey"], key.as_str());
        assert!(list["Devices"][0]["DeviceAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({"Name": "device_name", "Value": "Test"})));
        call(
            &p,
            "UpdateDeviceStatus",
            json!({"AccessToken": access, "DeviceKey": key, "DeviceRememberedStatus": "not_remembered"}),
        )
        .unwrap();
        assert_eq!(srp_sign_in(&p, ALWAYS, Some(&key)).unwrap()["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        call(&p, "ForgetDevice", json!({"AccessToken": access, "DeviceKey": key})).unwrap();
        assert_eq!(srp_sign_in(&p, ALWAYS, Some(&key)).unwrap_err(), "ResourceNotFoundException");
        assert_eq!(
            call(&p, "ForgetDevice", json!({"AccessToken": access, "DeviceKey": key})).unwrap_err(),
            "ResourceNotFoundException"
        );
    }

    #[test]
    fn opt_in_needs_update_device_status() {
        let p = pool();
        let r = totp_answer(&p, OPT_IN, &srp_sign_in(&p, OPT_IN, None).unwrap());
        let ar = &r["AuthenticationResult"];
        let key = ar["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap().to_string();
        let group = ar["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap().to_string();
        let access = ar["AccessToken"].as_str().unwrap().to_string();
        assert_eq!(confirm(&p, &access, &key, &group, "pw")["UserConfirmationNecessary"], true);
        // Known but not remembered: MFA as usual, and no new device metadata.
        let ch = srp_sign_in(&p, OPT_IN, Some(&key)).unwrap();
        assert_eq!(ch["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        assert!(totp_answer(&p, OPT_IN, &ch)["AuthenticationResult"].get("NewDeviceMetadata").is_none());
        call(
            &p,
            "UpdateDeviceStatus",
            json!({"AccessToken": access, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}),
        )
        .unwrap();
        assert_eq!(srp_sign_in(&p, OPT_IN, Some(&key)).unwrap()["ChallengeName"], "DEVICE_SRP_AUTH");
        assert_eq!(
            call(
                &p,
                "ConfirmDevice",
                json!({"AccessToken": access, "DeviceKey": key,
            "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQ==", "Salt": "AQ=="}})
            )
            .unwrap_err(),
            "InvalidParameterException"
        );
    }

    /// `many` signs in (USER_PASSWORD_AUTH) and confirms the device it is given; → (access
    /// token, device key).
    fn new_device(p: &Pool) -> (String, String) {
        let r = call(
            p,
            "InitiateAuth",
            json!({"ClientId": ALWAYS, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "many", "PASSWORD": "Passw0rd!"}}),
        )
        .unwrap();
        let ar = &r["AuthenticationResult"];
        let key = ar["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap().to_string();
        let group = ar["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap().to_string();
        let access = ar["AccessToken"].as_str().unwrap().to_string();
        confirm(p, &access, &key, &group, "pw");
        (access, key)
    }

    #[test]
    fn list_devices_pages_and_get_device() {
        let p = pool();
        let made: Vec<(String, String)> = (0..5).map(|_| new_device(&p)).collect();
        let access = made[0].0.clone();
        let keys: Vec<String> = made.into_iter().map(|(_, k)| k).collect();
        let page = |extra: Value| {
            let mut body = json!({"AccessToken": access});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            call(&p, "ListDevices", body)
        };
        let keys_of = |v: &Value| -> Vec<String> {
            v["Devices"].as_array().unwrap().iter().map(|d| d["DeviceKey"].as_str().unwrap().to_string()).collect()
        };
        // All at once (no Limit, or 0: 60), then two at a time: every device once, in order.
        for extra in [json!({}), json!({"Limit": 0}), json!({"Limit": 60})] {
            let all = page(extra).unwrap();
            assert_eq!(keys_of(&all), keys);
            assert!(all.get("PaginationToken").is_none());
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..3 {
            let mut extra = json!({"Limit": 2});
            if let Some(t) = &token {
                extra["PaginationToken"] = json!(t);
            }
            let r = page(extra).unwrap();
            seen.extend(keys_of(&r));
            token = r.get("PaginationToken").map(|t| t.as_str().unwrap().to_string());
        }
        assert_eq!(seen, keys);
        assert!(token.is_none(), "the third page is the last");
        // Cognito's range and an invalid token are InvalidParameterException.
        for extra in [
            json!({"Limit": 61}),
            json!({"Limit": -1}),
            json!({"PaginationToken": "nope"}),
            json!({"PaginationToken": URL_SAFE_NO_PAD.encode("devices:dev:2")}),
            json!({"PaginationToken": URL_SAFE_NO_PAD.encode("devices:many:9")}),
        ] {
            assert_eq!(page(extra.clone()).unwrap_err(), "InvalidParameterException", "{extra}");
        }
        // GetDevice: the same DeviceType; an unknown key is ResourceNotFoundException.
        let one = call(&p, "GetDevice", json!({"AccessToken": access, "DeviceKey": keys[3]})).unwrap();
        assert_eq!(one["Device"], page(json!({})).unwrap()["Devices"][3]);
        assert_eq!(
            call(
                &p,
                "GetDevice",
                json!({"AccessToken": access, "DeviceKey": "us-east-1_00000000-0000-4000-8000-000000000000"})
            )
            .unwrap_err(),
            "ResourceNotFoundException"
        );
    }
}
