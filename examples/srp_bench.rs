//! Native reference timings for the SRP client computation (the lower limit for the wasm
//! build), with each step on its own. Run: `cargo run --release --example srp_bench`.
use cognito_wasm::bigint::{pow2_mod, pow_mod, U3072};
use cognito_wasm::srp::{claim_signature, SrpClient, EPHEMERAL_BYTES};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut(usize)) -> f64 {
    median(
        (0..runs)
            .map(|i| {
                let t0 = Instant::now();
                f(i);
                t0.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

fn main() {
    // B and salt from tests/vectors/srp-vectors.json (srp-001); any valid B costs the same.
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/vectors/srp-vectors.json").unwrap()).unwrap();
    let v = &vectors["srpVectors"][0];
    let (b, salt) = (v["B"].as_str().unwrap(), v["salt"].as_str().unwrap());
    let runs = 21;
    let a_ms = time(runs, |i| {
        let c = SrpClient::new(&[0x5a ^ i as u8; EPHEMERAL_BYTES]).unwrap();
        let _ = c.public_hex();
    });
    let client = SrpClient::new(&[0x5a; EPHEMERAL_BYTES]).unwrap();
    let key_sig_ms = time(runs, |_| {
        let k = client.password_key("EmuPool01", "dave-the-tester", "correct horse battery staple", salt, b).unwrap();
        let _ = claim_signature(&k, "EmuPool01", "dave-the-tester", b"block", "Tue Jan 2 03:04:05 UTC 2024");
    });
    // The big steps inside, on their own.
    let a1024_ms = time(runs, |i| {
        std::hint::black_box(pow2_mod(&[0x5a ^ i as u8; 128]));
    });
    let gx_ms = time(runs, |i| {
        std::hint::black_box(pow2_mod(&[0x33 ^ i as u8; 32]));
    });
    let base = U3072::from_be_bytes(&[0x77; 380]).unwrap();
    let s_ms = time(runs, |i| {
        std::hint::black_box(pow_mod(&base, &[0x44 ^ i as u8; 64]));
    });
    println!(
        "{{\"impl\":\"native Rust (x86_64, release)\",\"runs\":{runs},\"A_ms\":{a_ms:.2},\"key_sig_ms\":{key_sig_ms:.2},\"total_ms\":{:.2},\
         \"steps\":{{\"A_384bit_a\":{a_ms:.2},\"A_1024bit_a_like_CIJ\":{a1024_ms:.2},\"g_pow_x_256bit\":{gx_ms:.2},\"S_512bit_exponent\":{s_ms:.2}}}}}",
        a_ms + key_sig_ms
    );
}
