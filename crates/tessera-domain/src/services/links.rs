//! Reset and invite links: a token for a person, its stored hash, and (when mail is configured) the
//! mail that carries it, written together.

use super::deps::{greeting_name, Deps};
use crate::secret::ResetToken;
use crate::store::{NewResetToken, TokenPurpose};
use crate::types::error::Error;
use crate::types::mail::{Mail, OutboxMessage};
use crate::types::user::User;

/// Creates a token for `user` and, when mail is configured, the mail that carries it.
pub async fn issue_token(
    deps: &Deps,
    user: &User,
    purpose: TokenPurpose,
    inviter: Option<&User>,
) -> Result<ResetToken, Error> {
    // A link sets a password, which an API key's user never holds.
    if !user.is_person() {
        return Err(Error::NotAPerson);
    }
    let token = ResetToken::generate(user.id);
    let ttl = match purpose {
        TokenPurpose::Reset => deps.config.reset_token_ttl,
        TokenPurpose::Invite => deps.config.invite_token_ttl,
    };
    let link = format!(
        "{}/auth/reset_password/{}",
        deps.config.site_url,
        token.expose()
    );
    let mail = match (purpose, inviter) {
        (TokenPurpose::Invite, Some(inviter)) => Mail::Invite {
            name: greeting_name(user),
            inviter: inviter.common_name(),
            // `?new=1` tells the page it is an invite (fragments never reach a server); `#new` is
            // what Metabase writes, for anything that reads the link the way Metabase does.
            link: format!("{link}?new=1#new"),
            valid_hours: ttl.num_hours(),
        },
        _ => Mail::PasswordReset {
            name: greeting_name(user),
            link,
            valid_hours: ttl.num_hours(),
        },
    };
    let now = deps.now();
    let record = NewResetToken {
        user_id: user.id,
        token_hash: token.hash(),
        purpose,
        created_at: now,
        expires_at: now + ttl,
    };
    let mail = deps.compose(user, mail).map(|m| OutboxMessage {
        secret_until: Some(record.expires_at),
        ..m
    });
    deps.store.issue_reset_token(&record, mail.as_ref()).await?;
    Ok(token)
}
