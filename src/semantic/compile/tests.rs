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

/// The plan `json` compiled over the demo catalog for `dialect`, on 2026-11-15.
fn on_demo(json: &str, dialect: Dialect) -> Result<Compiled, CompileError> {
    compile(&demo(), &plan(json), dialect, today())
}

#[test]
fn a_top_n_joins_along_declared_keys_and_binds_its_dates() {
    let compiled = on_demo(r#"{"kind":"top","measures":["revenue"],"group_by":["products.name"],"filters":[],"period":"last_quarter","order_by":"revenue","order":"desc","limit":5}"#, Dialect::Sqlite)
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
    let compiled = on_demo(r#"{"kind":"list","measures":[],"group_by":["customers.name"],"filters":[{"field":"customers.name","op":"eq","value":"O'Brien'; DROP TABLE x --"}],"period":"all"}"#, Dialect::Mysql)
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
    let error = on_demo(r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[{"field":"orders.channel","op":"in","value":["physical"]}],"period":"all"}"#, Dialect::Sqlite)
    .unwrap_err();
    assert!(error.to_string().contains("\"physical\" is not one of its values"), "{error}");
}

#[test]
fn other_kinds_are_for_the_sql_writer() {
    let error = on_demo(
        r#"{"kind":"other","measures":["revenue"],"group_by":[],"filters":[],"period":"all"}"#,
        Dialect::Sqlite,
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
    let compiled = on_demo(r#"{"kind":"breakdown","measures":["revenue"],"group_by":["products.name","categories.name"],"filters":[],"period":"all"}"#, Dialect::Sqlite)
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
    let compiled = on_demo(
        r#"{"kind":"value","measures":["revenue","order_count"],"group_by":[],"filters":[],"period":"all"}"#,
        Dialect::Sqlite,
    )
    .unwrap();
    assert!(compiled.sql.contains("JOIN \"orders\""), "{}", compiled.sql);
    assert!(compiled.sql.contains("COUNT(DISTINCT \"orders\".\"id\")"), "{}", compiled.sql);
}

#[test]
fn sorting_by_a_measure_asks_for_it() {
    let compiled = on_demo(r#"{"kind":"top","measures":[],"group_by":["products.name"],"filters":[],"period":"all","order_by":"revenue","order":"desc","limit":3}"#, Dialect::Sqlite)
    .unwrap();
    assert!(compiled.sql.contains("AS \"revenue\""), "{}", compiled.sql);
    assert!(compiled.sql.ends_with("ORDER BY \"revenue\" DESC LIMIT 3"), "{}", compiled.sql);
}

#[test]
fn a_list_through_a_repeating_join_lists_each_row_once() {
    let compiled = on_demo(r#"{"kind":"list","measures":[],"group_by":["customers.name"],"filters":[{"field":"orders.channel","op":"in","value":["store"]}],"period":"all"}"#, Dialect::Sqlite)
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
        on_demo(&json, Dialect::Sqlite)
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

#[test]
fn two_periods_are_counted_side_by_side_with_their_change() {
    let compiled = on_demo(r#"{"kind":"compare_previous","measures":["order_count"],"group_by":[],"filters":[],"period":"last_month"}"#, Dialect::Postgres)
    .unwrap();
    let now = "\"orders\".ordered_at >= :p5 AND \"orders\".ordered_at < :p6";
    let then = "\"orders\".ordered_at >= :p7 AND \"orders\".ordered_at < :p8";
    assert_eq!(
        compiled.sql,
        format!(
            "SELECT COUNT(CASE WHEN {now} THEN 1 END) AS \"order_count_last_month\", \
             COUNT(CASE WHEN {then} THEN 1 END) AS \"order_count_month_before\", \
             COUNT(CASE WHEN {now} THEN 1 END) - COUNT(CASE WHEN {then} THEN 1 END) AS \"change\", \
             100.0 * (COUNT(CASE WHEN {now} THEN 1 END) - COUNT(CASE WHEN {then} THEN 1 END)) / NULLIF(COUNT(CASE WHEN {then} THEN 1 END), 0) AS \"change_percent\" \
             FROM \"orders\" AS \"orders\" WHERE ((\"orders\".ordered_at >= :p1 AND \"orders\".ordered_at < :p2) OR (\"orders\".ordered_at >= :p3 AND \"orders\".ordered_at < :p4))"
        )
    );
    let date = |d: &str| Param::Date(d.parse().unwrap());
    assert_eq!(compiled.params["p5"], date("2026-10-01"));
    assert_eq!(compiled.params["p7"], date("2026-09-01"));
    assert_eq!(compiled.params["p8"], date("2026-10-01"));
}

#[test]
fn a_comparison_names_its_period() {
    for kind in ["compare_previous", "compare_year_ago"] {
        let error = on_demo(
            &format!(
                r#"{{"kind":"{kind}","measures":["order_count"],"group_by":[],"filters":[],"period":"all"}}"#
            ),
            Dialect::Sqlite,
        )
        .unwrap_err();
        assert!(error.to_string().contains("names its period"), "{error}");
    }
}

#[test]
fn running_totals_and_shares_of_the_total_run_over_the_grouped_rows() {
    let running = on_demo(r#"{"kind":"running_total","measures":["order_count"],"group_by":["orders.channel","orders.ordered_at:month"],"filters":[],"period":"this_year"}"#, Dialect::Mysql)
    .unwrap();
    assert!(
        running.sql.starts_with(
            "SELECT `channel`, `ordered_at_month`, `order_count`, SUM(`order_count`) OVER (PARTITION BY `channel` \
             ORDER BY `ordered_at_month` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS `order_count_running_total` \
             FROM (SELECT `orders`.channel AS `channel`"
        ),
        "{}",
        running.sql
    );
    assert!(running.sql.ends_with(") AS t ORDER BY `ordered_at_month` ASC"), "{}", running.sql);
    let without_grain = on_demo(r#"{"kind":"running_total","measures":["order_count"],"group_by":["orders.channel"],"filters":[],"period":"all"}"#, Dialect::Sqlite)
    .unwrap_err();
    assert!(without_grain.to_string().contains("with a grain"), "{without_grain}");
    let averaged = on_demo(r#"{"kind":"share","measures":["average_order_value"],"group_by":["orders.channel"],"filters":[],"period":"all"}"#, Dialect::Sqlite)
    .unwrap_err();
    assert!(averaged.to_string().contains("not a sum or a count"), "{averaged}");
}

#[test]
fn a_whole_expression_measure_takes_a_condition_in_each_aggregate() {
    let sql = dialect::conditioned(
        Dialect::Sqlite,
        "SUM(\"order_items\".quantity * \"order_items\".unit_price) / COUNT(DISTINCT \"orders\".id)",
        "\"orders\".status = :p1",
    )
    .unwrap();
    assert_eq!(
        sql,
        "SUM(CASE WHEN \"orders\".status = :p1 THEN \"order_items\".quantity * \"order_items\".unit_price END) \
         / COUNT(DISTINCT CASE WHEN \"orders\".status = :p1 THEN \"orders\".id END)"
    );
    assert!(dialect::conditioned(Dialect::Sqlite, "\"orders\".id + 1", "TRUE").is_err());
}

#[test]
fn category_values_are_spelled_as_the_catalog_spells_them() {
    let mut catalog = demo();
    let categories = catalog.entities.iter_mut().find(|e| e.name == "categories").unwrap();
    categories.dimensions.iter_mut().find(|d| d.name == "name").unwrap().values =
        vec!["Kitchen".into(), "Laptop".into(), "Smart Home".into()];
    let compiled = compile(
        &catalog,
        &plan(r#"{"kind":"value","measures":["product_count"],"group_by":[],"filters":[{"field":"categories.name","op":"in","value":["kitchen","laptops","smart home"]}],"period":"all"}"#),
        Dialect::Sqlite,
        today(),
    )
    .unwrap();
    let values: Vec<_> = compiled.params.values().cloned().collect();
    assert_eq!(
        values,
        [Param::Text("Kitchen".into()), Param::Text("Laptop".into()), Param::Text("Smart Home".into())]
    );
    let unknown = compile(
        &catalog,
        &plan(
            r#"{"kind":"value","measures":["product_count"],"group_by":[],"filters":[{"field":"categories.name","op":"eq","value":"garden"}],"period":"all"}"#,
        ),
        Dialect::Sqlite,
        today(),
    );
    assert!(unknown.is_err());
}

#[test]
fn a_having_on_the_counted_entity_itself_is_dropped() {
    let compiled = on_demo(r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[],"having":[{"measure":"customer_count","op":"gt","value":0}],"period":"all"}"#, Dialect::Sqlite)
    .unwrap();
    assert_eq!(compiled.sql, "SELECT COUNT(*) AS \"customer_count\" FROM \"customers\" AS \"customers\"");
    assert!(compiled.plan.having.is_empty());
    let kept = on_demo(r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[],"having":[{"measure":"order_count","op":"gt","value":1}],"period":"all"}"#, Dialect::Sqlite)
    .unwrap();
    assert!(
        kept.sql
            .contains("\"customers\".\"id\" IN (SELECT \"customers\".\"id\" FROM \"orders\" AS \"orders\""),
        "{}",
        kept.sql
    );
}

#[test]
fn a_share_is_not_grouped_by_the_field_its_condition_tests() {
    let compiled = on_demo(
        r#"{"kind":"share","measures":["order_count"],"group_by":["orders.channel","orders.ordered_at:year"],"filters":[],"share_of":[{"field":"orders.channel","op":"in","value":["mobile"]}],"period":"all"}"#,
        Dialect::Sqlite,
    )
    .unwrap();
    assert_eq!(compiled.plan.group_by, ["orders.ordered_at:year"]);
    assert!(compiled.sql.contains("GROUP BY 1 "), "{}", compiled.sql);
}
