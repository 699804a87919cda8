//! Revocations between instances on one PostgreSQL database, with `LISTEN`/`NOTIFY`: each instance
//! sends what it revoked and applies what the others sent. A notification is at most a short text
//! (`c:<hash>`, `u:<id>`, `k`, `*`) after the sender's id, so an instance skips its own.
//!
//! Notifications sent while the listening connection is down are lost, so losing it clears the
//! cache, and so does listening again: nothing read before can outlive a revocation it missed.

use super::memory::{Memory, Revocation};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tessera_domain::secret::TokenHash;
use tessera_domain::types::ids::UserId;

/// How long to wait before listening again after the connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(200);

/// Sends this instance's revocations to the others.
pub(crate) struct Broadcast {
    pool: PgPool,
    channel: String,
    /// Random, per process: tells this instance's own notifications apart.
    sender: String,
}

impl Broadcast {
    /// One channel per database schema, so instances of other deployments (or tests) sharing the
    /// database do not hear each other.
    pub(crate) fn new(pool: PgPool, schema: Option<&str>) -> Self {
        let channel = match schema {
            Some(schema) => format!("tessera_revocations_{schema}"),
            None => "tessera_revocations".to_string(),
        };
        Self {
            pool,
            channel,
            sender: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    pub(crate) async fn send(&self, revocation: &Revocation) {
        let payload = format!("{} {}", self.sender, encode(revocation));
        let sent = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(payload)
            .execute(&self.pool)
            .await;
        if let Err(e) = sent {
            tracing::warn!(
                error = %e,
                "could not tell the other instances of a revocation; they see it within the cache lifetime"
            );
        }
    }

    pub(crate) fn listener(&self, memory: Arc<Memory>) -> RevocationListener {
        RevocationListener {
            pool: self.pool.clone(),
            channel: self.channel.clone(),
            sender: self.sender.clone(),
            memory,
        }
    }
}

fn encode(revocation: &Revocation) -> String {
    match revocation {
        Revocation::Credential(hash) => format!("c:{}", hash.as_str()),
        Revocation::User(id) => format!("u:{}", id.0),
        Revocation::ApiKeys => "k".into(),
        Revocation::All => "*".into(),
    }
}

/// Anything unreadable revokes everything: better a miss than a stale answer.
fn decode(text: &str) -> Revocation {
    if let Some(hash) = text.strip_prefix("c:") {
        return Revocation::Credential(TokenHash::from_stored(hash.to_string()));
    }
    if let Some(id) = text.strip_prefix("u:").and_then(|id| id.parse().ok()) {
        return Revocation::User(UserId(id));
    }
    match text {
        "k" => Revocation::ApiKeys,
        _ => Revocation::All,
    }
}

/// Applies the other instances' revocations to this one's cache, for as long as it runs.
pub struct RevocationListener {
    pool: PgPool,
    channel: String,
    sender: String,
    memory: Arc<Memory>,
}

impl RevocationListener {
    /// Listens until `stop` resolves, listening again whenever the connection is lost.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let listening = tokio::select! {
                _ = &mut stop => return,
                listening = self.listen() => listening,
            };
            // Whatever was sent while nobody listened is lost: start again from the database.
            self.memory.revoke(&Revocation::All);
            let mut listener = match listening {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for other instances' revocations; retrying");
                    tokio::select! {
                        _ = &mut stop => return,
                        _ = tokio::time::sleep(RECONNECT_AFTER) => continue,
                    }
                }
            };
            loop {
                let received = tokio::select! {
                    _ = &mut stop => return,
                    received = listener.try_recv() => received,
                };
                match received {
                    Ok(Some(notification)) => self.apply(notification.payload()),
                    Ok(None) => {
                        tracing::warn!("lost the connection that listens for other instances' revocations; listening again");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for other instances' revocations failed; listening again");
                        break;
                    }
                }
            }
            self.memory.revoke(&Revocation::All);
        }
    }

    async fn listen(&self) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(&self.channel).await?;
        Ok(listener)
    }

    fn apply(&self, payload: &str) {
        let (sender, text) = payload.split_once(' ').unwrap_or(("", payload));
        if sender != self.sender {
            self.memory.revoke(&decode(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocations_read_back_as_sent_and_anything_else_means_everything() {
        let all = [
            Revocation::Credential(TokenHash::of("k")),
            Revocation::User(UserId(42)),
            Revocation::ApiKeys,
            Revocation::All,
        ];
        for revocation in all {
            assert_eq!(decode(&encode(&revocation)), revocation);
        }
        assert_eq!(decode("u:nope"), Revocation::All);
        assert_eq!(decode(""), Revocation::All);
    }
}
