//! Optional cross-check: the real amazon-cognito-identity-js (node) and pycognito sign in
//! against the emulator binary. Uses the installs that tests/vectors/generate.sh creates
//! (tests/vectors/node_modules, tests/vectors/.venv) or COGNITO_EMU_CIJ / COGNITO_EMU_PYTHON;
//! each part skips with a note when its tools are not there.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/demo-pool.json");
const SUPPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors");

struct Emulator(Child, String);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(extra: &[&str]) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--quiet", "--config", FIXTURE])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cognito-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim_end().rsplit(' ').next().unwrap().to_string();
    Emulator(child, url)
}

fn run(cmd: &mut Command) -> Vec<String> {
    let out = cmd.output().expect("run cross-check client");
    assert!(out.status.success(), "client failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

fn works(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

#[test]
fn amazon_cognito_identity_js_signs_in() {
    let module = std::env::var_os("COGNITO_EMU_CIJ")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(VECTORS).join("node_modules/amazon-cognito-identity-js"));
    if !module.join("package.json").exists() || !works(Command::new("node").arg("--version")) {
        eprintln!("note: node or amazon-cognito-identity-js not found; skipping the CIJ cross-check");
        return;
    }
    let emu = start(&[]);
    let lines = run(Command::new("node").arg(format!("{SUPPORT}/cij-signin.cjs")).arg(&emu.1).arg(&module));
    assert_eq!(
        lines,
        [
            "demo OK demo",
            "refresh OK demo",
            "alias OK alice",
            "wrong-password ERR NotAuthorizedException",
            "unknown-user ERR NotAuthorizedException",
            "unconfirmed ERR UserNotConfirmedException",
        ]
    );
}

#[test]
fn pycognito_signs_in() {
    let python = std::env::var_os("COGNITO_EMU_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(VECTORS).join(".venv/bin/python"));
    if !works(Command::new(&python).args(["-c", "import pycognito, boto3"])) {
        eprintln!("note: python with pycognito + boto3 not found; skipping the pycognito cross-check");
        return;
    }
    let emu = start(&["--session-optional", "true"]);
    let lines = run(Command::new(&python).arg(format!("{SUPPORT}/pycognito_signin.py")).arg(&emu.1));
    assert_eq!(lines, ["demo OK demo", "alias OK alice", "wrong-password ERR NotAuthorizedException"]);
}
