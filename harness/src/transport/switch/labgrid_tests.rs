//! labgrid's power and button through a real coordinator and exporter: each place's power port
//! is a relay speaking labgrid's `simplerest` API (served here), and its reset output an
//! `HttpDigitalOutput` on the same server.

use super::*;
use crate::config::power::{LabgridButton as ButtonConfig, LabgridPower};
use crate::transport::labgrid::hold::Hold;
use crate::transport::labgrid::test_lab::TestLab;
use crate::transport::switch::relay_tests::{
    bench_error, hang_is_bench_error, serve, switches_both_ways, Answer,
};
use crate::transport::switch::{read_back::ReadBack, Action, Switch};
use std::sync::{Arc, Mutex};

/// `simplerest`: GET /relay/0/1|0 switches, GET /relay/0 reads `1` or `0`. A stuck relay
/// answers every order and never changes; a locked one answers 401. PUT /button takes the
/// output's body, kept in `pressed`.
async fn relay(kind: &'static str, pressed: Arc<Mutex<Vec<String>>>) -> String {
    let on = Arc::new(Mutex::new(false));
    serve(Arc::new(move |method, path, _| {
        if kind == "locked" {
            return Answer::status(401, "unauthorized");
        }
        let mut on = on.lock().unwrap();
        match (method, path) {
            ("GET", "/relay/0/1") if kind != "stuck" => *on = true,
            ("GET", "/relay/0/0") if kind != "stuck" => *on = false,
            ("GET", "/relay/0") => return Answer::json(if *on { "1" } else { "0" }),
            ("PUT", "/button") => pressed.lock().unwrap().push("put".into()),
            _ => {}
        }
        Answer::json("ok")
    }))
    .await
}

fn group(name: &str, relay: &str) -> String {
    format!("{name}:\n  NetworkPowerPort:\n    model: simplerest\n    host: 'http://{relay}/relay/{{index}}/{{value}}'\n    index: 0\n  reset:\n    cls: HttpDigitalOutput\n    url: 'http://{relay}/button'\n    body_asserted: '1'\n    body_deasserted: '0'\n")
}

fn power(lab: &TestLab, place: &str) -> ReadBack<LabgridSwitch> {
    ReadBack(LabgridSwitch(LabgridPower {
        place: Some(place.into()),
        coordinator: Some(lab.at.clone()),
        resource: None,
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn labgrid_power_switches_reads_back_and_its_failures_are_the_benchs() {
    let pressed = Arc::new(Mutex::new(Vec::new()));
    let mut lab = TestLab::start("labgrid-power");
    let mut config = String::new();
    for kind in ["good", "stuck", "locked"] {
        config.push_str(&group(kind, &relay(kind, pressed.clone()).await));
    }
    let hung = crate::transport::switch::relay_tests::hung().await;
    config.push_str(&group("hung", &hung));
    lab.export(&config, "hung/NetworkPowerPort");
    let c = lab.coordinator();
    let mut holds = Vec::new();
    for place in ["good", "stuck", "locked", "hung"] {
        for args in [
            vec!["-p", place, "create"],
            vec!["-p", place, "add-match", &format!("*/{place}/*")],
        ] {
            assert!(lab.client(&args).status.success(), "{args:?}");
        }
        holds.push(Hold::acquire(&c, place).unwrap());
    }

    switches_both_ways(&power(&lab, "good")).await;
    bench_error(&power(&lab, "stuck"), "still reads back off").await;
    bench_error(&power(&lab, "locked"), "401").await;
    hang_is_bench_error(&power(&lab, "hung")).await;

    let button = LabgridButtonSwitch(ButtonConfig {
        place: Some("good".into()),
        coordinator: Some(lab.at.clone()),
        output: Some("reset".into()),
    });
    button
        .actuate(Action::Press(std::time::Duration::from_millis(100)))
        .await
        .unwrap();
    assert_eq!(pressed.lock().unwrap().len(), 2, "high, then low");
    let e = power(&lab, "nowhere")
        .actuate(Action::PowerOn)
        .await
        .unwrap_err();
    assert_eq!(e.cause(), crate::model::verdict::Cause::Bench, "{e}");
    drop(holds);
}
