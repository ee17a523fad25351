//! Shaping a ranking of tables: at most a few of one family in the lead, then expansion along foreign
//! keys so that the table joining two relevant tables is not lost.

use std::collections::{HashMap, HashSet};

/// Keeps at most `per_family` tables of one family (a table and its satellites: `orders_history`,
/// `orders_archive`, which `family` maps to `orders`) in their ranked places and moves the rest to the
/// end, in order. Big schemas repeat a table in many satellites that all match the same words; without
/// this they crowd out the other tables a question needs.
pub fn diversify(ranked: &[usize], family: &HashMap<usize, usize>, per_family: usize) -> Vec<usize> {
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let (mut kept, mut later) = (Vec::with_capacity(ranked.len()), Vec::new());
    for &table in ranked {
        let head = family.get(&table).copied().unwrap_or(table);
        let count = seen.entry(head).or_default();
        *count += 1;
        if *count <= per_family { kept.push(table) } else { later.push(table) }
    }
    kept.extend(later);
    kept
}

/// How many of the best tables are looked at for join paths.
const JOIN_HEAD: usize = 5;
/// How many of the best tables have their parent tables brought forward, and how many parents at most.
const PARENT_HEAD: usize = 3;
/// See [`PARENT_HEAD`].
const MAX_PARENTS: usize = 3;

/// The join graph of a source's tables, by document number.
#[derive(Debug, Default)]
pub struct Graph {
    /// Tables joined by a foreign key, either direction.
    pub neighbours: HashMap<usize, Vec<usize>>,
    /// The tables each table's foreign keys point to.
    pub parents: HashMap<usize, Vec<usize>>,
    /// Satellite table → the table it extends (named after it and keyed to it).
    pub family: HashMap<usize, usize>,
}

/// Expands a ranking of tables along foreign keys, at most `limit` long:
/// 1. a table that joins two of the first [`JOIN_HEAD`] tables which have no key between them (a link
///    table such as `order_items` between `orders` and `products`) goes in right after the lower of the
///    two;
/// 2. then the tables the first [`PARENT_HEAD`] hang off (a satellite's own table, and the tables its
///    keys point to: where the names, dates and amounts a question filters on usually live), at most
///    [`MAX_PARENTS`];
/// 3. then the rest of the ranking, and while there is room, the neighbours of the first tables.
///
/// Returns the ids and, for each added table, the table it was reached from.
pub fn expand(ranked: &[usize], graph: &Graph, limit: usize) -> Vec<(usize, Option<usize>)> {
    let none = Vec::new();
    let near = |t: usize| graph.neighbours.get(&t).unwrap_or(&none);
    let head: Vec<usize> = ranked.iter().copied().take(JOIN_HEAD).collect();
    let mut out: Vec<(usize, Option<usize>)> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for (position, &table) in head.iter().enumerate() {
        if seen.insert(table) {
            out.push((table, None));
        }
        // Bridges between this table and every better-ranked one it has no direct key to.
        for &earlier in &head[..position] {
            if near(table).contains(&earlier) {
                continue;
            }
            let bridges = near(table).iter().filter(|b| near(earlier).contains(b));
            for &bridge in bridges {
                if seen.insert(bridge) {
                    out.push((bridge, Some(table)));
                }
            }
        }
    }
    let mut added = 0;
    'parents: for &table in head.iter().take(PARENT_HEAD) {
        let base = graph.family.get(&table).copied().unwrap_or(table);
        let chain = std::iter::once(base).chain(graph.parents.get(&base).into_iter().flatten().copied());
        for next in chain {
            if added >= MAX_PARENTS {
                break 'parents;
            }
            if seen.insert(next) {
                out.push((next, Some(table)));
                added += 1;
            }
        }
    }
    for &table in ranked.iter().skip(JOIN_HEAD) {
        if out.len() >= limit {
            break;
        }
        if seen.insert(table) {
            out.push((table, None));
        }
    }
    for &table in &head {
        for &next in near(table) {
            if out.len() >= limit {
                break;
            }
            if seen.insert(next) {
                out.push((next, Some(table)));
            }
        }
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satellites_of_one_table_do_not_crowd_out_the_rest() {
        // 1, 2 and 3 are satellites of 0 (say orders_history, orders_archive, orders_notes).
        let family = HashMap::from([(1, 0), (2, 0), (3, 0)]);
        assert_eq!(diversify(&[1, 2, 0, 3, 7, 8], &family, 2), [1, 2, 7, 8, 0, 3]);
        assert_eq!(diversify(&[7, 1, 8], &family, 2), [7, 1, 8]);
    }

    #[test]
    fn the_link_table_between_two_hits_is_brought_in() {
        // products(0) <- order_items(1) -> orders(2); customers(3) <- orders; categories(4) <- products
        let edges = [(1, 0), (1, 2), (2, 3), (0, 4)];
        let mut graph = Graph::default();
        for (a, b) in edges {
            graph.neighbours.entry(a).or_default().push(b);
            graph.neighbours.entry(b).or_default().push(a);
        }
        let expanded = expand(&[0, 2, 7], &graph, 10);
        assert_eq!(expanded[..3], [(0, None), (2, None), (1, Some(2))]);
        assert_eq!(expanded[3], (7, None));
        // Neighbours fill the remaining room: categories via products, customers via orders.
        assert!(expanded.contains(&(4, Some(0))) && expanded.contains(&(3, Some(2))));
        assert_eq!(expand(&[0, 2, 7], &graph, 2).len(), 2);
    }

    #[test]
    fn the_tables_the_best_ones_hang_off_come_before_weaker_matches() {
        // 5 is a satellite of shipments (1), which points at orders (2); 8 and 9 are weak matches.
        let mut graph = Graph::default();
        graph.family.insert(5, 1);
        graph.parents.insert(5, vec![1]);
        graph.parents.insert(1, vec![2]);
        let ranked = [5, 8, 9, 10, 11, 12, 13];
        let expanded: Vec<usize> = expand(&ranked, &graph, 8).into_iter().map(|(t, _)| t).collect();
        assert_eq!(expanded, [5, 8, 9, 10, 11, 1, 2, 12]);
    }
}
