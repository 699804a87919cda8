//! The error answers routes share, as reusable groups a route lists in its `responses(...)`:
//! `SignedIn` (401/403 of any authenticated Metabase route), `AdminOnly`, `JsonBody` (400/413/415 of a
//! route that reads a JSON object), `NotFound`, `Busy` (503 while the hashing pool is full), and the
//! token surface's `TokenAuth`, `TokenJsonBody`, `Throttled`, `Upstream`. Each says the content types
//! that status really carries: Metabase answers some refusals in plain text (`Unauthenticated`, `You
//! don't have permissions to do that.`, `Not found.`), others in JSON (reference §1). The wording
//! itself lives in `crate::error`; only shapes are described here.

use std::collections::BTreeMap;
use utoipa::openapi::header::Header;
use utoipa::openapi::{Content, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

/// Any JSON error body on the Metabase surface: field problems (`errors`, `specific-errors`, nested
/// like the request) or a one-line `message`.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the bodies are built in `crate::error`
pub struct ErrorBody {
    /// Field name → what is wrong with it (an object for nested fields such as `user.email`).
    errors: Option<serde_json::Map<String, serde_json::Value>>,
    /// Field name → the detailed checks that failed.
    #[schema(rename = "specific-errors")]
    specific_errors: Option<serde_json::Map<String, serde_json::Value>>,
    message: Option<String>,
}

/// The token surface's error body: always a `message`; field problems add Metabase's trees.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessageBody {
    message: String,
    errors: Option<serde_json::Map<String, serde_json::Value>>,
    #[schema(rename = "specific-errors")]
    specific_errors: Option<serde_json::Map<String, serde_json::Value>>,
}

type Responses = BTreeMap<String, RefOr<Response>>;

fn json() -> Content {
    Content::new(Some(ErrorBody::schema()))
}

fn plain() -> Content {
    Content::new(Some(String::schema()))
}

fn message() -> Content {
    Content::new(Some(MessageBody::schema()))
}

fn one(status: u16, response: ResponseBuilder) -> Responses {
    BTreeMap::from([(status.to_string(), response.build().into())])
}

/// 401/403 of a route that needs a signed-in caller (session header or cookie, or an API key).
pub struct SignedIn;

impl IntoResponses for SignedIn {
    fn responses() -> Responses {
        let mut r = one(
            401,
            ResponseBuilder::new()
                .description("No valid credential: the plain text `Unauthenticated`.")
                .content("text/plain", plain()),
        );
        r.extend(one(403, forbidden()));
        r
    }
}

fn forbidden() -> ResponseBuilder {
    ResponseBuilder::new()
        .description(
            "Refused: not an admin (plain text), a cross-site request signed in by the cookie \
             (plain text), or a temporary password that must be changed first (JSON `message`).",
        )
        .content("text/plain", plain())
        .content("application/json", json())
}

/// [`SignedIn`] for admins only: anyone else gets 403 `You don't have permissions to do that.`
pub struct AdminOnly;

impl IntoResponses for AdminOnly {
    fn responses() -> Responses {
        SignedIn::responses()
    }
}

/// 400/413/415 of a route that reads a JSON object (an empty body counts as `{}`).
pub struct JsonBody;

impl IntoResponses for JsonBody {
    fn responses() -> Responses {
        let mut r = one(
            400,
            ResponseBuilder::new()
                .description(
                    "Invalid fields (`errors`, `specific-errors`), a body that is not a JSON \
                     object (`message`), or a refusal Metabase words in plain text.",
                )
                .content("application/json", json())
                .content("text/plain", plain()),
        );
        r.extend(one(
            413,
            ResponseBuilder::new()
                .description("The body is larger than `TESSERA_MAX_BODY_BYTES`.")
                .content("application/json", json()),
        ));
        r.extend(one(
            415,
            ResponseBuilder::new()
                .description("A body sent without `Content-Type: application/json`.")
                .content("application/json", json()),
        ));
        r
    }
}

/// 404 in plain text: `Not found.`, or `API endpoint does not exist.` for an id that is not a
/// positive integer.
pub struct NotFound;

impl IntoResponses for NotFound {
    fn responses() -> Responses {
        one(
            404,
            ResponseBuilder::new()
                .description("No such thing (plain text).")
                .content("text/plain", plain()),
        )
    }
}

/// 503 with `Retry-After` while every password-hashing thread is busy.
pub struct Busy;

impl IntoResponses for Busy {
    fn responses() -> Responses {
        one(
            503,
            ResponseBuilder::new()
                .description("The server is busy verifying passwords; try again after `Retry-After` seconds.")
                .content("application/json", json())
                .header("Retry-After", Header::new(i64::schema())),
        )
    }
}

/// The token surface's 401/403: a missing, expired or revoked access token, a missing feature.
pub struct TokenAuth;

impl IntoResponses for TokenAuth {
    fn responses() -> Responses {
        let mut r = one(
            401,
            ResponseBuilder::new()
                .description("Bad credentials or token (`message`).")
                .content("application/json", message()),
        );
        r.extend(one(
            403,
            ResponseBuilder::new()
                .description("A feature none of the caller's groups grants, or a temporary password to change first.")
                .content("application/json", message()),
        ));
        r
    }
}

/// [`JsonBody`] in the token surface's words (`message` always present).
pub struct TokenJsonBody;

impl IntoResponses for TokenJsonBody {
    fn responses() -> Responses {
        [400, 413, 415]
            .into_iter()
            .flat_map(|status| {
                one(
                    status,
                    ResponseBuilder::new()
                        .description("Invalid fields, a malformed body, or not JSON (`message`).")
                        .content("application/json", message()),
                )
            })
            .collect()
    }
}

/// 429 on the token surface: too many failed attempts for this email or client address.
pub struct Throttled;

impl IntoResponses for Throttled {
    fn responses() -> Responses {
        one(
            429,
            ResponseBuilder::new()
                .description("Too many attempts (`message` says how long to wait).")
                .content("application/json", message()),
        )
    }
}

/// 502: the OpenID provider or the external Metabase failed.
pub struct Upstream;

impl IntoResponses for Upstream {
    fn responses() -> Responses {
        one(
            502,
            ResponseBuilder::new()
                .description("An upstream service failed (`message` names it).")
                .content("application/json", message()),
        )
    }
}

/// 401 of a sign-in: the password or token did not match, the account is disabled, or too many
/// attempts (JSON `errors`); password login switched off (plain text).
pub struct LoginRefused;

impl IntoResponses for LoginRefused {
    fn responses() -> Responses {
        one(
            401,
            ResponseBuilder::new()
                .description(
                    "Not signed in: `errors` says why; plain text when password login is off.",
                )
                .content("application/json", json())
                .content("text/plain", plain()),
        )
    }
}

/// 400 for a request the server understood and refuses (the last admin, a built-in group, mail not
/// configured, a bad query parameter …): JSON or Metabase's plain text.
pub struct Refused;

impl IntoResponses for Refused {
    fn responses() -> Responses {
        one(
            400,
            ResponseBuilder::new()
                .description("Refused: JSON `message` or `errors`, or plain text.")
                .content("application/json", json())
                .content("text/plain", plain()),
        )
    }
}

/// The OpenID callback's failures: a browser is there, so an HTML page with a way back to sign in.
pub struct CallbackFailed;

impl IntoResponses for CallbackFailed {
    fn responses() -> Responses {
        ["4XX", "5XX"]
            .into_iter()
            .map(|status| {
                let page = ResponseBuilder::new()
                    .description("Sign-in did not complete (an HTML page).")
                    .content("text/html", plain());
                (status.to_string(), page.build().into())
            })
            .collect()
    }
}
