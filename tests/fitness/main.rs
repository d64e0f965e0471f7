//! Architecture fitness: the rules the source keeps and the measures it is held to.
//!
//! `cargo test --test fitness -- --nocapture` prints the module picture at every folder
//! level and the measures (fields of the app state, background threads in the UI,
//! string errors in the domain, long files and functions, import loops).

mod layers;
mod measures;
mod source;
