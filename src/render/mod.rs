//! Rendering results for front doors that cannot run a chart library themselves (Slack).

pub mod chart_png;
