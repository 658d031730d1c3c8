//! 5.6-4-2's decision rule for a UART that asks for a login, under the default and under the
//! rule a lab may choose instead.

mod common;
use common::*;
use rstest::rstest;

const DEBUG: &str = "5.6-4-2";

/// A login prompt on a UART reached through a populated header: EN 303 645 5.6-4's example of
/// a disabled UART has none, so the default rule fails it; a lab that accepts a console asking
/// for the unit's own credentials says so in the suite, and the result names the rule.
#[rstest]
#[case::by_default("promptstrict", 96, None, "FAIL")]
#[case::lab_accepts("promptlenient", 97, Some("accept_unique_credentials"), "PASS")]
fn a_uart_login_prompt_follows_the_suite_rule(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] rule: Option<&str>,
    #[case] verdict: &str,
) {
    let dir = TempDir::new(tag);
    let rig = write_rig(&dir.0, subnet, &[&[]]);
    console_on_header(&rig, 1);
    let suite = quick_suite(&dir.0);
    // The shipped suite states the default; without it the default applies all the same.
    let text = std::fs::read_to_string(&suite).unwrap();
    let shipped = "    uart_login_prompt: fail ";
    assert!(text.contains(shipped));
    let chosen = match rule {
        Some(rule) => format!("    uart_login_prompt: {rule} "),
        None => "    # uart_login_prompt left out ".to_string(),
    };
    std::fs::write(&suite, text.replace(shipped, &chosen)).unwrap();
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    let finding = "unit (a) UART `uart` (declared: U-Boot built with bootdelay 0 and no key check; the Linux console asks for the unit's own login) asks for a login once booted, as declared, but a logon prompt is an interface not disabled";
    assert_verdict(
        &run,
        "slot1",
        DEBUG,
        verdict,
        if verdict == "FAIL" { finding } else { "" },
    );
    let (_, _, out) = run.verdict("slot1", DEBUG);
    let stated = match rule {
        None => "decision rule for a UART login prompt: `fail`",
        Some(_) => "decision rule for a UART login prompt: `accept_unique_credentials`",
    };
    assert!(out.contains(stated), "{out}");
}
