//! What the domain needs from the outside besides storage (`crate::store`) and time (`crate::clock`):
//! mail rendering and single sign-on providers. Ports depend only on `types`.

pub mod mail;
pub mod sso;
