//! Remembered devices: ConfirmDevice after a sign-in with `NewDeviceMetadata`, device SRP on
//! the next sign-in, and `rememberDevice` / `forgetDevice` / `listDevices`.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::account::json_to_js;
use super::{new_ephemeral, opt_string, set, to_js, CognitoAuth, Inner};
use crate::device::{self, DeviceSecrets, NewDevice, PASSWORD_BYTES, SALT_BYTES};
use crate::error::Error;
use crate::session::{last_user_key, Session};
use crate::srp::SrpClient;
use crate::web::{self, retry};

fn device_name() -> String {
    let nav = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).unwrap_or(JsValue::UNDEFINED);
    Reflect::get(&nav, &JsValue::from_str("userAgent"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| String::from("cognito-wasm"))
}

/// The device calls, a closed set: `Forget` (destructive) is reached only from
/// `forgetDevice`, never by an unmatched name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DeviceOp {
    List,
    Remember,
    NotRemember,
    Forget,
}

impl Inner {
    /// The device to offer for a sign-in as `username`: the one stored for that name, else
    /// the last user's (the flow only uses it if Cognito's USER_ID_FOR_SRP is its owner).
    /// The device stored for `username` (storage reads are async: the three keys first).
    async fn stored_device(&self, username: &str) -> Option<DeviceSecrets> {
        let cid = self.config.client_id();
        let mut vals: Vec<(String, String)> = Vec::with_capacity(3);
        for k in device::device_storage_keys(cid, username) {
            let v = self.store.get(&k).await?;
            vals.push((k, v));
        }
        device::load_device(cid, username, |k| vals.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    pub(crate) async fn device_for_sign_in(&self, username: &str) -> Result<Option<(DeviceSecrets, SrpClient)>, Error> {
        let cid = self.config.client_id();
        let mut found = self.stored_device(username).await;
        if found.is_none() {
            if let Some(last) = self.store.get(&last_user_key(cid)).await.filter(|l| l != username) {
                found = self.stored_device(&last).await;
            }
        }
        match found {
            Some(d) => Ok(Some((d, new_ephemeral()?))),
            None => Ok(None),
        }
    }

    /// Forgets `owner`'s device on this browser.
    pub(crate) async fn forget_local_device(&self, owner: &str) {
        for k in device::device_storage_keys(self.config.client_id(), owner) {
            self.store.remove(&k).await;
        }
    }

    /// ConfirmDevice for a new device; stores its secrets. Returns `{deviceKey, remembered}`,
    /// or null when Cognito refused it (the sign-in itself stands).
    pub(crate) async fn confirm_new_device(&self, s: &Session, nd: &NewDevice) -> JsValue {
        let mut pw = zeroize::Zeroizing::new([0u8; PASSWORD_BYTES]);
        let mut salt = [0u8; SALT_BYTES];
        if web::random_bytes(&mut pw[..]).is_err() || web::random_bytes(&mut salt).is_err() {
            return JsValue::NULL;
        }
        let Ok((secrets, req)) =
            device::confirm_device(&self.config, &s.access_token, &s.username, nd, &pw, &salt, &device_name())
        else {
            return JsValue::NULL;
        };
        let confirmation_needed = match retry::send(&req).await.and_then(|r| device::parse_confirm_device(&r)) {
            Ok(v) => v,
            Err(_) => return JsValue::NULL,
        };
        self.store.set_all(&device::device_entries(self.config.client_id(), &secrets)).await;
        let o = Object::new();
        set(&o, "deviceKey", &JsValue::from_str(&nd.key));
        set(&o, "remembered", &JsValue::from_bool(!confirmation_needed));
        o.into()
    }

    async fn current_device(self: &Rc<Self>) -> Result<(Session, Option<String>), Error> {
        let s = self.fresh_session().await?;
        let k = device::device_storage_keys(self.config.client_id(), &s.username);
        let key = self.store.get(&k[0]).await.filter(|v| !v.is_empty());
        Ok((s, key))
    }

    async fn device_call(self: &Rc<Self>, op: DeviceOp, input: JsValue) -> Result<JsValue, Error> {
        let (s, current) = self.current_device().await?;
        let token = s.access_token.as_str();
        match op {
            DeviceOp::List => {
                let resp = retry::send(&device::list_devices(&self.config, token)?).await?;
                Ok(json_to_js(&device::parse_list_devices(&resp)?))
            }
            DeviceOp::Remember | DeviceOp::NotRemember => {
                let key = current.ok_or_else(|| Error::invalid_input("this browser has no device key for the user"))?;
                let req = device::update_device_status(&self.config, token, &key, op == DeviceOp::Remember)?;
                crate::account::parse_empty(&retry::send(&req).await?)?;
                Ok(JsValue::UNDEFINED)
            }
            DeviceOp::Forget => {
                let given = if input.is_object() { opt_string(&input, "deviceKey")? } else { None };
                let key = given
                    .or(current.clone())
                    .ok_or_else(|| Error::invalid_input("no deviceKey given and none stored"))?;
                let req = device::forget_device(&self.config, token, &key)?;
                crate::account::parse_empty(&retry::send(&req).await?)?;
                if current.as_deref() == Some(key.as_str()) {
                    self.forget_local_device(&s.username).await;
                }
                Ok(JsValue::UNDEFINED)
            }
        }
    }
}

#[wasm_bindgen]
impl CognitoAuth {
    /// UpdateDeviceStatus(remembered) for this browser's device (pools that remember devices
    /// on the user's opt-in).
    #[wasm_bindgen(js_name = rememberDevice)]
    pub fn remember_device(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.device_call(DeviceOp::Remember, JsValue::UNDEFINED).await.map_err(to_js) })
    }

    /// UpdateDeviceStatus(not_remembered) for this browser's device: MFA applies again.
    #[wasm_bindgen(js_name = doNotRememberDevice)]
    pub fn do_not_remember_device(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(
            async move { inner.device_call(DeviceOp::NotRemember, JsValue::UNDEFINED).await.map_err(to_js) },
        )
    }

    /// ForgetDevice (this browser's device, or `{deviceKey}`); forgets it locally too.
    #[wasm_bindgen(js_name = forgetDevice)]
    pub fn forget_device(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.device_call(DeviceOp::Forget, input).await.map_err(to_js) })
    }

    /// ListDevices (first page).
    #[wasm_bindgen(js_name = listDevices)]
    pub fn list_devices(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.device_call(DeviceOp::List, JsValue::UNDEFINED).await.map_err(to_js) })
    }
}
