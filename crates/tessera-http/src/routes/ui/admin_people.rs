//! `/admin/people`: the list (search, active or deactivated), inviting someone, and each person's
//! page (names, groups, deactivation, a password reset, ending their sessions). Every action is a
//! form with this browser's token; the domain services check the admin rights again themselves.

use super::admin::{notice, problem, Fields, PageAdmin};
use super::form::{FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page, PathId};
use super::paging::Paging;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use serde::Deserialize;
use tessera_domain::services::passwords::AdminReset;
use tessera_domain::types::group::Group;
use tessera_domain::types::ids::{UserId, ALL_USERS_GROUP};
use tessera_domain::types::session::Actor;
use tessera_domain::types::sso::SsoSource;
use tessera_domain::types::user::{NewUser, User, UserChanges, UserQuery, UserStatus};

/// Longer searches match nobody anyway; the bound keeps the query and the page small.
const MAX_SEARCH: usize = 100;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    done: Option<String>,
    page: Option<String>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// How a person signs in, as the list shows it: a badge for single sign-on, nothing for a password.
fn sign_in(user: &User) -> Value {
    match user.sso_source {
        None => Value::from(()),
        Some(SsoSource::Google) => context! { kind => "google", label => "Google" },
        Some(SsoSource::Oidc) => context! { kind => "oidc", label => "OIDC" },
        Some(_) => context! { kind => "sso", label => "Single sign-on" },
    }
}

fn person(user: &User, groups: &[Group]) -> Value {
    let names: Vec<&str> = groups
        .iter()
        .filter(|g| g.id != ALL_USERS_GROUP && user.group_ids.contains(&g.id))
        .map(|g| g.name.as_str())
        .collect();
    context! {
        id => user.id.0,
        name => user.common_name(),
        email => user.email,
        first_name => user.first_name,
        last_name => user.last_name,
        active => user.is_active,
        admin => user.is_superuser,
        sign_in => sign_in(user),
        groups => names,
        last_login => user.last_login.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
    }
}

/// The groups a form can tick (everyone is in All Users anyway), with those of `chosen` ticked.
fn choices(groups: &[Group], chosen: &[tessera_domain::types::ids::GroupId]) -> Vec<Value> {
    groups
        .iter()
        .filter(|g| g.id != ALL_USERS_GROUP)
        .map(|g| context! { id => g.id.0, name => g.name, checked => chosen.contains(&g.id) })
        .collect()
}

fn status_of(raw: Option<&str>) -> (UserStatus, &'static str) {
    match raw {
        Some("deactivated") => (UserStatus::Deactivated, "deactivated"),
        Some("all") => (UserStatus::All, "all"),
        _ => (UserStatus::Active, "active"),
    }
}

/// The list page; `invite` holds what was typed into the invite form when it failed.
async fn list_page(
    state: &AppState,
    admin: &User,
    guard: &FormGuard,
    q: &ListQuery,
    invite: Option<&Fields>,
) -> Result<Page, ErrorPage> {
    let search: String =
        q.q.as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(MAX_SEARCH)
            .collect();
    let (status, status_name) = status_of(q.status.as_deref());
    let paging = Paging::from_query(q.page.as_deref());
    let query = UserQuery {
        status,
        search: Some(search.clone()).filter(|s| !s.is_empty()),
        limit: Some(paging.limit()),
        offset: Some(paging.offset()),
        ..UserQuery::default()
    };
    let found = state
        .services
        .people
        .list(Actor::Person(admin), &query)
        .await?;
    let groups = state.services.groups.list().await?;
    let people: Vec<Value> = found.users.iter().map(|u| person(u, &groups)).collect();
    let keep = [("q", search.as_str()), ("status", status_name)];
    let pages = paging.view(found.total, people.len(), "/admin/people", &keep);
    let typed = |name: &str| invite.map_or("", |f| f.text(name)).to_string();
    let chosen = invite.map(Fields::groups).unwrap_or_default();
    Ok(Page::new(
        "admin_people.html",
        context! {
            title => "People",
            section => "people",
            csrf => guard.token(),
            search => search,
            status => status_name,
            people => people,
            total => found.total,
            paging => pages,
            groups => choices(&groups, &chosen),
            email => typed("email"),
            first_name => typed("first_name"),
            last_name => typed("last_name"),
            mail => state.services.mail_configured(),
            notice => notice(q.done.as_deref(), state.services.mail_configured()),
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/people[?q=…&status=active|deactivated|all&page=N]`, 50 people a page.
pub async fn list(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    guard: FormGuard,
    Query(q): Query<ListQuery>,
) -> Result<Page, ErrorPage> {
    list_page(&state, &admin, &guard, &q, None).await
}

/// `POST /admin/people`: invite someone. With mail configured the invitation goes out; without, the
/// person page says so and offers a temporary password instead.
pub async fn invite(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    Posted { form, guard }: Posted<Vec<(String, String)>>,
) -> Result<Response, ErrorPage> {
    let fields = Fields(form);
    let new = NewUser {
        email: fields.text("email").to_string(),
        first_name: fields.name("first_name"),
        last_name: fields.name("last_name"),
        // As in the API: admin rights come from the Administrators group.
        is_superuser: false,
        groups: fields.groups(),
        login_attributes: None,
        sso_source: None,
    };
    match state.services.people.invite(&admin, new).await {
        Ok(user) => Ok(see_other(
            &format!("/admin/people/{}?done=invited", user.id.0),
            [],
        )),
        Err(e) => {
            let (status, text) = problem(&e);
            let q = ListQuery::default();
            let page = list_page(&state, &admin, &guard, &q, Some(&fields)).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

async fn person_page(
    state: &AppState,
    admin: &User,
    guard: &FormGuard,
    id: UserId,
    done: Option<&str>,
    typed: Option<&Fields>,
) -> Result<Page, ErrorPage> {
    let user = state.services.people.get(admin, id).await?;
    let groups = state.services.groups.list().await?;
    let chosen = typed.map_or_else(|| user.group_ids.clone(), Fields::groups);
    let mut values = person(&user, &groups);
    if let Some(f) = typed {
        values = context! { first_name => f.text("first_name"), last_name => f.text("last_name"), ..values };
    }
    Ok(Page::new(
        "admin_person.html",
        context! {
            title => user.common_name(),
            section => "people",
            csrf => guard.token(),
            person => values,
            sso => user.sso_source.is_some(),
            is_self => user.id == admin.id,
            groups => choices(&groups, &chosen),
            mail => state.services.mail_configured(),
            notice => notice(done, state.services.mail_configured()),
        },
    )
    .cookie(guard.cookie()))
}

/// `GET /admin/people/:id`.
pub async fn show(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    guard: FormGuard,
    PathId(id): PathId<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Page, ErrorPage> {
    person_page(&state, &admin, &guard, UserId(id), q.done.as_deref(), None).await
}

/// After an action on person `id`: on to their page with a notice, or the page again with the error.
async fn after(
    state: &AppState,
    admin: &User,
    guard: &FormGuard,
    id: UserId,
    outcome: Result<&str, tessera_domain::Error>,
    typed: Option<&Fields>,
) -> Result<Response, ErrorPage> {
    match outcome {
        Ok(done) => Ok(see_other(
            &format!("/admin/people/{}?done={done}", id.0),
            [],
        )),
        Err(e) => {
            let (status, text) = problem(&e);
            let page = person_page(state, admin, guard, id, None, typed).await?;
            Ok(page.with_error(status, text).into_response())
        }
    }
}

/// `POST /admin/people/:id`: names and groups.
pub async fn update(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { form, guard }: Posted<Vec<(String, String)>>,
) -> Result<Response, ErrorPage> {
    let (id, fields) = (UserId(id), Fields(form));
    let changes = UserChanges {
        first_name: Some(fields.name("first_name")),
        last_name: Some(fields.name("last_name")),
        groups: Some(fields.groups()),
        ..UserChanges::default()
    };
    let outcome = state.services.people.update(&admin, id, changes).await;
    after(
        &state,
        &admin,
        &guard,
        id,
        outcome.map(|_| "saved"),
        Some(&fields),
    )
    .await
}

/// `POST /admin/people/:id/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let id = UserId(id);
    let outcome = state
        .services
        .people
        .deactivate(Actor::Person(&admin), id)
        .await;
    after(
        &state,
        &admin,
        &guard,
        id,
        outcome.map(|_| "deactivated"),
        None,
    )
    .await
}

/// `POST /admin/people/:id/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let id = UserId(id);
    let outcome = state
        .services
        .people
        .reactivate(Actor::Person(&admin), id)
        .await;
    after(
        &state,
        &admin,
        &guard,
        id,
        outcome.map(|_| "reactivated"),
        None,
    )
    .await
}

/// `POST /admin/people/:id/end-sessions`.
pub async fn end_sessions(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let id = UserId(id);
    let outcome = state
        .services
        .sessions
        .end_all_of(Actor::Person(&admin), id)
        .await;
    after(
        &state,
        &admin,
        &guard,
        id,
        outcome.map(|_| "sessions-ended"),
        None,
    )
    .await
}

/// `POST /admin/people/:id/reset-password`: with mail, a reset link is queued; without, the temporary
/// password is in this response only: never in an address, never shown again.
pub async fn reset_password(
    State(state): State<AppState>,
    PageAdmin(admin): PageAdmin,
    PathId(id): PathId<i64>,
    Posted { guard, .. }: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    let id = UserId(id);
    match state.services.passwords.admin_reset(&admin, id).await {
        Ok(AdminReset::Temporary(password)) => {
            let user = state.services.people.get(&admin, id).await?;
            Ok(Page::new(
                "admin_secret.html",
                context! {
                    title => "Temporary password",
                    section => "people",
                    lead => format!("Give this temporary password to {} by a safe route. They must choose a new one when they sign in. It is shown only this once.", user.common_name()),
                    secret => password.expose(),
                    secret_label => "Temporary password",
                    back => format!("/admin/people/{}", id.0),
                    back_label => "Back to their page",
                },
            )
            .status(StatusCode::OK)
            .into_response())
        }
        outcome => {
            let outcome = outcome.map(|_| "reset-queued");
            after(&state, &admin, &guard, id, outcome, None).await
        }
    }
}
