//! Identifiers of stored records, and the two built-in groups every installation has.

pub type UserId = i64;
pub type GroupId = i64;
pub type ApiKeyId = i64;
pub type MembershipId = i64;

/// Every person is a member; created by the first migration.
pub const ALL_USERS_GROUP: GroupId = 1;
/// Membership makes a person a superuser.
pub const ADMIN_GROUP: GroupId = 2;
