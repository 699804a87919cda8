//! The pages in real headless Chromium (Debian's, driven by Playwright from `tests/e2e/*.py`),
//! with and without JavaScript, against the in-process server, a real SMTP sink and (for single
//! sign-on) the real OpenID provider. Screenshots of every page land in `target/e2e-screenshots/`.
//! Skipped (loudly, never in CI) without the Python peers, Playwright, Chromium or the provider.

use crate::common::{skip, Backend, TestApp};
use crate::oidc_peer::{app_using, OidcPeer, Role};
use crate::peers::{chromium, clients_python, SmtpSink};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs one phase of the script; panics with its output when a check failed.
async fn run(python: &Path, chromium: &Path, args: Vec<String>) {
    run_script("pages.py", python, chromium, args).await;
}

async fn run_script(name: &str, python: &Path, chromium: &Path, args: Vec<String>) {
    let script = repo().join("tests/e2e").join(name);
    let mut cmd = Command::new(python);
    cmd.arg(script).arg("--chromium").arg(chromium).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run a tests/e2e script"))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "tests/e2e/{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn playwright(python: &Path) -> bool {
    let ok = Command::new(python)
        .args(["-c", "import playwright.sync_api"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip("Playwright: run tests/clients/setup-venv.sh");
    }
    ok
}

async fn pages_work_in_chromium(js: bool) {
    let (Some(python), Some(chromium)) = (clients_python(), chromium()) else {
        return;
    };
    if !playwright(&python) {
        return;
    }
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    // Mailed links point at this very server.
    let app = TestApp::spawn_with_mail(Backend::Sqlite, &sink, &[("MB_SITE_URL", "{base}")]).await;
    let shots = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut common = vec![
        "--base".to_string(),
        app.base.clone(),
        "--shots".into(),
        shots.display().to_string(),
    ];
    if !js {
        common.push("--no-js".into());
    }
    let mut flows = common.clone();
    flows.extend([
        "--phase".into(),
        "flows".into(),
        "--sink".into(),
        sink.messages_url(),
    ]);
    run(&python, &chromium, flows).await;

    // A link past its lifetime, by the fake clock.
    let token = app
        .auth
        .passwords
        .operator_reset_token("ada@example.com")
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::hours(49));
    let link = app.url(&format!("/auth/reset_password/{}", token.expose()));
    let mut expired = common;
    expired.extend(["--phase".into(), "expired".into(), "--link".into(), link]);
    run(&python, &chromium, expired).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_chromium_with_javascript() {
    pages_work_in_chromium(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_chromium_without_javascript() {
    pages_work_in_chromium(false).await;
}

/// `tests/e2e/admin.py`: invite -> the mailed link in another browser -> signed in -> deactivated ->
/// signed out; the groups and API-key pages; screenshots `admin-*.png` (`js-admin-*.png` with script).
async fn admin_pages_work_in_chromium(js: bool) {
    let (Some(python), Some(chromium)) = (clients_python(), chromium()) else {
        return;
    };
    if !playwright(&python) {
        return;
    }
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(Backend::Sqlite, &sink, &[("MB_SITE_URL", "{base}")]).await;
    seed_admin_pages(&app).await;
    let shots = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut args = vec![
        "--base".to_string(),
        app.base.clone(),
        "--shots".into(),
        shots.display().to_string(),
        "--sink".into(),
        sink.messages_url(),
    ];
    if !js {
        args.push("--no-js".into());
    }
    run_script("admin.py", &python, &chromium, args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_pages_work_in_chromium_with_javascript() {
    admin_pages_work_in_chromium(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_pages_work_in_chromium_without_javascript() {
    admin_pages_work_in_chromium(false).await;
}

/// `tests/e2e/sso.py`: the sign-in page's single sign-on button -> the real OpenID provider (which
/// logs in Ada, as no `login_hint` names anyone) -> back on Tessera, signed in on `/account`;
/// screenshot `sso-account.png`. Ada's account is made on first sign-in (auto-create for her domain).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_sign_on_works_in_chromium() {
    let (Some(python), Some(chromium)) = (clients_python(), chromium()) else {
        return;
    };
    if !playwright(&python) {
        return;
    }
    let Some(peer) = OidcPeer::start_with_default_account("ada") else {
        return;
    };
    let (app, _) = app_using(
        Backend::Sqlite,
        &peer,
        Role::Oidc,
        &[("TESSERA_OIDC_AUTO_CREATE_DOMAINS", "example.com")],
    )
    .await;
    let shots = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let args = vec![
        "--base".to_string(),
        app.base.clone(),
        "--shots".into(),
        shots.display().to_string(),
    ];
    run_script("sso.py", &python, &chromium, args).await;
    // The person the browser saw is the one the provider vouched for, marked as such.
    let ada = app
        .auth
        .store()
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .expect("made on first sign-in");
    assert_eq!(
        ada.sso_source,
        Some(tessera_domain::types::sso::SsoSource::Oidc)
    );
}

/// `tests/e2e/sso.py --button "Sign in with Google"`: the sign-in page's Google link -> the provider
/// standing in for Google (logging in Ada) -> back on Tessera, signed in on `/account` as a Google
/// person; screenshots `google-login.png`, `google-account.png`. No JavaScript runs on Tessera's side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_sign_in_works_in_chromium() {
    let (Some(python), Some(chromium)) = (clients_python(), chromium()) else {
        return;
    };
    if !playwright(&python) {
        return;
    }
    let Some(peer) = OidcPeer::start_with_default_account("ada") else {
        return;
    };
    let (app, _) = app_using(
        Backend::Sqlite,
        &peer,
        Role::Google,
        &[
            (
                "TESSERA_GOOGLE_CLIENT_SECRET",
                crate::oidc_peer::GOOGLE_CLIENT.1,
            ),
            ("TESSERA_GOOGLE_REDIRECT_URI", "{base}/auth/google/callback"),
            ("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "example.com"),
        ],
    )
    .await;
    let shots = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let args = vec![
        "--base".to_string(),
        app.base.clone(),
        "--shots".into(),
        shots.display().to_string(),
        "--button".into(),
        "Sign in with Google".into(),
        "--name".into(),
        "google".into(),
    ];
    run_script("sso.py", &python, &chromium, args).await;
    let ada = app
        .auth
        .store()
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .expect("made on first sign-in");
    assert_eq!(
        ada.sso_source,
        Some(tessera_domain::types::sso::SsoSource::Google)
    );
}

/// What the admin pages' screenshots show besides the flow: an admin, SSO people, a group, a key,
/// and a personal key of the admin's.
async fn seed_admin_pages(app: &TestApp) {
    use tessera_domain::types::sso::SsoSource;
    use tessera_domain::types::user::NewUser;
    let ada = app.create_user("ada@example.com", true).await;
    let ada = app
        .auth
        .store()
        .user(tessera_domain::types::ids::UserId(ada))
        .await
        .unwrap()
        .unwrap();
    let analysts = app
        .auth
        .groups
        .create("Analysts", &["reports".into(), "export".into()])
        .await
        .unwrap();
    let people = [
        (
            "grace@example.com",
            "Grace",
            "Hopper",
            Some(SsoSource::Google),
        ),
        ("alan@example.com", "Alan", "Turing", Some(SsoSource::Oidc)),
        ("edsger@example.com", "Edsger", "Dijkstra", None),
    ];
    for (email, first, last, sso_source) in people {
        let user = NewUser {
            email: email.into(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            groups: vec![analysts.id],
            sso_source,
            ..Default::default()
        };
        app.auth
            .people
            .create_with_password(
                user,
                tessera_domain::secret::Password::new(crate::common::PASSWORD),
            )
            .await
            .unwrap();
    }
    app.auth
        .api_keys
        .create("Reporting", analysts.id, &ada)
        .await
        .unwrap();
    let request = tessera_domain::types::personal_key::PersonalKeyRequest {
        name: "Ada's notebook".into(),
        expiry: tessera_domain::types::personal_key::KeyExpiry::Days(90),
        group_ids: vec![],
    };
    app.auth.personal_keys.create(&ada, request).await.unwrap();
}

/// `tests/e2e/account.py`: two browsers signed in as one person, the account page seen from both.
async fn account_works_in_chromium(js: bool) {
    let (Some(python), Some(chromium)) = (clients_python(), chromium()) else {
        return;
    };
    if !playwright(&python) {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.create_user("pat@example.com", false).await;
    let shots = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut args = vec![
        "--base".to_string(),
        app.base.clone(),
        "--shots".into(),
        shots.display().to_string(),
    ];
    if !js {
        args.push("--no-js".into());
    }
    run_script("account.py", &python, &chromium, args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_works_in_chromium_with_javascript() {
    account_works_in_chromium(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_works_in_chromium_without_javascript() {
    account_works_in_chromium(false).await;
}
