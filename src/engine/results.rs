//! Results the app receives, written from the reply member by member (`requests::Body`)
//! instead of built as a `Json` tree and then written: the bytes of the pure core's parsers
//! followed by `to_text` (checked below).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use super::requests::Body;
use crate::error::Error;
use crate::json::Json;
use crate::protocol::{parse_success, HttpResponse};

/// `[{Name, Value}]` → the `(name, value)` pairs with both strings.
fn name_values(list: Option<&Json>) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    if let Some(Json::Arr(items)) = list {
        for a in items {
            if let (Some(n), Some(v)) = (a.str_field("Name"), a.str_field("Value")) {
                out.push((n, v));
            }
        }
    }
    out
}

/// ListDevices → `crate::device::parse_list_devices`'s value as text.
#[cfg(feature = "devices")]
pub fn list_devices(resp: &HttpResponse) -> Result<String, Error> {
    let body = parse_success(resp).map_err(|e| e.for_reply(resp.status))?;
    let mut out = String::from("[");
    if let Some(Json::Arr(items)) = body.get("Devices") {
        for d in items {
            let Some(key) = d.str_field("DeviceKey") else { continue };
            let attrs = name_values(d.get("DeviceAttributes"));
            let attr = |n: &str| attrs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
            let mut b = Body::new();
            b.str("deviceKey", key).opt_str("name", attr("device_name"));
            b.raw(
                "remembered",
                if attr("dev:device_remembered_status") == Some("remembered") { "true" } else { "false" },
            );
            for (to, from) in [
                ("createdAt", "DeviceCreateDate"),
                ("lastModifiedAt", "DeviceLastModifiedDate"),
                ("lastAuthenticatedAt", "DeviceLastAuthenticatedDate"),
            ] {
                let ms = match d.get(from) {
                    Some(Json::Num(n)) => crate::device::epoch_ms(n),
                    _ => None,
                };
                b.raw(to, &ms.map_or(String::from("null"), crate::timestamp::decimal));
            }
            b.pairs("attributes", &attrs);
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&b.end());
        }
    }
    out.push(']');
    Ok(out)
}

/// GetUser → `crate::account::parse_get_user`'s value as text.
#[cfg(feature = "account")]
pub fn get_user(resp: &HttpResponse) -> Result<String, Error> {
    let r = (|| {
        let body = parse_success(resp)?;
        let username =
            body.str_field("Username").ok_or_else(|| Error::invalid_response("GetUser reply lacks Username"))?;
        let mut b = Body::new();
        b.str("username", username).pairs("attributes", &name_values(body.get("UserAttributes")));
        b.opt_str("preferredMfa", body.str_field("PreferredMfaSetting"));
        let methods: Vec<String> = match body.get("UserMFASettingList") {
            Some(Json::Arr(items)) => items.iter().filter_map(|m| m.as_str().map(String::from)).collect(),
            _ => Vec::new(),
        };
        b.list("mfaMethods", &methods);
        Ok(b.end())
    })();
    r.map_err(|e: Error| e.for_reply(resp.status))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn replies() -> Vec<HttpResponse> {
        let ok = |body: &str| HttpResponse { status: 200, body: body.into(), error_type: None };
        vec![
            ok("{}"),
            ok("[]"),
            ok("nope"),
            HttpResponse {
                status: 400,
                body: r#"{"__type":"NotAuthorizedException","message":"m"}"#.into(),
                error_type: None,
            },
            HttpResponse { status: 500, body: String::new(), error_type: None },
            ok(r#"{"Devices":[]}"#),
            ok(r#"{"Devices":{}}"#),
            ok(
                r#"{"Devices":[{"DeviceKey":"k1","DeviceAttributes":[{"Name":"device_name","Value":"Phone \"1\""},{"Name":"dev:device_remembered_status","Value":"remembered"},{"Name":"x","Value":1},{"Name":"device_name","Value":"dup"}],"DeviceCreateDate":1700000000.5,"DeviceLastModifiedDate":"1","DeviceLastAuthenticatedDate":17e8},{"Name":"no key"},{"DeviceKey":"k2","DeviceAttributes":[{"Name":"dev:device_remembered_status","Value":"not_remembered"}],"DeviceCreateDate":-1}]}"#,
            ),
            ok(r#"{"Username":"al ice"}"#),
            ok(
                r#"{"Username":"u","UserAttributes":[{"Name":"email","Value":"a@b"},{"Name":"n"},{"Name":"sub","Value":"s\n"}],"PreferredMfaSetting":"SOFTWARE_TOKEN_MFA","UserMFASettingList":["SMS_MFA",1,"SOFTWARE_TOKEN_MFA"]}"#,
            ),
            ok(r#"{"Username":"u","UserAttributes":{},"PreferredMfaSetting":2,"UserMFASettingList":"x"}"#),
        ]
    }

    #[cfg(feature = "devices")]
    #[test]
    fn list_devices_is_the_core_parsers_bytes() {
        for r in replies() {
            assert_eq!(list_devices(&r), crate::device::parse_list_devices(&r).map(|j| j.to_text()), "{}", r.body);
        }
        let r = &replies()[7];
        assert_eq!(
            list_devices(r).unwrap(),
            r#"[{"deviceKey":"k1","name":"Phone \"1\"","remembered":true,"createdAt":1700000000500,"lastModifiedAt":null,"lastAuthenticatedAt":null,"attributes":{"device_name":"Phone \"1\"","dev:device_remembered_status":"remembered","device_name":"dup"}},{"deviceKey":"k2","name":null,"remembered":false,"createdAt":null,"lastModifiedAt":null,"lastAuthenticatedAt":null,"attributes":{"dev:device_remembered_status":"not_remembered"}}]"#
        );
    }

    #[cfg(feature = "account")]
    #[test]
    fn get_user_is_the_core_parsers_bytes() {
        for r in replies() {
            assert_eq!(get_user(&r), crate::account::parse_get_user(&r).map(|j| j.to_text()), "{}", r.body);
        }
        assert_eq!(
            get_user(&replies()[9]).unwrap(),
            r#"{"username":"u","attributes":{"email":"a@b","sub":"s\n"},"preferredMfa":"SOFTWARE_TOKEN_MFA","mfaMethods":["SMS_MFA","SOFTWARE_TOKEN_MFA"]}"#
        );
    }
}
