//! The client address behind proxies: `X-Forwarded-For` lines from anyone, a peer, trusted networks.
//! Properties: a parsed hop is canonical and parses back to itself; the client is the peer or one of
//! the hops written in the lines, never an address made up; an untrusted peer is always the client.
#![no_main]

use ipnet::IpNet;
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;
use tessera_http::extract::forwarded::{client_address, is_trusted, parse_hop};

/// The input is text: the peer's address on the first line, the trusted networks (comma-separated
/// CIDRs or addresses) on the second, then forwarded-for header lines. Readable, so seeds can be
/// written by hand.
fn parse(text: &str) -> Option<(IpAddr, Vec<IpNet>, Vec<&str>)> {
    let mut lines = text.split('\n');
    let peer = lines.next()?.trim().parse::<IpAddr>().ok()?;
    let proxies = lines
        .next()?
        .split(',')
        .filter_map(|s| {
            let s = s.trim();
            s.parse::<IpNet>()
                .ok()
                .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
        })
        .collect();
    Some((peer, proxies, lines.collect()))
}

fuzz_target!(|data: &[u8]| {
    let Some((peer, proxies, lines)) = std::str::from_utf8(data).ok().and_then(parse) else {
        return;
    };
    let mut hops = Vec::new();
    for raw in lines.iter().flat_map(|l| l.split(',')) {
        if let Some(ip) = parse_hop(raw) {
            assert_eq!(ip, ip.to_canonical());
            assert_eq!(parse_hop(&ip.to_string()), Some(ip));
            hops.push(ip);
        }
    }
    let client = client_address(peer, &lines, &proxies);
    assert_eq!(client, client.to_canonical());
    assert!(
        client == peer.to_canonical() || hops.contains(&client),
        "{client} came from nowhere"
    );
    if !is_trusted(peer, &proxies) {
        assert_eq!(client, peer.to_canonical());
    }
});
