//! Widgets shared by several screens.

pub mod km_chart;
pub mod popup;
