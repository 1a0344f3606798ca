//! The built binary in a real pseudo-terminal. tmux runs it at 80×24 on a
//! generated registry. The test adds a patient and a follow-up with the
//! keys a coordinator would press, quits, and reads both back from the
//! registry and its audit log.
//!
//! The test uses its own tmux server socket, so it never touches another
//! tmux session, and skips with a printed reason when tmux is missing.

use std::path::Path;
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// A private tmux server, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tui"]).stdout).into_owned()
    }

    /// Send tmux key names (`Tab`, `C-s`, `Escape`).
    fn keys(&self, names: &[&str]) {
        let mut args = vec!["send-keys", "-t", "tui"];
        args.extend_from_slice(names);
        assert!(self.run(&args).status.success(), "send-keys {names:?}");
    }

    /// Type literal text.
    fn text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "tui", "-l", text])
                .status
                .success(),
            "send-keys -l {text:?}"
        );
    }

    /// Wait until the pane shows `expected`, failing with the pane's text.
    fn wait_for(&self, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let pane = self.capture();
            if pane.contains(expected) {
                return pane;
            }
            assert!(
                Instant::now() < deadline,
                "the pane never showed {expected:?}; it shows:\n{pane}"
            );
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn single_text(conn: &Connection, sql: &str) -> String {
    conn.query_row(sql, [], |row| row.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn add_patient_and_followup_through_keys() {
    if !tmux_available() {
        println!("skipped: tmux is not installed, so the pseudo-terminal test cannot run");
        return;
    }
    let binary = env!("CARGO_BIN_EXE_tace-registry");
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("registry.sqlite");
    let generate = Command::new(binary)
        .args(["generate", "--db"])
        .arg(&db)
        .args(["--patients", "300"])
        .output()
        .expect("generate runs");
    assert!(generate.status.success(), "{generate:?}");

    let tmux = Tmux {
        socket: format!("tace-tui-test-{}", std::process::id()),
    };
    let command = format!(
        "env USER=e2e-tester TERM=xterm-256color '{binary}' --db '{}'; echo \"exit status $?\"; sleep 30",
        db.display()
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "24",
        "-s",
        "tui",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("Patients (300)");

    // A new patient: study id, centre, external flag, treatment, start.
    tmux.text("a");
    tmux.wait_for("New patient");
    tmux.text("E2E-00001");
    tmux.keys(&["Tab"]);
    tmux.text("JLH");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("t");
    tmux.keys(&["Tab"]);
    tmux.text("2021-05-03");
    tmux.keys(&["Tab"]);
    tmux.text("m");
    tmux.keys(&["Tab"]);
    tmux.text("61");
    tmux.keys(&["Tab"]);
    tmux.text("88.5");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Sex");
    tmux.keys(&["C-s"]);
    let pane = tmux.wait_for("Patient E2E-00001 added");
    assert!(pane.contains("88.5 ng/mL"), "{pane}");

    // A follow-up contact from the patient screen.
    tmux.text("f");
    tmux.wait_for("New follow-up of E2E-00001");
    tmux.keys(&["C-u"]);
    tmux.text("2021-08-03");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Vital status");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text("clinic visit");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Follow-up of E2E-00001 on 2021-08-03 (alive) added");

    // Back to the list, then quit: the shell line shows the exit status
    // on the normal screen, so the terminal was restored.
    tmux.text("q");
    tmux.wait_for("Patients (301)");
    tmux.text("q");
    let pane = tmux.wait_for("exit status");
    assert!(pane.contains("exit status 0"), "{pane}");
    assert!(
        !pane.contains("Patients (301)"),
        "alternate screen left:\n{pane}"
    );

    check_registry(&db);
}

fn check_registry(db: &Path) {
    let conn = Connection::open(db).expect("open registry");
    assert_eq!(
        single_text(
            &conn,
            "SELECT treatment || ' ' || treatment_start || ' ' || hsp90a_ng_ml || ' ' || \
             age_years || ' ' || sex FROM patients WHERE study_id = 'E2E-00001'"
        ),
        "tace 2021-05-03 88.5 61 male"
    );
    assert_eq!(
        single_text(
            &conn,
            "SELECT f.contact_date || ' ' || f.status || ' ' || f.note || ' ' || f.entered_by \
             FROM followups f JOIN patients p ON p.id = f.patient_id \
             WHERE p.study_id = 'E2E-00001'"
        ),
        "2021-08-03 alive clinic visit e2e-tester"
    );
    assert_eq!(
        single_text(
            &conn,
            "SELECT group_concat(action || ':' || user, ',') FROM \
             (SELECT action, user FROM audit_log WHERE study_id = 'E2E-00001' ORDER BY id)"
        ),
        "insert_patient:e2e-tester,add_followup:e2e-tester"
    );
}
