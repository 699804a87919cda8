//! HTTP tests of the running application (in-process, real HTTP) and black-box tests of the binary.

pub mod common;

mod admin_routes;
mod api_keys;
mod binary;
mod bodies;
mod groups;
mod mail;
pub mod peers;
mod people;
mod session;
mod setup;
mod throttle;
mod tokens;
