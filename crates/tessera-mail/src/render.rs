//! Text and HTML bodies from templates (minijinja, compiled into the binary). HTML output is escaped.

use minijinja::{context, Environment};
use tessera_domain::ports::mail::MailRenderer;
use tessera_domain::types::mail::{Mail, RenderedMail};

pub struct Templates {
    env: Environment<'static>,
    app: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "password_reset.txt",
        include_str!("../templates/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../templates/password_reset.html"),
    ),
    (
        "sso_sign_in.txt",
        include_str!("../templates/sso_sign_in.txt"),
    ),
    (
        "sso_sign_in.html",
        include_str!("../templates/sso_sign_in.html"),
    ),
    ("invite.txt", include_str!("../templates/invite.txt")),
    ("invite.html", include_str!("../templates/invite.html")),
    (
        "new_device.txt",
        include_str!("../templates/new_device.txt"),
    ),
    (
        "new_device.html",
        include_str!("../templates/new_device.html"),
    ),
    (
        "new_sso_user.txt",
        include_str!("../templates/new_sso_user.txt"),
    ),
    (
        "new_sso_user.html",
        include_str!("../templates/new_sso_user.html"),
    ),
];

impl Templates {
    /// `app` names the product in subjects and bodies (Metabase says "Metabase").
    pub fn new(app: &str) -> Self {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("templates compiled into the binary are valid");
        }
        Self {
            env,
            app: app.to_string(),
        }
    }

    fn render_pair(&self, stem: &str, ctx: minijinja::Value) -> (String, String) {
        let render = |name: String| {
            self.env
                .get_template(&name)
                .and_then(|t| t.render(ctx.clone()))
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, template = %name, "mail template failed");
                    String::new()
                })
        };
        (
            render(format!("{stem}.txt")),
            render(format!("{stem}.html")),
        )
    }
}

impl MailRenderer for Templates {
    fn render(&self, mail: &Mail) -> RenderedMail {
        let app = &self.app;
        let (subject, stem, ctx) = match mail {
            Mail::PasswordReset {
                name,
                link,
                valid_hours,
            } => (
                format!("[{app}] Password Reset Request"),
                "password_reset",
                context! { app, name, link, valid_hours },
            ),
            Mail::SsoSignIn {
                name,
                provider,
                site_url,
            } => (
                format!("[{app}] Password Reset Request"),
                "sso_sign_in",
                context! { app, name, site_url, provider => provider_name(provider) },
            ),
            Mail::Invite {
                name,
                inviter,
                link,
                valid_hours,
            } => (
                format!("You're invited to join {app}"),
                "invite",
                context! { app, name, inviter, link, valid_hours },
            ),
            Mail::NewDevice {
                name,
                device,
                ip,
                at,
            } => (
                format!("We've Noticed a New {app} Login, {name}"),
                "new_device",
                context! { app, name, device, ip, at => at.format("%Y-%m-%d %H:%M UTC").to_string() },
            ),
            Mail::NewSsoUser {
                name,
                new_user,
                email,
                provider,
                people_link,
            } => (
                format!("{new_user} created a {app} account"),
                "new_sso_user",
                context! { app, name, new_user, email, people_link, provider => provider_name(provider) },
            ),
        };
        let (text, html) = self.render_pair(stem, ctx);
        RenderedMail {
            subject,
            text,
            html,
        }
    }
}

/// How mail names a person's sign-in provider (their `sso_source`).
fn provider_name(sso_source: &str) -> String {
    match sso_source {
        "google" => "Google".to_string(),
        "oidc" => "your organisation's single sign-on".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_mail_carries_the_link_and_escapes_html() {
        let t = Templates::new("Tessera");
        let m = t.render(&Mail::PasswordReset {
            name: "<Ada>".into(),
            link: "http://x/auth/reset_password/1_abc".into(),
            valid_hours: 48,
        });
        assert_eq!(m.subject, "[Tessera] Password Reset Request");
        assert!(m.text.contains("http://x/auth/reset_password/1_abc"));
        assert!(m.text.contains("48 hours"));
        assert!(m.html.contains("&lt;Ada&gt;"), "{}", m.html);
        // minijinja escapes `/` too; browsers read `&#x2f;` back as `/`.
        let html = m.html.replace("&#x2f;", "/");
        assert!(
            html.contains("href=\"http://x/auth/reset_password/1_abc\""),
            "{html}"
        );
    }
}
