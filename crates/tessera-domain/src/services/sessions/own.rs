//! A person's own sessions (Tessera's own routes, DESIGN §3): listing them, ending one, ending all
//! the others, and an admin ending all of someone's. Sessions are named by their row id; another
//! person's id is answered like an unknown one, so ids reveal nothing.

use super::Sessions;
use crate::secret::SessionKey;
use crate::types::error::Error;
use crate::types::ids::{SessionId, UserId};
use crate::types::session::{Actor, SessionSummary};
use crate::types::user::User;

impl Sessions {
    /// The caller's live sessions, newest first, the one `current` marked. Only people signed in
    /// with a session have sessions: an API-key caller (`current` is `None`) is `Forbidden`.
    pub async fn list_own(
        &self,
        user: &User,
        current: Option<&SessionKey>,
    ) -> Result<Vec<SessionSummary>, Error> {
        let current = current.ok_or(Error::Forbidden)?;
        let created_after = self.deps.now() - self.deps.config.session_age;
        Ok(self
            .deps
            .store
            .sessions_of(user.id, created_after, Some(&current.hash()))
            .await?)
    }

    /// Ends one of the caller's sessions (the current one too: that is a logout). `NotFound` for an
    /// id that is unknown or someone else's.
    pub async fn end_own(
        &self,
        user: &User,
        current: Option<&SessionKey>,
        id: SessionId,
    ) -> Result<(), Error> {
        current.ok_or(Error::Forbidden)?;
        if self.deps.store.delete_session_of(user.id, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Ends every session of the caller but the current one; how many ended.
    pub async fn end_others(
        &self,
        user: &User,
        current: Option<&SessionKey>,
    ) -> Result<u64, Error> {
        let current = current.ok_or(Error::Forbidden)?;
        Ok(self
            .deps
            .store
            .delete_sessions_of(user.id, Some(&current.hash()))
            .await?)
    }

    /// An admin (or the operator) ends every session of person `id`; how many ended. `NotFound` for
    /// an unknown person.
    pub async fn end_all_of(&self, actor: Actor<'_>, id: UserId) -> Result<u64, Error> {
        if !actor.is_admin() {
            return Err(Error::Forbidden);
        }
        self.deps.user(id).await?;
        Ok(self.deps.store.delete_sessions_of(id, None).await?)
    }
}
