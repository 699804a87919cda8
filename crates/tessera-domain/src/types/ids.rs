//! Identifiers of stored records, one type each so a user id cannot be passed where a group id is
//! meant, and the two built-in groups every installation has.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person, or the synthetic user behind an API key.
    UserId
);
id_type!(
    /// A permission group.
    GroupId
);
id_type!(
    /// An API key (not its secret).
    ApiKeyId
);
id_type!(
    /// A person's own API key (not its secret).
    PersonalKeyId
);
id_type!(
    /// A session, as its owner sees it listed: the row's id, never its key nor the key's hash.
    SessionId
);
id_type!(
    /// One person's membership of one group.
    MembershipId
);

/// Every person is a member; created by the first migration.
pub const ALL_USERS_GROUP: GroupId = GroupId(1);
/// Membership makes a person a superuser.
pub const ADMIN_GROUP: GroupId = GroupId(2);
