//! Command-line parsing.

use crate::pool::{ClientConfig, Config, UserConfig, DEFAULT_CLIENT_ID};

pub const USAGE: &str = "usage: cognito-emulator [--port N] [--host 127.0.0.1] [--config FILE] \
[--user NAME:PASSWORD]... [--pool-id ID] [--client-id ID] [--token-ttl SECS] \
[--prevent-user-existence-errors true|false] [--session-optional true|false] [--identity-pool-id REGION:UUID] \
[--allow-unauthenticated true|false] [--credentials-ttl SECS] [--callback-url URL]... [--logout-url URL]... \
[--issuer aws|aws-updated|local|URL] [--tls-port N] [--quiet]";

#[derive(Debug)]
pub struct Options {
    pub port: u16,
    /// `--tls-port N`: also serve everything over HTTPS on this port (0 = any free port).
    pub tls_port: Option<u16>,
    pub config: Config,
    pub quiet: bool,
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

/// Parse arguments (without the program name). Reads the config file if one is given.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
    let mut port: u16 = 9229;
    let mut tls_port: Option<u16> = None;
    let mut config_file: Option<String> = None;
    let mut users: Vec<UserConfig> = Vec::new();
    let mut pool_id: Option<String> = None;
    let mut client_id: Option<String> = None;
    let mut ttl: Option<u64> = None;
    let mut prevent: Option<bool> = None;
    let mut quiet = false;
    let mut session_optional: Option<bool> = None;
    let (mut identity_pool, mut guests, mut creds_ttl): (Option<String>, Option<bool>, Option<u64>) =
        (None, None, None);
    let mut callback_urls: Vec<String> = Vec::new();
    let mut logout_urls: Vec<String> = Vec::new();
    let mut issuer: Option<String> = None;

    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Err(USAGE.into());
        }
        if name == "--quiet" {
            quiet = true;
            continue;
        }
        let mut value = || inline.clone().or_else(|| it.next()).ok_or(format!("{name} needs a value"));
        match name.as_str() {
            "--port" => port = value()?.parse().map_err(|_| "--port must be 0..65535".to_string())?,
            "--tls-port" => tls_port = Some(value()?.parse().map_err(|_| "--tls-port must be 0..65535".to_string())?),
            "--host" => {
                let host = value()?;
                if host != "127.0.0.1" && host != "localhost" {
                    return Err(format!("refusing to bind to {host:?}: the emulator only listens on 127.0.0.1"));
                }
            }
            "--config" => config_file = Some(value()?),
            "--user" => {
                let v = value()?;
                let (user, password) = v.split_once(':').ok_or("--user expects NAME:PASSWORD")?;
                if user.is_empty() || password.is_empty() {
                    return Err("--user expects NAME:PASSWORD".into());
                }
                users.push(UserConfig {
                    username: user.into(),
                    password: password.into(),
                    attributes: Default::default(),
                    status: "CONFIRMED".into(),
                    sub: None,
                    mfa: Default::default(),
                });
            }
            "--pool-id" => pool_id = Some(value()?),
            "--client-id" => client_id = Some(value()?),
            "--token-ttl" => ttl = Some(value()?.parse().map_err(|_| "--token-ttl must be a number of seconds")?),
            "--prevent-user-existence-errors" => prevent = Some(parse_bool(&value()?)?),
            "--session-optional" => session_optional = Some(parse_bool(&value()?)?),
            "--identity-pool-id" => identity_pool = Some(value()?),
            "--allow-unauthenticated" => guests = Some(parse_bool(&value()?)?),
            "--credentials-ttl" => {
                creds_ttl = Some(value()?.parse().map_err(|_| "--credentials-ttl must be a number of seconds")?)
            }
            // Hosted UI: registered for every client (tests serve the app on a random port).
            "--callback-url" => callback_urls.push(value()?),
            "--logout-url" => logout_urls.push(value()?),
            // The tokens' `iss`: Cognito's (default), `{emulator URL}/{poolId}`, or a given URL.
            "--issuer" => {
                let v = value()?;
                crate::pool::issuer_for(Some(&v), "http://127.0.0.1", "r_p")?;
                issuer = Some(v);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }

    let mut config = match &config_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            serde_json::from_str::<Config>(&text).map_err(|e| format!("invalid config {path}: {e}"))?
        }
        None => Config::default(),
    };
    if let Some(p) = pool_id {
        config.user_pool_id = p;
    }
    if let Some(c) = client_id {
        if !config.clients.iter().any(|x| x.client_id == c) {
            config.clients.push(ClientConfig { client_id: c, ..Default::default() });
        }
    } else if config.clients.is_empty() {
        config.clients.push(ClientConfig { client_id: DEFAULT_CLIENT_ID.into(), ..Default::default() });
    }
    if let Some(t) = ttl {
        config.token_ttl_seconds = t;
    }
    if let Some(p) = prevent {
        config.prevent_user_existence_errors = p;
    }
    if let Some(s) = session_optional {
        config.session_optional = s;
    }
    if let Some(p) = identity_pool {
        config.identity.identity_pool_id = p;
    }
    if let Some(g) = guests {
        config.identity.allow_unauthenticated = g;
    }
    if let Some(t) = creds_ttl {
        config.identity.credentials_ttl_seconds = t;
    }
    if issuer.is_some() {
        config.issuer = issuer;
    }
    config.users.extend(users);
    for c in &mut config.clients {
        c.callback_urls.extend(callback_urls.iter().cloned());
        c.logout_urls.extend(logout_urls.iter().cloned());
    }
    Ok(Options { port, tls_port, config, quiet })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let o = parse_args(args(&[])).unwrap();
        assert_eq!(o.port, 9229);
        assert_eq!(o.config.user_pool_id, "us-east-1_EmuPool01");
        assert_eq!(o.config.clients[0].client_id, DEFAULT_CLIENT_ID);
        let o = parse_args(args(&[
            "--port",
            "0",
            "--user",
            "bob:pa:ss",
            "--pool-id=eu-west-1_Abc",
            "--token-ttl",
            "60",
            "--prevent-user-existence-errors",
            "false",
            "--host",
            "127.0.0.1",
            "--quiet",
        ]))
        .unwrap();
        assert!(o.quiet);
        assert_eq!(o.port, 0);
        assert_eq!(o.tls_port, None);
        assert_eq!(parse_args(args(&["--tls-port", "0"])).unwrap().tls_port, Some(0));
        assert_eq!(parse_args(args(&["--tls-port=8443"])).unwrap().tls_port, Some(8443));
        assert!(parse_args(args(&["--tls-port", "x"])).is_err());
        assert_eq!(o.config.users[0].username, "bob");
        assert_eq!(o.config.users[0].password, "pa:ss");
        assert_eq!(o.config.user_pool_id, "eu-west-1_Abc");
        assert_eq!(o.config.token_ttl_seconds, 60);
        assert!(!o.config.prevent_user_existence_errors);
        let o = parse_args(args(&[
            "--identity-pool-id",
            "eu-west-1:abc",
            "--allow-unauthenticated",
            "true",
            "--credentials-ttl",
            "9",
        ]))
        .unwrap();
        assert_eq!(o.config.identity.identity_pool_id, "eu-west-1:abc");
        assert!(o.config.identity.allow_unauthenticated);
        assert_eq!(o.config.identity.credentials_ttl_seconds, 9);
        assert_eq!(o.config.issuer, None, "Cognito's issuer unless told otherwise");
        let o = parse_args(args(&["--issuer", "local"])).unwrap();
        assert_eq!(o.config.issuer.as_deref(), Some("local"));
        let o = parse_args(args(&["--issuer", "aws-updated"])).unwrap();
        assert_eq!(
            crate::pool::issuer_for(o.config.issuer.as_deref(), "http://127.0.0.1:9", "eu-west-1_Abc").unwrap(),
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc"
        );
        let o = parse_args(args(&["--issuer=https://idp.example/x"])).unwrap();
        assert_eq!(o.config.issuer.as_deref(), Some("https://idp.example/x"));
        assert!(parse_args(args(&["--issuer", "cognito"])).is_err());
    }

    #[test]
    fn refuses_non_loopback_and_junk() {
        assert!(parse_args(args(&["--host", "0.0.0.0"])).is_err());
        assert!(parse_args(args(&["--host", "192.168.1.2"])).is_err());
        assert!(parse_args(args(&["--port", "x"])).is_err());
        assert!(parse_args(args(&["--user", "nopassword"])).is_err());
        assert!(parse_args(args(&["--bogus"])).is_err());
        assert!(parse_args(args(&["--port"])).is_err());
    }

    #[test]
    fn fixture_loads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/demo-pool.json");
        let o = parse_args(args(&["--config", path])).unwrap();
        assert_eq!(o.config.user_pool_id, "us-east-1_EmuPool01");
        assert_eq!(o.config.clients[0].client_id, DEFAULT_CLIENT_ID);
        let names: Vec<_> = o.config.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["demo", "alice", "pending", "forced", "smsuser", "twofactor", "totpuser", "passkey"]);
        assert_eq!(o.config.clients[2].device_tracking.as_deref(), Some("OPT_IN"));
        assert_eq!(o.config.clients[1].client_secret.as_deref(), Some("emulator-demo-client-secret-0001"));
        // Refresh-token rotation: off on the default client, on for the rotating one.
        assert!(o.config.clients[0].refresh_token_rotation.is_none());
        let rot = o.config.clients[3].refresh_token_rotation.as_ref().unwrap();
        assert_eq!(
            (o.config.clients[3].client_id.as_str(), rot.feature.as_str(), rot.retry_grace_period_seconds),
            ("5rotatingclient0emulator1", "ENABLED", 10)
        );
        assert_eq!(o.config.auth.mfa_configuration.as_deref(), Some("OPTIONAL"));
        assert!(o.config.prevent_user_existence_errors);
        assert!(o.config.clients[0].callback_urls.contains(&"http://127.0.0.1:8080/".to_string()));
        let o = parse_args(args(&[
            "--config",
            path,
            "--callback-url",
            "http://127.0.0.1:1/",
            "--logout-url",
            "http://127.0.0.1:1/?out",
        ]))
        .unwrap();
        assert_eq!(o.config.clients[0].callback_urls.last().unwrap(), "http://127.0.0.1:1/");
        assert_eq!(o.config.clients[0].logout_urls.last().unwrap(), "http://127.0.0.1:1/?out");
    }

    /// tests/fixtures/mfa-required-pool.json (the drop-in e2e's second pool): MFA is ON, so a
    /// user without MFA must set up TOTP; the others get the challenges their settings imply.
    #[test]
    fn mfa_required_fixture() {
        use crate::pool::{tests::signer, Pool};
        use serde_json::{json, Value};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/mfa-required-pool.json");
        let o = parse_args(args(&["--config", path])).unwrap();
        assert_eq!(o.config.user_pool_id, "us-east-1_EmuMfaReq");
        assert_eq!(o.config.auth.mfa_configuration.as_deref(), Some("ON"));
        let client = o.config.clients[0].client_id.clone();
        assert_eq!(client, "7f3kq2m9emulatormfaclient1");
        let pool = Pool::new(o.config, "http://127.0.0.1:9229", signer()).unwrap();
        let sign_in = |user: &str, password: &str| -> Value {
            let body = json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": user, "PASSWORD": password}});
            pool.handle("InitiateAuth", body.to_string().as_bytes(), 1_704_164_645).unwrap()
        };
        let r = sign_in("newmfa", "Newmfa-Passw0rd!");
        assert_eq!(r["ChallengeName"], "MFA_SETUP");
        assert_eq!(r["ChallengeParameters"]["MFAS_CAN_SETUP"], "[\"SOFTWARE_TOKEN_MFA\"]");
        // Its configured setupSecret (base32 of "cognito-wasm-drop-in"), not a random one.
        let a = pool
            .handle("AssociateSoftwareToken", json!({"Session": r["Session"]}).to_string().as_bytes(), 1_704_164_645)
            .unwrap();
        assert_eq!(a["SecretCode"], "MNXWO3TJORXS253BONWS2ZDSN5YC22LO");
        assert_eq!(
            crate::challenges::base32_decode("MNXWO3TJORXS253BONWS2ZDSN5YC22LO").unwrap(),
            b"cognito-wasm-drop-in"
        );
        let r = sign_in("choosy", "Choosy-Passw0rd!");
        assert_eq!(r["ChallengeName"], "SELECT_MFA_TYPE");
        assert_eq!(r["ChallengeParameters"]["MFAS_CAN_CHOOSE"], "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]");
        let r = sign_in("emailmfa", "Email-Passw0rd!");
        assert_eq!(r["ChallengeName"], "EMAIL_OTP");
        assert_eq!(r["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "e***@e***");
    }
}
