use cognito_emulator::{cli, jwt::Signer, pool::Pool, server, tls};
use std::io::Write;
use std::sync::Arc;

fn main() {
    let opts = match cli::parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("cognito-emulator: {e}");
            std::process::exit(2);
        }
    };
    server::set_quiet(opts.quiet);
    // Loopback only, whatever the arguments say.
    let http = match tiny_http::Server::http(("127.0.0.1", opts.port)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("cognito-emulator: cannot bind 127.0.0.1:{}: {e}", opts.port);
            std::process::exit(1);
        }
    };
    let port = match http.server_addr().to_ip() {
        Some(addr) => addr.port(),
        None => {
            eprintln!("cognito-emulator: not bound to an IP address");
            std::process::exit(1);
        }
    };
    let base = format!("http://127.0.0.1:{port}");
    let signer = Arc::new(Signer::generate());
    let pool = match Pool::new(opts.config, &base, signer) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("cognito-emulator: {e}");
            std::process::exit(2);
        }
    };
    server::log(&format!(
        "cognito-emulator: pool {} clients {:?} users {:?}",
        pool.pool_id,
        pool.clients,
        pool.users().iter().map(|u| u.username.clone()).collect::<Vec<_>>()
    ));
    // --tls-port: the same routes over HTTPS (self-signed certificate made now).
    let tls = match opts.tls_port {
        None => None,
        Some(tls_port) => {
            let config = tls::server_config().unwrap_or_else(|e| {
                eprintln!("cognito-emulator: {e}");
                std::process::exit(1);
            });
            let listener = std::net::TcpListener::bind(("127.0.0.1", tls_port)).unwrap_or_else(|e| {
                eprintln!("cognito-emulator: cannot bind 127.0.0.1:{tls_port}: {e}");
                std::process::exit(1);
            });
            let addr = listener.local_addr().unwrap_or_else(|e| {
                eprintln!("cognito-emulator: TLS listener: {e}");
                std::process::exit(1);
            });
            let backend = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            std::thread::spawn(move || tls::serve(listener, config, backend));
            Some(addr.port())
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "cognito-emulator listening on {base}");
    if let Some(p) = tls {
        let _ = writeln!(out, "cognito-emulator hosted UI on https://localhost:{p}");
    }
    let _ = out.flush();
    drop(out);
    server::serve(http, pool, 8);
}
