//! Menu files: the shipped templates imported into a real server, exported
//! and imported back unchanged; stale files refused; `cuedeck menu` itself.

use crate::support::*;
use cuedeck::menus::client::MenuClient;
use cuedeck::menus::import::{ImportError, ImportOptions, export_file, import_file};
use cuedeck::menus::{MenuFile, MenuSpec, templates};

const TEMPLATE_FILES: [&str; 3] = [
    "config/menus/quick_fun.toml",
    "config/menus/private_energy.toml",
    "config/menus/vip_experience.toml",
];

fn read(path: &str) -> MenuFile {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    MenuFile::parse(path, &std::fs::read_to_string(full).unwrap()).unwrap()
}

/// Without ids and versions, for comparing content.
fn content(menus: &[MenuSpec]) -> Vec<MenuSpec> {
    menus
        .iter()
        .map(|m| {
            let mut m = m.content();
            for item in &mut m.items {
                item.id = None;
            }
            m
        })
        .collect()
}

fn versions(file: &MenuFile) -> Vec<(Option<String>, Option<u64>)> {
    file.menus
        .iter()
        .map(|m| (m.id.clone(), m.version))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_templates_round_trip_through_a_server() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let client = MenuClient::new(t.client(&t.tokens.performer));

    for (i, path) in TEMPLATE_FILES.iter().enumerate() {
        let report = import_file(&client, &room, &read(path), ImportOptions::default())
            .await
            .unwrap();
        assert_eq!(report.len(), 1);
        assert!(
            report[0].starts_with(&format!("created m{}", i + 1)),
            "{report:?}"
        );
    }
    let exported = export_file(&client, &room).await.unwrap();
    assert_eq!(exported.room.as_ref(), Some(&room));
    assert_eq!(content(&exported.menus), content(&templates()));
    assert_eq!(
        versions(&exported),
        [
            (Some("m1".into()), Some(1)),
            (Some("m2".into()), Some(1)),
            (Some("m3".into()), Some(1))
        ]
    );
    // Through TOML text and back.
    let text = exported.to_toml();
    let reread = MenuFile::parse("export.toml", &text).unwrap();
    assert_eq!(reread, exported);

    // Importing the export, or the templates again, changes nothing.
    let report = import_file(&client, &room, &reread, ImportOptions::default())
        .await
        .unwrap();
    assert!(
        report.iter().all(|l| l.starts_with("unchanged")),
        "{report:?}"
    );
    for path in TEMPLATE_FILES {
        let report = import_file(&client, &room, &read(path), ImportOptions::default())
            .await
            .unwrap();
        assert!(report[0].starts_with("unchanged"), "{report:?}");
    }
    assert_eq!(export_file(&client, &room).await.unwrap(), exported);

    // Edit the file: the menus it touches get a new version, item ids stay.
    let mut edited = reread.clone();
    edited.menus[0].multiplier = 80;
    edited.menus[1].items.swap(0, 1);
    edited.menus[1].items[2].id = None; // matched back by title
    let report = import_file(&client, &room, &edited, ImportOptions::default())
        .await
        .unwrap();
    assert!(
        report[0].contains("version 1 -> 2") && report[0].contains("multiplier: 100 -> 80"),
        "{report:?}"
    );
    assert!(report[1].contains("items reordered"), "{report:?}");
    assert!(report[2].starts_with("unchanged"), "{report:?}");
    let after = export_file(&client, &room).await.unwrap();
    assert_eq!(after.menus[1].items[2].id, reread.menus[1].items[2].id);
    assert_eq!(
        content(&after.menus[..1]),
        content(&edited.menus[..1]),
        "the file won"
    );

    // The templates are also served to the console.
    let served = client.templates().await.unwrap().templates;
    assert_eq!(served, templates());
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_file_is_refused_before_anything_changes() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let client = MenuClient::new(t.client(&t.tokens.performer));
    let mut all = read(TEMPLATE_FILES[0]);
    all.menus.extend(read(TEMPLATE_FILES[1]).menus);
    import_file(&client, &room, &all, ImportOptions::default())
        .await
        .unwrap();
    let exported = export_file(&client, &room).await.unwrap();

    // Someone edits menu m2 on the server after the export.
    let mut m2 = client.get(&room, "m2").await.unwrap().to_spec();
    m2.multiplier = 120;
    client.update(&room, "m2", &m2).await.unwrap();

    let mut mine = exported.clone();
    mine.menus[0].multiplier = 50;
    mine.menus[1].multiplier = 90;
    let err = import_file(&client, &room, &mine, ImportOptions::default())
        .await
        .unwrap_err();
    let ImportError::Refused(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("m2") && message.contains("--force"),
        "{message}"
    );
    let now = export_file(&client, &room).await.unwrap();
    assert_eq!(
        versions(&now),
        [(Some("m1".into()), Some(1)), (Some("m2".into()), Some(2))]
    );

    // A dry run reports and changes nothing; --force overwrites.
    let options = ImportOptions {
        force: true,
        dry_run: true,
        prune: false,
    };
    let report = import_file(&client, &room, &mine, options).await.unwrap();
    assert!(report[0].starts_with("would be updated m1"), "{report:?}");
    assert_eq!(export_file(&client, &room).await.unwrap(), now);
    let forced = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    import_file(&client, &room, &mine, forced).await.unwrap();
    let menus = client.list(&room).await.unwrap().menus;
    assert_eq!((menus[0].multiplier, menus[1].multiplier), (50, 90));

    // --prune deletes what the file lacks; into another room, ids are not used.
    let fresh = export_file(&client, &room).await.unwrap();
    let only_first = MenuFile {
        room: Some(room.clone()),
        menus: vec![fresh.menus[0].clone()],
    };
    let prune = ImportOptions {
        prune: true,
        ..ImportOptions::default()
    };
    let report = import_file(&client, &room, &only_first, prune)
        .await
        .unwrap();
    assert_eq!(report.last().unwrap(), "deleted m2 \"Private Energy\"");
    assert_eq!(client.list(&room).await.unwrap().menus.len(), 1);
    let other = MenuClient::new(t.client(&t.tokens.other_performer));
    let report = import_file(
        &other,
        &OTHER_ROOM.into(),
        &only_first,
        ImportOptions::default(),
    )
    .await
    .unwrap();
    assert!(report[0].starts_with("created m1"), "{report:?}");
    t.stop().await;
}

pub(crate) async fn cuedeck(args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(args)
        .env_remove("CUEDECK_SERVER")
        .env_remove("CUEDECK_ROOM")
        .env_remove("CUEDECK_TOKEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn cuedeck_menu_export_import_and_check() {
    let t = TestServer::start().await;
    let url = t.url().to_string();
    let token = t.tokens.performer.clone();
    let target = [
        "--server",
        url.as_str(),
        "--room",
        ROOM,
        "--token",
        token.as_str(),
    ];
    let dir = tempfile::tempdir().unwrap();

    for path in TEMPLATE_FILES {
        let mut args = vec!["menu", "import", path];
        args.extend(target);
        let (code, out, err) = cuedeck(&args).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.starts_with("created"), "{out}");
    }
    let mut args = vec!["menu", "export"];
    args.extend(target);
    let (code, exported, err) = cuedeck(&args).await;
    assert_eq!(code, 0, "{err}");
    let file = MenuFile::parse("stdout", &exported).unwrap();
    assert_eq!(content(&file.menus), content(&templates()));

    // Edit the exported text and import it.
    let edited = exported.replacen("multiplier = 100", "multiplier = 150", 1);
    let path = dir.path().join("menus.toml");
    std::fs::write(&path, &edited).unwrap();
    let path = path.to_str().unwrap().to_string();
    let mut args = vec!["menu", "import", path.as_str()];
    args.extend(target);
    let (code, out, err) = cuedeck(&args).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("updated m1") && out.contains("multiplier: 100 -> 150"),
        "{out}"
    );
    assert_eq!(out.matches("unchanged").count(), 2, "{out}");
    // The same file again is now stale for m1.
    let (code, _, err) = cuedeck(&args).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--force"), "{err}");

    // check: prices without a server; a bad file names the field.
    let (code, out, _) = cuedeck(&["menu", "check", TEMPLATE_FILES[0]]).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("\"Quick Fun\": queue off") && out.contains("35 tokens  Vibe wave"),
        "{out}"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[menus]]\nname = \"X\"\nmultiplier = 200\n").unwrap();
    let (code, _, err) = cuedeck(&["menu", "check", bad.to_str().unwrap()]).await;
    assert_eq!(code, 2);
    assert!(err.contains("menus[0].multiplier"), "{err}");
    // A wrong token is an API error, exit 1.
    let (code, _, err) = cuedeck(&[
        "menu",
        "export",
        "--server",
        &url,
        "--room",
        ROOM,
        "--token",
        "cdk_wrong",
    ])
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("unauthorized"), "{err}");
    t.stop().await;
}
