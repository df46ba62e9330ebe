//! Password sign-in (USER_SRP_AUTH). (The current session and sign-out: session.rs.)

use alloc::rc::Rc;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{challenge_to_js, new_ephemeral, req_string, require_object, session_to_js, set, to_js, CognitoAuth, Inner};
use crate::error::Error;
use crate::flow::{Password, SignIn, Step};
use crate::refresh::TokenSource;
use crate::web::{self, fetch};

impl Inner {
    async fn sign_in(self: &Rc<Self>, input: JsValue) -> Result<JsValue, Error> {
        require_object(&input, "signIn input")?;
        let username = req_string(&input, "username")?;
        let password = Password::new(&req_string(&input, "password")?);
        let prepared = self.prepared.borrow_mut().take();
        let srp = match prepared {
            Some(srp) => srp,
            None => new_ephemeral()?,
        };
        let (mut flow, mut req) = SignIn::start_with(&self.config, None, &username, password, srp)?;
        // USER_SRP_AUTH takes two round trips; the bound is a guard, not a retry loop.
        for _ in 0..4 {
            let resp = fetch::send(&req).await?;
            match flow.handle(&resp, web::now_ms())? {
                Step::Send(next, next_req) => {
                    flow = next;
                    req = next_req;
                }
                Step::Challenge(c) => {
                    let v = challenge_to_js(&c);
                    *self.pending.borrow_mut() = Some(c);
                    return Ok(v);
                }
                Step::SignedIn(s) => {
                    self.pending.borrow_mut().take();
                    self.session_started(&s, TokenSource::UserPool).await;
                    let o = Object::new();
                    set(&o, "type", &"signedIn".into());
                    set(&o, "session", &session_to_js(&s));
                    return Ok(o.into());
                }
            }
        }
        Err(Error::invalid_response("Cognito kept the sign-in going for too many steps"))
    }
}

#[wasm_bindgen]
impl CognitoAuth {
    /// Signs in with USER_SRP_AUTH.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self, input: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { inner.sign_in(input).await.map_err(to_js) })
    }

    /// Computes the SRP ephemeral pair (a, A = 2^a mod N) for the next `signIn` now, so the
    /// sign-in itself only does the password-dependent half. Call it when the sign-in form
    /// is shown. Each pair is used once; calling again replaces it.
    #[wasm_bindgen(js_name = prepareSignIn)]
    pub fn prepare_sign_in(&self) -> Result<(), JsValue> {
        let srp = new_ephemeral().map_err(to_js)?;
        *self.inner.prepared.borrow_mut() = Some(srp);
        Ok(())
    }
}
