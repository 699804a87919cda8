//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds both migrations folders at
//! compile time, and without this Cargo notices edits to the files it embedded but not a new file.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
