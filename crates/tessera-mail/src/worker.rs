//! The outbox worker: claims due messages, sends them, and records the outcome. A failing message is
//! retried with exponential backoff and, after its last attempt, marked dead and logged; it never
//! blocks the messages behind it.

use crate::smtp::SmtpSettings;
use chrono::Duration;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use tessera_domain::types::mail::ClaimedMail;
use tessera_domain::{Clock, Store};

/// When to try again after `attempts` failures, or give up.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub attempts: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::seconds(30),
            max: Duration::hours(1),
            attempts: 8,
        }
    }
}

impl Backoff {
    /// `None` once `attempts` have been made.
    pub fn delay_after(&self, attempts: i64) -> Option<Duration> {
        if attempts >= self.attempts {
            return None;
        }
        let factor = 1i64 << (attempts - 1).clamp(0, 20);
        Some((self.first * factor as i32).min(self.max))
    }
}

pub struct OutboxWorker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    backoff: Backoff,
    /// How long a claim lasts before another worker may take the message.
    lease: Duration,
}

impl OutboxWorker {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        smtp: &SmtpSettings,
        backoff: Backoff,
    ) -> Result<Self, String> {
        Ok(Self {
            store,
            clock,
            transport: smtp.transport()?,
            from: smtp.from_mailbox()?,
            backoff,
            lease: Duration::minutes(2),
        })
    }

    fn message(&self, mail: &ClaimedMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| format!("not a deliverable address: {:?}", mail.to))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// Sends what is due now; returns how many messages were delivered.
    pub async fn run_once(&self) -> Result<usize, String> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_mail(now, now + self.lease, 20)
            .await
            .map_err(|e| format!("cannot claim mail: {e}"))?;
        let mut delivered = 0;
        for mail in claimed {
            let sent = match self.message(&mail) {
                Ok(message) => self
                    .transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let now = self.clock.now();
            let recorded = match sent {
                Ok(()) => {
                    delivered += 1;
                    self.store.mail_sent(mail.id, now).await
                }
                Err(error) => {
                    let retry_at = self.backoff.delay_after(mail.attempts).map(|d| now + d);
                    if retry_at.is_none() {
                        tracing::error!(outbox_id = mail.id, attempts = mail.attempts, %error,
                            "giving up on a mail: marked dead");
                    } else {
                        tracing::warn!(outbox_id = mail.id, attempts = mail.attempts, %error,
                            "mail not delivered; will retry");
                    }
                    self.store.mail_failed(mail.id, retry_at, &error).await
                }
            };
            recorded.map_err(|e| format!("cannot record a delivery: {e}"))?;
        }
        Ok(delivered)
    }

    /// Polls every `every` until `stop` resolves.
    pub fn spawn(
        self,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(e) = self.run_once().await {
                            tracing::error!(error = %e, "outbox worker");
                        }
                    }
                    _ = stop.changed() => break,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap_then_gives_up() {
        let b = Backoff::default();
        assert_eq!(b.delay_after(1), Some(Duration::seconds(30)));
        assert_eq!(b.delay_after(2), Some(Duration::seconds(60)));
        assert_eq!(b.delay_after(7), Some(Duration::minutes(32)));
        assert_eq!(b.delay_after(8), None);
        let long = Backoff { attempts: 20, ..b };
        assert_eq!(long.delay_after(12), Some(Duration::hours(1)), "capped");
    }
}
