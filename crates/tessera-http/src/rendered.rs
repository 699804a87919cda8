//! `GET /api/user/current` is what Metabase clients call most, often before every other call. Its
//! body is rendered once per change of what it shows, not once per request: the last rendering for
//! each person is kept with the inputs it was made from, and served again while they compare equal.
//! Comparing the inputs is a few short string comparisons; rendering was a tenth of the request.

use axum::body::Bytes;
use quick_cache::sync::Cache;
use serde::Serialize;
use std::sync::Arc;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::session::CurrentUser;

/// Bounded: a rendering is about a kilobyte, and people seen least recently go first.
const RENDERINGS: usize = 10_000;

pub struct Rendered {
    current_user: Cache<UserId, Arc<(CurrentUser, Bytes)>>,
}

impl Default for Rendered {
    fn default() -> Self {
        Self {
            current_user: Cache::new(RENDERINGS),
        }
    }
}

impl Rendered {
    /// The JSON of `current` as `render` makes it, from the last rendering when nothing it shows
    /// changed.
    pub(crate) fn current_user<B: Serialize>(
        &self,
        current: CurrentUser,
        render: impl FnOnce(&CurrentUser) -> B,
    ) -> Result<Bytes, serde_json::Error> {
        let id = current.user.id;
        if let Some(last) = self.current_user.get(&id) {
            if last.0 == current {
                return Ok(last.1.clone());
            }
        }
        let body = Bytes::from(serde_json::to_vec(&render(&current))?);
        self.current_user
            .insert(id, Arc::new((current, body.clone())));
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use tessera_domain::types::user::{User, UserKind};

    fn current(email: &str, features: &[&str]) -> CurrentUser {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        CurrentUser {
            user: Arc::new(User {
                id: UserId(7),
                kind: UserKind::Person,
                email: email.into(),
                first_name: None,
                last_name: None,
                is_active: true,
                is_superuser: false,
                is_qbnewb: true,
                sso_source: None,
                locale: None,
                date_joined: t,
                last_login: None,
                updated_at: t,
                login_attributes: None,
                must_change_password: false,
                group_ids: vec![],
            }),
            first_login: t,
            user_count: 1,
            features: features.iter().map(|f| f.to_string()).collect(),
        }
    }

    fn render(c: &CurrentUser) -> serde_json::Value {
        serde_json::json!({"email": c.user.email, "features": c.features})
    }

    #[test]
    fn renders_again_exactly_when_an_input_changed() {
        let cache = Rendered::default();
        let a = cache.current_user(current("a@x.io", &[]), render).unwrap();
        let mut renders = 0;
        let again = cache
            .current_user(current("a@x.io", &[]), |c| {
                renders += 1;
                render(c)
            })
            .unwrap();
        assert_eq!((a.clone(), renders), (again, 0));
        let changed = cache
            .current_user(current("a@x.io", &["reports/edit"]), render)
            .unwrap();
        assert_ne!(a, changed);
        assert!(String::from_utf8_lossy(&changed).contains("reports/edit"));
        let renamed = cache.current_user(current("b@x.io", &[]), render).unwrap();
        assert!(String::from_utf8_lossy(&renamed).contains("b@x.io"));
    }
}
