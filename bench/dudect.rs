//! dudect-style timing-leak check for the SRP arithmetic (Reparaz, Balasch, Verbauwhede,
//! "Dude, is my code constant time?", DATE 2017): time one operation many times with its
//! secret drawn from two classes — a fixed value (all zero, the case that ran fastest before
//! the carry fix) and fresh random values — with the class of each run chosen at random so
//! that machine drift hits both alike, then compare the two timing distributions with
//! Welch's t. |t| < 4.5 is dudect's threshold for "no leak detected".
//!
//! Operations: A = 2^a (48-byte a), g^x = 2^x (32-byte x), and S = (B − k·g^x)^(a + u·x)
//! (the exponent built with `mul_be`/`add_be` as in `srp.rs`, the base secret too since it
//! depends on x; u is public and random in both classes).
//!
//! Run: `cargo run --release --example dudect -- [RUNS] [OP ...] [--cpu]` (RUNS per
//! operation, default 100000; OP is `A`, `gx` or `S`, default all three). Each run is timed
//! by the wall clock (`Instant`), or with `--cpu` by the thread's CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`), which time spent descheduled on a shared machine does not
//! reach. Not part of `cargo test`.
use cognito_wasm::bigint::{add_be, mul_be, pow2_mod, pow_mod, N_BYTES, U3072};
use std::hint::black_box;
use std::time::Instant;

/// The calling thread's CPU time in nanoseconds.
fn thread_cpu_ns() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

/// Nanoseconds `f` took, by the chosen clock.
fn timed(cpu: bool, f: impl FnOnce()) -> f64 {
    if cpu {
        let t0 = thread_cpu_ns();
        f();
        thread_cpu_ns() - t0
    } else {
        let t0 = Instant::now();
        f();
        t0.elapsed().as_nanos() as f64
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = (self.next() >> 56) as u8;
        }
    }
}

/// Running mean and variance (Welford) of one class.
#[derive(Default, Clone, Copy)]
struct Stat {
    n: f64,
    mean: f64,
    m2: f64,
}
impl Stat {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }
    fn var(&self) -> f64 {
        self.m2 / (self.n - 1.0)
    }
}

fn welch_t(a: &Stat, b: &Stat) -> f64 {
    (a.mean - b.mean) / (a.var() / a.n + b.var() / b.n).sqrt()
}

/// One secret input, prepared before the clock starts.
#[allow(clippy::large_enum_variant)] // inputs sit in a Vec prepared before timing; no moves while timed
enum Input {
    Exp(Vec<u8>),
    S { base: U3072, a: Vec<u8>, u: Vec<u8>, x: Vec<u8> },
}

fn random_below_n(rng: &mut Rng) -> U3072 {
    let mut bytes = [0u8; 384];
    rng.fill(&mut bytes);
    bytes[0] &= 0x7f; // < 2^3071 < N
    U3072::from_be_bytes(&bytes).unwrap()
}

fn make_input(op: &str, fixed: bool, rng: &mut Rng) -> Input {
    let secret = |len: usize, rng: &mut Rng| {
        let mut v = vec![0u8; len];
        if !fixed {
            rng.fill(&mut v);
        }
        v
    };
    match op {
        "A" => Input::Exp(secret(48, rng)),
        "gx" => Input::Exp(secret(32, rng)),
        _ => {
            let mut u = vec![0u8; 32];
            rng.fill(&mut u);
            let base = if fixed { U3072::from_be_bytes(&N_BYTES[..200]).unwrap() } else { random_below_n(rng) };
            Input::S { base, a: secret(48, rng), u, x: secret(32, rng) }
        }
    }
}

fn run(input: &Input) {
    match input {
        Input::Exp(e) => {
            black_box(pow2_mod(black_box(e)));
        }
        Input::S { base, a, u, x } => {
            let ux = mul_be(black_box(u), black_box(x));
            let exp = add_be(black_box(a), &ux);
            black_box(pow_mod(black_box(base), &exp));
        }
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let cpu = args.iter().any(|a| a == "--cpu");
    args.retain(|a| a != "--cpu");
    let runs: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let mut ops: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    if ops.is_empty() {
        ops = vec!["A", "gx", "S"];
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ std::process::id() as u64);
    println!("# clock: {}", if cpu { "thread CPU time" } else { "wall" });
    println!(
        "op\truns\tfixed_n\trandom_n\tfixed_mean_us\trandom_mean_us\tt\tt_crop_p50\tt_crop_p90\tmax_abs_t\tverdict"
    );
    for op in ops {
        // Warm up, and take crop thresholds (dudect keeps several: measurements above a
        // percentile are dropped from a second and third test, against scheduler outliers).
        let mut warm: Vec<f64> = (0..200)
            .map(|i| {
                let inp = make_input(op, i % 2 == 0, &mut rng);
                timed(cpu, || run(&inp))
            })
            .collect();
        warm.sort_by(|a, b| a.total_cmp(b));
        let crops = [f64::INFINITY, warm[warm.len() / 2] * 1.05, warm[warm.len() * 9 / 10]];
        let mut stats = [[Stat::default(); 2]; 3];
        let started = Instant::now();
        for i in 0..runs {
            let fixed = rng.next() & 1 == 0;
            let inp = make_input(op, fixed, &mut rng);
            let ns = timed(cpu, || run(&inp));
            for (c, &limit) in crops.iter().enumerate() {
                if ns <= limit {
                    stats[c][fixed as usize].push(ns);
                }
            }
            if (i + 1) % 10_000 == 0 {
                let t = welch_t(&stats[0][1], &stats[0][0]);
                eprintln!("{op}: {} runs, t = {t:.2}, {:.0} s", i + 1, started.elapsed().as_secs_f64());
            }
        }
        let ts: Vec<f64> = stats.iter().map(|s| welch_t(&s[1], &s[0])).collect();
        let max_abs = ts.iter().fold(0f64, |m, t| m.max(t.abs()));
        let [random, fixed] = stats[0];
        println!(
            "{op}\t{runs}\t{}\t{}\t{:.1}\t{:.1}\t{:.2}\t{:.2}\t{:.2}\t{max_abs:.2}\t{}",
            fixed.n,
            random.n,
            fixed.mean / 1e3,
            random.mean / 1e3,
            ts[0],
            ts[1],
            ts[2],
            if max_abs < 4.5 { "no leak detected" } else { "LEAK" }
        );
    }
}
