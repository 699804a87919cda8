//! The personal API keys section of `/account`: the person's keys (masked), a form to make one (name,
//! lifetime, some of their groups) whose key is shown on the next page only, and revoking one. The
//! same service as `/api/user/current/api-keys`; only a browser session reaches it, never a key.

use super::account::{again, signed_in, View};
use super::admin::Fields;
use super::form::Posted;
use super::page::{nav, see_other, ErrorPage, Page, PathId};
use crate::error::pages;
use crate::error::ApiError;
use crate::extract::CurrentSession;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use tessera_domain::types::ids::{GroupId, PersonalKeyId, ALL_USERS_GROUP};
use tessera_domain::types::personal_key::{masked, KeyExpiry, PersonalKeyRequest};
use tessera_domain::types::user::User;
use tessera_domain::Error;

/// The lifetimes the form offers, in days, and the one chosen at first.
const LIFETIMES: [i64; 4] = [7, 30, 90, 365];
const DEFAULT_LIFETIME: i64 = 30;

/// What was typed into the form, to show again after a mistake.
#[derive(Default)]
pub struct KeyTyped {
    pub name: String,
    pub days: i64,
    pub groups: Vec<GroupId>,
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// The section's values: the keys, and the form with the person's own groups to choose from.
pub async fn section(
    state: &AppState,
    user: &User,
    typed: Option<KeyTyped>,
) -> Result<Value, Error> {
    let typed = typed.unwrap_or(KeyTyped {
        days: DEFAULT_LIFETIME,
        ..KeyTyped::default()
    });
    let groups = state.services.groups.list().await?;
    let name_of = |id: &GroupId| {
        groups
            .iter()
            .find(|g| g.id == *id)
            .map_or(String::new(), |g| g.name.clone())
    };
    let now = state.services.clock().now();
    let keys: Vec<Value> = state
        .services
        .personal_keys
        .list_own(user)
        .await?
        .iter()
        .map(|k| {
            let held: Vec<String> = k.group_ids.iter().map(name_of).collect();
            context! {
                id => k.id.0,
                name => k.name,
                key => masked(&k.prefix),
                groups => if held.is_empty() { "All Users only".to_string() } else { held.join(", ") },
                expires => day(k.expires_at),
                expired => k.expires_at <= now,
                last_used => k.last_used_at.map(day),
            }
        })
        .collect();
    let choices: Vec<Value> = user
        .group_ids
        .iter()
        .filter(|g| **g != ALL_USERS_GROUP)
        .map(|g| context! { id => g.0, name => name_of(g), checked => typed.groups.contains(g) })
        .collect();
    let lifetimes: Vec<Value> = LIFETIMES
        .iter()
        .map(|d| context! { days => d, selected => *d == typed.days })
        .collect();
    Ok(context! {
        keys => keys,
        groups => choices,
        lifetimes => lifetimes,
        name => typed.name,
    })
}

/// `POST /account/api-keys`: a new key, shown on the page this answers with, this once.
pub async fn create(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    Posted { form, guard }: Posted<Vec<(String, String)>>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let fields = Fields(form);
    let typed = KeyTyped {
        name: fields.text("name").to_string(),
        days: fields.text("days").parse().unwrap_or(0),
        groups: fields.groups(),
    };
    let request = PersonalKeyRequest {
        name: typed.name.clone(),
        expiry: KeyExpiry::Days(typed.days),
        group_ids: typed.groups.clone(),
    };
    match state.services.personal_keys.create(&user, request).await {
        Ok((created, secret)) => {
            let csrf = guard.token();
            Page::new(
                "account_secret.html",
                context! {
                    title => "Copy your new key",
                    wide => true,
                    current => "account",
                    nav => nav(&user, &csrf),
                    lead => format!("Your key \u{201c}{}\u{201d} expires on {}. Copy it now: it is shown only this once and cannot be recovered. Send it in the X-API-KEY header.", created.name, day(created.expires_at)),
                    secret => secret.expose(),
                },
            )
            .no_referrer()
            .into_response()
        }
        Err(e) => {
            let (status, text) = pages::describe(&e);
            let view = View {
                keys_error: Some(text),
                keys_typed: Some(typed),
                ..View::default()
            };
            again(&state, &guard, &user, &key, (status, view)).await
        }
    }
}

/// `POST /account/api-keys/:id/revoke`: someone else's key, or an unknown one, is not found.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    PathId(id): PathId<i64>,
    _posted: Posted<serde::de::IgnoredAny>,
) -> Response {
    let (user, _) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    match state
        .services
        .personal_keys
        .revoke_own(&user, PersonalKeyId(id))
        .await
    {
        Ok(()) => see_other("/account?done=key-revoked#keys-title", []),
        Err(Error::NotFound) => ErrorPage {
            status: StatusCode::NOT_FOUND,
            title: "Key not found",
            text: pages::KEY_GONE.to_string(),
            link: ("/account", "Back to your account"),
        }
        .into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}
