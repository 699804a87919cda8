//! The password checks every sign-in and re-authentication shares (Metabase sessions, token-API
//! logins, old passwords, identity confirmation): throttled by normalised username and client
//! address, one argon2 verification whoever is asking, wrong password and unknown user
//! indistinguishable, a disabled account told so only with the right password, and hashes made under
//! older parameters replaced once the password matched. A username no stored email could be (too
//! long, control characters) matches nobody.

use super::deps::Deps;
use crate::policy::throttle::password_guess_keys;
use crate::secret::Password;
use crate::types::error::{cause_chain, Error, ThrottleScope};
use crate::types::ids::UserId;
use crate::types::session::ClientContext;
use crate::types::stats::CredentialFailure;
use crate::types::text::is_valid_username;
use crate::types::user::{normalize_email, MAX_EMAIL_LEN};

pub async fn check_credentials(
    deps: &Deps,
    username: &str,
    password: Password,
    client: &ClientContext,
) -> Result<UserId, Error> {
    // Refused before any guess is counted or verified: no password is looked at.
    if !deps.password_login_allowed() {
        return Err(Error::PasswordLoginDisabled);
    }
    if !is_valid_username(username) {
        return Err(Error::InvalidCredentials);
    }
    let now = deps.now();
    // One normalisation for the throttle key and the lookup, so no spelling escapes the count.
    let username = normalize_email(username);
    let keys = password_guess_keys(&username, client.ip.as_deref());
    let throttle = deps.throttle();
    throttle.gate(&keys, ThrottleScope::Login, now).await?;
    // A username longer than any email names nobody: a failed login like any other, never looked up.
    let creds = if username.len() <= MAX_EMAIL_LEN {
        deps.store.credentials(&username).await?
    } else {
        None
    };
    let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
    let verified = deps.hashes.verify(password, stored.clone()).await?;
    let known = creds.is_some();
    let Some(creds) = creds.filter(|_| verified.matches) else {
        deps.counters.credential_failure(if known {
            CredentialFailure::WrongPassword
        } else {
            CredentialFailure::UnknownUser
        });
        throttle.record_failure(&keys, now).await?;
        return Err(Error::InvalidCredentials);
    };
    if !creds.is_active {
        deps.counters
            .credential_failure(CredentialFailure::Deactivated);
        throttle.record_failure(&keys, now).await?;
        return Err(Error::AccountDisabled);
    }
    upgrade(deps, creds.user_id, stored, verified.upgraded).await;
    Ok(creds.user_id)
}

/// A signed-in person's password checked again: counted like a login under their email and the
/// client's address (a refusal answering in `scope`), so a stolen session cannot guess it. `Ok(false)`
/// for a wrong password, already counted.
pub async fn recheck_password(
    deps: &Deps,
    user_id: UserId,
    email: &str,
    password: Password,
    client: &ClientContext,
    scope: ThrottleScope,
) -> Result<bool, Error> {
    let now = deps.now();
    let keys = password_guess_keys(email, client.ip.as_deref());
    let throttle = deps.throttle();
    throttle.gate(&keys, scope, now).await?;
    let stored = deps.store.password_hash(user_id).await?;
    let verified = deps.hashes.verify(password, stored.clone()).await?;
    if !verified.matches {
        deps.counters
            .credential_failure(CredentialFailure::WrongPassword);
        throttle.record_failure(&keys, now).await?;
        return Ok(false);
    }
    upgrade(deps, user_id, stored, verified.upgraded).await;
    Ok(true)
}

/// Stores the hash `verify` remade under the current parameters, unless the password changed in
/// between. Sessions are untouched: the password is the same. Best effort: a failure is logged and
/// the next login tries again.
async fn upgrade(deps: &Deps, user_id: UserId, old: Option<String>, new: Option<String>) {
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    if let Err(e) = deps.store.upgrade_password_hash(user_id, &old, &new).await {
        tracing::warn!(error = %cause_chain(&e), "could not upgrade a password hash");
    }
}
