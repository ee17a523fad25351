//! `picovis sources list|test`.

use super::output::say;
use crate::error::Error;
use crate::error::ErrorCode;
use crate::services::Settings;
use crate::sources::WriteAccess;
use clap::Subcommand;
use serde::Serialize;
use std::time::Instant;

/// `picovis sources ...`
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List the configured sources and their budgets.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Describe a source's tables, views, columns, keys and indexes (the schema snapshot).
    Schema {
        /// The source (default: default_source, or the only source).
        name: Option<String>,
        /// Print the full snapshot as JSON.
        #[arg(long)]
        json: bool,
        /// Skip sampling distinct values of low-cardinality columns.
        #[arg(long)]
        no_samples: bool,
    },
    /// Connect to sources, report server versions, and check whether their roles could write.
    Test {
        /// Sources to test (default: all).
        names: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct Listed {
    name: String,
    url: String,
    description: Option<String>,
    statement_timeout_ms: u128,
    max_rows: u64,
    max_bytes: u64,
    default: bool,
}

#[derive(Serialize)]
struct Tested {
    name: String,
    ok: bool,
    version: Option<String>,
    latency_ms: Option<u128>,
    write_access: Option<WriteAccess>,
    allow_writes: bool,
    error: Option<String>,
    code: Option<ErrorCode>,
}

pub(super) async fn run(context: &Settings, command: SourcesCommand) -> Result<(), Error> {
    match command {
        SourcesCommand::List { json } => {
            list(context, json);
            Ok(())
        }
        SourcesCommand::Test { names, json } => test(context, names, json).await,
        SourcesCommand::Schema { name, json, no_samples } => schema(context, name, json, !no_samples).await,
    }
}

async fn schema(context: &Settings, name: Option<String>, json: bool, samples: bool) -> Result<(), Error> {
    let name = context.source_name(name.as_deref())?;
    let source = context.open(name).await?;
    let snapshot = source.introspect(crate::sources::IntrospectOptions { sample_values: samples }).await?;
    if json {
        say!("{}", serde_json::to_string_pretty(&snapshot).unwrap_or_default());
        return Ok(());
    }
    say!("{} ({})", snapshot.source, snapshot.server_version);
    for table in &snapshot.tables {
        let rows = table.row_estimate.map(|n| format!(", ~{n} rows")).unwrap_or_default();
        let kind = if table.kind == crate::sources::schema::TableKind::View { "view" } else { "table" };
        say!("\n{}.{} ({kind}{rows})", table.schema, table.name);
        if let Some(comment) = &table.comment {
            say!("  -- {comment}");
        }
        for column in &table.columns {
            let key = if table.primary_key.contains(&column.name) { " PK" } else { "" };
            let null = if column.nullable { "" } else { " NOT NULL" };
            let comment = column.comment.as_deref().map(|c| format!("  -- {c}")).unwrap_or_default();
            say!("  {} {}{null}{key}{comment}", column.name, column.data_type);
        }
        for fk in &table.foreign_keys {
            say!(
                "  FK ({}) -> {}.{} ({})",
                fk.columns.join(", "),
                fk.ref_schema,
                fk.ref_table,
                fk.ref_columns.join(", ")
            );
        }
    }
    Ok(())
}

fn list(context: &Settings, json: bool) {
    let config = &context.loaded.config;
    let default = config.default_source_name();
    let listed: Vec<Listed> = config
        .sources
        .iter()
        .map(|(name, s)| Listed {
            name: name.clone(),
            url: s.url.to_string(),
            description: s.description.clone(),
            statement_timeout_ms: s.statement_timeout.as_millis(),
            max_rows: s.max_rows,
            max_bytes: s.max_bytes,
            default: default == Some(name.as_str()),
        })
        .collect();
    if json {
        say!("{}", serde_json::to_string_pretty(&listed).unwrap_or_default());
        return;
    }
    for s in listed {
        let mark = if s.default { " (default)" } else { "" };
        say!(
            "{}{mark}\n  url: {}\n  budget: {} ms, {} rows, {}",
            s.name,
            s.url,
            s.statement_timeout_ms,
            s.max_rows,
            crate::config::values::format_bytes(s.max_bytes)
        );
        if let Some(description) = s.description {
            say!("  {description}");
        }
    }
}

async fn test(context: &Settings, names: Vec<String>, json: bool) -> Result<(), Error> {
    let config = &context.loaded.config;
    let names = if names.is_empty() { config.sources.keys().cloned().collect() } else { names };
    let mut results = Vec::new();
    for name in names {
        let name = context.source_name(Some(&name))?.to_string();
        let allow_writes = config.sources.get(&name).is_some_and(|s| s.allow_writes);
        let started = Instant::now();
        let outcome = async {
            let source = context.open(&name).await?;
            let info = source.ping().await?;
            let latency = started.elapsed().as_millis();
            let access = source.write_access().await?;
            Ok::<_, Error>((info.version, latency, access))
        }
        .await;
        results.push(match outcome {
            Ok((version, latency, access)) => Tested {
                name,
                ok: true,
                version: Some(version),
                latency_ms: Some(latency),
                write_access: Some(access),
                allow_writes,
                error: None,
                code: None,
            },
            Err(error) => Tested {
                name,
                ok: false,
                version: None,
                latency_ms: None,
                write_access: None,
                allow_writes,
                error: Some(error.message),
                code: Some(error.code),
            },
        });
    }
    if json {
        say!("{}", serde_json::to_string_pretty(&results).unwrap_or_default());
    } else {
        for r in &results {
            print_tested(r);
        }
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    // The exit status is the first failure's, so a config problem reads differently from a down server.
    if let Some(code) = results.iter().find_map(|r| r.code) {
        return Err(Error::new(code, format!("{failed} source(s) failed the test")));
    }
    Ok(())
}

fn print_tested(r: &Tested) {
    match (&r.version, &r.error) {
        (Some(version), _) => {
            say!("ok    {}: {version} ({} ms)", r.name, r.latency_ms.unwrap_or(0));
        }
        (None, error) => say!("FAIL  {}: {}", r.name, error.as_deref().unwrap_or("unknown error")),
    }
    let Some(access) = &r.write_access else { return };
    if access.can_write && !r.allow_writes {
        say!("  warning: this role can write: {}", access.detail);
        say!("  Picovis still runs only read-only queries, but a read-only role is a layer worth having:");
        for line in access.suggestion.as_deref().unwrap_or("").lines() {
            say!("    {line}");
        }
        say!("  (or set allow_writes = true for this source to acknowledge it)");
    } else {
        say!("  read-only check: {}", access.detail);
    }
}
