//! Numeric ids in paths. Metabase's routes only match digits, so anything else is an unknown endpoint
//! (and never a parser's error text).

use crate::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

/// The path's `{id}`, a positive integer, as the id type the route names (`Id<UserId>`,
/// `Id<GroupId>`, …). Other parameters of the route are left to their own extractors.
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: From<i64>> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_id(parts, state, "id")
            .await
            .map(|n| Id(T::from(n)))
            .ok_or(ApiError::NoSuchEndpoint)
    }
}

/// The path parameter `name` as a positive integer; `None` for anything else (absent, not digits,
/// zero, negative, too large).
pub async fn path_id<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str) -> Option<i64> {
    let Path(params): Path<Vec<(String, String)>> =
        Path::from_request_parts(parts, state).await.ok()?;
    params
        .into_iter()
        .find(|(param, _)| param == name)
        .and_then(|(_, raw)| raw.parse::<i64>().ok())
        .filter(|n| *n > 0)
}
