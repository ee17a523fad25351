//! The query plan a model fills in instead of writing SQL: which measures, by which fields, filtered
//! how, over which period, in what order. Its JSON schema is made from the catalog, with the catalog's
//! own names and values as enums, so a model decoding under that schema's grammar cannot name a column
//! or a value that does not exist.

use super::period::Period;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What shape of answer the question wants. `other` means the plan cannot say it (medians, cohorts,
/// several steps...) and the question goes to the SQL writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One number (or a few, one per measure).
    Value,
    /// Rows of fields: listed as they are, or with a measure for each when measures are given.
    List,
    /// The best or worst N by a measure or a field.
    Top,
    /// A measure per value of one or more fields.
    Breakdown,
    /// A measure per time grain.
    Trend,
    /// A percentage: the part of a measure that meets a condition (`share_of`), or with no condition,
    /// each group's part of the total.
    Share,
    /// The period against the one before it (last month and the month before), with the change; with a
    /// time grain, each grain against the one before it (month-over-month growth).
    ComparePrevious,
    /// The period against the same period a year earlier.
    CompareYearAgo,
    /// A running total over a time grain.
    RunningTotal,
    /// Something a plan cannot express.
    Other,
}

impl Kind {
    /// Every kind, as plans write them.
    pub const ALL: [&'static str; 10] = [
        "value",
        "list",
        "top",
        "breakdown",
        "trend",
        "share",
        "compare_previous",
        "compare_year_ago",
        "running_total",
        "other",
    ];
}

/// A time grain for grouping a time field (`orders.ordered_at:month`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// `YYYY-MM-DD`.
    Day,
    /// ISO week `YYYY-Www`.
    Week,
    /// `YYYY-MM`.
    Month,
    /// `YYYY-Qn`.
    Quarter,
    /// The year, a number.
    Year,
    /// Hour of the day, 0-23.
    Hour,
    /// Day of the week, 0 = Sunday.
    Weekday,
}

impl Grain {
    /// Every grain, as plans write them.
    pub const NAMES: [&'static str; 7] = ["day", "week", "month", "quarter", "year", "hour", "weekday"];

    /// The name plans use (`month`).
    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
            Grain::Hour => "hour",
            Grain::Weekday => "weekday",
        }
    }

    /// The grain called `name`.
    pub fn parse(name: &str) -> Option<Grain> {
        serde_json::from_value(Value::String(name.to_string())).ok()
    }
}

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// One of the listed values.
    In,
    /// None of the listed values.
    NotIn,
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Text containing the value.
    Contains,
    /// Text starting with the value.
    StartsWith,
    /// Text ending with the value.
    EndsWith,
    /// Missing (NULL).
    IsNull,
    /// Present (not NULL).
    NotNull,
}

impl Op {
    /// The name plans use, in words (`not in`, `is null`).
    pub fn words(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default()
    }
}

/// One condition on a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// `entity.dimension`.
    pub field: String,
    /// The comparison.
    pub op: Op,
    /// A value, a list of values (`in`, `not_in`), or nothing (`is_null`, `not_null`).
    #[serde(default)]
    pub value: Value,
}

/// A condition on a measure taken per row of what the plan counts or lists: "customers with more
/// than one order" counts customers whose `order_count` is over 1. Rows with no related rows at all
/// are not among them (a customer without orders has no order count to compare).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Having {
    /// A measure name from the catalog.
    pub measure: String,
    /// `gt`, `gte`, `lt`, `lte` or `eq`.
    pub op: Op,
    /// A number.
    pub value: Value,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Largest first.
    #[default]
    Desc,
    /// Smallest first.
    Asc,
}

/// What the model fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The shape of the answer.
    pub kind: Kind,
    /// Measure names from the catalog.
    #[serde(default)]
    pub measures: Vec<String>,
    /// Fields to group by (or to list): `entity.dimension`, time fields with a grain
    /// (`orders.ordered_at:month`).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Conditions every counted row meets.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// For `share`: the condition whose share of the measure is asked ("what percent ... were
    /// cancelled").
    #[serde(default)]
    pub share_of: Vec<Filter>,
    /// Entities that must have at least one related row ("customers with orders").
    #[serde(default)]
    pub with: Vec<String>,
    /// Entities that must have no related row ("orders without payments").
    #[serde(default)]
    pub without: Vec<String>,
    /// Conditions on a measure per row ("customers with more than one order").
    #[serde(default)]
    pub having: Vec<Having>,
    /// The period the question names.
    #[serde(default = "all_time")]
    pub period: Period,
    /// A measure or field to sort by.
    #[serde(default)]
    pub order_by: Option<String>,
    /// The sort direction.
    #[serde(default)]
    pub order: Option<Direction>,
    /// How many rows at most.
    #[serde(default)]
    pub limit: Option<u32>,
}

fn all_time() -> Period {
    Period::All
}

impl Plan {
    /// A plan of `kind` that asks for nothing yet: no measures, fields or filters, all time, no order
    /// or limit. Code that builds plans (worked examples, catalog checks) starts here.
    pub fn new(kind: Kind) -> Plan {
        Plan {
            kind,
            measures: Vec::new(),
            group_by: Vec::new(),
            filters: Vec::new(),
            share_of: Vec::new(),
            with: Vec::new(),
            without: Vec::new(),
            having: Vec::new(),
            period: Period::All,
            order_by: None,
            order: None,
            limit: None,
        }
    }

    /// Its fields, in the order a model writes them (the plan schema's order).
    pub const FIELDS: [&'static str; 12] = [
        "kind", "measures", "group_by", "filters", "share_of", "with", "without", "having", "period",
        "order_by", "order", "limit",
    ];

    /// The plan as JSON in [`Plan::FIELDS`] order, without what it leaves at its defaults (empty lists,
    /// nulls, `"period":"all"`), as worked examples show it: a model copies their length, and each token
    /// is a decoding step.
    pub fn compact_json(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let members: Vec<String> = Plan::FIELDS
            .iter()
            .filter_map(|key| {
                let field = value.get(*key)?;
                let default = match field {
                    Value::Null => true,
                    Value::Array(items) => items.is_empty(),
                    Value::String(text) => *key == "period" && text == Period::All.as_str(),
                    _ => false,
                };
                let kept = *key == "kind" || *key == "measures" || !default;
                kept.then(|| format!("{}:{field}", Value::String((*key).to_string())))
            })
            .collect();
        format!("{{{}}}", members.join(","))
    }

    /// Reads a plan from a model's reply: the JSON object itself, or the text from its first `{` to its
    /// last `}` (a reply with words around the object).
    pub fn from_reply(reply: &str) -> Result<Plan, String> {
        let trimmed = reply.trim();
        let text = match (trimmed.find('{'), trimmed.rfind('}')) {
            (Some(start), Some(end)) if end > start => &trimmed[start..=end],
            _ => trimmed,
        };
        serde_json::from_str(text).map_err(|e| format!("the plan is not valid: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grain_name_is_one_serde_reads() {
        for name in Grain::NAMES {
            assert_eq!(Grain::parse(name).map(Grain::name), Some(name));
        }
    }

    #[test]
    fn every_kind_name_is_one_serde_reads() {
        for name in Kind::ALL {
            let kind: Kind = serde_json::from_value(Value::String(name.into())).unwrap();
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
    }

    #[test]
    fn a_reply_is_read_whole_or_from_the_first_object() {
        let plan = Plan::from_reply(
            r#"Plan: {"kind": "top", "measures": ["revenue"], "group_by": ["products.name"], "filters": [], "period": "last_quarter", "order_by": "revenue", "order": "desc", "limit": 5}"#,
        )
        .unwrap();
        assert_eq!(plan.kind, Kind::Top);
        assert_eq!(plan.period, Period::LastQuarter);
        assert_eq!(plan.limit, Some(5));
        assert!(Plan::from_reply("no plan").is_err());
        assert!(Plan::from_reply(r#"{"kind": "top", "measures": [], "bogus": 1}"#).is_err());
    }

    #[test]
    fn the_field_order_names_every_field() {
        let value = serde_json::to_value(Plan::new(Kind::Value)).unwrap();
        let mut names: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed = Plan::FIELDS.to_vec();
        names.sort_unstable();
        listed.sort_unstable();
        assert_eq!(names, listed);
    }

    #[test]
    fn a_compact_plan_leaves_out_its_defaults_and_reads_back_the_same() {
        let mut plan = Plan::new(Kind::Top);
        plan.measures.push("revenue".into());
        plan.period = Period::LastQuarter;
        plan.limit = Some(5);
        let text = plan.compact_json();
        assert_eq!(text, r#"{"kind":"top","measures":["revenue"],"period":"last_quarter","limit":5}"#);
        assert_eq!(Plan::from_reply(&text).unwrap(), plan);
        assert_eq!(Plan::new(Kind::Value).compact_json(), r#"{"kind":"value","measures":[]}"#);
    }
}
