//! "Are you sure?" before an admin action that cannot be undone. The buttons on the admin pages are
//! links to these pages (a GET changes nothing); each shows what will happen and the real form, which
//! posts with the form token to the action's own route. No script: the pages' policy forbids it.
//!
//! One handler per kind of thing acted on; what each action says is a row of a table, found by the
//! last segment of the route the page is served on (the same route its form posts to).

use super::admin::PageAdmin;
use super::form::FormGuard;
use super::page::{ErrorPage, Page, PathId};
use crate::AppState;
use axum::extract::{MatchedPath, State};
use minijinja::context;
use tessera_domain::types::ids::{ApiKeyId, UserId};
use tessera_domain::Error;

/// What one confirmation says.
struct Action {
    /// The route's last segment: `/admin/people/{id}/deactivate`.
    segment: &'static str,
    /// `{}` stands for the name of the person or key.
    title: &'static str,
    text: &'static str,
    /// Said instead of `text` when no mail server is configured.
    text_without_mail: Option<&'static str>,
    button: &'static str,
}

const PEOPLE: &[Action] = &[
    Action {
        segment: "deactivate",
        title: "Deactivate {}?",
        text: "They are signed out everywhere at once, and their tokens and API keys (personal ones too) stop working. You can reactivate them later; their keys will not come back.",
        text_without_mail: None,
        button: "Deactivate",
    },
    Action {
        segment: "end-sessions",
        title: "End all of {}'s sessions?",
        text: "They are signed out on every device and browser at once, and must sign in again.",
        text_without_mail: None,
        button: "End all sessions",
    },
    Action {
        segment: "reset-password",
        title: "Reset {}'s password?",
        text: "A link to choose a new password is emailed to them, and their sessions end.",
        text_without_mail: Some("Their password is replaced by a temporary one, shown to you once; their sessions end, and they must choose a new password when they sign in."),
        button: "Reset password",
    },
];

const KEYS: &[Action] = &[
    Action {
        segment: "regenerate",
        title: "Regenerate \u{201c}{}\u{201d}?",
        text: "The current key stops working at once, with anything signed in with it. The new key is shown once, on the next page.",
        text_without_mail: None,
        button: "Regenerate",
    },
    Action {
        segment: "delete",
        title: "Delete \u{201c}{}\u{201d}?",
        text: "The key stops working at once and cannot be brought back.",
        text_without_mail: None,
        button: "Delete",
    },
];

/// The row of `table` for the route this page is served on.
fn action(table: &'static [Action], route: &MatchedPath) -> Result<&'static Action, Error> {
    let segment = route.as_str().rsplit('/').next().unwrap_or_default();
    table
        .iter()
        .find(|a| a.segment == segment)
        .ok_or(Error::NotFound)
}

/// The page for `action` on `name`: the form posts to `{path}/{segment}`, Cancel goes to `back`.
struct Target<'a> {
    section: &'static str,
    name: &'a str,
    path: String,
    back: String,
}

fn page(state: &AppState, action: &Action, target: Target<'_>, guard: &FormGuard) -> Page {
    let text = match action.text_without_mail {
        Some(other) if !state.services.mail_configured() => other,
        _ => action.text,
    };
    Page::new(
        "admin_confirm.html",
        context! {
            title => action.title.replace("{}", target.name),
            section => target.section,
            csrf => guard.token(),
            text,
            action => format!("{}/{}", target.path, action.segment),
            button => action.button,
            back => target.back,
        },
    )
    .cookie(guard.cookie())
}

/// `GET /admin/people/:id/deactivate`, `…/end-sessions` and `…/reset-password`.
pub async fn person(
    State(state): State<AppState>,
    admin: PageAdmin,
    PathId(id): PathId<i64>,
    route: MatchedPath,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let action = action(PEOPLE, &route)?;
    let user = state.services.people.get(&admin.0, UserId(id)).await?;
    let path = format!("/admin/people/{id}");
    let target = Target {
        section: "people",
        name: &user.common_name(),
        back: path.clone(),
        path,
    };
    Ok(page(&state, action, target, &guard))
}

/// `GET /admin/api-keys/:id/regenerate` and `…/delete`.
pub async fn key(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    route: MatchedPath,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let action = action(KEYS, &route)?;
    let keys = state.services.api_keys.list().await?;
    let name = keys
        .into_iter()
        .find(|k| k.id == ApiKeyId(id))
        .map(|k| k.name)
        .ok_or(Error::NotFound)?;
    let target = Target {
        section: "keys",
        name: &name,
        path: format!("/admin/api-keys/{id}"),
        // Back to the list, where the buttons are; a key's own page is where it is edited.
        back: "/admin/api-keys".into(),
    };
    Ok(page(&state, action, target, &guard))
}
