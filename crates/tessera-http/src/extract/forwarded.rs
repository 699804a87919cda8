//! Who the client is behind proxies, as pure functions of the peer, the forwarded-for header lines and
//! the trusted proxies (`TESSERA_TRUSTED_PROXIES`).
//!
//! Each proxy appends the address it received the request from, so only the right end of the
//! header is written by proxies; anything further left may be the client's own invention. The walk
//! therefore goes from the right over every hop of every header line (a proxy may add its own
//! line rather than extend the last one) and stops at the first hop that is not a trusted proxy.
//!
//! An entry that is not an IP address stops the walk too: it was written by whoever sent the request
//! to the last trusted hop, so the client is that last trusted hop's view, the address just right of
//! the bad entry (or the peer when the bad entry is the rightmost). A made-up entry can therefore
//! never name an arbitrary address, and never moves the client further left.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// Hops read at most, from the right; a longer chain ends the walk like a bad entry.
const MAX_HOPS: usize = 32;
/// No IP address, bracketed and with a port, is longer than this.
const MAX_HOP_LEN: usize = 64;

/// Whether `ip` is a trusted proxy. IPv4-mapped IPv6 counts as the IPv4 address, whichever way the
/// address or the configured network is written.
pub fn is_trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    let mapped = match ip {
        IpAddr::V4(v4) => Some(IpAddr::V6(v4.to_ipv6_mapped())),
        IpAddr::V6(_) => None,
    };
    proxies
        .iter()
        .any(|net| net.contains(&ip) || mapped.is_some_and(|m| net.contains(&m)))
}

/// One forwarded hop: `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:443`. The port is dropped (it changes with every connection) and IPv4-mapped IPv6
/// becomes IPv4, so one client has one address.
pub fn parse_hop(raw: &str) -> Option<IpAddr> {
    let hop = raw.trim();
    if hop.len() > MAX_HOP_LEN {
        return None;
    }
    let ip = if let Ok(ip) = hop.parse::<IpAddr>() {
        ip
    } else if let Ok(with_port) = hop.parse::<SocketAddr>() {
        with_port.ip()
    } else {
        let inner = hop.strip_prefix('[')?.strip_suffix(']')?;
        IpAddr::V6(inner.parse::<Ipv6Addr>().ok()?)
    };
    Some(ip.to_canonical())
}

/// The client address: the peer itself unless it is a trusted proxy; then the rightmost forwarded
/// hop that is not a trusted proxy, over all `lines` in order. When every hop is a trusted proxy,
/// the farthest one seen is the client.
pub fn client_address(peer: IpAddr, lines: &[&str], proxies: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    if !is_trusted(peer, proxies) {
        return peer;
    }
    let hops = lines
        .iter()
        .rev()
        .flat_map(|line| line.rsplit(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty());
    // The address the last trusted hop received the request from, as far as the walk has come.
    let mut client = peer;
    for (n, raw) in hops.enumerate() {
        if n == MAX_HOPS {
            break;
        }
        match parse_hop(raw) {
            None => break,
            Some(ip) if is_trusted(ip, proxies) => client = ip,
            Some(ip) => return ip,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn hops_parse_with_or_without_ports_and_brackets() {
        for raw in [
            "2001:db8::1",
            " [2001:db8::1] ",
            "[2001:db8::1]:443",
            "[2001:DB8:0::1]:8443",
        ] {
            assert_eq!(parse_hop(raw), Some(ip("2001:db8::1")), "{raw}");
        }
        for raw in [
            "192.0.2.1",
            "192.0.2.1:5555",
            "::ffff:192.0.2.1",
            "[::ffff:192.0.2.1]:80",
        ] {
            assert_eq!(parse_hop(raw), Some(ip("192.0.2.1")), "{raw}");
        }
        for raw in [
            "",
            "unknown",
            "192.0.2",
            "[192.0.2.1]",
            "2001:db8::1:443:1:2:3:4:5",
            "fe80::1%eth0",
            "192.0.2.1:99999",
            "_hidden",
            &format!("[{}]", "0:".repeat(40)),
        ] {
            assert_eq!(parse_hop(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn mapped_addresses_are_trusted_either_way() {
        assert!(is_trusted(ip("::ffff:127.0.0.1"), &nets(&["127.0.0.1/32"])));
        assert!(is_trusted(
            ip("127.0.0.1"),
            &nets(&["::ffff:127.0.0.1/128"])
        ));
        assert!(is_trusted(ip("::ffff:10.1.2.3"), &nets(&["10.0.0.0/8"])));
        assert!(!is_trusted(ip("::ffff:11.1.2.3"), &nets(&["10.0.0.0/8"])));
        assert!(!is_trusted(ip("::1"), &nets(&["127.0.0.1/32"])));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("192.0.2.9"), &["203.0.113.7"], &proxies),
            ip("192.0.2.9")
        );
        assert_eq!(
            client_address(ip("::ffff:192.0.2.9"), &[], &proxies),
            ip("192.0.2.9")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_over_every_line_is_the_client() {
        let proxies = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        let peer = ip("::ffff:127.0.0.1");
        let client = |lines: &[&str]| client_address(peer, lines, &proxies);
        assert_eq!(client(&[]), ip("127.0.0.1"));
        assert_eq!(client(&["203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(client(&["6.6.6.6, 203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(
            client(&["6.6.6.6", "203.0.113.7, 10.0.0.2"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            client(&["6.6.6.6", "203.0.113.7,10.0.0.2,"]),
            ip("203.0.113.7")
        );
        assert_eq!(client(&["6.6.6.6, [2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(client(&["6.6.6.6, ::ffff:10.0.0.2"]), ip("6.6.6.6"));
        // Every hop a proxy: the farthest seen.
        assert_eq!(client(&["10.0.0.3, 10.0.0.2"]), ip("10.0.0.3"));
    }

    #[test]
    fn a_bad_entry_leaves_the_last_trusted_hops_view() {
        let proxies = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        let client = |lines: &[&str]| client_address(peer, lines, &proxies);
        assert_eq!(client(&["6.6.6.6, unknown, 10.0.0.2"]), ip("10.0.0.2"));
        assert_eq!(client(&["6.6.6.6, unknown"]), ip("127.0.0.1"));
        assert_eq!(client(&["6.6.6.6", "\u{fffd}", "10.0.0.2"]), ip("10.0.0.2"));
        // A chain of proxies longer than anyone runs ends the walk where it stands.
        let long = vec!["10.0.0.1"; 40].join(", ");
        assert_eq!(client(&[&format!("6.6.6.6, {long}")]), ip("10.0.0.1"));
    }
}
