//! Native reference timing for the SRP client computation (the lower limit for the wasm
//! build). Run: `cargo run --release --example srp_bench`.
use cognito_wasm::srp::{claim_signature, SrpClient, EPHEMERAL_BYTES};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    // B and salt from tests/vectors/srp-vectors.json (srp-001); any valid B costs the same.
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/vectors/srp-vectors.json").unwrap()).unwrap();
    let v = &vectors["srpVectors"][0];
    let (b, salt) = (v["B"].as_str().unwrap(), v["salt"].as_str().unwrap());
    let runs = 21;
    let (mut ta, mut tk) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let a = [0x5a ^ i as u8; EPHEMERAL_BYTES];
        let t0 = Instant::now();
        let c = SrpClient::new(&a).unwrap();
        let _ = c.public_hex();
        let t1 = Instant::now();
        let k = c.password_key("EmuPool01", "dave-the-tester", "correct horse battery staple", salt, b).unwrap();
        let _ = claim_signature(&k, "EmuPool01", "dave-the-tester", b"block", "Tue Jan 2 03:04:05 UTC 2024");
        let t2 = Instant::now();
        ta.push((t1 - t0).as_secs_f64() * 1e3);
        tk.push((t2 - t1).as_secs_f64() * 1e3);
    }
    let (a, k) = (median(ta), median(tk));
    println!(
        "{{\"impl\":\"native Rust (x86_64, release)\",\"runs\":{runs},\"A_ms\":{a:.2},\"key_sig_ms\":{k:.2},\"total_ms\":{:.2}}}",
        a + k
    );
}
