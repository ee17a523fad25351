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

#[test]
fn a_named_period_wins_over_date_filters_on_its_own_field() {
    let restated = plan(
        r#"{"kind":"value","measures":["units_sold"],"group_by":[],"filters":[{"field":"orders.ordered_at","op":"gte","value":"2026-11-01"},{"field":"orders.ordered_at","op":"lt","value":"2026-11-30"},{"field":"orders.channel","op":"in","value":["store"]}],"period":"last_month"}"#,
    );
    let compiled = compile(&demo(), &restated, Dialect::Sqlite, today()).unwrap();
    assert_eq!(compiled.sql.matches("ordered_at >=").count(), 1, "{}", compiled.sql);
    assert!(compiled.sql.contains("\"orders\".channel IN (:p1)"), "{}", compiled.sql);
    assert_eq!(compiled.params["p2"], Param::Text("2026-10-01".into()));
    assert_eq!(compiled.params["p3"], Param::Text("2026-11-01".into()));
    // A date strictly inside the period narrows it and stays.
    let narrowed = plan(
        r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[{"field":"orders.ordered_at","op":"gte","value":"2026-10-15"}],"period":"last_month"}"#,
    );
    let compiled = compile(&demo(), &narrowed, Dialect::Sqlite, today()).unwrap();
    assert_eq!(compiled.params["p1"], Param::Text("2026-10-15".into()));
    assert_eq!(compiled.sql.matches("ordered_at >=").count(), 2, "{}", compiled.sql);
    // Without a named period the dates are the question's own and stay.
    let dated = plan(
        r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[{"field":"orders.ordered_at","op":"gte","value":"2025-11-28"}],"period":"all"}"#,
    );
    let compiled = compile(&demo(), &dated, Dialect::Sqlite, today()).unwrap();
    assert_eq!(compiled.params["p1"], Param::Text("2025-11-28".into()));
}

#[test]
fn fields_of_one_name_from_two_entities_get_distinct_columns() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"breakdown","measures":["revenue"],"group_by":["products.name","categories.name"],"filters":[],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    assert!(
        compiled.sql.starts_with(
            "SELECT \"products\".name AS \"products_name\", \"categories\".name AS \"categories_name\","
        ),
        "{}",
        compiled.sql
    );
}

#[test]
fn a_second_measure_of_another_entity_is_joined_and_not_fanned_out() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"value","measures":["revenue","order_count"],"group_by":[],"filters":[],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    assert!(compiled.sql.contains("JOIN \"orders\""), "{}", compiled.sql);
    assert!(compiled.sql.contains("COUNT(DISTINCT \"orders\".\"id\")"), "{}", compiled.sql);
}

#[test]
fn sorting_by_a_measure_asks_for_it() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"top","measures":[],"group_by":["products.name"],"filters":[],"period":"all","order_by":"revenue","order":"desc","limit":3}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    assert!(compiled.sql.contains("AS \"revenue\""), "{}", compiled.sql);
    assert!(compiled.sql.ends_with("ORDER BY \"revenue\" DESC LIMIT 3"), "{}", compiled.sql);
}

#[test]
fn a_list_through_a_repeating_join_lists_each_row_once() {
    let compiled = compile(
        &demo(),
        &plan(r#"{"kind":"list","measures":[],"group_by":["customers.name"],"filters":[{"field":"orders.channel","op":"in","value":["store"]}],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    assert!(compiled.sql.starts_with("SELECT DISTINCT \"customers\".name"), "{}", compiled.sql);
}

#[test]
fn flags_compare_as_numbers_so_integer_flags_work_on_postgres() {
    let discontinued = plan(
        r#"{"kind":"value","measures":["product_count"],"group_by":[],"filters":[{"field":"products.discontinued","op":"eq","value":true}],"period":"all"}"#,
    );
    let sql = |dialect| compile(&demo(), &discontinued, dialect, today()).unwrap().sql;
    assert!(
        sql(Dialect::Postgres).contains("CAST(\"products\".discontinued AS INTEGER) = 1"),
        "{}",
        sql(Dialect::Postgres)
    );
    assert!(sql(Dialect::Sqlite).contains("\"products\".discontinued = 1"), "{}", sql(Dialect::Sqlite));
}

#[test]
fn weeks_are_iso_weeks_on_every_engine() {
    let weekly = plan(
        r#"{"kind":"trend","measures":["order_count"],"group_by":["orders.ordered_at:week"],"filters":[],"period":"all"}"#,
    );
    let sql = |dialect| compile(&demo(), &weekly, dialect, today()).unwrap().sql;
    assert!(sql(Dialect::Sqlite).contains("strftime('%G-W%V',"));
    assert!(sql(Dialect::Postgres).contains("'IYYY-\"W\"IW'"));
    assert!(sql(Dialect::Mysql).contains("'%x-W%v'"));
}

#[test]
fn a_whole_expression_measure_may_reach_its_own_rows_but_not_be_repeated_by_others() {
    let compile_by = |field: &str| {
        let json = format!(
            r#"{{"kind":"breakdown","measures":["average_order_value"],"group_by":["{field}"],"filters":[],"period":"all"}}"#
        );
        compile(&demo(), &plan(&json), Dialect::Sqlite, today())
    };
    // Orders per segment reach their lines on purpose.
    assert!(compile_by("customers.segment").is_ok());
    // Per payment method, an order with two payments would count its lines twice.
    assert!(
        matches!(compile_by("payments.method"), Err(CompileError::FanOut { ref other, .. }) if other == "payments"),
        "{:?}",
        compile_by("payments.method")
    );
}
