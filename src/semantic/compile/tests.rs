use super::*;
use crate::semantic::catalog::Catalog;

fn demo() -> Catalog {
    Catalog::parse(include_str!("../../demo/semantic.toml"), "demo").unwrap()
}

fn plan(json: &str) -> Plan {
    serde_json::from_str(json).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
}

#[test]
fn a_top_n_joins_along_declared_keys_and_binds_its_dates() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"top","measures":["revenue"],"group_by":["products.name"],"filters":[],"period":"last_quarter","order_by":"revenue","order":"desc","limit":5}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    assert_eq!(
        compiled.sql,
        "SELECT \"products\".name AS \"name\", SUM(\"order_items\".quantity * \"order_items\".unit_price) AS \"revenue\" \
         FROM \"order_items\" AS \"order_items\" JOIN \"orders\" AS \"orders\" ON \"orders\".\"id\" = \"order_items\".\"order_id\" \
         JOIN \"products\" AS \"products\" ON \"products\".\"id\" = \"order_items\".\"product_id\" \
         WHERE \"orders\".ordered_at >= :p1 AND \"orders\".ordered_at < :p2 GROUP BY 1, \"products\".\"id\" \
         ORDER BY \"revenue\" DESC LIMIT 5"
    );
    assert_eq!(compiled.params["p1"], Param::Text("2026-07-01".into()));
    assert_eq!(compiled.params["p2"], Param::Text("2026-10-01".into()));
}

#[test]
fn values_are_parameters_never_text() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"list","measures":[],"group_by":["customers.name"],"filters":[{"field":"customers.name","op":"eq","value":"O'Brien'; DROP TABLE x --"}],"period":"all"}"#),
        Dialect::Mysql,
        today(),
    )
    .unwrap();
    assert!(!compiled.sql.contains("O'Brien"), "{}", compiled.sql);
    assert_eq!(compiled.params["p1"], Param::Text("O'Brien'; DROP TABLE x --".into()));
    assert!(
        compiled.sql.starts_with("SELECT `customers`.name AS `name` FROM `customers` AS `customers`"),
        "{}",
        compiled.sql
    );
}

#[test]
fn a_category_value_must_be_one_of_its_values() {
    let error = compile(
        &demo(),
        &plan(r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[{"field":"orders.channel","op":"in","value":["physical"]}],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("\"physical\" is not one of its values"), "{error}");
}

#[test]
fn other_kinds_are_for_the_sql_writer() {
    let error = compile(
        &demo(),
        &plan(r#"{"kind":"other","measures":["revenue"],"group_by":[],"filters":[],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    );
    assert_eq!(error, Err(CompileError::Unsupported));
}

#[test]
fn grains_are_the_same_text_on_every_engine() {
    let trend = plan(
        r#"{"kind":"trend","measures":["order_count"],"group_by":["orders.ordered_at:month"],"filters":[],"period":"this_year"}"#,
    );
    let sql = |dialect| compile(&demo(), &trend, dialect, today()).unwrap().sql;
    assert!(sql(Dialect::Sqlite).contains("strftime('%Y-%m', \"orders\".ordered_at)"));
    assert!(sql(Dialect::Postgres).contains("to_char(\"orders\".ordered_at, 'YYYY-MM')"));
    assert!(sql(Dialect::Mysql).contains("DATE_FORMAT(`orders`.ordered_at, '%Y-%m')"));
    assert!(sql(Dialect::Sqlite).ends_with("GROUP BY 1 ORDER BY \"ordered_at_month\" ASC"));
}
