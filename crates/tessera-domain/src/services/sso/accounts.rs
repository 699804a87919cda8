//! Who a provider's identity is here: matched by verified email (people only, never an API key's
//! user), names following the provider when they are fit to store, created only for allowed domains
//! (and never before first-run setup), refused when deactivated.

use crate::services::deps::{greeting_name, Deps};
use crate::store::StoreError;
use crate::types::error::Error;
use crate::types::ids::ADMIN_GROUP;
use crate::types::mail::{Mail, OutboxMessage};
use crate::types::sso::{SsoFailure, SsoIdentity, SsoSource};
use crate::types::text::is_valid_name;
use crate::types::user::{
    common_name, is_valid_email, normalize_email, NewUser, User, UserChanges, UserQuery,
};

pub(super) async fn person_for(
    deps: &Deps,
    source: SsoSource,
    auto_create_domains: &[String],
    identity: SsoIdentity,
) -> Result<User, Error> {
    if !identity.email_verified {
        return Err(Error::Sso(SsoFailure::EmailNotVerified));
    }
    if !is_valid_email(&identity.email) {
        return Err(Error::Sso(SsoFailure::InvalidToken));
    }
    let email = normalize_email(&identity.email);
    let first_name = provider_name(identity.first_name);
    let last_name = provider_name(identity.last_name);
    if let Some(user) = deps.store.user_by_email(&email).await? {
        return existing(deps, user, first_name, last_name).await;
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    // Before first-run setup an account made here would end setup without an admin.
    if !auto_create_domains.iter().any(|d| d == domain) || deps.store.user_count().await? == 0 {
        return Err(Error::Sso(SsoFailure::AccountCreationNotAllowed));
    }
    let new = NewUser {
        email: email.clone(),
        first_name,
        last_name,
        sso_source: Some(source),
        ..NewUser::default()
    };
    let mail = new_sso_user_mail(deps, &new, source).await?;
    match deps
        .store
        .create_user_with_mail(&new, None, deps.now(), &mail)
        .await
    {
        Ok(id) => deps.user(id).await,
        // Two first sign-ins at once: the other one created the account.
        Err(StoreError::EmailTaken) => match deps.store.user_by_email(&email).await? {
            Some(user) if user.is_person() => Ok(user),
            Some(_) => Err(Error::Sso(SsoFailure::AccountCreationNotAllowed)),
            None => Err(Error::NotFound),
        },
        Err(e) => Err(e.into()),
    }
}

/// A name from the provider, trimmed; one unfit to store (too long, control or bidi characters) is
/// left out, so the person signs in and keeps the name they had.
fn provider_name(name: Option<String>) -> Option<String> {
    let name = name?.trim().to_string();
    if is_valid_name(&name) {
        Some(name)
    } else {
        if !name.is_empty() {
            tracing::warn!("ignoring a name from the identity provider that is unfit to store");
        }
        None
    }
}

/// An existing person: refused when deactivated; the provider is the authority on names, as
/// Metabase does for Google. An API key's user holding the address is nobody's account: signing in
/// as it would hand a person the key's rights.
async fn existing(
    deps: &Deps,
    user: User,
    first_name: Option<String>,
    last_name: Option<String>,
) -> Result<User, Error> {
    if !user.is_person() {
        return Err(Error::Sso(SsoFailure::AccountCreationNotAllowed));
    }
    if !user.is_active {
        return Err(Error::AccountDisabled);
    }
    let changes = UserChanges {
        first_name: first_name
            .filter(|n| Some(n) != user.first_name.as_ref())
            .map(Some),
        last_name: last_name
            .filter(|n| Some(n) != user.last_name.as_ref())
            .map(Some),
        ..UserChanges::default()
    };
    if changes.first_name.is_none() && changes.last_name.is_none() {
        return Ok(user);
    }
    deps.store
        .update_user(user.id, &changes, deps.now())
        .await?;
    deps.user(user.id).await
}

/// Tells every active admin that single sign-on created an account, unless turned off.
async fn new_sso_user_mail(
    deps: &Deps,
    new: &NewUser,
    source: SsoSource,
) -> Result<Vec<OutboxMessage>, Error> {
    if !deps.config.new_sso_user_admin_mail || !deps.mail_configured() {
        return Ok(Vec::new());
    }
    let admins = deps
        .store
        .list_users(&UserQuery {
            group_id: Some(ADMIN_GROUP),
            ..UserQuery::default()
        })
        .await?;
    let new_user = common_name(
        new.first_name.as_deref(),
        new.last_name.as_deref(),
        &new.email,
    );
    Ok(admins
        .users
        .iter()
        .filter_map(|admin| {
            let mail = Mail::NewSsoUser {
                name: greeting_name(admin),
                new_user: new_user.clone(),
                email: new.email.clone(),
                provider: source.as_str().to_string(),
                people_link: format!("{}/admin/people", deps.config.site_url),
            };
            deps.compose(admin, mail)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::provider_name;

    #[test]
    fn names_unfit_to_store_are_left_out() {
        assert_eq!(provider_name(Some(" Ada ".into())).as_deref(), Some("Ada"));
        assert_eq!(provider_name(Some("   ".into())), None);
        assert_eq!(provider_name(None), None);
        for bad in ["Ada\u{0}", "\u{202e}adA", "Ada\nLovelace"] {
            assert_eq!(provider_name(Some(bad.into())), None, "{bad:?}");
        }
        assert_eq!(provider_name(Some("n".repeat(255))), None);
    }
}
