//! `picovis semantic init` and `picovis semantic check`: propose a metric catalog for a source from its
//! schema and data, and check a catalog against the live database.

use super::output::say;
use crate::error::{Error, ErrorCode};
use crate::semantic::Catalog;
use crate::services::{Services, Settings, catalog_dir};
use clap::{Args, Subcommand};
use std::sync::Arc;

/// `picovis semantic ...`
#[derive(Debug, Subcommand)]
pub enum SemanticCommand {
    /// Propose a catalog for a source (one entity per table, joins from foreign keys and `_id` columns,
    /// categories with their values from the data) and write it to semantic/SOURCE.toml for review.
    Init(InitArgs),
    /// Check a source's catalog against the live database: every measure and field is run once.
    Check(CheckArgs),
}

/// `picovis semantic init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The source (default: the default or only source).
    #[arg(long, short)]
    source: Option<String>,
    /// Replace an existing catalog file.
    #[arg(long)]
    force: bool,
}

/// `picovis semantic check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The source (default: the default or only source).
    #[arg(long, short)]
    source: Option<String>,
}

pub(super) async fn run(settings: &Arc<Settings>, command: SemanticCommand) -> Result<(), Error> {
    match command {
        SemanticCommand::Init(args) => init(settings, args).await,
        SemanticCommand::Check(args) => check(settings, args).await,
    }
}

async fn init(settings: &Arc<Settings>, args: InitArgs) -> Result<(), Error> {
    let name = settings.source_name(args.source.as_deref())?.to_string();
    let path = catalog_dir(settings).join(format!("{name}.toml"));
    if path.exists() && !args.force {
        return Err(Error::new(ErrorCode::InvalidRequest, format!("{} exists", path.display()))
            .hint("review and edit it, or pass --force to replace it with a new proposal"));
    }
    let services = Services::build(settings.clone(), Some(&name)).await?;
    let source = services.context.source(Some(&name)).map_err(|e| Error::new(e.code, e.message))?.clone();
    let schema = services.context.schema(&source).await.map_err(|e| Error::new(e.code, e.message))?;
    eprintln!("reading the schema and profiling {} tables of `{name}`...", schema.tables.len());
    let catalog = crate::semantic::propose::propose(&schema, source.as_ref()).await.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            format!(
                "`{name}` has no tables, or more than {}: no catalog proposed",
                crate::semantic::propose::MAX_TABLES
            ),
        )
    })?;
    let header = format!(
        "# Proposed by `picovis semantic init` for source `{name}`. Review it: rename measures and fields the way\n\
         # your business speaks, add descriptions, synonyms and glossary terms, remove what nobody asks about,\n\
         # check the inferred joins, then set reviewed = true.\n"
    );
    let write = |e: std::io::Error| {
        Error::new(ErrorCode::ExportFailed, format!("cannot write {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    std::fs::write(&path, format!("{header}{}", catalog.to_toml())).map_err(write)?;
    let measures = catalog.measures().count();
    let fields = catalog.fields().count();
    let inferred = catalog.joins.iter().filter(|j| j.inferred).count();
    say!(
        "wrote {}: {} entities, {} measures, {} fields, {} joins ({} inferred from column names)",
        path.display(),
        catalog.entities.len(),
        measures,
        fields,
        catalog.joins.len(),
        inferred
    );
    Ok(())
}

async fn check(settings: &Arc<Settings>, args: CheckArgs) -> Result<(), Error> {
    let name = settings.source_name(args.source.as_deref())?.to_string();
    let services = Services::build(settings.clone(), Some(&name)).await?;
    let source = services.context.source(Some(&name)).map_err(|e| Error::new(e.code, e.message))?.clone();
    let catalog: Arc<Catalog> = services.context.catalog(&source).await.ok_or_else(|| {
        Error::new(ErrorCode::InvalidRequest, format!("`{name}` has no catalog"))
            .hint(format!("write one with `picovis semantic init --source {name}`"))
    })?;
    let today = chrono::Local::now().date_naive();
    let problems = crate::semantic::check::against(&catalog, source.as_ref(), today).await;
    if problems.is_empty() {
        say!(
            "the catalog of `{name}` works: {} measures and {} fields ran against the database",
            catalog.measures().count(),
            catalog.fields().count()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("{}: {}", problem.place, problem.message);
    }
    Err(Error::new(
        ErrorCode::ConfigInvalid,
        format!("{} problems in the catalog of `{name}`", problems.len()),
    )
    .hint("fix the entries named above in the catalog file"))
}
