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

/// One `DeviceType` as the app's device object (`crate::device::parse_list_devices`' items);
/// `None` without a `DeviceKey`.
#[cfg(feature = "devices")]
fn device(d: &Json) -> Option<String> {
    let key = d.str_field("DeviceKey")?;
    let attrs = name_values(d.get("DeviceAttributes"));
    let attr = |n: &str| attrs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
    let mut b = Body::new();
    b.str("deviceKey", key).opt_str("name", attr("device_name"));
    b.raw("remembered", if attr("dev:device_remembered_status") == Some("remembered") { "true" } else { "false" });
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
    Some(b.end())
}

/// One ListDevices page: its devices appended to `items` (comma-separated, the text between
/// `[` and `]` of `crate::device::parse_list_devices`' list), and its `PaginationToken`.
#[cfg(feature = "devices")]
pub fn devices_page(resp: &HttpResponse, items: &mut String) -> Result<Option<String>, Error> {
    let body = parse_success(resp).map_err(|e| e.for_reply(resp.status))?;
    if let Some(Json::Arr(list)) = body.get("Devices") {
        for d in list.iter().filter_map(device) {
            if !items.is_empty() {
                items.push(',');
            }
            items.push_str(&d);
        }
    }
    Ok(body.str_field("PaginationToken").filter(|t| !t.is_empty()).map(String::from))
}

/// GetDevice → `crate::device::parse_get_device`'s value as text.
#[cfg(feature = "devices")]
pub fn get_device(resp: &HttpResponse) -> Result<String, Error> {
    let body = parse_success(resp).map_err(|e| e.for_reply(resp.status))?;
    body.get("Device").and_then(device).ok_or_else(|| Error::invalid_response("GetDevice reply lacks Device"))
}

/// `{medium, destination, attributeName}` (the members present) from a
/// `CodeDeliveryDetails` object.
#[cfg(feature = "account")]
fn delivery(d: &Json) -> String {
    let mut o = Body::new();
    for (from, to) in [("DeliveryMedium", "medium"), ("Destination", "destination"), ("AttributeName", "attributeName")]
    {
        if let Some(v) = d.str_field(from) {
            o.str(to, v);
        }
    }
    o.end()
}

/// ResendConfirmationCode, ForgotPassword, GetUserAttributeVerificationCode →
/// `crate::account::parse_code_delivery`'s value as text.
#[cfg(feature = "account")]
pub fn code_delivery(resp: &HttpResponse) -> Result<String, Error> {
    let body = parse_success(resp)?;
    let d = body.get("CodeDeliveryDetails").filter(|d| d.as_obj().is_some());
    let mut b = Body::new();
    b.raw("codeDelivery", &d.map_or(String::from("null"), delivery));
    Ok(b.end())
}

/// UpdateUserAttributes → `crate::account::parse_update_attributes`'s value as text.
#[cfg(feature = "account")]
pub fn update_attributes(resp: &HttpResponse) -> Result<String, Error> {
    let body = parse_success(resp)?;
    let mut list = String::from("[");
    if let Some(Json::Arr(items)) = body.get("CodeDeliveryDetailsList") {
        for (i, d) in items.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            list.push_str(&delivery(d));
        }
    }
    list.push(']');
    let mut b = Body::new();
    b.raw("codeDeliveries", &list);
    Ok(b.end())
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
            Some(Json::Arr(items)) => crate::json::strings_of(items),
            _ => Vec::new(),
        };
        b.list("mfaMethods", &methods);
        Ok(b.end())
    })();
    r.map_err(|e: Error| e.for_reply(resp.status))
}

/// One ListWebAuthnCredentials page: its passkeys appended to `items` (the text between
/// `[` and `]` of `crate::passkey::parse_list_passkeys`'s list, comma-separated), and its
/// `NextToken`.
#[cfg(feature = "passkeys")]
pub fn passkeys_page(resp: &HttpResponse, items: &mut String) -> Result<Option<String>, Error> {
    let body = parse_success(resp).map_err(|e| e.for_reply(resp.status))?;
    if let Some(Json::Arr(list)) = body.get("Credentials") {
        for c in list {
            let Some(id) = c.str_field("CredentialId") else { continue };
            let transports: Vec<&str> = match c.get("AuthenticatorTransports") {
                Some(Json::Arr(t)) => t.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            let created = match c.get("CreatedAt") {
                Some(Json::Num(n)) => crate::device::epoch_ms(n),
                _ => None,
            };
            let mut b = Body::new();
            b.str("credentialId", id).opt_str("friendlyName", c.str_field("FriendlyCredentialName"));
            b.opt_str("relyingPartyId", c.str_field("RelyingPartyId"));
            b.opt_str("authenticatorAttachment", c.str_field("AuthenticatorAttachment"));
            b.list("transports", &transports)
                .raw("createdAt", &created.map_or(String::from("null"), crate::timestamp::decimal));
            if !items.is_empty() {
                items.push(',');
            }
            items.push_str(&b.end());
        }
    }
    Ok(body.str_field("NextToken").filter(|t| !t.is_empty()).map(String::from))
}

/// `listPasskeys`' result: `{passkeys: [items], nextToken}`.
#[cfg(feature = "passkeys")]
pub fn passkeys_result(items: &str, next: Option<&str>) -> String {
    let mut list = String::from("[");
    list.push_str(items);
    list.push(']');
    let mut b = Body::new();
    b.raw("passkeys", &list).opt_str("nextToken", next);
    b.end()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn replies() -> Vec<HttpResponse> {
        let ok = |body: &str| HttpResponse { status: 200, body: body.into(), error_type: None, date_s: 0 };
        vec![
            ok("{}"),
            ok("[]"),
            ok("nope"),
            HttpResponse {
                status: 400,
                body: r#"{"__type":"NotAuthorizedException","message":"m"}"#.into(),
                error_type: None,
                date_s: 0,
            },
            HttpResponse { status: 500, body: String::new(), error_type: None, date_s: 0 },
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

    #[cfg(feature = "passkeys")]
    #[test]
    fn passkey_pages_are_the_core_parsers_bytes() {
        let ok = |body: &str| HttpResponse { status: 200, body: body.into(), error_type: None, date_s: 0 };
        let mut all = replies();
        all.push(ok(r#"{"Credentials":[{"CredentialId":"c1","FriendlyCredentialName":"Key \"1\"","RelyingPartyId":"rp","AuthenticatorAttachment":"platform","AuthenticatorTransports":["usb",2,"nfc"],"CreatedAt":1700000000.25},{"FriendlyCredentialName":"no id"},{"CredentialId":"c2","AuthenticatorTransports":"x","CreatedAt":"1"}],"NextToken":"n\u0001"}"#));
        all.push(ok(r#"{"Credentials":[],"NextToken":""}"#));
        all.push(ok(r#"{"Credentials":{},"NextToken":7}"#));
        // Page by page, as `listPasskeys` gathers them: the same text as one `Json` list.
        let (mut items, mut tree) = (String::new(), Vec::new());
        for r in &all {
            let mine = passkeys_page(r, &mut items);
            let core = crate::passkey::parse_list_passkeys(r);
            match (mine, core) {
                (Ok(next), Ok((mut list, core_next))) => {
                    assert_eq!(next, core_next, "{}", r.body);
                    tree.append(&mut list);
                    let want = Json::Obj(alloc::vec![
                        (String::from("passkeys"), Json::Arr(tree.clone())),
                        (String::from("nextToken"), next.clone().map_or(Json::Null, Json::Str)),
                    ]);
                    assert_eq!(passkeys_result(&items, next.as_deref()), want.to_text(), "{}", r.body);
                }
                (mine, core) => assert_eq!(mine.unwrap_err(), core.err().unwrap(), "{}", r.body),
            }
        }
        assert!(items.starts_with(r#"{"credentialId":"c1","friendlyName":"Key \"1\"","relyingPartyId":"rp","authenticatorAttachment":"platform","transports":["usb","nfc"],"createdAt":1700000000250},{"credentialId":"c2","friendlyName":null,"#));
    }

    #[cfg(feature = "devices")]
    #[test]
    fn list_devices_is_the_core_parsers_bytes() {
        let list = |r: &HttpResponse| {
            let mut items = String::new();
            devices_page(r, &mut items).map(|_| format!("[{items}]"))
        };
        for r in replies() {
            assert_eq!(list(&r), crate::device::parse_list_devices(&r).map(|j| j.to_text()), "{}", r.body);
            let one = HttpResponse { body: format!(r#"{{"Device":{}}}"#, r.body), ..r.clone() };
            assert_eq!(get_device(&one), crate::device::parse_get_device(&one).map(|j| j.to_text()), "{}", one.body);
        }
        let r = &replies()[7];
        // `17e8`: a date with an exponent, as AWS writes them (`1.7E9`), is read.
        assert_eq!(
            list(r).unwrap(),
            r#"[{"deviceKey":"k1","name":"Phone \"1\"","remembered":true,"createdAt":1700000000500,"lastModifiedAt":null,"lastAuthenticatedAt":1700000000000,"attributes":{"device_name":"Phone \"1\"","dev:device_remembered_status":"remembered","device_name":"dup"}},{"deviceKey":"k2","name":null,"remembered":false,"createdAt":null,"lastModifiedAt":null,"lastAuthenticatedAt":null,"attributes":{"dev:device_remembered_status":"not_remembered"}}]"#
        );
        let ok = |body: &str| HttpResponse { status: 200, body: body.into(), error_type: None, date_s: 0 };
        let mut items = String::from("x");
        assert_eq!(
            devices_page(&ok(r#"{"Devices":[{"DeviceKey":"k3"}],"PaginationToken":"p2"}"#), &mut items)
                .unwrap()
                .as_deref(),
            Some("p2")
        );
        assert!(items.starts_with(r#"x,{"deviceKey":"k3","name":null,"#), "{items}");
        assert_eq!(devices_page(&ok(r#"{"Devices":[],"PaginationToken":""}"#), &mut items).unwrap(), None);
        assert_eq!(
            get_device(&ok(r#"{"Device":{"DeviceKey":"k1","DeviceCreateDate":2}}"#)).unwrap(),
            r#"{"deviceKey":"k1","name":null,"remembered":false,"createdAt":2000,"lastModifiedAt":null,"lastAuthenticatedAt":null,"attributes":{}}"#
        );
        assert_eq!(get_device(&ok("{}")).unwrap_err().code, crate::error::Code::InvalidResponse);
    }

    #[cfg(feature = "account")]
    #[test]
    fn code_deliveries_are_the_core_parsers_bytes() {
        let ok = |body: &str| HttpResponse { status: 200, body: body.into(), error_type: None, date_s: 0 };
        let mut all = replies();
        for body in [
            r#"{"CodeDeliveryDetails":{"DeliveryMedium":"EMAIL","Destination":"a***@b\"c","AttributeName":"email"}}"#,
            r#"{"CodeDeliveryDetails":{"Destination":"+1***","DeliveryMedium":1}}"#,
            r#"{"CodeDeliveryDetails":{}}"#,
            r#"{"CodeDeliveryDetails":"x"}"#,
            r#"{"CodeDeliveryDetailsList":[{"DeliveryMedium":"SMS","AttributeName":"phone_number"},7,{}]}"#,
            r#"{"CodeDeliveryDetailsList":{}}"#,
        ] {
            all.push(ok(body));
        }
        for r in &all {
            assert_eq!(code_delivery(r), crate::account::parse_code_delivery(r).map(|j| j.to_text()), "{}", r.body);
            assert_eq!(
                update_attributes(r),
                crate::account::parse_update_attributes(r).map(|j| j.to_text()),
                "{}",
                r.body
            );
        }
        assert_eq!(update_attributes(all.last().unwrap()).unwrap(), r#"{"codeDeliveries":[]}"#);
        assert_eq!(
            code_delivery(&all[all.len() - 6]).unwrap(),
            r#"{"codeDelivery":{"medium":"EMAIL","destination":"a***@b\"c","attributeName":"email"}}"#
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
