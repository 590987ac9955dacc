//! What Lovense's published Standard API ("by local application",
//! github.com/lovense/Standard_solutions and developer.lovense.com) defines,
//! as a checker the fake app runs on every body: anything else is refused
//! with the documented code, so a test cannot pass on a request a real app
//! would not take.

use serde_json::{Map, Value};

/// The published `Function` actions and their ranges.
const ACTIONS: &[(&str, u32)] = &[
    ("Vibrate", 20),
    ("Rotate", 20),
    ("Pump", 3),
    ("Thrusting", 20),
    ("Fingering", 20),
    ("Suction", 20),
    ("Depth", 3),
    ("Stroke", 100),
    ("Oscillate", 20),
    ("All", 20),
];

const PRESETS: &[&str] = &["pulse", "wave", "fireworks", "earthquake"];

/// A toy the fake app knows: its id, whether connected, and the functions
/// it lists (`fullFunctionNames`).
pub struct KnownToy {
    pub id: &'static str,
    pub connected: bool,
    pub functions: &'static [&'static str],
}

/// `None` when the body is a request the published API defines for these
/// toys; else the documented error code and why.
pub fn refusal(body: &str, toys: &[KnownToy]) -> Option<(i64, String)> {
    let bad = |code: i64, why: &str| Some((code, format!("{why}: {body}")));
    let Ok(Value::Object(req)) = serde_json::from_str::<Value>(body) else {
        return bad(400, "not a JSON object");
    };
    let command = req.get("command").and_then(Value::as_str).unwrap_or("");
    let allowed: &[&str] = match command {
        "GetToys" => return (req.len() != 1).then(|| (404, format!("extra fields: {body}"))),
        "Function" => &[
            "command",
            "action",
            "timeSec",
            "loopRunningSec",
            "loopPauseSec",
            "toy",
            "stopPrevious",
            "apiVer",
        ],
        "Preset" => &["command", "name", "timeSec", "toy", "apiVer"],
        "Pattern" => &["command", "rule", "strength", "timeSec", "toy", "apiVer"],
        _ => return bad(400, "no such command"),
    };
    if let Some(k) = req.keys().find(|k| !allowed.contains(&k.as_str())) {
        return bad(404, &format!("undocumented field {k}"));
    }
    // "Always use 1"; for Pattern "Always use 2".
    let api_ver = if command == "Pattern" { 2 } else { 1 };
    if req.get("apiVer").and_then(Value::as_i64) != Some(api_ver) {
        return bad(404, &format!("apiVer must be {api_ver}"));
    }
    match req.get("timeSec").and_then(Value::as_f64) {
        Some(t) if t == 0.0 || t > 1.0 => {}
        _ => return bad(404, "timeSec must be 0 or more than 1"),
    }
    let toy = match req.get("toy").and_then(Value::as_str) {
        None => None,
        Some(id) => match toys.iter().find(|t| t.id == id) {
            None => return bad(401, "toy not found"),
            Some(t) if !t.connected => return bad(402, "toy not connected"),
            Some(t) => Some(t),
        },
    };
    match command {
        "Function" => function(&req, toy).map(|why| (404, format!("{why}: {body}"))),
        "Preset" => {
            let name = req.get("name").and_then(Value::as_str).unwrap_or("");
            (!PRESETS.contains(&name)).then(|| (404, format!("no preset {name:?}: {body}")))
        }
        _ => pattern(&req).map(|why| (404, format!("{why}: {body}"))),
    }
}

fn function(req: &Map<String, Value>, toy: Option<&KnownToy>) -> Option<String> {
    let action = req.get("action").and_then(Value::as_str)?;
    if action == "Stop" {
        return (req.get("timeSec").and_then(Value::as_f64) != Some(0.0))
            .then(|| "Stop is sent with timeSec 0".to_owned());
    }
    for part in action.split(',') {
        let Some((name, level)) = part.split_once(':') else {
            return Some(format!("action {part:?} has no level"));
        };
        let Ok(level) = level.parse::<u32>() else {
            return Some(format!("level {level:?} is no number"));
        };
        let max = match ACTIONS.iter().find(|(a, _)| *a == name) {
            Some((_, max)) => *max,
            // Per-motor actions only where the app lists them for the toy.
            None if toy.is_some_and(|t| t.functions.contains(&name)) => 20,
            None => return Some(format!("undocumented action {name}")),
        };
        if level > max {
            return Some(format!("{name} {level} is beyond 0..={max}"));
        }
    }
    None
}

/// `rule` `V:1;F:<features>;S:<ms>#` (features v, r, p, t, f, s, comma
/// separated, or none for every function; steps of 100 ms or more),
/// `strength` 1 to 50 values of 0..=20 separated by `;`.
fn pattern(req: &Map<String, Value>) -> Option<String> {
    let rule = req.get("rule").and_then(Value::as_str).unwrap_or("");
    let parts = rule
        .strip_prefix("V:1;F:")
        .and_then(|r| r.strip_suffix('#'))
        .and_then(|r| r.split_once(";S:"));
    let Some((features, ms)) = parts else {
        return Some(format!("rule {rule:?} is not V:1;F:..;S:..#"));
    };
    if !features.is_empty()
        && features
            .split(',')
            .any(|f| !["v", "r", "p", "t", "f", "s"].contains(&f))
    {
        return Some(format!("rule {rule:?}: unknown feature"));
    }
    if ms.parse::<u32>().map_or(true, |ms| ms < 100) {
        return Some(format!("rule {rule:?}: steps must be 100 ms or more"));
    }
    let strength = req.get("strength").and_then(Value::as_str).unwrap_or("");
    let steps: Vec<_> = strength.split(';').collect();
    if steps.len() > 50
        || steps
            .iter()
            .any(|s| s.parse::<u32>().map_or(true, |v| v > 20))
    {
        return Some(format!("strength {strength:?}: 1 to 50 steps of 0..=20"));
    }
    None
}

#[test]
fn the_checker_refuses_what_the_api_does_not_define() {
    let toys = [
        KnownToy {
            id: "a",
            connected: true,
            functions: &["Vibrate1", "Vibrate2"],
        },
        KnownToy {
            id: "b",
            connected: false,
            functions: &[],
        },
    ];
    let f = |action: &str, t: u32, toy: &str| {
        format!(
            r#"{{"command":"Function","action":"{action}","timeSec":{t},"toy":"{toy}","stopPrevious":1,"apiVer":1}}"#
        )
    };
    assert_eq!(refusal(&f("Vibrate:20,Rotate:3", 2, "a"), &toys), None);
    assert_eq!(refusal(&f("Vibrate1:20,Vibrate2:3", 2, "a"), &toys), None);
    assert_eq!(refusal(&f("Stop", 0, "a"), &toys), None);
    assert_eq!(refusal(r#"{"command":"GetToys"}"#, &toys), None);
    let code = |body: &str| refusal(body, &toys).map(|(c, _)| c);
    assert_eq!(code(&f("Vibrate:21", 2, "a")), Some(404));
    assert_eq!(code(&f("Pump:4", 2, "a")), Some(404));
    assert_eq!(code(&f("Vibrate:5", 1, "a")), Some(404));
    assert_eq!(code(&f("Stop", 2, "a")), Some(404));
    assert_eq!(code(&f("Vibrate:5", 2, "b")), Some(402));
    assert_eq!(code(&f("Vibrate:5", 2, "zz")), Some(401));
    assert_eq!(code(&f("Air:Level:2", 2, "a")), Some(404));
    assert_eq!(code(r#"{"command":"Mply"}"#), Some(400));
    assert_eq!(
        code(r#"{"command":"Preset","name":"pulse","timeSec":2,"apiVer":1}"#),
        None
    );
    assert_eq!(
        code(r#"{"command":"Preset","name":"zap","timeSec":2,"apiVer":1}"#),
        Some(404)
    );
    let p = |rule: &str, strength: &str, t: f64, ver: u32| {
        format!(
            r#"{{"command":"Pattern","rule":"{rule}","strength":"{strength}","timeSec":{t},"toy":"a","apiVer":{ver}}}"#
        )
    };
    // The documented examples.
    assert_eq!(code(&p("V:1;F:v;S:1000#", "20;20;5;20;10", 9.0, 2)), None);
    assert_eq!(
        code(&p("V:1;F:v,r,p;S:100#", "20;20;5;20;10", 9.0, 2)),
        None
    );
    assert_eq!(code(&p("V:1;F:;S:100#", "1;2", 0.0, 2)), None);
    let fifty = vec!["7"; 50].join(";");
    assert_eq!(code(&p("V:1;F:v;S:100#", &fifty, 2.0, 2)), None);
    // Malformed.
    assert_eq!(code(&p("V:1;F:v;S:100#", "20;5", 2.0, 1)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:50#", "20;5", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:100", "20;5", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:2;F:v;S:100#", "20;5", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:x;S:100#", "20;5", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:100#", "21;5", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:100#", "", 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:100#", "5,6", 2.0, 2)), Some(404));
    let fifty_one = vec!["7"; 51].join(";");
    assert_eq!(code(&p("V:1;F:v;S:100#", &fifty_one, 2.0, 2)), Some(404));
    assert_eq!(code(&p("V:1;F:v;S:100#", "20;5", 1.0, 2)), Some(404));
    assert_eq!(
        code(&p("V:1;F:v;S:100#", "20;5", 2.0, 2).replace(r#""toy":"a""#, r#""toy":"b""#)),
        Some(402)
    );
}
