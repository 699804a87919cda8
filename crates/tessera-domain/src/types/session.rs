//! Who is calling and what a session check tells about them.

use super::ids::SessionId;
use super::user::User;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Who is calling, as far as the transport can tell.
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub ip: Option<String>,
    pub device_id: Option<String>,
    pub user_agent: Option<String>,
}

/// The current user plus what `GET /api/user/current` derives from their history.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentUser {
    pub user: Arc<User>,
    pub first_login: DateTime<Utc>,
    pub user_count: i64,
    pub features: Vec<String>,
}

/// Who asks for an administrative change: a signed-in person, or the operator at the command line,
/// who may do what an admin may.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a User),
    Operator,
}

impl Actor<'_> {
    pub fn is_admin(&self) -> bool {
        match self {
            Self::Person(user) => user.is_superuser,
            Self::Operator => true,
        }
    }
}

/// One of a person's live sessions, as they are shown it. The device and address are what the
/// login recorded; there is no "last seen", since recording one would write on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub device_description: String,
    pub ip_address: String,
    /// The session the request asking was signed in with.
    pub current: bool,
    /// Started for full-app embedding (reference §2.6).
    pub embedded: bool,
}

/// The unit of `MB_SESSION_TIMEOUT`, as Metabase takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutUnit {
    Seconds,
    Minutes,
    Hours,
}

impl TimeoutUnit {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "seconds" => Some(Self::Seconds),
            "minutes" => Some(Self::Minutes),
            "hours" => Some(Self::Hours),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
        }
    }
}

/// `MB_SESSION_TIMEOUT`: a browser session ends after this much inactivity (reference §3.4, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimeout {
    pub amount: i64,
    pub unit: TimeoutUnit,
}

/// Why a session timeout is refused, in the order Metabase checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutProblem {
    NotPositive,
    TooLong,
    /// Metabase's minimum is a minute: the browser would log out between two requests otherwise.
    UnderAMinute,
}

impl SessionTimeout {
    /// Checks the amount the way Metabase's setter does.
    pub fn new(amount: i64, unit: TimeoutUnit) -> Result<Self, TimeoutProblem> {
        if amount <= 0 {
            return Err(TimeoutProblem::NotPositive);
        }
        let per_unit = match unit {
            TimeoutUnit::Seconds => 1,
            TimeoutUnit::Minutes => 60,
            TimeoutUnit::Hours => 3600,
        };
        const HUNDRED_YEARS: i64 = 100 * 365 * 24 * 3600;
        match amount.checked_mul(per_unit) {
            None => Err(TimeoutProblem::TooLong),
            Some(s) if s >= HUNDRED_YEARS => Err(TimeoutProblem::TooLong),
            Some(s) if s < 60 => Err(TimeoutProblem::UnderAMinute),
            Some(_) => Ok(Self { amount, unit }),
        }
    }

    pub fn duration(self) -> Duration {
        match self.unit {
            TimeoutUnit::Seconds => Duration::seconds(self.amount),
            TimeoutUnit::Minutes => Duration::minutes(self.amount),
            TimeoutUnit::Hours => Duration::hours(self.amount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_checked_like_metabase() {
        use TimeoutUnit::*;
        assert_eq!(
            SessionTimeout::new(0, Minutes),
            Err(TimeoutProblem::NotPositive)
        );
        assert_eq!(
            SessionTimeout::new(-5, Hours),
            Err(TimeoutProblem::NotPositive)
        );
        assert_eq!(
            SessionTimeout::new(59, Seconds),
            Err(TimeoutProblem::UnderAMinute)
        );
        assert_eq!(
            SessionTimeout::new(876_000, Hours),
            Err(TimeoutProblem::TooLong)
        );
        assert_eq!(
            SessionTimeout::new(i64::MAX, Hours),
            Err(TimeoutProblem::TooLong)
        );
        let t = SessionTimeout::new(90, Minutes).unwrap();
        assert_eq!(t.duration(), Duration::minutes(90));
    }
}
