//! The semantic layer: a catalog of what a source's tables mean (entities, joins, measures,
//! dimensions, glossary), query plans that name catalog entries, and the compiler from plans to SQL.
//!
//! Small models write wrong SQL in predictable ways: invented columns, joins guessed on the wrong
//! keys, two quarters for "last quarter", sums over fanned-out joins. A plan decoded under a grammar
//! made from the catalog cannot name what does not exist, and code (not the model) writes the joins,
//! the date ranges and the aggregation.

pub mod catalog;
pub mod check;
pub mod compile;
pub mod describe;
pub mod mentions;
pub mod named;
pub mod period;
pub mod plan;
pub mod profile;
pub mod propose;
pub mod question;
pub mod schema;

pub use catalog::{Catalog, CatalogError};
pub use compile::{CompileError, Compiled, compile};
pub use period::{DateRange, Period};
pub use plan::Plan;
