//! The reads other parts build on: a page of the patient list, one patient,
//! the analysis rows as of a cut-off, and the follow-up worklist.

use tace_registry::db::{PageRequest, Registry, SortColumn};
use tace_registry::domain::cutoffs::DAYS_PER_MONTH;
use tace_registry::domain::{Treatment, VitalStatus};

use crate::common::{date, followup, import_valid, new_registry, record};

/// 30 patients P00..P29 in centres A, B and C, every third without TACE,
/// with HSP90α 10·i ng/mL (missing for P00).
fn thirty() -> (tempfile::TempDir, Registry) {
    let (dir, _path, mut registry) = new_registry();
    for i in 0..30 {
        let mut patient = record(&format!("P{i:02}"));
        patient.center = ["A", "B", "C"][i % 3].into();
        patient.treatment = if i % 3 == 0 {
            Treatment::None
        } else {
            Treatment::Tace
        };
        patient.baseline.hsp90a_ng_ml = (i > 0).then_some(10.0 * i as f64);
        registry.insert_patient(&patient, false).unwrap();
    }
    (dir, registry)
}

fn ids(registry: &Registry, request: &PageRequest) -> Vec<String> {
    let page = registry.patients_page(request).unwrap();
    page.rows.into_iter().map(|r| r.study_id).collect()
}

#[test]
fn page_is_limited_and_offset() {
    let (_dir, registry) = thirty();
    let request = PageRequest {
        limit: 10,
        ..PageRequest::default()
    };
    let page = registry.patients_page(&request).unwrap();
    assert_eq!(page.total, 30);
    assert_eq!(page.rows.len(), 10);
    assert_eq!(page.rows[0].study_id, "P00");
    let later = PageRequest {
        offset: 25,
        ..request.clone()
    };
    assert_eq!(ids(&registry, &later), ["P25", "P26", "P27", "P28", "P29"]);
    let beyond = PageRequest {
        offset: 40,
        ..request
    };
    assert!(ids(&registry, &beyond).is_empty());
}

#[test]
fn page_is_sorted_both_ways() {
    let (_dir, registry) = thirty();
    let by_hsp90a = PageRequest {
        sort: SortColumn::Hsp90a,
        descending: true,
        limit: 3,
        ..PageRequest::default()
    };
    assert_eq!(ids(&registry, &by_hsp90a), ["P29", "P28", "P27"]);
    let ascending = PageRequest {
        descending: false,
        ..by_hsp90a
    };
    // A missing value sorts first in ascending order.
    assert_eq!(ids(&registry, &ascending), ["P00", "P01", "P02"]);

    let by_center = PageRequest {
        sort: SortColumn::Center,
        limit: 12,
        ..PageRequest::default()
    };
    let page = registry.patients_page(&by_center).unwrap();
    let centers: Vec<&str> = page.rows.iter().map(|r| r.center.as_str()).collect();
    assert_eq!(centers, [["A"; 10].as_slice(), &["B"; 2]].concat());
    assert_eq!(page.rows[10].study_id, "P01");
    let descending = PageRequest {
        descending: true,
        limit: 2,
        ..by_center
    };
    assert_eq!(ids(&registry, &descending), ["P29", "P26"]);

    let by_treatment = PageRequest {
        sort: SortColumn::Treatment,
        limit: 10,
        ..PageRequest::default()
    };
    let page = registry.patients_page(&by_treatment).unwrap();
    assert!(page.rows.iter().all(|r| r.treatment == Treatment::None));
}

#[test]
fn page_filter_matches_id_or_centre() {
    let (_dir, registry) = thirty();
    let filter = |text: &str| PageRequest {
        filter: text.into(),
        limit: 100,
        ..PageRequest::default()
    };
    assert_eq!(ids(&registry, &filter("p1")).len(), 10);
    let page = registry.patients_page(&filter("c")).unwrap();
    assert_eq!(page.total, 10);
    assert!(page.rows.iter().all(|r| r.center == "C"));
    // LIKE wildcards in the filter are literal text.
    assert_eq!(registry.patients_page(&filter("_")).unwrap().total, 0);
    assert_eq!(registry.patients_page(&filter("%")).unwrap().total, 0);
}

#[test]
fn page_shows_last_contact_and_withdrawal() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    registry.withdraw_patient("P003").unwrap();
    let request = PageRequest {
        sort: SortColumn::LastContact,
        limit: 10,
        ..PageRequest::default()
    };
    let page = registry.patients_page(&request).unwrap();
    let rows: Vec<(&str, Option<String>, Option<VitalStatus>, bool)> = page
        .rows
        .iter()
        .map(|r| {
            let last = r.last_contact_date.map(|d| d.to_string());
            (r.study_id.as_str(), last, r.last_status, r.withdrawn)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("P003", None, None, true),
            (
                "P002",
                Some("2019-05-20".into()),
                Some(VitalStatus::Lost),
                false
            ),
            (
                "P001",
                Some("2020-01-10".into()),
                Some(VitalStatus::Dead),
                false
            ),
            (
                "P004",
                Some("2020-09-30".into()),
                Some(VitalStatus::Alive),
                false
            ),
        ]
    );
}

#[test]
fn one_patient_with_followups() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    let p1 = registry.patient("P001").unwrap().unwrap();
    let dates: Vec<String> = p1
        .followups
        .iter()
        .map(|f| f.followup.contact_date.to_string())
        .collect();
    assert_eq!(dates, ["2019-06-01", "2019-09-15", "2020-01-10"]);
    assert_eq!(p1.followups[0].followup.hsp90a_ng_ml, Some(98.1));
    assert_eq!(p1.row_version, 1);
    assert!(registry.patient("NOBODY").unwrap().is_none());
}

#[test]
fn analysis_rows_respect_the_cutoff() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    registry.withdraw_patient("P003").unwrap();

    let all = registry.analysis_rows(None).unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.record.study_id.as_str()).collect();
    assert_eq!(ids, ["P001", "P002", "P004"]);
    let p1 = &all[0];
    assert!(p1.os.event);
    let days = (date("2020-01-10") - date("2019-03-04")).num_days() as f64;
    assert!((p1.os.months - days / DAYS_PER_MONTH).abs() < 1e-12);

    // On 2019-12-31 P001 was last seen alive on 2019-09-15 and P004 was not
    // yet treated.
    let cutoff = registry.analysis_rows(Some(date("2019-12-31"))).unwrap();
    let ids: Vec<&str> = cutoff.iter().map(|r| r.record.study_id.as_str()).collect();
    assert_eq!(ids, ["P001", "P002"]);
    assert!(!cutoff[0].os.event);
    assert_eq!(cutoff[0].os.end_date, date("2019-09-15"));
    assert_eq!(cutoff[0].record.baseline.hsp90a_ng_ml, Some(120.5));
}

#[test]
fn worklist_lists_overdue_patients_oldest_first() {
    let (_dir, _path, mut registry) = new_registry();
    import_valid(&mut registry);
    let mut late = record("P005");
    late.treatment_start = date("2020-08-01");
    registry.insert_patient(&late, false).unwrap();
    registry.withdraw_patient("P003").unwrap();
    registry
        .add_followup(&followup("P005", "2020-11-01", VitalStatus::Alive), false)
        .unwrap();

    // P001 died; P003 withdrew. P002 was lost on 2019-05-20, P004 seen on
    // 2020-09-30 and P005 on 2020-11-01.
    let today = date("2021-01-01");
    let list = registry.worklist(today, 90, 0, 10).unwrap();
    let rows: Vec<(&str, i64)> = list
        .rows
        .iter()
        .map(|r| (r.study_id.as_str(), r.days_since_contact))
        .collect();
    assert_eq!(rows, [("P002", 592), ("P004", 93)]);
    assert_eq!(list.total, 2);
    assert_eq!(list.rows[0].last_status, Some(VitalStatus::Lost));

    let all_due = registry.worklist(today, 0, 0, 10).unwrap();
    assert_eq!(all_due.total, 3);
    let paged = registry.worklist(today, 0, 1, 1).unwrap();
    assert_eq!(paged.rows.len(), 1);
    assert_eq!(paged.rows[0].study_id, "P004");

    let mut fresh = record("P006");
    fresh.treatment_start = date("2020-12-01");
    registry.insert_patient(&fresh, false).unwrap();
    let with_new = registry.worklist(today, 14, 0, 10).unwrap();
    let entry = with_new.rows.iter().find(|r| r.study_id == "P006").unwrap();
    assert_eq!(entry.last_contact_date, None);
    assert_eq!(entry.days_since_contact, 31);
}
