//! The raw boundary, natively: the exports JS calls (buf, configure, start, input, out_ptr),
//! with the same byte layout (64 random bytes, then the input text).

use cognito_wasm_engine::{buf, configure, input, out_ptr, start};

fn feed(text: &str, f: impl FnOnce() -> usize) -> String {
    let bytes = text.as_bytes();
    let p = buf(64 + bytes.len());
    // SAFETY: `buf` returned a buffer of exactly this length; nothing else holds it.
    let mem = unsafe { std::slice::from_raw_parts_mut(p, 64 + bytes.len()) };
    mem[..64].fill(0x5a);
    mem[64..].copy_from_slice(bytes);
    let n = f();
    // SAFETY: the engine's output buffer holds `n` bytes of UTF-8 until the next call.
    let out = unsafe { std::slice::from_raw_parts(out_ptr(), n) };
    String::from_utf8(out.to_vec()).unwrap()
}

const CONFIG: &str = r#"{"userPoolId":"us-east-1_EmuPool01","clientId":"7f3kq2m9emulatorclient0001","endpoint":"http://127.0.0.1:9229/"}"#;

// One test: the boundary has one engine per instance (a global).
#[test]
fn configure_start_and_a_call_through_the_raw_exports() {
    let bad = feed(r#"{"clientId":"x"}"#, || configure());
    assert_eq!(bad, "E\u{1f}InvalidInput\u{1f}\u{0}\u{1f}0\u{1f}userPoolId is required", "a typed code");
    let k = feed(CONFIG, || configure());
    assert_eq!(k, "K\u{1f}local\u{1f}\u{0}\u{1f}cognito-wasm.7f3kq2m9emulatorclient0001\u{1f}0", "handle 0");
    let out = feed("", || start(0, 1, 1.7e12));
    assert_eq!(out, "S\u{1f}1\u{1f}g\u{1f}CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.LastAuthUser");
    let out = feed("s1\u{1f}1\u{1f}\u{0}", || input(0, 1.7e12));
    assert_eq!(out, "", "no session: nothing to schedule");
    let out = feed("c9\u{1f}S", || input(0, 1.7e12));
    assert_eq!(out, "S\u{1f}2\u{1f}g\u{1f}CognitoIdentityServiceProvider.7f3kq2m9emulatorclient0001.LastAuthUser");
    let out = feed("s2\u{1f}1\u{1f}\u{0}", || input(0, 1.7e12));
    assert_eq!(out, "C\u{1f}9\u{1f}n", "currentSession() resolves null");
    // Sign-in (as the runner calls it): the InitiateAuth request, with the SRP A of the 64
    // bytes' first 48. A build with the challenges module (`cargo test --workspace` unifies
    // the features) first reads the user's remembered-device keys: none here.
    let mut out = feed("c10\u{1f}P\u{1f}signIn\u{1f}{\"username\":\"alice\",\"password\":\"pw\"}", || input(0, 1.7e12));
    if let Some(reads) = out.strip_prefix("S\u{1f}3\u{1f}") {
        let none = "\u{1f}\u{0}".repeat(reads.split('\u{1f}').filter(|f| *f == "g").count());
        out = feed(&format!("s3\u{1f}1{none}"), || input(0, 1.7e12));
    }
    let f: Vec<&str> = out.split('\u{1f}').collect();
    assert_eq!(&f[2..5], ["POST", "http://127.0.0.1:9229/", "30000"]);
    assert_eq!(f[0], "H");
    let id = f[1].to_string();
    assert!(f[5].starts_with(r#"{"AuthFlow":"USER_SRP_AUTH","ClientId":"7f3kq2m9emulatorclient0001","AuthParameters":{"USERNAME":"alice","SRP_A":""#));
    assert_eq!(
        &f[6..],
        [
            "Content-Type",
            "application/x-amz-json-1.1",
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.InitiateAuth"
        ]
    );
    // A wrong password: the service's code and message pass through.
    let out = feed(
        &format!("h{id}\u{1f}400\u{1f}\u{0}\u{1f}\u{0}\u{1f}{{\"__type\":\"UserNotFoundException\",\"message\":\"User does not exist.\"}}"),
        || input(0, 1.7e12),
    );
    assert_eq!(out, "C\u{1f}10\u{1f}e\u{1f}UserNotFoundException\u{1f}400\u{1f}0\u{1f}User does not exist.");
    // Garbage is ignored, not a trap.
    assert_eq!(feed("zzz", || input(0, 1.7e12)), "");
    assert_eq!(feed("h99\u{1f}200\u{1f}\u{0}\u{1f}\u{0}\u{1f}{}", || input(0, 1.7e12)), "", "unknown task");
    assert_eq!(feed("c11\u{1f}S", || input(7, 1.7e12)), "", "unknown client handle");
    // An operation this build does not know is a typed error, not a call that never ends.
    let out = feed("c12\u{1f}P\u{1f}noSuchOperation\u{1f}{}", || input(0, 1.7e12));
    assert!(out.starts_with("C\u{1f}12\u{1f}e\u{1f}InvalidInput\u{1f}"), "{out}");
    // A second client gets its own handle; a freed one answers nothing.
    let k = feed(CONFIG, || configure());
    assert!(k.ends_with("\u{1f}1"), "{k}");
    cognito_wasm_engine::free(1);
    assert_eq!(feed("c13\u{1f}S", || input(1, 1.7e12)), "");
}
