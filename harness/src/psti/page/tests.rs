use super::*;

fn page(status: u16, final_url: &str, body: &str) -> Fetched {
    Fetched {
        url: "https://vendor.example/support".into(),
        final_url: final_url.into(),
        redirects: if final_url == "https://vendor.example/support" {
            vec![]
        } else {
            vec![final_url.into()]
        },
        status: Some(status),
        body: body.as_bytes().to_vec(),
        ..Fetched::default()
    }
}

#[test]
fn a_sign_in_wall_is_named() {
    let open = page(
        200,
        "https://vendor.example/support",
        "<p>Updates until 2030.</p>",
    );
    assert_eq!(barrier(&open), None);
    let denied = page(401, "https://vendor.example/support", "");
    assert!(barrier(&denied).unwrap().contains("401"));
    let redirected = page(
        200,
        "https://vendor.example/account/login?next=/support",
        "",
    );
    assert!(barrier(&redirected).unwrap().contains("sign-in"));
    let form = page(
        200,
        "https://vendor.example/support",
        "<form><input name=p type='password'></form>",
    );
    assert!(barrier(&form).unwrap().contains("password"));
}

#[test]
fn support_periods_are_read_in_the_usual_spellings() {
    let t = text(b"<html><script>var x='2099-01-01'</script><p>Security updates until 31&nbsp;December 2030 (at least five years).</p></html>");
    assert_eq!(
        t,
        "Security updates until 31 December 2030 (at least five years)."
    );
    let d = dates(&t);
    assert_eq!(
        d,
        [StatedDate {
            year: 2030,
            month: 12,
            day: Some(31)
        }]
    );
    assert!(d[0].matches(chrono::NaiveDate::from_ymd_opt(2030, 12, 31).unwrap()));
    assert_eq!(lengths(&t), [Length { months: 60 }]);
    assert_eq!(dates("until 2031-06-30")[0].to_string(), "2031-06-30");
    assert_eq!(dates("until June 30, 2031")[0].to_string(), "2031-06-30");
    assert_eq!(dates("until 30/06/2031")[0].to_string(), "2031-06-30");
    let month_only = dates("supported until June 2031");
    assert_eq!(month_only[0].to_string(), "2031-06");
    assert!(month_only[0].matches(chrono::NaiveDate::from_ymd_opt(2031, 6, 30).unwrap()));
    assert!(dates("call 0800 123 4567").is_empty());
    assert_eq!(lengths("for 36 months"), [Length { months: 36 }]);
}

#[test]
fn contacts_and_timelines_are_quoted() {
    let body = b"<p>Write to <a href='mailto:psirt@vendor.example'>us</a>. We acknowledge reports within 5 working days and send status updates every 30 days.</p>";
    assert!(contact(body).unwrap().contains("psirt@vendor.example"));
    let t = timelines(&text(body));
    assert_eq!(t.len(), 1, "{t:?}");
    assert!(t[0].contains("5 working days"));
    assert!(timelines("We value security.").is_empty());
    assert_eq!(contact(b"no way to reach us"), None);
}

#[test]
fn hostile_pages_do_not_panic() {
    let junk: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 256) as u8).collect();
    let t = text(&junk);
    let _ = (dates(&t), lengths(&t), timelines(&t), contact(&junk));
    let f = page(200, "not a url", &String::from_utf8_lossy(&junk));
    let _ = (barrier(&f), language(&f));
}
