//! Tests of the terminal interface: every screen drawn on a `TestBackend`,
//! the entry forms' states, model versions from the interface, and the
//! built binary driven through tmux.

mod common;
mod e2e;
mod forms;
mod models;
mod render;
