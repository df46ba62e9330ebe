//! `--tls-port`: the same server over HTTPS, for clients that insist on `https://{domain}`
//! (Amplify builds its hosted-UI URLs that way). A self-signed certificate for `localhost`
//! and `127.0.0.1` is generated at every start and never written anywhere; browsers in the
//! tests run with `--ignore-certificate-errors`. Each TLS connection is terminated here and
//! its bytes relayed to the plain HTTP listener on 127.0.0.1, so every route, fault and
//! counter behaves exactly as over HTTP.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a relayed connection may sit idle before it is closed.
const IDLE: Duration = Duration::from_secs(60);
/// How long one side is polled before the other gets its turn.
const POLL: Duration = Duration::from_millis(5);

/// A fresh self-signed certificate (DER) and its PKCS#8 key for `localhost` / `127.0.0.1`.
pub fn self_signed() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), String> {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(|e| format!("cannot make a TLS certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    Ok((ck.cert.der().clone(), key))
}

/// The rustls server configuration with a fresh certificate.
pub fn server_config() -> Result<Arc<ServerConfig>, String> {
    let (cert, key) = self_signed()?;
    server_config_for(cert, key)
}

/// The rustls server configuration (ring provider, TLS 1.2 and 1.3, HTTP/1.1 only).
pub fn server_config_for(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|e| format!("TLS configuration: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn idle_error(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Relays one TLS connection to `backend` until either side closes or it idles out.
fn relay(tcp: TcpStream, config: Arc<ServerConfig>, backend: SocketAddr) -> std::io::Result<()> {
    let conn = ServerConnection::new(config).map_err(std::io::Error::other)?;
    tcp.set_read_timeout(Some(POLL))?;
    tcp.set_nodelay(true)?;
    let mut tls = StreamOwned::new(conn, tcp);
    let mut back = TcpStream::connect(backend)?;
    back.set_read_timeout(Some(POLL))?;
    back.set_nodelay(true)?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut last = Instant::now();
    loop {
        let mut moved = false;
        match tls.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                back.write_all(&buf[..n])?;
                moved = true;
            }
            Err(e) if idle_error(&e) => {}
            Err(e) => return Err(e),
        }
        match back.read(&mut buf) {
            Ok(0) => {
                tls.conn.send_close_notify();
                let _ = tls.flush();
                return Ok(());
            }
            Ok(n) => {
                tls.write_all(&buf[..n])?;
                tls.flush()?;
                moved = true;
            }
            Err(e) if idle_error(&e) => {}
            Err(e) => return Err(e),
        }
        if moved {
            last = Instant::now();
        } else if last.elapsed() > IDLE {
            return Ok(());
        }
    }
}

/// Accepts TLS connections on `listener` forever, one relay thread each.
pub fn serve(listener: TcpListener, config: Arc<ServerConfig>, backend: SocketAddr) {
    for tcp in listener.incoming() {
        match tcp {
            Ok(tcp) => {
                let config = Arc::clone(&config);
                std::thread::spawn(move || {
                    // A client that gives up on the certificate or the handshake is normal here.
                    let _ = relay(tcp, config, backend);
                });
            }
            Err(e) => crate::server::log(&format!("TLS accept error: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The certificate is for localhost and 127.0.0.1, and differs at every start.
    #[test]
    fn certificate_names_and_freshness() {
        let (a, _) = self_signed().unwrap();
        let (b, _) = self_signed().unwrap();
        assert_ne!(a.as_ref(), b.as_ref());
        let der = a.as_ref();
        let has = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        // subjectAltName entries: dNSName [2] "localhost", iPAddress [7] 127.0.0.1.
        assert!(has(b"\x82\x09localhost"));
        assert!(has(b"\x87\x04\x7f\x00\x00\x01"));
        assert!(server_config().is_ok());
    }

    /// A TLS client that trusts the generated certificate gets the backend's bytes back.
    #[test]
    fn relays_https_to_the_plain_listener() {
        let (cert, key) = self_signed().unwrap();
        let backend = TcpListener::bind("127.0.0.1:0").unwrap();
        let backend_addr = backend.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = backend.accept().unwrap();
            let mut req = Vec::new();
            let mut b = [0u8; 1024];
            while !req.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut b).unwrap();
                req.extend_from_slice(&b[..n]);
            }
            assert!(req.starts_with(b"GET /ping HTTP/1.1\r\n"));
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\npong").unwrap();
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let config = server_config_for(cert.clone(), key).unwrap();
        std::thread::spawn(move || serve(listener, config, backend_addr));

        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let conn = rustls::ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
        let mut tls = StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
        tls.write_all(b"GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\npong"), "{text}");
    }
}
