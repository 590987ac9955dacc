//! Statements held back while `hold_writes` is on (the writer's batches)
//! reach the database in the order they were made, before the next query;
//! an error among them comes from the call that sends them, and the
//! transaction then keeps nothing.

use cuedeck::store::sql::{Conn, ConnExt};

use crate::backend::{Backend, TestDb};
use crate::on_both_backends;

fn rows(conn: &dyn Conn) -> Vec<(String, i64)> {
    conn.prepare("SELECT k, v FROM held ORDER BY k")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn held_statements_keep_their_order_and_their_errors(backend: Backend) {
    let db = TestDb::new(backend, "held writes");
    let conn = db.conn();
    conn.batch("CREATE TABLE held (k TEXT PRIMARY KEY, v BIGINT NOT NULL)")
        .unwrap();

    conn.batch("BEGIN").unwrap();
    conn.hold_writes(true);
    conn.execute("INSERT INTO held (k, v) VALUES ('a', 1)", [])
        .unwrap();
    // Right only if it runs after the first insert and before the second.
    conn.execute("UPDATE held SET v = v * 10", []).unwrap();
    conn.execute("INSERT INTO held (k, v) VALUES ('b', 2)", [])
        .unwrap();
    assert_eq!(rows(&*conn), [("a".into(), 10), ("b".into(), 2)]);

    let duplicate = conn.execute("INSERT INTO held (k, v) VALUES ('a', 3)", []);
    let sent = conn.flush();
    assert!(
        duplicate.is_err() || sent.is_err(),
        "a duplicate key is refused by the call that sends it"
    );
    conn.hold_writes(false);
    conn.batch("ROLLBACK").unwrap();
    assert!(
        rows(&*conn).is_empty(),
        "the rolled back transaction kept rows"
    );

    // Off again: every statement runs at once and says how many rows it changed.
    assert_eq!(
        conn.execute("INSERT INTO held (k, v) VALUES ('c', 1)", [])
            .unwrap(),
        1
    );
}

on_both_backends!(held_statements_keep_their_order_and_their_errors);
