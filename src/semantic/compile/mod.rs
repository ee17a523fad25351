//! Plan → SQL, by code. The model chose catalog names; this module decides the joins (along the
//! catalog's declared paths), the aggregation, the date range of the period, the grouping and the
//! order, for SQLite, PostgreSQL or MySQL. Literal values never enter the text: they are `:name`
//! parameters that the guard turns into the driver's placeholders and the driver binds.
//!
//! Why a small emitter rather than a query-builder crate: the catalog's measures and dimensions are SQL
//! expressions its authors wrote, so most of the statement is expression text either way. Those
//! expressions are parsed and re-rendered with sqlparser (the guard's parser), which qualifies their
//! columns and finds the entities they reach; values are bound parameters, so no quoting of data is
//! done here at all; and the result goes through `Guard::check` like any other query.

mod dialect;
mod joins;
mod window;

use super::catalog::{Aggregation, Catalog, DimensionKind, Entity, Measure};
use super::period::DateRange;
use super::plan::{Direction, Filter, Grain, Having, Kind, Op, Plan};
use crate::guard::{Dialect, Param};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A compiled plan: SQL with `:name` parameters, their values, and the plan they say (`settled`).
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The statement.
    pub sql: String,
    /// The values of its parameters.
    pub params: BTreeMap<String, Param>,
    /// The plan as compiled: what the answer should be described by.
    pub plan: Plan,
}

/// Why a plan does not compile. The message goes back to the model or to the SQL writer as a note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The plan names something the catalog does not have.
    #[error("`{0}` is not in the catalog")]
    Unknown(String),
    /// Two entities the plan needs are not connected by declared joins.
    #[error("no declared join connects {from} and {to}")]
    NoPath {
        /// One end.
        from: String,
        /// The other.
        to: String,
    },
    /// A measure would be summed over repeated rows.
    #[error("{measure} would be counted more than once: each {entity} row joins several {other} rows")]
    FanOut {
        /// The measure.
        measure: String,
        /// Its entity.
        entity: String,
        /// The entity that repeats it.
        other: String,
    },
    /// The plan cannot say what the question asks.
    #[error("a plan cannot express this question")]
    Unsupported,
    /// Anything else wrong with the plan: a value of the wrong type, an expression that does not parse.
    #[error("{0}")]
    Invalid(String),
}

/// Compiles `plan` over `catalog` for `dialect`, reading periods from `today`.
pub fn compile(
    catalog: &Catalog,
    plan: &Plan,
    dialect: Dialect,
    today: NaiveDate,
) -> Result<Compiled, CompileError> {
    if plan.kind == Kind::Other {
        return Err(CompileError::Unsupported);
    }
    let plan = settled(catalog, plan, today);
    let mut compiler = Compiler { catalog, dialect, params: BTreeMap::new(), needed: BTreeSet::new() };
    let (sql, params) = compiler.statement(&plan, today)?;
    Ok(Compiled { sql, params, plan })
}

/// A category's values as the catalog spells them: a model writes what the question says ("kitchen",
/// "laptops"), the column holds `Kitchen` and `Laptop`. A value that matches one of the category's
/// values ignoring case, or ignoring a plural `s`, becomes that value; anything else is left for the
/// compiler to refuse.
fn canonical_values(catalog: &Catalog, filter: &mut Filter) {
    let Some((_, dimension)) = catalog.dimension(&filter.field) else { return };
    if dimension.kind != DimensionKind::Category || dimension.values.is_empty() {
        return;
    }
    let singular = |text: &str| text.strip_suffix('s').unwrap_or(text).to_lowercase();
    let fix = |value: &mut serde_json::Value| {
        let Some(text) = value.as_str() else { return };
        if dimension.values.iter().any(|v| v == text) {
            return;
        }
        let found = dimension.values.iter().find(|v| v.eq_ignore_ascii_case(text)).or_else(|| {
            let wanted = singular(text);
            let mut near = dimension.values.iter().filter(|v| singular(v) == wanted);
            near.next().filter(|_| near.next().is_none())
        });
        if let Some(found) = found {
            *value = serde_json::Value::String(found.clone());
        }
    };
    match &mut filter.value {
        serde_json::Value::Array(values) => values.iter_mut().for_each(fix),
        value => fix(value),
    }
}

/// The plan as it is compiled. A measure it sorts by but does not ask for is asked for (a top N "by
/// revenue" shows the revenue). Filters on the very time field that a named period bounds are dropped
/// unless they narrow it (a date strictly inside the period): the period's dates are computed by code,
/// and a small model that restates them as `gte`/`lt` filters often gets them wrong (on the dev split,
/// "items sold last month" came with this month's dates and an empty answer). Category values are
/// spelled as the catalog spells them (`canonical_values`), a `having` on the base entity's own
/// measure is dropped, and so are a trend's sort by a measure when it has no limit and a share's grouping
/// by the field its condition tests.
fn settled(catalog: &Catalog, plan: &Plan, today: NaiveDate) -> Plan {
    let mut plan = plan.clone();
    for filter in plan.filters.iter_mut().chain(plan.share_of.iter_mut()) {
        canonical_values(catalog, filter);
    }
    // Grouping a share by the very field its condition tests makes every share 0 or 100 %: such a
    // field is the condition, not a group (dev split: "percent of orders through the mobile app in each
    // year" grouped by channel too).
    let tested: Vec<String> = plan.share_of.iter().map(|f| f.field.clone()).collect();
    if plan.kind == Kind::Share && plan.group_by.len() > 1 {
        plan.group_by.retain(|g| !tested.contains(g));
    }
    // A series is read in time order: a sort by a measure with no limit (a small model's habit) is
    // dropped from a trend.
    if matches!(plan.kind, Kind::Trend | Kind::RunningTotal)
        && plan.limit.is_none()
        && plan.order_by.as_ref().is_some_and(|o| plan.measures.contains(o))
    {
        plan.order_by = None;
        plan.order = None;
    }
    // A measure of the base entity's own rows, per row of it, is that one row: a small model adds
    // `customer_count > 0` to "customers who signed up each month" (dev split); it says nothing.
    let own = plan.measures.first().and_then(|m| catalog.measure(m)).map(|(e, _)| e.name.clone());
    plan.having.retain(|h| catalog.measure(&h.measure).map(|(e, _)| e.name.clone()) != own || own.is_none());
    if let Some(name) = &plan.order_by
        && catalog.measure(name).is_some()
        && !plan.measures.contains(name)
    {
        plan.measures.push(name.clone());
    }
    let Some(range) = plan.period.range(today) else { return plan };
    let Some(field) = period_field(catalog, &plan) else { return plan };
    plan.filters.retain(|filter| {
        let on_period_field = filter.field == field;
        let narrows = || {
            filter
                .value
                .as_str()
                .and_then(|v| v.get(..10)?.parse::<NaiveDate>().ok())
                .is_some_and(|date| date > range.from && date < range.to)
        };
        !on_period_field || narrows()
    });
    plan
}

/// The time field (`entity.dimension`) a plan's period filters on, as the compiler chooses it: the
/// grouped time field, else the first measure's entity's default (which may be another entity's), else
/// the first grouped field's entity's. `None` when the plan names nothing with a time field.
pub fn period_field(catalog: &Catalog, plan: &Plan) -> Option<String> {
    let compiler =
        Compiler { catalog, dialect: Dialect::Sqlite, params: BTreeMap::new(), needed: BTreeSet::new() };
    let measures: Vec<(&Entity, &Measure)> =
        plan.measures.iter().filter_map(|m| catalog.measure(m)).collect();
    let base = measures.first().map(|(entity, _)| *entity).or_else(|| {
        let first = plan.group_by.first()?;
        catalog.dimension(first.split(':').next().unwrap_or(first)).map(|(entity, _)| entity)
    })?;
    let (entity, time) = compiler.time_field(plan, base, &measures).ok()?;
    Some(format!("{}.{time}", entity.name))
}

struct Compiler<'a> {
    catalog: &'a Catalog,
    dialect: Dialect,
    params: BTreeMap<String, Param>,
    /// Entities the statement's expressions reach.
    needed: BTreeSet<String>,
}

/// A grouped or listed field, resolved.
struct Field<'a> {
    entity: &'a Entity,
    sql: String,
    alias: String,
    kind: DimensionKind,
    /// A time field with a grain (`orders.ordered_at:month`).
    grained: bool,
}

impl<'a> Compiler<'a> {
    fn statement(
        &mut self,
        plan: &Plan,
        today: NaiveDate,
    ) -> Result<(String, BTreeMap<String, Param>), CompileError> {
        let measures: Vec<(&'a Entity, &'a Measure)> = plan
            .measures
            .iter()
            .map(|name| self.catalog.measure(name).ok_or_else(|| CompileError::Unknown(name.clone())))
            .collect::<Result<_, _>>()?;
        let mut fields: Vec<Field<'a>> =
            plan.group_by.iter().map(|f| self.field(f)).collect::<Result<_, _>>()?;
        // Two fields of one name (`products.name`, `categories.name`) get their entity's name in
        // front, so the result's columns stay distinct.
        let aliases: Vec<String> = fields.iter().map(|f| f.alias.clone()).collect();
        for field in &mut fields {
            if aliases.iter().filter(|a| **a == field.alias).count() > 1 {
                field.alias = format!("{}_{}", field.entity.name, field.alias);
            }
        }
        let base = match (measures.first(), fields.first()) {
            (Some((entity, _)), _) => *entity,
            (None, Some(field)) => field.entity,
            (None, None) => {
                return Err(CompileError::Invalid("a plan names at least one measure or field".into()));
            }
        };
        // Every measure's entity is joined, not only the first's (a second measure's bare columns are
        // its entity's).
        for (entity, _) in &measures {
            self.needed.insert(entity.name.clone());
        }
        self.needed.insert(base.name.clone());
        for field in &fields {
            self.needed.insert(field.entity.name.clone());
        }
        let grained = fields.iter().any(|f| f.grained);
        // Two whole periods side by side: the plan's period and the one before it, or a year before.
        let earlier = match plan.kind {
            Kind::ComparePrevious if !grained => Some(plan.period.previous(today)),
            Kind::CompareYearAgo if grained => {
                return Err(CompileError::Invalid(
                    "compare_year_ago compares one whole period; for each grain against the one before \
                     it, use compare_previous"
                        .into(),
                ));
            }
            Kind::CompareYearAgo => Some(plan.period.year_earlier(today)),
            _ => None,
        };
        if matches!(earlier, Some(None)) {
            return Err(CompileError::Invalid(
                "a comparison names its period (last_month, this_year...), not all".into(),
            ));
        }
        let mut conditions = Vec::new();
        for filter in &plan.filters {
            conditions.push(self.filter(filter)?);
        }
        // For two periods: the condition of each, which its measure columns count under.
        let mut periods = None;
        if let Some(range) = plan.period.range(today) {
            let (entity, time) = self.time_field(plan, base, &measures)?;
            self.needed.insert(entity.name.clone());
            let column = self.dimension_sql(entity, time)?;
            match earlier.flatten() {
                Some(before) => {
                    let (now, then) = (self.between(&column, range), self.between(&column, before));
                    conditions.push(format!("(({now}) OR ({then}))"));
                    periods = Some((self.between(&column, range), self.between(&column, before)));
                }
                None => conditions.push(self.between(&column, range)),
            }
        }
        let share: Vec<String> = plan.share_of.iter().map(|f| self.filter(f)).collect::<Result<_, _>>()?;
        // Measure expressions (and their default filters) may reach other entities: render them
        // before the joins are chosen.
        let single = measures.len() == 1;
        let mut rendered = Vec::new();
        for (entity, measure) in &measures {
            let Rendered { expr, filter, reach } = self.render(entity, measure)?;
            rendered.push((*entity, *measure, expr, filter, reach));
        }
        for entity in plan.with.iter().chain(&plan.without) {
            if self.catalog.entity(entity).is_none() {
                return Err(CompileError::Unknown(entity.clone()));
            }
        }
        if let Some(name) = &plan.order_by
            && self.catalog.measure(name).is_none()
            && !plan.group_by.contains(name)
        {
            let field = self.field(name)?;
            self.needed.insert(field.entity.name.clone());
        }
        let tree = joins::Tree::connect(self.catalog, &base.name, &self.needed)?;
        let mut select = Vec::new();
        let mut group = Vec::new();
        for (position, field) in fields.iter().enumerate() {
            select.push(format!("{} AS {}", field.sql, self.quote(&field.alias)));
            group.push((position + 1).to_string());
            if field.kind == DimensionKind::Text && field.entity.name != base.name && names_rows(&field.alias)
            {
                // Names of related rows are not unique: group by the row's key too, so two customers of
                // one name stay two. (A shared attribute such as a country is grouped by itself.)
                group.push(format!("{}.{}", self.quote(&field.entity.name), self.quote(&field.entity.key)));
            }
        }
        let share_condition = (!share.is_empty()).then(|| share.join(" AND "));
        if periods.is_some() && share_condition.is_some() {
            return Err(CompileError::Invalid(
                "a comparison of two periods takes no `share_of`; ask for the share in each period".into(),
            ));
        }
        // The column a measure is sorted by, where it is not the measure's own (two periods).
        let mut sorted = BTreeMap::new();
        for (entity, measure, expr, filter, reach) in &rendered {
            let fanned = fanned(&tree, entity, measure, reach);
            if single && let Some(filter) = filter {
                conditions.push(filter.clone());
            }
            let filter = if single { None } else { filter.as_deref() };
            let Some((now, then)) = &periods else {
                let sql = self.aggregate(
                    entity,
                    measure,
                    expr.as_deref(),
                    filter,
                    share_condition.as_deref(),
                    fanned,
                )?;
                select.push(format!("{sql} AS {}", self.quote(&measure.name)));
                continue;
            };
            let under = |period: &str| match filter {
                Some(filter) => format!("({filter}) AND ({period})"),
                None => period.to_string(),
            };
            let current =
                self.aggregate(entity, measure, expr.as_deref(), Some(&under(now)), None, fanned.clone())?;
            let before =
                self.aggregate(entity, measure, expr.as_deref(), Some(&under(then)), None, fanned)?;
            let named = format!("{}_{}", measure.name, plan.period.as_str());
            select.push(format!("{current} AS {}", self.quote(&named)));
            let label = match plan.kind {
                Kind::CompareYearAgo => format!("{}_a_year_earlier", plan.period.as_str()),
                _ => plan.period.previous_label().to_string(),
            };
            select.push(format!("{before} AS {}", self.quote(&format!("{}_{label}", measure.name))));
            if single {
                select.push(format!("{current} - {before} AS {}", self.quote("change")));
                select.push(format!(
                    "100.0 * ({current} - {before}) / NULLIF({before}, 0) AS {}",
                    self.quote("change_percent")
                ));
                sorted.insert(measure.name.clone(), "change".to_string());
            } else {
                sorted.insert(measure.name.clone(), named);
            }
        }
        for (entity, negate) in
            plan.with.iter().map(|e| (e, false)).chain(plan.without.iter().map(|e| (e, true)))
        {
            conditions.push(self.exists(&tree, entity, negate)?);
        }
        for having in &plan.having {
            conditions.push(self.having(base, having)?);
        }
        // A list through a join that repeats its rows (customers filtered on their payments) lists
        // each row once.
        let distinct =
            if measures.is_empty() && tree.fans_out(&base.name).is_some() { "DISTINCT " } else { "" };
        let mut sql = format!("SELECT {distinct}{} FROM {}", select.join(", "), self.joins(&tree)?);
        if !conditions.is_empty() {
            sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
        }
        if !measures.is_empty() && !fields.is_empty() {
            sql.push_str(&format!(" GROUP BY {}", group.join(", ")));
        }
        let over = match plan.kind {
            Kind::RunningTotal => Some(window::Over::Running),
            Kind::ComparePrevious if grained => Some(window::Over::Previous),
            Kind::Share if share.is_empty() => Some(window::Over::ShareOfTotal),
            _ => None,
        };
        if let Some(over) = over {
            let columns: Vec<window::Column<'_>> =
                fields.iter().map(|f| window::Column { alias: &f.alias, grain: f.grained }).collect();
            let figures: Vec<(&str, Aggregation)> =
                measures.iter().map(|(_, m)| (m.name.as_str(), m.agg)).collect();
            sql = window::wrap(&sql, over, &columns, &figures, &|name| self.quote(name))?;
        }
        if let Some(order) = self.order(plan, &measures, &fields, &sorted, over.is_some())? {
            sql.push_str(&format!(" ORDER BY {order}"));
        }
        if let Some(limit) = plan.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        Ok((sql, std::mem::take(&mut self.params)))
    }

    fn quote(&self, name: &str) -> String {
        crate::sources::quote_ident(name, self.dialect)
    }

    /// A grouped field: `entity.dimension`, or a time dimension with `:grain`.
    fn field(&mut self, name: &str) -> Result<Field<'a>, CompileError> {
        let (path, grain) = match name.split_once(':') {
            Some((path, grain)) => {
                (path, Some(Grain::parse(grain).ok_or_else(|| CompileError::Unknown(name.to_string()))?))
            }
            None => (name, None),
        };
        let (entity, dimension) =
            self.catalog.dimension(path).ok_or_else(|| CompileError::Unknown(path.to_string()))?;
        let column = self.dimension_sql(entity, &dimension.name)?;
        let (sql, alias) = match grain {
            Some(grain) if dimension.kind == DimensionKind::Time => {
                (dialect::grain(self.dialect, grain, &column), format!("{}_{}", dimension.name, grain.name()))
            }
            Some(_) => return Err(CompileError::Invalid(format!("`{path}` is not a time field"))),
            None => (column, dimension.name.clone()),
        };
        Ok(Field { entity, sql, alias, kind: dimension.kind, grained: grain.is_some() })
    }

    /// The SQL of `entity`'s dimension `name`, qualified with the entity's alias.
    fn dimension_sql(&mut self, entity: &Entity, name: &str) -> Result<String, CompileError> {
        let dimension = entity
            .dimensions
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| CompileError::Unknown(format!("{}.{name}", entity.name)))?;
        self.expr(entity, entity.dimension_expr(dimension))
    }

    /// The time field a period filters on: the grouped time field, else the first measure's entity's
    /// (`time` may name another entity's dimension, as `orders.ordered_at` for order lines).
    fn time_field(
        &self,
        plan: &Plan,
        base: &'a Entity,
        measures: &[(&'a Entity, &'a Measure)],
    ) -> Result<(&'a Entity, &'a str), CompileError> {
        for name in &plan.group_by {
            if let Some((path, _)) = name.split_once(':')
                && let Some((entity, dimension)) = self.catalog.dimension(path)
            {
                return Ok((entity, dimension.name.as_str()));
            }
        }
        let owner = measures.first().map_or(base, |(entity, _)| *entity);
        let time = owner.time.as_deref().ok_or_else(|| {
            CompileError::Invalid(format!("{} has no time field to filter a period on", owner.name))
        })?;
        match time.split_once('.') {
            Some(_) => self
                .catalog
                .dimension(time)
                .map(|(e, d)| (e, d.name.as_str()))
                .ok_or_else(|| CompileError::Unknown(time.to_string())),
            None => Ok((owner, time)),
        }
    }

    /// A measure's expression and default filter, qualified, noting the entities they reach (which the
    /// joins must include).
    fn render(&mut self, entity: &Entity, measure: &Measure) -> Result<Rendered, CompileError> {
        // The entities an expression reaches are the ones it is written to aggregate over.
        let (expr, reach) = match measure.expr.as_deref() {
            Some(text) => {
                let (sql, reached) = dialect::qualify(self.dialect, self.catalog, entity, text)?;
                self.needed.extend(reached.iter().cloned());
                (Some(sql), reached)
            }
            None => (None, Vec::new()),
        };
        let filter = measure.filter.as_deref().map(|f| self.expr(entity, f)).transpose()?;
        Ok(Rendered { expr, filter, reach })
    }

    /// A catalog expression with its columns qualified: bare names belong to `owner`, `entity.column`
    /// to that entity (which the joins must then reach).
    fn expr(&mut self, owner: &Entity, text: &str) -> Result<String, CompileError> {
        let (sql, reached) = dialect::qualify(self.dialect, self.catalog, owner, text)?;
        self.needed.extend(reached);
        Ok(sql)
    }

    fn param(&mut self, value: Param) -> String {
        let name = format!("p{}", self.params.len() + 1);
        self.params.insert(name.clone(), value);
        format!(":{name}")
    }

    /// A date bound: text for SQLite (dates are ISO text there), a date for the others.
    fn date_param(&mut self, date: NaiveDate) -> String {
        let value = match self.dialect {
            Dialect::Sqlite => Param::Text(date.to_string()),
            _ => Param::Date(date),
        };
        self.param(value)
    }

    /// `column` within `range`: from its first day, up to (not including) the day after its last.
    fn between(&mut self, column: &str, range: DateRange) -> String {
        let from = self.date_param(range.from);
        let to = self.date_param(range.to);
        format!("{column} >= {from} AND {column} < {to}")
    }

    fn filter(&mut self, filter: &Filter) -> Result<String, CompileError> {
        let (entity, dimension) = self
            .catalog
            .dimension(&filter.field)
            .ok_or_else(|| CompileError::Unknown(filter.field.clone()))?;
        self.needed.insert(entity.name.clone());
        let column = self.dimension_sql(entity, &dimension.name)?;
        let invalid = |what: &str| CompileError::Invalid(format!("{}: {what}", filter.field));
        let value = &filter.value;
        let scalar = |this: &mut Self, value: &serde_json::Value| -> Result<String, CompileError> {
            let param = match value {
                serde_json::Value::String(text) if dimension.kind == DimensionKind::Time => {
                    let date: NaiveDate = text.parse().map_err(|_| invalid("dates are YYYY-MM-DD"))?;
                    return Ok(this.date_param(date));
                }
                serde_json::Value::String(text) => Param::Text(text.clone()),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Param::Int(i),
                    None => Param::Float(n.as_f64().unwrap_or_default()),
                },
                _ => return Err(invalid("the value must be text or a number")),
            };
            Ok(this.param(param))
        };
        // A category compared with a value it does not have matches nothing: say so instead (the SQL
        // writer then gets the reason). Categories without values, or values that are not text, pass.
        let known = |value: &serde_json::Value| -> Result<(), CompileError> {
            match value.as_str() {
                Some(text)
                    if dimension.kind == DimensionKind::Category
                        && !dimension.values.is_empty()
                        && !dimension.values.iter().any(|k| k == text) =>
                {
                    Err(invalid(&format!("{value} is not one of its values")))
                }
                _ => Ok(()),
            }
        };
        if matches!(filter.op, Op::Eq | Op::Ne) {
            known(value)?;
        }
        Ok(match filter.op {
            Op::IsNull => format!("{column} IS NULL"),
            Op::NotNull => format!("{column} IS NOT NULL"),
            Op::In | Op::NotIn => {
                let values = match value {
                    serde_json::Value::Array(values) if !values.is_empty() => values.clone(),
                    serde_json::Value::Array(_) => return Err(invalid("`in` needs at least one value")),
                    other => vec![other.clone()],
                };
                for value in &values {
                    known(value)?;
                }
                let list: Vec<String> = values.iter().map(|v| scalar(self, v)).collect::<Result<_, _>>()?;
                let not = if filter.op == Op::NotIn { "NOT " } else { "" };
                format!("{column} {not}IN ({})", list.join(", "))
            }
            Op::Eq if dimension.kind == DimensionKind::Flag || value.is_boolean() => {
                // PostgreSQL flags may be booleans or 0/1 integers; both cast to an integer there.
                let flag = match self.dialect {
                    Dialect::Postgres => format!("CAST({column} AS INTEGER)"),
                    _ => column.clone(),
                };
                match value.as_bool().or_else(|| value.as_i64().map(|n| n != 0)) {
                    Some(true) => format!("{flag} = 1"),
                    Some(false) => format!("{flag} = 0"),
                    None => format!("{column} = {}", scalar(self, value)?),
                }
            }
            Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
                let symbol = match filter.op {
                    Op::Eq => "=",
                    Op::Ne => "<>",
                    Op::Gt => ">",
                    Op::Gte => ">=",
                    Op::Lt => "<",
                    _ => "<=",
                };
                format!("{column} {symbol} {}", scalar(self, value)?)
            }
            Op::Contains | Op::StartsWith | Op::EndsWith => {
                let text = value.as_str().ok_or_else(|| invalid("the value must be text"))?;
                let escaped = text.replace('!', "!!").replace('%', "!%").replace('_', "!_");
                let pattern = match filter.op {
                    Op::Contains => format!("%{escaped}%"),
                    Op::StartsWith => format!("{escaped}%"),
                    _ => format!("%{escaped}"),
                };
                let param = self.param(Param::Text(pattern.to_lowercase()));
                format!("LOWER({column}) LIKE {param} ESCAPE '!'")
            }
        })
    }

    /// One measure's aggregate. `filter` is its default condition when it cannot go in WHERE, `share`
    /// the condition of a percentage, `fanned` whether the joins repeat its entity's rows.
    fn aggregate(
        &self,
        entity: &Entity,
        measure: &Measure,
        expr: Option<&str>,
        filter: Option<&str>,
        share: Option<&str>,
        fanned: Option<String>,
    ) -> Result<String, CompileError> {
        let key = format!("{}.{}", self.quote(&entity.name), self.quote(&entity.key));
        let fan_out = |other: String| CompileError::FanOut {
            measure: measure.name.clone(),
            entity: entity.name.clone(),
            other,
        };
        // What is aggregated, and whether repeated rows must be made distinct.
        let (function, argument, distinct) = match (measure.agg, expr) {
            (Aggregation::Count, None) if fanned.is_some() => ("COUNT", key.clone(), true),
            (Aggregation::Count, None) => ("COUNT", "*".to_string(), false),
            (Aggregation::Count, Some(expr)) => {
                if let Some(other) = fanned {
                    return Err(fan_out(other));
                }
                ("COUNT", expr.to_string(), false)
            }
            (Aggregation::CountDistinct, Some(expr)) => ("COUNT", expr.to_string(), true),
            (Aggregation::Min, Some(expr)) => ("MIN", expr.to_string(), false),
            (Aggregation::Max, Some(expr)) => ("MAX", expr.to_string(), false),
            (Aggregation::Sum | Aggregation::Avg, Some(_)) if fanned.is_some() => {
                return Err(fan_out(fanned.unwrap_or_default()));
            }
            (Aggregation::Sum, Some(expr)) => ("SUM", expr.to_string(), false),
            (Aggregation::Avg, Some(expr)) => ("AVG", expr.to_string(), false),
            (Aggregation::Expr, Some(expr)) => {
                if share.is_some() {
                    return Err(CompileError::Invalid(format!(
                        "a share of {} (a ratio of its own) means nothing",
                        measure.name
                    )));
                }
                if let Some(other) = fanned {
                    return Err(fan_out(other));
                }
                return match filter {
                    Some(filter) => dialect::conditioned(self.dialect, expr, filter),
                    None => Ok(expr.to_string()),
                };
            }
            (_, None) => return Err(CompileError::Invalid(format!("{} has no expression", measure.name))),
        };
        let when = |condition: &str, then: &str, otherwise: &str| {
            format!("CASE WHEN {condition} THEN {then}{otherwise} END")
        };
        let distinct_word = if distinct { "DISTINCT " } else { "" };
        // Rows counted by `*` become 1s (or keys when distinct) so a condition can pick them.
        let countable = |argument: &str| if argument == "*" { "1".to_string() } else { argument.to_string() };
        let whole = match filter {
            Some(filter) => format!("{function}({distinct_word}{})", when(filter, &countable(&argument), "")),
            None => format!("{function}({distinct_word}{argument})"),
        };
        let Some(share) = share else { return Ok(whole) };
        if matches!(measure.agg, Aggregation::Min | Aggregation::Max | Aggregation::Avg) {
            return Err(CompileError::Invalid(format!(
                "a share of {} (an {:?}) means nothing",
                measure.name, measure.agg
            )));
        }
        let condition = match filter {
            Some(filter) => format!("({filter}) AND ({share})"),
            None => share.to_string(),
        };
        let part = format!("{function}({distinct_word}{})", when(&condition, &countable(&argument), ""));
        Ok(format!("100.0 * {part} / NULLIF({whole}, 0)"))
    }

    /// `[NOT] EXISTS` a row of `entity` related to the statement's rows by a declared join.
    fn exists(&self, tree: &joins::Tree, entity: &str, negate: bool) -> Result<String, CompileError> {
        let related = self.catalog.entity(entity).ok_or_else(|| CompileError::Unknown(entity.to_string()))?;
        let link = tree
            .link_to(self.catalog, entity)
            .ok_or_else(|| CompileError::NoPath { from: tree.base().to_string(), to: entity.to_string() })?;
        let alias = format!("{entity}_related");
        let not = if negate { "NOT " } else { "" };
        Ok(format!(
            "{not}EXISTS (SELECT 1 FROM {} AS {} WHERE {}.{} = {}.{})",
            self.table(related),
            self.quote(&alias),
            self.quote(&alias),
            self.quote(&link.related_column),
            self.quote(&link.joined),
            self.quote(&link.joined_column),
        ))
    }

    /// `base.key IN (the keys of base rows whose measure, over their related rows, compares as asked)`:
    /// the measure's rows joined up to `base` along declared joins, grouped by base's key.
    fn having(&mut self, base: &Entity, having: &Having) -> Result<String, CompileError> {
        let (entity, measure) = self
            .catalog
            .measure(&having.measure)
            .ok_or_else(|| CompileError::Unknown(having.measure.clone()))?;
        let symbol = match having.op {
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::Eq => "=",
            _ => {
                return Err(CompileError::Invalid(format!(
                    "{}: a measure per row compares with gt, gte, lt, lte or eq",
                    having.measure
                )));
            }
        };
        let value = match having.value.as_i64() {
            Some(n) => Param::Int(n),
            None => Param::Float(having.value.as_f64().ok_or_else(|| {
                CompileError::Invalid(format!("{}: a measure per row compares with a number", having.measure))
            })?),
        };
        // The subquery's entities are its own: the outer statement's joins are already chosen.
        let outer = std::mem::take(&mut self.needed);
        self.needed.insert(base.name.clone());
        let rendered = self.render(entity, measure);
        let tree = joins::Tree::connect(self.catalog, &entity.name, &self.needed);
        self.needed = outer;
        let (Rendered { expr, filter, reach }, tree) = (rendered?, tree?);
        let fanned = fanned(&tree, entity, measure, &reach);
        let aggregate = self.aggregate(entity, measure, expr.as_deref(), filter.as_deref(), None, fanned)?;
        let key = format!("{}.{}", self.quote(&base.name), self.quote(&base.key));
        let bound = self.param(value);
        Ok(format!(
            "{key} IN (SELECT {key} FROM {} GROUP BY {key} HAVING {aggregate} {symbol} {bound})",
            self.joins(&tree)?
        ))
    }

    fn table(&self, entity: &Entity) -> String {
        match &entity.schema {
            Some(schema) => format!("{}.{}", self.quote(schema), self.quote(&entity.table)),
            None => self.quote(&entity.table),
        }
    }

    /// `base AS base JOIN other AS other ON ...` for every entity in the tree.
    fn joins(&self, tree: &joins::Tree) -> Result<String, CompileError> {
        let entity =
            |name: &str| self.catalog.entity(name).ok_or_else(|| CompileError::Unknown(name.to_string()));
        let base = entity(tree.base())?;
        let mut sql = format!("{} AS {}", self.table(base), self.quote(&base.name));
        for step in tree.steps() {
            let joined = entity(&step.entity)?;
            sql.push_str(&format!(
                " JOIN {} AS {} ON {}.{} = {}.{}",
                self.table(joined),
                self.quote(&joined.name),
                self.quote(&joined.name),
                self.quote(&step.column),
                self.quote(&step.parent),
                self.quote(&step.parent_column),
            ));
        }
        Ok(sql)
    }

    /// ORDER BY: the plan's `order_by` (a measure, by its column in `sorted` if it has one there, or a
    /// field), else a top N's first measure, else the time grain ascending. Over a `wrapped` statement
    /// only its columns can be sorted by.
    fn order(
        &mut self,
        plan: &Plan,
        measures: &[(&Entity, &Measure)],
        fields: &[Field<'_>],
        sorted: &BTreeMap<String, String>,
        wrapped: bool,
    ) -> Result<Option<String>, CompileError> {
        let direction = match plan.order.unwrap_or_default() {
            Direction::Desc => "DESC",
            Direction::Asc => "ASC",
        };
        let column = |name: &'_ str| sorted.get(name).cloned().unwrap_or_else(|| name.to_string());
        let by = match plan.order_by.as_deref() {
            Some(name) if measures.iter().any(|(_, m)| m.name == name) => self.quote(&column(name)),
            Some(name) if plan.group_by.iter().any(|g| g == name) => {
                let position = plan.group_by.iter().position(|g| g == name).unwrap_or(0);
                self.quote(&fields[position].alias)
            }
            Some(_) if wrapped => return Ok(None),
            Some(name) => {
                let field = self.field(name)?;
                self.needed.insert(field.entity.name.clone());
                if !measures.is_empty() && !fields.is_empty() {
                    // Sorting groups by a field that is not grouped needs an aggregate of it.
                    format!("MAX({})", field.sql)
                } else {
                    field.sql
                }
            }
            None if plan.kind == Kind::Top => match measures.first() {
                Some((_, measure)) => self.quote(&column(&measure.name)),
                None => return Ok(None),
            },
            None => match fields.iter().find(|f| f.kind == DimensionKind::Time) {
                Some(field) => return Ok(Some(format!("{} ASC", self.quote(&field.alias)))),
                None => return Ok(None),
            },
        };
        Ok(Some(format!("{by} {direction}")))
    }
}

/// A measure rendered for one statement.
struct Rendered {
    expr: Option<String>,
    filter: Option<String>,
    /// The entities its expression names.
    reach: Vec<String>,
}

/// The entity whose join repeats a measure's rows, if any. A whole-expression measure (revenue per
/// order) reaches the many rows its expression names on purpose; a join to any other many side would
/// still repeat them.
fn fanned(tree: &joins::Tree, entity: &Entity, measure: &Measure, reach: &[String]) -> Option<String> {
    match measure.agg {
        Aggregation::Expr => tree.fans_out_beyond(&entity.name, reach),
        _ => tree.fans_out(&entity.name),
    }
}

/// Whether a text field names its row (`name`, `full_name`, `title`) rather than describing it.
fn names_rows(field: &str) -> bool {
    field == "name" || field.ends_with("_name") || field == "title"
}

#[cfg(test)]
mod tests;
