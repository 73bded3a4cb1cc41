mod support;

use domain::{
    Document, DocumentCommand, DocumentError, DocumentEvent, DocumentFormat, DocumentId, DocumentQuota, DocumentTitle,
    Metadata, Personal, PiiKind, Plan, ProjectId, QuotaCommand, QuotaError, QuotaEvent, TenantId,
};
use support::scenario;
use time::macros::datetime;
use time::OffsetDateTime;
use uuid::Uuid;

const AT: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);
const DOCUMENT: DocumentId = DocumentId::new(Uuid::from_u128(1));
const PROJECT: ProjectId = ProjectId::new(Uuid::from_u128(2));
const TENANT: TenantId = TenantId::new(Uuid::from_u128(3));

fn upload() -> DocumentCommand {
    DocumentCommand::Upload {
        document_id: DOCUMENT,
        project_id: PROJECT,
        tenant_id: TENANT,
        title: DocumentTitle::parse("Guide").unwrap(),
        format: DocumentFormat::PlainText,
        metadata: Metadata::default(),
        content: "Hello".into(),
        bytes: 5,
        pages: 1,
        at: AT,
    }
}

fn uploaded() -> DocumentEvent {
    let subject = DOCUMENT.subject();
    DocumentEvent::DocumentUploaded {
        document_id: DOCUMENT,
        project_id: PROJECT,
        tenant_id: TENANT,
        title: Personal::new(subject.clone(), DocumentTitle::parse("Guide").unwrap()),
        format: DocumentFormat::PlainText,
        metadata: Personal::new(subject.clone(), Metadata::default()),
        content: Personal::new(subject, "Hello".into()),
        bytes: 5,
        pages: 1,
        at: AT,
    }
}

fn record_indexed() -> DocumentCommand {
    DocumentCommand::RecordIndexed { chunks: vec!["Hello".into()], pages: 1, pii: [(PiiKind::Email, 1)].into(), at: AT }
}

fn indexed() -> DocumentEvent {
    DocumentEvent::DocumentIndexed {
        chunks: Personal::new(DOCUMENT.subject(), vec!["Hello".into()]),
        chunk_count: 1,
        pages: 1,
        pii: [(PiiKind::Email, 1)].into(),
        at: AT,
    }
}

#[test]
fn uploading_seals_content_title_and_metadata_under_the_document() {
    scenario::<Document>().given_no_previous_events().when(upload()).then_expect_events(vec![uploaded()]);
}

#[test]
fn uploading_the_same_document_twice_is_refused() {
    scenario::<Document>().given(vec![uploaded()]).when(upload()).then_expect_error(DocumentError::AlreadyExists);
}

#[test]
fn indexing_a_pending_document_records_its_chunks_and_findings() {
    scenario::<Document>().given(vec![uploaded()]).when(record_indexed()).then_expect_events(vec![indexed()]);
}

#[test]
fn a_second_outcome_for_the_same_document_changes_nothing() {
    scenario::<Document>().given(vec![uploaded(), indexed()]).when(record_indexed()).then_expect_events(vec![]);
    scenario::<Document>()
        .given(vec![uploaded(), indexed()])
        .when(DocumentCommand::RecordFailed { reason: "late".into(), at: AT })
        .then_expect_events(vec![]);
}

#[test]
fn an_erased_document_is_not_indexed_afterwards() {
    let erased = DocumentEvent::DocumentErased { at: AT };
    scenario::<Document>().given(vec![uploaded(), erased]).when(record_indexed()).then_expect_events(vec![]);
}

#[test]
fn erasing_is_recorded_once() {
    let erased = DocumentEvent::DocumentErased { at: AT };
    scenario::<Document>()
        .given(vec![uploaded()])
        .when(DocumentCommand::Erase { at: AT })
        .then_expect_events(vec![erased.clone()]);
    scenario::<Document>()
        .given(vec![uploaded(), erased])
        .when(DocumentCommand::Erase { at: AT })
        .then_expect_events(vec![]);
}

#[test]
fn an_unknown_document_cannot_be_indexed_or_erased() {
    scenario::<Document>().given_no_previous_events().when(record_indexed()).then_expect_error(DocumentError::NotFound);
    scenario::<Document>()
        .given_no_previous_events()
        .when(DocumentCommand::Erase { at: AT })
        .then_expect_error(DocumentError::NotFound);
}

fn admitted(documents_total: u64, pages_total: u64) -> QuotaEvent {
    QuotaEvent::DocumentAdmitted { document_id: DOCUMENT, pages: 5, documents_total, pages_total, at: AT }
}

fn admit(pages: u32, plan: Plan) -> QuotaCommand {
    QuotaCommand::Admit { document_id: DOCUMENT, pages, limits: plan.limits(), at: AT }
}

#[test]
fn admitting_a_document_records_the_new_totals() {
    scenario::<DocumentQuota>()
        .given(vec![admitted(1, 5)])
        .when(admit(5, Plan::Free))
        .then_expect_events(vec![admitted(2, 10)]);
}

#[test]
fn free_tier_refuses_the_thousand_and_first_document() {
    scenario::<DocumentQuota>()
        .given(vec![admitted(1_000, 5_000)])
        .when(admit(1, Plan::Free))
        .then_expect_error(QuotaError::Documents { limit: 1_000 });
}

#[test]
fn free_tier_refuses_a_document_that_would_pass_ten_thousand_pages() {
    scenario::<DocumentQuota>()
        .given(vec![admitted(3, 9_998)])
        .when(admit(3, Plan::Free))
        .then_expect_error(QuotaError::Pages { limit: 10_000, used: 9_998, requested: 3 });
    scenario::<DocumentQuota>().given(vec![admitted(3, 9_998)]).when(admit(2, Plan::Free)).then_expect_events(vec![
        QuotaEvent::DocumentAdmitted {
            document_id: DOCUMENT,
            pages: 2,
            documents_total: 4,
            pages_total: 10_000,
            at: AT,
        },
    ]);
}

#[test]
fn releasing_gives_the_allowance_back_and_the_last_event_is_the_state() {
    let released =
        QuotaEvent::DocumentReleased { document_id: DOCUMENT, pages: 5, documents_total: 1, pages_total: 5, at: AT };
    scenario::<DocumentQuota>()
        .given(vec![admitted(1, 5), admitted(2, 10)])
        .when(QuotaCommand::Release { document_id: DOCUMENT, pages: 5, at: AT })
        .then_expect_events(vec![released.clone()]);
    let mut quota = DocumentQuota::default();
    domain::Decide::apply(&mut quota, released);
    assert_eq!(quota, DocumentQuota { documents: 1, pages: 5 });
}

mod metering {
    use domain::{Limit, MeterCommand, MeterError, MeterEvent, RetrievalMeter, UsageMonth};
    use time::macros::datetime;

    use super::*;

    const MONTH: UsageMonth = UsageMonth { year: 2025, month: 3 };

    fn meter(requested: u32, limit: Limit) -> MeterCommand {
        MeterCommand::Meter {
            tenant_id: TENANT,
            month: MONTH,
            requested,
            by_project: [(PROJECT, requested)].into(),
            limit,
            at: AT,
        }
    }

    fn metered(count: u32, total: u64) -> MeterEvent {
        MeterEvent::RetrievalsMetered {
            tenant_id: TENANT,
            month: MONTH,
            count,
            total,
            by_project: [(PROJECT, count)].into(),
            at: AT,
        }
    }

    #[test]
    fn a_batch_is_metered_with_the_running_total() {
        scenario::<RetrievalMeter>()
            .given(vec![metered(10, 4_990)])
            .when(meter(10, Limit::AtMost(5_000)))
            .then_expect_events(vec![metered(10, 5_000)]);
    }

    #[test]
    fn a_batch_that_does_not_fit_is_refused_with_the_room_left() {
        scenario::<RetrievalMeter>()
            .given(vec![metered(10, 4_995)])
            .when(meter(6, Limit::AtMost(5_000)))
            .then_expect_error(MeterError::OverLimit { limit: 5_000, room: 5 });
    }

    #[test]
    fn unlimited_plans_always_have_room() {
        assert_eq!(RetrievalMeter { total: u64::MAX - 1 }.room(Limit::Unlimited), u64::MAX);
    }

    #[test]
    fn the_month_resets_on_the_first_of_the_next_month_in_utc() {
        let december = UsageMonth::of(datetime!(2025-12-31 23:59:59 UTC));
        assert_eq!(december.to_string(), "2025-12");
        assert_eq!(december.resets_at(), datetime!(2026-01-01 0:00 UTC));
        assert_eq!(UsageMonth::of(datetime!(2026-03-01 00:30 +01:00)).to_string(), "2026-02");
    }
}
