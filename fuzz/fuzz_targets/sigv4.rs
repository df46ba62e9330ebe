//! SigV4 URL canonicalisation: no panic on any URL, header list or method; the canonical
//! query and S3 path are fixed points (canonicalising the canonical form changes nothing);
//! and where the `url` crate also parses the URL, both agree on the host, and the URL as
//! `url` serialises it (what a browser's `URL` gives) canonicalises like the original.
#![no_main]
use cognito_wasm::sigv4::{self, Credentials, Payload, Request, Scope};
use libfuzzer_sys::fuzz_target;

fn rebuilt(url: &str, host: &str, path: &str, query: &str) -> String {
    let scheme = url.split(':').next().unwrap_or("https");
    format!("{scheme}://{host}{path}{}{query}", if query.is_empty() { "" } else { "?" })
}

/// Characters both canonicalisers treat alike in a path: RFC 3986 unreserved ones and `/`
/// (`url` also turns `\` into `/`, percent-encodes others, and decodes `%2e` dot segments).
fn plain_path(p: &str) -> bool {
    p.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~/".contains(&c))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (url, header_text) = text.split_once('\n').unwrap_or((&text, ""));
    let mut parts = Vec::new();
    for s3 in [false, true] {
        let p = sigv4::canonical_url_parts(url, s3);
        if let Ok((host, path, query)) = &p {
            assert!(path.starts_with('/'), "canonical URI {path:?}");
            let again = sigv4::canonical_url_parts(&rebuilt(url, host, path, query), s3)
                .expect("canonical form does not parse");
            assert_eq!(&again.0, host, "host is not a fixed point");
            assert_eq!(&again.2, query, "query is not a fixed point");
            if s3 {
                assert_eq!(&again.1, path, "S3 path is not a fixed point");
            }
        }
        parts.push(p);
    }
    if let Ok(u) = url::Url::parse(url) {
        // IPv4 shorthand (`0x7f.1`, `1.2.3`) is rewritten by WHATWG URL and not by us: the
        // web layer hands the signer the browser's serialisation, so only plain hosts here.
        let domain = matches!(u.host(), Some(url::Host::Domain(_)));
        let simple_host = domain
            && u.host_str().is_some_and(|h| h.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.'));
        if simple_host && matches!(u.scheme(), "http" | "https") && u.username().is_empty() && u.password().is_none() {
            let want = match u.port() {
                Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                None => u.host_str().unwrap_or("").to_string(),
            };
            // What the signer is given in the browser: the serialised URL. Same host.
            let theirs = sigv4::canonical_url_parts(u.as_str(), false).expect("url's serialisation does not parse");
            assert_eq!(theirs.0, want, "host differs from the url crate's");
            // A URL already in the form the browser sends (no byte it would strip or
            // percent-encode) canonicalises like its serialisation.
            let browser_form = url.bytes().all(|c| c > b' ' && c < 0x7f && !b"\\\"<>`{}|^".contains(&c));
            if let (true, Ok(ours)) = (browser_form, &parts[0]) {
                assert_eq!(theirs.0, ours.0, "host differs after url's serialisation");
                if u.query().is_some_and(|q| q.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~=&%".contains(&c))) {
                    assert_eq!(theirs.2, ours.2, "query differs after url's serialisation");
                }
                let path = url.split(['?', '#']).next().unwrap_or("").splitn(4, '/').nth(3).unwrap_or("");
                // WHATWG URL keeps empty segments and lets `..` remove one; AWS (botocore)
                // drops empty segments first. They agree unless `..` meets `//`, which a
                // serialised URL never has (its dot segments are resolved).
                let dots_meet_empty = path.contains("//") && path.split('/').any(|seg| seg == "..");
                if plain_path(path)
                    && !dots_meet_empty
                    && !path.ends_with("/.")
                    && !path.ends_with("/..")
                    && path != "."
                    && path != ".."
                {
                    assert_eq!(theirs.1, ours.1, "path differs after url's serialisation");
                }
            }
        }
    }
    let headers: Vec<(String, String)> = header_text
        .split('\r')
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let creds = Credentials {
        access_key_id: "AKID".into(),
        secret_access_key: "secret".into(),
        session_token: Some("tok".into()),
    };
    for service in ["execute-api", "s3"] {
        let scope = Scope { service, region: "us-east-1" };
        let req = Request { method: "GET", url, headers: &headers, payload: Payload::Bytes(b"") };
        if let Ok(added) = sigv4::sign(&req, &creds, &scope, 1_700_000_000) {
            assert!(added.iter().any(|(n, _)| n == "Authorization"));
            assert!(parts[0].is_ok());
        }
        if let Ok(p) = sigv4::presign(url, &creds, &scope, 1_700_000_000, 900) {
            assert!(p.contains("X-Amz-Signature="));
        }
    }
});
