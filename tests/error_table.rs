//! The error table is a wire format: every code with its HTTP status, CLI exit status, whether a retry
//! may succeed, and its hint. The snapshot makes any change to it a reviewed change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use picovis::error::ErrorCode;

#[test]
fn the_error_table() {
    let rows: Vec<serde_json::Value> = ErrorCode::ALL
        .iter()
        .map(|code| {
            serde_json::json!({
                "code": code.as_str(),
                "http": code.http_status(),
                "exit": code.exit_code(),
                "retryable": code.retryable(),
                "hint": code.hint(),
            })
        })
        .collect();
    insta::assert_yaml_snapshot!("error_table", rows);
}
