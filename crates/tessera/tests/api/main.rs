//! HTTP tests of the running application (in-process, real HTTP) and black-box tests of the binary.

pub mod common;

mod admin_routes;
mod api_keys;
mod binary;
mod bodies;
mod emails_names;
mod google;
mod groups;
mod key_users;
mod mail;
mod membership_fidelity;
mod oidc;
pub mod oidc_peer;
pub mod peers;
mod people;
mod session;
mod setup;
mod throttle;
mod token_limits;
mod tokens;
