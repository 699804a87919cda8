//! The password check every login shares (Metabase sessions and token-API logins): throttled by
//! username and client address, wrong password and unknown user indistinguishable, a disabled account
//! told so only with the right password. A username no stored email could be (too long, control
//! characters) matches nobody and is refused before the throttle or the store sees it.

use super::deps::Deps;
use crate::secret::Password;
use crate::types::error::Error;
use crate::types::ids::UserId;
use crate::types::session::ClientContext;
use crate::types::text::is_valid_username;
use crate::types::throttle::Throttler;
use crate::types::user::normalize_email;

pub async fn check_credentials(
    deps: &Deps,
    username: &str,
    password: Password,
    client: &ClientContext,
) -> Result<UserId, Error> {
    if !is_valid_username(username) {
        return Err(Error::InvalidCredentials);
    }
    let now = deps.now();
    let mut pairs: Vec<(Throttler, &str)> = vec![(Throttler::LoginUsername, username)];
    if let Some(ip) = client.ip.as_deref() {
        pairs.push((Throttler::LoginIp, ip));
    }
    let throttle = deps.throttle();
    throttle.gate_login(&pairs, now).await?;
    let creds = deps.store.credentials(&normalize_email(username)).await?;
    let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
    let matches = deps.hashes.verify(password, stored).await?;
    let Some(creds) = creds.filter(|_| matches) else {
        throttle.record_failure(&pairs, now).await?;
        return Err(Error::InvalidCredentials);
    };
    if !creds.is_active {
        throttle.record_failure(&pairs, now).await?;
        return Err(Error::AccountDisabled);
    }
    Ok(creds.user_id)
}
