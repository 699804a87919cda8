//! `/admin/api-keys`: the keys (masked: only their prefix is kept), creating one and regenerating
//! one (the new key is in that response only, never in an address and never shown again), and
//! deleting one. Below them, every person's personal API keys, each of which an admin can revoke.

use super::admin::{notice, problem, PageAdmin};
use super::admin_confirm;
use super::form::{FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page, PathId};
use crate::error::pages::{KEY_GROUP_MISSING, KEY_NAME_MISSING};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use tessera_domain::secret::NewKeySecret;
use tessera_domain::types::api_key::ApiKey;
use tessera_domain::types::ids::{ApiKeyId, GroupId, PersonalKeyId};
use tessera_domain::types::personal_key::masked;

const MAX_NAME: usize = 255;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api-keys", get(list).post(create))
        .route("/admin/api-keys/{id}", get(edit).post(save))
        .route(
            "/admin/api-keys/{id}/regenerate",
            get(admin_confirm::key).post(regenerate),
        )
        .route(
            "/admin/api-keys/{id}/delete",
            get(admin_confirm::key).post(delete),
        )
        .route(
            "/admin/api-keys/personal/{id}/revoke",
            post(revoke_personal),
        )
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    group: String,
}

async fn list_page(
    state: &AppState,
    guard: &FormGuard,
    done: Option<&str>,
    typed: &KeyForm,
) -> Result<Page, ErrorPage> {
    let keys: Vec<Value> = state
        .services
        .api_keys
        .list()
        .await?
        .iter()
        .map(|k| {
            context! {
                id => k.id.0,
                name => k.name,
                group => k.group_name,
                prefix => k.prefix,
                updated_by => k.updated_by_name,
                updated_at => k.updated_at.format("%Y-%m-%d").to_string(),
            }
        })
        .collect();
    let groups: Vec<Value> = state
        .services
        .groups
        .list()
        .await?
        .iter()
        .map(|g| context! { id => g.id.0, name => g.name, selected => typed.group == g.id.0.to_string() })
        .collect();
    let now = state.services.clock().now();
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let personal: Vec<Value> = state
        .services
        .personal_keys
        .list_all()
        .await?
        .iter()
        .map(|k| {
            context! {
                id => k.id.0,
                name => k.name,
                owner => k.owner_name,
                email => k.owner_email,
                key => masked(&k.prefix),
                expires => day(k.expires_at),
                expired => k.expires_at <= now,
                last_used => k.last_used_at.map(day),
            }
        })
        .collect();
    Ok(Page::new(
        "admin_keys.html",
        context! {
            title => "API keys",
            section => "keys",
            csrf => guard.token(),
            keys => keys,
            personal => personal,
            groups => groups,
            name => typed.name,
            notice => notice(done, false),
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/api-keys`.
pub async fn list(
    State(state): State<AppState>,
    _admin: PageAdmin,
    guard: FormGuard,
    Query(q): Query<DoneQuery>,
) -> Result<Page, ErrorPage> {
    list_page(&state, &guard, q.done.as_deref(), &KeyForm::default()).await
}

/// The page that shows a new key, this once.
fn shown_once(key: &ApiKey, secret: &NewKeySecret, lead: &str) -> Response {
    Page::new(
        "admin_secret.html",
        context! {
            title => "Copy the new key",
            section => "keys",
            lead => format!("{lead} \u{201c}{}\u{201d} (group {}). Copy it now: it is shown only this once and cannot be recovered.", key.name, key.group_name),
            secret => secret.expose(),
            secret_label => "API key",
            back => "/admin/api-keys",
            back_label => "Back to API keys",
        },
    )
    .into_response()
}

/// `POST /admin/api-keys`: a new key, shown once.
pub async fn create(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    Posted { form, guard }: Posted<KeyForm>,
) -> Result<Response, ErrorPage> {
    let name = form.name.trim();
    let group = form.group.trim().parse().ok().map(GroupId);
    let named = !name.is_empty() && name.chars().count() <= MAX_NAME;
    let outcome = match (named, group) {
        (false, _) => Err((StatusCode::BAD_REQUEST, KEY_NAME_MISSING.to_string())),
        (true, None) => Err((StatusCode::BAD_REQUEST, KEY_GROUP_MISSING.to_string())),
        (true, Some(group)) => state
            .services
            .api_keys
            .create(name, group, &admin)
            .await
            .map_err(|e| problem(&e)),
    };
    match outcome {
        Ok((key, secret)) => Ok(shown_once(&key, &secret, "The key")),
        Err((status, text)) => {
            let page = list_page(&state, &guard, None, &form).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// `POST /admin/api-keys/:id/regenerate`: the old key stops working; the new one is shown once.
pub async fn regenerate(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    match state
        .services
        .api_keys
        .regenerate(ApiKeyId(id), &admin)
        .await
    {
        Ok((key, secret)) => Ok(shown_once(&key, &secret, "A new secret for the key")),
        Err(e) => {
            let (status, text) = problem(&e);
            let page = list_page(&state, &guard, None, &KeyForm::default()).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// `POST /admin/api-keys/:id/delete`.
pub async fn delete(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    match state.services.api_keys.delete(ApiKeyId(id)).await {
        Ok(()) => Ok(see_other("/admin/api-keys?done=deleted", [])),
        Err(e) => {
            let (status, text) = problem(&e);
            let page = list_page(&state, &guard, None, &KeyForm::default()).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// `POST /admin/api-keys/personal/:id/revoke`: anyone's personal key stops working at once.
pub async fn revoke_personal(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    match state.services.personal_keys.revoke(PersonalKeyId(id)).await {
        Ok(()) => Ok(see_other("/admin/api-keys?done=revoked", [])),
        Err(e) => {
            let (status, text) = problem(&e);
            let page = list_page(&state, &guard, None, &KeyForm::default()).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// The page of one key: its name and group, to rename it or move it to another group.
async fn edit_page(
    state: &AppState,
    guard: &FormGuard,
    id: ApiKeyId,
    typed: Option<&KeyForm>,
) -> Result<Page, ErrorPage> {
    let key = state
        .services
        .api_keys
        .list()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(tessera_domain::Error::NotFound)?;
    let chosen = typed.map_or(key.group_id.0.to_string(), |t| t.group.clone());
    let groups: Vec<Value> = state
        .services
        .groups
        .list()
        .await?
        .iter()
        .map(
            |g| context! { id => g.id.0, name => g.name, selected => chosen == g.id.0.to_string() },
        )
        .collect();
    Ok(Page::new(
        "admin_key.html",
        context! {
            title => format!("API key \u{201c}{}\u{201d}", key.name),
            section => "keys",
            csrf => guard.token(),
            id => key.id.0,
            prefix => key.prefix,
            name => typed.map_or(key.name.clone(), |t| t.name.clone()),
            groups => groups,
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/api-keys/:id`.
pub async fn edit(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    guard: FormGuard,
) -> Result<Page, ErrorPage> {
    edit_page(&state, &guard, ApiKeyId(id), None).await
}

/// `POST /admin/api-keys/:id`: a new name and group; the secret is unchanged.
pub async fn save(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { form, guard }: Posted<KeyForm>,
) -> Result<Response, ErrorPage> {
    let id = ApiKeyId(id);
    let name = form.name.trim();
    let group = form.group.trim().parse().ok().map(GroupId);
    let named = !name.is_empty() && name.chars().count() <= MAX_NAME;
    let outcome = match (named, group) {
        (false, _) => Err((StatusCode::BAD_REQUEST, KEY_NAME_MISSING.to_string())),
        (true, None) => Err((StatusCode::BAD_REQUEST, KEY_GROUP_MISSING.to_string())),
        (true, Some(group)) => state
            .services
            .api_keys
            .update(id, Some(name), Some(group), &admin)
            .await
            .map_err(|e| problem(&e)),
    };
    match outcome {
        Ok(_) => Ok(see_other("/admin/api-keys?done=saved", [])),
        Err((status, text)) => {
            let page = edit_page(&state, &guard, id, Some(&form)).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}
