//! The one [`Store`](tessera_domain::Store) implementation, written once in the SQL both backends share
//! and instantiated for each by a macro per concern. A macro rather than generics: sqlx's generic executor
//! bounds would drown every query in where-clauses, while the SQL itself is identical.

mod access_tokens;
mod api_keys;
mod groups;
mod import;
mod outbox;
mod personal_keys;
pub(crate) mod rotations;
mod sessions;
mod settings;
mod sso;
mod users;

pub use sessions::FIRST_LOGIN_SQL;

pub(crate) fn user_by(condition: &str) -> String {
    format!(
        "SELECT {} FROM \"user\" u WHERE {condition}",
        crate::rows::USER_COLUMNS
    )
}

pub(crate) const GROUP_IDS: &str =
    "SELECT permission_group_id FROM group_membership WHERE user_id = $1 ORDER BY permission_group_id";

/// `LIKE` pattern for a case-insensitive substring search, with `%`, `_` and `\` escaped.
pub(crate) fn contains_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
