//! Placeholder until the stepwise search lands.

use serde::{Deserialize, Serialize};

/// Direction of a stepwise search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Forward,
    Backward,
    Both,
}

/// Placeholder.
pub struct Stepwise;

/// Placeholder.
pub fn stepwise() {}
