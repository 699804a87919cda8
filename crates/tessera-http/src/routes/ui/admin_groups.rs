//! `/admin/groups`: the groups with their member counts and features; creating, renaming and
//! deleting one (the built-in groups are refused by the domain, with its message); a group's page
//! with its members (added by email, removed) and its features.

use super::admin::{notice, parse_features, problem, PageAdmin};
use super::form::{FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page, PathId};
use crate::error::pages::GROUP_NAME_MISSING;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use tessera_domain::types::group::Group;
use tessera_domain::types::ids::{GroupId, MembershipId};
use tessera_domain::types::user::{common_name, UserKind};
use tessera_domain::Error;

const MAX_NAME: usize = 255;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(list).post(create))
        .route("/admin/groups/{id}", get(show).post(update))
        .route("/admin/groups/{id}/delete", post(delete))
        .route("/admin/groups/{id}/members", post(add_member))
        .route(
            "/admin/groups/{id}/members/{membership}/remove",
            post(remove_member),
        )
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    features: String,
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
}

fn group_value(g: &Group) -> Value {
    context! {
        id => g.id.0,
        name => g.name,
        members => g.member_count,
        features => g.features,
        built_in => g.is_magic(),
    }
}

/// A group's name as typed, if it is one.
fn checked_name(raw: &str) -> Option<&str> {
    let name = raw.trim();
    (!name.is_empty() && name.chars().count() <= MAX_NAME).then_some(name)
}

async fn list_page(
    state: &AppState,
    guard: &FormGuard,
    done: Option<&str>,
    typed: &GroupForm,
) -> Result<Page, ErrorPage> {
    let groups: Vec<Value> = state
        .services
        .groups
        .list()
        .await?
        .iter()
        .map(group_value)
        .collect();
    Ok(Page::new(
        "admin_groups.html",
        context! {
            title => "Groups",
            section => "groups",
            csrf => guard.token(),
            groups => groups,
            name => typed.name,
            features => typed.features,
            notice => notice(done, false),
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/groups`.
pub async fn list(
    State(state): State<AppState>,
    _admin: PageAdmin,
    guard: FormGuard,
    Query(q): Query<DoneQuery>,
) -> Result<Page, ErrorPage> {
    list_page(&state, &guard, q.done.as_deref(), &GroupForm::default()).await
}

/// `POST /admin/groups`: a new group, then its page.
pub async fn create(
    State(state): State<AppState>,
    _admin: PageAdmin,
    Posted { form, guard }: Posted<GroupForm>,
) -> Result<Response, ErrorPage> {
    let outcome = match checked_name(&form.name) {
        None => Err((StatusCode::BAD_REQUEST, GROUP_NAME_MISSING.to_string())),
        Some(name) => {
            let features = parse_features(&form.features);
            let created = state.services.groups.create(name, &features).await;
            created.map_err(|e| problem(&e))
        }
    };
    match outcome {
        Ok(group) => Ok(see_other(
            &format!("/admin/groups/{}?done=created", group.id.0),
            [],
        )),
        Err((status, text)) => {
            let page = list_page(&state, &guard, None, &form).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

async fn group_page(
    state: &AppState,
    guard: &FormGuard,
    id: GroupId,
    done: Option<&str>,
) -> Result<Page, ErrorPage> {
    let (group, members) = state.services.groups.get(id).await?;
    let members: Vec<Value> = members
        .iter()
        .map(|m| {
            context! {
                membership => m.membership_id.0,
                user => m.user_id.0,
                name => common_name(m.first_name.as_deref(), m.last_name.as_deref(), &m.email),
                email => m.email,
                key => m.kind == UserKind::ApiKey,
            }
        })
        .collect();
    Ok(Page::new(
        "admin_group.html",
        context! {
            title => group.name,
            section => "groups",
            csrf => guard.token(),
            group => group_value(&group),
            features_text => group.features.join(", "),
            members => members,
            // Everyone is in All Users: nobody is added to it or taken out of it by hand.
            all_users => group.id == tessera_domain::types::ids::ALL_USERS_GROUP,
            notice => notice(done, false),
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/groups/:id`.
pub async fn show(
    State(state): State<AppState>,
    _admin: PageAdmin,
    guard: FormGuard,
    PathId(id): PathId<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Page, ErrorPage> {
    group_page(&state, &guard, GroupId(id), q.done.as_deref()).await
}

/// After an action on group `id`: `to` with a notice, or the group's page again with the error.
async fn after(
    state: &AppState,
    guard: &FormGuard,
    id: GroupId,
    outcome: Result<String, Error>,
) -> Result<Response, ErrorPage> {
    match outcome {
        Ok(to) => Ok(see_other(&to, [])),
        Err(e) => {
            let (status, text) = problem(&e);
            let page = group_page(state, guard, id, None).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// `POST /admin/groups/:id`: its name and features.
pub async fn update(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Posted { form, guard }: Posted<GroupForm>,
) -> Result<Response, ErrorPage> {
    let id = GroupId(id);
    let Some(name) = checked_name(&form.name) else {
        let page = group_page(&state, &guard, id, None).await?;
        return Ok(page
            .with_error(StatusCode::BAD_REQUEST, GROUP_NAME_MISSING.into())
            .into_response());
    };
    let features = parse_features(&form.features);
    let outcome = state
        .services
        .groups
        .update(id, Some(name), Some(&features))
        .await;
    let to = format!("/admin/groups/{}?done=saved", id.0);
    after(&state, &guard, id, outcome.map(|_| to)).await
}

/// `POST /admin/groups/:id/delete`.
pub async fn delete(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let id = GroupId(id);
    let outcome = state.services.groups.delete(id).await;
    after(
        &state,
        &guard,
        id,
        outcome.map(|_| "/admin/groups?done=deleted".into()),
    )
    .await
}

/// `POST /admin/groups/:id/members`: someone, by email address.
pub async fn add_member(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Posted { form, guard }: Posted<MemberForm>,
) -> Result<Response, ErrorPage> {
    let id = GroupId(id);
    let outcome = match state.services.people.by_email(&form.email).await? {
        Some(user) => state
            .services
            .groups
            .add_member(id, user.id)
            .await
            .map(|_| ()),
        None => Err(Error::UnknownGroupOrUser),
    };
    let to = format!("/admin/groups/{}?done=member-added", id.0);
    after(&state, &guard, id, outcome.map(|_| to)).await
}

/// `POST /admin/groups/:id/members/:membership/remove`: only a membership of this very group.
pub async fn remove_member(
    State(state): State<AppState>,
    _admin: PageAdmin,
    PathId(id): PathId<i64>,
    Path(params): Path<Vec<(String, String)>>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let membership = params
        .iter()
        .find(|(name, _)| name == "membership")
        .and_then(|(_, raw)| raw.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .ok_or(Error::NotFound)?;
    let (id, membership) = (GroupId(id), MembershipId(membership));
    let (_, members) = state.services.groups.get(id).await?;
    let outcome = if members.iter().any(|m| m.membership_id == membership) {
        state.services.groups.remove_membership(membership).await
    } else {
        Err(Error::NotFound)
    };
    let to = format!("/admin/groups/{}?done=member-removed", id.0);
    after(&state, &guard, id, outcome.map(|_| to)).await
}
