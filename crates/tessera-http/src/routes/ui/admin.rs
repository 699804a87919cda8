//! What the admin pages share: who may open them (an administrator; anyone else gets a 403 page, and
//! a visitor is sent to sign in and back), the one-line notices shown after an action, and reading
//! forms whose fields repeat (group checkboxes), which the plain form structs cannot hold.

use super::form::query;
use super::page::{see_other, ErrorPage};
use crate::error::pages;
use crate::extract::MaybeUser;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tessera_domain::types::ids::GroupId;
use tessera_domain::types::user::User;
use tessera_domain::Error;

/// A signed-in administrator, for a page.
pub struct PageAdmin(pub Arc<User>);

impl FromRequestParts<AppState> for PageAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = MaybeUser::from_request_parts(parts, state)
            .await
            .map_err(|e| ErrorPage::from(e).into_response())?;
        match user.0 {
            None => {
                // A form posted after the session ended comes back to its page, not to the action.
                let back = match parts.method {
                    Method::GET => parts
                        .uri
                        .path_and_query()
                        .map_or("/admin/people", |p| p.as_str()),
                    _ => "/admin/people",
                };
                Err(see_other(
                    &format!("/auth/login?{}", query("redirect", back)),
                    [],
                ))
            }
            Some(user) if !user.is_superuser || user.must_change_password => {
                // As on the API: someone on a temporary password does nothing else until it is changed.
                let refusal = match user.must_change_password {
                    true => Error::PasswordChangeRequired,
                    false => Error::Forbidden,
                };
                let (status, text) = pages::describe(&refusal);
                let mut page = ErrorPage::new(status, "Administrators only", text);
                page.link = ("/", "Back to your page");
                Err(page.into_response())
            }
            Some(user) => Ok(Self(user)),
        }
    }
}

/// A domain error as the sentence an admin page shows above its form.
pub fn problem(e: &Error) -> (StatusCode, String) {
    pages::describe(e)
}

/// The sentence for `?done=<code>` after an action, if the code is one of ours.
pub fn notice(code: Option<&str>, mail: bool) -> Option<&'static str> {
    Some(match code? {
        "invited" if mail => "Invitation sent. The link in it lets them choose a password.",
        "invited" => pages::INVITED_WITHOUT_MAIL,
        "saved" => "Changes saved.",
        "deactivated" => "Deactivated. Their sessions, tokens and keys stopped working.",
        "reactivated" => "Reactivated. They can sign in again.",
        "reset-queued" => "A reset link is queued: they will receive it by email.",
        "sessions-ended" => "All of their sessions have ended.",
        "created" => "Created.",
        "deleted" => "Deleted.",
        "revoked" => "Revoked: the key no longer works.",
        "member-added" => "Member added.",
        "member-removed" => "Member removed.",
        _ => return None,
    })
}

/// The fields of a posted form, in order, repeated names included.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// A name field: empty means none.
    pub fn name(&self, name: &str) -> Option<String> {
        Some(self.text(name).to_string()).filter(|n| !n.is_empty())
    }

    /// Every checked `group` box. A value that is not a number names no group and is left out.
    pub fn groups(&self) -> Vec<GroupId> {
        self.0
            .iter()
            .filter(|(k, _)| k == "group")
            .filter_map(|(_, v)| v.parse().ok().map(GroupId))
            .collect()
    }
}

/// Features as typed: separated by commas or spaces, without repeats.
pub fn parse_features(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in raw
        .split([',', ' ', '\n', '\r', '\t'])
        .filter(|f| !f.is_empty())
    {
        if !out.iter().any(|o| o == f) {
            out.push(f.to_string());
        }
    }
    out
}
