//! What is plugged into this bench: debug probes (probe-rs) and serial ports, with the
//! selector or path a rig file takes. An empty bench lists nothing and is not an error.

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
                bench
                    .serial_ports
                    .push((p.port_name, what.trim().to_string()));
            }
        }
        Err(e) => bench.problems.push(format!("listing serial ports: {e}")),
    }
    bench
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
