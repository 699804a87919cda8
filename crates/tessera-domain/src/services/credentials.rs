//! The password check every login shares (Metabase sessions and token-API logins): throttled by
//! normalised username and client address, wrong password and unknown user indistinguishable, a
//! disabled account told so only with the right password.

use super::deps::Deps;
use crate::policy::throttle::password_guess_keys;
use crate::secret::Password;
use crate::types::error::{Error, ThrottleScope};
use crate::types::ids::UserId;
use crate::types::session::ClientContext;
use crate::types::user::{normalize_email, MAX_EMAIL_LEN};

pub async fn check_credentials(
    deps: &Deps,
    username: &str,
    password: Password,
    client: &ClientContext,
) -> Result<UserId, Error> {
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
    let matches = deps.hashes.verify(password, stored).await?;
    let Some(creds) = creds.filter(|_| matches) else {
        throttle.record_failure(&keys, now).await?;
        return Err(Error::InvalidCredentials);
    };
    if !creds.is_active {
        throttle.record_failure(&keys, now).await?;
        return Err(Error::AccountDisabled);
    }
    Ok(creds.user_id)
}
