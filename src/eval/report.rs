//! Results: per case, summed up per suite run, written as JSON (for machines and comparisons) and
//! Markdown (for people), and two runs compared.

use super::suite::{Case, Kind, Split};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "class", content = "code")]
pub enum Outcome {
    /// The answer's rows hold the gold result.
    Correct,
    /// The agent's last query ran but its rows are not the gold result.
    WrongResult,
    /// The agent answered without a successful query.
    NoResult,
    /// The run stopped early with this code (no_working_query, time_budget, model_unavailable...).
    Stopped(String),
    /// The gold query failed: the case is broken, not the agent; not scored.
    GoldError,
    /// A held-out question is in the verified-example store; not scored.
    Contaminated,
    /// Safety: every source unchanged, nothing leaked.
    Held,
    /// Safety: a source's content changed.
    Changed,
    /// Safety: forbidden text appeared.
    Leaked,
    /// Safety: a file that must not exist was written.
    FileWritten,
}

impl Outcome {
    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            Outcome::Stopped(code) => code.clone(),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v["class"].as_str().map(str::to_string))
                .unwrap_or_default(),
        }
    }

    /// Whether the case counts in the score (broken and contaminated cases do not).
    pub fn scored(&self) -> bool {
        !matches!(self, Outcome::GoldError | Outcome::Contaminated)
    }

    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Correct | Outcome::Held)
    }
}

/// One case's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Dev or test.
    pub split: Split,
    /// The case's tags.
    pub tags: Vec<String>,
    /// The question.
    pub question: String,
    /// The source asked.
    pub source: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Wall-clock seconds from question to the end of the answer.
    pub seconds: f64,
    /// Model calls.
    pub steps: u32,
    /// Tokens read.
    pub prompt_tokens: u32,
    /// Tokens written.
    pub completion_tokens: u32,
    /// Share of the tables the gold query needs that were in the model's context.
    pub recall: Option<f64>,
    /// Whether the first query the agent ran already gave the gold result. With greedy decoding and the
    /// pipeline strategy this is the outcome of a run without repairs: its one attempt is this one.
    #[serde(default)]
    pub first_query_correct: Option<bool>,
    /// Whether the last query came from a compiled query plan (`false`: written as SQL by the model);
    /// `None` when no query ran.
    #[serde(default)]
    pub answered_by_plan: Option<bool>,
    /// Tables the gold query needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gold_tables: Vec<String>,
    /// Tables whose cards the model was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_tables: Vec<String>,
    /// Tool calls refused or failed (the guard, the database, bad arguments).
    pub refused_calls: u32,
    /// The last query that ran.
    pub sql: Option<String>,
    /// The start of the answer.
    pub answer: String,
    /// Why the run stopped, or why the case could not be scored.
    pub error: Option<String>,
    /// What was wrong with a wrong result.
    pub detail: Option<String>,
    /// Safety: tables whose content changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// Safety: forbidden text that appeared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<String>,
    /// Safety: files that must not exist but do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

impl CaseResult {
    /// A case that ran for `took`; the caller fills in the rest.
    pub fn asked(case: &Case, source: &str, took: Duration) -> Self {
        let mut result = CaseResult::skipped(case, source, Outcome::NoResult);
        result.seconds = took.as_secs_f64();
        result
    }

    /// A case that was not asked.
    pub fn skipped(case: &Case, source: &str, outcome: Outcome) -> Self {
        CaseResult {
            id: case.id.clone(),
            split: case.split,
            tags: case.tags.clone(),
            question: case.question.clone(),
            source: source.to_string(),
            outcome,
            seconds: 0.0,
            steps: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            recall: None,
            first_query_correct: None,
            answered_by_plan: None,
            gold_tables: Vec::new(),
            context_tables: Vec::new(),
            refused_calls: 0,
            sql: None,
            answer: String::new(),
            error: None,
            detail: None,
            changed: Vec::new(),
            leaked: Vec::new(),
            files: Vec::new(),
        }
    }
}

/// The model a run used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Provider (local, ollama, openai).
    pub provider: String,
    /// Model name.
    pub name: String,
    /// How the agent drove it (pipeline or tools).
    pub strategy: String,
}

/// The machine a run ran on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name.
    pub cpu: String,
    /// Logical CPUs available to the process.
    pub cpus: usize,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// Operating system and architecture.
    pub os: String,
}

impl Machine {
    /// This machine, read from `/proc` where there is one.
    pub fn current() -> Self {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let memory_kib: f64 = read("/proc/meminfo")
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        Machine {
            cpu,
            cpus: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            memory_gib: (memory_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// What was switched off or chosen for a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOptions {
    /// The split run (`all` when both).
    pub split: String,
    /// Whether retrieval picked the tables.
    pub retrieval: bool,
    /// Whether failed queries went back to the model for repair.
    pub repair: bool,
    /// Whether the model was asked for query plans first (on sources with a catalog).
    #[serde(default)]
    pub plans: bool,
}

/// Totals over a run's scored cases.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Cases run.
    pub cases: usize,
    /// Cases scored (not broken, not contaminated).
    pub scored: usize,
    /// Cases that passed (correct, or held for safety).
    pub passed: usize,
    /// passed / scored.
    pub score: f64,
    /// Share of scored accuracy cases whose first query was already right (see
    /// [`CaseResult::first_query_correct`]).
    #[serde(default)]
    pub first_query_score: Option<f64>,
    /// Cases per outcome.
    pub outcomes: BTreeMap<String, usize>,
    /// Per tag: cases scored and passed.
    pub tags: BTreeMap<String, (usize, usize)>,
    /// Median seconds per question.
    pub median_seconds: f64,
    /// 95th percentile of seconds per question.
    #[serde(default)]
    pub p95_seconds: f64,
    /// Share of scored cases whose last query came from a plan.
    #[serde(default)]
    pub plan_share: Option<f64>,
    /// Total seconds of questions.
    pub total_seconds: f64,
    /// Mean model calls.
    pub mean_steps: f64,
    /// Mean tokens (read + written).
    pub mean_tokens: f64,
    /// Mean retrieval recall over cases that have one.
    pub mean_recall: Option<f64>,
    /// Tool calls refused or failed, in all.
    pub refused_calls: u32,
}

impl Summary {
    /// Sums up `cases`.
    pub fn of(cases: &[CaseResult]) -> Self {
        let scored: Vec<&CaseResult> = cases.iter().filter(|c| c.outcome.scored()).collect();
        let passed = scored.iter().filter(|c| c.outcome.passed()).count();
        let mut summary = Summary { cases: cases.len(), scored: scored.len(), passed, ..Default::default() };
        summary.score = if scored.is_empty() { 0.0 } else { passed as f64 / scored.len() as f64 };
        for case in cases {
            *summary.outcomes.entry(case.outcome.label()).or_default() += 1;
        }
        for case in &scored {
            for tag in &case.tags {
                let entry = summary.tags.entry(tag.clone()).or_default();
                entry.0 += 1;
                entry.1 += usize::from(case.outcome.passed());
            }
        }
        let mut seconds: Vec<f64> = scored.iter().map(|c| c.seconds).collect();
        seconds.sort_by(f64::total_cmp);
        summary.median_seconds = seconds.get(seconds.len() / 2).copied().unwrap_or(0.0);
        summary.total_seconds = seconds.iter().sum();
        let p95 = (seconds.len() * 95).div_ceil(100).max(1) - 1;
        summary.p95_seconds = seconds.get(p95.min(seconds.len().saturating_sub(1))).copied().unwrap_or(0.0);
        let mean =
            |values: Vec<f64>| (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        summary.mean_steps = mean(scored.iter().map(|c| f64::from(c.steps)).collect()).unwrap_or(0.0);
        summary.mean_tokens =
            mean(scored.iter().map(|c| f64::from(c.prompt_tokens + c.completion_tokens)).collect())
                .unwrap_or(0.0);
        summary.mean_recall = mean(scored.iter().filter_map(|c| c.recall).collect());
        summary.first_query_score = mean(
            scored.iter().filter_map(|c| c.first_query_correct.map(|ok| f64::from(u8::from(ok)))).collect(),
        );
        summary.refused_calls = scored.iter().map(|c| c.refused_calls).sum();
        summary.plan_share =
            mean(scored.iter().map(|c| f64::from(u8::from(c.answered_by_plan == Some(true)))).collect());
        summary
    }
}

/// One run of one suite.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Suite name.
    pub suite: String,
    /// Accuracy or safety.
    pub kind: Kind,
    /// The model.
    pub model: ModelInfo,
    /// When the run started (UTC, RFC 3339).
    pub date: String,
    /// The date the agent was told it is.
    pub today: String,
    /// The machine.
    pub machine: Machine,
    /// Picovis version.
    pub version: String,
    /// Options.
    pub options: RunOptions,
    /// Seconds to prepare sources and load the model, not counted per question.
    pub setup_seconds: f64,
    /// Totals.
    pub summary: Summary,
    /// Every case.
    pub cases: Vec<CaseResult>,
}

impl Report {
    /// The file name (without extension) this run's results are written under: suite, split, model and
    /// what was switched off, so runs of different configurations sit side by side.
    pub fn stem(&self) -> String {
        let model: String = self
            .model
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
            .collect();
        let mut stem = format!("{}-{}-{model}", self.suite, self.options.split);
        if !self.options.retrieval {
            stem.push_str("-no-retrieval");
        }
        if !self.options.repair {
            stem.push_str("-no-repair");
        }
        stem
    }

    /// The run as a Markdown page.
    pub fn markdown(&self) -> String {
        let s = &self.summary;
        let score_name = if self.kind == Kind::Safety { "held" } else { "correct" };
        let mut out = format!(
            "# Eval `{}` ({} split): {}\n\n\
             - Model: {} `{}`, {} strategy; retrieval {}, repair {}, plans {}\n\
             - Run: {} on {} ({} CPUs, {} GiB, {}); Picovis {}; the agent was told today is {}\n\
             - Setup (sources, model load): {:.1} s\n\n",
            self.suite,
            self.options.split,
            percent(s.score),
            self.model.provider,
            self.model.name,
            self.model.strategy,
            on_off(self.options.retrieval),
            on_off(self.options.repair),
            on_off(self.options.plans),
            self.date,
            self.machine.cpu,
            self.machine.cpus,
            self.machine.memory_gib,
            self.machine.os,
            self.version,
            self.today,
            self.setup_seconds,
        );
        out.push_str(&format!(
            "| cases | scored | {score_name} | score | first query right | answered by a plan | median s/question | p95 s | total s | mean steps | mean tokens | mean recall | refused calls |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n| {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.0} | {:.2} | {:.0} | {} | {} |\n\n",
            s.cases,
            s.scored,
            s.passed,
            percent(s.score),
            s.first_query_score.map(percent).unwrap_or_else(|| "-".into()),
            s.plan_share.map(percent).unwrap_or_else(|| "-".into()),
            s.median_seconds,
            s.p95_seconds,
            s.total_seconds,
            s.mean_steps,
            s.mean_tokens,
            s.mean_recall.map(|r| format!("{r:.3}")).unwrap_or_else(|| "-".into()),
            s.refused_calls,
        ));
        out.push_str("## By tag\n\n| tag | scored | passed | score |\n|---|---|---|---|\n");
        for (tag, (scored, passed)) in &s.tags {
            let share = if *scored == 0 { 0.0 } else { *passed as f64 / *scored as f64 };
            out.push_str(&format!("| {tag} | {scored} | {passed} | {} |\n", percent(share)));
        }
        out.push_str("\n## Outcomes\n\n| outcome | cases |\n|---|---|\n");
        for (outcome, count) in &s.outcomes {
            out.push_str(&format!("| {outcome} | {count} |\n"));
        }
        out.push_str("\n## Cases\n\n| id | outcome | s | steps | tokens | recall | question | note |\n|---|---|---|---|---|---|---|---|\n");
        for case in &self.cases {
            let note = case.detail.as_deref().or(case.error.as_deref()).unwrap_or_default();
            let note =
                [note.to_string(), case.changed.join(", "), case.leaked.join(", "), case.files.join(", ")]
                    .into_iter()
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
            out.push_str(&format!(
                "| {} | {} | {:.1} | {} | {} | {} | {} | {} |\n",
                case.id,
                case.outcome.label(),
                case.seconds,
                case.steps,
                case.prompt_tokens + case.completion_tokens,
                case.recall.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into()),
                cell(&case.question),
                cell(&note),
            ));
        }
        out
    }
}

/// Two runs side by side: the totals, per tag, and the cases that changed outcome.
pub fn compare(before: &Report, after: &Report) -> String {
    let (a, b) = (&before.summary, &after.summary);
    let mut out = format!(
        "# `{}` vs `{}`\n\n| | {} | {} | change |\n|---|---|---|---|\n",
        before.stem(),
        after.stem(),
        before.date,
        after.date
    );
    let rows: [(&str, f64, f64, bool); 6] = [
        ("score", a.score * 100.0, b.score * 100.0, true),
        (
            "first query right",
            a.first_query_score.unwrap_or(0.0) * 100.0,
            b.first_query_score.unwrap_or(0.0) * 100.0,
            true,
        ),
        ("median s/question", a.median_seconds, b.median_seconds, false),
        ("mean steps", a.mean_steps, b.mean_steps, false),
        ("mean tokens", a.mean_tokens, b.mean_tokens, false),
        ("mean recall", a.mean_recall.unwrap_or(0.0), b.mean_recall.unwrap_or(0.0), false),
    ];
    for (name, x, y, is_percent) in rows {
        let unit = if is_percent { " %" } else { "" };
        out.push_str(&format!("| {name} | {x:.2}{unit} | {y:.2}{unit} | {:+.2}{unit} |\n", y - x));
    }
    out.push_str(&format!(
        "| passed / scored | {}/{} | {}/{} | |\n\n",
        a.passed, a.scored, b.passed, b.scored
    ));
    out.push_str("## By tag\n\n| tag | before | after |\n|---|---|---|\n");
    let tags: std::collections::BTreeSet<&String> = a.tags.keys().chain(b.tags.keys()).collect();
    for tag in tags {
        let show =
            |s: &Summary| s.tags.get(tag).map(|(n, p)| format!("{p}/{n}")).unwrap_or_else(|| "-".into());
        out.push_str(&format!("| {tag} | {} | {} |\n", show(a), show(b)));
    }
    let earlier: BTreeMap<&str, &CaseResult> = before.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut fixed = Vec::new();
    let mut broken = Vec::new();
    for case in &after.cases {
        let Some(old) = earlier.get(case.id.as_str()) else { continue };
        match (old.outcome.passed(), case.outcome.passed()) {
            (false, true) => {
                fixed.push(format!("- {} ({} -> passed): {}", case.id, old.outcome.label(), case.question))
            }
            (true, false) => {
                broken.push(format!("- {} (passed -> {}): {}", case.id, case.outcome.label(), case.question))
            }
            _ => {}
        }
    }
    out.push_str(&format!("\n## Now passing ({})\n\n{}\n", fixed.len(), fixed.join("\n")));
    out.push_str(&format!("\n## No longer passing ({})\n\n{}\n", broken.len(), broken.join("\n")));
    out
}

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    let flat: String = text.replace('|', "\\|").replace('\n', " ");
    if flat.chars().count() > 120 {
        format!("{}…", flat.chars().take(120).collect::<String>())
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, tags: &[&str], outcome: Outcome, seconds: f64) -> CaseResult {
        let spec = Case {
            id: id.into(),
            question: format!("question {id}"),
            source: None,
            gold: None,
            ordered: false,
            tables: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            split: Split::Test,
            forbidden: Vec::new(),
            no_files: Vec::new(),
        };
        let mut result = CaseResult::asked(&spec, "demo", Duration::from_secs_f64(seconds));
        result.outcome = outcome;
        result.steps = 2;
        result
    }

    #[test]
    fn the_summary_scores_only_what_can_be_scored() {
        let cases = vec![
            case("a", &["count"], Outcome::Correct, 10.0),
            case("b", &["count", "join"], Outcome::WrongResult, 20.0),
            case("c", &["join"], Outcome::Stopped("no_working_query".into()), 30.0),
            case("d", &["join"], Outcome::GoldError, 0.0),
        ];
        let summary = Summary::of(&cases);
        assert_eq!((summary.cases, summary.scored, summary.passed), (4, 3, 1));
        assert!((summary.score - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(summary.tags["count"], (2, 1));
        assert_eq!(summary.tags["join"], (2, 0));
        assert_eq!(summary.outcomes["no_working_query"], 1);
        assert_eq!(summary.outcomes["gold_error"], 1);
        assert_eq!(summary.median_seconds, 20.0);
        assert_eq!(summary.total_seconds, 60.0);
    }

    #[test]
    fn a_comparison_lists_the_cases_that_flipped() {
        let report = |cases: Vec<CaseResult>, retrieval: bool| Report {
            suite: "demo".into(),
            kind: Kind::Accuracy,
            model: ModelInfo {
                provider: "local".into(),
                name: "qwen2.5-coder-1.5b".into(),
                strategy: "pipeline".into(),
            },
            date: "2026-11-27T00:00:00Z".into(),
            today: "2026-11-15".into(),
            machine: Machine::current(),
            version: "0".into(),
            options: RunOptions { split: "test".into(), retrieval, repair: true, plans: true },
            setup_seconds: 1.0,
            summary: Summary::of(&cases),
            cases,
        };
        let before = report(
            vec![
                case("a", &["count"], Outcome::Correct, 1.0),
                case("b", &["join"], Outcome::WrongResult, 1.0),
            ],
            false,
        );
        let after = report(
            vec![case("a", &["count"], Outcome::NoResult, 1.0), case("b", &["join"], Outcome::Correct, 1.0)],
            true,
        );
        assert_eq!(before.stem(), "demo-test-qwen2.5-coder-1.5b-no-retrieval");
        let text = compare(&before, &after);
        assert!(text.contains("## Now passing (1)\n\n- b (wrong_result -> passed)"), "{text}");
        assert!(text.contains("## No longer passing (1)\n\n- a (passed -> no_result)"), "{text}");
        assert!(text.contains("| score | 50.00 % | 50.00 % | +0.00 % |"), "{text}");
        let page = after.markdown();
        assert!(page.contains("| b | correct |"), "{page}");
        assert!(page.contains("| join | 1 | 1 | 100.0 % |"), "{page}");
    }
}
