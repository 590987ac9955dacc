//! `cuedeck report --server URL --room ROOM [--broadcast ID|last]
//! [--format text|json|csv|html] [--out FILE]`: fetch a broadcast's report
//! and write it out. Exit code 0 done, 1 the server refused or could not
//! be reached, 2 bad arguments or nothing to report.

use std::process::ExitCode;

use crate::cli::{ReportArgs, ReportFormat};
use crate::client::{RestClient, ServerList};
use crate::domain::RoomId;
use crate::report::{self, Report};

pub fn run(args: ReportArgs) -> ExitCode {
    let url = match ServerList::parse(&args.server) {
        Ok(url) => url,
        Err(err) => return fail(2, format!("--server: {err}")),
    };
    if let Some(problem) = crate::domain::ids::id_problem(&args.room) {
        return fail(2, format!("--room: {problem}"));
    }
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => return fail(1, err),
    };
    let client = RestClient::new(url, args.token.clone());
    let room = RoomId::new(args.room.as_str());
    let report = match runtime.block_on(client.report_of(&room, args.broadcast)) {
        Ok(Some(report)) => report,
        Ok(None) => return fail(2, format!("room {room} has had no broadcast yet")),
        Err(err) => return fail(1, err),
    };
    let text = match render(&report, args.format) {
        Ok(text) => text,
        Err(err) => return fail(1, err),
    };
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                eprintln!("cuedeck report: wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(err) => fail(1, format!("cannot write {}: {err}", path.display())),
        },
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// The report in the chosen format.
pub fn render(report: &Report, format: ReportFormat) -> Result<String, String> {
    match format {
        ReportFormat::Text => Ok(report::text::render(report)),
        ReportFormat::Json => serde_json::to_string_pretty(report)
            .map(|json| json + "\n")
            .map_err(|e| e.to_string()),
        ReportFormat::Csv => report::csv::render(report).map_err(|e| e.to_string()),
        ReportFormat::Html => Ok(report::html::render(report)),
    }
}

fn fail(code: u8, problem: impl std::fmt::Display) -> ExitCode {
    eprintln!("cuedeck report: {problem}");
    ExitCode::from(code)
}
