//! The throwaway PostgreSQL the PostgreSQL tests run on: each fresh database
//! is its own and empty, a cluster of a test's own stops and leaves nothing
//! behind, and a machine without PostgreSQL gets told what to install.

use std::path::Path;

use crate::support::postgres::{self, TestPostgres};

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

async fn current_database(client: &tokio_postgres::Client) -> String {
    client
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn fresh_databases_on_the_shared_cluster_are_distinct_and_empty() {
    let pg = postgres::shared();
    assert!(
        std::ptr::eq(pg, postgres::shared()),
        "one cluster per process"
    );
    let first = pg.fresh_url("harness first");
    let second = pg.fresh_url("harness first");
    assert_ne!(first, second, "the same hint still gives two databases");
    assert!(first.starts_with(&format!("{}/", pg.url_base())), "{first}");

    let a = connect(&first).await;
    let b = connect(&second).await;
    let one: i32 = a.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    let (name_a, name_b) = (current_database(&a).await, current_database(&b).await);
    assert_ne!(name_a, name_b);
    assert!(
        first.ends_with(&format!("/{name_a}")),
        "{first} is {name_a}"
    );

    a.batch_execute("CREATE TABLE only_in_first (id int)")
        .await
        .unwrap();
    let tables: i64 = b
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "the second database is empty");
}

#[tokio::test]
async fn an_own_cluster_stops_and_leaves_nothing_behind() {
    let pg = TestPostgres::start().expect("a cluster of its own starts");
    let url = pg.fresh_url("own");
    let client = connect(&url).await;
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    let dir = pg.dir().to_owned();
    assert!(dir.join("data").join("PG_VERSION").is_file());

    pg.stop();
    assert!(!dir.exists(), "{} removed", dir.display());
    assert!(client.query_one("SELECT 1", &[]).await.is_err());
    assert!(
        tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .is_err()
    );
}

#[test]
fn missing_postgresql_says_what_to_install() {
    let error = postgres::bindir_from(
        "pg_config-not-installed",
        Path::new("/nonexistent/postgresql"),
    )
    .unwrap_err();
    assert!(error.contains("apt-get install postgresql"), "{error}");
}
