//! Request latency: one histogram observation per request, labelled by the route template axum
//! matched (`/api/user/{id}`), so the label set stays as small as the route table. Observed by the
//! one layer around every route ([`crate::middleware`]).

use super::{Metrics, RouteLabels};
use axum::http::{Method, StatusCode};
use std::time::Duration;

impl Metrics {
    /// Counts one answered request.
    pub(crate) fn observe_request(
        &self,
        method: &Method,
        route: &str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let status = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let labels = RouteLabels {
            method: method_label(method),
            route: route.to_string(),
            status,
        };
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }
}

/// The standard methods by name; anything a client invents is `other`, so it cannot add series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
