//! `picovis eval`: run eval suites through the configured (or named) model and write results tables;
//! compare two runs.

use super::output::say;
use crate::agent::AgentBudget;
use crate::config::ModelConfig;
use crate::error::{Error, ErrorCode};
use crate::eval::{self, Agents, Report, RunOptions, Selection, Split, Suite};
use crate::services::{Services, Settings, open_model};
use crate::tools::{Registry, ToolContext};
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// `picovis eval`
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Run suites and write their results (JSON and Markdown) into the results folder.
    Run(RunArgs),
    /// Compare two results files (JSON) of `eval run`: totals, tags, and the cases that flipped.
    Compare(CompareArgs),
}

/// Which cases run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    /// The held-out cases.
    Test,
    /// The tuning cases.
    Dev,
    /// Both.
    All,
}

/// `picovis eval run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Suite files (default: every `*.toml` in evals/cases).
    suites: Vec<PathBuf>,
    /// Which cases to run.
    #[arg(long, value_enum, default_value = "test")]
    split: SplitArg,
    /// The model to use instead of the configured one (a name `picovis model list` shows, or the
    /// provider's model name).
    #[arg(long)]
    model: Option<String>,
    /// Give the model the first tables in schema order instead of the retriever's best (the pipeline
    /// strategy, which local models use; with the tools strategy the model searches by itself).
    #[arg(long)]
    no_retrieval: bool,
    /// Stop at the first failed query instead of sending the error back for a repair.
    #[arg(long)]
    no_repair: bool,
    /// Have the model write SQL for every question, without asking for a query plan first.
    #[arg(long)]
    no_plans: bool,
    /// Only these case ids (repeatable).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// Where results are written.
    #[arg(long, value_name = "DIR", default_value = "evals/results")]
    results: PathBuf,
}

/// `picovis eval compare`
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier run's JSON results file.
    before: PathBuf,
    /// The later run's JSON results file.
    after: PathBuf,
    /// Also write the comparison to this Markdown file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(super) async fn run(context: &Arc<Settings>, command: EvalCommand) -> Result<(), Error> {
    match command {
        EvalCommand::Run(args) => run_suites(context, args).await,
        EvalCommand::Compare(args) => {
            let text = eval::compare(
                &eval::read(&args.before).map_err(failed)?,
                &eval::read(&args.after).map_err(failed)?,
            );
            if let Some(out) = &args.out {
                std::fs::write(out, &text).map_err(|e| {
                    Error::new(ErrorCode::ExportFailed, format!("cannot write {}: {e}", out.display()))
                })?;
            }
            say!("{text}");
            Ok(())
        }
    }
}

fn failed(error: eval::EvalError) -> Error {
    Error::new(error.code(), error.to_string())
}

fn suite_files(args: &RunArgs) -> Result<Vec<PathBuf>, Error> {
    if !args.suites.is_empty() {
        return Ok(args.suites.clone());
    }
    let dir = Path::new("evals/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Error::new(ErrorCode::InvalidRequest, format!("cannot list {}: {e}", dir.display())).hint(
                "run from the repository root, or name suite files: picovis eval run evals/cases/demo.toml",
            )
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

async fn run_suites(context: &Arc<Settings>, args: RunArgs) -> Result<(), Error> {
    // Every suite is read and checked before the model loads, so a typo costs seconds, not a run.
    let suites = suite_files(&args)?
        .iter()
        .map(|path| Suite::load(path).map_err(failed))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let mut model_config = context.loaded.config.model.clone().unwrap_or_else(ModelConfig::local_default);
    if let Some(name) = &args.model {
        model_config.name = name.clone();
    }
    let services = Services::build(context.clone(), None).await?;
    let (model, model_config) = open_model(context, model_config).await?;
    let known_questions =
        services.examples.list().unwrap_or_default().into_iter().map(|e| e.question).collect();
    let split = match args.split {
        SplitArg::Test => Some(Split::Test),
        SplitArg::Dev => Some(Split::Dev),
        SplitArg::All => None,
    };
    let selection = Selection { split, only: args.only.clone(), known_questions };
    let options = RunOptions {
        split: split.map_or("all", Split::as_str).to_string(),
        retrieval: !args.no_retrieval,
        repair: !args.no_repair,
        plans: !args.no_plans,
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let work = context.loaded.config.data_dir().join("evals");
    for suite in &suites {
        let began = Instant::now();
        let date = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let sources = eval::fixture::open_sources(suite, &work).await.map_err(failed)?;
        let mut agents = Agents::new();
        for name in sources.keys() {
            // The suite's own databases, with the built-in tools only: the operator's custom tools
            // are written for the configured sources, not for these.
            let tools = ToolContext::new(sources.clone(), Some(name.clone()))
                .with_retriever(services.retriever().clone())
                .with_catalogs(eval::fixture::catalogs(suite).map_err(failed)?, true);
            let registry = Arc::new(Registry::builtin());
            let mut agent = services
                .agent_over(model.clone(), &model_config, registry, Arc::new(tools))?
                .with_today(suite.header.today);
            if args.no_retrieval {
                agent = agent.without_retrieval();
            }
            if args.no_plans {
                agent = agent.without_plans();
            }
            if args.no_repair {
                let budget = AgentBudget { max_repairs: 0, ..agent.budget() };
                agent = agent.with_budget(budget);
            }
            agents.insert(name.clone(), Arc::new(agent));
        }
        let setup_seconds = load_seconds + began.elapsed().as_secs_f64();
        eprintln!("==> {} ({}): {} split", suite.header.name, suite.path.display(), options.split);
        let mut progress = |done: usize, total: usize, case: &eval::CaseResult| {
            eprintln!("[{done}/{total}] {} {} {:.1}s", case.id, case.outcome.label(), case.seconds);
        };
        let cases =
            eval::run_cases(suite, &agents, &sources, &selection, &mut progress).await.map_err(failed)?;
        let report = Report {
            suite: suite.header.name.clone(),
            kind: suite.header.kind,
            model: eval::ModelInfo {
                provider: model_config.provider.to_string(),
                name: model_config.name.clone(),
                strategy: model_config.strategy().to_string(),
            },
            date,
            today: suite.header.today.to_string(),
            machine: eval::Machine::current(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            options: options.clone(),
            setup_seconds,
            summary: eval::Summary::of(&cases),
            cases,
        };
        let (json, markdown) = eval::write(&report, &args.results).map_err(failed)?;
        let s = &report.summary;
        say!(
            "{}: {}/{} ({:.1} %), median {:.1} s per question; results in {} and {}",
            report.suite,
            s.passed,
            s.scored,
            s.score * 100.0,
            s.median_seconds,
            json.display(),
            markdown.display()
        );
        for source in sources.values() {
            source.settle().await;
        }
    }
    Ok(())
}
