//! Reads at the interface's scale: 100,000 patients with three contacts
//! each. Building the registry takes about ten seconds, so the test is
//! ignored by default; run it with
//! `cargo test --test registry scale -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use tace_registry::db::{ImportMode, PageRequest, Registry, SortColumn};
use tace_registry::domain::csv::{FollowUpRow, PatientRow};
use tace_registry::domain::{Treatment, VitalStatus};

use crate::common::{date, followup, options, record};

const PATIENTS: usize = 100_000;

/// Limit for one page read, well above the few milliseconds an index walk
/// takes, so that only a full sort or scan per page fails it.
const PAGE_LIMIT: Duration = Duration::from_millis(250);

fn build(registry: &mut Registry) {
    let mut patients = Vec::with_capacity(PATIENTS);
    let mut followups = Vec::with_capacity(3 * PATIENTS);
    for i in 0..PATIENTS {
        let study_id = format!("S{i:06}");
        let mut patient = record(&study_id);
        patient.center = format!("C{}", i % 7);
        patient.treatment = if i % 2 == 0 {
            Treatment::None
        } else {
            Treatment::Tace
        };
        patient.treatment_start = date("2016-01-01") + chrono::Days::new((i % 1800) as u64);
        patient.baseline.hsp90a_ng_ml = Some(10.0 + (i % 490) as f64);
        for month in [2, 5, 9] {
            let day = patient.treatment_start + chrono::Days::new(30 * month);
            let mut contact = followup(&study_id, "2000-01-01", VitalStatus::Alive);
            contact.contact_date = day;
            followups.push(FollowUpRow {
                line: followups.len() as u64 + 2,
                study_id: study_id.clone(),
                followup: Some(contact),
                errors: Vec::new(),
            });
        }
        patients.push(PatientRow {
            line: i as u64 + 2,
            study_id,
            center_external: Some(false),
            record: Some(patient),
            errors: Vec::new(),
        });
    }
    let report = registry
        .import(
            patients,
            followups,
            &options(ImportMode::AllOrNothing, false),
        )
        .unwrap();
    assert!(report.committed, "{:?}", report.rejected_patients.first());
}

#[test]
#[ignore = "builds a registry of 100,000 patients"]
fn pages_of_100k_patients_are_fast() {
    let (_dir, _path, mut registry) = crate::common::new_registry();
    let begin = Instant::now();
    build(&mut registry);
    println!("import of {PATIENTS} patients: {:?}", begin.elapsed());

    let sorts = [
        SortColumn::StudyId,
        SortColumn::Center,
        SortColumn::Treatment,
        SortColumn::TreatmentStart,
        SortColumn::Bclc,
        SortColumn::Hsp90a,
        SortColumn::LastContact,
        SortColumn::Status,
    ];
    for sort in sorts {
        for (descending, offset) in [(false, 0), (true, 0), (false, 50_000)] {
            let request = PageRequest {
                sort,
                descending,
                offset,
                limit: 40,
                ..PageRequest::default()
            };
            let begin = Instant::now();
            let page = registry.patients_page(&request).unwrap();
            let took = begin.elapsed();
            println!("{sort:?} descending={descending} offset={offset}: {took:?}");
            assert_eq!(page.rows.len(), 40);
            assert_eq!(page.total, PATIENTS as u64);
            assert!(took < PAGE_LIMIT, "{sort:?}: {took:?}");
        }
    }

    let filtered = PageRequest {
        filter: "S0999".into(),
        limit: 40,
        ..PageRequest::default()
    };
    let begin = Instant::now();
    let page = registry.patients_page(&filtered).unwrap();
    println!("filtered page: {:?}", begin.elapsed());
    assert_eq!(page.total, 100);
    assert!(begin.elapsed() < PAGE_LIMIT);

    let begin = Instant::now();
    let list = registry.worklist(date("2024-01-01"), 90, 0, 40).unwrap();
    println!("worklist page: {:?}", begin.elapsed());
    assert_eq!(list.rows.len(), 40);
    assert_eq!(list.total, PATIENTS as u64);
    assert!(begin.elapsed() < PAGE_LIMIT);

    let begin = Instant::now();
    let one = registry.patient("S054321").unwrap().unwrap();
    assert_eq!(one.followups.len(), 3);
    assert!(begin.elapsed() < PAGE_LIMIT);
}
