//! "Are you sure?" before an admin action that cannot be undone. The buttons on the admin pages are
//! links to these pages (a GET changes nothing); each shows what will happen and the real form, which
//! posts with the form token to the action's own route. No script: the pages' policy forbids it.

use super::admin::PageAdmin;
use super::form::FormGuard;
use super::page::{ErrorPage, Page, PathId};
use crate::AppState;
use axum::extract::State;
use minijinja::context;
use tessera_domain::types::ids::{ApiKeyId, UserId};
use tessera_domain::Error;

/// One confirmation: the question, what follows, and the form's action and button.
struct Confirm {
    section: &'static str,
    title: String,
    text: String,
    action: String,
    button: &'static str,
    back: String,
}

fn page(confirm: Confirm, guard: &FormGuard) -> Page {
    Page::new(
        "admin_confirm.html",
        context! {
            title => confirm.title,
            section => confirm.section,
            csrf => guard.token(),
            text => confirm.text,
            action => confirm.action,
            button => confirm.button,
            back => confirm.back,
        },
    )
    .cookie(guard.cookie())
}

async fn person(state: &AppState, admin: &PageAdmin, id: i64) -> Result<(String, String), Error> {
    let user = state.services.people.get(&admin.0, UserId(id)).await?;
    Ok((user.common_name(), format!("/admin/people/{id}")))
}

/// `GET /admin/people/:id/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let (name, back) = person(&state, &admin, id).await?;
    let confirm = Confirm {
        section: "people",
        title: format!("Deactivate {name}?"),
        text: "They are signed out everywhere at once, and their tokens and API keys (personal ones too) stop working. You can reactivate them later; their keys will not come back.".into(),
        action: format!("{back}/deactivate"),
        button: "Deactivate",
        back,
    };
    Ok(page(confirm, &guard))
}

/// `GET /admin/people/:id/end-sessions`.
pub async fn end_sessions(
    State(state): State<AppState>,
    admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let (name, back) = person(&state, &admin, id).await?;
    let confirm = Confirm {
        section: "people",
        title: format!("End all of {name}'s sessions?"),
        text: "They are signed out on every device and browser at once, and must sign in again."
            .into(),
        action: format!("{back}/end-sessions"),
        button: "End all sessions",
        back,
    };
    Ok(page(confirm, &guard))
}

/// `GET /admin/people/:id/reset-password`.
pub async fn reset_password(
    State(state): State<AppState>,
    admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let (name, back) = person(&state, &admin, id).await?;
    let text = if state.services.mail_configured() {
        "A link to choose a new password is emailed to them, and their sessions end.".to_string()
    } else {
        "Their password is replaced by a temporary one, shown to you once; their sessions end, and they must choose a new password when they sign in.".to_string()
    };
    let confirm = Confirm {
        section: "people",
        title: format!("Reset {name}'s password?"),
        text,
        action: format!("{back}/reset-password"),
        button: "Reset password",
        back,
    };
    Ok(page(confirm, &guard))
}

async fn key_name(state: &AppState, id: i64) -> Result<String, Error> {
    let keys = state.services.api_keys.list().await?;
    let key = keys.into_iter().find(|k| k.id == ApiKeyId(id));
    key.map(|k| k.name).ok_or(Error::NotFound)
}

/// `GET /admin/api-keys/:id/regenerate`.
pub async fn regenerate_key(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let name = key_name(&state, id).await?;
    let confirm = Confirm {
        section: "keys",
        title: format!("Regenerate \u{201c}{name}\u{201d}?"),
        text: "The current key stops working at once, with anything signed in with it. The new key is shown once, on the next page.".into(),
        action: format!("/admin/api-keys/{id}/regenerate"),
        button: "Regenerate",
        back: "/admin/api-keys".into(),
    };
    Ok(page(confirm, &guard))
}

/// `GET /admin/api-keys/:id/delete`.
pub async fn delete_key(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    let name = key_name(&state, id).await?;
    let confirm = Confirm {
        section: "keys",
        title: format!("Delete \u{201c}{name}\u{201d}?"),
        text: "The key stops working at once and cannot be brought back.".into(),
        action: format!("/admin/api-keys/{id}/delete"),
        button: "Delete",
        back: "/admin/api-keys".into(),
    };
    Ok(page(confirm, &guard))
}
