//! hilt-simdevice: one simulated unit of a small IP camera, reached only through real OS
//! interfaces (a pty UART, sockets on its own loopback address, a control socket).

mod args;
mod bootloader;
mod cloud;
mod control;
mod diagnostics;
mod firmware;
mod hostile;
mod http;
mod http_auth;
mod make_image;
mod manufacture;
mod net;
mod password_change;
mod session;
mod settings;
mod ssh;
mod swd;
mod tls;
mod uart;
mod unit;
mod update;
mod updater;
mod vendor_site;
mod xmodem;

use args::{parse_args, Args};
use firmware::{Fault, Firmware};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::task::{JoinHandle, JoinSet};
use unit::Unit;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("vendor-site") {
        std::process::exit(vendor_site::main(std::env::args().skip(2).collect()));
    }
    if std::env::args().nth(1).as_deref() == Some("make-image") {
        std::process::exit(make_image::main(std::env::args().skip(2).collect()));
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    // A unit must not outlive the bench that started it.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(args)) {
        eprintln!("hilt-simdevice: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.firmware)
        .map_err(|e| format!("{}: {e}", args.firmware.display()))?;
    let mut fw: Firmware =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", args.firmware.display()))?;
    if let Some(ms) = args.boot_delay_ms {
        fw.boot_delay = std::time::Duration::from_millis(ms);
    }
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir.display()))?;
    let label = manufacture::manufacture(&fw, args.unit, &args.faults);
    let label_yaml = format!(
        "serial: {}\nmac: \"{}\"\nhostname: {}\nusername: {}\npassword: \"{}\"\n",
        label.serial, label.mac, label.hostname, label.username, label.password
    );
    std::fs::write(args.dir.join("label.yaml"), label_yaml).map_err(|e| e.to_string())?;

    let uart = uart::open(&args.dir.join("uart"), tokio::runtime::Handle::current())
        .map_err(|e| format!("uart: {e}"))?;
    // A second populated header, silent unless the firmware starts a console on it.
    let header = uart::open(
        &args.dir.join("uart-debug"),
        tokio::runtime::Handle::current(),
    )
    .map_err(|e| format!("uart-debug: {e}"))?;
    let control =
        control::listen(&args.dir.join("control")).map_err(|e| format!("control socket: {e}"))?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut version = fw.version.clone();
    if args.hostile.contains(&hostile::Hostile::UnsafeText) {
        version.push_str(&hostile::version_suffix());
    }
    let installed = update::Installed {
        version,
        counter: fw.security_counter,
        bricked: false,
    };
    let unit = Arc::new(Unit {
        fw,
        label,
        faults: args.faults,
        hostile: args.hostile,
        address: args.address,
        address6: args.address6,
        installed: Mutex::new(installed),
        background: Mutex::new(Vec::new()),
        state: Mutex::new(unit::State {
            accounts: vec![],
            initialized: false,
            failures: 0,
            locked_until: None,
            update_server: settings::DEFAULT_UPDATE_SERVER.into(),
        }),
        events: tx.clone(),
        login_busy: Default::default(),
        unsaved: Mutex::new(None),
        sessions: Mutex::default(),
        settings_backup: Mutex::default(),
        cloud: Mutex::default(),
        crash_report: Mutex::default(),
    });
    *unit.state.lock().unwrap() = unit.factory_state();

    tokio::spawn(control::serve(control, tx));
    // The debug port is hardware: it answers whether the firmware runs or not.
    let _ = std::fs::remove_file(args.dir.join("swd"));
    let swd = tokio::net::UnixListener::bind(args.dir.join("swd"))
        .map_err(|e| format!("swd socket: {e}"))?;
    tokio::spawn(swd::serve(unit.clone(), swd));
    let tls = match tls::acceptor(
        &unit.fw.model,
        unit.address,
        unit.has(Fault::Tls10Accepted),
        if unit.has(Fault::WeakCertificateKey) {
            tls::CertKey::Weak
        } else if unit.has(Fault::SharedCertificateKey) {
            tls::CertKey::Shared
        } else {
            tls::CertKey::Own
        },
    ) {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("hilt-simdevice: {e}");
            std::process::exit(1);
        }
    };
    let ssh = match args.ssh_server {
        true => Some(ssh::config(unit.has(Fault::SharedSshHostKey))?),
        false => None,
    };
    let boot_uart = uart.clone();
    tokio::spawn(unit::life_cycle(unit.clone(), rx, move |u| {
        boot(
            u,
            boot_uart.clone(),
            header.clone(),
            tls.clone(),
            ssh.clone(),
        )
    }));
    std::fs::write(args.dir.join("ready"), b"ready\n").map_err(|e| e.to_string())?;

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// A unit whose address is taken (another process, a unit left from an earlier run) would let
/// a bench talk to the wrong peer: it stops instead, which the bench sees as a dead unit.
async fn bind_or_exit(unit: &Unit, port: u16) -> tokio::net::TcpListener {
    match net::bind(unit, port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "hilt-simdevice: cannot listen on {}:{port}: {e}",
                unit.address
            );
            std::process::exit(1);
        }
    }
}

async fn listen_or_exit(address: IpAddr, port: u16) -> tokio::net::TcpListener {
    match tokio::net::TcpListener::bind((address, port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("hilt-simdevice: cannot listen on [{address}]:{port}: {e}");
            std::process::exit(1);
        }
    }
}

async fn udp_or_exit(unit: &Unit, port: u16) -> tokio::net::UdpSocket {
    match tokio::net::UdpSocket::bind((unit.address, port)).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "hilt-simdevice: cannot listen on {}:{port}/udp: {e}",
                unit.address
            );
            std::process::exit(1);
        }
    }
}

/// One boot: the boot log on the UART, then the services and a console session until power-off.
/// How long a crashed unit stays down before its watchdog restarts it.
const WATCHDOG_RESTART: std::time::Duration = std::time::Duration::from_secs(3);

fn boot(
    unit: Arc<Unit>,
    uart: uart::Uart,
    header: uart::Uart,
    tls: Arc<openssl::ssl::SslAcceptor>,
    ssh: Option<Arc<russh::server::Config>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        crate::password_change::reload(&unit);
        if unit.has(Fault::SettingsLostAtPowerCut) {
            // Kept in RAM only: every boot starts from the default.
            unit.state.lock().unwrap().update_server = settings::DEFAULT_UPDATE_SERVER.into();
        }
        let mut console = uart.lock().await;
        uart::drain(&mut console).await;
        let fw = &unit.fw;
        let report = unit.crash_report.lock().unwrap().take();
        if let Some(report) = report {
            // The kernel's report at once; the watchdog's restart a few seconds later.
            let text = format!("\r\n{report}\r\nwatchdog: watchdog0: initiating system reboot\r\n");
            if tokio::io::AsyncWriteExt::write_all(&mut *console, text.as_bytes())
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(WATCHDOG_RESTART).await;
        }
        let mut log = String::new();
        log += "\r\nU-Boot 2023.04 (VC SoC)\r\nDRAM: 64 MiB\r\nStarting kernel ...\r\n\r\n[    0.000000] Linux version 5.10.186\r\n";
        if let Some(backup) = unit.settings_backup.lock().unwrap().as_ref() {
            log += &format!(
                "[    0.912000] settings: backup partition holds update_server={backup}\r\n"
            );
        }
        if tokio::io::AsyncWriteExt::write_all(&mut *console, log.as_bytes())
            .await
            .is_err()
        {
            return;
        }
        if unit.has(Fault::BootloaderMenu) && bootloader::offer(&mut console).await.is_none() {
            return;
        }
        tokio::time::sleep(fw.boot_delay).await;
        if unit.installed.lock().unwrap().bricked {
            let _ = tokio::io::AsyncWriteExt::write_all(
                &mut *console,
                b"VCFW: slot A invalid, no firmware to boot\r\n=> ",
            )
            .await;
            return std::future::pending::<()>().await;
        }
        let mut services = JoinSet::new();
        services.spawn(http::serve_plain(
            unit.clone(),
            bind_or_exit(&unit, fw.http_port).await,
        ));
        services.spawn(http::serve_tls(
            unit.clone(),
            bind_or_exit(&unit, fw.https_port).await,
            tls.clone(),
        ));
        if unit.is(hostile::Hostile::IacFlood) {
            services.spawn(hostile::iac_flood(
                bind_or_exit(&unit, fw.telnet_port).await,
            ));
        } else if unit.has(Fault::TelnetEnabled) {
            services.spawn(net::telnet(
                unit.clone(),
                bind_or_exit(&unit, fw.telnet_port).await,
            ));
        }
        if let Some(config) = ssh {
            let listener = bind_or_exit(&unit, fw.ssh_port).await;
            services.spawn(ssh::serve(unit.clone(), listener, config));
        } else if unit.has(Fault::UndeclaredSsh) {
            services.spawn(net::ssh_banner(bind_or_exit(&unit, fw.ssh_port).await));
        }
        if unit.is(hostile::Hostile::SlowHttp) {
            services.spawn(hostile::slow_http(unit.clone()));
        }
        if unit.is(hostile::Hostile::HugeSsdpDescription) {
            services.spawn(hostile::huge_body(unit.clone()));
        }
        if unit.has(Fault::UndeclaredUdp)
            || unit.has(Fault::SerialInSsdpDescription)
            || unit.is(hostile::Hostile::HugeSsdpDescription)
        {
            services.spawn(net::ssdp(unit.clone(), udp_or_exit(&unit, 1900).await));
        }
        if unit.has(Fault::VersionInMdnsTxt) {
            services.spawn(net::mdns(unit.clone(), udp_or_exit(&unit, 5353).await));
        }
        if unit.has(Fault::UndeclaredPort) {
            services.spawn(net::debug_service(
                unit.clone(),
                bind_or_exit(&unit, fw.debug_port).await,
            ));
        }
        if let Some(address6) = unit.address6 {
            services.spawn(http::serve_plain(
                unit.clone(),
                listen_or_exit(address6, fw.http_port).await,
            ));
            if unit.has(Fault::UndeclaredPortIpv6) {
                services.spawn(net::debug_service(
                    unit.clone(),
                    listen_or_exit(address6, fw.debug_port).await,
                ));
            }
        }
        if unit.has(Fault::ClientTls10) {
            let newest = openssl::ssl::SslVersion::TLS1;
            services.spawn(net::phone_home(unit.address, fw.https_port, newest));
        }
        if unit.has(Fault::PhoneHomeTls12) {
            let newest = openssl::ssl::SslVersion::TLS1_2;
            services.spawn(net::phone_home(unit.address, fw.https_port, newest));
        }
        if unit.has(Fault::SecondUartConsole) {
            services.spawn(second_console(unit.clone(), header));
        }
        if unit.is(hostile::Hostile::Tarpit) {
            services.spawn(hostile::tarpit(unit.clone()));
        }
        if unit.is(hostile::Hostile::TlsDribble) {
            services.spawn(hostile::tls_dribble(unit.clone()));
        }
        let banner = format!("{} firmware {} ready\r\n", fw.model, unit.version());
        let _ = tokio::io::AsyncWriteExt::write_all(&mut *console, banner.as_bytes()).await;
        if unit.is(hostile::Hostile::EndlessUartLine) {
            hostile::endless_line(&mut *console).await;
        }
        let mut io = session::Io {
            stream: &mut *console,
            telnet: false,
            after_cr: false,
        };
        if unit.has(Fault::UartVendorCli) {
            // A vendor's service menu: no login, a coloured prompt no shell would print.
            let _ = session::vendor_cli(&mut io, &unit).await;
        }
        if unit.has(Fault::UartRootShell) {
            // The console drops straight into a root shell; after `exit`, the usual login.
            let _ = session::shell(&mut io, &unit, "root").await;
        }
        session::serve(&mut io, &unit, 0).await;
        std::future::pending::<()>().await;
    })
}

/// The factory console left running on the second header: the same login as the main console.
async fn second_console(unit: Arc<Unit>, header: uart::Uart) {
    let mut port = header.lock().await;
    uart::drain(&mut port).await;
    let mut io = session::Io {
        stream: &mut *port,
        telnet: false,
        after_cr: false,
    };
    session::serve(&mut io, &unit, 0).await;
}
