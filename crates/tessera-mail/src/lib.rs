//! Tessera's mail: message templates, and the outbox worker that delivers through SMTP.

mod render;
mod smtp;
mod worker;

pub use render::Templates;
pub use smtp::{ConnectionError, Security, SmtpSettings};
pub use worker::{Backoff, OutboxWorker};
