//! The SQLite schema's migrations, each a numbered step; a PostgreSQL
//! database starts at their sum (`pg_schema.rs`).

/// Migrations in order; the schema version is how many have run.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the command log, double-entry postings, items and the event log.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- Every accepted command, in order; replaying it rebuilds the engine.
    -- A keyed command's row is also its idempotency record.
    CREATE TABLE commands (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        room        TEXT,
        idem_key    TEXT,
        body        TEXT NOT NULL,
        reply       TEXT NOT NULL
    );
    CREATE INDEX commands_idem_key ON commands(idem_key) WHERE idem_key IS NOT NULL;
    -- Two rows per transfer (debit negative, credit positive): every
    -- transfer sums to zero, and so does every unit.
    CREATE TABLE postings (
        id          INTEGER PRIMARY KEY,
        command_id  INTEGER NOT NULL REFERENCES commands(id),
        transfer_no INTEGER NOT NULL,
        account     TEXT NOT NULL,
        unit        TEXT NOT NULL,
        amount      INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        item        INTEGER,
        idem_key    TEXT
    );
    CREATE INDEX postings_account ON postings(account);
    CREATE INDEX postings_item ON postings(item) WHERE item IS NOT NULL;
    CREATE TABLE items (
        id         INTEGER PRIMARY KEY,
        room       TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        state      TEXT NOT NULL,
        token_cost INTEGER NOT NULL,
        settled    INTEGER NOT NULL DEFAULT 0,
        refunded   INTEGER NOT NULL DEFAULT 0,
        view       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX items_room_state ON items(room, state);
    -- Every event with its room sequence number, for resume.
    CREATE TABLE events (
        room       TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        type       TEXT NOT NULL,
        body       TEXT NOT NULL,
        command_id INTEGER NOT NULL,
        PRIMARY KEY (room, seq)
    ) WITHOUT ROWID;
    ",
    // 2: API tokens, kept only as hashes.
    "
    CREATE TABLE tokens (
        hash       TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        scope      TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    ",
    // 3: chip menus (src/menus/store.rs). Every version of every
    // menu, append-only: a menu's latest row is its current state, a NULL
    // body marks its deletion. And each room's subscribers, who see its
    // subscribers_only menus. Menus hold no money: purchases go through the
    // command log like every other intake.
    "
    CREATE TABLE menu_versions (
        room        TEXT NOT NULL,
        menu        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        changed_by  TEXT NOT NULL,
        change_kind TEXT NOT NULL,
        body        TEXT,
        PRIMARY KEY (room, menu, version)
    ) WITHOUT ROWID;
    CREATE TABLE menu_subscribers (
        room       TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        at         INTEGER NOT NULL,
        added_by   TEXT NOT NULL,
        PRIMARY KEY (room, user_id)
    ) WITHOUT ROWID;
    ",
    // 4: a closed item's whole record (view, audit), written when it
    // closes: the engine keeps only its facts from then on. Items closed
    // before this migration are filled in by the next rebuild.
    "
    ALTER TABLE items ADD COLUMN record TEXT;
    ",
    // 5: items by their source event. The engine recognises the source
    // events of its retention window; older ones are looked up here.
    "
    CREATE INDEX items_source_event
        ON items(json_extract(view, '$.sourceEventId'), json_extract(view, '$.source'));
    ",
    // 6: the moderation log: every ban, unban, pause, resume, kill switch
    // and moderation refund, written in the transaction of the command
    // that did it. Bans, pauses and switches themselves are engine state,
    // rebuilt from the command log like everything else.
    "
    CREATE TABLE moderation_log (
        id          INTEGER PRIMARY KEY,
        command_id  INTEGER NOT NULL REFERENCES commands(id),
        at          INTEGER NOT NULL,
        room        TEXT,
        action      TEXT NOT NULL,
        actor_role  TEXT NOT NULL,
        actor_token TEXT NOT NULL,
        target      TEXT,
        body        TEXT NOT NULL
    );
    CREATE INDEX moderation_log_room ON moderation_log(room, id);
    CREATE INDEX moderation_log_target ON moderation_log(target, id) WHERE target IS NOT NULL;
    ",
    // 7: the slot machine and the spin wheel (src/store/games.rs). Every
    // version of each room's game configuration (append-only); every
    // server seed, secret until revealed; viewers' chosen client seeds;
    // and each spin's audit record, written in the commit of its intake
    // (no index beyond the spin id: read by viewer only once, at start).
    "
    CREATE TABLE game_versions (
        room        TEXT NOT NULL,
        game        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        changed_by  TEXT NOT NULL,
        body        TEXT NOT NULL,
        PRIMARY KEY (room, game, version)
    ) WITHOUT ROWID;
    CREATE TABLE game_seeds (
        room         TEXT NOT NULL,
        game         TEXT NOT NULL,
        commitment   TEXT NOT NULL,
        seed         TEXT NOT NULL,
        committed_at INTEGER NOT NULL,
        revealed_at  INTEGER,
        PRIMARY KEY (room, game, commitment)
    ) WITHOUT ROWID;
    CREATE TABLE game_client_seeds (
        room        TEXT NOT NULL,
        game        TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (room, game, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE game_spins (
        spin_id    TEXT PRIMARY KEY,
        room       TEXT NOT NULL,
        game       TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        commitment TEXT NOT NULL,
        nonce      INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        record     TEXT NOT NULL,
        command_id INTEGER NOT NULL REFERENCES commands(id)
    );
    ",
    // 8: a spin's record in columns instead of a JSON text beside copies
    // of its fields, keyed by its queue item: each spin's row is about half
    // the size, is appended in order rather than also filed under a random
    // spin id, and is written without serializing. A spin is found by its
    // id through its item (the spin id is the item's source event).
    "
    CREATE TABLE game_spins_by_item (
        item           INTEGER PRIMARY KEY,
        spin_id        TEXT NOT NULL,
        room           TEXT NOT NULL,
        game           TEXT NOT NULL,
        user_id        TEXT NOT NULL,
        commitment     TEXT NOT NULL,
        nonce          INTEGER NOT NULL,
        at             INTEGER NOT NULL,
        command_id     INTEGER NOT NULL REFERENCES commands(id),
        tier           INTEGER NOT NULL,
        cost           INTEGER NOT NULL,
        client_seed    TEXT NOT NULL,
        config_version INTEGER NOT NULL,
        config_hash    TEXT NOT NULL,
        total          INTEGER NOT NULL,
        words          TEXT NOT NULL,
        value          INTEGER NOT NULL,
        prize_id       INTEGER NOT NULL,
        prize_rank     INTEGER NOT NULL
    );
    INSERT INTO game_spins_by_item
    SELECT i.id, s.spin_id, s.room, s.game, s.user_id, s.commitment, s.nonce, s.at,
           s.command_id, s.record ->> '$.tier', s.record ->> '$.cost',
           s.record ->> '$.clientSeed', s.record ->> '$.configVersion',
           s.record ->> '$.configHash', s.record ->> '$.total', s.record -> '$.words',
           s.record ->> '$.value', s.record ->> '$.prizeId', s.record ->> '$.prizeRank'
    FROM game_spins s
    JOIN items i ON json_extract(i.view, '$.sourceEventId') = s.spin_id
                AND json_extract(i.view, '$.source') = s.game;
    DROP TABLE game_spins;
    ALTER TABLE game_spins_by_item RENAME TO game_spins;
    ",
    // 9: a revoked API token keeps its row (the moderation log names its
    // id) and is refused from the moment it is revoked.
    "
    ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
    ",
    // 10: broadcasts as records (src/store/broadcasts.rs): each start to its
    // end, and the facts of each broadcast's items that its report groups
    // by, kept in step by the writer with the events. Filled here from the
    // event log and the items of an older database.
    "
    CREATE TABLE broadcasts (
        id         INTEGER PRIMARY KEY,
        room       TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at   INTEGER,
        start_seq  INTEGER NOT NULL,
        end_seq    INTEGER
    );
    CREATE INDEX broadcasts_room ON broadcasts(room, id);
    -- The room's open broadcast, found at every intake without a scan.
    CREATE UNIQUE INDEX broadcasts_open ON broadcasts(room) WHERE ended_at IS NULL;
    CREATE TABLE broadcast_items (
        broadcast     INTEGER NOT NULL,
        item          INTEGER NOT NULL,
        user_id       TEXT NOT NULL,
        source        TEXT NOT NULL,
        title         TEXT NOT NULL,
        state         TEXT NOT NULL,
        token_cost    INTEGER NOT NULL,
        settled       INTEGER NOT NULL DEFAULT 0,
        refunded      INTEGER NOT NULL DEFAULT 0,
        refund_reason TEXT,
        closed_at     INTEGER,
        points        INTEGER NOT NULL DEFAULT 0,
        tip_level     TEXT,
        tip_ms        INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (broadcast, item)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX broadcast_items_item ON broadcast_items(item);
    INSERT INTO broadcasts (room, started_at, ended_at, start_seq, end_seq)
    SELECT s.room, s.at, e.at, s.seq, e.seq
    FROM events s
    LEFT JOIN events e ON e.room = s.room AND e.seq = (
        SELECT min(x.seq) FROM events x
        WHERE x.room = s.room AND x.type = 'broadcast_ended' AND x.seq > s.seq)
    WHERE s.type = 'broadcast_started'
    ORDER BY s.at, s.room, s.seq;
    INSERT INTO broadcast_items (broadcast, item, user_id, source, title, state, token_cost,
                                 settled, refunded, closed_at, points, tip_level, tip_ms)
    SELECT b.id, i.id, i.user_id, i.view ->> '$.source', coalesce(i.view ->> '$.action.title', ''),
           i.state, i.token_cost, i.settled, i.refunded,
           CASE WHEN i.state IN ('finished', 'refunded') THEN i.updated_at END,
           coalesce(i.view ->> '$.loyaltyPoints', 0),
           i.view ->> '$.tip.label', coalesce(i.view ->> '$.tip.durationMs', 0)
    FROM events q
    JOIN items i ON i.id = q.body ->> '$.item.id'
    JOIN broadcasts b ON b.room = q.room AND b.start_seq < q.seq
                     AND (b.end_seq IS NULL OR q.seq < b.end_seq)
    WHERE q.type IN ('item_queued', 'instant_settled', 'tip_queued');
    UPDATE broadcast_items SET refund_reason = r.reason
    FROM (SELECT body ->> '$.item' AS item, body ->> '$.reason' AS reason
          FROM events WHERE type = 'item_refunded') AS r
    WHERE broadcast_items.item = r.item;
    ",
    // 11: every version of each room's tip levels (src/store/tip_levels.rs),
    // append-only like the menus' and games' versions. The lane itself is
    // engine state in the command log; a tip fixes its matched level in
    // its item, so these rows are only what future tips are matched by.
    // And each room's imported patterns (src/store/patterns.rs): Lovense
    // pattern files by name, which the levels may name.
    "
    CREATE TABLE tip_level_versions (
        room        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        changed_by  TEXT NOT NULL,
        body        TEXT NOT NULL,
        PRIMARY KEY (room, version)
    ) WITHOUT ROWID;
    CREATE TABLE room_patterns (
        room        TEXT NOT NULL,
        name        TEXT NOT NULL,
        text        TEXT NOT NULL,
        at          INTEGER NOT NULL,
        changed_by  TEXT NOT NULL,
        PRIMARY KEY (room, name)
    ) WITHOUT ROWID;
    ",
    // 12: spins listed by room and game (and by server seed within them)
    // and by viewer, each in spin order (the queue item, the row id); every
    // spin row already holds its stamp (`at`, since 7), so older spins list
    // with their stamps too.
    "
    CREATE INDEX game_spins_room ON game_spins(room, game);
    CREATE INDEX game_spins_user ON game_spins(user_id);
    ",
    // 13: loyalty points history (src/store/points.rs), one row per line a
    // viewer or a performer sees, written in the command's own transaction
    // beside its postings. Pages walk an index by id, so a page costs the
    // same however long the history is.
    "
    CREATE TABLE points_entries (
        id           INTEGER PRIMARY KEY,
        command_id   INTEGER NOT NULL REFERENCES commands(id),
        at           INTEGER NOT NULL,
        kind         TEXT NOT NULL,
        user_id      TEXT,
        performer    TEXT,
        room         TEXT,
        item         INTEGER,
        amount       INTEGER NOT NULL,
        source       TEXT NOT NULL,
        reason       TEXT NOT NULL,
        source_event TEXT,
        ticket       TEXT,
        idem_key     TEXT,
        body         TEXT NOT NULL
    );
    CREATE INDEX points_entries_user ON points_entries(user_id, id) WHERE user_id IS NOT NULL;
    CREATE INDEX points_entries_performer ON points_entries(performer, id) WHERE performer IS NOT NULL;
    CREATE INDEX points_entries_source_event ON points_entries(source_event) WHERE source_event IS NOT NULL;
    ",
    // 14: private messages and their delivery (src/store/messages.rs): the
    // queue's, inserted by the writer in the commit of their event; the
    // performer's replies, inserted by the delivery service. `seq` numbers
    // a viewer's inbox once a message is first sent.
    "
    CREATE TABLE messages (
        id            INTEGER PRIMARY KEY,
        room          TEXT NOT NULL,
        viewer        TEXT NOT NULL,
        tier          TEXT NOT NULL,
        kind          TEXT NOT NULL,
        key           TEXT,
        mood          TEXT,
        vars          TEXT,
        text          TEXT,
        created_at    INTEGER NOT NULL,
        event_seq     INTEGER,
        status        TEXT NOT NULL DEFAULT 'pending',
        priority      INTEGER,
        due_at        INTEGER,
        seq           INTEGER,
        attempts      INTEGER NOT NULL DEFAULT 0,
        next_at       INTEGER,
        last_error    TEXT,
        reason        TEXT,
        sent_at       INTEGER,
        delivered_at  INTEGER,
        read_at       INTEGER,
        failed_at     INTEGER
    );
    CREATE UNIQUE INDEX messages_inbox ON messages (viewer, seq) WHERE seq IS NOT NULL;
    CREATE INDEX messages_open ON messages (status) WHERE status IN ('pending', 'sent');
    CREATE INDEX messages_room ON messages (room, created_at);
    ",
];
