//! The guard for MongoDB: a query is JSON the model writes under a fixed shape, checked into a
//! [`MongoQuery`] before anything reaches the server.
//!
//! ```json
//! {"collection": "orders", "find": {"filter": {"status": "paid"}, "sort": {"total": -1}, "limit": 10}}
//! {"collection": "orders", "aggregate": [{"$match": {...}}, {"$group": {...}}]}
//! {"collection": "orders", "count": {"filter": {...}}}
//! {"collection": "orders", "distinct": {"field": "status", "filter": {...}}}
//! ```
//!
//! Optionally `"explain": true`. Read-only by construction: only these four reads exist in the type,
//! aggregation stages must be on [`STAGES`] (so `$out` and `$merge` cannot be written), and every
//! `$`-operator anywhere in the query must be on [`OPERATORS`] (so `$where`, `$function`, `$accumulator`
//! and `$code`, MongoDB's ways of running JavaScript, cannot be written either). Unknown keys at the top
//! level are refused rather than ignored. Objects keep the order they were written in (`json.rs`), since
//! MongoDB's `sort` and `$sort` take their precedence from it.

use super::json::{Map, Value};
use super::refusal::{Refusal, RefusalReason};

/// Aggregation stages that only read. Everything else (`$out`, `$merge`, and server-introspection
/// stages such as `$currentOp` that show other users' work) is refused.
pub const STAGES: &[&str] = &[
    "$match",
    "$project",
    "$addFields",
    "$set",
    "$unset",
    "$group",
    "$sort",
    "$limit",
    "$skip",
    "$unwind",
    "$lookup",
    "$graphLookup",
    "$facet",
    "$bucket",
    "$bucketAuto",
    "$sortByCount",
    "$count",
    "$sample",
    "$replaceRoot",
    "$replaceWith",
    "$unionWith",
    "$setWindowFields",
    "$densify",
    "$fill",
    "$redact",
    "$geoNear",
    "$documents",
];

/// Query, projection, expression, accumulator and window operators, and the extended-JSON type wrappers
/// (`$date`, `$oid`, ...). None of them writes or runs code.
pub const OPERATORS: &[&str] = &[
    // Query and projection.
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$and",
    "$or",
    "$nor",
    "$not",
    "$exists",
    "$type",
    "$expr",
    "$jsonSchema",
    "$mod",
    "$regex",
    "$options",
    "$text",
    "$search",
    "$language",
    "$caseSensitive",
    "$diacriticSensitive",
    "$geoWithin",
    "$geoIntersects",
    "$near",
    "$nearSphere",
    "$geometry",
    "$maxDistance",
    "$minDistance",
    "$box",
    "$center",
    "$centerSphere",
    "$polygon",
    "$all",
    "$elemMatch",
    "$size",
    "$bitsAllClear",
    "$bitsAllSet",
    "$bitsAnyClear",
    "$bitsAnySet",
    "$comment",
    "$slice",
    "$meta",
    "$rand",
    "$sampleRate",
    // Arithmetic.
    "$abs",
    "$add",
    "$ceil",
    "$divide",
    "$exp",
    "$floor",
    "$ln",
    "$log",
    "$log10",
    "$multiply",
    "$pow",
    "$round",
    "$sqrt",
    "$subtract",
    "$trunc",
    "$sin",
    "$cos",
    "$tan",
    "$asin",
    "$acos",
    "$atan",
    "$atan2",
    "$sinh",
    "$cosh",
    "$tanh",
    "$asinh",
    "$acosh",
    "$atanh",
    "$degreesToRadians",
    "$radiansToDegrees",
    // Arrays and objects.
    "$arrayElemAt",
    "$arrayToObject",
    "$concatArrays",
    "$filter",
    "$first",
    "$firstN",
    "$indexOfArray",
    "$isArray",
    "$last",
    "$lastN",
    "$map",
    "$maxN",
    "$minN",
    "$objectToArray",
    "$range",
    "$reduce",
    "$reverseArray",
    "$sortArray",
    "$zip",
    "$mergeObjects",
    "$getField",
    "$setField",
    "$unsetField",
    "$allElementsTrue",
    "$anyElementTrue",
    "$setDifference",
    "$setEquals",
    "$setIntersection",
    "$setIsSubset",
    "$setUnion",
    // Comparison and conditionals.
    "$cmp",
    "$cond",
    "$ifNull",
    "$switch",
    "$literal",
    "$let",
    // Dates.
    "$dateAdd",
    "$dateDiff",
    "$dateFromParts",
    "$dateFromString",
    "$dateSubtract",
    "$dateToParts",
    "$dateToString",
    "$dateTrunc",
    "$dayOfMonth",
    "$dayOfWeek",
    "$dayOfYear",
    "$hour",
    "$isoDayOfWeek",
    "$isoWeek",
    "$isoWeekYear",
    "$millisecond",
    "$minute",
    "$month",
    "$second",
    "$week",
    "$year",
    "$toDate",
    "$tsIncrement",
    "$tsSecond",
    // Strings.
    "$concat",
    "$indexOfBytes",
    "$indexOfCP",
    "$ltrim",
    "$regexFind",
    "$regexFindAll",
    "$regexMatch",
    "$replaceOne",
    "$replaceAll",
    "$rtrim",
    "$split",
    "$strLenBytes",
    "$strLenCP",
    "$strcasecmp",
    "$substr",
    "$substrBytes",
    "$substrCP",
    "$toLower",
    "$toString",
    "$trim",
    "$toUpper",
    // Types.
    "$convert",
    "$isNumber",
    "$toBool",
    "$toDecimal",
    "$toDouble",
    "$toInt",
    "$toLong",
    "$toObjectId",
    "$bsonSize",
    "$binarySize",
    // Accumulators and windows.
    "$avg",
    "$max",
    "$min",
    "$sum",
    "$stdDevPop",
    "$stdDevSamp",
    "$count",
    "$push",
    "$addToSet",
    "$top",
    "$topN",
    "$bottom",
    "$bottomN",
    "$median",
    "$percentile",
    "$rank",
    "$denseRank",
    "$documentNumber",
    "$shift",
    "$expMovingAvg",
    "$derivative",
    "$integral",
    "$covariancePop",
    "$covarianceSamp",
    "$locf",
    "$linearFill",
    // Extended JSON type wrappers for literal values are allowed too: `json::EXTENDED`.
];

/// Operators and stages refused with a reason of their own.
const DENIED: &[(&str, &str)] = &[
    ("$out", "`$out` writes the result into a collection"),
    ("$merge", "`$merge` writes the result into a collection"),
    ("$where", "`$where` runs JavaScript on the server; use `$expr` with operators instead"),
    ("$function", "`$function` runs JavaScript on the server; use expression operators instead"),
    ("$accumulator", "`$accumulator` runs JavaScript on the server; use `$group` accumulators instead"),
    ("$code", "JavaScript code values are not accepted"),
    ("$codeWithScope", "JavaScript code values are not accepted"),
    ("$currentOp", "`$currentOp` shows other sessions' operations"),
    ("$listSessions", "`$listSessions` shows other sessions"),
    ("$listLocalSessions", "`$listLocalSessions` shows other sessions"),
];

/// How deeply documents may nest before the guard stops reading.
const MAX_DEPTH: usize = 64;

/// One of the four reads.
#[derive(Debug, Clone, PartialEq)]
pub enum MongoOperation {
    /// `find`.
    Find {
        /// The query filter.
        filter: Map,
        /// Fields to return.
        projection: Option<Map>,
        /// Sort order.
        sort: Option<Map>,
        /// At most this many documents.
        limit: Option<u64>,
        /// Skip this many first.
        skip: Option<u64>,
    },
    /// `aggregate`.
    Aggregate {
        /// The stages, in order.
        pipeline: Vec<Map>,
    },
    /// `countDocuments`.
    Count {
        /// The query filter.
        filter: Map,
    },
    /// `distinct`.
    Distinct {
        /// The field whose values are listed.
        field: String,
        /// The query filter.
        filter: Map,
    },
}

/// A MongoDB read the guard accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct MongoQuery {
    /// The collection read.
    pub collection: String,
    /// What is done with it.
    pub operation: MongoOperation,
    /// Return the server's plan instead of documents.
    pub explain: bool,
}

impl MongoQuery {
    /// The canonical JSON text of the query: what is shown, logged and audited.
    pub fn to_json(&self) -> String {
        let mut top = Map::new();
        top.insert("collection".into(), Value::String(self.collection.clone()));
        let (name, body) = match &self.operation {
            MongoOperation::Find { filter, projection, sort, limit, skip } => {
                let mut find = Map::new();
                find.insert("filter".into(), Value::Object(filter.clone()));
                if let Some(projection) = projection {
                    find.insert("projection".into(), Value::Object(projection.clone()));
                }
                if let Some(sort) = sort {
                    find.insert("sort".into(), Value::Object(sort.clone()));
                }
                if let Some(skip) = skip {
                    find.insert("skip".into(), Value::from(*skip));
                }
                if let Some(limit) = limit {
                    find.insert("limit".into(), Value::from(*limit));
                }
                ("find", Value::Object(find))
            }
            MongoOperation::Aggregate { pipeline } => {
                ("aggregate", Value::Array(pipeline.iter().cloned().map(Value::Object).collect()))
            }
            MongoOperation::Count { filter } => {
                let mut count = Map::new();
                count.insert("filter".into(), Value::Object(filter.clone()));
                ("count", Value::Object(count))
            }
            MongoOperation::Distinct { field, filter } => {
                let mut distinct = Map::new();
                distinct.insert("field".into(), Value::String(field.clone()));
                distinct.insert("filter".into(), Value::Object(filter.clone()));
                ("distinct", Value::Object(distinct))
            }
        };
        top.insert(name.into(), body);
        if self.explain {
            top.insert("explain".into(), Value::Bool(true));
        }
        Value::Object(top).to_string()
    }
}

fn refuse(reason: RefusalReason, message: impl Into<String>) -> Refusal {
    Refusal::new(reason, message)
}

fn shape(message: impl Into<String>) -> Refusal {
    refuse(RefusalReason::ParseError, message)
}

/// Checks `text` (the JSON form above) into a [`MongoQuery`].
pub fn check(text: &str) -> Result<MongoQuery, Refusal> {
    if text.trim().is_empty() {
        return Err(refuse(RefusalReason::EmptyQuery, "the query is empty"));
    }
    if text.len() > super::MAX_SQL_BYTES {
        return Err(refuse(
            RefusalReason::QueryTooLong,
            format!("the query is {} bytes; the limit is {}", text.len(), super::MAX_SQL_BYTES),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        shape(format!(
            "a MongoDB query is a JSON object like {{\"collection\": \"orders\", \"find\": {{\"filter\": {{}}}}}}; this is not JSON ({e})"
        ))
    })?;
    let Value::Object(mut top) = value else {
        return Err(shape(
            "a MongoDB query is a JSON object with `collection` and one of `find`, `aggregate`, `count`, `distinct`",
        ));
    };
    walk(&Value::Object(top.clone()), 0)?;
    let collection = match top.remove("collection") {
        Some(Value::String(name)) if !name.is_empty() && !name.starts_with('$') && !name.contains('\0') => {
            name
        }
        _ => return Err(shape("`collection` must name the collection to read, as a string")),
    };
    let explain = match top.remove("explain") {
        None => false,
        Some(Value::Bool(explain)) => explain,
        Some(_) => return Err(shape("`explain` must be true or false")),
    };
    let mut operations: Vec<(String, Value)> = top.into_iter().collect();
    if operations.len() != 1 {
        let names: Vec<&str> = operations.iter().map(|(k, _)| k.as_str()).collect();
        return Err(refuse(
            RefusalReason::StatementNotAllowed,
            format!(
                "give exactly one of `find`, `aggregate`, `count`, `distinct` besides `collection` (found: {})",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
        ));
    }
    let Some((name, body)) = operations.pop() else { return Err(shape("no operation")) };
    let operation = match name.as_str() {
        "find" => find(body)?,
        "aggregate" => MongoOperation::Aggregate { pipeline: pipeline(body)? },
        "count" => MongoOperation::Count { filter: filter_of(&mut object(body, "count")?)? },
        "distinct" => {
            let mut body = object(body, "distinct")?;
            let field = match body.remove("field") {
                Some(Value::String(field)) if !field.is_empty() && !field.starts_with('$') => field,
                _ => return Err(shape("`distinct` needs `field`, the field whose values to list")),
            };
            let filter = filter_of(&mut body)?;
            no_more(&body, "distinct")?;
            MongoOperation::Distinct { field, filter }
        }
        other => {
            return Err(refuse(
                RefusalReason::StatementNotAllowed,
                format!(
                    "`{other}` is not a read this guard runs; use `find`, `aggregate`, `count` or `distinct`"
                ),
            ));
        }
    };
    Ok(MongoQuery { collection, operation, explain })
}

fn object(value: Value, what: &str) -> Result<Map, Refusal> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(shape(format!("`{what}` must be a JSON object"))),
    }
}

fn optional_object(body: &mut Map, key: &str) -> Result<Option<Map>, Refusal> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => object(value, key).map(Some),
    }
}

fn filter_of(body: &mut Map) -> Result<Map, Refusal> {
    Ok(optional_object(body, "filter")?.unwrap_or_default())
}

fn count_of(body: &mut Map, key: &str) -> Result<Option<u64>, Refusal> {
    match body.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        Some(_) => Err(shape(format!("`{key}` must be a whole number, 0 or more"))),
    }
}

fn no_more(body: &Map, what: &str) -> Result<(), Refusal> {
    match body.keys().next() {
        None => Ok(()),
        Some(key) => Err(shape(format!("`{what}` has an unknown field `{key}`"))),
    }
}

fn find(body: Value) -> Result<MongoOperation, Refusal> {
    let mut body = object(body, "find")?;
    let filter = filter_of(&mut body)?;
    let projection = optional_object(&mut body, "projection")?;
    let sort = optional_object(&mut body, "sort")?;
    let limit = count_of(&mut body, "limit")?;
    let skip = count_of(&mut body, "skip")?;
    no_more(&body, "find")?;
    Ok(MongoOperation::Find { filter, projection, sort, limit, skip })
}

fn pipeline(body: Value) -> Result<Vec<Map>, Refusal> {
    let Value::Array(stages) = body else {
        return Err(shape("`aggregate` must be an array of stages, such as [{\"$match\": {...}}]"));
    };
    stages
        .into_iter()
        .map(|stage| {
            let stage = object(stage, "each aggregation stage")?;
            let names: Vec<String> = stage.keys().take(2).cloned().collect();
            match (names.first(), names.get(1)) {
                (Some(name), None) if STAGES.contains(&name.as_str()) => Ok(stage),
                (Some(name), None) => Err(refuse(
                    RefusalReason::StatementNotAllowed,
                    format!("the stage `{name}` is not on the read-only allowlist"),
                )),
                _ => Err(shape("each aggregation stage is an object with exactly one stage name, such as {\"$match\": {...}}")),
            }
        })
        .collect()
}

/// Every key of every object, at any depth: `$`-names must be allowed operators or stages.
fn walk(value: &Value, depth: usize) -> Result<(), Refusal> {
    if depth > MAX_DEPTH {
        return Err(refuse(
            RefusalReason::UnsupportedSyntax,
            format!("the query nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key.starts_with('$') {
                    operator(key)?;
                }
                walk(inner, depth + 1)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(|item| walk(item, depth + 1)),
        _ => Ok(()),
    }
}

fn operator(key: &str) -> Result<(), Refusal> {
    if let Some((_, why)) = DENIED.iter().find(|(name, _)| *name == key) {
        let reason = if key == "$out" || key == "$merge" {
            RefusalReason::StatementNotAllowed
        } else {
            RefusalReason::DeniedFunction
        };
        return Err(refuse(reason, format!("{why}; this source is read-only")));
    }
    if OPERATORS.contains(&key) || STAGES.contains(&key) || super::json::EXTENDED.contains(&key) {
        return Ok(());
    }
    Err(refuse(
        RefusalReason::DeniedFunction,
        format!("the operator `{key}` is not on the read-only allowlist; rewrite the query without it"),
    ))
}
