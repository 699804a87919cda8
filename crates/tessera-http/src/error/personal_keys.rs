//! The words for a personal API key that cannot be made: the API's field errors (Metabase's
//! `{"errors": …}` shape, as every `/api` route) and the account page's sentences.

use super::FieldErrors;
use tessera_domain::types::personal_key::{PersonalKeyProblem, MAX_LIVE_KEYS};

pub const NAME: &str =
    "value must be a non-blank name of at most 100 characters, with no control characters.";
pub const EXPIRES_AT: &str =
    "value must be an RFC 3339 date-time with its offset, such as 2027-01-31T00:00:00Z.";
pub const EXPIRES_IN_DAYS: &str = "value must be a whole number of days from 1 to 365.";
pub const EXPIRY_MISSING: &str = "give exactly one of expires_at or expires_in_days.";
pub const EXPIRY_PASSED: &str = "the expiry must be in the future.";
pub const EXPIRY_TOO_FAR: &str = "the expiry can be at most 365 days away.";
pub const GROUP_IDS: &str = "value must be an array of at most 50 positive integer group ids.";
pub const GROUP_NOT_HELD: &str = "a key can only hold groups you are a member of.";

fn too_many() -> String {
    format!("You already hold {MAX_LIVE_KEYS} unexpired personal API keys: revoke one first.")
}

/// Each problem under the field it concerns; too many keys under `_error`, as the request as a whole.
pub fn field_errors(problems: &[PersonalKeyProblem]) -> FieldErrors {
    let mut fe = FieldErrors::default();
    for problem in problems {
        match problem {
            PersonalKeyProblem::InvalidName => fe.add("name", NAME, None),
            PersonalKeyProblem::ExpiryPassed => fe.add("expires_at", EXPIRY_PASSED, None),
            PersonalKeyProblem::ExpiryTooFar => fe.add("expires_at", EXPIRY_TOO_FAR, None),
            PersonalKeyProblem::GroupNotHeld => fe.add("group_ids", GROUP_NOT_HELD, None),
            PersonalKeyProblem::TooManyKeys => fe.add("_error", &too_many(), None),
        }
    }
    fe
}

/// One sentence per problem, for the account page.
pub fn sentences(problems: &[PersonalKeyProblem]) -> String {
    problems
        .iter()
        .map(|p| match p {
            PersonalKeyProblem::InvalidName => {
                "Name the key: at most 100 characters, with no control characters.".to_string()
            }
            PersonalKeyProblem::ExpiryPassed | PersonalKeyProblem::ExpiryTooFar => {
                "Choose when the key expires: within a year.".to_string()
            }
            PersonalKeyProblem::GroupNotHeld => {
                "A key can only hold groups you are a member of.".to_string()
            }
            PersonalKeyProblem::TooManyKeys => too_many(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
