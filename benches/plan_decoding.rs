//! How long the embedded model takes to write a query plan, with the plan schema's optional fields
//! left out (the worked examples compact, the grammar letting empty fields go) against the same plans
//! with every field spelled out and required (how plans were written before 2026-12-05): the demo
//! catalog's real plan prompt, development-split questions, one model, one run, so the ratio holds on
//! a noisy machine. Only generation is timed: each variant's system message is read once and stays in
//! the KV cache for its questions.
//!
//! ```sh
//! cargo bench --bench plan_decoding   # PICOVIS_BENCH_MODEL=path.gguf to pick another model
//! ```
//!
//! Prints one JSON line per question and variant, then the totals and the ratio.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use picovis::llm::local::{EngineOptions, LocalModel};
use picovis::semantic::Plan;

/// Questions of the demo suite's development split (never its held-out one).
const QUESTIONS: [&str; 8] = [
    "which 5 products made the most revenue last quarter?",
    "Number of orders by status",
    "How many mobile app orders did we get per month this year?",
    "What share of total revenue does each category have, in percent?",
    "Revenue last month vs the same month a year earlier, as two columns (last month, a year earlier)",
    "how many items did we sell last month?",
    "How many customers signed up last year?",
    "Which payment method is used most often?",
];

/// The system message with every worked example's plan spelled out in full.
fn spelled_out(system: &str) -> String {
    system
        .lines()
        .map(|line| match line.strip_prefix("A: ").and_then(|json| Plan::from_reply(json).ok()) {
            Some(plan) => format!("A: {}", serde_json::to_string(&plan).unwrap()),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn main() {
    let model = std::env::var("PICOVIS_BENCH_MODEL").unwrap_or_else(|_| {
        format!(
            "{}/.cache/picovis/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            std::env::var("HOME").unwrap()
        )
    });
    let threads: u32 = std::env::var("PICOVIS_BENCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(2);
    let options = EngineOptions { context_tokens: 8192, threads };
    let model = LocalModel::open("bench", std::path::Path::new(&model), options).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let catalog = picovis::demo::catalog().unwrap();
    let compact_schema = picovis::semantic::schema::schema(&catalog);
    let mut full_schema = compact_schema.clone();
    full_schema["required"] = serde_json::json!(Plan::FIELDS);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    let compact_system = picovis::agent::plan_system_message(&catalog, "demo", today);
    let variants =
        [("full", spelled_out(&compact_system), full_schema), ("compact", compact_system, compact_schema)];
    let (mut seconds, mut tokens, mut same) = ([0.0f64; 2], [0u32; 2], 0);
    let mut plans: Vec<Vec<Option<Plan>>> = vec![Vec::new(), Vec::new()];
    for (index, (name, system, schema)) in variants.iter().enumerate() {
        for question in QUESTIONS {
            let prompt = format!(
                "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\nQ: {question}<|im_end|>\n<|im_start|>assistant\n"
            );
            let (reply, stats) = runtime.block_on(model.complete_schema(&prompt, schema, 256)).unwrap();
            let generation = stats.generation_time.as_secs_f64();
            seconds[index] += generation;
            tokens[index] += stats.completion_tokens;
            println!(
                "{}",
                serde_json::json!({"variant": name, "question": question, "completion_tokens": stats.completion_tokens,
                    "generation_seconds": generation, "reply": reply})
            );
            plans[index].push(Plan::from_reply(&reply).ok());
        }
    }
    for (full, compact) in plans[0].iter().zip(&plans[1]) {
        if full.is_some() && full == compact {
            same += 1;
        }
    }
    println!(
        "{}",
        serde_json::json!({"questions": QUESTIONS.len(), "threads": threads,
            "full_seconds": seconds[0], "compact_seconds": seconds[1],
            "full_tokens": tokens[0], "compact_tokens": tokens[1],
            "time_ratio": seconds[1] / seconds[0], "same_plan": same})
    );
}
