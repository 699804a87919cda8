//! A browser stand-in for the page tests: a cookie jar, redirects not followed, and helpers that
//! read a page's form token the way a browser would submit it.

use crate::common::TestApp;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use std::sync::Arc;

pub struct Browser {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    base: String,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The hidden `csrf_token` of the page's (first) form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find(r#"name="csrf_token" value=""#)
            .unwrap_or_else(|| panic!("no form token in {}", self.body))
            + r#"name="csrf_token" value=""#.len();
        self.body[at..].split('"').next().unwrap().to_string()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        crate::common::set_cookies(&self.headers)
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let jar = Arc::new(Jar::default());
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_provider(jar.clone())
                .build()
                .unwrap(),
            jar,
            base: app.base.clone(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            // minijinja escapes `/` too; browsers read `&#x2f;` as `/`, and so do these tests.
            body: res.text().await.unwrap().replace("&#x2f;", "/"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.http.get(format!("{}{path}", self.base)).send().await;
        Self::page(res.unwrap()).await
    }

    /// Posts exactly `fields` (tests of refusals leave the token out or change it).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await;
        Self::page(res.unwrap()).await
    }

    /// Opens `path`, then posts its form back to `action` with the page's token and `fields`.
    pub async fn submit(&self, path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(path).await;
        assert_eq!(form.status, 200, "{path}: {}", form.body);
        let token = form.csrf();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// The value of cookie `name` the browser holds for this site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}
