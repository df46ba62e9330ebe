//! Cognito's SRP `TIMESTAMP`: `EEE MMM d HH:mm:ss UTC yyyy` in UTC with English names and
//! the day of the month NOT zero-padded (`Tue Jan 2 03:04:05 UTC 2024`). A zero-padded day
//! is rejected by Cognito with NotAuthorizedException.
#![forbid(unsafe_code)]

use alloc::string::String;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Civil date (year, month 1–12, day 1–31) from days since 1970-01-01, after
/// Howard Hinnant's `civil_from_days` (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_num(out: &mut String, n: u64, min_width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..min_width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// The TIMESTAMP string for `unix_secs` (seconds since the epoch, UTC). Years before 1
/// or after 9999 do not occur for a working clock; they are clamped to keep the output
/// well-formed.
pub fn cognito_timestamp(unix_secs: i64) -> String {
    let unix_secs = unix_secs.clamp(-62_135_596_800, 253_402_300_799);
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400) as u64;
    let (year, month, day) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
    let mut s = String::with_capacity(32);
    s.push_str(DAYS[weekday % 7]);
    s.push(' ');
    s.push_str(MONTHS[(month as usize + 11) % 12]);
    s.push(' ');
    push_num(&mut s, day as u64, 1);
    s.push(' ');
    push_num(&mut s, secs / 3600, 2);
    s.push(':');
    push_num(&mut s, secs / 60 % 60, 2);
    s.push(':');
    push_num(&mut s, secs % 60, 2);
    s.push_str(" UTC ");
    push_num(&mut s, year as u64, 1);
    s
}

/// SigV4's `X-Amz-Date`: `YYYYMMDDTHHMMSSZ` (UTC), clamped like [`cognito_timestamp`].
pub fn amz_date(unix_secs: i64) -> String {
    let unix_secs = unix_secs.clamp(-62_135_596_800, 253_402_300_799);
    let secs = unix_secs.rem_euclid(86_400) as u64;
    let (year, month, day) = civil_from_days(unix_secs.div_euclid(86_400));
    let mut s = String::with_capacity(16);
    push_num(&mut s, year as u64, 4);
    push_num(&mut s, month as u64, 2);
    push_num(&mut s, day as u64, 2);
    s.push('T');
    push_num(&mut s, secs / 3600, 2);
    push_num(&mut s, secs / 60 % 60, 2);
    push_num(&mut s, secs % 60, 2);
    s.push('Z');
    s
}

/// Decimal digits of a non-negative integer (no `core::fmt`).
pub fn decimal(n: u64) -> String {
    let mut s = String::new();
    push_num(&mut s, n, 1);
    s
}

/// A JSON 1.1 timestamp (epoch seconds, possibly with a fraction or an exponent, as AWS
/// serialises them: `1700000000`, `1.7E9`, `1700000000.123`; the user-pool API's sample
/// replies write `"UserCreateDate": 1.682955829578E9`) → milliseconds. No floats. One reader for
/// every AWS date this library reads: credentials' expiry, devices' and passkeys' dates.
pub fn epoch_seconds_to_ms(text: &str) -> Option<i64> {
    let (mantissa, exp) = match crate::encoding::find_byte(text, |c| c == b'e' || c == b'E') {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?.trim_start_matches('+')),
        None => (text, "0"),
    };
    if exp.is_empty() || exp.len() > 4 {
        return None;
    }
    let exp = crate::json::int(exp)?;
    let (int, frac) = crate::encoding::cut(mantissa, b'.').unwrap_or((mantissa, ""));
    if int.is_empty() || int.starts_with('-') {
        return None;
    }
    // value = digits × 10^(exp + 3 − frac.len()) milliseconds
    let mut digits = String::from(int);
    digits.push_str(frac);
    let mut v = crate::json::Json::Num(digits).as_i64()?;
    let mut shift = exp.checked_add(3)?.checked_sub(frac.len() as i64)?;
    while shift > 0 {
        v = v.checked_mul(10)?;
        shift -= 1;
    }
    while shift < 0 {
        v /= 10;
        shift += 1;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn known_dates() {
        assert_eq!(cognito_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        // 2024-01-02T03:04:05Z
        assert_eq!(cognito_timestamp(1_704_164_645), "Tue Jan 2 03:04:05 UTC 2024");
        // Leap day 2024-02-29T23:59:59Z
        assert_eq!(cognito_timestamp(1_709_251_199), "Thu Feb 29 23:59:59 UTC 2024");
        // 2000-03-01 (after a 400-year leap day)
        assert_eq!(cognito_timestamp(951_868_800), "Wed Mar 1 00:00:00 UTC 2000");
        // 2038-01-19T03:14:08Z, past i32
        assert_eq!(cognito_timestamp(2_147_483_648), "Tue Jan 19 03:14:08 UTC 2038");
        assert_eq!(cognito_timestamp(-1), "Wed Dec 31 23:59:59 UTC 1969");
        assert_eq!(cognito_timestamp(1_798_761_600), "Fri Jan 1 00:00:00 UTC 2027");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn amz_dates() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_709_251_199), "20240229T235959Z");
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decimal_digits() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(1_700_000_000), "1700000000");
        assert_eq!(decimal(u64::MAX), "18446744073709551615");
    }
}
