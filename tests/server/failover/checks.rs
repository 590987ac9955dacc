//! What must hold in the database after a take-over, read with plain SQL
//! from outside the servers.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::Client;

use super::bank::{Acked, Bank, MINTED, Tally};
use super::streams::Seen;

pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// Every acknowledged purchase is in the database exactly once, and nothing
/// else was bought under the buyers' keys (`{prefix}-…`): its command, its
/// item (room, buyer, price), its charge in the buyer's wallet and its
/// escrow; and every purchase sent twice got its first answer again.
pub async fn purchases(db: &Client, bank: &Bank, tally: &Tally, prefixes: &[&str]) {
    assert!(
        tally.failed.is_empty(),
        "purchases refused or unanswered: {:#?}",
        tally.failed
    );
    let mut by_key: BTreeMap<&str, &Acked> = BTreeMap::new();
    for acked in &tally.acked {
        assert!(
            by_key.insert(&acked.key, acked).is_none(),
            "{} acknowledged twice",
            acked.key
        );
    }
    let mut stored = BTreeSet::new();
    for prefix in prefixes {
        let rows = db
            .query(
                "SELECT idem_key FROM commands WHERE idem_key LIKE $1",
                &[&format!("{prefix}-%")],
            )
            .await
            .unwrap();
        stored.extend(rows.iter().map(|r| r.get::<_, String>(0)));
    }
    let acked: BTreeSet<String> = by_key.keys().map(|k| k.to_string()).collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    let unacknowledged: Vec<_> = stored.difference(&acked).collect();
    assert!(lost.is_empty(), "acknowledged purchases lost: {lost:?}");
    assert!(
        unacknowledged.is_empty(),
        "purchases stored that no buyer was told of: {unacknowledged:?}"
    );

    // One item per acknowledged purchase, as its receipt says; no other.
    let items: BTreeMap<i64, (String, String, i64)> = db
        .query("SELECT id, room, user_id, token_cost FROM items", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    let receipts: BTreeMap<i64, (String, String, i64)> = tally
        .acked
        .iter()
        .map(|a| (a.item(), (a.room.clone(), a.user.clone(), a.price())))
        .collect();
    assert_eq!(
        receipts.len(),
        tally.acked.len(),
        "two purchases share an item"
    );
    assert_eq!(items, receipts, "the items are the acknowledged purchases");

    // Each wallet was charged once per acknowledged purchase; the escrow holds them.
    for viewer in &bank.viewers {
        let spent: i64 = tally
            .acked
            .iter()
            .filter(|a| a.user == viewer.user)
            .map(Acked::price)
            .sum();
        let wallet = balance(db, &format!("wallet:{}", viewer.user)).await;
        assert_eq!(wallet, MINTED as i64 - spent, "{}'s wallet", viewer.user);
    }
    let escrow: i64 = db
        .query_one(
            "SELECT COALESCE(sum(balance), 0)::bigint FROM balances WHERE account LIKE 'escrow:%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        escrow,
        tally.acked.iter().map(Acked::price).sum::<i64>(),
        "escrow"
    );

    for (key, first, again) in &tally.retried {
        assert_eq!(first, again, "{key}: a retry is answered as the original");
    }
}

async fn balance(db: &Client, account: &str) -> i64 {
    db.query_opt(
        "SELECT balance FROM balances WHERE account = $1 AND unit = 'tokens'",
        &[&account],
    )
    .await
    .unwrap()
    .map_or(0, |r| r.get(0))
}

/// Double entry: each unit's postings sum to zero, and `balances` is the
/// sum of each account's postings, row for row.
pub async fn ledger(db: &Client) {
    for row in db
        .query(
            "SELECT unit, sum(amount)::bigint FROM postings GROUP BY unit",
            &[],
        )
        .await
        .unwrap()
    {
        let (unit, sum): (String, i64) = (row.get(0), row.get(1));
        assert_eq!(sum, 0, "the {unit} postings do not balance");
    }
    let sums = |sql: &'static str| async move {
        db.query(sql, &[])
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    (r.get::<_, String>(0), r.get::<_, String>(1)),
                    r.get::<_, i64>(2),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let posted =
        sums("SELECT account, unit, sum(amount)::bigint FROM postings GROUP BY account, unit")
            .await;
    let kept = sums("SELECT account, unit, balance FROM balances").await;
    assert_eq!(kept, posted, "balances agree with the postings");
}

/// Every command row carries a lease epoch, and the epochs follow one
/// another by id: all of epoch N before any of N+1. Returns the epochs
/// in the order written.
pub async fn epochs(db: &Client) -> Vec<i64> {
    let unstamped: i64 = db
        .query_one("SELECT count(*) FROM commands WHERE epoch IS NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(unstamped, 0, "commands written outside any lease");
    let spans: Vec<(i64, i64, i64)> = db
        .query(
            "SELECT epoch, min(id), max(id) FROM commands GROUP BY epoch ORDER BY min(id)",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for pair in spans.windows(2) {
        let ((old, _, old_last), (new, new_first, _)) = (pair[0], pair[1]);
        assert!(old < new, "epoch {new} wrote before epoch {old}: {spans:?}");
        assert!(
            old_last < new_first,
            "epoch {old} wrote command {old_last} after epoch {new}'s first, {new_first}: {spans:?}"
        );
    }
    spans.iter().map(|s| s.0).collect()
}

/// A watcher saw its room's stream whole: from its snapshot on, every
/// event the database holds, each once, in order, all of one stream epoch.
pub async fn stream(db: &Client, seen: &Seen, epoch: &str) {
    let room = &seen.room;
    let (start_epoch, start) = seen.start.clone().expect("a first snapshot");
    assert_eq!(start_epoch, epoch, "{room}: the snapshot's stream epoch");
    assert_eq!(
        seen.snapshots_on_resume, 0,
        "{room}: a resume answered with a snapshot"
    );
    assert!(
        seen.errors.is_empty(),
        "{room}: error frames {:?}",
        seen.errors
    );
    let stored: Vec<u64> = db
        .query(
            "SELECT seq FROM events WHERE room = $1 AND seq > $2 ORDER BY seq",
            &[room, &(start as i64)],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, i64>(0) as u64)
        .collect();
    let expected: Vec<u64> = (start + 1..=start + stored.len() as u64).collect();
    assert_eq!(stored, expected, "{room}: the stored seqs have a gap");
    let got: Vec<u64> = seen.events.iter().map(|(_, seq)| *seq).collect();
    assert_eq!(got, stored, "{room}: seen with a gap or a double");
    let epochs: BTreeSet<&str> = seen.events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(epochs, BTreeSet::from([epoch]), "{room}: stream epochs");
}
