//! Deciding, without writing anything, what importing one Metabase user means: whether they are
//! imported at all, what they become here, and what differs from what is stored.

use crate::policy::legacy_hash::MetabaseHash;
use crate::types::ids::{GroupId, ADMIN_GROUP, ALL_USERS_GROUP};
use crate::types::import::{ImportedUser, MetabaseUser, METABASE_INTERNAL_USER_ID};
use crate::types::sso::SsoSource;
use crate::types::text::is_valid_name;
use crate::types::user::{is_valid_email, normalize_email, User};

/// Why a Metabase user is not imported at all, if they are not.
pub(super) fn skip_reason(user: &MetabaseUser) -> Option<&'static str> {
    match user.user_type.as_deref() {
        Some("api-key") => return Some("an API key's user (API keys are not imported)"),
        Some("internal") => return Some("Metabase's internal user"),
        _ => {}
    }
    if user.id == METABASE_INTERNAL_USER_ID
        || normalize_email(&user.email) == "internal@metabase.com"
    {
        return Some("Metabase's internal user");
    }
    if !is_valid_email(&user.email) {
        return Some("not a valid email address");
    }
    None
}

/// A blank name is no name; a name Tessera would refuse (too long, control characters) is an error.
fn name(raw: &Option<String>) -> Result<Option<String>, ()> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(n) if is_valid_name(n) => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

/// What the Metabase user becomes here, before comparing with anyone stored: the hash is theirs as
/// Metabase keeps it, or `None` with a note when it is not bcrypt. `Err` says why they cannot be
/// imported.
pub(super) fn desired(
    user: &MetabaseUser,
    groups: Vec<GroupId>,
    managed: &[GroupId],
    notes: &mut Vec<String>,
) -> Result<ImportedUser, &'static str> {
    let first_name = name(&user.first_name).map_err(|_| "a first name Tessera refuses")?;
    let last_name = name(&user.last_name).map_err(|_| "a last name Tessera refuses")?;
    let sso_source = match user.sso_source.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            let parsed = SsoSource::parse(raw);
            if parsed.is_none() {
                notes.push(format!(
                    "single sign-on source {raw:?} is unknown here; imported as a password user"
                ));
            }
            parsed
        }
    };
    let password_hash = match &user.password {
        None => None,
        Some(hash) => {
            let salt = user.password_salt.as_deref().unwrap_or("");
            let encoded = MetabaseHash::encode(salt, hash);
            if encoded.is_none() {
                notes.push("password hash is not bcrypt; imported without a password".into());
            }
            encoded
        }
    };
    let mut groups = groups;
    groups.push(ALL_USERS_GROUP);
    if user.is_superuser {
        groups.push(ADMIN_GROUP);
    }
    groups.sort_unstable();
    groups.dedup();
    Ok(ImportedUser {
        email: normalize_email(&user.email),
        first_name,
        last_name,
        is_active: user.is_active,
        sso_source,
        // Locales longer than Metabase's own (`pt_BR`) are not locales.
        locale: user
            .locale
            .clone()
            .filter(|l| !l.is_empty() && l.len() <= 16),
        date_joined: user.date_joined,
        last_login: user.last_login,
        password_hash,
        groups,
        managed: managed.to_vec(),
    })
}

/// How the memberships among the managed groups change.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct MembershipChange {
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
}

pub(super) fn membership_change(
    want: &[GroupId],
    have: &[GroupId],
    managed: &[GroupId],
) -> MembershipChange {
    let mut change = MembershipChange::default();
    for g in managed {
        match (want.contains(g), have.contains(g)) {
            (true, true) => change.unchanged += 1,
            (true, false) => change.added += 1,
            (false, true) => change.removed += 1,
            (false, false) => {}
        }
    }
    change
}

/// Fits `desired` to the person already stored: a hash is written only over no hash or an imported
/// one (a password set or used here since wins), and the latest sign-in is kept. Returns whether
/// any field differs.
pub(super) fn reconcile(
    desired: &mut ImportedUser,
    stored: &User,
    stored_hash: Option<&str>,
) -> bool {
    let replaceable = stored_hash.is_none_or(|h| MetabaseHash::parse(h).is_some());
    if !replaceable || desired.password_hash.as_deref() == stored_hash {
        desired.password_hash = None;
    }
    desired.last_login = desired.last_login.max(stored.last_login);
    desired.password_hash.is_some()
        || desired.first_name != stored.first_name
        || desired.last_name != stored.last_name
        || desired.is_active != stored.is_active
        || desired.sso_source != stored.sso_source
        || desired.locale != stored.locale
        || desired.date_joined != stored.date_joined
        || desired.last_login != stored.last_login
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn mb_user() -> MetabaseUser {
        MetabaseUser {
            id: 5,
            email: "Ann@Example.com".into(),
            first_name: Some("Ann".into()),
            last_name: Some("  ".into()),
            is_active: true,
            is_superuser: true,
            sso_source: None,
            locale: None,
            user_type: Some("personal".into()),
            date_joined: DateTime::from_timestamp_millis(1_000).unwrap(),
            last_login: None,
            password: Some(format!("$2a$10${}", "a".repeat(53))),
            password_salt: Some("salt".into()),
        }
    }

    #[test]
    fn internal_and_key_users_are_skipped() {
        assert_eq!(skip_reason(&mb_user()), None);
        for user in [
            MetabaseUser {
                user_type: Some("api-key".into()),
                ..mb_user()
            },
            MetabaseUser {
                user_type: Some("internal".into()),
                ..mb_user()
            },
            MetabaseUser {
                id: METABASE_INTERNAL_USER_ID,
                user_type: None,
                ..mb_user()
            },
            MetabaseUser {
                email: "not an email".into(),
                ..mb_user()
            },
        ] {
            assert!(skip_reason(&user).is_some());
        }
    }

    #[test]
    fn a_superuser_is_an_admin_and_everyone_is_in_all_users() {
        let mut notes = vec![];
        let managed = [ALL_USERS_GROUP, ADMIN_GROUP, GroupId(7)];
        let u = desired(&mb_user(), vec![GroupId(7)], &managed, &mut notes).unwrap();
        assert_eq!(u.groups, vec![ALL_USERS_GROUP, ADMIN_GROUP, GroupId(7)]);
        assert_eq!(u.email, "ann@example.com");
        assert_eq!(u.last_name, None, "a blank name is no name");
        assert!(u
            .password_hash
            .unwrap()
            .starts_with("$metabase-bcrypt$salt$$2a$10$"));
        assert!(notes.is_empty());
    }

    #[test]
    fn a_hash_set_here_is_never_replaced() {
        let mut notes = vec![];
        let mut u = desired(&mb_user(), vec![], &[], &mut notes).unwrap();
        let stored = User {
            id: crate::types::ids::UserId(1),
            kind: crate::types::user::UserKind::Person,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: None,
            is_active: true,
            is_superuser: true,
            is_qbnewb: true,
            sso_source: None,
            locale: None,
            date_joined: u.date_joined,
            last_login: None,
            updated_at: u.date_joined,
            login_attributes: None,
            must_change_password: false,
            group_ids: vec![],
        };
        assert!(!reconcile(&mut u, &stored, Some("$argon2id$v=19$...")));
        assert!(u.password_hash.is_none());
        let mut u = desired(&mb_user(), vec![], &[], &mut notes).unwrap();
        let older = MetabaseHash::encode("old", &format!("$2a$10${}", "b".repeat(53))).unwrap();
        assert!(reconcile(&mut u, &stored, Some(&older)));
        assert!(
            u.password_hash.is_some(),
            "an imported hash follows Metabase"
        );
    }
}
