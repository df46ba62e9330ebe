//! AWS Signature Version 4, as pure functions: the time is an argument.
//!
//! - [`sign`]: the headers to add to a request (`X-Amz-Date`, `X-Amz-Security-Token`,
//!   `X-Amz-Content-SHA256` for S3 or unsigned payloads, `Authorization`).
//! - [`presign`]: a query-string-signed URL with `X-Amz-Expires` (S3 GETs).
//!
//! Canonicalisation follows botocore (`SigV4Auth`, `S3SigV4Auth`, `S3SigV4QueryAuth`), and
//! the tests reproduce vectors botocore generated (`tests/vectors/sigv4/`):
//! - the URI path: for S3 used as it is in the URL (percent-encoding normalised, never
//!   encoded twice); for every other service dot segments and empty segments are removed
//!   and the URL path is URI-encoded again (so `%20` becomes `%2520`), as AWS specifies;
//! - the query: every `key=value` pair (a key without `=` has an empty value; repeated
//!   keys are kept), each side normalised to AWS's percent-encoding (only `A-Za-z0-9-_.~`
//!   literal, `+` is a literal plus), sorted by key then value;
//! - headers: lower-case names, values trimmed with inner whitespace runs collapsed,
//!   repeated names joined with `,`, sorted; `host` from the URL (default port dropped)
//!   unless given; hop-by-hop and tracing headers (`user-agent`, `connection`, …) unsigned.
#![forbid(unsafe_code)]

use crate::encoding::{cut, hex_digit, is_unreserved, push_pct};
use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding::hex_encode;
use crate::error::Error;
use crate::srp::{hmac_sha256, sha256};
use crate::timestamp::{amz_date, decimal};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest `X-Amz-Expires` AWS accepts (7 days).
pub const MAX_EXPIRES: u32 = 604_800;

/// Headers botocore never signs (a proxy or the browser may change them).
const UNSIGNED_HEADERS: [&str; 14] = [
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Temporary (or long-term) AWS credentials. `Debug` shows only the access key id.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret_access_key);
    }
}

/// What the signature covers of the body.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body's bytes (empty for none): their SHA-256 is signed.
    Bytes(&'a [u8]),
    /// `UNSIGNED-PAYLOAD` (also sent as `X-Amz-Content-SHA256`): the body is not covered.
    Unsigned,
}

/// A request to sign. `url` is absolute (`https://host[:port]/path?query`), as a browser's
/// `URL` serialises it.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub payload: Payload<'a>,
}

/// Where the signature is valid: a service (`execute-api`, `lambda`, `appsync`, `s3`, …)
/// in a region.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub service: &'a str,
    pub region: &'a str,
}

struct Url<'a> {
    /// `scheme://authority`
    origin: &'a str,
    host: String,
    path: &'a str,
    query: &'a str,
}

fn bad_url() -> Error {
    Error::invalid_input("the URL to sign must be absolute: http(s)://host/path")
}

fn split_url(url: &str) -> Result<Url<'_>, Error> {
    // (No `split_once("://")`: a multi-byte pattern links a substring searcher.)
    // Separators found on bytes (`encoding`'s helpers: no `char` searchers in the wasm).
    use crate::encoding::{find_byte, rfind_byte};
    let colon = find_byte(url, |c| c == b':').ok_or_else(bad_url)?;
    let scheme = url.get(..colon).ok_or_else(bad_url)?;
    let rest = url.get(colon + 1..).and_then(|r| r.strip_prefix("//")).ok_or_else(bad_url)?;
    let default_port: u32 = match scheme.to_ascii_lowercase().as_str() {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad_url()),
    };
    let url = cut(url, b'#').map_or(url, |(u, _)| u);
    let rest = cut(rest, b'#').map_or(rest, |(r, _)| r);
    let auth_end = find_byte(rest, |c| c == b'/' || c == b'?').unwrap_or(rest.len());
    let (authority, tail) = (rest.get(..auth_end).ok_or_else(bad_url)?, rest.get(auth_end..).ok_or_else(bad_url)?);
    let origin = url.get(..scheme.len() + 3 + auth_end).ok_or_else(bad_url)?;
    let (path, query) = cut(tail, b'?').unwrap_or((tail, ""));
    let host_port = rfind_byte(authority, |c| c == b'@').and_then(|i| authority.get(i + 1..)).unwrap_or(authority);
    // Only what a browser's URL serialisation leaves in a host: letters, digits, `-._`,
    // and `[:]` for IPv6 and the port. Anything else (`\`, `%`, …) the browser would
    // rewrite before sending, so signing it as written would sign another host.
    let host_char = |c: u8| c.is_ascii_alphanumeric() || b"-._:[]".contains(&c);
    if host_port.is_empty() || !host_port.bytes().all(host_char) || find_byte(path, |c| c == b'\\').is_some() {
        return Err(bad_url());
    }
    let mut host = host_port.to_ascii_lowercase();
    // The port as the browser sends it: none when empty or the scheme's default, else its
    // decimal value without leading zeros; not a number up to 65535 is not a URL.
    let mut port = None;
    let last_colon = rfind_byte(&host, |c| c == b':');
    if let Some(i) = last_colon.filter(|&i| host.get(i..).is_some_and(|p| find_byte(p, |c| c == b']').is_none())) {
        let digits = String::from(host.get(i + 1..).unwrap_or(""));
        let mut n: u32 = 0;
        for c in digits.bytes() {
            if !c.is_ascii_digit() {
                return Err(bad_url());
            }
            n = n * 10 + u32::from(c - b'0');
            if n > 65_535 {
                return Err(bad_url());
            }
        }
        host.truncate(i);
        port = (!digits.is_empty() && n != default_port).then_some(n);
    }
    // What is left is a name, or an IPv6 literal in brackets: no other `:`, `[` or `]`.
    let name = host.strip_prefix("[").and_then(|h| h.strip_suffix("]")).unwrap_or(&host);
    let colon_in_name = find_byte(name, |c| c == b':').is_some();
    if name.is_empty()
        || (name.len() == host.len() && colon_in_name)
        || find_byte(name, |c| c == b'[' || c == b']').is_some()
    {
        return Err(bad_url());
    }
    if let Some(n) = port {
        host.push(':');
        host.push_str(&crate::timestamp::decimal(u64::from(n)));
    }
    Ok(Url { origin, host, path, query })
}

/// Insertion sort: the lists are a handful of headers or query pairs, and core's sorts cost
/// kilobytes of wasm.
fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 {
            match (v.get(j - 1), v.get(j)) {
                (Some(a), Some(b)) if less(b, a) => v.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}

fn sort_pairs(v: &mut [(String, String)]) {
    sort_by(v, |a, b| a < b);
}

/// AWS's UriEncode of raw bytes: unreserved characters (and `/` when `keep_slash`) stay,
/// everything else (including `%`) becomes `%XX`.
fn uri_encode(out: &mut String, s: &[u8], keep_slash: bool) {
    for &c in s {
        if is_unreserved(c) || (keep_slash && c == b'/') {
            out.push(c as char);
        } else {
            push_pct(out, c);
        }
    }
}

/// Normalises text that is already percent-encoded to AWS's encoding, without decoding
/// anything twice: `%XX` of an unreserved byte becomes the byte, other `%XX` stay (upper
/// case), other bytes are encoded (`/` kept when `keep_slash`).
fn normalize_encoding(out: &mut String, s: &[u8], keep_slash: bool) {
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        let escaped = match (c, s.get(i + 1).copied().and_then(hex_digit), s.get(i + 2).copied().and_then(hex_digit)) {
            (b'%', Some(h), Some(l)) => Some(h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(b) if is_unreserved(b) => out.push(b as char),
            Some(b) => push_pct(out, b),
            None => uri_encode(out, &[c], keep_slash),
        }
        i += if escaped.is_some() { 3 } else { 1 };
    }
}

/// RFC 3986 dot-segment removal plus AWS's removal of empty segments (botocore's
/// `normalize_url_path`).
fn remove_dot_segments(path: &str) -> String {
    let mut segs: Vec<&str> = Vec::new();
    for s in crate::encoding::split_byte(path, b'/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    out.push('/');
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(s);
    }
    if path.ends_with('/') && !segs.is_empty() {
        out.push('/');
    }
    out
}

fn canonical_uri(path: &str, s3: bool) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if s3 {
        normalize_encoding(&mut out, path.as_bytes(), true);
    } else {
        uri_encode(&mut out, remove_dot_segments(path).as_bytes(), true);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The query's `(key, value)` pairs in AWS's encoding, in their original order.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for pair in crate::encoding::split_byte(query, b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = cut(pair, b'=').unwrap_or((pair, ""));
        let (mut ek, mut ev) = (String::new(), String::new());
        normalize_encoding(&mut ek, k.as_bytes(), false);
        normalize_encoding(&mut ev, v.as_bytes(), false);
        pairs.push((ek, ev));
    }
    pairs
}

fn join_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Lower-cased, trimmed, sorted headers to sign, `host` included.
fn canonical_headers(headers: &[(String, String)], host: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        if UNSIGNED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let mut v = String::with_capacity(value.len());
        for word in value.split_ascii_whitespace() {
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(word);
        }
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) => {
                old.push(',');
                old.push_str(&v);
            }
            None => out.push((name, v)),
        }
    }
    if !out.iter().any(|(n, _)| n == "host") {
        out.push((String::from("host"), String::from(host)));
    }
    sort_by(&mut out, |a, b| a.0 < b.0);
    out
}

fn signed_header_names(headers: &[(String, String)]) -> String {
    let mut s = String::new();
    for (i, (n, _)) in headers.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        s.push_str(n);
    }
    s
}

fn push_line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

/// `{date}/{region}/{service}/aws4_request`
fn credential_scope(date: &str, scope: &Scope) -> String {
    let mut s = String::from(date.get(..8).unwrap_or(date));
    for part in [scope.region, scope.service, "aws4_request"] {
        s.push('/');
        s.push_str(part);
    }
    s
}

/// The canonical request (as in AWS's documentation), for tests and debugging.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(String, String)],
    payload_hash: &str,
) -> String {
    let mut cr = String::with_capacity(256);
    push_line(&mut cr, &method.to_ascii_uppercase());
    push_line(&mut cr, canonical_uri);
    push_line(&mut cr, canonical_query);
    for (n, v) in headers {
        cr.push_str(n);
        cr.push(':');
        push_line(&mut cr, v);
    }
    cr.push('\n');
    push_line(&mut cr, &signed_header_names(headers));
    cr.push_str(payload_hash);
    cr
}

/// The hex signature of `canonical` with the HMAC key chain
/// `AWS4{secret}` → date → region → service → `aws4_request`.
fn signature(secret: &str, date: &str, scope: &Scope, canonical: &str) -> String {
    let cred_scope = credential_scope(date, scope);
    let mut sts = String::with_capacity(128);
    push_line(&mut sts, ALGORITHM);
    push_line(&mut sts, date);
    push_line(&mut sts, &cred_scope);
    sts.push_str(&hex_encode(&sha256(&[canonical.as_bytes()])));
    let mut key = zeroize::Zeroizing::new(String::from("AWS4"));
    key.push_str(secret);
    let mut k = zeroize::Zeroizing::new(hmac_sha256(key.as_bytes(), &[date.get(..8).unwrap_or(date).as_bytes()]));
    for part in [scope.region, scope.service, "aws4_request"] {
        *k = hmac_sha256(&k[..], &[part.as_bytes()]);
    }
    hex_encode(&hmac_sha256(&k[..], &[sts.as_bytes()]))
}

fn is_header(name: &str, wanted: &str) -> bool {
    name.trim().eq_ignore_ascii_case(wanted)
}

/// Signs `req` at `unix_secs` and returns the headers to set on it (replacing any header of
/// the same name, case-insensitively): `X-Amz-Date`, `X-Amz-Security-Token` (temporary
/// credentials), `X-Amz-Content-SHA256` (S3, or an unsigned payload) and `Authorization`.
/// An `Authorization`, `X-Amz-Date` or `X-Amz-Security-Token` already on the request is
/// replaced, not signed. A caller-supplied `X-Amz-Content-SHA256` is signed as the payload
/// hash (except for S3, where the library computes it).
pub fn sign(req: &Request, creds: &Credentials, scope: &Scope, unix_secs: i64) -> Result<Vec<(String, String)>, Error> {
    if req.method.is_empty() || !req.method.bytes().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::invalid_input("the method to sign must be a word like GET or POST"));
    }
    let url = split_url(req.url)?;
    let s3 = scope.service == "s3";
    let date = amz_date(unix_secs);
    let mut added: Vec<(String, String)> = Vec::with_capacity(4);
    added.push((String::from("X-Amz-Date"), date.clone()));
    if let Some(t) = &creds.session_token {
        added.push((String::from("X-Amz-Security-Token"), t.clone()));
    }
    let given_hash =
        req.headers.iter().find(|(n, _)| is_header(n, "x-amz-content-sha256")).map(|(_, v)| String::from(v.trim()));
    let payload_hash = match (req.payload, given_hash) {
        (Payload::Unsigned, _) => String::from(UNSIGNED_PAYLOAD),
        (Payload::Bytes(b), None) | (Payload::Bytes(b), Some(_)) if s3 => hex_encode(&sha256(&[b])),
        (Payload::Bytes(_), Some(h)) => h,
        (Payload::Bytes(b), None) => hex_encode(&sha256(&[b])),
    };
    if s3 || matches!(req.payload, Payload::Unsigned) {
        added.push((String::from("X-Amz-Content-SHA256"), payload_hash.clone()));
    }
    // The app's headers but those this signature sets, then the ones it adds.
    let mut to_sign: Vec<(String, String)> = Vec::with_capacity(req.headers.len() + added.len());
    'headers: for (n, v) in req.headers {
        for w in ["authorization", "x-amz-date", "x-amz-security-token"] {
            if is_header(n, w) {
                continue 'headers;
            }
        }
        for (a, _) in &added {
            if is_header(n, a) {
                continue 'headers;
            }
        }
        to_sign.push((n.clone(), v.clone()));
    }
    to_sign.extend(added.iter().cloned());
    let headers = canonical_headers(&to_sign, &url.host);
    let mut pairs = query_pairs(url.query);
    sort_pairs(&mut pairs);
    let cr = canonical_request(req.method, &canonical_uri(url.path, s3), &join_query(&pairs), &headers, &payload_hash);
    let sig = signature(&creds.secret_access_key, &date, scope, &cr);
    let mut auth = String::from(ALGORITHM);
    auth.push_str(" Credential=");
    auth.push_str(&creds.access_key_id);
    auth.push('/');
    auth.push_str(&credential_scope(&date, scope));
    auth.push_str(", SignedHeaders=");
    auth.push_str(&signed_header_names(&headers));
    auth.push_str(", Signature=");
    auth.push_str(&sig);
    added.push((String::from("Authorization"), auth));
    Ok(added)
}

/// A presigned GET URL valid for `expires_secs` (1 s to 7 days) from `unix_secs`: the URL's
/// own query parameters (normalised), then `X-Amz-Algorithm`, `X-Amz-Credential`,
/// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` (`host`), `X-Amz-Security-Token`
/// and `X-Amz-Signature`. The payload is `UNSIGNED-PAYLOAD` for S3, the empty body's hash
/// otherwise. The URL is a bearer credential until it expires: do not log it.
pub fn presign(
    url: &str,
    creds: &Credentials,
    scope: &Scope,
    unix_secs: i64,
    expires_secs: u32,
) -> Result<String, Error> {
    if expires_secs == 0 || expires_secs > MAX_EXPIRES {
        return Err(Error::invalid_input("expiresIn must be 1 to 604800 seconds"));
    }
    let u = split_url(url)?;
    let s3 = scope.service == "s3";
    let date = amz_date(unix_secs);
    let mut credential = String::from(creds.access_key_id.as_str());
    credential.push('/');
    credential.push_str(&credential_scope(&date, scope));
    let mut auth: Vec<(&str, &str)> = Vec::with_capacity(6);
    let expires = decimal(u64::from(expires_secs));
    auth.push(("X-Amz-Algorithm", ALGORITHM));
    auth.push(("X-Amz-Credential", &credential));
    auth.push(("X-Amz-Date", &date));
    auth.push(("X-Amz-Expires", &expires));
    auth.push(("X-Amz-SignedHeaders", "host"));
    if let Some(t) = &creds.session_token {
        auth.push(("X-Amz-Security-Token", t));
    }
    let mut pairs: Vec<(String, String)> =
        query_pairs(u.query).into_iter().filter(|(k, _)| !k.starts_with("X-Amz-")).collect();
    for (k, v) in &auth {
        let mut ev = String::new();
        uri_encode(&mut ev, v.as_bytes(), false);
        pairs.push((String::from(*k), ev));
    }
    let query = join_query(&pairs);
    sort_pairs(&mut pairs);
    let headers = canonical_headers(&[], &u.host);
    let payload = if s3 { String::from(UNSIGNED_PAYLOAD) } else { hex_encode(&sha256(&[b""])) };
    let cr = canonical_request("GET", &canonical_uri(u.path, s3), &join_query(&pairs), &headers, &payload);
    let sig = signature(&creds.secret_access_key, &date, scope, &cr);
    let mut out = String::with_capacity(url.len() + query.len() + 100);
    out.push_str(u.origin);
    out.push_str(if u.path.is_empty() { "/" } else { u.path });
    out.push('?');
    out.push_str(&query);
    out.push_str("&X-Amz-Signature=");
    out.push_str(&sig);
    Ok(out)
}

/// The parts of `url` that the signature covers, as [`sign`] canonicalises them: the host
/// (lower-cased, default port dropped), the canonical URI (S3's or every other service's
/// rules) and the sorted canonical query. For tests and fuzzing.
#[doc(hidden)]
pub fn canonical_url_parts(url: &str, s3: bool) -> Result<(String, String, String), Error> {
    let u = split_url(url)?;
    let mut pairs = query_pairs(u.query);
    sort_pairs(&mut pairs);
    Ok((u.host, canonical_uri(u.path, s3), join_query(&pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(String::from),
        }
    }

    /// AWS's own documented example (sig-v4 test suite, `get-vanilla`): 2015-08-30T12:36:00Z.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn aws_suite_get_vanilla() {
        let req = Request {
            method: "GET",
            url: "https://example.amazonaws.com/",
            headers: &[],
            payload: Payload::Bytes(b""),
        };
        let h = sign(&req, &creds(None), &Scope { service: "service", region: "us-east-1" }, 1_440_938_160).unwrap();
        assert_eq!(h[0], ("X-Amz-Date".into(), "20150830T123600Z".into()));
        assert_eq!(
            h[1].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn canonical_pieces() {
        assert_eq!(canonical_uri("/a%20b/./c/../d//e/", false), "/a%2520b/d/e/");
        assert_eq!(canonical_uri("/a%20b/./c/%2f%7e", true), "/a%20b/./c/%2F~");
        assert_eq!(canonical_uri("", true), "/");
        assert_eq!(canonical_uri("/..", false), "/");
        let mut p = query_pairs("b=2&a&a=1&+=%7e&&c=%2F/");
        sort_pairs(&mut p);
        assert_eq!(join_query(&p), "%2B=~&a=&a=1&b=2&c=%2F%2F");
        let u = split_url("https://User@Example.COM:443/x?y#frag").unwrap();
        assert_eq!(
            (u.origin, u.host.as_str(), u.path, u.query),
            ("https://User@Example.COM:443", "example.com", "/x", "y")
        );
        assert_eq!(split_url("http://[::1]:80/").unwrap().host, "[::1]");
        assert_eq!(split_url("http://[::1]/").unwrap().host, "[::1]");
        assert_eq!(split_url("http://127.0.0.1:9229").unwrap().host, "127.0.0.1:9229");
        for bad in ["/relative", "ftp://x/", "https:///", "https://a b/", "nourl"] {
            assert!(split_url(bad).is_err(), "{bad}");
        }
        let req = Request { method: "G ET", url: "https://x/", headers: &[], payload: Payload::Unsigned };
        assert!(sign(&req, &creds(None), &Scope { service: "s", region: "r" }, 0).is_err());
        let s = Scope { service: "s3", region: "us-east-1" };
        assert!(presign("https://x/", &creds(None), &s, 0, 0).is_err());
        assert!(presign("https://x/", &creds(None), &s, 0, MAX_EXPIRES + 1).is_err());
        assert!(!format!("{:?}", creds(Some("tok"))).contains("wJal"));
    }

    /// Found by fuzzing (fuzz/, target `sigv4`): the host signed must be the one a browser
    /// sends, as the `url` crate (WHATWG URL) serialises it — an empty port or one with
    /// leading zeros was signed as written, and characters the browser rewrites were kept.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn host_as_the_browser_sends_it() {
        let host = |u: &str| split_url(u).map(|u| u.host);
        assert_eq!(host("https://https://api.example.com/").unwrap(), "https");
        assert_eq!(host("https://h:/p").unwrap(), "h");
        assert_eq!(host("https://h:0443/").unwrap(), "h");
        assert_eq!(host("http://h:0080/").unwrap(), "h");
        assert_eq!(host("https://H:08080/").unwrap(), "h:8080");
        assert_eq!(host("http://[::1]:0/").unwrap(), "[::1]:0");
        for bad in [
            "https://a:b:80/",
            "https://a]:1/",
            "https://[a/",
            "https://[]/",
            "https://h:x/",
            "https://h:65536/",
            "https://h\\p/",
            "https://h/a\\b",
            "https://a%41/",
            "https://:443/",
            "https://a<b/",
        ] {
            assert!(split_url(bad).is_err(), "{bad}");
        }
        let (h, p, q) = canonical_url_parts("https://Example.com:0443/a/./b?y=1&x", false).unwrap();
        assert_eq!((h.as_str(), p.as_str(), q.as_str()), ("example.com", "/a/b", "x=&y=1"));
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn botocore_vectors_reproduce() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/sigv4/sigv4-vectors.json");
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        assert!(cases.len() >= 50);
        for c in cases {
            let id = c["id"].as_str().unwrap();
            let s = |k: &str| c[k].as_str().unwrap();
            let creds = creds(c["sessionToken"].as_str());
            let scope = Scope { service: s("service"), region: s("region") };
            let t = s("time");
            let secs = time_of(t);
            if s("kind") == "presign" {
                let url = presign(s("url"), &creds, &scope, secs, c["expiresIn"].as_u64().unwrap() as u32).unwrap();
                assert_eq!(url, c["expected"]["url"].as_str().unwrap(), "{id}");
                continue;
            }
            let headers: Vec<(String, String)> = c["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
                .collect();
            let body = s("body").as_bytes();
            let payload =
                if c["unsignedPayload"].as_bool() == Some(true) { Payload::Unsigned } else { Payload::Bytes(body) };
            let req = Request { method: s("method"), url: s("url"), headers: &headers, payload };
            let mut got = sign(&req, &creds, &scope, secs).unwrap();
            got.sort_by_key(|(n, _)| n.to_ascii_lowercase());
            let want: Vec<(String, String)> = c["expected"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
                .collect();
            assert_eq!(got, want, "{id}\n{}", c["expected"]["canonicalRequest"].as_str().unwrap());
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` → Unix seconds (test helper; days from civil after Hinnant).
    #[cfg(not(target_arch = "wasm32"))]
    fn time_of(t: &str) -> i64 {
        let n = |a: usize, b: usize| t[a..b].parse::<i64>().unwrap();
        let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
    }
}
