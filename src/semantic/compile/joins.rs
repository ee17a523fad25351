//! Which joins a statement needs: the shortest path from the base entity to every entity the plan
//! reaches, over the catalog's declared joins, and whether those joins repeat a measure's rows.

use super::CompileError;
use crate::semantic::catalog::{Cardinality, Catalog};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One join of the tree: `entity` joined to `parent` on `entity.column = parent.parent_column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Step {
    pub entity: String,
    pub column: String,
    pub parent: String,
    pub parent_column: String,
    /// The entity on the many side of this join, when it has one.
    many: Option<String>,
}

/// A related entity's link to an entity of the tree, for `EXISTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Link {
    pub joined: String,
    pub joined_column: String,
    pub related_column: String,
}

/// The joins of one statement, rooted at its base entity.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    base: String,
    /// In the order they are joined (each after its parent).
    steps: Vec<Step>,
}

fn split(end: &str) -> (&str, &str) {
    end.split_once('.').unwrap_or((end, ""))
}

impl Tree {
    /// The shortest join paths from `base` to each of `needed`.
    pub fn connect(catalog: &Catalog, base: &str, needed: &BTreeSet<String>) -> Result<Tree, CompileError> {
        let mut found: BTreeMap<String, Step> = BTreeMap::new();
        let mut order = vec![base.to_string()];
        let mut queue = VecDeque::from([base.to_string()]);
        while let Some(current) = queue.pop_front() {
            for join in &catalog.joins {
                let ((from, from_column), (to, to_column)) = (split(&join.from), split(&join.to));
                let many = (join.cardinality == Cardinality::ManyToOne).then(|| from.to_string());
                let next = if from == current {
                    (to, to_column, from_column)
                } else if to == current {
                    (from, from_column, to_column)
                } else {
                    continue;
                };
                let (entity, column, parent_column) = next;
                if entity == base || found.contains_key(entity) {
                    continue;
                }
                found.insert(
                    entity.to_string(),
                    Step {
                        entity: entity.to_string(),
                        column: column.to_string(),
                        parent: current.clone(),
                        parent_column: parent_column.to_string(),
                        many,
                    },
                );
                order.push(entity.to_string());
                queue.push_back(entity.to_string());
            }
        }
        let mut included = BTreeSet::new();
        for entity in needed {
            let mut at = entity.clone();
            while at != base {
                let Some(step) = found.get(&at) else {
                    return Err(CompileError::NoPath { from: base.to_string(), to: entity.clone() });
                };
                included.insert(at.clone());
                at = step.parent.clone();
            }
        }
        let steps =
            order.iter().filter(|e| included.contains(*e)).filter_map(|e| found.get(e).cloned()).collect();
        Ok(Tree { base: base.to_string(), steps })
    }

    /// The base entity (the `FROM`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The joins, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether `entity` is in the statement.
    fn contains(&self, entity: &str) -> bool {
        entity == self.base || self.steps.iter().any(|s| s.entity == entity)
    }

    /// Whether `ancestor` is `entity` or on its path to the base.
    fn above(&self, ancestor: &str, entity: &str) -> bool {
        let mut at = entity;
        loop {
            if at == ancestor {
                return true;
            }
            match self.steps.iter().find(|s| s.entity == at) {
                Some(step) => at = &step.parent,
                None => return false,
            }
        }
    }

    /// The entity whose join repeats `entity`'s rows, if any: a join that, seen from `entity`, goes
    /// from its one side to its many side.
    pub fn fans_out(&self, entity: &str) -> Option<String> {
        self.fans_out_beyond(entity, &[])
    }

    /// As `fans_out`, leaving out the joins whose many side is one of `reached` (the entities a
    /// whole-expression measure aggregates over itself).
    pub fn fans_out_beyond(&self, entity: &str, reached: &[String]) -> Option<String> {
        self.steps.iter().find_map(|step| {
            let many = step.many.as_deref().filter(|many| !reached.iter().any(|r| r == many))?;
            // The step's child side holds `entity` when the child is on its path to the base.
            let on_child_side = self.above(&step.entity, entity);
            let many_is_child = many == step.entity;
            (on_child_side != many_is_child).then(|| many.to_string())
        })
    }

    /// How `entity` (outside the statement) relates to an entity in it, preferring the base.
    pub fn link_to(&self, catalog: &Catalog, entity: &str) -> Option<Link> {
        let mut candidates: Vec<&str> = vec![self.base.as_str()];
        candidates.extend(self.steps.iter().map(|s| s.entity.as_str()));
        candidates.into_iter().filter(|c| self.contains(c)).find_map(|joined| {
            catalog.joins.iter().find_map(|join| {
                let ((from, from_column), (to, to_column)) = (split(&join.from), split(&join.to));
                if from == entity && to == joined {
                    Some(Link {
                        joined: joined.into(),
                        joined_column: to_column.into(),
                        related_column: from_column.into(),
                    })
                } else if to == entity && from == joined {
                    Some(Link {
                        joined: joined.into(),
                        joined_column: from_column.into(),
                        related_column: to_column.into(),
                    })
                } else {
                    None
                }
            })
        })
    }
}
