//! Turning what the domain wants to tell someone into a message (templates live in `tessera-mail`).

use crate::types::mail::{Mail, RenderedMail};

pub trait MailRenderer: Send + Sync {
    fn render(&self, mail: &Mail) -> RenderedMail;
}
