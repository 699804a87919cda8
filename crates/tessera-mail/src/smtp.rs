//! SMTP settings with Metabase's names, and the lettre transport built from them (rustls, no OpenSSL).

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    /// TLS from the first byte (SMTPS, usually port 465).
    Ssl,
    /// STARTTLS, required.
    StartTls,
}

impl Security {
    /// `MB_EMAIL_SMTP_SECURITY`: `none`, `ssl`, `tls` or `starttls` (the last two both mean STARTTLS).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "ssl" => Some(Self::Ssl),
            "tls" | "starttls" => Some(Self::StartTls),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub security: Security,
    pub from_address: String,
    pub from_name: Option<String>,
}

impl fmt::Debug for SmtpSettings {
    // Never print the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("security", &self.security)
            .field("from_address", &self.from_address)
            .finish()
    }
}

/// Why the SMTP server could not be talked to.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("{0}")]
    Settings(String),
    #[error("cannot connect to {server}")]
    Failed {
        server: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
    #[error("{server} did not answer NOOP")]
    NoAnswer { server: String },
}

impl SmtpSettings {
    /// Connects as mail would go out (TLS and login as configured), says NOOP and quits; sends nothing.
    pub async fn test_connection(&self) -> Result<(), ConnectionError> {
        let server = format!("{}:{}", self.host, self.port);
        let transport = self.transport().map_err(ConnectionError::Settings)?;
        match transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ConnectionError::NoAnswer { server }),
            Err(source) => Err(ConnectionError::Failed { server, source }),
        }
    }

    pub fn from_mailbox(&self) -> Result<Mailbox, String> {
        let address = self
            .from_address
            .parse()
            .map_err(|_| format!("not an email address: {:?}", self.from_address))?;
        Ok(Mailbox::new(self.from_name.clone(), address))
    }

    pub(crate) fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let builder = match self.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
            Security::Ssl => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host)
                .map_err(|e| format!("cannot use TLS with {}: {e}", self.host))?,
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)
                .map_err(|e| format!("cannot use STARTTLS with {}: {e}", self.host))?,
        };
        let mut builder = builder
            .port(self.port)
            .timeout(Some(Duration::from_secs(15)));
        if let Some(user) = &self.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                self.password.clone().unwrap_or_default(),
            ));
        }
        Ok(builder.build())
    }
}
