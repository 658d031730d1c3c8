//! What a test case is, as the plan, the run and the reports name it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseSpec {
    /// TS 103 701 test case id.
    pub id: &'static str,
    /// EN 303 645 provision the case belongs to (its ICS row).
    pub provision: &'static str,
    pub title: &'static str,
    /// How the verdict follows from the observations (ISO/IEC 17025 7.8.6), stated in the report.
    pub decision_rule: &'static str,
}
