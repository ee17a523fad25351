//! Embedded engine speed: prompt processing and generation, in tokens per second, on one GGUF file.
//! `benches/llm_vs_llama_server.sh` runs this and llama.cpp's own `llama-server` on the same file, prompt
//! and thread count, and prints the ratio. Run alone:
//!
//! ```sh
//! PICOVIS_BENCH_MODEL=~/.cache/picovis/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \
//!   cargo bench --bench llm_speed
//! ```
//!
//! Prints one JSON line per run (prompt tokens, generated tokens, both rates), then the medians.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use picovis::llm::local::{EngineOptions, LocalModel};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let model = std::env::var("PICOVIS_BENCH_MODEL").unwrap_or_else(|_| {
        format!(
            "{}/.cache/picovis/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            std::env::var("HOME").unwrap()
        )
    });
    let threads: u32 = std::env::var("PICOVIS_BENCH_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(2);
    let generate: u32 =
        std::env::var("PICOVIS_BENCH_TOKENS").ok().and_then(|t| t.parse().ok()).unwrap_or(128);
    let runs: usize = std::env::var("PICOVIS_BENCH_RUNS").ok().and_then(|t| t.parse().ok()).unwrap_or(3);
    let prompt = include_str!("data/prompt.txt");
    let options = EngineOptions { context_tokens: 4096, threads };
    let model = LocalModel::open("bench", std::path::Path::new(&model), options).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (mut prompt_rates, mut generation_rates) = (Vec::new(), Vec::new());
    for run in 0..=runs {
        // A different first line each run, so no run reads the prompt from the previous one's cache.
        let text = format!("Run {run}. {prompt}");
        let (_, stats) = runtime.block_on(model.complete_raw(&text, generate)).unwrap();
        let read = (stats.prompt_tokens - stats.cached_tokens) as f64 / stats.prompt_time.as_secs_f64();
        let written = stats.completion_tokens as f64 / stats.generation_time.as_secs_f64();
        println!(
            "{}",
            serde_json::json!({"run": run, "prompt_tokens": stats.prompt_tokens, "cached_tokens": stats.cached_tokens,
                "completion_tokens": stats.completion_tokens, "prompt_per_second": read, "predicted_per_second": written})
        );
        if run > 0 {
            // Run 0 warms the page cache and the allocator; it is printed, not counted.
            prompt_rates.push(read);
            generation_rates.push(written);
        }
    }
    println!(
        "{}",
        serde_json::json!({"engine": "picovis", "threads": threads, "prompt_per_second": median(prompt_rates), "predicted_per_second": median(generation_rates)})
    );
}
