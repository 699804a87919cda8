//! A real OpenID provider beside the app: `tests/peers/oidc/provider.mjs` (npm `oidc-provider`), and a
//! headless browser's walk through its login (see that folder's README for the sequence).

use crate::common::{Backend, TestApp};
use reqwest::header::LOCATION;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Redirect URIs the provider accepts (any loopback port): Tessera's callback, and one for clients
/// that run the flow themselves.
pub const CLIENT_REDIRECT: &str = "http://127.0.0.1/client-callback";
const REDIRECT_URIS: &str = "http://127.0.0.1/auth/oidc/callback,http://127.0.0.1/client-callback,\
                             http://127.0.0.1/auth/google/callback";

pub const GOOGLE_CLIENT: (&str, &str) =
    ("tessera-test.apps.googleusercontent.com", "google-secret");
pub const OTHER_CLIENT: (&str, &str) = ("other-app", "other-secret");

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/oidc")
}

/// Whether the provider's npm packages are there; skips loudly (in CI: fails) when not.
fn installed() -> bool {
    let there = peer_dir().join("node_modules/oidc-provider").exists();
    if !there {
        crate::common::skip("OpenID provider: run `npm ci` in tests/peers/oidc");
    }
    there
}

pub struct OidcPeer {
    child: Child,
    pub issuer: String,
    port: u16,
    id_token_ttl_secs: u32,
    default_account: Option<&'static str>,
}

impl OidcPeer {
    /// Starts the provider. Without its npm packages (`npm ci` in tests/peers/oidc) the caller skips,
    /// loudly; in CI that is a failure.
    pub fn start() -> Option<Self> {
        Self::start_with_ttl(3600)
    }

    /// A provider whose ID tokens live `id_token_ttl_secs`.
    pub fn start_with_ttl(id_token_ttl_secs: u32) -> Option<Self> {
        installed().then(|| Self::start_on(0, id_token_ttl_secs, None))
    }

    /// A provider that logs `account` in when the request names nobody (no `login_hint`), as a real
    /// browser's plain "Sign in" link does.
    pub fn start_with_default_account(account: &'static str) -> Option<Self> {
        installed().then(|| Self::start_on(0, 3600, Some(account)))
    }

    /// Starts node and waits for its READY line. On a loaded machine node has been seen to hang before
    /// printing it, so a start that stays silent for 30 s is killed and tried again.
    fn start_on(port: u16, id_token_ttl_secs: u32, default_account: Option<&'static str>) -> Self {
        for _ in 0..3 {
            let mut node = Command::new("node");
            node.arg("provider.mjs")
                .current_dir(peer_dir())
                .env("OIDC_REDIRECT_URIS", REDIRECT_URIS)
                .env("OIDC_PORT", port.to_string())
                .env("OIDC_ID_TOKEN_TTL", id_token_ttl_secs.to_string());
            if let Some(account) = default_account {
                node.env("OIDC_DEFAULT_ACCOUNT", account);
            }
            let mut child = node
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start the OpenID provider (node)");
            let stdout = child.stdout.take().unwrap();
            let (said, heard) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(stdout).read_line(&mut line);
                let _ = said.send(line);
            });
            let Ok(line) = heard.recv_timeout(std::time::Duration::from_secs(30)) else {
                let _ = child.kill();
                let _ = child.wait();
                continue;
            };
            let issuer = line
                .trim()
                .strip_prefix("READY issuer=")
                .unwrap_or_else(|| panic!("the OpenID provider said {line:?}"))
                .to_string();
            let port = issuer.rsplit(':').next().unwrap().parse().unwrap();
            return Self {
                child,
                issuer,
                port,
                id_token_ttl_secs,
                default_account,
            };
        }
        panic!("the OpenID provider did not start in three tries of 30 s");
    }

    /// Stops and starts again under the same issuer, with a new signing key.
    pub fn restart(&mut self) {
        self.stop();
        *self = Self::start_on(self.port, self.id_token_ttl_secs, self.default_account);
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Settings that make `TestApp` use this provider for OIDC login.
    pub fn oidc_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TESSERA_OIDC_ISSUER", self.issuer.clone()),
            ("TESSERA_OIDC_CLIENT_ID", "tessera".into()),
            ("TESSERA_OIDC_CLIENT_SECRET", "tessera-secret".into()),
            (
                "TESSERA_OIDC_REDIRECT_URI",
                "{base}/auth/oidc/callback".into(),
            ),
        ]
    }

    /// Settings that make `TestApp` take this provider for Google.
    pub fn google_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MB_GOOGLE_AUTH_CLIENT_ID", GOOGLE_CLIENT.0.into()),
            ("TESSERA_GOOGLE_ISSUER", self.issuer.clone()),
            ("TESSERA_GOOGLE_JWKS_URL", format!("{}/jwks", self.issuer)),
        ]
    }

    /// [`Self::google_env`] with the client's secret: "Sign in with Google" through this provider.
    pub fn google_web_env(&self) -> Vec<(&'static str, String)> {
        let mut env = self.google_env();
        env.push(("TESSERA_GOOGLE_CLIENT_SECRET", GOOGLE_CLIENT.1.into()));
        env.push((
            "TESSERA_GOOGLE_REDIRECT_URI",
            "{base}/auth/google/callback".into(),
        ));
        env
    }

    /// Logs `account` in at the provider from an authorization URL, as a browser would, and returns
    /// where the provider sends the browser back to (the redirect URI with `code` and `state`).
    pub async fn log_in(&self, authorization_url: &str, account: &str) -> reqwest::Url {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = reqwest::Url::parse(authorization_url).unwrap();
        if !url.query_pairs().any(|(k, _)| k == "login_hint") {
            url.query_pairs_mut().append_pair("login_hint", account);
        }
        for _ in 0..5 {
            let res = browser.get(url.clone()).send().await.unwrap();
            let status = res.status();
            let Some(next) = res.headers().get(LOCATION) else {
                panic!("provider answered {status}: {}", res.text().await.unwrap());
            };
            let next = url.join(next.to_str().unwrap()).unwrap();
            if !next.as_str().starts_with(&self.issuer) {
                return next;
            }
            url = next;
        }
        panic!("the provider's login did not end");
    }

    /// An authorization URL for a client running the flow itself (no PKCE, its own state and nonce).
    pub fn client_authorization_url(&self, client_id: &str, redirect_uri: &str) -> String {
        let mut url = reqwest::Url::parse(&format!("{}/auth", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", "openid email profile")
            .append_pair("state", "client-state")
            .append_pair("nonce", "client-nonce");
        url.to_string()
    }

    /// A code the provider issued `client_id` for `account`, sent back to `redirect_uri` (which the
    /// redeemer must name again).
    pub async fn code_for(&self, client_id: &str, account: &str, redirect_uri: &str) -> String {
        let back = self
            .log_in(
                &self.client_authorization_url(client_id, redirect_uri),
                account,
            )
            .await;
        query_param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
    }

    /// An ID token for `account` with audience `client`, the way a browser's sign-in library gets one.
    pub async fn id_token(&self, client: (&str, &str), account: &str) -> String {
        let code = self.code_for(client.0, account, CLIENT_REDIRECT).await;
        let res = reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(client.0, Some(client.1))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CLIENT_REDIRECT),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "token exchange");
        let body: Value = res.json().await.unwrap();
        body["id_token"].as_str().unwrap().to_string()
    }
}

/// The part a test gives the provider.
pub enum Role {
    Oidc,
    Google,
}

/// A provider in `role`, and an app using it, set up with an admin (whose session key comes back) and
/// its clock at the provider's real time so ID-token expiry means something; only the test moves it.
/// `None` (skip) without the provider's packages.
pub async fn app_with_provider(
    backend: Backend,
    role: Role,
    extra: &[(&str, &str)],
) -> Option<(OidcPeer, TestApp, String)> {
    let peer = OidcPeer::start()?;
    let (app, admin) = app_using(backend, &peer, role, extra).await;
    Some((peer, app, admin))
}

/// [`app_with_provider`] for a provider the test started itself.
pub async fn app_using(
    backend: Backend,
    peer: &OidcPeer,
    role: Role,
    extra: &[(&str, &str)],
) -> (TestApp, String) {
    let env = match role {
        Role::Oidc => peer.oidc_env(),
        Role::Google => peer.google_env(),
    };
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_at(backend, &vars, chrono::Utc::now()).await;
    let admin = app.setup_admin("admin@example.com").await;
    (app, admin)
}

impl Drop for OidcPeer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn query_param(url: &reqwest::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
