//! Permission groups, their members, and the features they grant (Tessera's own addition: a user holds
//! the union of their groups' features; admins hold them all).

use super::ids::{GroupId, MembershipId, UserId};
use super::user::UserKind;

/// Features Tessera itself knows about; groups may carry others too.
pub const BUILT_IN_FEATURES: &[&str] = &["reports/edit", "reports/view"];

/// The feature `/users/metabase_login` asks for.
pub const REPORTS_EDIT: &str = "reports/edit";

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub magic_group_type: Option<String>,
    pub member_count: i64,
    pub features: Vec<String>,
}

impl Group {
    /// All Users and Administrators cannot be renamed, deleted or emptied.
    pub fn is_magic(&self) -> bool {
        self.magic_group_type.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupMember {
    pub membership_id: MembershipId,
    pub user_id: UserId,
    /// API keys' users are members too, as in Metabase.
    pub kind: UserKind,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub membership_id: MembershipId,
    pub group_id: GroupId,
    pub user_id: UserId,
}

/// `area/action` in lower case: letters, digits, `-`, `_`, segments separated by `/`.
pub fn is_valid_feature(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::is_valid_feature;

    #[test]
    fn feature_names() {
        assert!(is_valid_feature("reports/edit"));
        assert!(is_valid_feature("billing"));
        assert!(!is_valid_feature("Reports/Edit"));
        assert!(!is_valid_feature("reports/"));
        assert!(!is_valid_feature("a b"));
        assert!(!is_valid_feature(""));
    }
}
