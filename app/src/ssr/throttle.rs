//! Sign-in throttling that slows an attacker, not the account's owner, and the client address it
//! keys on.
//!
//! Failures count per (account, client address) and per client address, never per account
//! alone: guessing from one address slows that address down, while the owner signing in from
//! another address is not affected. Each attempt is claimed before the password is checked, in
//! one transaction that locks the keys' rows, so N parallel requests get no more guesses than N
//! sequential ones. Past the free failures every further attempt waits twice as long as the one
//! before (1 s, 2 s, 4 s, … capped at 15 minutes); a success forgets the (account, address) key.

use std::net::{IpAddr, SocketAddr};

use axum::http::request::Parts;
use ipnet::IpNet;
use sqlx::PgPool;

use crate::AppError;

/// Failures an (account, address) pair may have within [`WINDOW_MINUTES`] before attempts wait.
pub const FREE_PER_ACCOUNT_AND_ADDRESS: i32 = 5;

/// Failures one address may have (over all accounts: a shared office NAT) before attempts wait.
pub const FREE_PER_ADDRESS: i32 = 30;

/// Failures older than this are forgotten.
pub const WINDOW_MINUTES: i32 = 15;

/// Longest wait, in seconds.
pub const MAX_WAIT_SECS: i64 = 15 * 60;

fn keys(email: &str, client: &str) -> [(String, i32); 2] {
    [(format!("acct:{email}|{client}"), FREE_PER_ACCOUNT_AND_ADDRESS), (format!("ip:{client}"), FREE_PER_ADDRESS)]
}

/// Seconds to wait after `failures` failures with `free` free ones: 0, then 1, 2, 4, … capped.
pub fn wait_after(failures: i32, free: i32) -> i64 {
    let over = failures.saturating_sub(free);
    if over <= 0 {
        return 0;
    }
    // 2^20 s is far past the cap; clamping the exponent keeps the shift from overflowing.
    (1_i64 << (over - 1).min(20)).min(MAX_WAIT_SECS)
}

/// Claims one sign-in attempt for `email` from `client`: `Err(Throttled)` while either key waits,
/// otherwise the attempt is counted as a failure until [`succeeded`] says otherwise.
pub async fn claim(pool: &PgPool, email: &str, client: &str) -> Result<(), AppError> {
    let keys = keys(email, client);
    let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO login_failures (key, failures) SELECT k, 0 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO NOTHING",
    )
    .bind(&names)
    .execute(&mut *tx)
    .await?;
    // Row locks serialise concurrent attempts on the same keys: each sees the count before it.
    let rows: Vec<(String, i32, bool, Option<f64>)> = sqlx::query_as(
        "SELECT key, failures, first_failure_at < now() - make_interval(mins => $2),
                extract(epoch FROM locked_until - now())::float8
         FROM login_failures WHERE key = ANY($1) ORDER BY key FOR UPDATE",
    )
    .bind(&names)
    .bind(WINDOW_MINUTES)
    .fetch_all(&mut *tx)
    .await?;
    let waiting = rows.iter().filter_map(|r| r.3).filter(|s| *s > 0.0).fold(0.0_f64, f64::max);
    if waiting > 0.0 {
        tx.rollback().await?;
        return Err(AppError::Throttled((waiting.ceil() as i64).max(1)));
    }
    for (key, failures, expired, _) in rows {
        let free = keys.iter().find(|(k, _)| *k == key).map_or(FREE_PER_ACCOUNT_AND_ADDRESS, |(_, f)| *f);
        let failures = if expired { 1 } else { failures.saturating_add(1) };
        sqlx::query(
            "UPDATE login_failures SET failures = $2,
               first_failure_at = CASE WHEN $3 THEN now() ELSE first_failure_at END,
               locked_until = CASE WHEN $4 > 0 THEN now() + make_interval(secs => $4) END
             WHERE key = $1",
        )
        .bind(&key)
        .bind(failures)
        .bind(expired || failures == 1)
        .bind(wait_after(failures, free) as f64)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The claimed attempt was the right password: forget the (account, address) failures and take
/// this attempt back from the address's count.
pub async fn succeeded(pool: &PgPool, email: &str, client: &str) -> Result<(), AppError> {
    let [(pair, _), (address, free)] = keys(email, client);
    sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(&pair).execute(pool).await?;
    sqlx::query(
        "UPDATE login_failures SET failures = greatest(failures - 1, 0),
           locked_until = CASE WHEN failures - 1 <= $2 THEN NULL ELSE locked_until END
         WHERE key = $1",
    )
    .bind(&address)
    .bind(free)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets every failure of an account, from any address (`switchyard reset-password`).
pub async fn forget_account(pool: &PgPool, email: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE starts_with(key, $1)")
        .bind(format!("acct:{email}|"))
        .execute(pool)
        .await?;
    Ok(())
}

/// The client's address: the TCP peer, or when the peer is one of `trusted` proxies, the nearest
/// address in `Forwarded` / `X-Forwarded-For` that is not itself a trusted proxy. Headers from any
/// other peer are ignored: anyone can write them.
pub fn client_address(parts: &Parts, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
    if !trusted.iter().any(|n| n.contains(&peer)) {
        return Some(peer);
    }
    let header = |name: &str| -> Vec<String> {
        parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect()
    };
    let forwarded: Vec<IpAddr> = header("forwarded").iter().flat_map(|h| forwarded_for(h)).collect();
    let hops = if forwarded.is_empty() {
        header("x-forwarded-for").iter().flat_map(|h| h.split(',').filter_map(parse_addr).collect::<Vec<_>>()).collect()
    } else {
        forwarded
    };
    // Right to left: the last hop our proxies did not add themselves is the client.
    hops.iter().rev().find(|a| !trusted.iter().any(|n| n.contains(*a))).or(hops.first()).copied().or(Some(peer))
}

/// The `for=` addresses of a `Forwarded` header (RFC 7239), in order.
fn forwarded_for(header: &str) -> Vec<IpAddr> {
    header
        .split(',')
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            k.trim().eq_ignore_ascii_case("for").then(|| parse_addr(v)).flatten()
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_addr(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_matches('"');
    if let Ok(ip) = t.parse() {
        return Some(ip);
    }
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    t.strip_prefix('[').and_then(|r| r.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

/// Parses `SWITCHYARD_TRUSTED_PROXIES`: addresses or CIDRs, comma-separated.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{s}' is not an address or CIDR; write e.g. 10.0.0.5 or 10.0.0.0/24"))
        })
        .collect()
}

/// Where to go after signing in: `next` when it is a local path that cannot leave the site
/// (starts with one `/`, no backslash, no control or white-space characters), else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && !n.chars().any(|c| c.is_control() || c.is_whitespace())
            && n.len() <= 2048
    };
    next.filter(|n| ok(n)).unwrap_or("/").to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn waits_double_past_the_free_failures_and_never_overflow() {
        assert_eq!(wait_after(5, 5), 0);
        assert_eq!(wait_after(6, 5), 1);
        assert_eq!(wait_after(7, 5), 2);
        assert_eq!(wait_after(10, 5), 16);
        assert_eq!(wait_after(i32::MAX, 5), MAX_WAIT_SECS);
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/fleet?tier=cell")), "/fleet?tier=cell");
        for bad in ["//evil.com", "/\\evil.com", "https://evil.com", "/\n", "/\r\nSet-Cookie: x", "evil", "/ x"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn forwarded_headers_name_addresses_with_ports_and_brackets() {
        let got = forwarded_for(r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#);
        assert_eq!(got, ["192.0.2.60".parse::<IpAddr>().unwrap(), "2001:db8:cafe::17".parse().unwrap()]);
        assert!(parse_trusted("10.0.0.0/8, 192.0.2.1").unwrap().len() == 2);
        assert!(parse_trusted("proxy.local").is_err());
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let parts = |peer: &str, xff: &str| {
            let mut req = axum::http::Request::builder().header("x-forwarded-for", xff).body(()).unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            req.into_parts().0
        };
        let trusted = parse_trusted("10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_address(&parts("10.0.0.2:1", "198.51.100.7, 10.0.0.9"), &trusted), Some(ip("198.51.100.7")));
        assert_eq!(client_address(&parts("203.0.113.5:1", "198.51.100.7"), &trusted), Some(ip("203.0.113.5")));
        assert_eq!(client_address(&parts("10.0.0.2:1", "spoof, 198.51.100.7"), &trusted), Some(ip("198.51.100.7")));
    }
}
