//! HTTP tests of the running application (in-process, real HTTP) and black-box tests of the binary.

pub mod common;

mod admin_routes;
mod api_keys;
mod binary;
mod bodies;
mod browser_sessions;
mod client_address;
mod csrf;
mod emails_names;
mod fidelity;
mod google;
mod groups;
mod key_users;
mod login_keys;
mod mail;
mod membership_fidelity;
mod oidc;
pub mod oidc_peer;
mod own_sessions;
mod pages_account;
mod pages_account_identity;
mod pages_browser;
mod pages_e2e;
mod pages_forgot;
mod pages_login;
mod pages_reset;
mod pages_setup;
mod password_costs;
pub mod peers;
mod people;
mod reauthentication;
mod session;
mod setup;
mod throttle;
mod token_limits;
mod tokens;
