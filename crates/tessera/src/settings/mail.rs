//! Mail: the SMTP server (Metabase's `MB_EMAIL_*` names) and the product name mail is signed with.

use super::Reader;
use tessera_mail::{Security, SmtpSettings};

pub(super) const NAMES: &[&str] = &[
    "MB_EMAIL_SMTP_HOST",
    "MB_EMAIL_SMTP_PORT",
    "MB_EMAIL_SMTP_SECURITY",
    "MB_EMAIL_SMTP_USERNAME",
    "MB_EMAIL_SMTP_PASSWORD",
    "MB_EMAIL_FROM_ADDRESS",
    "MB_EMAIL_FROM_NAME",
    "TESSERA_APP_NAME",
];

/// The SMTP server (`None` without `MB_EMAIL_SMTP_HOST`: nothing is mailed) and the app's name.
pub(super) fn read(r: &Reader) -> (Option<SmtpSettings>, String) {
    let app_name = r.text_or("TESSERA_APP_NAME", "Tessera").to_string();
    (smtp(r), app_name)
}

fn smtp(r: &Reader) -> Option<SmtpSettings> {
    let host = r.get("MB_EMAIL_SMTP_HOST")?;
    let security = match r.get("MB_EMAIL_SMTP_SECURITY") {
        None => {
            r.default_is("MB_EMAIL_SMTP_SECURITY", "none");
            Security::None
        }
        Some(v) => Security::parse(v).unwrap_or_else(|| {
            r.bad(
                "MB_EMAIL_SMTP_SECURITY",
                format!("expected none, ssl, tls or starttls, got {v:?}"),
            );
            Security::None
        }),
    };
    let default_port = match security {
        Security::None => 25,
        Security::Ssl => 465,
        Security::StartTls => 587,
    };
    let port = r.parse_or("MB_EMAIL_SMTP_PORT", "a port number", default_port);
    let username = r.get("MB_EMAIL_SMTP_USERNAME").map(str::to_string);
    let password = r.get("MB_EMAIL_SMTP_PASSWORD").map(str::to_string);
    let from_name = r.get("MB_EMAIL_FROM_NAME").map(str::to_string);
    let Some(from_address) = r.get("MB_EMAIL_FROM_ADDRESS") else {
        r.bad(
            "MB_EMAIL_FROM_ADDRESS",
            "required when MB_EMAIL_SMTP_HOST is set",
        );
        return None;
    };
    let settings = SmtpSettings {
        host: host.to_string(),
        port,
        username,
        password,
        security,
        from_address: from_address.to_string(),
        from_name,
    };
    if let Err(e) = settings.from_mailbox() {
        r.bad("MB_EMAIL_FROM_ADDRESS", e);
        return None;
    }
    Some(settings)
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;

    #[test]
    fn smtp_needs_a_from_address_and_keeps_its_password_out_of_the_report() {
        let e = Settings::from_env(&env(&[("MB_EMAIL_SMTP_HOST", "mail")])).unwrap_err();
        assert_eq!(e.names(), ["MB_EMAIL_FROM_ADDRESS"]);
        let s = Settings::from_env(&env(&[
            ("MB_EMAIL_SMTP_HOST", "mail"),
            ("MB_EMAIL_SMTP_SECURITY", "starttls"),
            ("MB_EMAIL_SMTP_PASSWORD", "Distinctive-smtp-passw0rd"),
            ("MB_EMAIL_FROM_ADDRESS", "tessera@example.com"),
        ]))
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.password.as_deref(), Some("Distinctive-smtp-passw0rd"));
        let report = format!("{:?}", s.origins);
        assert!(!report.contains("Distinctive"), "{report}");
    }
}
