//! HTTP tests of the running application (in-process, real HTTP) and black-box tests of the binary.

pub mod common;

mod binary;
mod bodies;
mod session;
mod setup;
mod throttle;
