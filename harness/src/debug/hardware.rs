//! What is plugged into this bench: debug probes (probe-rs) and serial ports, with the
//! selector or path a rig file takes: a serial port by its `/dev/serial/by-id` name, which
//! stays the same whichever order adapters are plugged in. An empty bench lists nothing and is
//! not an error.

use probe_rs::probe::list::Lister;

#[derive(Debug, Default)]
pub struct Bench {
    /// (rig selector `VID:PID[:serial]`, description)
    pub probes: Vec<(String, String)>,
    /// (device path, description)
    pub serial_ports: Vec<(String, String)>,
    pub problems: Vec<String>,
}

/// The probes probe-rs can see, as (rig selector `VID:PID[:serial]`, description).
pub fn probes() -> Result<Vec<(String, String)>, String> {
    let listed = std::panic::catch_unwind(|| Lister::new().list_all())
        .map_err(|_| "listing debug probes failed inside probe-rs".to_string())?;
    Ok(listed
        .into_iter()
        .map(|p| {
            let mut selector = format!("{:04x}:{:04x}", p.vendor_id, p.product_id);
            if let Some(serial) = &p.serial_number {
                selector.push(':');
                selector.push_str(serial);
            }
            (selector, p.identifier.clone())
        })
        .collect())
}

pub fn survey() -> Bench {
    let mut bench = Bench::default();
    match probes() {
        Ok(found) => bench.probes = found,
        Err(e) => bench.problems.push(e),
    }
    let stable = stable_names(std::path::Path::new(BY_ID));
    match serialport::available_ports() {
        Ok(ports) => {
            for p in ports {
                let what = match p.port_type {
                    serialport::SerialPortType::UsbPort(u) => format!(
                        "USB {:04x}:{:04x} {} {}",
                        u.vid,
                        u.pid,
                        u.manufacturer.unwrap_or_default(),
                        u.product.unwrap_or_default()
                    ),
                    serialport::SerialPortType::PciPort => "PCI".into(),
                    serialport::SerialPortType::BluetoothPort => "Bluetooth".into(),
                    serialport::SerialPortType::Unknown => "unknown kind".into(),
                };
                let (path, what) = match stable.get(&p.port_name) {
                    Some(by_id) => (by_id.clone(), format!("{} ({})", what.trim(), p.port_name)),
                    None => (p.port_name, what.trim().to_string()),
                };
                bench.serial_ports.push((path, what));
            }
        }
        Err(e) => bench.problems.push(format!("listing serial ports: {e}")),
    }
    bench
}

const BY_ID: &str = "/dev/serial/by-id";

/// Kernel device path (`/dev/ttyUSB0`) to its stable name in `dir`, from udev's symlinks.
fn stable_names(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Default::default();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
        .filter_map(|e| {
            let target = std::fs::canonicalize(e.path()).ok()?;
            Some((target.display().to_string(), e.path().display().to_string()))
        })
        .collect()
}

impl std::fmt::Display for Bench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "debug probes ({}):", self.probes.len())?;
        for (selector, what) in &self.probes {
            writeln!(f, "  {selector}  {what}")?;
        }
        writeln!(f, "serial ports ({}):", self.serial_ports.len())?;
        for (path, what) in &self.serial_ports {
            writeln!(f, "  {path}  {what}")?;
        }
        for p in &self.problems {
            writeln!(f, "problem: {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_port_is_named_by_its_by_id_link() {
        let (_, dir) = crate::evidence::scratch("by-id");
        let tty = dir.0.join("ttyUSB7");
        std::fs::write(&tty, "").unwrap();
        let link = dir.0.join("usb-FTDI_FT232R_USB_UART_A10KZP3M-if00-port0");
        std::os::unix::fs::symlink("ttyUSB7", &link).unwrap();
        let names = super::stable_names(&dir.0);
        let tty = std::fs::canonicalize(tty).unwrap().display().to_string();
        assert_eq!(names.get(&tty), Some(&link.display().to_string()));
        assert!(super::stable_names(&dir.0.join("absent")).is_empty());
    }
}
