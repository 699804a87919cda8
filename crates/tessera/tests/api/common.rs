//! `TestApp`: the real application on port 0 with a manual clock and fast hashing, over a fresh SQLite
//! file or a fresh PostgreSQL schema, spoken to with a real HTTP client.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tessera::{Application, Options, Settings};
use tessera_domain::policy::hashing::HashParams;
use tessera_domain::{ManualClock, Services};
use tessera_store::DatabaseConfig;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "Tr0ub4dor&3X";

impl Backend {
    /// PostgreSQL tests need `TESSERA_TEST_POSTGRES_URL`; without it they are skipped, loudly, except in
    /// CI where that is a failure.
    pub fn available(self) -> bool {
        match self {
            Backend::Sqlite => true,
            Backend::Postgres => {
                if std::env::var("TESSERA_TEST_POSTGRES_URL").is_ok() {
                    return true;
                }
                skip("PostgreSQL: TESSERA_TEST_POSTGRES_URL is not set");
                false
            }
        }
    }
}

#[path = "../../../../tests/support/skip.rs"]
mod skip_rule;
pub use skip_rule::skip;

/// Generates `sqlite::name` and `postgres::name` tests from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::common::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if $crate::common::Backend::Postgres.available() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            })*
        }
    };
}

pub fn start_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub auth: Arc<Services>,
    /// `http://host:port` of the metrics listener, when `TESSERA_METRICS_ADDR` was set.
    pub metrics: Option<String>,
    /// The settings it was built from, for another instance.
    pub settings: Settings,
    /// The argon2 parameters it hashes with instead of the configured ones.
    hash: Option<HashParams>,
    /// No cookie store: tests send and read cookies explicitly.
    pub http: reqwest::Client,
    _dir: Arc<Option<tempfile::TempDir>>,
    /// Stops the application (server, mail worker, session purger) when dropped.
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// `env` overrides settings by their environment names, as an operator would. `{base}` in a value
    /// stands for this instance's own URL (its port is chosen before the settings are read).
    pub async fn spawn_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        Self::spawn_tuned(backend, env, |_| {}).await
    }

    /// [`Self::spawn_with`], then `tune` adjusts the settings read (for a field no environment
    /// variable sets yet).
    pub async fn spawn_tuned(
        backend: Backend,
        env: &[(&str, &str)],
        tune: impl FnOnce(&mut Settings),
    ) -> Self {
        Self::spawn_tuned_at(backend, env, tune, start_time()).await
    }

    /// [`Self::spawn_with`] with the clock starting at `at` (real time, for a real OpenID provider's
    /// tokens). Set before anything runs: moving the clock back later could let the session purger,
    /// having read the later time, delete sessions made after it.
    pub async fn spawn_at(backend: Backend, env: &[(&str, &str)], at: DateTime<Utc>) -> Self {
        Self::spawn_tuned_at(backend, env, |_| {}, at).await
    }

    async fn spawn_tuned_at(
        backend: Backend,
        env: &[(&str, &str)],
        tune: impl FnOnce(&mut Settings),
        at: DateTime<Utc>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let vars: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.replace("{base}", &base)))
            .collect();
        let mut settings = Settings::from_env(&vars).expect("test settings");
        let hash = (!vars.keys().any(|k| k.starts_with("TESSERA_ARGON2_")))
            .then(HashParams::fast_for_tests);
        let dir = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                settings.database = DatabaseConfig::Sqlite {
                    path: dir.path().join("tessera.db"),
                };
                Some(dir)
            }
            Backend::Postgres => {
                settings.database = DatabaseConfig::Postgres {
                    url: std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap(),
                    schema: Some(format!("t_{}", uuid::Uuid::new_v4().simple())),
                };
                None
            }
        };
        tune(&mut settings);
        let clock = Arc::new(ManualClock::new(at));
        Self::start(settings, hash, clock, Arc::new(dir), Some(listener)).await
    }

    /// The same `Application` `tessera serve` builds, with a manual clock, its hashing, mail polled
    /// often, and `listener` (or a fresh one on port 0).
    async fn start(
        settings: Settings,
        hash: Option<HashParams>,
        clock: Arc<ManualClock>,
        dir: Arc<Option<tempfile::TempDir>>,
        listener: Option<tokio::net::TcpListener>,
    ) -> Self {
        // Without a listener, the application binds a free port itself.
        let mut app_settings = settings.clone();
        app_settings.host = "127.0.0.1".into();
        app_settings.port = 0;
        let app = Application::build(
            app_settings,
            Options {
                clock: clock.clone(),
                hash,
                listener,
                mail_every: std::time::Duration::from_millis(25),
                ..Options::default()
            },
        )
        .await
        .expect("build the application");
        let base = format!("http://{}", app.address());
        let metrics = app.metrics_address().map(|a| format!("http://{a}"));
        let auth = app.services().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run(async {
            let _ = stopped.await;
        }));
        Self {
            base,
            clock,
            auth,
            metrics,
            settings,
            hash,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _dir: dir,
            _stop: stop,
        }
    }

    /// An app whose mail goes to `sink`, with links under `http://tessera.test`.
    pub async fn spawn_with_mail(
        backend: Backend,
        sink: &crate::peers::SmtpSink,
        env: &[(&str, &str)],
    ) -> Self {
        Self::spawn_with_mail_at(backend, sink, env, start_time()).await
    }

    /// [`Self::spawn_with_mail`] with the clock starting at `at` (see [`Self::spawn_at`]).
    pub async fn spawn_with_mail_at(
        backend: Backend,
        sink: &crate::peers::SmtpSink,
        env: &[(&str, &str)],
        at: DateTime<Utc>,
    ) -> Self {
        let port = sink.smtp_port.to_string();
        let mut all: Vec<(&str, &str)> = vec![
            ("MB_EMAIL_SMTP_HOST", "127.0.0.1"),
            ("MB_EMAIL_SMTP_PORT", &port),
            ("MB_EMAIL_FROM_ADDRESS", "tessera@tessera.test"),
            ("MB_EMAIL_FROM_NAME", "Tessera"),
            ("MB_SITE_URL", "http://tessera.test"),
        ];
        all.extend_from_slice(env);
        Self::spawn_at(backend, &all, at).await
    }

    /// Another instance over the same database and clock: a restart, or a second node.
    pub async fn another_instance(&self) -> Self {
        Self::start(
            self.settings.clone(),
            self.hash,
            self.clock.clone(),
            self._dir.clone(),
            None,
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_with_session(&self, path: &str, key: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("X-Metabase-Session", key)
            .send()
            .await
            .unwrap()
    }

    /// The status of `GET /users/me` with this access token: 200 while it works.
    pub async fn access_token_status(&self, token: &str) -> u16 {
        self.http
            .get(self.url("/users/me"))
            .header("X-Access-Token", token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub async fn properties(&self) -> Value {
        self.http
            .get(self.url("/api/session/properties"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Runs first-run setup over HTTP; returns the admin's session key.
    pub async fn setup_admin(&self, email: &str) -> String {
        let token = self.properties().await["setup-token"].clone();
        let res = self
            .post(
                "/api/setup",
                json!({"token": token, "user": {"email": email, "password": PASSWORD,
                       "first_name": "Ada", "last_name": "Admin"},
                       "prefs": {"site_name": "Acme"}}),
            )
            .await;
        assert_eq!(res.status(), 200, "setup failed");
        res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a person the way `tessera user create` does.
    pub async fn create_user(&self, email: &str, admin: bool) -> i64 {
        self.auth
            .people
            .create_with_password(
                tessera_domain::types::user::NewUser {
                    email: email.into(),
                    first_name: Some("Pat".into()),
                    last_name: None,
                    is_superuser: admin,
                    ..Default::default()
                },
                tessera_domain::secret::Password::new(PASSWORD),
            )
            .await
            .unwrap()
            .id
            .0
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/session",
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login_ok(&self, username: &str) -> String {
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("X-Metabase-Session", key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    /// `send`, then the status and the body as JSON (a plain-text body becomes a JSON string).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        body_of(self.send(method, path, key, body).await).await
    }

    /// `DELETE /api/user/:id` as `admin`; the status.
    pub async fn deactivate(&self, admin: &str, id: i64) -> u16 {
        self.call(
            reqwest::Method::DELETE,
            &format!("/api/user/{id}"),
            admin,
            None,
        )
        .await
        .0
    }

    pub async fn user_count(&self) -> i64 {
        self.auth.store().user_count().await.unwrap()
    }
}

/// Every `Set-Cookie` of a response.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

pub fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// The key in a `metabase.SESSION=<key>;…` Set-Cookie.
pub fn session_key(cookie: &str) -> String {
    cookie
        .trim_start_matches("metabase.SESSION=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The status and the body as JSON (a plain-text body becomes a JSON string).
pub async fn body_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
