//! A catalog checked against the live database: every measure and every dimension is compiled into a
//! one-row query and run (read-only, through the guard), so a renamed column or an expression the
//! engine rejects is found before a question needs it. Joins are exercised where a measure of one end
//! meets a dimension of the other: the first join between two such entities, not every declared one.

use super::catalog::Catalog;
use super::plan::{Kind, Plan};
use crate::guard::Guard;
use crate::sources::{Budget, Source};
use std::time::Duration;

/// One thing in a catalog that does not work against the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// `measure revenue`, `dimension orders.status`.
    pub place: String,
    /// What the engine or the compiler said.
    pub message: String,
}

/// A one-row plan of `kind`: enough to show the engine accepts what the catalog names.
fn probe(kind: Kind) -> Plan {
    Plan { limit: Some(1), ..Plan::new(kind) }
}

/// Runs every measure and dimension of `catalog` once on `source`; returns what failed.
pub async fn against(catalog: &Catalog, source: &dyn Source, today: chrono::NaiveDate) -> Vec<Problem> {
    let mut probes = Vec::new();
    for (_, measure) in catalog.measures() {
        let mut plan = probe(Kind::Value);
        plan.measures.push(measure.name.clone());
        probes.push((format!("measure {}", measure.name), plan));
    }
    for (field, _, dimension) in catalog.fields() {
        let mut plan = probe(Kind::List);
        let grain = if dimension.kind == super::catalog::DimensionKind::Time { ":month" } else { "" };
        plan.group_by.push(format!("{field}{grain}"));
        probes.push((format!("dimension {field}"), plan));
    }
    for entity in &catalog.entities {
        // Every entity reached from every other one it joins: the joins' columns must exist.
        for join in catalog.joins.iter().filter(|j| j.from.starts_with(&format!("{}.", entity.name))) {
            let Some(measure) = entity.measures.first() else { continue };
            let target = join.to.split('.').next().unwrap_or_default();
            let Some((field, _, _)) = catalog.fields().find(|(_, e, _)| e.name == target) else { continue };
            let mut plan = probe(Kind::Breakdown);
            plan.measures.push(measure.name.clone());
            plan.group_by.push(field.clone());
            probes.push((format!("join {} -> {}", join.from, join.to), plan));
        }
    }
    let budget = Budget { timeout: Duration::from_secs(30), max_rows: 1, max_bytes: 1 << 20 };
    let mut problems = Vec::new();
    for (place, plan) in probes {
        let outcome = match super::compile(catalog, &plan, source.dialect(), today) {
            Err(e) => Err(e.to_string()),
            Ok(compiled) => match Guard::check_with_params(source.dialect(), &compiled.sql, &compiled.params)
            {
                Err(refusal) => Err(refusal.to_string()),
                Ok(query) => {
                    crate::sources::run(source, &query, budget).await.map(|_| ()).map_err(|e| e.to_string())
                }
            },
        };
        if let Err(message) = outcome {
            problems.push(Problem { place, message });
        }
    }
    problems
}
