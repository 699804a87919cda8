//! Rendering a page: the templates (compiled into the binary, HTML-escaped by minijinja because their
//! names end in `.html`), the headers every page carries, redirects, and the error page.

use crate::error::pages;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Environment, Value};
use std::sync::OnceLock;
use tessera_domain::types::user::User;
use tessera_domain::Error;

/// Every template, by name. `base.html` is the layout the others extend.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("forgot.html", include_str!("templates/forgot.html")),
    ("reset.html", include_str!("templates/reset.html")),
    ("setup.html", include_str!("templates/setup.html")),
    ("message.html", include_str!("templates/message.html")),
    ("rules.html", include_str!("templates/rules.html")),
    ("admin_nav.html", include_str!("templates/admin_nav.html")),
    (
        "account_keys.html",
        include_str!("templates/account_keys.html"),
    ),
    (
        "account_secret.html",
        include_str!("templates/account_secret.html"),
    ),
    (
        "admin_badges.html",
        include_str!("templates/admin_badges.html"),
    ),
    (
        "admin_group_choices.html",
        include_str!("templates/admin_group_choices.html"),
    ),
    (
        "admin_people.html",
        include_str!("templates/admin_people.html"),
    ),
    (
        "admin_person.html",
        include_str!("templates/admin_person.html"),
    ),
    (
        "admin_secret.html",
        include_str!("templates/admin_secret.html"),
    ),
    (
        "admin_groups.html",
        include_str!("templates/admin_groups.html"),
    ),
    (
        "admin_group.html",
        include_str!("templates/admin_group.html"),
    ),
    ("admin_keys.html", include_str!("templates/admin_keys.html")),
    ("account.html", include_str!("templates/account.html")),
    ("admin_key.html", include_str!("templates/admin_key.html")),
    (
        "admin_confirm.html",
        include_str!("templates/admin_confirm.html"),
    ),
];

/// The one stylesheet, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("assets/tessera.css");
pub const STYLESHEET_PATH: &str = "/assets/tessera.css";

/// No script at all, styles and images from here only, forms posted here only, never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; \
    style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
    object-src 'none'; frame-ancestors 'none'";

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // The templates ship inside the binary and a unit test renders each one, so a broken
            // template cannot reach a running server.
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env
    })
}

/// The headers of every page. Pages whose address carries a secret (a reset link) send no referrer
/// at all, so the token never leaves in a `Referer` header.
pub fn security_headers(headers: &mut HeaderMap, no_referrer: bool) {
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        HeaderName::from_static("content-security-policy"),
        CONTENT_SECURITY_POLICY,
    );
    set(headers, HeaderName::from_static("x-frame-options"), "DENY");
    set(
        headers,
        HeaderName::from_static("x-content-type-options"),
        "nosniff",
    );
    set(
        headers,
        HeaderName::from_static("referrer-policy"),
        if no_referrer {
            "no-referrer"
        } else {
            "same-origin"
        },
    );
    // Pages carry form tokens and who is signed in: never kept by a cache.
    set(headers, CACHE_CONTROL, "no-store");
}

/// A rendered page: a template, its values, the status and any cookies to set.
pub struct Page {
    template: &'static str,
    values: Value,
    status: StatusCode,
    no_referrer: bool,
    cookies: Vec<String>,
}

impl Page {
    pub fn new(template: &'static str, values: Value) -> Self {
        Self {
            template,
            values,
            status: StatusCode::OK,
            no_referrer: false,
            cookies: Vec::new(),
        }
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn no_referrer(mut self) -> Self {
        self.no_referrer = true;
        self
    }

    /// The page again, saying what went wrong above its form.
    pub fn with_error(mut self, status: StatusCode, error: String) -> Self {
        self.values = context! { error => error, ..self.values };
        self.status = status;
        self
    }

    pub fn cookie(mut self, cookie: Option<String>) -> Self {
        self.cookies.extend(cookie);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let rendered = environment()
            .get_template(self.template)
            .and_then(|t| t.render(&self.values));
        let (status, body) = match rendered {
            Ok(body) => (self.status, body),
            Err(e) => {
                crate::error::log_internal(&e);
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    pages::INTERNAL.to_string(),
                )
            }
        };
        let mut res = (status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        security_headers(headers, self.no_referrer);
        for cookie in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                headers.append(SET_COOKIE, v);
            }
        }
        res
    }
}

/// The bar above a signed-in person's pages: their name, their account, People for admins, and a
/// sign-out form (carrying the page's form token, as every form does).
pub fn nav(user: &User, csrf: &str) -> Value {
    context! {
        name => user.common_name(),
        admin => user.is_superuser,
        csrf => csrf,
    }
}

/// `303 See Other` to a path on this server, with the page headers and the given cookies.
pub fn see_other(location: &str, cookies: impl IntoIterator<Item = String>) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let headers = res.headers_mut();
    // Callers pass paths from `safe_return_path` or constants: visible ASCII, always a valid header.
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    headers.insert(LOCATION, location);
    security_headers(headers, true);
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, v);
        }
    }
    res
}

/// A page that only says what happened, with one way onwards (by default back to sign-in).
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: &'static str,
    pub text: String,
    pub link: (&'static str, &'static str),
}

impl ErrorPage {
    pub fn new(status: StatusCode, title: &'static str, text: impl Into<String>) -> Self {
        Self {
            status,
            title,
            text: text.into(),
            link: ("/auth/login", "Back to sign in"),
        }
    }
}

/// The path's `{id}` on a page, as the id type the route names. Anything that is not a positive
/// number names nothing: a 404 page, never the router's parse error.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: From<i64>> axum::extract::FromRequestParts<S> for PathId<T> {
    type Rejection = ErrorPage;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        crate::extract::path_id(parts, state, "id")
            .await
            .map(|n| PathId(T::from(n)))
            .ok_or_else(|| Error::NotFound.into())
    }
}

impl From<Error> for ErrorPage {
    fn from(e: Error) -> Self {
        let (status, text) = pages::describe(&e);
        Self::new(status, "Something went wrong", text)
    }
}

impl From<crate::error::ApiError> for ErrorPage {
    fn from(e: crate::error::ApiError) -> Self {
        match e {
            crate::error::ApiError::Domain(e) => e.into(),
            _ => Self::new(
                StatusCode::BAD_REQUEST,
                "Something went wrong",
                pages::FORM_UNREADABLE,
            ),
        }
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        let (href, label) = self.link;
        Page::new(
            "message.html",
            context! { title => self.title, text => self.text, href => href, label => label },
        )
        .status(self.status)
        .no_referrer()
        .into_response()
    }
}

/// `GET /assets/tessera.css`.
pub async fn stylesheet() -> Response {
    let mut res = STYLESHEET.into_response();
    let headers = res.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        let env = environment();
        for (name, _) in TEMPLATES {
            env.get_template(name).expect(name);
        }
        let html = env
            .get_template("message.html")
            .unwrap()
            .render(context! { title => "<b>", text => "<script>x</script>", href => "/", label => "\"" })
            .unwrap();
        assert!(!html.contains("<script>x"), "{html}");
        assert!(html.contains("&lt;script&gt;x"), "{html}");
    }
}
