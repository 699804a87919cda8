//! Numeric ids in paths. Metabase's routes only match digits, so anything else is an unknown endpoint
//! (and never a parser's error text).

use crate::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

/// The path's `:id` (the first parameter), a positive integer, as the id type the route names
/// (`Id<UserId>`, `Id<GroupId>`, …).
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: From<i64>> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NoSuchEndpoint)?;
        raw.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| Id(T::from(n)))
            .ok_or(ApiError::NoSuchEndpoint)
    }
}
