//! Sends a call, retrying throttled or failed calls that are safe to repeat (the policy is
//! the pure `crate::retry`), with the backoff slept on `setTimeout`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;
use crate::protocol::{self, HttpRequest, HttpResponse};
use crate::retry;

/// Waits `ms` milliseconds (immediately if `setTimeout` is missing).
pub async fn sleep_ms(ms: u32) {
    let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
        let global = js_sys::global();
        let timer =
            Reflect::get(&global, &JsValue::from_str("setTimeout")).ok().and_then(|f| f.dyn_into::<Function>().ok());
        let scheduled = timer.is_some_and(|f| f.call2(&global, &resolve, &JsValue::from(ms)).is_ok());
        if !scheduled {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// [`super::fetch::send`] with backoff: a throttled (TooManyRequests, LimitExceeded), 5xx
/// or network failure of an operation that is safe to repeat is tried again, up to
/// [`retry::MAX_ATTEMPTS`] tries. The last reply (or error) is returned as is.
pub async fn send(req: &HttpRequest) -> Result<HttpResponse, Error> {
    let mut attempt = 1;
    loop {
        let result = super::fetch::send(req).await;
        let failure = match &result {
            Ok(r) if (200..300).contains(&r.status) => None,
            Ok(r) => Some(protocol::parse_error(r)),
            Err(e) => Some(e.clone()),
        };
        match failure {
            Some(e) if retry::should_retry(req.operation, attempt, &e) => {
                let mut b = [0u8; 4];
                let random = if super::random_bytes(&mut b).is_ok() { u32::from_le_bytes(b) } else { 0 };
                sleep_ms(retry::backoff_ms(attempt, random)).await;
                attempt += 1;
            }
            _ => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::*;

    use crate::protocol::HttpRequest;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen(inline_js = r#"
    export function install_sequence(statuses) {
      const saved = globalThis.fetch;
      globalThis.__calls = 0;
      globalThis.fetch = async () => {
        const st = statuses[Math.min(globalThis.__calls, statuses.length - 1)];
        globalThis.__calls++;
        const body = st === 200 ? '{}' : JSON.stringify({ __type: st === 429 ? 'TooManyRequestsException' : 'InternalErrorException', message: 'm' });
        return new Response(body, { status: st === 429 ? 400 : st });
      };
      return () => { globalThis.fetch = saved; };
    }
    export function calls() { return globalThis.__calls; }
    "#)]
    extern "C" {
        fn install_sequence(statuses: Vec<u16>) -> js_sys::Function;
        fn calls() -> u32;
    }

    fn req(op: &'static str) -> HttpRequest {
        HttpRequest { url: String::from("http://127.0.0.1:9/"), operation: op, body: String::from("{}") }
    }

    #[wasm_bindgen_test]
    async fn safe_operations_are_retried_with_backoff() {
        // 429 = TooManyRequestsException (HTTP 400).
        let restore = install_sequence(vec![429, 500, 200]);
        let r = super::send(&req("GetUser")).await.unwrap();
        assert_eq!((r.status, calls()), (200, 3));
        let _ = restore.call0(&JsValue::NULL);

        let restore = install_sequence(vec![429]);
        let r = super::send(&req("GetUser")).await.unwrap();
        assert_eq!((r.status, calls()), (400, crate::retry::MAX_ATTEMPTS));
        let _ = restore.call0(&JsValue::NULL);
    }

    #[wasm_bindgen_test]
    async fn one_time_operations_are_not_repeated() {
        let restore = install_sequence(vec![429, 200]);
        let r = super::send(&req("ConfirmSignUp")).await.unwrap();
        assert_eq!((r.status, calls()), (400, 1));
        let _ = restore.call0(&JsValue::NULL);
        let restore = install_sequence(vec![500, 200]);
        let r = super::send(&req("RespondToAuthChallenge")).await.unwrap();
        assert_eq!((r.status, calls()), (500, 1));
        let _ = restore.call0(&JsValue::NULL);
    }
}
