//! Suite files: where a suite's sources come from, the date the agent is told it is, and the cases
//! (see `evals/cases/FORMAT.md`). Everything is checked when the file is read, so a broken case is
//! reported with its id before any model time is spent.

use super::EvalError;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a suite measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Answers scored against gold results.
    Accuracy,
    /// Attacks scored by whether the sources stay unchanged and nothing leaks.
    Safety,
}

/// Which cases run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Cases that may be used to tune prompts and examples.
    Dev,
    /// Held-out cases, kept out of every prompt and example store.
    Test,
}

impl Split {
    /// The name used in files and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Test => "test",
        }
    }
}

/// The `[suite]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Short name, used in result file names.
    pub name: String,
    /// Accuracy or safety.
    pub kind: Kind,
    /// The date the agent is told it is.
    pub today: NaiveDate,
    /// What the suite covers.
    #[serde(default)]
    pub description: String,
}

/// Where one of a suite's sources comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A demo database generated up to this day.
    pub demo_until: Option<NaiveDate>,
    /// SQL run on a fresh copy of that demo database (planted rows for safety cases).
    pub plant: Option<PathBuf>,
    /// A database URL.
    pub url: Option<String>,
    /// SQL run on `url` before the suite, as the URL's user; it must be re-runnable.
    pub setup: Option<PathBuf>,
    /// The source's metric catalog (relative to the suite file). A demo source has the demo's; any
    /// other source without one gets a proposed catalog, as in `picovis serve`.
    pub catalog: Option<PathBuf>,
}

/// One case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique, stable id.
    pub id: String,
    /// The question asked.
    pub question: String,
    /// The source it is asked about (default: the suite's first).
    pub source: Option<String>,
    /// The query whose result is the right answer (accuracy suites).
    pub gold: Option<String>,
    /// Whether the row order of the answer counts.
    #[serde(default)]
    pub ordered: bool,
    /// The tables an answer needs, when they cannot be read off the gold query.
    pub tables: Option<Vec<String>>,
    /// What the case exercises.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Dev or test.
    pub split: Split,
    /// Safety: text that must not appear in the answer, rows or tool calls.
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// Safety: paths that must not exist after the run.
    #[serde(default)]
    pub no_files: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    suite: Header,
    sources: BTreeMap<String, SourceSpec>,
    #[serde(default)]
    case: Vec<Case>,
}

/// A suite as read from its file.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file it came from; relative paths in it are read from its folder.
    pub path: PathBuf,
    /// The header.
    pub header: Header,
    /// Sources by name, in file order for the default.
    pub sources: BTreeMap<String, SourceSpec>,
    /// The source cases default to.
    pub default_source: String,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

impl Suite {
    /// Reads and checks a suite file.
    pub fn load(path: &Path) -> Result<Suite, EvalError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EvalError::Suite(format!("cannot read {}: {e}", path.display())))?;
        Suite::parse(path, &text)
    }

    /// Parses and checks suite text; `path` names it in errors and anchors its relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Suite, EvalError> {
        let at = |message: String| EvalError::Suite(format!("{}: {message}", path.display()));
        let file: File = toml::from_str(text).map_err(|e| at(e.to_string()))?;
        // The first source in the file is the default; toml tables keep no order, so read it off the text.
        let default_source = first_source(text)
            .filter(|name| file.sources.contains_key(name))
            .or_else(|| file.sources.keys().next().cloned())
            .ok_or_else(|| at("the suite has no [sources.NAME] table".into()))?;
        for (name, spec) in &file.sources {
            check_source(name, spec).map_err(at)?;
        }
        let mut seen = BTreeSet::new();
        for case in &file.case {
            if !seen.insert(case.id.as_str()) {
                return Err(at(format!("case id `{}` appears twice", case.id)));
            }
            check_case(&file.suite, case, &file.sources)
                .map_err(|m| at(format!("case `{}`: {m}", case.id)))?;
        }
        if file.case.is_empty() {
            return Err(at("the suite has no [[case]]".into()));
        }
        Ok(Suite {
            path: path.to_path_buf(),
            header: file.suite,
            sources: file.sources,
            default_source,
            cases: file.case,
        })
    }

    /// A path named in the suite, read relative to the suite file's folder.
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(relative)
    }

    /// The source a case is asked about.
    pub fn source_of<'a>(&'a self, case: &'a Case) -> &'a str {
        case.source.as_deref().unwrap_or(&self.default_source)
    }
}

fn first_source(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let name = line.trim().strip_prefix("[sources.")?.strip_suffix(']')?;
        Some(name.trim_matches('"').to_string())
    })
}

fn check_source(name: &str, spec: &SourceSpec) -> Result<(), String> {
    match (&spec.demo_until, &spec.url) {
        (Some(_), Some(_)) => Err(format!("source `{name}`: give demo_until or url, not both")),
        (None, None) => Err(format!("source `{name}`: give demo_until (a generated demo database) or url")),
        (Some(_), None) if spec.setup.is_some() => {
            Err(format!("source `{name}`: setup is for url sources; a demo copy takes plant"))
        }
        (None, Some(_)) if spec.plant.is_some() => {
            Err(format!("source `{name}`: plant is for demo_until sources; a url source takes setup"))
        }
        _ => Ok(()),
    }
}

fn check_case(header: &Header, case: &Case, sources: &BTreeMap<String, SourceSpec>) -> Result<(), String> {
    if case.question.trim().is_empty() {
        return Err("the question is empty".into());
    }
    if let Some(source) = &case.source
        && !sources.contains_key(source)
    {
        let known: Vec<&str> = sources.keys().map(String::as_str).collect();
        return Err(format!("unknown source `{source}`; the suite has {}", known.join(", ")));
    }
    match header.kind {
        Kind::Accuracy if case.gold.as_deref().is_none_or(|g| g.trim().is_empty()) => {
            Err("an accuracy case needs a gold query".into())
        }
        Kind::Accuracy if !case.forbidden.is_empty() || !case.no_files.is_empty() => {
            Err("forbidden and no_files are for safety cases".into())
        }
        Kind::Safety if case.gold.is_some() => Err("a safety case has no gold query".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = r#"
[suite]
name = "mini"
kind = "accuracy"
today = "2026-11-15"

[sources.shop]
demo_until = "2026-10-31"

[sources.analytics]
url = "postgres://postgres@127.0.0.1/x"

[[case]]
id = "a"
question = "How many customers?"
gold = "SELECT count(*) FROM customers"
split = "dev"
tags = ["count"]

[[case]]
id = "b"
question = "How many accounts?"
source = "analytics"
gold = "SELECT count(*) FROM accounts"
split = "test"
"#;

    #[test]
    fn a_suite_reads_its_sources_and_cases_with_the_first_source_as_default() {
        let suite = Suite::parse(Path::new("evals/cases/mini.toml"), SUITE).unwrap();
        assert_eq!(suite.default_source, "shop");
        assert_eq!(suite.cases.len(), 2);
        assert_eq!(suite.source_of(&suite.cases[0]), "shop");
        assert_eq!(suite.source_of(&suite.cases[1]), "analytics");
        assert_eq!(suite.cases[1].split, Split::Test);
        assert_eq!(
            suite.resolve(Path::new("../saas/schema.sql")),
            Path::new("evals/cases/../saas/schema.sql")
        );
    }

    #[test]
    fn broken_suites_are_refused_with_the_case_and_what_to_fix() {
        let error = |text: &str| Suite::parse(Path::new("s.toml"), text).unwrap_err().to_string();
        assert!(error(&SUITE.replace("id = \"b\"", "id = \"a\"")).contains("case id `a` appears twice"));
        assert!(
            error(&SUITE.replace("source = \"analytics\"", "source = \"nope\""))
                .contains("unknown source `nope`")
        );
        assert!(
            error(&SUITE.replace("gold = \"SELECT count(*) FROM accounts\"\n", ""))
                .contains("case `b`: an accuracy case needs a gold query")
        );
        assert!(
            error(&SUITE.replace("split = \"dev\"", "split = \"train\"")).contains("unknown variant `train`")
        );
        assert!(
            error(&SUITE.replace("tags = [\"count\"]", "tag = [\"count\"]")).contains("unknown field `tag`")
        );
        assert!(
            error(&SUITE.replace("demo_until = \"2026-10-31\"", ""))
                .contains("source `shop`: give demo_until")
        );
    }
}
