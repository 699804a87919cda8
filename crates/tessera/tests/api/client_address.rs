//! The client's address behind proxies (DESIGN §3): the rightmost `X-Forwarded-For` hop that is not a
//! trusted proxy, over every line of the header, parsed as an IP; and `X-Forwarded-Proto` believed only
//! from a trusted proxy. Seen here through login history and the per-address login throttle.

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    the_client_is_the_rightmost_untrusted_hop_over_every_header_line,
    ports_brackets_and_mapped_addresses_name_one_client,
    an_unparseable_hop_leaves_the_last_trusted_hops_view,
    a_forged_first_line_cannot_dodge_the_address_throttle,
    a_port_per_attempt_cannot_dodge_the_address_throttle,
    forwarded_proto_is_believed_only_from_a_trusted_proxy,
);

/// The test client connects from 127.0.0.1; 10.0.0.0/8 stands for the proxies in front of it.
const PROXIES: (&str, &str) = ("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8");

/// Logs `p@example.com` in with these `X-Forwarded-For` lines; the address login history recorded.
async fn recorded_address(app: &TestApp, lines: &[&str]) -> String {
    // A second later than the previous login, so this one is first in the newest-first history.
    app.clock.advance(chrono::Duration::seconds(1));
    let mut req = app
        .http
        .post(app.url("/api/session"))
        .json(&json!({"username": "p@example.com", "password": PASSWORD}));
    for line in lines {
        req = req.header("X-Forwarded-For", *line);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, history) = app
        .call(Method::GET, "/api/login-history/current", &key, None)
        .await;
    assert_eq!(status, 200);
    history[0]["ip_address"].as_str().unwrap().to_string()
}

async fn the_client_is_the_rightmost_untrusted_hop_over_every_header_line(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[PROXIES]).await;
    app.create_user("p@example.com", false).await;
    // The client forged a first line; the proxies each added their own below it.
    assert_eq!(
        recorded_address(&app, &["6.6.6.6", "203.0.113.7, 10.0.0.2"]).await,
        "203.0.113.7"
    );
    assert_eq!(
        recorded_address(&app, &["6.6.6.6, 198.51.100.1", "203.0.113.8"]).await,
        "203.0.113.8"
    );
    // Every hop a trusted proxy: the farthest one seen is the client.
    assert_eq!(
        recorded_address(&app, &["10.0.0.3, 10.0.0.2"]).await,
        "10.0.0.3"
    );
    // No header: the peer itself.
    assert_eq!(recorded_address(&app, &[]).await, "127.0.0.1");

    // An untrusted peer's header is ignored altogether.
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    assert_eq!(recorded_address(&app, &["203.0.113.7"]).await, "127.0.0.1");
}

async fn ports_brackets_and_mapped_addresses_name_one_client(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[PROXIES]).await;
    app.create_user("p@example.com", false).await;
    for hop in [
        "2001:db8::1",
        "[2001:db8::1]",
        "[2001:db8::1]:443",
        "[2001:db8::1]:8443",
        "2001:DB8:0:0:0:0:0:1",
    ] {
        assert_eq!(recorded_address(&app, &[hop]).await, "2001:db8::1", "{hop}");
    }
    for hop in [
        "203.0.113.7:5555",
        "::ffff:203.0.113.7",
        "[::ffff:203.0.113.7]:80",
    ] {
        assert_eq!(recorded_address(&app, &[hop]).await, "203.0.113.7", "{hop}");
    }
    // A proxy written as a mapped address is still a trusted proxy.
    assert_eq!(
        recorded_address(&app, &["203.0.113.9, ::ffff:10.0.0.2"]).await,
        "203.0.113.9"
    );
}

async fn an_unparseable_hop_leaves_the_last_trusted_hops_view(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[PROXIES]).await;
    app.create_user("p@example.com", false).await;
    // 10.0.0.2 is trusted, so the walk reaches the garbage left of it and stops: the client is what
    // the last trusted hop saw, 10.0.0.2 itself, never the forged 6.6.6.6 further left.
    assert_eq!(
        recorded_address(&app, &["6.6.6.6, unknown, 10.0.0.2"]).await,
        "10.0.0.2"
    );
    // Garbage as the rightmost entry: the peer (the proxy that forwarded it) is all that is known.
    assert_eq!(
        recorded_address(&app, &["203.0.113.7, <script>"]).await,
        "127.0.0.1"
    );
}

async fn fail(app: &TestApp, username: &str, lines: &[&str]) -> (u16, Value) {
    let mut req = app
        .http
        .post(app.url("/api/session"))
        .json(&json!({"username": username, "password": "wrong-password1"}));
    for line in lines {
        req = req.header("X-Forwarded-For", *line);
    }
    body_of(req.send().await.unwrap()).await
}

fn wait_15() -> Value {
    json!({"errors": {"username":
        "Too many attempts! You must wait 15 seconds before trying again."}})
}

async fn a_forged_first_line_cannot_dodge_the_address_throttle(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[PROXIES]).await;
    for i in 0..50 {
        let forged = format!("1.1.1.{i}");
        let (status, _) = fail(
            &app,
            &format!("user{i}@example.com"),
            &[&forged, "203.0.113.7"],
        )
        .await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        fail(&app, "new@example.com", &["9.9.9.9", "203.0.113.7"]).await,
        (401, wait_15())
    );
}

async fn a_port_per_attempt_cannot_dodge_the_address_throttle(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[PROXIES]).await;
    for i in 0..50 {
        let hop = format!("[2001:db8::1]:{}", 1000 + i);
        let (status, _) = fail(&app, &format!("user{i}@example.com"), &[&hop]).await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        fail(&app, "new@example.com", &["[2001:db8::1]:9999"]).await,
        (401, wait_15())
    );
    // `ip:port` is that client, not the proxy: someone else behind the same proxy may still log in.
    for i in 0..50 {
        let hop = format!("203.0.113.7:{}", 1000 + i);
        fail(&app, &format!("other{i}@example.com"), &[&hop]).await;
    }
    assert_eq!(
        fail(&app, "new2@example.com", &["203.0.113.7:1"]).await,
        (401, wait_15())
    );
    app.create_user("p@example.com", false).await;
    let res = app
        .http
        .post(app.url("/api/session"))
        .header("X-Forwarded-For", "198.51.100.20")
        .json(&json!({"username": "p@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn forwarded_proto_is_believed_only_from_a_trusted_proxy(backend: Backend) {
    let untrusted = TestApp::spawn(backend).await;
    let trusted = TestApp::spawn_with(backend, &[PROXIES]).await;
    for (app, believed) in [(&untrusted, false), (&trusted, true)] {
        app.create_user("p@example.com", false).await;
        for (header, value) in [
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Protocol", "https"),
            ("X-Url-Scheme", "https"),
            ("X-Forwarded-Ssl", "on"),
            ("Front-End-Https", "on"),
        ] {
            let res = app
                .http
                .post(app.url("/api/session"))
                .header(header, value)
                .json(&json!({"username": "p@example.com", "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let session = cookie_named(res.headers(), "metabase.SESSION").unwrap();
            assert_eq!(session.contains(";Secure"), believed, "{header}: {session}");
            let device = cookie_named(res.headers(), "metabase.DEVICE").unwrap();
            assert_eq!(device.contains(";Secure"), believed, "{header}: {device}");
        }
    }
}
