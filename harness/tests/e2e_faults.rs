//! Every FAIL the skeleton can give, seeded in exactly one kind of simulated unit, next to a
//! compliant unit that must stay PASS. Debug interfaces are in e2e_debug.rs, secrets in e2e_secrets.rs.

mod common;
use common::*;
use rstest::rstest;

const PASSWORDS: &str = "5.1-1-2";
const GENERATION: &str = "5.1-2-2";
const BRUTE_FORCE: &str = "5.1-5-2";
const PORTS: &str = "5.6-1-2";
const DISCLOSURE: &str = "5.6-2-2";
const CRYPTO: &str = "5.5-1-2";
const DEBUG: &str = "5.6-4-2";
const ALL: [&str; 7] = [
    PASSWORDS,
    GENERATION,
    BRUTE_FORCE,
    PORTS,
    DISCLOSURE,
    CRYPTO,
    DEBUG,
];

#[rstest]
#[case::universal_password("universal", 31, &["universal-password-after-reset"], &[(PASSWORDS, "mirai-2016.csv entry 6 (user `root`)")])]
#[case::default_label_password("deflabel", 50, &["default-label-password"], &[
    (PASSWORDS, "unit (c) the pre-installed password on the label is a universal default password (mirai-2016.csv entry 8)"),
    (GENERATION, "below the documented minimum 12"),
])]
#[case::mac_derived("macderived", 32, &["mac-derived-password"], &[(GENERATION, "of the unit's MAC address")])]
#[case::serial_derived("serialderived", 41, &["serial-derived-password"], &[(GENERATION, "reversed, of the unit's serial number")])]
#[case::weak_password("weak", 42, &["weak-password"], &[
    (GENERATION, "below the documented minimum 12"),
    (GENERATION, "is guessable: zxcvbn estimates 10^"),
])]
#[case::undeclared_port("port", 33, &["undeclared-port"], &[
    (PORTS, "TCP port 9527 is open but not declared"),
    // The vendor debug service greets anyone with the model and firmware version.
    (DISCLOSURE, "firmware version `1.4.2` in TCP 9527 banner"),
])]
#[case::telnet_enabled("telnet", 34, &["telnet-enabled"], &[
    (PORTS, "`telnet` (TCP 2323) is declared disabled but is open"),
    (PASSWORDS, "TCP 2323 takes a telnet login that IXIT 1 does not declare"),
    // TS 103 701 asks the same in 5.1-5-2 unit (a): network mechanisms missing from IXIT 1.
    (BRUTE_FORCE, "unit (a) TCP 2323 takes a telnet login that IXIT 1 does not declare"),
    (CRYPTO, "`telnet` (TCP 2323) takes a telnet login in clear text (telnet option negotiation)"),
])]
#[case::user_defined_not_enforced("userdefined", 44, &["user-defined-not-enforced"], &[
    (PASSWORDS, "viewer-stream (declared user-defined) accepted an empty password in the factory default state"),
])]
#[case::no_lockout("nolockout", 45, &["no-lockout"], &[
    (BRUTE_FORCE, "wrong passwords evaluated with no lockout or delay; declared lockout after 5 failures for 0.100s, and the right password was accepted right after them"),
])]
#[case::permanent_lockout("permlockout", 46, &["permanent-lockout"], &[
    (BRUTE_FORCE, "web-admin: the right password is still refused 0.300s after the lockout began, more than twice the declared 0.100s"),
    // The universal corpus cannot be completed on a unit that locks for good: not a PASS.
    (PASSWORDS, "INCONCLUSIVE: the lockout did not pass"),
])]
#[case::short_lockout("shortlockout", 113, &["short-lockout"], &[
    (BRUTE_FORCE, "less than half the declared 0.100s"),
])]
#[case::undeclared_udp("udp", 66, &["undeclared-udp"], &[
    (PORTS, "UDP port 1900 (SSDP) answers but is not declared in the profile's services; answer: HTTP/1.1 200 OK"),
])]
#[case::version_in_http_header("serverheader", 67, &["version-in-http-header"], &[
    (DISCLOSURE, "firmware version `1.4.2` in TCP 8080 HTTP GET / (headers and page)"),
    (DISCLOSURE, "firmware version `1.4.2` in TCP 8443 HTTPS GET / (headers and page)"),
])]
#[case::serial_in_ssdp("ssdpserial", 68, &["serial-in-ssdp-description"], &[
    (DISCLOSURE, "serial number `VC100-"),
    (PORTS, "UDP port 1900 (SSDP) answers but is not declared"),
])]
#[case::undeclared_ssh("ssh", 43, &["undeclared-ssh"], &[
    (PASSWORDS, "TCP 2222 takes a SSH login that IXIT 1 does not declare (SSH-2.0-dropbear_2022.83)"),
    (BRUTE_FORCE, "unit (a) TCP 2222 takes a SSH login that IXIT 1 does not declare"),
    (PORTS, "TCP port 2222 is open but not declared"),
    (DISCLOSURE, "software version(s) dropbear 2022.83 in TCP 2222"),
])]
#[case::credentials_over_plain_http("plainhttp", 60, &["credentials-over-plain-http"], &[
    (CRYPTO, "`http` (TCP 8080): the `web-admin` login (POST /api/login) is evaluated over plain HTTP (a random password was rejected)"),
    (CRYPTO, "the `viewer-stream` login (GET /api/stream) is evaluated over plain HTTP"),
])]
#[case::version_in_mdns_txt("mdnstxt", 64, &["version-in-mdns-txt"], &[
    (DISCLOSURE, "firmware version `1.4.2` in UDP 5353 mDNS record: "),
    (DISCLOSURE, "._http._tcp.local: model=VC-100 fw=1.4.2"),
    (PORTS, "UDP port 5353 (mDNS) answers but is not declared"),
])]
#[case::swd_readable("swd", 65, &["swd-readable"], &[
    (DEBUG, "SWD `swd` (declared disabled by: APPROTECT written by the factory programmer; the boot code re-asserts it at every start) is open through a populated header: the probe attached and read flash 0x0+65536 bytes (sha256 "),
])]
#[case::tls_1_0_accepted("tls10", 61, &["tls-1.0-accepted"], &[
    (CRYPTO, "`https` (TCP 8443) accepts TLS 1.0 (negotiated "),
    (CRYPTO, "`https` (TCP 8443) accepts TLS 1.1 (negotiated "),
])]
#[case::client_tls_1_0("clienttls", 123, &["client-tls-1.0"], &[
    (CRYPTO, "the unit, as a client, offers nothing newer than TLS 1.0 to 127.0.123.2:8443 (server name cloud.example)"),
])]
#[case::weak_certificate_key("weakkey", 122, &["weak-certificate-key"], &[
    (CRYPTO, "`https` (TCP 8443)'s certificate key is RSA 1024 bits, below 2048, NIST SP 800-52 Rev. 2's floor"),
])]
fn one_faulty_unit_fails_the_right_cases(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] faults: &[&str],
    #[case] fails: &[(&str, &str)],
) {
    let (_dir, run) = run_rig(tag, subnet, &[&[], faults]);
    assert_eq!(run.code(), 1, "exit status for a FAIL\n{}", run.stdout());
    for case in ALL {
        let expected: Vec<&str> = fails
            .iter()
            .filter(|(c, _)| *c == case)
            .map(|(_, f)| *f)
            .collect();
        if expected.is_empty() {
            assert_verdict(&run, "slot2", case, "PASS", "");
        }
        for finding in expected {
            match finding.strip_prefix("INCONCLUSIVE: ") {
                Some(reason) => assert_verdict(&run, "slot2", case, "INCONCLUSIVE", reason),
                None => assert_verdict(&run, "slot2", case, "FAIL", finding),
            }
        }
        assert_verdict(&run, "slot1", case, "PASS", "");
    }
}

/// A lockout that answers the right password as it answers a wrong one is still a lockout: the
/// right password after the series shows it, and a series of exactly the allowed failures shows
/// it came on time. Its length is measured with the right password all the same.
#[test]
fn a_silent_lockout_is_found_by_the_right_password() {
    let (_dir, run) = run_rig("silentlock", 114, &[&["silent-lockout"]]);
    let (verdict, message, out) = run.verdict("slot1", BRUTE_FORCE);
    assert_eq!(verdict, "PASS", "{message}\n{out}");
    for seen in [
        "web-admin: no lockout answer, but the right password was refused right after ",
        "web-admin: the silent lockout began within 6 failures",
        "web-admin: the lockout lasted ",
    ] {
        assert!(out.contains(seen), "{seen:?} not in {out}");
    }
}

/// A web form that answers 200 to a failed login must not be read as a successful one: the
/// profile's success marker tells them apart, so only a real universal credential is reported.
#[test]
fn a_form_login_that_answers_200_on_failure_gives_no_false_positive() {
    let (_dir, run) = run_rig(
        "form200",
        47,
        &[
            &["form-200-on-failure"],
            &["form-200-on-failure", "universal-password-after-reset"],
        ],
    );
    for case in ALL {
        assert_verdict(&run, "slot1", case, "PASS", "");
    }
    let (verdict, message, _) = run.verdict("slot2", PASSWORDS);
    assert_eq!(verdict, "FAIL");
    assert!(
        message.contains(
            "web-ui accepted the universal credential mirai-2016.csv entry 6 (user `root`)"
        ),
        "{message}"
    );
    assert_eq!(
        message.matches("web-ui accepted").count(),
        1,
        "only the one real universal credential: {message}"
    );
}

#[rstest]
#[case::same_password(
    "same",
    35,
    "same-password",
    PASSWORDS,
    "is the same as on",
    "Vc100Admin24"
)]
#[case::sequential(
    "sequential",
    36,
    "sequential-passwords",
    GENERATION,
    "counter across units",
    "Vc100pw01001"
)]
fn a_pair_of_faulty_units_fails_and_the_third_passes(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] fault: &str,
    #[case] case: &str,
    #[case] finding: &str,
    #[case] known_password: &str,
) {
    let (_dir, run) = run_rig(tag, subnet, &[&[fault], &[fault], &[]]);
    assert_eq!(run.code(), 1);
    assert_verdict(&run, "slot1", case, "FAIL", finding);
    assert_verdict(&run, "slot2", case, "FAIL", finding);
    for any in ALL {
        assert_verdict(&run, "slot3", any, "PASS", "");
        if any != case {
            assert_verdict(&run, "slot1", any, "PASS", "");
        }
    }
    assert_password_never_shown(&run, known_password);
}

/// The label password these faults make known must not appear in JUnit, stdout or any evidence.
fn assert_password_never_shown(run: &Run, password: &str) {
    assert!(!run.stdout().contains(password));
    assert!(!run.stderr().contains(password));
    let mut stack = vec![run.run_dir().canonicalize().unwrap()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                assert!(
                    !text.contains(password),
                    "{} shows the label password",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn universal_credential_is_cited_not_printed() {
    let (_dir, run) = run_rig("citation", 37, &[&["universal-password-after-reset"]]);
    let junit = run.junit_text();
    assert!(junit.contains("mirai-2016.csv entry 6"));
    assert!(
        !junit.contains("xmhdipc"),
        "the corpus password must not appear in JUnit"
    );
    assert!(!run.stdout().contains("xmhdipc"));
}

/// An identifier the manufacturer declares as given out without authentication is reported,
/// not failed.
#[test]
fn a_declared_disclosure_passes_and_is_listed() {
    let dir = TempDir::new("declared-disclosure");
    let text = profile_text().replace(
        "  services:                              # IXIT 13-SoftServ",
        "  disclosed_without_authentication: [firmware_version]\n  services:                              # IXIT 13-SoftServ",
    );
    assert!(text.contains("disclosed_without_authentication"));
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 69, &[&["version-in-http-header"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[DISCLOSURE]);
    let (verdict, message, out) = run.verdict("slot1", DISCLOSURE);
    assert_eq!(verdict, "PASS", "{message}");
    assert!(
        out.contains("declared disclosure: firmware version `1.4.2`"),
        "{out}"
    );
}

/// A unit whose documented API runs over plain HTTP: hilt's onboarding (as the profile says to
/// make it) puts the passwords on the wire readable, and the capture shows it, per packet.
#[test]
fn a_password_that_crosses_the_wire_readable_is_found_in_the_capture() {
    let dir = TempDir::new("clear-password");
    let text = profile_text().replace("service: https", "service: http");
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 63, &[&["credentials-over-plain-http"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[CRYPTO]);
    assert_verdict(
        &run,
        "slot1",
        CRYPTO,
        "FAIL",
        "the packet capture holds one of the unit's passwords readable in",
    );
    let (_, message, _) = run.verdict("slot1", CRYPTO);
    assert!(message.contains("> 127.0.63.1:8080"), "{message}");
}

/// A login whose profile counts 301 as success: the compliant unit's plain port only redirects
/// it to HTTPS, which carries no credential; the unit serving the API in clear still FAILs.
#[test]
fn a_redirect_to_https_is_not_a_login_over_plain_http() {
    let dir = TempDir::new("redirect");
    let text = profile_text();
    let admin = text.find("    - id: web-admin").unwrap();
    let at = admin + text[admin..].find("success_status: [200]").unwrap();
    let variant = format!(
        "{}success_status: [200, 301]{}",
        &text[..at],
        &text[at + "success_status: [200]".len()..]
    );
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, variant).unwrap();
    let rig = write_rig(&dir.0, 102, &[&[], &["credentials-over-plain-http"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[CRYPTO]);
    assert_verdict(&run, "slot1", CRYPTO, "PASS", "");
    assert_verdict(
        &run,
        "slot2",
        CRYPTO,
        "FAIL",
        "the `web-admin` login (POST /api/login) is evaluated over plain HTTP",
    );
    let log = std::fs::read_to_string(run.run_dir().join("samples/slot1/crypto.log")).unwrap();
    assert!(
        log.contains("`web-admin` (POST /api/login) only redirects to https://127.0.102.1:"),
        "{log}"
    );
}

/// A firmware version of three characters is found where it stands as a version (here a
/// `Server:` header's product token), and not wherever its digits happen to occur.
#[test]
fn a_short_firmware_version_is_found_in_context() {
    let dir = TempDir::new("shortversion");
    let original = repo().join("simdevice/firmware/vc100-1.4.2.yaml");
    let text = std::fs::read_to_string(&original).unwrap();
    let firmware = dir.0.join("vc100-2.1.yaml");
    std::fs::write(&firmware, text.replace("version: 1.4.2", "version: 2.1")).unwrap();
    let rig = write_rig(&dir.0, 126, &[&[], &["version-in-http-header"]]);
    let rig_text = std::fs::read_to_string(&rig).unwrap();
    let rig_text = rig_text.replace(
        &original.display().to_string(),
        &firmware.display().to_string(),
    );
    std::fs::write(&rig, rig_text).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DISCLOSURE]);
    assert_verdict(&run, "slot1", DISCLOSURE, "PASS", "");
    assert_verdict(
        &run,
        "slot2",
        DISCLOSURE,
        "FAIL",
        "firmware version `2.1` in TCP",
    );
}

/// A unit whose cloud client opens TLS 1.2 (best practice allows it), held to what IXIT 11
/// declares for the unit as a client: PASS where the profile declares that connection as
/// TLS 1.2, FAIL where it declares TLS 1.3.
#[rstest]
#[case::declared_as_spoken("outbound-ok", 127, r#"["1.2"]"#, "PASS", "")]
#[case::declared_newer("outbound-13", 128, r#"["1.3"]"#, "FAIL",
    "the unit offered at most TLS 1.2 to 127.0.128.1:8443 (server name cloud.example), where IXIT 11 declares TLS 1.3 (`cloud`)")]
fn the_sessions_a_unit_opens_are_held_to_its_declared_outbound_mechanisms(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] versions: &str,
    #[case] verdict: &str,
    #[case] message: &str,
) {
    let dir = TempDir::new(tag);
    let declared = format!(
        "ixit:\n  outbound:                              # IXIT 11-ComMech, the unit as a client\n    - {{ id: cloud, server: cloud.example, port: 8443, tls: {{ versions: {versions} }} }}\n"
    );
    let text = profile_text().replacen("ixit:\n", &declared, 1);
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, subnet, &[&["phone-home-tls-1.2"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[CRYPTO]);
    assert_verdict(&run, "slot1", CRYPTO, verdict, message);
}
